import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { explicit, objectIdentifier, octetString, sequence, tlv, algorithmIdentifier } from '../../../der/writer.js';
import { children, oidOf, readOne, timeOf, type Tlv } from '../../../der/reader.js';
import { namesMatch } from './names.js';
import { EXT, PathCertificate } from './path-certificate.js';
import { CRL_REASONS, PathCrl } from './path-crl.js';
import type { RevocationAnswer, RevocationSource } from './crl-processing.js';
import { verifySigned } from './signature.js';

const id_sha1 = '1.3.14.3.2.26';
const id_pkix_ocsp_basic = '1.3.6.1.5.5.7.48.1.1';
const id_pkix_ocsp_nonce = '1.3.6.1.5.5.7.48.1.2';
const id_kp_OCSPSigning = '1.3.6.1.5.5.7.3.9';
/** How far a responder's clock may be ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** An answer without nextUpdate is kept this long. */
const DEFAULT_KEEP_MS = 5 * 60_000;

export interface OnlineRevocationOptions {
  /** Per request; a source that does not answer in time reads as unreachable. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: () => Date;
  /** Largest CRL accepted (the national CA's full CRL is tens of MB). */
  maxCrlBytes?: number;
}

interface Cached<T> {
  value: T;
  until: number;
}

/**
 * Revocation information as relying parties get it from a foreign CA: the CRLs its certificates
 * point to (cRLDistributionPoints, http only) and its OCSP responder (authorityInfoAccess).
 * Answers are cached in memory until their nextUpdate; a source that cannot be reached makes
 * the status unknown, and says which and why. Several instances each keep their own cache:
 * what is cached is public and signed, so a stale copy is never wrong, only older.
 */
export class OnlineRevocation implements RevocationSource {
  private readonly crlCache = new Map<string, Cached<PathCrl>>();
  private readonly ocspCache = new Map<string, Cached<RevocationAnswer>>();
  private readonly timeoutMs: number;
  private readonly fetcher: typeof fetch;
  private readonly clock: () => Date;
  private readonly maxCrlBytes: number;

  constructor(options: OnlineRevocationOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetcher = options.fetch ?? fetch;
    this.clock = options.clock ?? (() => new Date());
    this.maxCrlBytes = options.maxCrlBytes ?? 128 * 1024 * 1024;
  }

