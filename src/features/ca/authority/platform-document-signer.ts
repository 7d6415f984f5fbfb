import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { id_data } from '../../../pkix/oids.js';
import { buildSignedData, signingTimeAttribute } from '../../../pkix/signed-data.js';
import { WebCryptoSigner } from '../../../pkix/webcrypto-signer.js';
import { IssuedCertificatesRepository } from '../issuance/certificates.repository.js';
import { PROFILES } from '../profiles.js';
import { signWithProfile } from './certificate-authority.js';
import type { CaHierarchy } from './hierarchy.js';

/** Signs documents the platform itself vouches for (a certificate of completion) as CMS SignedData. */
export type PlatformDocumentSigner = (content: Uint8Array) => Promise<Buffer>;

/**
 * A document signer for the platform, with a certificate the issuing CA signs under the
 * platform-sign profile. The key is made in memory and never written anywhere: each process
 * gets its own certificate on first use, recorded in the certificates table like every other,
 * so verifiers find its status there (and through OCSP and the CRL), and revoking it is the
 * usual revocation. Documents carry the certificate and the issuing CA's, so `openssl cms
 * -verify` needs only the root.
 */
export function platformDocumentSigner(db: Kysely<DB>, hierarchy: CaHierarchy, publicUrl: string, commonName: string): PlatformDocumentSigner {
  let ready: Promise<{ signer: WebCryptoSigner; der: Buffer }> | undefined;
  const issue = async () => {
    const signer = await WebCryptoSigner.generate('ECDSA-P256');
    const certificate = await signWithProfile(
      { profile: PROFILES['platform-sign'], commonName, subjectPublicKeyInfo: await signer.publicKeySpki() },
      { entity: hierarchy.issuing },
      publicUrl,
    );
    await new IssuedCertificatesRepository(db).insert([
      {
        serial: certificate.serial,
        issuer: certificate.issuer,
        profile: certificate.profile,
        subject_iin: null,
        subject_bin: null,
        subject_dn: certificate.subjectDn,
        not_before: certificate.notBefore,
        not_after: certificate.notAfter,
        der: certificate.der,
        pair_id: null,
        application_id: null,
      },
    ]);
    return { signer, der: certificate.der };
  };
  return async (content) => {
    ready ??= issue().catch((err) => {
      ready = undefined;
      throw err;
    });
    const { signer, der } = await ready;
    return buildSignedData({
      contentType: id_data,
      content,
      signer,
      signerCertificate: der,
      chain: [hierarchy.issuing.der],
      extraSignedAttributes: [signingTimeAttribute(new Date())],
    });
  };
}
