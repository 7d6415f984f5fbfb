import type { Kysely } from 'kysely';
import { appendToLog } from '../../log/index.js';
import type { DB } from '../../../db/types.js';
import { AppError } from '../../../errors/app-error.js';
import { isRevocationReason, type RevocationReason } from '../../../pkix/crl-reason.js';
import {
  clearRevocation,
  deletePresigned,
  insertEvents,
  lockCertificates,
  lockPairMembers,
  markRevoked,
  notifyRevocation,
  type CertificateRevocationRow,
  type RevocationEvent,
} from './revocation.repository.js';

export interface RevocationRequest {
  /** The issuing CA's name (the certificates table's issuer). */
  issuer: string;
  /** Serials as hex; case and a "0x" prefix are forgiven. */
  serials: string[];
  reason: RevocationReason;
  /** When the key is known or suspected to have been compromised (RFC 5280 5.3.2). */
  invalidityDate?: Date | null;
  /** Revoke the other certificate of each AUTH/SIGN pair too (default true: they share a lifecycle). */
  includePair?: boolean;
  /** Who asked: a token name, "employee-termination", ... */
  actor: string;
}

export interface RevokedCertificate {
  issuer: string;
  serial: string;
  reason: RevocationReason;
  revokedAt: Date;
  invalidityDate: Date | null;
  /** True when revoked because its pair partner was, not because it was named. */
  viaPair: boolean;
}

const SERIAL = /^[0-9a-f]{2,42}$/;
/** Revocation dates come from our clock; an invalidity date from the future is a typo. */
const FUTURE_SKEW_MS = 5 * 60_000;

export function normalizeSerial(serial: string): string {
  const s = serial.trim().toLowerCase().replace(/^0x/, '').replace(/:/g, '');
  let even = s.length % 2 ? `0${s}` : s;
  // Serials are stored as their INTEGER contents: a top bit set means a leading zero octet there.
  if (/^[89a-f]/.test(even)) even = `00${even}`;
  if (!SERIAL.test(even)) throw AppError.badRequest('INVALID_SERIAL', `"${serial}" is not a certificate serial number (hex, at most 21 octets)`);
  return even;
}

function inTransaction<T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

const isHold = (row: CertificateRevocationRow) => row.revoked_at !== null && row.revocation_reason === 'certificateHold';

/**
 * certificateRevoker: revokes certificates of one issuer, with their pair partners unless
 * told otherwise. Runs in the caller's transaction when given one (employee termination
 * revokes inside its own), so the revocation commits or rolls back with the caller's work.
 * A certificate on hold may be revoked for good (it keeps its hold date); one revoked
 * for good cannot be revoked again.
 */
