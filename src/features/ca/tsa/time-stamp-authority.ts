import { randomBytes } from 'node:crypto';
import type { CaEntity } from '../authority/hierarchy.js';
import { id_ct_TSTInfo, id_kp_timeStamping, qorgau_tsaPolicy } from '../../../pkix/oids.js';
import { CertificateInfo } from '../../../pkix/certificate.js';
import { buildSignedData } from '../../../pkix/signed-data.js';
import {
  buildTstInfo,
  grantedResponse,
  IMPRINT_HASHES,
  parseTimeStampRequest,
  rejectionResponse,
  TimeStampRejection,
  type TimeStampRequest,
} from '../../../pkix/time-stamp-protocol.js';

export interface TimeStampAuthorityOptions {
  policy?: string;
  /** How far genTime may be from UTC; the host clock is NTP-disciplined. */
  accuracySeconds?: number;
  /** CA certificates carried in tokens besides the TSA's own (when certReq), so verifiers need only the root. */
  chain?: Uint8Array[];
  clock?: () => Date;
}

export interface TimeStampAnswer {
  granted: boolean;
  /** DER TimeStampResp, also for a rejection (RFC 3161 answers every request with one). */
  response: Buffer;
  failure?: string;
  reason?: string;
}

/**
 * The time-stamp authority of RFC 3161: binds a message imprint to the time, signed by the
 * hierarchy's TSA entity through its KeySigner. Serial numbers are 127 random bits, unique
 * without coordination between instances.
 */
export class TimeStampAuthority {
  private readonly policy: string;
  private readonly accuracySeconds: number;
  private readonly clock: () => Date;
  private readonly tsaName: Buffer;
  private readonly chain: Uint8Array[];

  constructor(
    private readonly tsa: CaEntity,
    options: TimeStampAuthorityOptions = {},
  ) {
    const certificate = CertificateInfo.parse(tsa.der, 'TSA certificate');
    // RFC 3161 2.3: the TSA certificate has exactly one EKU, id-kp-timeStamping, critical. OpenSSL refuses tokens otherwise.
    if (certificate.extendedKeyUsage.join() !== id_kp_timeStamping || !certificate.extendedKeyUsageCritical) {
      throw new Error(`The TSA certificate "${certificate.subject}" must have exactly the timeStamping extended key usage, marked critical`);
    }
    this.tsaName = certificate.fields.subject;
    this.policy = options.policy ?? qorgau_tsaPolicy;
    this.accuracySeconds = options.accuracySeconds ?? 1;
    this.clock = options.clock ?? (() => new Date());
    this.chain = options.chain ?? [];
  }

  async respond(requestDer: Uint8Array): Promise<TimeStampAnswer> {
    let request: TimeStampRequest;
    try {
      request = parseTimeStampRequest(requestDer);
      this.accept(request);
    } catch (err) {
      if (!(err instanceof TimeStampRejection)) throw err;
      return { granted: false, response: rejectionResponse(err.failure, err.message), failure: err.failure, reason: err.message };
    }
    return { granted: true, response: grantedResponse(await this.token(request)) };
  }

  private accept(request: TimeStampRequest): void {
    const hash = IMPRINT_HASHES[request.hashAlgorithm];
    if (!hash) throw new TimeStampRejection('badAlg', `hash algorithm ${request.hashAlgorithm} is not accepted; use SHA-256, SHA-384 or SHA-512`);
    if (request.hashedMessage.length !== hash.length) {
      throw new TimeStampRejection('badDataFormat', `the hashed message is ${request.hashedMessage.length} bytes, not the ${hash.length} of ${hash.name}`);
    }
    if (request.reqPolicy && request.reqPolicy !== this.policy) throw new TimeStampRejection('unacceptedPolicy', `this TSA stamps under policy ${this.policy} only`);
    if (request.hasExtensions) throw new TimeStampRejection('unacceptedExtension', 'this TSA accepts no request extensions');
  }

  /** The TimeStampToken: a ContentInfo with SignedData over the TSTInfo. */
  async token(request: TimeStampRequest): Promise<Buffer> {
    const serialNumber = randomBytes(16);
    serialNumber[0] &= 0x7f;
    const tstInfo = buildTstInfo({
      policy: this.policy,
      messageImprintDer: request.messageImprintDer,
      serialNumber,
      genTime: this.clock(),
      accuracySeconds: this.accuracySeconds,
      nonceDer: request.nonceDer,
      tsaName: this.tsaName,
    });
    return buildSignedData({
      contentType: id_ct_TSTInfo,
      content: tstInfo,
      signer: this.tsa.signer,
      signerCertificate: this.tsa.der,
      // RFC 3161 2.4.1: with certReq the TSA's certificate MUST be in the token; without it, MUST NOT.
      includeCertificates: request.certReq,
      chain: this.chain,
    });
  }
}
