import type { KeyAlgorithm } from '../../../pkix/key-signer.js';
import { ecdsa_with_SHA256, sha256WithRSAEncryption } from '../../../pkix/oids.js';
import { nullValue, objectIdentifier, sequence } from '../../../der/writer.js';

/*
 * AlgorithmIdentifier  ::=  SEQUENCE  {
 *      algorithm               OBJECT IDENTIFIER,
 *      parameters              ANY DEFINED BY algorithm OPTIONAL  }
 *
 * RFC 5758 3.2: ecdsa-with-SHA256 has no parameters; RFC 4055 5: sha256WithRSAEncryption has NULL.
 */
const ALGORITHMS: Record<KeyAlgorithm, Buffer> = {
  'ECDSA-P256': sequence(objectIdentifier(ecdsa_with_SHA256)),
  'RSA-2048': sequence(objectIdentifier(sha256WithRSAEncryption), nullValue()),
};

/** The AlgorithmIdentifier of what a KeySigner of this algorithm produces (always SHA-256). */
export function signatureAlgorithmOf(algorithm: KeyAlgorithm): Buffer {
  const found = ALGORITHMS[algorithm];
  if (!found) throw new Error(`No signature algorithm for key algorithm ${algorithm}`);
  return found;
}
