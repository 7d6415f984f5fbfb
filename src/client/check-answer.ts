import { createHash } from 'node:crypto';
import { compactVerify, importJWK, type JWK } from 'jose';

/**
 * A lender's own check of a registry answer (POST /v1/credit/checks): the JWS over the
 * group's Merkle root verifies with the registry's published key, the answer's leaf leads to
 * that root (RFC 9162 2.1.3.2), and the signed text says what the answer says. Client code:
 * nothing here comes from the server, so it is an independent check of what the server wrote.
 */
export interface CheckAnswer {
  decision: string;
  checkId: string;
  checkedAt: string;
  signature: { alg: string; kid: string; jws: string; signedAnswer: string; leafIndex: number; treeSize: number; auditPath: string[] };
}

export type AnswerVerdict =
  | { valid: true; signedAt: string; kid: string; signed: Record<string, unknown> }
  | { valid: false; reason: string };

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 9162 2.1.3.2: the root an inclusion proof leads to, or null when the proof cannot be a proof. */
export function rootOfInclusion(leaf: Buffer, index: number, size: number, path: Buffer[]): Buffer | null {
  if (index >= size || index < 0) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.from([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = sha256(Buffer.from([1]), r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? r : null;
}

export async function verifyCheckAnswer(answer: CheckAnswer, keys: { keys: JWK[] }): Promise<AnswerVerdict> {
  const s = answer.signature;
  if (!s || typeof s.jws !== 'string') return { valid: false, reason: 'the answer has no signature' };
  const jwk = keys.keys.find((k) => k.kid === s.kid);
  if (!jwk) return { valid: false, reason: `no published key has the id ${s.kid}` };
  let payload: { root?: string; size?: number; signedAt?: string };
  try {
    const verified = await compactVerify(s.jws, await importJWK(jwk, 'ES256'), { algorithms: ['ES256'] });
    if (verified.protectedHeader.kid !== undefined && verified.protectedHeader.kid !== s.kid) return { valid: false, reason: 'the JWS header names another key' };
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch (err) {
    return { valid: false, reason: `the JWS does not verify with the registry's key: ${(err as Error).message}` };
  }
  if (payload.size !== s.treeSize) return { valid: false, reason: `the signed tree has ${payload.size} answers, the answer says ${s.treeSize}` };
  const leaf = sha256(Buffer.from([0]), Buffer.from(s.signedAnswer, 'utf8'));
  const root = rootOfInclusion(leaf, s.leafIndex, s.treeSize, s.auditPath.map((h) => Buffer.from(h, 'base64url')));
  if (!root || root.toString('base64url') !== payload.root) return { valid: false, reason: 'the answer is not in the signed tree (its audit path leads elsewhere)' };
  let signed: Record<string, unknown>;
  try {
    signed = JSON.parse(s.signedAnswer);
  } catch {
    return { valid: false, reason: 'the signed answer is not JSON' };
  }
  for (const field of ['decision', 'checkId', 'checkedAt'] as const) {
    if (signed[field] !== answer[field]) return { valid: false, reason: `the signed answer says ${field} ${String(signed[field])}, the answer shown says ${answer[field]}` };
  }
  return { valid: true, signedAt: String(payload.signedAt), kid: s.kid, signed };
}
