import type * as pkijs from 'pkijs';
import { AppError } from '../../../errors/app-error.js';
import { keyAlgorithmOf } from '../lint.js';
import type { KeyAlgorithm } from '../../../pkix/key-signer.js';
import { personSubject, profileExtensions, serviceSubject, type EmployeeRole, type PersonSubject, type Profile, type ProofingMethod } from '../profiles.js';
import { keyIdentifierOf } from './extensions.js';
import { buildName, formatName, type NameAttribute } from '../../../pkix/names.js';
import { buildTbsCertificate, newSerialNumber } from './tbs-certificate.js';
import { pkijs as pki } from '../../../pkix/pkijs-engine.js';
import { bufferSource } from '../../../der/bytes.js';

/** What a certificate will say about its issuer. */
export interface IssuerFacts {
  /** Entity name, which names its CRL and certificate URLs. */
  name: string;
  subject: pkijs.RelativeDistinguishedNames;
  keyIdentifier: Uint8Array;
  algorithm: KeyAlgorithm;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateRequestFacts {
  profile: Profile;
  /** Person profiles. */
  person?: PersonSubject;
  /** Service and CA profiles. */
  commonName?: string;
  subjectPublicKeyInfo: Uint8Array;
  notBefore?: Date;
  validityDays?: number;
  employeeRoles?: EmployeeRole[];
  proofing?: ProofingMethod;
  serialNumber?: Uint8Array;
}

export interface CertificateTemplate {
  certificate: pkijs.Certificate;
  subject: NameAttribute[];
  subjectDn: string;
  notBefore: Date;
  notAfter: Date;
  subjectKey: KeyAlgorithm;
}

/** Clocks of relying parties run a little behind; a certificate is valid from a few minutes ago. */
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Builds the to-be-signed certificate for a profile: a pure function of the request,
 * the issuer and the public URL. `issuer` is null for a self-signed root.
 */
export function buildCertificateTemplate(request: CertificateRequestFacts, issuer: IssuerFacts | null, publicUrl: string, now = new Date()): CertificateTemplate {
  const { profile } = request;
  const spki = pki.PublicKeyInfo.fromBER(bufferSource(request.subjectPublicKeyInfo));
  const key = keyAlgorithmOf(spki);
  if ('problem' in key) throw AppError.unprocessable(key.problem.code, key.problem.message);

  let subject: NameAttribute[];
  if (profile.holder === 'individual' || profile.holder === 'employee') {
    if (!request.person) throw AppError.unprocessable('SUBJECT_PERSON_MISSING', `The profile ${profile.name} needs the person's IIN and names`);
    subject = personSubject(profile.holder, request.person);
  } else {
    if (!request.commonName) throw AppError.unprocessable('SUBJECT_CN_MISSING', `The profile ${profile.name} needs a common name`);
    subject = serviceSubject(request.commonName);
  }
  const subjectName = buildName(subject);
  const subjectKeyId = keyIdentifierOf(request.subjectPublicKeyInfo);

  const earliest = issuer ? issuer.notBefore.getTime() : 0;
  const notBefore = request.notBefore ?? new Date(Math.max(Math.floor(now.getTime() / 1000) * 1000 - BACKDATE_MS, earliest));
  const notAfter = new Date(notBefore.getTime() + (request.validityDays ?? profile.validityDays) * DAY_MS);

  const certificate = buildTbsCertificate({
    serialNumber: request.serialNumber ?? newSerialNumber(),
    issuer: issuer ? issuer.subject : subjectName,
    subject: subjectName,
    notBefore,
    notAfter,
    subjectPublicKeyInfo: request.subjectPublicKeyInfo,
    signatureAlgorithm: issuer ? issuer.algorithm : key.algorithm,
    extensions: profileExtensions(profile, {
      publicUrl,
      issuerName: issuer?.name ?? '',
      issuerKeyId: issuer ? issuer.keyIdentifier : subjectKeyId,
      subjectKeyId,
      subjectKey: key.algorithm,
      employeeRoles: request.employeeRoles,
      proofing: request.proofing,
    }),
  });
  return { certificate, subject, subjectDn: formatName(subject), notBefore, notAfter, subjectKey: key.algorithm };
}
