import { constants, verify as nodeVerify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  ecdsa_with_SHA256,
  ecdsa_with_SHA384,
  ecdsa_with_SHA512,
  id_ecPublicKey,
  id_RSASSA_PSS,
  id_sha1,
  id_sha256,
  id_sha384,
  id_sha512,
  rsaEncryption,
  sha1WithRSAEncryption,
  sha256WithRSAEncryption,
  sha384WithRSAEncryption,
  sha512WithRSAEncryption,
} from './oids.js';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const DIGEST_ALGORITHMS: Record<string, HashName> = {
  [id_sha1]: 'sha1',
  [id_sha256]: 'sha256',
  [id_sha384]: 'sha384',
  [id_sha512]: 'sha512',
};

/** Signature algorithms that name their hash; rsaEncryption and id-ecPublicKey take the digestAlgorithm's. */
const SIGNATURE_ALGORITHMS: Record<string, { hash?: HashName; scheme: 'rsa' | 'ecdsa' }> = {
  [rsaEncryption]: { scheme: 'rsa' },
  [sha1WithRSAEncryption]: { hash: 'sha1', scheme: 'rsa' },
  [sha256WithRSAEncryption]: { hash: 'sha256', scheme: 'rsa' },
  [sha384WithRSAEncryption]: { hash: 'sha384', scheme: 'rsa' },
  [sha512WithRSAEncryption]: { hash: 'sha512', scheme: 'rsa' },
  [id_ecPublicKey]: { scheme: 'ecdsa' },
  [ecdsa_with_SHA256]: { hash: 'sha256', scheme: 'ecdsa' },
  [ecdsa_with_SHA384]: { hash: 'sha384', scheme: 'ecdsa' },
  [ecdsa_with_SHA512]: { hash: 'sha512', scheme: 'ecdsa' },
};

export type SignatureCheck = { outcome: 'valid' | 'invalid' } | { outcome: 'unsupported'; reason: string };

/*
 * RSASSA-PSS-params ::= SEQUENCE {
 *   hashAlgorithm      [0] HashAlgorithm      DEFAULT sha1,
 *   maskGenAlgorithm   [1] MaskGenAlgorithm   DEFAULT mgf1SHA1,
 *   saltLength         [2] INTEGER            DEFAULT 20,
 *   trailerField       [3] TrailerField       DEFAULT trailerFieldBC }
 * Node's verifier takes the MGF1 hash to be the message hash, which is what every
 * profile in use (RFC 4055 section 3.1 recommends it) does.
 */
function pssParameters(parameters: asn1js.AsnType | undefined): { hash: HashName; saltLength: number } | undefined {
  let hash: HashName | undefined = 'sha1';
  let saltLength = 20;
  const fields = (parameters as asn1js.Sequence | undefined)?.valueBlock?.value ?? [];
  for (const field of fields) {
    const inner = (field as asn1js.Constructed).valueBlock?.value?.[0];
    if (field.idBlock.tagNumber === 0) {
      const oid = (inner as asn1js.Sequence | undefined)?.valueBlock?.value?.[0];
      hash = oid instanceof asn1js.ObjectIdentifier ? DIGEST_ALGORITHMS[oid.valueBlock.toString()] : undefined;
    } else if (field.idBlock.tagNumber === 2 && inner instanceof asn1js.Integer) {
      saltLength = inner.valueBlock.valueDec;
    }
  }
  return hash ? { hash, saltLength } : undefined;
}

/** Checks a signature the way X.509, CRL and CMS structures carry it (DER ECDSA-Sig-Value, PKCS#1 or PSS bytes). */
export function verifySignatureValue(input: {
  signatureAlgorithm: string;
  parameters?: asn1js.AsnType;
  /** The digest algorithm of a SignerInfo, for signature OIDs that do not name their hash. */
  digestAlgorithm?: string;
  data: Uint8Array;
  signature: Uint8Array;
  publicKey: KeyObject;
}): SignatureCheck {
  try {
    if (input.signatureAlgorithm === id_RSASSA_PSS) {
      const pss = pssParameters(input.parameters);
      if (!pss) return { outcome: 'unsupported', reason: 'RSASSA-PSS with an unsupported hash' };
      const ok = nodeVerify(pss.hash, input.data, { key: input.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, input.signature);
      return { outcome: ok ? 'valid' : 'invalid' };
    }
    const known = SIGNATURE_ALGORITHMS[input.signatureAlgorithm];
    if (!known) return { outcome: 'unsupported', reason: `signature algorithm ${input.signatureAlgorithm} is not supported (GOST algorithms have no open implementation)` };
    const hash = known.hash ?? (input.digestAlgorithm ? DIGEST_ALGORITHMS[input.digestAlgorithm] : undefined);
    if (!hash) return { outcome: 'unsupported', reason: `digest algorithm ${input.digestAlgorithm ?? '(none)'} is not supported` };
    const keyType = input.publicKey.asymmetricKeyType;
    if ((known.scheme === 'rsa') !== (keyType === 'rsa') || (known.scheme === 'ecdsa') !== (keyType === 'ec')) {
      return { outcome: 'invalid' };
    }
    return { outcome: nodeVerify(hash, input.data, input.publicKey, input.signature) ? 'valid' : 'invalid' };
  } catch {
    // A signature too short or long for the key, or not DER where DER is expected: simply not valid.
    return { outcome: 'invalid' };
  }
}
