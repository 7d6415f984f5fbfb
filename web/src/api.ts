/** The one way the portal talks to the server: the documented HTTP API, JSON in and out. */
export class ApiProblem extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string) {
    super(detail);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (err) {
    throw new ApiProblem(0, 'NETWORK', (err as Error).message);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiProblem(response.status, parsed?.code ?? `HTTP_${response.status}`, parsed?.detail ?? response.statusText);
  return parsed as T;
}

export interface Breach {
  id: string;
  organization: { bin: string; name: string };
  title: string;
  description: string;
  occurredAt: string | null;
  disclosedAt: string | null;
  source: string;
  dataCategories: string[];
  affectedCount: number;
  status: 'draft' | 'published' | 'closed' | 'retracted';
  publishedAt: string | null;
}

export interface Session {
  sessionId: string;
  displayName: string;
  holder: 'individual' | 'employee';
  certificateSerial: string;
  expiresAt: string;
}

export interface Restriction {
  id: string;
  kind: 'protective' | 'voluntary';
  products: ('bank_loan' | 'microcredit')[];
  channels: ('online' | 'in_person')[];
  since: string;
  until: string | null;
  reason: string;
  breachId: string | null;
  endedAt: string | null;
  inForce: boolean;
}

export interface Lift {
  id: string;
  restrictionId: string | null;
  scope: 'entire' | 'until' | 'lender';
  lenderBin: string | null;
  requestedAt: string;
  effectiveAt: string;
  liftedUntil: string | null;
  cancelledAt: string | null;
  status: 'cooling-off' | 'in-effect' | 'ended' | 'cancelled';
  documentId: string;
}

export interface Inquiry {
  checkId: string;
  checkedAt: string;
  lender: { bin: string; name: string };
  product: 'bank_loan' | 'microcredit';
  channel: 'online' | 'in_person';
  decision: 'allow' | 'deny';
}

export interface SignedDocumentSummary {
  id: string;
  action: string;
  signedAt: string;
  receivedAt: string;
}

export interface SignedDocument extends SignedDocumentSummary {
  content: string;
  cms: string;
  certificateSerial: string;
}

export interface HeldCertificate {
  kind: 'auth' | 'sign';
  issuer: string;
  serial: string;
  organizationBin: string | null;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  status: 'good' | 'on-hold' | 'revoked' | 'expired';
  revokedAt: string | null;
}

export interface Contact {
  id: string;
  channel: 'email' | 'webhook';
  address: string;
  language: 'kk' | 'ru' | 'en';
  /** False for an e-mail address until its code is confirmed. */
  verified: boolean;
  createdAt: string;
}

export interface Organization {
  bin: string;
  name: string;
  totals: { publishedBreaches: number; affectedPersons: number };
  breaches: Breach[];
}
