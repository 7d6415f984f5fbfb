import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { ExtendedKeyUsageExtension, X509Certificate } from '@peculiar/x509';
import type { CaEntity } from '../authority/hierarchy.js';
import { id_kp_OCSPSigning, id_pkix_ocsp_basic, id_sha1, id_sha256, id_sha384, id_sha512 } from '../../../pkix/oids.js';
import { certificateParts } from './certificate-parts.js';
import type { CertificateStatus, CertificateStatusSource } from './certificate-status.js';
import { reasonCode } from '../../../pkix/crl-reason.js';
import { TAG, bitString, enumerated, explicit, generalizedTime, nullValue as derNull, objectIdentifier, octetString, sequence, tlv } from '../../../der/writer.js';
import { MalformedOcspRequest, parseOcspRequest, rfc5019Serial, type CertIdQuery } from './ocsp-request.js';
import { signatureAlgorithmOf } from './signature-algorithm.js';

/*
 * OCSPResponseStatus ::= ENUMERATED {
 *     successful            (0),  -- Response has valid confirmations
 *     malformedRequest      (1),  -- Illegal confirmation request
 *     internalError         (2),  -- Internal error in issuer
 *     tryLater              (3),  -- Try again later
 *                                 -- (4) is not used
 *     sigRequired           (5),  -- Must sign the request
 *     unauthorized          (6)   -- Request unauthorized
 * }
 */
export const OCSP_RESPONSE_STATUS = { successful: 0, malformedRequest: 1, internalError: 2, tryLater: 3, sigRequired: 5, unauthorized: 6 } as const;
export type OcspResponseStatus = keyof typeof OCSP_RESPONSE_STATUS;

export interface OcspAnswer {
  status: OcspResponseStatus;
  httpStatus: number;
  body: Buffer;
  /** Per certificate, for logs and tests. */
  certStatuses?: Array<'good' | 'revoked' | 'unknown'>;
  detail?: string;
  /** Set when the answer is a pre-signed one (no nonce): what HTTP caches need (RFC 5019 6). */
  presigned?: { thisUpdate: Date; nextUpdate: Date; etag: string };
}

/** Where pre-signed answers come from (ocsp-presigned.ts); the responder signs them for it. */
export interface PresignedAnswers {
  answerFor(serial: string, status: CertificateStatus): Promise<{ der: Buffer; thisUpdate: Date; nextUpdate: Date; etag: string }>;
  /** The answer held in memory, without waiting, when it states `status` and is fresh. */
  held?(serial: string, status: CertificateStatus): { der: Buffer; thisUpdate: Date; nextUpdate: Date; etag: string } | undefined;
}

/** OCSPResponse ::= SEQUENCE { responseStatus OCSPResponseStatus, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL } — without responseBytes. */
export function ocspErrorResponse(status: Exclude<OcspResponseStatus, 'successful'>): Buffer {
  return sequence(enumerated(OCSP_RESPONSE_STATUS[status]));
}

const HASHES: Record<string, string> = { [id_sha1]: 'sha1', [id_sha256]: 'sha256', [id_sha384]: 'sha384', [id_sha512]: 'sha512' };

export interface OcspResponderOptions {
  /** The CA whose certificates this responder answers for. */
  issuer: Pick<CaEntity, 'name' | 'der'>;
  /** The delegated responder: issued by `issuer`, with the id-kp-OCSPSigning EKU. */
  signer: Pick<CaEntity, 'der' | 'signer'>;
  status: CertificateStatusSource;
  /** When set, answers carry nextUpdate = thisUpdate + this; by default none, as status is read live (RFC 6960 4.2.2.1). */
  nextUpdateMs?: number;
}

/**
 * An RFC 6960 responder for one issuing CA. Everything but producedAt, the
 * SingleResponses, the nonce and the signature is encoded once, at start.
 */
export class OcspResponder {
  private readonly issuerHashes = new Map<string, { name: Buffer; key: Buffer }>();
  private readonly responderId: Buffer;
  private readonly signatureAlgorithm: Buffer;
  private readonly certs: Buffer;
  private readonly basicOid = objectIdentifier(id_pkix_ocsp_basic);
  /** The CertID of an RFC 5019 request for our issuer up to its serial: SHA-1 with NULL parameters, name hash, key hash. */
  private readonly sha1CertIdPrefix: Buffer;
  readonly issuerName: string;

  private constructor(private readonly options: OcspResponderOptions) {
    this.issuerName = options.issuer.name;
    const issuer = certificateParts(options.issuer.der);
    for (const [oid, hash] of Object.entries(HASHES)) {
      this.issuerHashes.set(oid, {
        name: createHash(hash).update(issuer.subject).digest(),
        key: createHash(hash).update(issuer.subjectPublicKey).digest(),
      });
    }
    const signer = certificateParts(options.signer.der);
    /*
     * ResponderID ::= CHOICE {
     *    byName   [1] Name,
     *    byKey    [2] KeyHash }
     * KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
     *                          -- (excluding the tag and length fields)
     */
    this.responderId = explicit(2, octetString(createHash('sha1').update(signer.subjectPublicKey).digest()));
    this.signatureAlgorithm = signatureAlgorithmOf(options.signer.signer.algorithm);
    this.certs = explicit(0, sequence(options.signer.der));
    const sha1 = this.issuerHashes.get(id_sha1)!;
    this.sha1CertIdPrefix = Buffer.concat([sequence(objectIdentifier(id_sha1), derNull()), octetString(sha1.name), octetString(sha1.key)]);
  }

