import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { bufferSource } from '../../../der/bytes.js';
import { nameAttributes, formatName } from '../../../pkix/names.js';
import { pkijs as pki } from '../../../pkix/pkijs-engine.js';
import { serialHex } from '../issuance/tbs-certificate.js';
import { IssuedCertificatesRepository } from '../issuance/certificates.repository.js';
import type { CaHierarchy, CaEntity } from './hierarchy.js';

/**
 * Records the CA-side certificates the hierarchy issued itself (the issuing CA under
 * the root; the OCSP signer and the TSA under the issuing CA) in the certificates
 * table, so that revocation, CRLs and OCSP know them like any other certificate: a
 * relying party asking OCSP about the TSA certificate gets "good", not "unknown".
 * Idempotent: run at every start.
 */
export async function recordHierarchyCertificates(db: Kysely<DB>, hierarchy: CaHierarchy): Promise<void> {
  const row = (entity: CaEntity, issuer: CaEntity, profile: string) => {
    const certificate = pki.Certificate.fromBER(bufferSource(entity.der));
    return {
      serial: serialHex(certificate),
      issuer: issuer.name,
      profile,
      subject_iin: null,
      subject_bin: null,
      subject_dn: formatName(nameAttributes(certificate.subject)),
      not_before: certificate.notBefore.value,
      not_after: certificate.notAfter.value,
      der: entity.der,
      pair_id: null,
      application_id: null,
    };
  };
  await new IssuedCertificatesRepository(db).insertIfAbsent([
    row(hierarchy.issuing, hierarchy.root, 'issuing-ca'),
    row(hierarchy.ocspSigner, hierarchy.issuing, 'ocsp-signer'),
    row(hierarchy.tsa, hierarchy.issuing, 'tsa'),
  ]);
}
