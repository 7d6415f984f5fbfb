import { fromBerSafely } from '../../der/der.js';
import { canonicalIntegerHex } from './path-validation/der-reader.js';
import type * as asn1js from 'asn1js';

/**
 * Reads a CRL by walking its DER directly. The national CA's CRLs hold hundreds of thousands
 * of entries: a general ASN.1 decoder builds an object per node (and asn1js stops at 10,000
 * nodes by default), while this keeps only a map of serial -> revocation.
 */

interface Tlv {
  tag: number;
  /** Offset of the contents. */
  start: number;
  /** Offset just past the contents. */
  end: number;
  /** Offset of the tag. */
  header: number;
}

export class CrlFormatError extends Error {
  constructor(message: string) {
    super(`malformed CRL: ${message}`);
    this.name = 'CrlFormatError';
  }
}

function readTlv(bytes: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new CrlFormatError('truncated');
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > limit) throw new CrlFormatError('bad length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[start + i];
    start += octets;
  }
  if (start + length > limit) throw new CrlFormatError('truncated');
  return { tag, start, end: start + length, header: offset };
}

function childrenOf(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readTlv(bytes, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** UTCTime (YYMMDDHHMMSSZ, 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSS[.fff]Z). */
function timeOf(bytes: Uint8Array, t: Tlv): Date {
  const text = Buffer.from(bytes.subarray(t.start, t.end)).toString('latin1');
  const match = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : t.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(text) : null;
  if (!match) throw new CrlFormatError(`bad time ${text}`);
  let year = Number(match[1]);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const ms = match[7] ? Math.round(Number(`0.${match[7]}`) * 1000) : 0;
  return new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]), ms));
}

const REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** DER of id-ce-cRLReasons (2.5.29.21). */
const REASON_CODE_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x15]);

export interface CrlEntry {
  revocationDate: Date;
  reason?: string;
}

export interface ParsedCrl {
  /** DER of the issuer Name. */
  issuer: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** DER of tbsCertList, what the signature covers. */
  tbs: Buffer;
  signatureAlgorithm: string;
  signatureParameters?: asn1js.AsnType;
  signature: Buffer;
  /** By serial: canonical lower-case hex of the INTEGER (redundant sign octets dropped, 00FF and FF stay apart). */
  entries: Map<string, CrlEntry>;
}

/** The serial as a canonical INTEGER: 255 (00 FF) and -1 (FF) are different serials, as RFC 5280 has them. */
export const normalizeSerialHex = (hex: string) => canonicalIntegerHex(hex);

/*
 * CertificateList ::= SEQUENCE {
 *   tbsCertList TBSCertList,
 *   signatureAlgorithm AlgorithmIdentifier,
 *   signatureValue BIT STRING }
 * TBSCertList ::= SEQUENCE {
 *   version Version OPTIONAL,
 *   signature AlgorithmIdentifier,
 *   issuer Name,
 *   thisUpdate Time,
 *   nextUpdate Time OPTIONAL,
 *   revokedCertificates SEQUENCE OF SEQUENCE {
 *     userCertificate CertificateSerialNumber,
 *     revocationDate Time,
 *     crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
 *   crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 */
export function readCrl(der: Uint8Array): ParsedCrl {
  const outer = readTlv(der, 0, der.length);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new CrlFormatError('not a DER SEQUENCE');
  const [tbsTlv, algorithmTlv, signatureTlv] = childrenOf(der, outer);
  if (!tbsTlv || !algorithmTlv || signatureTlv?.tag !== 0x03) throw new CrlFormatError('not a CertificateList');
  const algorithm = fromBerSafely(der.subarray(algorithmTlv.header, algorithmTlv.end)).result as asn1js.Sequence;
  const [oid, parameters] = algorithm.valueBlock?.value ?? [];
  if (!oid || !('valueBlock' in oid)) throw new CrlFormatError('bad signatureAlgorithm');

  const fields = childrenOf(der, tbsTlv);
  let at = fields[0]?.tag === 0x02 ? 1 : 0;
  at++; // signature AlgorithmIdentifier
  const issuerTlv = fields[at++];
  const thisUpdateTlv = fields[at++];
  if (issuerTlv?.tag !== 0x30 || !thisUpdateTlv) throw new CrlFormatError('bad TBSCertList');
  const thisUpdate = timeOf(der, thisUpdateTlv);
  let nextUpdate: Date | undefined;
  if (fields[at] && (fields[at].tag === 0x17 || fields[at].tag === 0x18)) nextUpdate = timeOf(der, fields[at++]);
  const entries = new Map<string, CrlEntry>();
  if (fields[at]?.tag === 0x30) {
    for (let entryAt = fields[at].start; entryAt < fields[at].end; ) {
      const entry = readTlv(der, entryAt, fields[at].end);
      entryAt = entry.end;
      const [serial, date, extensions] = childrenOf(der, entry);
      if (serial?.tag !== 0x02 || !date) throw new CrlFormatError('bad revokedCertificates entry');
      let reason: string | undefined;
      if (extensions?.tag === 0x30) {
        for (const extension of childrenOf(der, extensions)) {
          const parts = childrenOf(der, extension);
          if (Buffer.from(der.subarray(parts[0].header, parts[0].end)).equals(REASON_CODE_OID)) {
            const value = parts[parts.length - 1];
            const enumerated = readTlv(der, value.start, value.end);
            reason = REASONS[der[enumerated.start]] ?? String(der[enumerated.start]);
          }
        }
      }
      entries.set(normalizeSerialHex(Buffer.from(der.subarray(serial.start, serial.end)).toString('hex')), { revocationDate: timeOf(der, date), ...(reason ? { reason } : {}) });
    }
  }
  return {
    issuer: Buffer.from(der.subarray(issuerTlv.header, issuerTlv.end)),
    thisUpdate,
    ...(nextUpdate ? { nextUpdate } : {}),
    tbs: Buffer.from(der.subarray(tbsTlv.header, tbsTlv.end)),
    signatureAlgorithm: (oid as asn1js.ObjectIdentifier).valueBlock.toString(),
    signatureParameters: parameters,
    // BIT STRING: the first content octet counts unused bits (0 for signatures).
    signature: Buffer.from(der.subarray(signatureTlv.start + 1, signatureTlv.end)),
    entries,
  };
}
