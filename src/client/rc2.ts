/**
 * RC2 decryption (RFC 2268), CBC mode. Only for opening legacy PKCS#12 files: the national
 * CA's .p12 files encrypt their certificates with 40-bit RC2, which Node's OpenSSL refuses
 * without the legacy provider. Nothing is ever encrypted with it here.
 */

/** PITABLE of RFC 2268 section 2: a permutation of 0..255 derived from the digits of pi. */
const PITABLE = Uint8Array.from(
  (
    'd9 78 f9 c4 19 dd b5 ed 28 e9 fd 79 4a a0 d8 9d c6 7e 37 83 2b 76 53 8e 62 4c 64 88 44 8b fb a2 ' +
    '17 9a 59 f5 87 b3 4f 13 61 45 6d 8d 09 81 7d 32 bd 8f 40 eb 86 b7 7b 0b f0 95 21 22 5c 6b 4e 82 ' +
    '54 d6 65 93 ce 60 b2 1c 73 56 c0 14 a7 8c f1 dc 12 75 ca 1f 3b be e4 d1 42 3d d4 30 a3 3c b6 26 ' +
    '6f bf 0e da 46 69 07 57 27 f2 1d 9b bc 94 43 03 f8 11 c7 f6 90 ef 3e e7 06 c3 d5 2f c8 66 1e d7 ' +
    '08 e8 ea de 80 52 ee f7 84 aa 72 ac 35 4d 6a 2a 96 1a d2 71 5a 15 49 74 4b 9f d0 5e 04 18 a4 ec ' +
    'c2 e0 41 6e 0f 51 cb cc 24 91 af 50 a1 f4 70 39 99 7c 3a 85 23 b8 b4 7a fc 02 36 5b 25 55 97 31 ' +
    '2d 5d fa 98 e3 8a 92 ae 05 df 29 10 67 6c ba c9 d3 00 e6 cf e1 9e a8 2c 63 16 01 3f 58 e2 89 a9 ' +
    '0d 38 34 1b ab 33 ff b0 bb 48 0c 5f b9 b1 cd 2e c5 f3 db 47 e5 a5 9c 77 0a a6 20 68 fe 7f c1 ad'
  )
    .split(' ')
    .map((x) => parseInt(x, 16)),
);

/** Key expansion (RFC 2268 section 2): 64 16-bit words from a key with `effectiveBits` effective bits. */
export function rc2KeySchedule(key: Uint8Array, effectiveBits: number): Uint16Array {
  if (key.length < 1 || key.length > 128) throw new RangeError('an RC2 key has 1 to 128 bytes');
  const L = new Uint8Array(128);
  L.set(key);
  const T = key.length;
  const T8 = Math.ceil(effectiveBits / 8);
  const TM = 0xff >> (8 * T8 - effectiveBits);
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1] + L[i - T]) & 0xff];
  L[128 - T8] = PITABLE[L[128 - T8] & TM];
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1] ^ L[i + T8]];
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i] | (L[2 * i + 1] << 8);
  return K;
}

const SHIFTS = [1, 2, 3, 5];

/** Decrypts one 8-byte block in place (RFC 2268 section 4: the mixing and mashing rounds undone). */
export function rc2DecryptBlock(K: Uint16Array, block: Uint8Array): void {
  const R = [0, 1, 2, 3].map((i) => block[2 * i] | (block[2 * i + 1] << 8));
  let j = 63;
  const reverseMix = () => {
    for (let i = 3; i >= 0; i--) {
      R[i] = ((R[i] >>> SHIFTS[i]) | (R[i] << (16 - SHIFTS[i]))) & 0xffff;
      R[i] = (R[i] - K[j--] - (R[(i + 3) & 3] & R[(i + 2) & 3]) - (~R[(i + 3) & 3] & R[(i + 1) & 3])) & 0xffff;
    }
  };
  const reverseMash = () => {
    for (let i = 3; i >= 0; i--) R[i] = (R[i] - K[R[(i + 3) & 3] & 63]) & 0xffff;
  };
  for (let r = 0; r < 5; r++) reverseMix();
  reverseMash();
  for (let r = 0; r < 6; r++) reverseMix();
  reverseMash();
  for (let r = 0; r < 5; r++) reverseMix();
  for (let i = 0; i < 4; i++) {
    block[2 * i] = R[i] & 0xff;
    block[2 * i + 1] = R[i] >>> 8;
  }
}

/** RC2-CBC decryption with PKCS#5 padding removed; throws on bad padding (usually a wrong password). */
export function rc2CbcDecrypt(key: Uint8Array, effectiveBits: number, iv: Uint8Array, data: Uint8Array): Buffer {
  if (data.length === 0 || data.length % 8 !== 0 || iv.length !== 8) throw new RangeError('RC2-CBC data must be whole 8-byte blocks');
  const K = rc2KeySchedule(key, effectiveBits);
  const out = Buffer.alloc(data.length);
  let previous = Uint8Array.from(iv);
  for (let offset = 0; offset < data.length; offset += 8) {
    const cipherBlock = data.subarray(offset, offset + 8);
    const block = Uint8Array.from(cipherBlock);
    rc2DecryptBlock(K, block);
    for (let i = 0; i < 8; i++) out[offset + i] = block[i] ^ previous[i];
    previous = Uint8Array.from(cipherBlock);
  }
  const pad = out[out.length - 1];
  if (pad < 1 || pad > 8 || !out.subarray(out.length - pad).every((b) => b === pad)) throw new RangeError('bad padding');
  return out.subarray(0, out.length - pad);
}
