import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { WebCryptoSigner } from '../../src/pkix/webcrypto-signer.js';
import { makeIin } from '../../src/identifiers/iin.js';
import type { KeyAlgorithm } from '../../src/pkix/key-signer.js';
import type { CaEntity, CaHierarchy } from '../../src/features/ca/index.js';
import {
  id_kp_clientAuth,
  id_kp_emailProtection,
  id_kp_OCSPSigning,
  id_kp_timeStamping,
  kz_policy_individualAuth,
  kz_policy_individualSign,
  kz_role_individual,
} from '../../src/pkix/oids.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * A small CA hierarchy for CMS and time-stamp tests, made in memory with @peculiar/x509:
 * root -> issuing -> end entities, and a TSA certificate with a critical timeStamping EKU.
 */
const DAY = 86_400_000;

export interface TestEntity extends CaEntity {
  keys: CryptoKeyPair;
}

export interface TestPerson {
  iin: string;
  auth: TestEntity;
  sign: TestEntity;
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x10;
  return bytes.toString('hex');
}

const signingAlgorithm = (algorithm: KeyAlgorithm) =>
  algorithm === 'ECDSA-P256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** A certificate for `subject` with its own fresh key, issued by `issuer` (self-signed without one). */
export async function issueTestCertificate(
  name: string,
  subject: string,
  issuer: TestEntity | undefined,
  extensions: (publicKey: CryptoKey) => Promise<x509.Extension[]>,
  options: { algorithm?: KeyAlgorithm; notBefore?: Date; notAfter?: Date } = {},
): Promise<TestEntity> {
  const algorithm = options.algorithm ?? 'ECDSA-P256';
  const signer = await WebCryptoSigner.generate(algorithm);
  const exts = [
    ...(await extensions(signer.keys.publicKey)),
    await x509.SubjectKeyIdentifierExtension.create(signer.keys.publicKey),
    ...(issuer ? [await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)] : []),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: issuer ? issuer.certificate.subject : subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: signingAlgorithm(issuer?.signer.algorithm ?? algorithm),
    publicKey: signer.keys.publicKey,
    signingKey: (issuer?.keys ?? signer.keys).privateKey,
    extensions: exts,
  });
  return { name, certificate, der: Buffer.from(certificate.rawData), signer, keys: signer.keys };
}

export const caExtensions = async (pathLength?: number) => [
  new x509.BasicConstraintsExtension(true, pathLength, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
];

export async function buildTestHierarchy(label = randomBytes(3).toString('hex')): Promise<CaHierarchy & { root: TestEntity; issuing: TestEntity; tsa: TestEntity; ocspSigner: TestEntity }> {
  const root = await issueTestCertificate('root', `CN=Qorgau Test Root ${label}, O=Qorgau, C=KZ`, undefined, () => caExtensions(), { notBefore: new Date(Date.now() - 10 * 365 * DAY), notAfter: new Date(Date.now() + 20 * 365 * DAY) });
  const issuing = await issueTestCertificate('issuing', `CN=Qorgau Test Issuing CA ${label}, O=Qorgau, C=KZ`, root, () => caExtensions(), { notBefore: new Date(Date.now() - 5 * 365 * DAY), notAfter: new Date(Date.now() + 10 * 365 * DAY) });
  const tsa = await issueTestCertificate('tsa', `CN=Qorgau Test TSA ${label}, O=Qorgau, C=KZ`, issuing, async () => [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    // RFC 3161 2.3: the TSA certificate MUST carry exactly this EKU, marked critical.
    new x509.ExtendedKeyUsageExtension([id_kp_timeStamping], true),
  ]);
  const ocspSigner = await issueTestCertificate('ocsp', `CN=Qorgau Test OCSP ${label}, O=Qorgau, C=KZ`, issuing, async () => [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([id_kp_OCSPSigning], false),
  ]);
  return { root, issuing, tsa, ocspSigner };
}

/** A valid IIN with a random birth date and serial. */
export function randomIin(): string {
  for (;;) {
    const birth = new Date(Date.UTC(1950 + Math.floor(Math.random() * 50), Math.floor(Math.random() * 12), 1 + Math.floor(Math.random() * 28)));
    const iin = makeIin(birth, Math.random() < 0.5 ? 'male' : 'female', Math.floor(Math.random() * 10_000));
    if (iin) return iin;
  }
}

export interface PersonOptions {
  iin?: string;
  surname?: string;
  name?: string;
  patronymic?: string;
  organization?: { name: string; bin: string };
  roles?: string[];
  algorithm?: KeyAlgorithm;
  notBefore?: Date;
  notAfter?: Date;
}

/** An individual's AUTH and SIGN certificates in the national CA's profile (DESIGN.md). */
export async function issuePerson(issuing: TestEntity, options: PersonOptions = {}): Promise<TestPerson> {
  const iin = options.iin ?? randomIin();
  const surname = options.surname ?? 'ТЕСТОВА';
  const givenName = options.name ?? 'АЙГЕРІМ';
  const rdns = [
    `CN=${surname} ${givenName}`,
    `SN=${surname}`,
    `2.5.4.5=IIN${iin}`,
    'C=KZ',
    ...(options.patronymic ? [`G=${options.patronymic}`] : []),
    ...(options.organization ? [`O=${options.organization.name}`, `OU=BIN${options.organization.bin}`] : []),
  ];
  const roles = options.roles ?? [kz_role_individual];
  const make = (purpose: 'auth' | 'sign') =>
    issueTestCertificate(
      purpose,
      rdns.join(', '),
      issuing,
      async () => [
        new x509.KeyUsagesExtension(
          purpose === 'auth'
            ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
            : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([purpose === 'auth' ? id_kp_clientAuth : id_kp_emailProtection, ...roles], false),
        new x509.CertificatePolicyExtension([purpose === 'auth' ? kz_policy_individualAuth : kz_policy_individualSign], false),
      ],
      { algorithm: options.algorithm, notBefore: options.notBefore, notAfter: options.notAfter },
    );
  return { iin, auth: await make('auth'), sign: await make('sign') };
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/** PKCS#8 DER of an entity's private key, for handing to openssl. */
export async function privateKeyPkcs8(keys: CryptoKeyPair): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
}

export function tempDir(prefix = 'qorgau-cms-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function writeTemp(dir: string, name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
