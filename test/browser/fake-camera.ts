import { writeFileSync } from 'node:fs';

/**
 * A tiny Y4M (YUV4MPEG2, 4:2:0) writer for chromium's fake camera
 * (--use-file-for-fake-video-capture): every language of a browser test gets its own video, so
 * that the frames one application gives are never the bytes another gave (the server refuses those
 * as CAPTURE_REPLAYED). The picture is a face-like oval over a band that moves frame by frame, with
 * noise from a seeded generator: two seeds never make the same frames, and no two frames of one
 * video are alike.
 */
export function writeFakeCameraVideo(file: string, seed: number, options: { width?: number; height?: number; frames?: number; fps?: number } = {}): string {
  const width = options.width ?? 160;
  const height = options.height ?? 120;
  const frames = options.frames ?? 200;
  const fps = options.fps ?? 10;
  if (width % 2 || height % 2) throw new Error('4:2:0 needs an even width and height');
  // xorshift32, seeded: the same seed writes the same file, another seed another one.
  let state = (seed * 2654435761) >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const frameHeader = Buffer.from('FRAME\n', 'ascii');
  const lumaSize = width * height;
  const chromaSize = (width / 2) * (height / 2);
  const parts: Buffer[] = [header];
  const hue = Math.floor(random() * 200) + 28;
  for (let f = 0; f < frames; f++) {
    const y = Buffer.alloc(lumaSize);
    const band = (f * 3 + seed * 17) % height;
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const dx = (col - width / 2) / (width * 0.22);
        const dy = (row - height / 2) / (height * 0.36);
        const face = dx * dx + dy * dy < 1 ? 170 : 60;
        const stripe = Math.abs(row - band) < 6 ? 50 : 0;
        y[row * width + col] = Math.max(16, Math.min(235, face + stripe + Math.floor(random() * 40) - 20));
      }
    }
    const u = Buffer.alloc(chromaSize, hue);
    const v = Buffer.alloc(chromaSize, 256 - hue);
    for (let i = 0; i < chromaSize; i++) u[i] = Math.max(16, Math.min(240, hue + Math.floor(random() * 16) - 8));
    parts.push(frameHeader, y, u, v);
  }
  writeFileSync(file, Buffer.concat(parts));
  return file;
}
