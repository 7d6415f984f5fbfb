import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { CertificateHoldings, HeldCertificate } from '../ca/index.js';
import { normalizeSerial, revokeCertificates } from '../ca/index.js';
import type { HeldCertificateViewType } from './holder.schema.js';

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

  async certificates(iin: string): Promise<HeldCertificateViewType[]> {
    const now = new Date();
    return (await this.holdings.of(iin)).map((c) => presentHeld(c, now));
  }

  /** An employee's certificates of one organization (for its HR). */
  async organizationCertificates(bin: string, iin: string): Promise<HeldCertificateViewType[]> {
    const now = new Date();
    return (await this.holdings.of(iin, { bin })).map((c) => presentHeld(c, now));
  }

  async reportLost(iin: string, serialText: string, invalidityDate: Date | null) {
    const serial = normalizeSerial(serialText);
    const own = (await this.holdings.of(iin)).find((c) => c.serial === serial);
    // Someone else's serial looks the same as an unknown one: no probing of others' certificates.
    if (!own) throw AppError.notFound('CERTIFICATE_NOT_FOUND', `You hold no certificate with serial ${serial}`);
    if (own.revokedAt && own.revocationReason !== 'certificateHold') {
      throw AppError.conflict('ALREADY_REVOKED', `Certificate ${serial} is already revoked (${own.revocationReason})`);
    }
    const revoked = await revokeCertificates(this.db, { issuer: own.issuer, serials: [serial], reason: 'keyCompromise', invalidityDate, includePair: true, actor: 'holder' });
    return {
      revoked: revoked.map((r) => ({ issuer: r.issuer, serial: r.serial, reason: r.reason, revokedAt: r.revokedAt.toISOString() })),
      next: own.subjectBin
        ? `Ask the HR of ${own.subjectBin} to request a new pair for you (POST /v1/orgs/${own.subjectBin}/employees/{iin}/certificates)`
        : 'Apply for a new pair: POST /v1/pki/applications',
    };
  }

  async uses(iin: string, options: { serial?: string; limit?: number }) {
    const reader = this.usage();
    if (!reader) return { items: [], recorded: false };
    const serial = options.serial ? normalizeSerial(options.serial) : undefined;
    const limit = options.limit ?? 100;
    // The usage side reads by holder; one certificate's uses are taken from the holder's latest 500.
    const items = await reader.usesOf(iin, serial ? Math.max(limit, 500) : limit);
    return { items: (serial ? items.filter((u) => u.certificateSerial === serial) : items).slice(0, limit), recorded: true };
  }
}