  private async get(url: string, init: RequestInit = {}): Promise<Buffer> {
    let response: Response;
    try {
      response = await this.fetcher(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'follow' });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw new Error(e.name === 'TimeoutError' ? `${url} did not answer within ${this.timeoutMs} ms` : `${url} cannot be reached (${e.cause?.code ?? e.message})`);
    }
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > this.maxCrlBytes) throw new Error(`${url} is larger than ${this.maxCrlBytes} bytes`);
    return Buffer.from(await response.arrayBuffer());
  }

  async fetchCrls(certificate: PathCertificate, at: Date): Promise<{ crls: PathCrl[]; problems: string[] }> {
    const urls = [...certificate.crlDistributionPoints, ...certificate.freshestCrl]
      .flatMap((dp) => dp.fullName ?? [])
      .flatMap((n) => (n.kind === 'uri' && /^https?:\/\//i.test(n.value) ? [n.value] : []));
    const crls: PathCrl[] = [];
    const problems: string[] = [];
    for (const url of [...new Set(urls)]) {
      const now = this.clock().getTime();
      const cached = this.crlCache.get(url);
      if (cached && cached.until > now && (!cached.value.nextUpdate || cached.value.nextUpdate >= at)) {
        crls.push(cached.value);
        continue;
      }
      try {
        const crl = new PathCrl(readCrlBody(await this.get(url)));
        this.crlCache.set(url, { value: crl, until: crl.nextUpdate?.getTime() ?? now + DEFAULT_KEEP_MS });
        crls.push(crl);
      } catch (err) {
        problems.push(`the CRL at ${(err as Error).message.startsWith(url) ? '' : `${url}: `}${(err as Error).message}`.replace('the CRL at http', 'the CRL at http'));
      }
    }
    return { crls, problems };
  }

  async status(certificate: PathCertificate, issuer: PathCertificate, issuerKey: KeyObject | undefined, at: Date): Promise<RevocationAnswer | undefined> {
    const urls = certificate.ocspUrls.filter((u) => /^https?:\/\//i.test(u));
    if (urls.length === 0 || !issuerKey) return undefined;
    const certId = certIdOf(certificate, issuer);
    const key = certId.toString('hex');
    const now = this.clock();
    const cached = this.ocspCache.get(key);
    if (cached && cached.until > now.getTime()) return cached.value;
    const problems: string[] = [];
    for (const url of urls) {
      const nonce = randomBytes(16);
      try {
        const body = await this.get(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(ocspRequest(certId, nonce)) });
        const { answer, nextUpdate } = readOcspResponse(body, { certId, issuer, issuerKey, nonce, now, at, url });
        if (answer.status !== 'unknown') this.ocspCache.set(key, { value: answer, until: nextUpdate?.getTime() ?? now.getTime() + DEFAULT_KEEP_MS });
        return answer;
      } catch (err) {
        problems.push(`the OCSP responder ${(err as Error).message.includes(url) ? '' : `${url} `}${(err as Error).message}`);
      }
    }
    return { status: 'unknown', detail: problems.join('; ') };
  }
}

/** The nonce extension's value: an OCTET STRING (RFC 8954), or the bare octets older responders send. */
function nonceValue(extnValue: Buffer): Buffer {
  try {
    return Buffer.from(readOne(extnValue, 0x04).value);
  } catch {
    return extnValue;
  }
}

function readCrlBody(body: Buffer): Buffer {
  const text = body.subarray(0, 32).toString('latin1');
  if (!text.includes('-----BEGIN')) return body;
  const match = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(body.toString('latin1'));
  if (!match) throw new Error('the response is not a CRL');
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}

/*
 * CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
 *   issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
 * SHA-1, as RFC 5019 responders (and the national CA's) expect.
 */
function certIdOf(certificate: PathCertificate, issuer: PathCertificate): Buffer {
  const [, subjectPublicKey] = children(readOne(issuer.spki, 0x30));
  const nameHash = createHash('sha1').update(certificate.issuerDer).digest();
  const keyHash = createHash('sha1').update(subjectPublicKey.value.subarray(1)).digest();
  return sequence(algorithmIdentifier(id_sha1, 'null'), octetString(nameHash), octetString(keyHash), tlv(0x02, Buffer.from(certificate.serialHex, 'hex')));
}

/*
 * OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
 * TBSRequest ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1] EXPLICIT GeneralName OPTIONAL,
 *   requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
 * Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
 */
function ocspRequest(certId: Buffer, nonce: Buffer): Buffer {
  const nonceExtension = sequence(objectIdentifier(id_pkix_ocsp_nonce), octetString(octetString(nonce)));
  return sequence(sequence(sequence(sequence(certId)), explicit(2, sequence(nonceExtension))));
}

/** Compares CertIDs by their hashes and serial (the NULL in the algorithm may be absent in the answer). */
function sameCertId(a: Tlv, ours: Buffer): boolean {
  const [alg, nameHash, keyHash, serial] = children(a);
  const [oAlg, oName, oKey, oSerial] = children(readOne(ours, 0x30));
  return oidOf(children(alg)[0]) === oidOf(children(oAlg)[0]) && nameHash.value.equals(oName.value) && keyHash.value.equals(oKey.value) && serial.value.equals(oSerial.value);
}

/*
 * OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
 * ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
 * BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm AlgorithmIdentifier,
 *   signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
 * ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID ResponderID, producedAt GeneralizedTime,
 *   responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT Extensions OPTIONAL }
 * SingleResponse ::= SEQUENCE { certID CertID, certStatus CertStatus, thisUpdate GeneralizedTime,
 *   nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] EXPLICIT Extensions OPTIONAL }
 * CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT UnknownInfo }
 */
export function readOcspResponse(
  body: Buffer,
  expected: { certId: Buffer; issuer: PathCertificate; issuerKey: KeyObject; nonce?: Buffer; now: Date; at: Date; url: string },
): { answer: RevocationAnswer; nextUpdate?: Date } {
  const unknown = (detail: string) => ({ answer: { status: 'unknown' as const, detail: `the OCSP responder ${expected.url} ${detail}` } });
  const [statusTlv, bytes] = children(readOne(body, 0x30));
  const status = statusTlv.value[0];
  if (status !== 0) return unknown(`refused the request (responseStatus ${status})`);
  const [typeTlv, responseTlv] = children(readOne(Buffer.from(bytes.value), 0x30));
  if (oidOf(typeTlv) !== id_pkix_ocsp_basic) return unknown('answered with a response type other than basic');
  const [tbs, algorithm, signature, certsTlv] = children(readOne(Buffer.from(responseTlv.value), 0x30));
  const [algOid, algParameters] = children(algorithm);
  const sigAlgorithm = { oid: oidOf(algOid), ...(algParameters ? { parameters: Buffer.from(algParameters.der) } : {}) };
  const sig = Buffer.from(signature.value.subarray(1));
  const tbsDer = Buffer.from(tbs.der);
  // Signed by the CA itself, or by a responder certificate the CA issued for OCSP signing (RFC 6960 4.2.2.2).
  let signedBy: string | undefined;
  if (verifySigned(tbsDer, sigAlgorithm, sig, expected.issuerKey) === 'valid') signedBy = 'the CA';
  else if (certsTlv) {
    for (const c of children(readOne(Buffer.from(certsTlv.value), 0x30))) {
      const responder = new PathCertificate(Buffer.from(c.der));
      const eku = responder.extension(EXT.extKeyUsage);
      const ekus = eku ? children(readOne(eku.value, 0x30)).map(oidOf) : [];
      const key = responder.publicKey();
      if (
        namesMatch(responder.issuer, expected.issuer.subject) &&
        verifySigned(responder.tbs, responder.signatureAlgorithm, responder.signature, expected.issuerKey) === 'valid' &&
        ekus.includes(id_kp_OCSPSigning) &&
        responder.notBefore <= expected.now &&
        expected.now <= responder.notAfter &&
        key &&
        verifySigned(tbsDer, sigAlgorithm, sig, key) === 'valid'
      ) {
        signedBy = `its responder "${responder.subjectText}"`;
        break;
      }
    }
  }
  if (!signedBy) return unknown('sent a response that is not signed by the CA or a responder it authorized');
  const fields = children(tbs);
  let at = fields[0].tag === 0xa0 ? 1 : 0;
  at++; // responderID
  at++; // producedAt
  const responses = children(fields[at++]);
  const extensions = fields[at]?.tag === 0xa1 ? children(readOne(Buffer.from(fields[at].value), 0x30)) : [];
  const nonce = extensions.map(children).find(([oid]) => oidOf(oid) === id_pkix_ocsp_nonce);
  if (nonce && expected.nonce && !nonceValue(Buffer.from(nonce[nonce.length - 1].value)).equals(expected.nonce)) {
    return unknown('answered with another nonce than the one asked (a replayed response)');
  }
  const single = responses.find((r) => sameCertId(children(r)[0], expected.certId));
  if (!single) return unknown('answered about another certificate');
  const [, certStatus, thisUpdateTlv, ...rest] = children(single);
  const thisUpdate = timeOf(thisUpdateTlv);
  const nextTlv = rest.find((r) => r.tag === 0xa0);
  const nextUpdate = nextTlv ? timeOf(readOne(Buffer.from(nextTlv.value))) : undefined;
  if (thisUpdate.getTime() > expected.now.getTime() + CLOCK_SKEW_MS) return unknown(`answered with a thisUpdate in the future (${thisUpdate.toISOString()})`);
  if (nextUpdate && nextUpdate < expected.now) return unknown(`answered with an outdated response (nextUpdate ${nextUpdate.toISOString()})`);
  const source = `per the OCSP responder ${expected.url} (signed by ${signedBy}, thisUpdate ${thisUpdate.toISOString()})`;
  if (certStatus.tag === 0x80) return { answer: { status: 'good', detail: `is good ${source}` }, ...(nextUpdate ? { nextUpdate } : {}) };
  if (certStatus.tag === 0xa1) {
    const [time, reasonTlv] = children(certStatus);
    const revokedAt = timeOf(time);
    const reasonCode = reasonTlv ? readOne(Buffer.from(reasonTlv.value), 0x0a).value[0] : undefined;
    const reason = reasonCode !== undefined ? CRL_REASONS[reasonCode] : undefined;
    if (revokedAt > expected.at) return { answer: { status: 'good', detail: `was revoked only after ${expected.at.toISOString()} ${source}` }, ...(nextUpdate ? { nextUpdate } : {}) };
    return { answer: { status: 'revoked', revokedAt, ...(reason ? { reason } : {}), detail: `was revoked on ${revokedAt.toISOString()}${reason ? ` (${reason})` : ''} ${source}` }, ...(nextUpdate ? { nextUpdate } : {}) };
  }
  return unknown('does not know the certificate');
}
