import { createHash } from 'node:crypto';
import { DerError, TAG, children, contents, decodeOid, expectTlv, explicitTag, readTlv, slice, type Tlv } from '../../../der/tlv.js';
import { id_ce_subjectKeyIdentifier } from '../../../pkix/oids.js';

/** The parts of a CA certificate that CRLs and OCSP responses repeat or hash. */
export interface CertificateParts {
  /** The subject Name, exactly as encoded (a CRL's issuer must be these bytes). */
  subject: Buffer;
  /** SubjectPublicKeyInfo, as encoded. */
  subjectPublicKeyInfo: Buffer;
  /** The subjectPublicKey BIT STRING's value without its unused-bits octet (what OCSP's issuerKeyHash hashes). */
  subjectPublicKey: Buffer;
  /** The subjectKeyIdentifier extension's key identifier, or SHA-1 of subjectPublicKey when absent (RFC 5280 4.2.1.2 method 1). */
  keyIdentifier: Buffer;
}

/*
 * Certificate  ::=  SEQUENCE  {
 *      tbsCertificate       TBSCertificate,
 *      signatureAlgorithm   AlgorithmIdentifier,
 *      signatureValue       BIT STRING  }
 *
 * TBSCertificate  ::=  SEQUENCE  {
 *      version         [0]  EXPLICIT Version DEFAULT v1,
 *      serialNumber         CertificateSerialNumber,
 *      signature            AlgorithmIdentifier,
 *      issuer               Name,
 *      validity             Validity,
 *      subject              Name,
 *      subjectPublicKeyInfo SubjectPublicKeyInfo,
 *      issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
 *      subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
 *      extensions      [3]  EXPLICIT Extensions OPTIONAL }
 */
export function certificateParts(der: Uint8Array): CertificateParts {
  try {
    const certificate = expectTlv(der, 0, TAG.SEQUENCE, der.length, 'Certificate');
    const tbs = expectTlv(der, certificate.contentStart, TAG.SEQUENCE, certificate.end, 'TBSCertificate');
    const fields = children(der, tbs);
    let i = fields[0]?.tag === explicitTag(0) ? 1 : 0;
    i += 4; // serialNumber, signature, issuer, validity
    const subject = fields[i++];
    const spki = fields[i++];
    if (!subject || !spki || subject.tag !== TAG.SEQUENCE || spki.tag !== TAG.SEQUENCE) throw new DerError('TBSCertificate is incomplete');
    const [, keyBits] = children(der, spki);
    if (!keyBits || keyBits.tag !== TAG.BIT_STRING) throw new DerError('subjectPublicKey is not a BIT STRING');
    const subjectPublicKey = contents(der, keyBits).subarray(1);
    let keyIdentifier: Buffer | undefined;
    const extensionsField = fields.slice(i).find((f) => f.tag === explicitTag(3));
    if (extensionsField) {
      const list = readTlv(der, extensionsField.contentStart, extensionsField.end);
      for (const extension of children(der, list)) {
        const [oid, ...rest] = children(der, extension);
        if (decodeOid(der, oid) !== id_ce_subjectKeyIdentifier) continue;
        const value: Tlv = rest[rest.length - 1];
        const inner = readTlv(der, value.contentStart, value.end);
        keyIdentifier = Buffer.from(contents(der, inner));
      }
    }
    return {
      subject: Buffer.from(slice(der, subject)),
      subjectPublicKeyInfo: Buffer.from(slice(der, spki)),
      subjectPublicKey: Buffer.from(subjectPublicKey),
      keyIdentifier: keyIdentifier ?? createHash('sha1').update(subjectPublicKey).digest(),
    };
  } catch (err) {
    if (err instanceof DerError) throw new DerError(`Not a certificate: ${err.message}`);
    throw err;
  }
}