  private presigned: PresignedAnswers | undefined;

  /** Requests without a nonce for one certificate are answered from `answers` from now on. */
  usePresigned(answers: PresignedAnswers): void {
    this.presigned = answers;
  }

    static async create(options: OcspResponderOptions): Promise<OcspResponder> {
    // A delegated responder is trusted only if the CA issued it for OCSP signing (RFC 6960 4.2.2.2).
    const signerCertificate = new X509Certificate(new Uint8Array(options.signer.der));
    const issuerCertificate = new X509Certificate(new Uint8Array(options.issuer.der));
    if (signerCertificate.issuer !== issuerCertificate.subject) throw new Error('The OCSP signer certificate is not issued by the CA it would answer for');
    const eku = signerCertificate.getExtension(ExtendedKeyUsageExtension);
    if (!eku || !eku.usages.map(String).includes(id_kp_OCSPSigning)) throw new Error('The OCSP signer certificate lacks the id-kp-OCSPSigning extended key usage');
    const spki = await options.signer.signer.publicKeySpki();
    if (!spki.equals(certificateParts(options.signer.der).subjectPublicKeyInfo)) throw new Error("The OCSP signer's key does not match its certificate");
    return new OcspResponder(options);
  }

  private isOurs(query: CertIdQuery): boolean {
    const ours = this.issuerHashes.get(query.hashAlgorithm);
    return !!ours && ours.name.equals(query.issuerNameHash) && ours.key.equals(query.issuerKeyHash);
  }

  /**
   * The answer to an RFC 5019 request (one SHA-1 CertID of our issuer, no nonce) when both its
   * status and its pre-signed answer are held in memory, without waiting for anything; else
   * undefined, and `respond` answers. What it gives is what `respond` would give for the same
   * bytes at this moment: the same status source, the same check that the answer states it.
   */
  respondHeld(der: Uint8Array): OcspAnswer | undefined {
    const presigned = this.presigned;
    const statusHeld = this.options.status.statusHeld;
    if (!presigned?.held || !statusHeld) return undefined;
    const serial = rfc5019Serial(der, this.sha1CertIdPrefix);
    if (serial === undefined) return undefined;
    const status = statusHeld.call(this.options.status, this.issuerName, serial);
    if (!status) return undefined;
    const answer = presigned.held(serial, status);
    if (!answer) return undefined;
    return {
      status: 'successful',
      httpStatus: 200,
      body: answer.der,
      certStatuses: [status.revokedAt ? 'revoked' : 'good'],
      presigned: { thisUpdate: answer.thisUpdate, nextUpdate: answer.nextUpdate, etag: answer.etag },
    };
  }

