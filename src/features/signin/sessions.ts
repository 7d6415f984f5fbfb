import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { CaHierarchy } from '../ca/index.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { CertificateStatusReader } from '../ca/index.js';
import type { SessionHolder } from './signin.tables.js';

/** `__Host-`: the browser keeps the cookie only if Secure, Path=/ and without Domain. */
export const SESSION_COOKIE = '__Host-qorgau-session';

/** The signed-in person, as routes see them. Never the IIN: the pseudonym. */
export interface PersonPrincipal {
  sessionId: string;
  personHash: Buffer;
  certificateSerial: string;
  certificateIssuer: string;
  holder: SessionHolder;
  displayName: string;
  expiresAt: Date;
}

export interface OpenedSession {
  token: string;
  principal: PersonPrincipal;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest();
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Reads one cookie from a Cookie header (RFC 6265 5.4 form: "a=b; c=d"). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

export const clearedSessionCookie = () => `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;

/** Whether the certificate a session was opened with is still good (not revoked or held). */
export type SessionCertificateCheck = (principal: PersonPrincipal) => Promise<boolean>;

/**
 * For certificates Qorgau's own CA issued, the revocation status is in the database: a key
 * reported stolen ends the sessions opened with it at their next request. Other CAs' (the
 * national CA's) are checked at sign-in only; the session's short life bounds the rest.
 */
export function ownCaCertificateCheck(db: Kysely<DB>, pki: CaHierarchy | undefined): SessionCertificateCheck | undefined {
  if (!pki) return undefined;
  const issuerDn = CertificateInfo.parse(pki.issuing.der).subject;
  const reader = new CertificateStatusReader(db);
  return async (principal) => {
    if (principal.certificateIssuer !== issuerDn) return true;
    const status = await reader.status(pki.issuing.name, principal.certificateSerial);
    return status !== null && status.revokedAt === null;
  };
}

/**
 * Person sessions, server-side: the token lives only in the person's cookie, the database
 * keeps its SHA-256, so every instance behind the load balancer sees a sign-out at once.
 */
export class SessionStore {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: () => Date = () => new Date(),
    private readonly certificateCheck?: SessionCertificateCheck,
  ) {}

  async open(input: Omit<PersonPrincipal, 'sessionId' | 'expiresAt'>, lifetimeMinutes: number): Promise<OpenedSession> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + lifetimeMinutes * 60_000);
    const id = randomUUID();
    await this.db
      .insertInto('person_sessions')
      .values({
        token_hash: hashOf(token),
        id,
        person_hash: input.personHash,
        certificate_serial: input.certificateSerial,
        certificate_issuer: input.certificateIssuer,
        holder: input.holder,
        display_name: input.displayName,
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    // Sessions long expired are worthless: sweep some on the way (bounded, no job needed).
    await this.db
      .deleteFrom('person_sessions')
      .where('token_hash', 'in', (q) => q.selectFrom('person_sessions').select('token_hash').where('expires_at', '<', new Date(now.getTime() - 86_400_000)).limit(100))
      .execute();
    return { token, principal: { ...input, sessionId: id, expiresAt } };
  }

  /** The session a token opens, if it is known, unexpired and not signed out. */
  async find(token: string): Promise<PersonPrincipal | null> {
    if (!TOKEN.test(token)) return null;
    const row = await this.db
      .selectFrom('person_sessions')
      .selectAll()
      .where('token_hash', '=', hashOf(token))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', this.clock())
      .executeTakeFirst();
    if (!row) return null;
    const principal: PersonPrincipal = {
      sessionId: row.id,
      personHash: Buffer.from(row.person_hash),
      certificateSerial: row.certificate_serial,
      certificateIssuer: row.certificate_issuer,
      holder: row.holder,
      displayName: row.display_name,
      expiresAt: new Date(row.expires_at),
    };
    if (this.certificateCheck && !(await this.certificateCheck(principal))) {
      await this.revoke(principal.sessionId);
      return null;
    }
    return principal;
  }

  async revoke(sessionId: string): Promise<boolean> {
    const result = await this.db.updateTable('person_sessions').set({ revoked_at: this.clock() }).where('id', '=', sessionId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Ends every session opened with a certificate (e.g. when it is revoked). */
  async revokeByCertificate(issuer: string, serial: string): Promise<number> {
    const result = await this.db
      .updateTable('person_sessions')
      .set({ revoked_at: this.clock() })
      .where('certificate_issuer', '=', issuer)
      .where('certificate_serial', '=', serial)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
