import type { KeySigner } from '../../../pkix/key-signer.js';
import { id_ce_authorityKeyIdentifier, id_ce_cRLNumber, id_ce_cRLReasons, id_ce_invalidityDate } from '../../../pkix/oids.js';
import { certificateParts } from './certificate-parts.js';
import { lintCrl, type CrlLintInput } from './crl-lint.js';
import {
  GENERALIZED_TIME_SIZE,
  TAG,
  bitString,
  enumerated,
  explicit,
  header,
  smallInteger,
  lengthSize,
  objectIdentifier,
  octetString,
  sequence,
  tlv,
  time,
  timeSize,
  writeGeneralizedTime,
  writeHeader,
  writeTime,
} from '../../../der/writer.js';
import { signatureAlgorithmOf } from './signature-algorithm.js';

/** One revoked certificate as the CRL lists it. */
export interface CrlEntry {
  /** The serial's INTEGER contents as lower-case hex (the certificates table's form). */
  serial: string;
  revokedAt: number;
  /** CRLReason code; 0 (unspecified) is left out, as RFC 5280 5.3.1 asks. */
  reason: number;
  invalidityDate?: number | null;
}

/*
 * Extension  ::=  SEQUENCE  {
 *      extnID      OBJECT IDENTIFIER,
 *      critical    BOOLEAN DEFAULT FALSE,
 *      extnValue   OCTET STRING }
 *
 * The two entry extensions have fixed prefixes, so each entry only writes its variable
 * bytes: reasonCode's ENUMERATED value and invalidityDate's GeneralizedTime.
 */
const reasonCodePrefix = (() => {
  const whole = sequence(objectIdentifier(id_ce_cRLReasons), octetString(enumerated(0)));
  return whole.subarray(0, whole.length - 1);
})();
const REASON_CODE_SIZE = reasonCodePrefix.length + 1;
const invalidityDatePrefix = (() => {
  const whole = sequence(objectIdentifier(id_ce_invalidityDate), octetString(Buffer.alloc(GENERALIZED_TIME_SIZE)));
  return whole.subarray(0, whole.length - GENERALIZED_TIME_SIZE);
})();
const INVALIDITY_DATE_SIZE = invalidityDatePrefix.length + GENERALIZED_TIME_SIZE;

const CHUNK_SIZE = 1 << 20;
/** A SEQUENCE header of up to 4 GiB of contents. */
const OUTER_HEADER_ROOM = 6;
/** BIT STRING header and signature: 72 octets for ECDSA P-256, 256 for RSA-2048, 512 for RSA-4096. */
const SIGNATURE_ROOM = 5 + 512;
const HEX = /^[0-9a-f]+$/;

/**
 * Encodes revokedCertificates entries one at a time into 1 MiB chunks, so a CRL of a
 * million entries costs its own size in memory and no per-entry objects survive.
 * Lint facts (order, uniqueness, serial form, dates) are gathered on the way.
 *
 * revokedCertificates     SEQUENCE OF SEQUENCE  {
 *      userCertificate         CertificateSerialNumber,
 *      revocationDate          Time,
 *      crlEntryExtensions      Extensions OPTIONAL
 *                               -- if present, version MUST be v2
 *                           }  OPTIONAL,
 */
export class CrlEntriesWriter {
  private chunks: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(CHUNK_SIZE);
  private offset = 0;
  private previousSerial = '';
  count = 0;
  length = 0;
  latestRevocation = 0;
  readonly problems: string[] = [];

