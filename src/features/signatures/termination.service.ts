import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { revokeCertificates, type RevokedCertificate } from '../ca/index.js';
import type { CertificateHoldings, HeldCertificate } from '../ca/index.js';
import type { TerminationViewType } from './employees.schema.js';
import { EmploymentsRepository } from './employments.repository.js';

export interface Terminated {
  iin: string;
  endedAt: Date;
  revoked: RevokedCertificate[];
}

/** Revokes, inside the caller's transaction, every certificate given, grouped by issuer. */
async function revokeAll(trx: Transaction<DB>, certificates: HeldCertificate[], actor: string): Promise<RevokedCertificate[]> {
  const byIssuer = new Map<string, string[]>();
  for (const c of certificates) byIssuer.set(c.issuer, [...(byIssuer.get(c.issuer) ?? []), c.serial]);
  const revoked: RevokedCertificate[] = [];
  for (const [issuer, serials] of byIssuer) {
    // Pair partners are among the certificates named here whenever they are still unrevoked.
    revoked.push(...(await revokeCertificates(trx, { issuer, serials, reason: 'affiliationChanged', includePair: true, actor })));
  }
  return revoked;
}

export function presentTermination(bin: string, t: Terminated): TerminationViewType {
  return {
    bin,
    iin: t.iin,
    endedAt: t.endedAt.toISOString(),
    revoked: t.revoked.map((r) => ({ issuer: r.issuer, serial: r.serial, reason: r.reason, revokedAt: r.revokedAt.toISOString() })),
  };
}

/**
 * employeeTerminator: ends employments and revokes the employees' certificates of that
 * organization (reason affiliationChanged) in one transaction, so there is never an ended
 * employment with a certificate the organization forgot, nor a revocation without its cause.
 * The revoker NOTIFYs the OCSP status caches on commit.
 */
export class TerminationService {
  private readonly employments: EmploymentsRepository;

  constructor(private readonly db: Kysely<DB>, private readonly holdings: CertificateHoldings) {
    this.employments = new EmploymentsRepository(db);
  }

  async terminate(bin: string, iin: string, options: { reason?: string; actor: string }): Promise<Terminated> {
    return this.db.transaction().execute(async (trx) => {
      const now = new Date();
      const ended = await this.employments.end(trx, bin, iin, { at: now, reason: options.reason ?? 'terminated', actor: options.actor });
      if (ended.length === 0) {
        const ever = await this.employments.latest(bin, iin, { executor: trx });
        if (ever?.ended_at) throw AppError.conflict('EMPLOYMENT_ALREADY_ENDED', `The employment of ${iin} at ${bin} already ended ${new Date(ever.ended_at).toISOString()}`);
        throw AppError.notFound('EMPLOYEE_NOT_EMPLOYED', `${iin} is not employed by ${bin}`);
      }
      const revoked = await revokeAll(trx, await this.holdings.unrevokedOf(iin, bin, trx, now), `employee-termination:${bin}:${options.actor}`);
      return { iin, endedAt: now, revoked };
    });
  }

  /** Who is currently employed in `bin` and not in `keep`: those a confirmed staff sync would terminate. */
  async wouldTerminate(bin: string, keep: string[]): Promise<{ iin: string; position: string }[]> {
    return this.employments.inForceNotListed(bin, keep, new Date());
  }

  /**
   * Ends, in one transaction, the current employment of everyone in `bin` whose IIN is not
   * in `keep`, and revokes their certificates of that organization, set-based.
   */
  async terminateAllBut(bin: string, keep: string[], options: { actor: string; reason?: string; expected?: number }): Promise<Terminated[]> {
    return this.db.transaction().execute(async (trx) => {
      const now = new Date();
      const ended = await this.employments.endAllBut(trx, bin, keep, { at: now, reason: options.reason ?? 'absent from the staff list', actor: options.actor });
      const iins = [...new Set(ended)].sort();
      // The HR system confirms what its dry run showed; if the staff changed meanwhile, nothing is done.
      if (options.expected !== undefined && options.expected !== iins.length) {
        throw AppError.conflict('STAFF_SYNC_CHANGED', `The sync would now terminate ${iins.length} employees, not the ${options.expected} expected: run the dry run again`, { wouldTerminate: iins.length });
      }
      const certificates = iins.length ? await this.holdings.unrevokedOfOrganization(bin, iins, trx, now) : [];
      const revoked = certificates.length ? await revokeAll(trx, certificates, `staff-sync:${bin}:${options.actor}`) : [];
      const ownerOf = new Map(certificates.map((c) => [`${c.issuer}/${c.serial}`, c.subjectIin]));
      const byIin = new Map<string, RevokedCertificate[]>();
      for (const r of revoked) {
        const owner = ownerOf.get(`${r.issuer}/${r.serial}`);
        if (owner) byIin.set(owner, [...(byIin.get(owner) ?? []), r]);
      }
      return iins.map((iin) => ({ iin, endedAt: now, revoked: byIin.get(iin) ?? [] }));
    });
  }
}
