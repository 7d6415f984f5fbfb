import type * as pkijs from 'pkijs';
import { pkijs as pki } from '../../../pkix/pkijs-engine.js';
import { buildCertificateTemplate, type CertificateRequestFacts, type CertificateTemplate, type IssuerFacts } from '../issuance/certificate-template.js';
import { keyIdentifierOf } from '../issuance/extensions.js';
import { serialHex } from '../issuance/tbs-certificate.js';
import { assertLintClean, lintCertificate } from '../lint.js';
import type { KeySigner } from '../../../pkix/key-signer.js';
import { signCertificate } from './certificate-signer.js';
import type { CaEntity } from './hierarchy.js';
import { bufferSource } from '../../../der/bytes.js';

export interface SignedCertificate extends Omit<CertificateTemplate, 'certificate'> {
  der: Buffer;
  serial: string;
  issuer: string;
  profile: string;
}

const issuerCache = new WeakMap<CaEntity, { facts: IssuerFacts; certificate: pkijs.Certificate }>();

/** The facts a certificate states about its issuer, read once from the issuer's own certificate. */
export function issuerFactsOf(entity: CaEntity): { facts: IssuerFacts; certificate: pkijs.Certificate } {
  let cached = issuerCache.get(entity);
  if (!cached) {
    const certificate = pki.Certificate.fromBER(bufferSource(entity.der));
    cached = {
      certificate,
      facts: {
        name: entity.name,
        subject: certificate.subject,
        keyIdentifier: keyIdentifierOf(new Uint8Array(certificate.subjectPublicKeyInfo.toSchema().toBER(false))),
        algorithm: entity.signer.algorithm,
        notBefore: certificate.notBefore.value,
        notAfter: certificate.notAfter.value,
      },
    };
    issuerCache.set(entity, cached);
  }
  return cached;
}

/**
 * Builds, lints and signs. The lint runs on the exact TBSCertificate the key will
 * sign, so nothing that fails it ever reaches the KeySigner.
 */
export async function signWithProfile(
  request: CertificateRequestFacts,
  issuer: { entity: CaEntity } | { selfSigned: KeySigner },
  publicUrl: string,
  now = new Date(),
): Promise<SignedCertificate> {
  const issuerInfo = 'entity' in issuer ? issuerFactsOf(issuer.entity) : null;
  const template = buildCertificateTemplate(request, issuerInfo?.facts ?? null, publicUrl, now);
  assertLintClean(lintCertificate(template.certificate, { profile: request.profile, issuer: issuerInfo?.certificate ?? null }));
  const signer = 'entity' in issuer ? issuer.entity.signer : issuer.selfSigned;
  const der = await signCertificate(template.certificate, signer);
  const { certificate: _unused, ...facts } = template;
  return { ...facts, der, serial: serialHex(template.certificate), issuer: 'entity' in issuer ? issuer.entity.name : '', profile: request.profile.name };
}