  add(entry: CrlEntry): void {
    const { serial } = entry;
    if (this.problems.length < 10) this.check(entry);
    this.previousSerial = serial;
    const serialLength = serial.length >> 1;
    const revocationDateSize = timeSize(entry.revokedAt);
    const hasReason = entry.reason !== 0;
    const hasInvalidity = entry.invalidityDate != null;
    const extensionsLength = (hasReason ? REASON_CODE_SIZE : 0) + (hasInvalidity ? INVALIDITY_DATE_SIZE : 0);
    const entryLength = 2 + serialLength + revocationDateSize + (extensionsLength ? 2 + extensionsLength : 0);
    const total = 2 + entryLength;
    if (this.offset + total > this.chunk.length) this.flush();
    const b = this.chunk;
    let o = writeHeader(b, this.offset, TAG.SEQUENCE, entryLength);
    b[o++] = TAG.INTEGER;
    b[o++] = serialLength;
    o += b.write(serial, o, serialLength, 'hex');
    o = writeTime(b, o, entry.revokedAt);
    if (extensionsLength) {
      o = writeHeader(b, o, TAG.SEQUENCE, extensionsLength);
      if (hasReason) {
        o += reasonCodePrefix.copy(b, o);
        b[o++] = entry.reason;
      }
      if (hasInvalidity) {
        o += invalidityDatePrefix.copy(b, o);
        o = writeGeneralizedTime(b, o, entry.invalidityDate!);
      }
    }
    this.offset = o;
    this.count++;
    this.length += total;
    if (entry.revokedAt > this.latestRevocation) this.latestRevocation = entry.revokedAt;
  }

  /** The encoded entries, in order; the writer is spent afterwards. */
  take(): Buffer[] {
    this.flush();
    const out = this.chunks;
    this.chunks = [];
    return out;
  }

  private flush(): void {
    if (this.offset > 0) this.chunks.push(this.chunk.subarray(0, this.offset));
    this.chunk = Buffer.allocUnsafe(CHUNK_SIZE);
    this.offset = 0;
  }

  private check({ serial, reason, revokedAt, invalidityDate }: CrlEntry): void {
    if (serial.length === 0 || serial.length % 2 || serial.length > 42 || !HEX.test(serial)) {
      this.problems.push(`serial ${serial} is not the lower-case hex of 1 to 21 octets`);
    } else if (parseInt(serial.slice(0, 2), 16) >= 0x80) {
      this.problems.push(`serial ${serial} would be negative`);
    } else if (serial.length > 2 && serial.startsWith('00') && parseInt(serial.slice(2, 4), 16) < 0x80) {
      this.problems.push(`serial ${serial} has a redundant leading zero octet`);
    }
    if (this.count > 0) {
      if (serial === this.previousSerial) this.problems.push(`serial ${serial} is listed twice`);
      else if (serial < this.previousSerial) this.problems.push(`serial ${serial} is out of order after ${this.previousSerial}`);
    }
    if (!Number.isFinite(revokedAt)) this.problems.push(`serial ${serial} has no revocation date`);
    if (!Number.isInteger(reason) || reason < 0 || reason > 10 || reason === 7 || reason === 8) {
      this.problems.push(`serial ${serial} has reason code ${reason}, not allowed in a full CRL`);
    }
    if (invalidityDate != null && !Number.isFinite(invalidityDate)) this.problems.push(`serial ${serial} has a bad invalidity date`);
  }
}

/** The CA that signs a CRL: its certificate (for the issuer name and key identifier) and its signer. */
export interface CrlSigningCa {
  der: Buffer;
  signer: KeySigner;
}

export interface CrlContent {
  crlNumber: number | bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: CrlEntriesWriter;
}

export class CrlLintError extends Error {
  constructor(readonly problems: string[]) {
    super(`The CRL was refused before signing: ${problems.join('; ')}`);
    this.name = 'CrlLintError';
  }
}

/*
 * CertificateList  ::=  SEQUENCE  {
 *      tbsCertList          TBSCertList,
 *      signatureAlgorithm   AlgorithmIdentifier,
 *      signatureValue       BIT STRING  }
 *
 * TBSCertList  ::=  SEQUENCE  {
 *      version                 Version OPTIONAL,
 *                                   -- if present, MUST be v2
 *      signature               AlgorithmIdentifier,
 *      issuer                  Name,
 *      thisUpdate              Time,
 *      nextUpdate              Time OPTIONAL,
 *      revokedCertificates     SEQUENCE OF SEQUENCE  { ... }  OPTIONAL,
 *      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL
 *                                   -- if present, version MUST be v2
 *                           }
 */
