import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { algorithmIdentifier, booleanValue, explicit, namedBits, objectIdentifier, octetString, sequence, setOf, smallInteger, time, tlv } from '../../src/der/writer.js';
import { openssl } from './openssl.js';

/**
 * Certificates and CRLs written byte by byte, so a test can make exactly the structure it is
 * about (a serial of 00 FF or FF, a name in PrintableString or UTF8String, a critical extension
 * nobody knows) and hand the same bytes to OpenSSL for a second opinion.
 */

const ATTRIBUTE: Record<string, string> = { CN: '2.5.4.3', C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', serialNumber: '2.5.4.5', E: '1.2.840.113549.1.9.1' };

/** An attribute [type, value, string tag (0x0c UTF8String by default, 0x13 PrintableString, 0x16 IA5String)]. */
export type Attr = [string, string, number?];

export function dn(...rdns: (Attr | Attr[])[]): Buffer {
  return sequence(
    ...rdns.map((rdn) => {
      const attrs = (Array.isArray(rdn[0]) ? rdn : [rdn]) as Attr[];
      return setOf(...attrs.map(([type, value, tag]) => sequence(objectIdentifier(ATTRIBUTE[type] ?? type), tlv(tag ?? (type === 'C' ? 0x13 : type === 'E' ? 0x16 : 0x0c), Buffer.from(value, 'utf8')))));
    }),
  );
}

export interface Ext {
  oid: string;
  critical?: boolean;
  value: Buffer;
}

const extensionsDer = (extensions: Ext[]) => sequence(...extensions.map((e) => sequence(objectIdentifier(e.oid), ...(e.critical ? [booleanValue(true)] : []), octetString(e.value))));

export const ext = {
  basicConstraints: (ca: boolean, pathLength?: number): Ext => ({ oid: '2.5.29.19', critical: true, value: sequence(...(ca ? [booleanValue(true)] : []), ...(pathLength !== undefined ? [smallInteger(pathLength)] : [])) }),
  /** Bits: 0 digitalSignature, 1 nonRepudiation, 5 keyCertSign, 6 cRLSign. */
  keyUsage: (...bits: number[]): Ext => ({ oid: '2.5.29.15', critical: true, value: namedBits(bits) }),
  subjectKeyIdentifier: (key: Buffer): Ext => ({ oid: '2.5.29.14', value: octetString(key) }),
  authorityKeyIdentifier: (key: Buffer): Ext => ({ oid: '2.5.29.35', value: sequence(tlv(0x80, key)) }),
  /** permitted/excluded: GeneralName DERs (see `generalName`). */
  nameConstraints: (permitted: Buffer[], excluded: Buffer[] = []): Ext => ({
    oid: '2.5.29.30',
    critical: true,
    value: sequence(...(permitted.length ? [tlv(0xa0, ...permitted.map((p) => sequence(p)))] : []), ...(excluded.length ? [tlv(0xa1, ...excluded.map((p) => sequence(p)))] : [])),
  }),
  subjectAltName: (...names: Buffer[]): Ext => ({ oid: '2.5.29.17', value: sequence(...names) }),
  policies: (...oids: string[]): Ext => ({ oid: '2.5.29.32', value: sequence(...oids.map((o) => sequence(objectIdentifier(o)))) }),
  policyConstraints: (requireExplicitPolicy?: number, inhibitPolicyMapping?: number): Ext => ({
    oid: '2.5.29.36',
    critical: true,
    value: sequence(...(requireExplicitPolicy !== undefined ? [tlv(0x80, smallInteger(requireExplicitPolicy).subarray(2))] : []), ...(inhibitPolicyMapping !== undefined ? [tlv(0x81, smallInteger(inhibitPolicyMapping).subarray(2))] : [])),
  }),
  crlDistributionPoint: (uri: string): Ext => ({ oid: '2.5.29.31', value: sequence(sequence(tlv(0xa0, tlv(0xa0, generalName.uri(uri))))) }),
  unknown: (oid = '1.3.6.1.4.1.99999.1', critical = true): Ext => ({ oid, critical, value: tlv(0x05, Buffer.alloc(0)) }),
  // CRL extensions
  crlNumber: (n: number): Ext => ({ oid: '2.5.29.20', value: smallInteger(n) }),
  deltaCrlIndicator: (base: number): Ext => ({ oid: '2.5.29.27', critical: true, value: smallInteger(base) }),
  /** IssuingDistributionPoint: a distribution point URI, and/or onlyContainsUserCerts [1] / onlyContainsCACerts [2]. */
  issuingDistributionPoint: (options: { uri?: string; onlyUserCerts?: boolean; onlyCaCerts?: boolean; indirect?: boolean }): Ext => ({
    oid: '2.5.29.28',
    critical: true,
    value: sequence(
      ...(options.uri ? [tlv(0xa0, tlv(0xa0, generalName.uri(options.uri)))] : []),
      ...(options.onlyUserCerts ? [tlv(0x81, Buffer.from([0xff]))] : []),
      ...(options.onlyCaCerts ? [tlv(0x82, Buffer.from([0xff]))] : []),
      ...(options.indirect ? [tlv(0x84, Buffer.from([0xff]))] : []),
    ),
  }),
  reasonCode: (code: number): Ext => ({ oid: '2.5.29.21', value: tlv(0x0a, Buffer.from([code])) }),
};

export const generalName = {
  dns: (name: string) => tlv(0x82, Buffer.from(name, 'latin1')),
  email: (name: string) => tlv(0x81, Buffer.from(name, 'latin1')),
  uri: (name: string) => tlv(0x86, Buffer.from(name, 'latin1')),
  directory: (name: Buffer) => tlv(0xa4, name),
};

export interface Entity {
  name: Buffer;
  key: KeyObject;
  spki: Buffer;
  der: Buffer;
  keyId: Buffer;
}

export function newKey(): { key: KeyObject; spki: Buffer; keyId: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return { key: privateKey, spki, keyId: createHash('sha1').update(spki).digest().subarray(0, 20) };
}

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const DAY = 86_400_000;

/** The signature algorithm a key signs with here: ECDSA, DSA or RSA, all with SHA-256. */
function signatureAlgorithm(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'dsa') return algorithmIdentifier('2.16.840.1.101.3.4.3.2');
  if (key.asymmetricKeyType === 'rsa') return algorithmIdentifier('1.2.840.113549.1.1.11', 'null');
  return algorithmIdentifier(ECDSA_SHA256);
}

