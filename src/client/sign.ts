import { id_data } from '../pkix/oids.js';
import { buildSignedData, signingTimeAttribute, timeStampTokenAttribute, type ContentSigner } from '../pkix/signed-data.js';

export interface SignCmsOptions {
  content: Uint8Array;
  signer: ContentSigner;
  /** DER of the signer's certificate. */
  certificate: Uint8Array;
  /** DER of certificates to carry for the verifier (the issuing CA; not the root). */
  chain?: Uint8Array[];
  detached?: boolean;
  signingTime?: Date;
  /** Fetches an RFC 3161 token over the signature value (e.g. requestTimeStamp bound to a URL). */
  timeStamp?: (signature: Buffer) => Promise<Buffer>;
}

/**
 * Signs a document as CMS SignedData the way the national CA's clients do: SHA-256,
 * content-type, message-digest, signing-time and ESS signing-certificate-v2 attributes, the
 * signer's certificate included, and optionally a time-stamp token as an unsigned attribute.
 * Returns DER ContentInfo (a .p7s / .cms file).
 */
export async function signCms(options: SignCmsOptions): Promise<Buffer> {
  return buildSignedData({
    contentType: id_data,
    content: options.content,
    detached: options.detached,
    signer: options.signer,
    signerCertificate: options.certificate,
    chain: options.chain,
    extraSignedAttributes: [signingTimeAttribute(options.signingTime ?? new Date())],
    unsignedAttributes: options.timeStamp ? async (signature) => [timeStampTokenAttribute(await options.timeStamp!(signature))] : undefined,
  });
}
