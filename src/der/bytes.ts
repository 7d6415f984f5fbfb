/**
 * asn1js and pkijs take BufferSource, which TypeScript 5.9 narrows to views over an
 * ArrayBuffer; Node's Buffers are such views (never a SharedArrayBuffer) but are typed
 * more widely. This says so in one place.
 */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}
