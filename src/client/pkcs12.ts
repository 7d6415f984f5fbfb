import { createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, pbkdf2Sync, timingSafeEqual, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { fromBerSafely } from '../der/ber.js';
import { AppError } from '../errors/app-error.js';
import type { KeyAlgorithm } from '../pkix/key-signer.js';
import {
  aes128_CBC,
  aes192_CBC,
  aes256_CBC,
  certBag,
  des_EDE3_CBC,
  id_data,
  id_encryptedData,
  id_hmacWithSHA1,
  id_hmacWithSHA256,
  id_hmacWithSHA384,
  id_hmacWithSHA512,
  id_PBES2,
  id_PBKDF2,
  keyBag,
  pbeWithSHAAnd128BitRC2_CBC,
  pbeWithSHAAnd3_KeyTripleDES_CBC,
  pbeWithSHAAnd40BitRC2_CBC,
  pkcs8ShroudedKeyBag,
  x509Certificate,
} from '../pkix/oids.js';
import { certificateFields } from '../pkix/certificate.js';
import { DIGEST_ALGORITHMS, type HashName } from '../pkix/signature-algorithms.js';
import { rc2CbcDecrypt } from './rc2.js';
import type { ContentSigner } from '../pkix/signed-data.js';
import { sign as nodeSign } from 'node:crypto';

/**
 * Reads PKCS#12 (RFC 7292) files as people hold them: the modern kind (PBES2 with PBKDF2 and
 * AES, what OpenSSL 3 writes) and the legacy kind the national CA issues (SHA-1 PKCS#12 PBE
 * with 3DES for the key and 40-bit RC2 for the certificates). Everything is implemented here
 * over Node's crypto (RC2 in rc2.ts), so no `openssl -legacy` is needed at run time.
 */

export interface Pkcs12Contents {
  privateKey: KeyObject;
  /** DER of the certificate whose public key matches the private key. */
  certificate: Buffer;
  /** DER of the other certificates in the file (the issuing CA, as a rule). */
  chain: Buffer[];
}

const malformed = (what: string) => AppError.badRequest('PKCS12_MALFORMED', `The PKCS#12 file is malformed: ${what}`);
const wrongPassword = () => AppError.badRequest('PKCS12_BAD_PASSWORD', 'The PKCS#12 password is wrong (the file integrity check failed)');
/** GOST key algorithms the national CA issues (Kazakh GOST 34.310-2004, Russian GOST R 34.10-2001/2012). */
const GOST_KEY_ALGORITHMS = /^(1\.2\.398\.3\.10\.|1\.2\.643\.)/;
const keyAlgorithmUnsupported = (oid: string) =>
  AppError.badRequest(
    'PKCS12_KEY_ALGORITHM_UNSUPPORTED',
    GOST_KEY_ALGORITHMS.test(oid)
      ? `The password is right, but the key in this PKCS#12 file is a GOST key (${oid}), which cannot be used here: no open implementation of GOST exists. Use your RSA or ECDSA key file.`
      : `The password is right, but the key algorithm ${oid} of this PKCS#12 file is not supported; RSA and ECDSA keys are.`,
  );
const unsupported = (what: string) => AppError.badRequest('PKCS12_UNSUPPORTED', `The PKCS#12 file uses ${what}, which is not supported`);

type Node = asn1js.AsnType;

function items(node: Node | undefined, what: string): Node[] {
  const value = (node as asn1js.Constructed | undefined)?.valueBlock?.value;
  if (!node || !node.idBlock.isConstructed || !Array.isArray(value)) throw malformed(`${what} is not constructed`);
  return value;
}

function oid(node: Node | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw malformed(`${what} is not an OID`);
  return node.valueBlock.toString();
}

function bytes(node: Node | undefined, what: string): Buffer {
  if (!node) throw malformed(`${what} is missing`);
  if (node.idBlock.isConstructed) return Buffer.concat(items(node, what).map((n) => bytes(n, what)));
  const view = (node as asn1js.OctetString).valueBlock?.valueHexView;
  if (!view) throw malformed(`${what} is not an OCTET STRING`);
  return Buffer.from(view);
}

function int(node: Node | undefined, what: string): number {
  if (!(node instanceof asn1js.Integer)) throw malformed(`${what} is not an INTEGER`);
  return node.valueBlock.valueDec;
}

function parse(der: Uint8Array, what: string): Node {
  const parsed = fromBerSafely(der);
  if (parsed.offset === -1 || parsed.result.error) throw malformed(`${what} is not DER`);
  return parsed.result;
}

/** The PKCS#12 password format: BMPString (UTF-16BE) with a two-byte NUL terminator (RFC 7292 B.1). */
function bmpPassword(password: string): Buffer {
  if (password.length === 0) return Buffer.alloc(0);
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

const BLOCK_SIZE: Record<HashName, number> = { sha1: 64, sha256: 64, sha384: 128, sha512: 128 };

/** The PKCS#12 key derivation function (RFC 7292 appendix B.2). id: 1 key, 2 IV, 3 MAC key. */
export function pkcs12Kdf(hash: HashName, password: Buffer, salt: Buffer, iterations: number, id: 1 | 2 | 3, length: number): Buffer {
  const v = BLOCK_SIZE[hash];
  const fill = (source: Buffer) => {
    if (source.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i++) out[i] = source[i % source.length];
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const chunks: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash).update(A).digest();
    chunks.push(A);
    produced += A.length;
    if (produced >= length) break;
    // I_j = (I_j + B + 1) mod 2^(8v), with B = A repeated to v bytes.
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % A.length];
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k] + B[k] + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(chunks).subarray(0, length);
}

