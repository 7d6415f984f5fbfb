import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import { statusOfSerials } from '../revocation/revocation.repository.js';

/** A certificate Qorgau's CA issued, as its holder and their organization may see it (no DER). */
export interface HeldCertificate {
  issuer: string;
  serial: string;
  profile: string;
  subjectIin: string | null;
  subjectBin: string | null;
  pairId: string | null;
  applicationId: string | null;
  notBefore: Date;
  notAfter: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
}

type Executor = Kysely<DB> | Transaction<DB>;

const COLUMNS = ['issuer', 'serial', 'profile', 'subject_iin', 'subject_bin', 'pair_id', 'application_id', 'not_before', 'not_after', 'revoked_at', 'revocation_reason'] as const;

function toHeld(r: {
  issuer: string; serial: string; profile: string; subject_iin: string | null; subject_bin: string | null; pair_id: string | null; application_id: string | null;
  not_before: Date; not_after: Date; revoked_at: Date | null; revocation_reason: string | null;
}): HeldCertificate {
  return {
    issuer: r.issuer,
    serial: r.serial,
    profile: r.profile,
    subjectIin: r.subject_iin,
    subjectBin: r.subject_bin,
    pairId: r.pair_id,
    applicationId: r.application_id,
    notBefore: new Date(r.not_before),
    notAfter: new Date(r.not_after),
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    revocationReason: r.revocation_reason,
  };
}

/**
 * Certificates of organizations' employees not revoked and not expired at `at`, as an SQL
 * subquery `(subject_bin, subject_iin, serial, issuer)`, for set-based work in other features
 * (signatures' compliance rule joins it to employment records in one statement). A certificate
 * on hold counts as unrevoked only if `revoked_at` is null (on hold is a revocation in progress).
 */
export function unrevokedEmployeeCertificatesAt(at: Date): RawBuilder<{ subject_bin: string; subject_iin: string; serial: string; issuer: string }> {
  return sql`(select c.subject_bin, c.subject_iin, c.serial, c.issuer from certificates c
    where c.subject_bin is not null and c.subject_iin is not null and c.revoked_at is null and c.not_after > ${at}::timestamptz)`;
}

/**
 * The CA's read side of issued certificates by holder, for other features (signatures: an
 * organization's employees, a holder's own certificates). They ask here, never the table.
 */
export class CertificateHoldings {
  constructor(private readonly db: Kysely<DB>, private readonly readDb: Kysely<DB> = db) {}

  /** Certificates naming the person (and, when given, the organization), newest first. Pass a transaction to read inside it. */
  async of(iin: string, options: { bin?: string | null; executor?: Executor } = {}): Promise<HeldCertificate[]> {
    let q = (options.executor ?? this.readDb).selectFrom('certificates').select(COLUMNS).where('subject_iin', '=', iin);
    if (options.bin !== undefined) q = options.bin === null ? q.where('subject_bin', 'is', null) : q.where('subject_bin', '=', options.bin);
    const rows = await q.orderBy('not_before', 'desc').orderBy('serial').execute();
    return rows.map(toHeld);
  }

  /** When each of these serials of one issuer (by its CA name) was revoked, for those that were (hold included). */
  async revokedAmong(issuerName: string, serials: string[]): Promise<Map<string, Date>> {
    const rows = await statusOfSerials(this.readDb, issuerName, serials);
    return new Map(rows.filter((r) => r.revoked_at).map((r) => [r.serial, new Date(r.revoked_at!)]));
  }

  /** Certificates not revoked for good (good or on hold) and not expired at `at`. */
  async unrevokedOf(iin: string, bin: string | null, executor: Executor = this.db, at = new Date()): Promise<HeldCertificate[]> {
    return (await this.of(iin, { bin, executor })).filter((c) => (c.revokedAt === null || c.revocationReason === 'certificateHold') && c.notAfter > at);
  }

  /** Unrevoked, unexpired certificates of an organization's employees named by IIN, set-based (staff sync). */
  async unrevokedOfOrganization(bin: string, iins: string[], executor: Executor = this.db, at = new Date()): Promise<HeldCertificate[]> {
    const rows = await executor
      .selectFrom('certificates')
      .select(COLUMNS)
      .where(sql<boolean>`subject_iin = any(${iins}::text[])`)
      .where('subject_bin', '=', bin)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revocation_reason', '=', 'certificateHold')]))
      .where('not_after', '>', at)
      .orderBy('serial')
      .execute();
    return rows.map(toHeld);
  }

  /** One certificate with its DER, or null. */
  async bySerial(issuer: string, serial: string): Promise<(HeldCertificate & { der: Buffer }) | null> {
    const row = await this.db
      .selectFrom('certificates')
      .select([...COLUMNS, 'der'])
      .where('issuer', '=', issuer)
      .where('serial', '=', serial)
      .executeTakeFirst();
    return row ? { ...toHeld(row), der: Buffer.from(row.der) } : null;
  }
}
