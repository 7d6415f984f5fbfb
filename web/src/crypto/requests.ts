/**
 * The signed requests that change a person's protection. Their canonical JSON (keys sorted by
 * code unit, no whitespace) is what the person signs; the server rebuilds the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export type Product = 'bank_loan' | 'microcredit';
export type Channel = 'online' | 'in_person';

export interface PlaceRequest {
  action: 'restriction.place';
  products: Product[];
  channels: Channel[];
}

export interface LiftRequest {
  action: 'restriction.lift';
  restrictionId: string | null;
  scope: 'entire' | 'until' | 'lender';
  until?: string;
  lenderBin?: string;
  hours?: number;
}

export type ProtectionRequest = PlaceRequest | LiftRequest;

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The full document: the request with the signer's IIN, the time and a single-use nonce. */
export function requestDocument(request: ProtectionRequest, iin: string, now = new Date()): string {
  return canonicalJson({ ...request, iin, issuedAt: now.toISOString(), nonce: nonce() });
}
