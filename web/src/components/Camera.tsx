import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

export interface CameraHandle {
  /** The current frame as JPEG, base64 (no data: prefix); null while the camera is not ready. */
  capture: () => string | null;
  /** A chosen photo, made smaller as JPEG, base64. */
  shrink: (file: File) => Promise<string | null>;
}

/** Pictures go out at most this wide: enough to see a face or read a card, small enough to send. */
const MAX_WIDTH = 800;

function toJpeg(source: CanvasImageSource, width: number, height: number): string | null {
  if (!width || !height) return null;
  const scale = Math.min(1, MAX_WIDTH / width);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/jpeg', 0.85).replace(/^data:image\/jpeg;base64,/, '');
}

/** The web camera, shown live; the page only takes a picture when the person presses the button. */
export const Camera = forwardRef<CameraHandle, { label: string; onProblem: (problem: 'denied' | 'missing') => void }>(function Camera({ label, onProblem }, ref) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    let stream: MediaStream | null = null;
    let stopped = false;
    if (!navigator.mediaDevices?.getUserMedia) {
      onProblem('missing');
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false })
      .then((s) => {
        if (stopped) return s.getTracks().forEach((track) => track.stop());
        stream = s;
        if (video.current) {
          video.current.srcObject = s;
          void video.current.play().catch(() => undefined);
        }
      })
      .catch((err: DOMException) => onProblem(err.name === 'NotAllowedError' ? 'denied' : 'missing'));
    return () => {
      stopped = true;
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);
  useImperativeHandle(ref, () => ({
    capture: () => (video.current ? toJpeg(video.current, video.current.videoWidth, video.current.videoHeight) : null),
    shrink: async (file) => {
      const bitmap = await createImageBitmap(file).catch(() => null);
      if (!bitmap) return null;
      return toJpeg(bitmap, bitmap.width, bitmap.height);
    },
  }));
  return <video ref={video} className="camera" aria-label={label} muted playsInline autoPlay data-testid="camera" />;
});
