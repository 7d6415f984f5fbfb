import { createHash } from 'node:crypto';
import { DerError, children, oidOf, onlyChild, readOne } from '../../../der/reader.js';
import { TAG, explicitTag } from '../../../der/writer.js';
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
    const certificate = readOne(der, TAG.SEQUENCE);
    const [tbs] = children(certificate);
    if (tbs?.tag !== TAG.SEQUENCE) throw new DerError('TBSCertificate is not a SEQUENCE');
    const fields = children(tbs);
    let i = fields[0]?.tag === explicitTag(0) ? 1 : 0;
    i += 4; // serialNumber, signature, issuer, validity
    const subject = fields[i++];
    const spki = fields[i++];
    if (!subject || !spki || subject.tag !== TAG.SEQUENCE || spki.tag !== TAG.SEQUENCE) throw new DerError('TBSCertificate is incomplete');
    const [, keyBits] = children(spki);
    if (!keyBits || keyBits.tag !== TAG.BIT_STRING) throw new DerError('subjectPublicKey is not a BIT STRING');
    const subjectPublicKey = keyBits.value.subarray(1);
    let keyIdentifier: Buffer | undefined;
    const extensionsField = fields.slice(i).find((f) => f.tag === explicitTag(3));
    if (extensionsField) {
      for (const extension of children(onlyChild(extensionsField, TAG.SEQUENCE))) {
        const [oid, ...rest] = children(extension);
        if (oidOf(oid) !== id_ce_subjectKeyIdentifier) continue;
        // extnValue OCTET STRING wraps the DER of KeyIdentifier ::= OCTET STRING.
        keyIdentifier = Buffer.from(readOne(rest[rest.length - 1].value, TAG.OCTET_STRING).value);
      }
    }
    return {
      subject: Buffer.from(subject.der),
      subjectPublicKeyInfo: Buffer.from(spki.der),
      subjectPublicKey: Buffer.from(subjectPublicKey),
      keyIdentifier: keyIdentifier ?? createHash('sha1').update(subjectPublicKey).digest(),
    };
  } catch (err) {
    if (err instanceof DerError) throw new DerError(`Not a certificate: ${err.message}`);
    throw err;
  }
}
