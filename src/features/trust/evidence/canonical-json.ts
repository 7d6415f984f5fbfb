/**
 * The canonical JSON of a signed request, by RFC 8785 (JSON Canonicalization Scheme): object
 * keys sorted by UTF-16 code unit, no whitespace, strings and numbers as ECMAScript's
 * JSON.stringify writes them (RFC 8785 3.2.2 defines them so), NaN and Infinity refused.
 * Signer and server build the same bytes from the same request, so the server can tell that
 * what was signed is what it parsed. canonical-json.test.ts checks it against the RFC's
 * published vectors.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('A signed request holds only finite numbers');
    if (value === undefined) throw new TypeError('A signed request holds no undefined values');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
