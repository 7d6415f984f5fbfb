import 'reflect-metadata';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/types.js';
import * as x509 from '@peculiar/x509';
import { WebCryptoSigner } from '../../src/pkix/webcrypto-signer.js';
import type { CaEntity, CaHierarchy } from '../../src/features/ca/index.js';
import { certificateParts } from '../../src/features/ca/index.js';
import * as der from '../../src/der/writer.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA_ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** A self-signed RSA-2048 CA (the profile's other allowed algorithm), for CRL signing tests. */
export async function buildRsaTestCa(): Promise<CaEntity> {
  const signer = await WebCryptoSigner.generate('RSA-2048');
  const subject = `CN=Qorgau Test RSA CA ${randomBytes(4).toString('hex')},O=Qorgau,C=KZ`;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    publicKey: signer.keys.publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: RSA_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(signer.keys.publicKey),
    ],
  });
  return { name: 'rsa', certificate, der: Buffer.from(certificate.rawData), signer };
}
const DAY = 86_400_000;

/** A positive serial as the certificates table stores it: 16 random octets, top bit clear. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function entity(name: string, subject: string, issuer: { cert: x509.X509Certificate; keys: CryptoKeyPair } | null, extensions: x509.Extension[]) {
  const signer = await WebCryptoSigner.generate('ECDSA-P256');
  const ski = await x509.SubjectKeyIdentifierExtension.create(signer.keys.publicKey);
  const aki = issuer ? [await x509.AuthorityKeyIdentifierExtension.create(issuer.cert)] : [];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: issuer ? issuer.cert.subject : subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    publicKey: signer.keys.publicKey,
    signingKey: (issuer?.keys ?? signer.keys).privateKey,
    signingAlgorithm: ALG,
    extensions: [...extensions, ski, ...aki],
  });
  const ca: CaEntity & { keys: CryptoKeyPair } = { name, certificate, der: Buffer.from(certificate.rawData), signer, keys: signer.keys };
  return ca;
}

export type TestHierarchy = CaHierarchy & { [K in keyof CaHierarchy]: CaHierarchy[K] & { keys: CryptoKeyPair } };

/**
 * A throw-away root, issuing CA, delegated OCSP signer and TSA, with a unique issuing
 * name so tests sharing a database never see each other's certificates.
 */
export async function buildTestHierarchy(tag = randomBytes(4).toString('hex')): Promise<TestHierarchy> {
  const caUsage = new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);
  const root = await entity(`root-${tag}`, `CN=Qorgau Test Root ${tag},O=Qorgau,C=KZ`, null, [new x509.BasicConstraintsExtension(true, 1, true), caUsage]);
  const issuing = await entity(`issuing-${tag}`, `CN=Qorgau Test Issuing CA ${tag},O=Qorgau,C=KZ`, { cert: root.certificate, keys: root.keys }, [
    new x509.BasicConstraintsExtension(true, 0, true),
    caUsage,
  ]);
  const leafParent = { cert: issuing.certificate, keys: issuing.keys };
  const ocspSigner = await entity(`ocsp-${tag}`, `CN=Qorgau Test OCSP ${tag},O=Qorgau,C=KZ`, leafParent, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.9']),
    new x509.Extension('1.3.6.1.5.5.7.48.1.5', false, new Uint8Array([0x05, 0x00])),
  ]);
  const tsa = await entity(`tsa-${tag}`, `CN=Qorgau Test TSA ${tag},O=Qorgau,C=KZ`, leafParent, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8'], true),
  ]);
  return { root, issuing, ocspSigner, tsa };
}

/** An end-entity certificate from the issuing CA, with its serial in the table's form. */
export async function issueTestCertificate(hierarchy: TestHierarchy, options: { serial?: string; cn?: string } = {}) {
  const serial = options.serial ?? randomSerial();
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=${options.cn ?? 'TESTOV TEST'},SN=TESTOV,C=KZ`,
    issuer: hierarchy.issuing.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    publicKey: keys.publicKey,
    signingKey: hierarchy.issuing.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.AuthorityKeyIdentifierExtension.create(hierarchy.issuing.certificate),
    ],
  });
  return { serial, certificate, der: Buffer.from(certificate.rawData) };
}

export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/** Issues a certificate and records it in the certificates table, as issuance would. */
export async function insertTestCertificate(db: Kysely<DB>, hierarchy: TestHierarchy, options: { pairId?: string; profile?: string } = {}) {
  const issued = await issueTestCertificate(hierarchy);
  await db
    .insertInto('certificates')
    .values({
      serial: issued.serial,
      issuer: hierarchy.issuing.name,
      profile: options.profile ?? 'individual-auth',
      subject_iin: null,
      subject_bin: null,
      subject_dn: issued.certificate.subject,
      not_before: issued.certificate.notBefore,
      not_after: issued.certificate.notAfter,
      der: issued.der,
      pair_id: options.pairId ?? null,
      application_id: null,
    })
    .execute();
  return issued;
}

/** Runs the real openssl binary; resolves with its exit code and output (never rejects on a non-zero exit). */
export function openssl(args: string[], input?: Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'qorgau-revocation-'));
}

export function writeTemp(dir: string, name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/**
 * An OCSPRequest for one serial of `issuerDer`'s certificates (RFC 6960 4.1.1), built
 * here so tests control every field (hash algorithm, nonce, a foreign issuer).
 */
export function buildOcspRequest(issuerDer: Buffer, serial: string, options: { hash?: 'sha1' | 'sha256'; nonce?: Buffer } = {}): Buffer {
  const hash = options.hash ?? 'sha1';
  const parts = certificateParts(issuerDer);
  const hashOid = hash === 'sha1' ? '1.3.14.3.2.26' : '2.16.840.1.101.3.4.2.1';
  const certId = der.sequence(
    der.sequence(der.objectIdentifier(hashOid), der.nullValue()),
    der.octetString(createHash(hash).update(parts.subject).digest()),
    der.octetString(createHash(hash).update(parts.subjectPublicKey).digest()),
    der.tlv(der.TAG.INTEGER, Buffer.from(serial, 'hex')),
  );
  const extensions = options.nonce
    ? [der.explicit(2, der.sequence(der.sequence(der.objectIdentifier('1.3.6.1.5.5.7.48.1.2'), der.octetString(der.octetString(options.nonce)))))]
    : [];
  return der.sequence(der.sequence(der.sequence(der.sequence(certId)), ...extensions));
}