function signed(tbs: Buffer, key: KeyObject): Buffer {
  return sequence(tbs, signatureAlgorithm(key), tlv(0x03, Buffer.from([0]), sign('sha256', tbs, key)));
}

export interface CertOptions {
  subject: Buffer;
  issuer?: Entity;
  /** Raw serial INTEGER contents, hex (e.g. "00ff" or "ff"); random by default. */
  serial?: string;
  notBefore?: Date;
  notAfter?: Date;
  extensions?: Ext[];
  /** Keys to certify (default: a new P-256 key). */
  keys?: { key: KeyObject; spki: Buffer; keyId: Buffer };
  /** Issuer name written into the certificate, when it must differ from the issuer's subject bytes. */
  issuerName?: Buffer;
  /** Claim this signature algorithm (a GOST one, say) and write random bytes for the signature. */
  unsupportedSignature?: string;
}

/** A certificate; self-signed when no issuer is given. Key identifiers are added unless given. */
export function certificate(options: CertOptions): Entity {
  const keys = options.keys ?? newKey();
  const issuerKey = options.issuer?.key ?? keys.key;
  const issuerKeyId = options.issuer?.keyId ?? keys.keyId;
  const extensions = [...(options.extensions ?? [])];
  if (!extensions.some((e) => e.oid === '2.5.29.14')) extensions.push(ext.subjectKeyIdentifier(keys.keyId));
  if (!extensions.some((e) => e.oid === '2.5.29.35')) extensions.push(ext.authorityKeyIdentifier(issuerKeyId));
  const now = Date.now();
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    tlv(0x02, Buffer.from(options.serial ?? `1${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 15)}`, 'hex')),
    options.unsupportedSignature ? sequence(objectIdentifier(options.unsupportedSignature)) : signatureAlgorithm(issuerKey),
    options.issuerName ?? options.issuer?.name ?? options.subject,
    sequence(time(options.notBefore ?? new Date(now - DAY)), time(options.notAfter ?? new Date(now + 365 * DAY))),
    options.subject,
    keys.spki,
    explicit(3, extensionsDer(extensions)),
  );
  const der = options.unsupportedSignature ? sequence(tbs, sequence(objectIdentifier(options.unsupportedSignature)), tlv(0x03, Buffer.from([0]), randomBytes(64))) : signed(tbs, issuerKey);
  return { name: options.subject, key: keys.key, spki: keys.spki, keyId: keys.keyId, der };
}