const PBKDF2_PRF: Record<string, HashName> = { [id_hmacWithSHA1]: 'sha1', [id_hmacWithSHA256]: 'sha256', [id_hmacWithSHA384]: 'sha384', [id_hmacWithSHA512]: 'sha512' };
const AES: Record<string, { cipher: string; keyLength: number }> = {
  [aes128_CBC]: { cipher: 'aes-128-cbc', keyLength: 16 },
  [aes192_CBC]: { cipher: 'aes-192-cbc', keyLength: 24 },
  [aes256_CBC]: { cipher: 'aes-256-cbc', keyLength: 32 },
  [des_EDE3_CBC]: { cipher: 'des-ede3-cbc', keyLength: 24 },
};

/*
 * pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
 * PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }
 * PBKDF2-params ::= SEQUENCE {
 *   salt CHOICE { specified OCTET STRING, ... },
 *   iterationCount INTEGER,
 *   keyLength INTEGER OPTIONAL,
 *   prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
 */
function decrypt(algorithm: Node, data: Buffer, password: string): Buffer {
  const [algorithmOid, parameters] = items(algorithm, 'encryption algorithm');
  const name = oid(algorithmOid, 'encryption algorithm');
  try {
    if (name === id_PBES2) {
      const [kdf, scheme] = items(parameters, 'PBES2-params');
      const [kdfOid, kdfParams] = items(kdf, 'keyDerivationFunc');
      if (oid(kdfOid, 'keyDerivationFunc') !== id_PBKDF2) throw unsupported('a key derivation other than PBKDF2');
      const [saltNode, iterationsNode, ...rest] = items(kdfParams, 'PBKDF2-params');
      const prfNode = rest.find((n) => n instanceof asn1js.Sequence);
      const prf = prfNode ? PBKDF2_PRF[oid(items(prfNode, 'prf')[0], 'prf')] : 'sha1';
      const [schemeOid, ivNode] = items(scheme, 'encryptionScheme');
      const cipher = AES[oid(schemeOid, 'encryptionScheme')];
      if (!prf || !cipher) throw unsupported(`cipher ${oid(schemeOid, 'encryptionScheme')}`);
      // OpenSSL hands PBKDF2 the password's UTF-8 bytes (not the BMPString of the PKCS#12 KDF).
      const key = pbkdf2Sync(Buffer.from(password, 'utf8'), bytes(saltNode, 'salt'), int(iterationsNode, 'iterationCount'), cipher.keyLength, prf);
      const decipher = createDecipheriv(cipher.cipher, key, bytes(ivNode, 'IV'));
      return Buffer.concat([decipher.update(data), decipher.final()]);
    }
    const [saltNode, iterationsNode] = items(parameters, 'pkcs-12PbeParams');
    const salt = bytes(saltNode, 'salt');
    const iterations = int(iterationsNode, 'iterations');
    const pass = bmpPassword(password);
    if (name === pbeWithSHAAnd3_KeyTripleDES_CBC) {
      const key = pkcs12Kdf('sha1', pass, salt, iterations, 1, 24);
      const iv = pkcs12Kdf('sha1', pass, salt, iterations, 2, 8);
      const decipher = createDecipheriv('des-ede3-cbc', key, iv);
      return Buffer.concat([decipher.update(data), decipher.final()]);
    }
    if (name === pbeWithSHAAnd40BitRC2_CBC || name === pbeWithSHAAnd128BitRC2_CBC) {
      const keyLength = name === pbeWithSHAAnd40BitRC2_CBC ? 5 : 16;
      const key = pkcs12Kdf('sha1', pass, salt, iterations, 1, keyLength);
      const iv = pkcs12Kdf('sha1', pass, salt, iterations, 2, 8);
      return rc2CbcDecrypt(key, keyLength * 8, iv, data);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    // Bad padding after decryption: the MAC passed, so the file is damaged or has a second password.
    throw wrongPassword();
  }
  throw unsupported(`encryption ${name}`);
}

/*
 * MacData ::= SEQUENCE {
 *   mac        DigestInfo,
 *   macSalt    OCTET STRING,
 *   iterations INTEGER DEFAULT 1 }
 */
function checkMac(macData: Node, authSafeContent: Buffer, password: string): void {
  const [digestInfo, saltNode, iterationsNode] = items(macData, 'MacData');
  const [algorithm, digestNode] = items(digestInfo, 'DigestInfo');
  const hash = DIGEST_ALGORITHMS[oid(items(algorithm, 'mac algorithm')[0], 'mac algorithm')];
  if (!hash) throw unsupported('a MAC hash other than SHA-1/SHA-2');
  const expected = bytes(digestNode, 'mac');
  const iterations = iterationsNode ? int(iterationsNode, 'iterations') : 1;
  const key = pkcs12Kdf(hash, bmpPassword(password), bytes(saltNode, 'macSalt'), iterations, 3, createHash(hash).digest().length);
  const actual = createHmac(hash, key).update(authSafeContent).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw wrongPassword();
}

/*
 * PFX ::= SEQUENCE {
 *   version    INTEGER {v3(3)}(v3,...),
 *   authSafe   ContentInfo,
 *   macData    MacData OPTIONAL }
 * AuthenticatedSafe ::= SEQUENCE OF ContentInfo  -- Data or EncryptedData
 * SafeContents ::= SEQUENCE OF SafeBag
 * SafeBag ::= SEQUENCE {
 *   bagId         BAG-TYPE.&id ({PKCS12BagSet}),
 *   bagValue      [0] EXPLICIT BAG-TYPE.&Type({PKCS12BagSet}{@bagId}),
 *   bagAttributes SET OF PKCS12Attribute OPTIONAL }
 * EncryptedData ::= SEQUENCE { version, encryptedContentInfo EncryptedContentInfo }
 * EncryptedContentInfo ::= SEQUENCE {
 *   contentType ContentType,
 *   contentEncryptionAlgorithm ContentEncryptionAlgorithmIdentifier,
 *   encryptedContent [0] IMPLICIT EncryptedContent OPTIONAL }
 * CertBag ::= SEQUENCE { certId BAG-TYPE.&id, certValue [0] EXPLICIT BAG-TYPE.&Type }
 * EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }
 */
export function readPkcs12(file: Uint8Array, password: string): Pkcs12Contents {
  const [version, authSafe, macData] = items(parse(file, 'the file'), 'PFX');
  if (int(version, 'PFX.version') !== 3) throw malformed('PFX version is not 3');
  const [authType, authContent] = items(authSafe, 'authSafe');
  if (oid(authType, 'authSafe.contentType') !== id_data) throw unsupported('public-key integrity mode');
  const authSafeContent = bytes(items(authContent, 'authSafe.content')[0], 'authSafe.content');
  if (macData) checkMac(macData, authSafeContent, password);

  const keys: Buffer[] = [];
  const certificates: Buffer[] = [];
  for (const contentInfo of items(parse(authSafeContent, 'AuthenticatedSafe'), 'AuthenticatedSafe')) {
    const [typeNode, content] = items(contentInfo, 'ContentInfo');
    const type = oid(typeNode, 'ContentInfo.contentType');
    let safeContents: Buffer;
    if (type === id_data) {
      safeContents = bytes(items(content, 'ContentInfo.content')[0], 'SafeContents');
    } else if (type === id_encryptedData) {
      const [, encryptedContentInfo] = items(items(content, 'ContentInfo.content')[0], 'EncryptedData');
      const [, algorithm, encrypted] = items(encryptedContentInfo, 'EncryptedContentInfo');
      safeContents = decrypt(algorithm, bytes(encrypted, 'encryptedContent'), password);
    } else {
      throw unsupported(`a content type ${type} (public-key privacy mode)`);
    }
    for (const bag of items(parse(safeContents, 'SafeContents'), 'SafeContents')) {
      const [bagIdNode, bagValueNode] = items(bag, 'SafeBag');
      const bagId = oid(bagIdNode, 'SafeBag.bagId');
      const value = items(bagValueNode, 'SafeBag.bagValue')[0];
      if (bagId === keyBag) keys.push(Buffer.from(value.valueBeforeDecodeView));
      else if (bagId === pkcs8ShroudedKeyBag) {
        const [algorithm, encrypted] = items(value, 'EncryptedPrivateKeyInfo');
        keys.push(decrypt(algorithm, bytes(encrypted, 'encryptedData'), password));
      } else if (bagId === certBag) {
        const [certId, certValue] = items(value, 'CertBag');
        if (oid(certId, 'CertBag.certId') === x509Certificate) certificates.push(bytes(items(certValue, 'certValue')[0], 'certValue'));
      }
    }
  }
  if (keys.length === 0) throw malformed('no private key');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keys[0], format: 'der', type: 'pkcs8' });
  } catch {
    // The MAC (or the decryption) already accepted the password when the key is a well-formed
    // PrivateKeyInfo: then it is its algorithm (GOST, say) that cannot be used, not the password.
    const algorithm = privateKeyAlgorithmOf(keys[0]);
    if (algorithm) throw keyAlgorithmUnsupported(algorithm);
    throw wrongPassword();
  }
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const certificate = certificates.find((c) => {
    try {
      return certificateFields(c).subjectPublicKeyInfo.equals(spki);
    } catch {
      return false;
    }
  });
  if (!certificate) throw malformed('no certificate matches the private key');
  return { privateKey, certificate, chain: certificates.filter((c) => c !== certificate) };
}

