import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { ContentEncryptionAesCbcParams } from 'pkijs';
import { bufferSource } from '../der/bytes.js';
import { pkijs as pki } from '../pkix/pkijs-engine.js';

// PKCS#12 bag types and attributes (RFC 7292 section 4.2, PKCS#9)
const pkcs8ShroudedKeyBag = '1.2.840.113549.1.12.10.1.2';
const certBag = '1.2.840.113549.1.12.10.1.3';
const x509Certificate = '1.2.840.113549.1.9.22.1';
const friendlyName = '1.2.840.113549.1.9.20';
const localKeyId = '1.2.840.113549.1.9.21';

/** PBKDF2 iterations for the key and certificate encryption (OpenSSL 3 defaults to 2048; more costs an attacker more). */
const PBKDF2_ITERATIONS = 100_000;
/** The PKCS#12 MAC's own KDF runs in JavaScript inside pkijs; OpenSSL's default is 2048. */
const MAC_ITERATIONS = 10_000;

export interface Pkcs12Input {
  /** DER PrivateKeyInfo (unencrypted PKCS#8), only ever in memory. */
  privateKeyPkcs8: Uint8Array;
  certificate: Uint8Array;
  /** Issuing and root CA certificates, so the file carries the path. */
  chain?: Uint8Array[];
  password: string;
  name: string;
}

function attribute(type: string, value: asn1js.AsnType): InstanceType<typeof pki.Attribute> {
  return new pki.Attribute({ type, values: [value] });
}

/**
 *   PFX ::= SEQUENCE {
 *       version     INTEGER {v3(3)}(v3,...),
 *       authSafe    ContentInfo,
 *       macData     MacData OPTIONAL }
 * (RFC 7292.) The key goes in a PKCS8ShroudedKeyBag and the certificates in an
 * EncryptedData, both PBES2 with PBKDF2/HMAC-SHA-256 and AES-256-CBC; the whole is
 * MACed with HMAC-SHA-256. `openssl pkcs12` reads it with the same password.
 */
export async function buildPkcs12(input: Pkcs12Input): Promise<Buffer> {
  const password = new TextEncoder().encode(input.password).buffer as ArrayBuffer;
  const keyId = new asn1js.OctetString({ valueHex: bufferSource(createHash('sha1').update(input.certificate).digest()) });
  const bagAttributes = [attribute(friendlyName, new asn1js.BmpString({ value: input.name })), attribute(localKeyId, keyId)];

  const privateKeyInfo = pki.PrivateKeyInfo.fromBER(bufferSource(input.privateKeyPkcs8));
  const keyBag = new pki.SafeBag({ bagId: pkcs8ShroudedKeyBag, bagValue: new pki.PKCS8ShroudedKeyBag({ parsedValue: privateKeyInfo }), bagAttributes });
  const certificateBags = [input.certificate, ...(input.chain ?? [])].map(
    (der, i) =>
      new pki.SafeBag({
        bagId: certBag,
        bagValue: new pki.CertBag({ certId: x509Certificate, parsedValue: pki.Certificate.fromBER(bufferSource(der)) }),
        ...(i === 0 ? { bagAttributes } : {}),
      }),
  );

  const pfx = new pki.PFX({
    parsedValue: {
      integrityMode: 0, // password integrity
      authenticatedSafe: new pki.AuthenticatedSafe({
        parsedValue: {
          safeContents: [
            { privacyMode: 0, value: new pki.SafeContents({ safeBags: [keyBag] }) },
            { privacyMode: 1, value: new pki.SafeContents({ safeBags: certificateBags }) },
          ],
        },
      }),
    },
  });
  // pkijs draws a fresh random IV for each encryption; its type asks for one all the same.
  const contentEncryptionAlgorithm = { name: 'AES-CBC', length: 256 } as ContentEncryptionAesCbcParams;
  const encryption = { password, contentEncryptionAlgorithm, hmacHashAlgorithm: 'SHA-256', iterationCount: PBKDF2_ITERATIONS };
  await (keyBag.bagValue as InstanceType<typeof pki.PKCS8ShroudedKeyBag>).makeInternalValues(encryption);
  await pfx.parsedValue!.authenticatedSafe!.makeInternalValues({ safeContents: [{}, encryption] });
  await pfx.makeInternalValues({ password, iterations: MAC_ITERATIONS, pbkdf2HashAlgorithm: 'SHA-256', hmacHashAlgorithm: 'SHA-256' });
  return Buffer.from(pfx.toSchema().toBER(false));
}

/** The unencrypted PKCS#8 of a WebCrypto private key, to hand to buildPkcs12. */
export async function exportPkcs8(key: CryptoKey): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
}
