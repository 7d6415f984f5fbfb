import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificate, toArrayBuffer } from './certificate.js';
import type { OpenedKey } from './keyfile.js';

const id_data = '1.2.840.113549.1.7.1';
const id_signedData = '1.2.840.113549.1.7.2';
const id_contentType = '1.2.840.113549.1.9.3';
const id_messageDigest = '1.2.840.113549.1.9.4';
const id_signingTime = '1.2.840.113549.1.9.5';
const id_aa_signingCertificateV2 = '1.2.840.113549.1.9.16.2.47';
const id_sha256 = '2.16.840.1.101.3.4.2.1';

/*
 * RFC 5035: SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, ... }
 * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT id-sha256, certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
 * IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
 */
function signingCertificateV2(certificate: pkijs.Certificate, certHash: ArrayBuffer): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [certificate.issuer.toSchema()] })] }),
      certificate.serialNumber,
    ],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certHash }), issuerSerial] })] })] });
}

/**
 * CMS SignedData over `content`, attached, made the way the server and the national CA's
 * clients make it: SHA-256, content-type, message-digest, signing-time and ESS
 * signing-certificate-v2 attributes, the signer's certificate and its issuing CA included.
 */
export async function signCms(key: OpenedKey, content: Uint8Array): Promise<Uint8Array> {
  const certificate = parseCertificate(key.certificate);
  const chain = key.chain.map(parseCertificate).filter((c) => !c.subject.isEqual(c.issuer));
  const digest = await crypto.subtle.digest('SHA-256', toArrayBuffer(content));
  const certHash = await crypto.subtle.digest('SHA-256', toArrayBuffer(key.certificate));
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: [
        new pkijs.Attribute({ type: id_contentType, values: [new asn1js.ObjectIdentifier({ value: id_data })] }),
        new pkijs.Attribute({ type: id_messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
        new pkijs.Attribute({ type: id_aa_signingCertificateV2, values: [signingCertificateV2(certificate, certHash)] }),
        new pkijs.Attribute({ type: id_signingTime, values: [new asn1js.UTCTime({ valueDate: new Date() })] }),
      ],
    }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: id_sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: id_data, eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(content) }) }),
    signerInfos: [signerInfo],
    certificates: [certificate, ...chain],
  });
  await signedData.sign(key.privateKey, 0, 'SHA-256');
  const contentInfo = new pkijs.ContentInfo({ contentType: id_signedData, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