/*
 * PrivateKeyInfo ::= SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier, privateKey OCTET STRING, ... }
 * The algorithm OID when `der` is one, undefined when it is not (garbage from a wrong password).
 */
function privateKeyAlgorithmOf(der: Buffer): string | undefined {
  const parsed = fromBerSafely(der);
  if (parsed.offset !== der.length) return undefined;
  const [version, algorithm, key] = (parsed.result as asn1js.Sequence).valueBlock?.value ?? [];
  const oid = (algorithm as asn1js.Sequence | undefined)?.valueBlock?.value?.[0];
  if (!(version instanceof asn1js.Integer) || !(oid instanceof asn1js.ObjectIdentifier) || !(key instanceof asn1js.OctetString)) return undefined;
  return oid.valueBlock.toString();
}

/** A CMS signer over a private key the person holds (SHA-256; DER ECDSA or PKCS#1 v1.5 signatures). */
export function signerFromPrivateKey(privateKey: KeyObject): ContentSigner {
  const type = privateKey.asymmetricKeyType;
  if (type !== 'ec' && type !== 'rsa') throw AppError.badRequest('KEY_UNSUPPORTED', `A ${type} key cannot sign CMS here; ECDSA and RSA keys can`);
  // The algorithm label selects the signature OID; any RSA size or EC curve signs the same way.
  const algorithm: KeyAlgorithm = type === 'ec' ? 'ECDSA-P256' : 'RSA-2048';
  return { algorithm, sign: async (data) => nodeSign('sha256', data, privateKey) };
}
