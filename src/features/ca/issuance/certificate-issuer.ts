import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import { signWithProfile, type SignedCertificate } from '../authority/certificate-authority.js';
import type { CaHierarchy } from '../authority/hierarchy.js';
import { PROFILES, type EmployeeRole, type PersonSubject, type ProofingMethod } from '../profiles.js';
import { IssuedCertificatesRepository } from './certificates.repository.js';

export interface PairRequest {
  holder: 'individual' | 'employee';
  person: PersonSubject;
  /** DER SubjectPublicKeyInfo of the AUTH and the SIGN key (two keys: one per purpose). */
  authKey: Uint8Array;
  signKey: Uint8Array;
  proofing: ProofingMethod;
  employeeRoles?: EmployeeRole[];
  applicationId?: string;
  validityDays?: number;
}

export interface IssuedPair {
  pairId: string;
  auth: SignedCertificate;
  sign: SignedCertificate;
}

/**
 * The command that issues a person's AUTH and SIGN certificates as a pair: both are
 * built, linted and signed first, then stored together under one pair id, so a
 * failure leaves neither.
 */
export class CertificateIssuer {
  private readonly repository: IssuedCertificatesRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly hierarchy: CaHierarchy,
    private readonly publicUrl: string,
  ) {
    this.repository = new IssuedCertificatesRepository(db);
  }

  async issuePair(request: PairRequest, trx?: Transaction<DB>): Promise<IssuedPair> {
    const issuer = { entity: this.hierarchy.issuing };
    const common = { person: request.person, proofing: request.proofing, employeeRoles: request.employeeRoles, validityDays: request.validityDays };
    const now = new Date();
    const auth = await signWithProfile({ ...common, profile: PROFILES[`${request.holder}-auth`], subjectPublicKeyInfo: request.authKey }, issuer, this.publicUrl, now);
    const sign = await signWithProfile({ ...common, profile: PROFILES[`${request.holder}-sign`], subjectPublicKeyInfo: request.signKey }, issuer, this.publicUrl, now);
    const pairId = randomUUID();
    const row = (c: SignedCertificate) => ({
      serial: c.serial,
      issuer: c.issuer,
      profile: c.profile,
      subject_iin: request.person.iin,
      subject_bin: request.holder === 'employee' ? (request.person.bin ?? null) : null,
      subject_dn: c.subjectDn,
      not_before: c.notBefore,
      not_after: c.notAfter,
      der: c.der,
      pair_id: pairId,
      application_id: request.applicationId ?? null,
    });
    await this.repository.insert([row(auth), row(sign)], trx ?? this.db);
    return { pairId, auth, sign };
  }
}