export const caExtensions = (pathLength?: number, usage: number[] = [5, 6]) => [ext.basicConstraints(true, pathLength), ext.keyUsage(...usage)];
export const leafExtensions = () => [ext.basicConstraints(false), ext.keyUsage(0, 1)];

export interface CrlOptions {
  issuer: Entity;
  /** The issuer Name as written in the CRL (default: the issuer's subject bytes). */
  issuerName?: Buffer;
  thisUpdate?: Date;
  nextUpdate?: Date;
  revoked?: { serial: string; date?: Date; extensions?: Ext[] }[];
  extensions?: Ext[];
  /** Sign with this key instead of the issuer's (a separate CRL-signing key). */
  signer?: Entity;
}

export function crl(options: CrlOptions): Buffer {
  const now = Date.now();
  const extensions = options.extensions ?? [ext.crlNumber(1)];
  if (!extensions.some((e) => e.oid === '2.5.29.35')) extensions.push(ext.authorityKeyIdentifier((options.signer ?? options.issuer).keyId));
  const tbs = sequence(
    smallInteger(1),
    signatureAlgorithm((options.signer ?? options.issuer).key),
    options.issuerName ?? options.issuer.name,
    time(options.thisUpdate ?? new Date(now - 3_600_000)),
    time(options.nextUpdate ?? new Date(now + 7 * DAY)),
    ...(options.revoked?.length
      ? [sequence(...options.revoked.map((r) => sequence(tlv(0x02, Buffer.from(r.serial, 'hex')), time(r.date ?? new Date(now - 7_200_000)), ...(r.extensions?.length ? [extensionsDer(r.extensions)] : []))))]
      : []),
    explicit(0, extensionsDer(extensions)),
  );
  return signed(tbs, (options.signer ?? options.issuer).key);
}

export const serialOf = (certificateDer: Buffer) => {
  // Certificate > TBSCertificate > [0] version, then serialNumber.
  const tbsStart = certificateDer[1] & 0x80 ? 2 + (certificateDer[1] & 0x7f) : 2;
  const tbsHeader = certificateDer[tbsStart + 1] & 0x80 ? 2 + (certificateDer[tbsStart + 1] & 0x7f) : 2;
  let at = tbsStart + tbsHeader;
  at += 2 + certificateDer[at + 1];
  return certificateDer.subarray(at + 2, at + 2 + certificateDer[at + 1]).toString('hex');
};

export const pemOf = (der: Buffer, label = 'CERTIFICATE') => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;

/**
 * `openssl verify` as a relying party runs it: the anchors as -CAfile, intermediates as
 * -untrusted, CRLs with -crl_check_all. True when OpenSSL accepts the target.
 */
export function opensslVerify(input: { target: Buffer; anchors: Buffer[]; intermediates?: Buffer[]; crls?: Buffer[]; crlCheck?: 'all' | 'leaf' | 'none'; extra?: string[] }): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pathval-'));
  const write = (name: string, ders: Buffer[], label?: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, ders.map((d) => pemOf(d, label)).join(''));
    return file;
  };
  const args = ['verify', '-CAfile', write('anchors.pem', input.anchors)];
  if (input.intermediates?.length) args.push('-untrusted', write('untrusted.pem', input.intermediates));
  const crlCheck = input.crlCheck ?? 'all';
  if (crlCheck !== 'none') args.push('-CRLfile', write('crls.pem', input.crls ?? [], 'X509 CRL'), crlCheck === 'all' ? '-crl_check_all' : '-crl_check');
  args.push(...(input.extra ?? []), write('target.pem', [input.target]));
  const result = openssl(args);
  return { ok: result.status === 0, output: result.stdout + result.stderr };
}

/** GOST 34.310-2004 as the national CA uses it (key and signature OIDs); no open implementation exists. */
export const GOST = { key: '1.2.398.3.10.1.1.1.1', signature: '1.2.398.3.10.1.1.1.2' };

/** A key whose SubjectPublicKeyInfo names a GOST algorithm (random key bytes: nothing can use it). */
export function gostKey(): { key: KeyObject; spki: Buffer; keyId: Buffer } {
  const spki = sequence(sequence(objectIdentifier(GOST.key)), tlv(0x03, Buffer.from([0]), tlv(0x04, randomBytes(64))));
  return { key: newKey().key, spki, keyId: createHash('sha1').update(spki).digest() };
}