export async function revokeCertificates(db: Kysely<DB>, request: RevocationRequest): Promise<RevokedCertificate[]> {
  if (!isRevocationReason(request.reason)) throw AppError.badRequest('INVALID_REVOCATION_REASON', `"${request.reason}" is not a revocation reason`);
  const serials = [...new Set(request.serials.map(normalizeSerial))];
  if (serials.length === 0) throw AppError.badRequest('INVALID_SERIAL', 'No serial to revoke');
  const invalidityDate = request.invalidityDate ?? null;
  if (invalidityDate && (Number.isNaN(invalidityDate.getTime()) || invalidityDate.getTime() > Date.now() + FUTURE_SKEW_MS)) {
    throw AppError.badRequest('INVALID_INVALIDITY_DATE', 'The invalidity date must be a date in the past');
  }
  if (invalidityDate && request.reason === 'certificateHold') {
    throw AppError.badRequest('INVALID_INVALIDITY_DATE', 'A hold has no invalidity date: the key is not known to be compromised');
  }

  return inTransaction(db, async (trx) => {
    const named = await lockCertificates(trx, request.issuer, serials);
    const missing = serials.filter((s) => !named.some((row) => row.serial === s));
    if (missing.length > 0) {
      throw AppError.notFound('CERTIFICATE_NOT_FOUND', `No certificate of ${request.issuer} has serial ${missing.join(', ')}`);
    }
    for (const row of named) {
      if (row.revoked_at && !(isHold(row) && request.reason !== 'certificateHold')) {
        throw new AppError('conflict', 'ALREADY_REVOKED', `Certificate ${row.serial} is already ${isHold(row) ? 'on hold' : `revoked (${row.revocation_reason})`}`, {
          serial: row.serial,
          revokedAt: row.revoked_at.toISOString(),
          reason: row.revocation_reason,
        });
      }
    }
    const partners =
      request.includePair === false
        ? []
        : await lockPairMembers(
            trx,
            request.issuer,
            [...new Set(named.map((row) => row.pair_id).filter((id): id is string => id !== null))],
            serials,
          );
    // A partner already revoked for good stays as it is; one on hold follows a permanent revocation.
    const partnersToRevoke = partners.filter((row) => !row.revoked_at || (isHold(row) && request.reason !== 'certificateHold'));

    const now = new Date();
    const revoked: RevokedCertificate[] = [];
    const events: RevocationEvent[] = [];
    for (const [row, viaPair] of [...named.map((r) => [r, false] as const), ...partnersToRevoke.map((r) => [r, true] as const)]) {
      const revokedAt = row.revoked_at ?? now;
      await markRevoked(trx, { issuer: row.issuer, serial: row.serial, reason: request.reason, revokedAt, invalidityDate });
      revoked.push({ issuer: row.issuer, serial: row.serial, reason: request.reason, revokedAt, invalidityDate, viaPair });
      events.push({
        issuer: row.issuer,
        serial: row.serial,
        action: 'revoke',
        reason: request.reason,
        revoked_at: revokedAt,
        invalidity_date: invalidityDate,
        actor: request.actor,
      });
    }
    await insertEvents(trx, events);
    const subjects = await trx.selectFrom('certificates').select(['serial', 'subject_iin']).where('issuer', '=', request.issuer).where('serial', 'in', revoked.map((r) => r.serial)).execute();
    for (const r of revoked) {
      const subjectIin = subjects.find((s) => s.serial === r.serial)?.subject_iin ?? null;
      await appendToLog(trx, { kind: 'certificate.revoked', subjectIin, details: { issuer: r.issuer, serial: r.serial, reason: r.reason, revokedAt: r.revokedAt.toISOString(), viaPair: r.viaPair } });
    }
    // A stored 'good' answer must not outlive the revocation (it would not be served anyway: see ocsp-presigned.ts).
    await deletePresigned(trx, request.issuer, revoked.map((r) => r.serial));
    await notifyRevocation(trx, request.issuer, revoked.map((r) => r.serial));
    return revoked;
  });
}

export interface ReleaseRequest {
  issuer: string;
  serial: string;
  includePair?: boolean;
  actor: string;
}

/**
 * certificateHoldReleaser: takes a certificate off hold (RFC 5280's removeFromCRL: it
 * leaves the next full CRL and OCSP answers good again). Pair partners on hold are
 * released with it.
 */
export async function releaseCertificateHold(db: Kysely<DB>, request: ReleaseRequest): Promise<string[]> {
  const serial = normalizeSerial(request.serial);
  return inTransaction(db, async (trx) => {
    const [row] = await lockCertificates(trx, request.issuer, [serial]);
    if (!row) throw AppError.notFound('CERTIFICATE_NOT_FOUND', `No certificate of ${request.issuer} has serial ${serial}`);
    if (!isHold(row)) {
      throw AppError.conflict('NOT_ON_HOLD', row.revoked_at ? `Certificate ${serial} is revoked (${row.revocation_reason}), not on hold` : `Certificate ${serial} is not on hold`);
    }
    const partners = request.includePair === false || !row.pair_id ? [] : await lockPairMembers(trx, request.issuer, [row.pair_id], [serial]);
    const released = [row, ...partners.filter(isHold)];
    for (const r of released) await clearRevocation(trx, r.issuer, r.serial);
    await insertEvents(
      trx,
      released.map((r) => ({ issuer: r.issuer, serial: r.serial, action: 'release-hold' as const, reason: 'removeFromCRL', revoked_at: null, invalidity_date: null, actor: request.actor })),
    );
    await deletePresigned(trx, request.issuer, released.map((r) => r.serial));
    await notifyRevocation(trx, request.issuer, released.map((r) => r.serial));
    return released.map((r) => r.serial);
  });
}
