import * as asn1js from 'asn1js';

/**
 * The tolerant path, for BER that real signers produce: CMS from other signers may use
 * indefinite lengths and constructed strings, which the strict reader (`der/reader.ts`) refuses.
 * The input that needs it is named in a test: a document signed by `openssl cms -sign -stream`
 * (trust/cms.test.ts, "indefinite-length BER"). pkijs parses such input through asn1js,
 * called here.
 * asn1js.fromBER throws a RangeError on some malformed strings (an odd-length BMPString, say)
 * instead of reporting an error; this never throws, and failure reads as offset -1.
 */
export function fromBerSafely(bytes: Uint8Array): { offset: number; result: asn1js.AsnType } {
  try {
    // OCTET STRING contents (a signed document, a TSTInfo) are decoded where needed, not guessed at;
    // a signed document may exceed asn1js's default 16 MB content limit.
    return asn1js.fromBER(bytes, { parseEmbedded: false, maxContentLength: 64 * 1024 * 1024 });
  } catch (err) {
    return { offset: -1, result: { error: (err as Error).message } as unknown as asn1js.AsnType };
  }
}
