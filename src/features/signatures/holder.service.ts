import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { CertificateHoldings, HeldCertificate } from '../ca/index.js';
import { normalizeSerial, revokeCertificates } from '../ca/index.js';
import type { HeldCertificateViewType } from './holder.schema.js';
import { personalSessionRequired } from '../../errors/personal-session.js';

/**
 * Which of a person's certificates a session may see and manage: all of them for a session opened
 * with an individual certificate; only its organization's for one opened with an employee
 * certificate (`bin`), which acts for the organization, never for the person's own affairs.
 */
export interface HolderScope {
  iin: string;
  bin: string | null;
}

const DAY = 86_400_000;

/** Where a holder's certificates were used, as the usage side of signatures/ records it. */
export interface UsageReader {
  usesOf(iin: string, limit?: number): Promise<
    { occurredAt: string; certificateSerial: string; purpose: string; outcome: string; deviceId: string | null; clientIp: string | null; organizationBin: string | null }[]
  >;
}

export function presentHeld(c: HeldCertificate, now = new Date()): HeldCertificateViewType {
  const status = c.revokedAt ? (c.revocationReason === 'certificateHold' ? 'on-hold' : 'revoked') : c.notAfter <= now ? 'expired' : 'good';
  return {
    kind: c.profile.endsWith('-auth') ? 'auth' : 'sign',
    issuer: c.issuer,
    serial: c.serial,
    profile: c.profile,
    organizationBin: c.subjectBin,
    pairId: c.pairId,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    daysLeft: Math.max(0, Math.floor((c.notAfter.getTime() - now.getTime()) / DAY)),
    status,
    revokedAt: c.revokedAt ? c.revokedAt.toISOString() : null,
    revocationReason: c.revocationReason,
  };
}

/**
 * Holder self-service: the certificates naming the signed-in person, with when they expire;
 * revoking a lost one (keyCompromise, with its pair); where they were used.
 */
export class HolderService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly holdings: CertificateHoldings,
    private readonly usage: () => UsageReader | undefined,
  ) {}

  async certificates(holder: HolderScope): Promise<HeldCertificateViewType[]> {
    const now = new Date();
    return (await this.holdings.of(holder.iin, holder.bin ? { bin: holder.bin } : {})).map((c) => presentHeld(c, now));
  }

  /** An employee's certificates of one organization (for its HR). */
  async organizationCertificates(bin: string, iin: string): Promise<HeldCertificateViewType[]> {
    const now = new Date();
    return (await this.holdings.of(iin, { bin })).map((c) => presentHeld(c, now));
  }

  async reportLost(holder: HolderScope, serialText: string, invalidityDate: Date | null) {
    const serial = normalizeSerial(serialText);
    const own = (await this.holdings.of(holder.iin)).find((c) => c.serial === serial);
    // Someone else's serial looks the same as an unknown one: no probing of others' certificates.
    if (!own || (holder.bin && own.subjectBin && own.subjectBin !== holder.bin)) throw AppError.notFound('CERTIFICATE_NOT_FOUND', `You hold no certificate with serial ${serial}`);
    if (holder.bin && own.subjectBin === null) throw personalSessionRequired('revoke your personal certificates');
    if (own.revokedAt && own.revocationReason !== 'certificateHold') {
      throw AppError.conflict('ALREADY_REVOKED', `Certificate ${serial} is already revoked (${own.revocationReason})`);
    }
    const revoked = await revokeCertificates(this.db, { issuer: own.issuer, serials: [serial], reason: 'keyCompromise', invalidityDate, includePair: true, actor: 'holder' });
    return {
      revoked: revoked.map((r) => ({ issuer: r.issuer, serial: r.serial, reason: r.reason, revokedAt: r.revokedAt.toISOString() })),
      next: own.subjectBin
        ? `Ask the HR of ${own.subjectBin} to authorize a new pair for you, then apply with keys made on your own machine: ` +
          `qorgau keygen request --bin ${own.subjectBin} --signed-with <your individual auth.p12> --url <server>`
        : 'Apply for a new pair: POST /v1/pki/applications',
    };
  }

  async uses(holder: HolderScope, options: { serial?: string; limit?: number }) {
    const reader = this.usage();
    if (!reader) return { items: [], recorded: false };
    const serial = options.serial ? normalizeSerial(options.serial) : undefined;
    const limit = options.limit ?? 100;
    // The usage side reads by holder; one certificate's (or one organization's) uses are taken from the holder's latest 500.
    const items = await reader.usesOf(holder.iin, serial || holder.bin ? Math.max(limit, 500) : limit);
    const kept = items.filter((u) => (!serial || u.certificateSerial === serial) && (!holder.bin || u.organizationBin === holder.bin));
    return { items: kept.slice(0, limit), recorded: true };
  }
}
