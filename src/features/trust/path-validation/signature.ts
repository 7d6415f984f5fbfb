import { verify as nodeVerify, type KeyObject } from 'node:crypto';
import { fromBerSafely } from '../../../der/ber.js';
import { verifySignatureValue } from '../../../pkix/signature-algorithms.js';
import type { AlgorithmIdentifier } from './path-certificate.js';

/** DSA signature algorithms (RFC 3279, RFC 5758), which CMS signing never needs but certificate paths may. */
const DSA_SIGNATURES: Record<string, string> = {
  '1.2.840.10040.4.3': 'sha1',
  '2.16.840.1.101.3.4.3.1': 'sha224',
  '2.16.840.1.101.3.4.3.2': 'sha256',
};
/** sha224WithRSAEncryption, missing from the CMS table. */
const EXTRA_RSA: Record<string, string> = { '1.2.840.113549.1.1.14': 'sha224' };

export type SignatureOutcome = 'valid' | 'invalid' | 'unsupported';

/** Verifies the signature of a certificate or CRL (`tbs` signed under `algorithm`) with `key`. */
export function verifySigned(tbs: Buffer, algorithm: AlgorithmIdentifier, signature: Buffer, key: KeyObject): SignatureOutcome {
  const dsaHash = DSA_SIGNATURES[algorithm.oid];
  const rsaHash = EXTRA_RSA[algorithm.oid];
  if (dsaHash || rsaHash) {
    if (key.asymmetricKeyType !== (dsaHash ? 'dsa' : 'rsa')) return 'invalid';
    try {
      return nodeVerify(dsaHash ?? rsaHash, tbs, key, signature) ? 'valid' : 'invalid';
    } catch {
      return 'invalid';
    }
  }
  const parameters = algorithm.parameters ? fromBerSafely(algorithm.parameters).result : undefined;
  const outcome = verifySignatureValue({ signatureAlgorithm: algorithm.oid, parameters, data: tbs, signature, publicKey: key });
  return outcome.outcome;
}
