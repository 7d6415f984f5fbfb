/**
 * Checks a lender-check answer as the registry vouches for it: the ES256 JWS over the Merkle
 * root (with the key from GET /v1/credit/signing-key), then the answer's leaf against that
 * root through its audit path (RFC 6962 / RFC 9162).
 */
export interface CheckSignature {
  kid: string;
  jws: string;
  signedAnswer: string;
  leafIndex: number;
  treeSize: number;
  auditPath: string[];
}

const fromBase64Url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=')), (c) => c.charCodeAt(0));

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

const leafHash = (data: string) => sha256(new Uint8Array([0]), new TextEncoder().encode(data));
const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(new Uint8Array([1]), left, right);

async function rootFromPath(leaf: Uint8Array, index: number, size: number, path: Uint8Array[]): Promise<Uint8Array | null> {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? r : null;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

export async function verifyCheckAnswer(signature: CheckSignature, keys: JsonWebKey[] & { kid?: string }[]): Promise<{ valid: boolean; reason: string }> {
  const jwk = (keys as (JsonWebKey & { kid?: string })[]).find((k) => k.kid === signature.kid);
  if (!jwk) return { valid: false, reason: `no published key ${signature.kid}` };
  const [header, payload, sig] = signature.jws.split('.');
  const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, fromBase64Url(sig), new TextEncoder().encode(`${header}.${payload}`));
  if (!ok) return { valid: false, reason: 'the JWS signature does not verify' };
  const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(payload))) as { root: string; size: number };
  if (claims.size !== signature.treeSize) return { valid: false, reason: 'the tree size differs from the signed one' };
  const root = await rootFromPath(await leafHash(signature.signedAnswer), signature.leafIndex, signature.treeSize, signature.auditPath.map(fromBase64Url));
  if (!root || !equal(root, fromBase64Url(claims.root))) return { valid: false, reason: 'the answer is not under the signed root' };
  return { valid: true, reason: 'ok' };
}