export async function buildCrl(ca: CrlSigningCa, content: CrlContent): Promise<Buffer> {
  const parts = certificateParts(ca.der);
  const lint: CrlLintInput = { ca, parts, content };
  const problems = [...content.entries.problems, ...(await lintCrl(lint))];
  if (problems.length > 0) throw new CrlLintError(problems);

  const signatureAlgorithm = signatureAlgorithmOf(ca.signer.algorithm);
  const thisUpdate = content.thisUpdate.getTime();
  const nextUpdate = content.nextUpdate.getTime();
  /*
   * AuthorityKeyIdentifier ::= SEQUENCE {
   *    keyIdentifier             [0] KeyIdentifier           OPTIONAL,
   *    authorityCertIssuer       [1] GeneralNames            OPTIONAL,
   *    authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL  }
   * CRLNumber ::= INTEGER (0..MAX)
   */
  const crlExtensions = explicit(
    0,
    sequence(
      sequence(objectIdentifier(id_ce_authorityKeyIdentifier), octetString(sequence(tlv(0x80, parts.keyIdentifier)))),
      sequence(objectIdentifier(id_ce_cRLNumber), octetString(smallInteger(content.crlNumber))),
    ),
  );
  const head = Buffer.concat([
    Buffer.from([TAG.INTEGER, 1, 1]), // v2
    signatureAlgorithm,
    parts.subject,
    time(thisUpdate),
    time(nextUpdate),
  ]);
  const entriesLength = content.entries.length;
  const entryChunks = content.entries.take();
  const revokedHeader = entriesLength > 0 ? header(TAG.SEQUENCE, entriesLength) : Buffer.alloc(0);
  const tbsContentLength = head.length + revokedHeader.length + entriesLength + crlExtensions.length;
  const tbsLength = 1 + lengthSize(tbsContentLength) + tbsContentLength;

  // One allocation for the whole CertificateList: TBSCertList is written after room for the
  // outer header and followed by room for the signature, so the signed CRL is not copied again.
  const tailRoom = signatureAlgorithm.length + SIGNATURE_ROOM;
  const whole = Buffer.allocUnsafe(OUTER_HEADER_ROOM + tbsLength + tailRoom);
  const tbs = whole.subarray(OUTER_HEADER_ROOM, OUTER_HEADER_ROOM + tbsLength);
  let o = writeHeader(tbs, 0, TAG.SEQUENCE, tbsContentLength);
  o += head.copy(tbs, o);
  o += revokedHeader.copy(tbs, o);
  for (const chunk of entryChunks) o += chunk.copy(tbs, o);
  entryChunks.length = 0;
  o += crlExtensions.copy(tbs, o);
  if (o !== tbsLength) throw new Error(`TBSCertList length mismatch: wrote ${o}, planned ${tbsLength}`);

  const signature = bitString(await ca.signer.sign(tbs));
  const outerLength = tbsLength + signatureAlgorithm.length + signature.length;
  const outerHeader = header(TAG.SEQUENCE, outerLength);
  if (signatureAlgorithm.length + signature.length > tailRoom || outerHeader.length > OUTER_HEADER_ROOM) {
    return Buffer.concat([outerHeader, tbs, signatureAlgorithm, signature]);
  }
  const start = OUTER_HEADER_ROOM - outerHeader.length;
  outerHeader.copy(whole, start);
  let end = OUTER_HEADER_ROOM + tbsLength;
  end += signatureAlgorithm.copy(whole, end);
  end += signature.copy(whole, end);
  return whole.subarray(start, end);
}