  async respond(der: Uint8Array): Promise<OcspAnswer> {
    let parsed;
    try {
      parsed = parseOcspRequest(der);
    } catch (err) {
      if (err instanceof MalformedOcspRequest) return { status: 'malformedRequest', httpStatus: 400, body: ocspErrorResponse('malformedRequest'), detail: err.message };
      throw err;
    }
    const ours = parsed.requests.map((q) => this.isOurs(q));
    // A responder that knows none of the issuers asked about cannot answer authoritatively (RFC 6960 2.3).
    if (!ours.some(Boolean)) return { status: 'unauthorized', httpStatus: 200, body: ocspErrorResponse('unauthorized'), detail: 'not an issuer this responder serves' };

    let statuses;
    try {
      statuses = await Promise.all(parsed.requests.map((q, i) => (ours[i] ? this.options.status.status(this.issuerName, q.serial) : null)));
    } catch {
      return { status: 'tryLater', httpStatus: 503, body: ocspErrorResponse('tryLater'), detail: 'certificate status is unavailable' };
    }

    // RFC 5019: no nonce, one certificate, the SHA-1 CertID every such client sends: a pre-signed answer.
    // Its CertID must be the very bytes asked, so anything else (SHA-256, absent NULL parameters) is signed here.
    const only = parsed.requests.length === 1 ? parsed.requests[0] : undefined;
    if (this.presigned && !parsed.nonceExtension && only && statuses[0] && only.certId.equals(this.sha1CertId(only.serial))) {
      try {
        const answer = await this.presigned.answerFor(only.serial, statuses[0]);
        return {
          status: 'successful',
          httpStatus: 200,
          body: answer.der,
          certStatuses: [statuses[0].revokedAt ? 'revoked' : 'good'],
          presigned: { thisUpdate: answer.thisUpdate, nextUpdate: answer.nextUpdate, etag: answer.etag },
        };
      } catch {
        // The store is unreachable: an answer signed here is as good, only dearer.
      }
    }

    const now = Date.now();
    const producedAt = generalizedTime(now);
    const thisUpdate = producedAt;
    const nextUpdate = this.options.nextUpdateMs ? explicit(0, generalizedTime(now + this.options.nextUpdateMs)) : Buffer.alloc(0);
    const certStatuses: Array<'good' | 'revoked' | 'unknown'> = [];
    const singles = parsed.requests.map((q, i) => {
      const found = statuses[i];
      /*
       * CertStatus ::= CHOICE {
       *     good        [0]     IMPLICIT NULL,
       *     revoked     [1]     IMPLICIT RevokedInfo,
       *     unknown     [2]     IMPLICIT UnknownInfo }
       * RevokedInfo ::= SEQUENCE {
       *     revocationTime              GeneralizedTime,
       *     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
       */
      let certStatus: Buffer;
      if (!found) {
        certStatus = Buffer.from([0x82, 0x00]);
        certStatuses.push('unknown');
      } else if (found.revokedAt) {
        const code = reasonCode(found.reason);
        certStatus = tlv(0xa1, generalizedTime(found.revokedAt.getTime()), code ? explicit(0, enumerated(code)) : Buffer.alloc(0));
        certStatuses.push('revoked');
      } else {
        certStatus = Buffer.from([0x80, 0x00]);
        certStatuses.push('good');
      }
      /*
       * SingleResponse ::= SEQUENCE {
       *    certID                       CertID,
       *    certStatus                   CertStatus,
       *    thisUpdate                   GeneralizedTime,
       *    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
       *    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
       */
      return sequence(q.certId, certStatus, thisUpdate, nextUpdate);
    });

    /*
     * ResponseData ::= SEQUENCE {
     *    version              [0] EXPLICIT Version DEFAULT v1,
     *    responderID              ResponderID,
     *    producedAt               GeneralizedTime,
     *    responses                SEQUENCE OF SingleResponse,
     *    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
     */
    const tbsResponseData = sequence(
      this.responderId,
      producedAt,
      sequence(...singles),
      parsed.nonceExtension ? explicit(1, sequence(parsed.nonceExtension)) : Buffer.alloc(0),
    );
    const signature = await this.options.signer.signer.sign(tbsResponseData);
    /*
     * BasicOCSPResponse       ::= SEQUENCE {
     *    tbsResponseData      ResponseData,
     *    signatureAlgorithm   AlgorithmIdentifier,
     *    signature            BIT STRING,
     *    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
     *
     * ResponseBytes ::=       SEQUENCE {
     *     responseType   OBJECT IDENTIFIER,
     *     response       OCTET STRING }
     */
    const basic = sequence(tbsResponseData, this.signatureAlgorithm, bitString(signature), this.certs);
    const body = sequence(Buffer.from([TAG.ENUMERATED, 1, 0]), explicit(0, sequence(this.basicOid, octetString(basic))));
    return { status: 'successful', httpStatus: 200, body, certStatuses };
  }
  /** The CertID an RFC 5019 client sends: SHA-1 hashes, NULL parameters, the serial as stored (INTEGER contents). */
  sha1CertId(serial: string): Buffer {
    const ours = this.issuerHashes.get(id_sha1)!;
    return sequence(sequence(objectIdentifier(id_sha1), derNull()), octetString(ours.name), octetString(ours.key), tlv(TAG.INTEGER, Buffer.from(serial, 'hex')));
  }

  /**
   * The ResponseData of a pre-signed answer and its signature: one SingleResponse for the
   * SHA-1 CertID, thisUpdate = producedAt, a nextUpdate, no extensions (RFC 5019 2.2).
   */
  async signAhead(serial: string, status: CertificateStatus, thisUpdate: number, nextUpdate: number): Promise<{ tbsResponseData: Buffer; signature: Buffer }> {
    const at = generalizedTime(thisUpdate);
    const tbsResponseData = sequence(
      this.responderId,
      at,
      sequence(sequence(this.sha1CertId(serial), this.certStatusOf(status), at, explicit(0, generalizedTime(nextUpdate)))),
    );
    return { tbsResponseData, signature: await this.options.signer.signer.sign(tbsResponseData) };
  }

  /** The OCSPResponse around a stored ResponseData and signature: the same bytes on every instance. */
  assemble(tbsResponseData: Buffer, signature: Buffer): Buffer | null {
    // Signed by another responder key (a rolled-over signer): not ours to serve.
    const header = tbsResponseData[1] & 0x80 ? 2 + (tbsResponseData[1] & 0x7f) : 2;
    if (!tbsResponseData.subarray(header, header + this.responderId.length).equals(this.responderId)) return null;
    const basic = sequence(tbsResponseData, this.signatureAlgorithm, bitString(signature), this.certs);
    return sequence(Buffer.from([TAG.ENUMERATED, 1, 0]), explicit(0, sequence(this.basicOid, octetString(basic))));
  }

  private certStatusOf(status: CertificateStatus): Buffer {
    if (!status.revokedAt) return Buffer.from([0x80, 0x00]);
    const code = reasonCode(status.reason);
    return tlv(0xa1, generalizedTime(status.revokedAt.getTime()), code ? explicit(0, enumerated(code)) : Buffer.alloc(0));
  }
}
