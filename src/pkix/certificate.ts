import 'reflect-metadata';
import { X509Certificate as NodeX509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { fromBerSafely } from '../der/ber.js';
import * as x509 from '@peculiar/x509';
import { AppError } from '../errors/app-error.js';
import { id_ce_basicConstraints, id_ce_certificatePolicies, id_ce_extKeyUsage, id_ce_keyUsage, id_ce_subjectKeyIdentifier } from './oids.js';

/** RFC 5280 KeyUsage bit names, in bit order. */
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

/*
 * TBSCertificate ::= SEQUENCE {
 *   version [0] EXPLICIT Version DEFAULT v1,
 *   serialNumber CertificateSerialNumber,
 *   signature AlgorithmIdentifier,
 *   issuer Name,
 *   validity Validity,
 *   subject Name,
 *   subjectPublicKeyInfo SubjectPublicKeyInfo, ... }
 */
export function certificateFields(der: Uint8Array): { serialNumber: Buffer; issuer: Buffer; subject: Buffer; subjectPublicKeyInfo: Buffer } {
  const parsed = fromBerSafely(der);
  const tbs = (parsed.result as asn1js.Sequence).valueBlock?.value?.[0] as asn1js.Sequence | undefined;
  const fields = tbs?.valueBlock?.value;
  if (parsed.offset === -1 || !Array.isArray(fields) || fields.length < 6) throw new TypeError('not a DER certificate');
  const at = fields[0].idBlock.tagClass === 3 ? 1 : 0;
  const bytes = (i: number) => Buffer.from(fields[at + i].valueBeforeDecodeView);
  return { serialNumber: bytes(0), issuer: bytes(2), subject: bytes(4), subjectPublicKeyInfo: bytes(5) };
}

/** The issuer Name and serialNumber INTEGER of a certificate, as their DER bytes. */
export function issuerAndSerialOf(der: Uint8Array): { issuer: Buffer; serialNumber: Buffer } {
  const { issuer, serialNumber } = certificateFields(der);
  return { issuer, serialNumber };
}

/**
 * Parsed certificates by DER. Decoding every extension costs milliseconds, and the same CA,
 * TSA and frequent signers' certificates arrive again and again; the objects are immutable.
 */
const PARSED = new Map<string, CertificateInfo>();
const PARSED_LIMIT = 2_000;

/**
 * One certificate seen three ways: its DER (what hashes and comparisons use), Node's
 * X509Certificate (OpenSSL's issuer matching and signature checks, synchronous), and
 * @peculiar/x509 (typed extensions and names).
 */
export class CertificateInfo {
  readonly fields: ReturnType<typeof certificateFields>;
  private constructor(
    readonly der: Buffer,
    readonly node: NodeX509Certificate,
    readonly x509: x509.X509Certificate,
  ) {
    this.fields = certificateFields(der);
  }

  /** Parses DER or PEM; anything else is a 400 CERTIFICATE_MALFORMED. */
  static parse(input: Uint8Array | string, what = 'certificate'): CertificateInfo {
    try {
      const der = typeof input === 'string' || Buffer.from(input.subarray(0, 11)).toString('latin1') === '-----BEGIN '
        ? pemToDer(typeof input === 'string' ? input : Buffer.from(input).toString('latin1'))
        : Buffer.from(input);
      const key = der.toString('base64');
      const cached = PARSED.get(key);
      if (cached) {
        // Map order is insertion order: re-insert to keep recently used certificates longest.
        PARSED.delete(key);
        PARSED.set(key, cached);
        return cached;
      }
      const info = new CertificateInfo(der, new NodeX509Certificate(der), new x509.X509Certificate(new Uint8Array(der)));
      // @peculiar/x509 decodes extensions and names lazily; decode them now, so a damaged one is a 400 here and not a throw later.
      void info.x509.extensions;
      void info.x509.subjectName.toJSON();
      void info.x509.issuerName.toJSON();
      PARSED.set(key, info);
      if (PARSED.size > PARSED_LIMIT) PARSED.delete(PARSED.keys().next().value!);
      return info;
    } catch (err) {
      throw AppError.badRequest('CERTIFICATE_MALFORMED', `The ${what} cannot be read as an X.509 certificate: ${(err as Error).message}`);
    }
  }

  get subject(): string {
    return this.x509.subject;
  }
  get issuer(): string {
    return this.x509.issuer;
  }
  /** Serial number as lower-case hex of the INTEGER's content octets (the encoding, leading 00 kept). */
  get serialHex(): string {
    const serial = this.fields.serialNumber;
    const headerLength = serial[1] < 0x80 ? 2 : 2 + (serial[1] & 0x7f);
    return serial.subarray(headerLength).toString('hex');
  }
  get notBefore(): Date {
    return this.x509.notBefore;
  }
  get notAfter(): Date {
    return this.x509.notAfter;
  }
  get selfIssued(): boolean {
    return this.fields.subject.equals(this.fields.issuer);
  }

  get subjectKeyIdentifier(): Buffer | undefined {
    const ext = this.x509.getExtension<x509.SubjectKeyIdentifierExtension>(id_ce_subjectKeyIdentifier);
    return ext ? Buffer.from(ext.keyId, 'hex') : undefined;
  }

  /** Key usage bit names, or undefined when the extension is absent (any usage then). */
  get keyUsage(): KeyUsageName[] | undefined {
    const ext = this.x509.getExtension<x509.KeyUsagesExtension>(id_ce_keyUsage);
    if (!ext) return undefined;
    // @peculiar/x509 numbers the flags as bit i -> 1 << i.
    return KEY_USAGE_NAMES.filter((_, bit) => (ext.usages & (1 << bit)) !== 0);
  }

  get extendedKeyUsage(): string[] {
    const ext = this.x509.getExtension<x509.ExtendedKeyUsageExtension>(id_ce_extKeyUsage);
    return ext ? ext.usages.map(String) : [];
  }

  get extendedKeyUsageCritical(): boolean {
    return this.x509.getExtension(id_ce_extKeyUsage)?.critical ?? false;
  }

  get policies(): string[] {
    const ext = this.x509.getExtension<x509.CertificatePolicyExtension>(id_ce_certificatePolicies);
    return ext ? [...ext.policies] : [];
  }

  get pathLengthConstraint(): number | undefined {
    return this.x509.getExtension<x509.BasicConstraintsExtension>(id_ce_basicConstraints)?.pathLength;
  }

  get isCa(): boolean {
    return this.x509.getExtension<x509.BasicConstraintsExtension>(id_ce_basicConstraints)?.ca ?? false;
  }

  validAt(at: Date): boolean {
    return this.notBefore.getTime() <= at.getTime() && at.getTime() <= this.notAfter.getTime();
  }

  /** The same certificate, or the same subject with the same key (a re-issued anchor). */
  sameEntity(other: CertificateInfo): boolean {
    return this.der.equals(other.der) || (this.fields.subject.equals(other.fields.subject) && this.fields.subjectPublicKeyInfo.equals(other.fields.subjectPublicKeyInfo));
  }

  /** Whether `issuer` names this certificate's issuer (and its key identifiers agree). */
  namesIssuer(issuer: CertificateInfo): boolean {
    try {
      return this.node.checkIssued(issuer.node);
    } catch {
      return false;
    }
  }

  /**
   * The public key, or undefined when Node cannot load it: GOST 34.310 keys (which the national
   * CA also issues) have no open implementation, and their signatures are reported unknown.
   */
  get publicKey(): KeyObject | undefined {
    try {
      return this.node.publicKey;
    } catch {
      return undefined;
    }
  }

  /** Whether the certificate's signature verifies with `issuer`'s public key. */
  signedBy(issuer: CertificateInfo): boolean {
    try {
      return this.node.verify(issuer.node.publicKey);
    } catch {
      return false;
    }
  }
}

export function pemToDer(pem: string): Buffer {
  const match = /-----BEGIN [A-Z0-9 ]+-----([\s\S]+?)-----END [A-Z0-9 ]+-----/.exec(pem);
  if (!match) throw new TypeError('no PEM block');
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}

/** All PEM blocks of a file, or the file itself when it is DER. */
export function derBlocks(content: Buffer): Buffer[] {
  const text = content.toString('latin1');
  if (!text.includes('-----BEGIN ')) return [content];
  return [...text.matchAll(/-----BEGIN [A-Z0-9 ]+-----[\s\S]+?-----END [A-Z0-9 ]+-----/g)].map((m) => pemToDer(m[0]));
}
