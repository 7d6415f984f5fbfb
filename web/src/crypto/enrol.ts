import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificate, toArrayBuffer } from './certificate';

/**
 * Getting a certificate in the browser, nothing installed: two key pairs (AUTH and SIGN) made
 * here with WebCrypto, PKCS#10 requests signed with them, and, once the CA has issued, PKCS#12
 * files written here under the person's password. The private keys never leave this page except
 * inside those password-protected files (and, while the application waits, sealed under the same
 * password in this browser's storage).
 */

const CN = '2.5.4.3';
const SURNAME = '2.5.4.4';
const SERIAL_NUMBER = '2.5.4.5';
const COUNTRY = '2.5.4.6';
const GIVEN_NAME = '2.5.4.42';

export interface Applicant {
  iin: string;
  surname: string;
  givenName: string;
  patronymic?: string;
}

export interface NameAttribute {
  type: string;
  value: string;
}

/** The subject as the CA's profile writes it (CN "SURNAME NAME", SURNAME, serialNumber IIN…, C, GIVENNAME = patronymic). */
export function applicantSubject(a: Applicant): NameAttribute[] {
  const upper = (s: string) => s.trim().toLocaleUpperCase('kk-KZ');
  const attributes = [
    { type: CN, value: `${upper(a.surname)} ${upper(a.givenName)}` },
    { type: SURNAME, value: upper(a.surname) },
    { type: SERIAL_NUMBER, value: `IIN${a.iin}` },
    { type: COUNTRY, value: 'KZ' },
  ];
  if (a.patronymic?.trim()) attributes.push({ type: GIVEN_NAME, value: upper(a.patronymic) });
  return attributes;
}

/** The subject of a certificate held now, for a renewal that names the same person. */
export function subjectOf(certificateDer: Uint8Array): NameAttribute[] {
  return parseCertificate(certificateDer).subject.typesAndValues.map((tv) => ({ type: tv.type, value: String(tv.value.valueBlock.value) }));
}

/** One attribute per RDN (pkijs alone would make one multi-valued RDN). */
function buildName(attributes: NameAttribute[]): pkijs.RelativeDistinguishedNames {
  const value = (a: NameAttribute) => (a.type === COUNTRY || a.type === SERIAL_NUMBER ? new asn1js.PrintableString({ value: a.value }) : new asn1js.Utf8String({ value: a.value }));
  const rdns = new asn1js.Sequence({
    value: attributes.map((a) => new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: a.type }), value(a)] })] })),
  });
  return pkijs.RelativeDistinguishedNames.fromBER(rdns.toBER(false));
}

/** ECDSA P-256, the profile's default. Extractable only so that it can be written into the person's .p12 here. */
export async function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
}

/** RFC 2986 CertificationRequest signed with SHA-256 (given: pkijs would use SHA-1). */
export async function buildCsr(keys: CryptoKeyPair, subject: NameAttribute[]): Promise<Uint8Array> {
  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject = buildName(subject);
  await csr.subjectPublicKeyInfo.importKey(keys.publicKey);
  await csr.sign(keys.privateKey, 'SHA-256');
  return new Uint8Array(csr.toSchema().toBER(false));
}

export const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
};
export const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

// --- waiting keys: sealed under the person's password until the CA issues --------------

const PBKDF2_ITERATIONS = 310_000;

interface SealedKeys {
  salt: string;
  iv: string;
  data: string;
}

async function passwordKey(password: string, salt: Uint8Array): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', toArrayBuffer(new TextEncoder().encode(password)), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', salt: toArrayBuffer(salt), iterations: PBKDF2_ITERATIONS, hash: 'SHA-256' }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** The two private keys (PKCS#8) sealed with AES-GCM under a PBKDF2 key from the password. */
export async function sealKeys(password: string, keys: { auth: CryptoKey; sign: CryptoKey }): Promise<SealedKeys> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const auth = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.auth));
  const sign = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.sign));
  const plain = new TextEncoder().encode(JSON.stringify({ auth: toBase64(auth), sign: toBase64(sign) }));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: toArrayBuffer(iv) }, await passwordKey(password, salt), toArrayBuffer(plain)));
  auth.fill(0);
  sign.fill(0);
  plain.fill(0);
  return { salt: toBase64(salt), iv: toBase64(iv), data: toBase64(data) };
}

export class WrongPasswordError extends Error {}

export async function openSealedKeys(password: string, sealed: SealedKeys): Promise<{ auth: Uint8Array; sign: Uint8Array }> {
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: toArrayBuffer(fromBase64(sealed.iv)) }, await passwordKey(password, fromBase64(sealed.salt)), toArrayBuffer(fromBase64(sealed.data)));
  } catch {
    throw new WrongPasswordError('wrong password');
  }
  const keys = JSON.parse(new TextDecoder().decode(plain)) as { auth: string; sign: string };
  return { auth: fromBase64(keys.auth), sign: fromBase64(keys.sign) };
}

/** Where a waiting application's sealed keys are kept in this browser. */
const STORE_PREFIX = 'qorgau.application.';
export interface WaitingApplication {
  id: string;
  createdAt: string;
  keys: SealedKeys;
  /** Returned once by the submission: only this browser gives the application's pictures with it. */
  captureSecret?: string;
}
export function saveWaiting(application: WaitingApplication): void {
  localStorage.setItem(STORE_PREFIX + application.id, JSON.stringify(application));
  localStorage.setItem(`${STORE_PREFIX}last`, application.id);
}
export function loadWaiting(id: string): WaitingApplication | null {
  const text = localStorage.getItem(STORE_PREFIX + id);
  return text ? (JSON.parse(text) as WaitingApplication) : null;
}
export function lastWaitingId(): string | null {
  return localStorage.getItem(`${STORE_PREFIX}last`);
}
export function forgetWaiting(id: string): void {
  localStorage.removeItem(STORE_PREFIX + id);
  if (localStorage.getItem(`${STORE_PREFIX}last`) === id) localStorage.removeItem(`${STORE_PREFIX}last`);
}

// --- PKCS#12 ------------------------------------------------------------------------

const PKCS8_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const X509_CERTIFICATE = '1.2.840.113549.1.9.22.1';
const FRIENDLY_NAME = '1.2.840.113549.1.9.20';
const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';

/**
 * The same PFX as `qorgau keygen finish` writes (src/client/pkcs12-writer.ts): the key in a
 * PKCS8ShroudedKeyBag, the certificates in an EncryptedData, both PBES2 (PBKDF2/HMAC-SHA-256,
 * AES-256-CBC), MACed with HMAC-SHA-256; `openssl pkcs12` and the sign-in screen open it.
 */
export async function buildPkcs12(input: { privateKeyPkcs8: Uint8Array; certificate: Uint8Array; chain: Uint8Array[]; password: string; name: string }): Promise<Uint8Array> {
  const password = toArrayBuffer(new TextEncoder().encode(input.password));
  const keyId = new asn1js.OctetString({ valueHex: await crypto.subtle.digest('SHA-1', toArrayBuffer(input.certificate)) });
  const attribute = (type: string, value: asn1js.AsnType) => new pkijs.Attribute({ type, values: [value] });
  const bagAttributes = [attribute(FRIENDLY_NAME, new asn1js.BmpString({ value: input.name })), attribute(LOCAL_KEY_ID, keyId)];
  const keyBag = new pkijs.SafeBag({
    bagId: PKCS8_SHROUDED_KEY_BAG,
    bagValue: new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(toArrayBuffer(input.privateKeyPkcs8)) }),
    bagAttributes,
  });
  const certificateBags = [input.certificate, ...input.chain].map(
    (der, i) =>
      new pkijs.SafeBag({
        bagId: CERT_BAG,
        bagValue: new pkijs.CertBag({ certId: X509_CERTIFICATE, parsedValue: parseCertificate(der) }),
        ...(i === 0 ? { bagAttributes } : {}),
      }),
  );
  const pfx = new pkijs.PFX({
    parsedValue: {
      integrityMode: 0,
      authenticatedSafe: new pkijs.AuthenticatedSafe({
        parsedValue: {
          safeContents: [
            { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: [keyBag] }) },
            { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: certificateBags }) },
          ],
        },
      }),
    },
  });
  const contentEncryptionAlgorithm = { name: 'AES-CBC', length: 256 } as pkijs.ContentEncryptionAesCbcParams;
  const encryption = { password, contentEncryptionAlgorithm, hmacHashAlgorithm: 'SHA-256', iterationCount: 100_000 };
  await (keyBag.bagValue as pkijs.PKCS8ShroudedKeyBag).makeInternalValues(encryption);
  await pfx.parsedValue!.authenticatedSafe!.makeInternalValues({ safeContents: [{}, encryption] });
  await pfx.makeInternalValues({ password, iterations: 10_000, pbkdf2HashAlgorithm: 'SHA-256', hmacHashAlgorithm: 'SHA-256' });
  return new Uint8Array(pfx.toSchema().toBER(false));
}

/** Saves bytes as a file the person downloads. */
export function download(bytes: Uint8Array, fileName: string, type = 'application/x-pkcs12'): void {
  const url = URL.createObjectURL(new Blob([toArrayBuffer(bytes)], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The issued certificate and the CA certificates for the file. */
export async function fetchDer(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Writes the two .p12 files of an issued pair; the page offers each with its own button (browsers hold back a second automatic download). */
export async function deliverPair(input: {
  certificates: { kind: 'auth' | 'sign'; url: string }[];
  keys: { auth: Uint8Array; sign: Uint8Array };
  password: string;
}): Promise<{ auth: Uint8Array; sign: Uint8Array }> {
  const chain = [await fetchDer('/pki/ca/issuing.cer'), await fetchDer('/pki/ca/root.cer')];
  const files: { auth: Uint8Array; sign: Uint8Array } = { auth: new Uint8Array(), sign: new Uint8Array() };
  for (const kind of ['auth', 'sign'] as const) {
    const issued = input.certificates.find((c) => c.kind === kind);
    if (!issued) throw new Error(`no ${kind} certificate`);
    // The URL the server gives may carry its public address; the path is what this page asks.
    const certificate = await fetchDer(new URL(issued.url, window.location.origin).pathname);
    files[kind] = await buildPkcs12({ privateKeyPkcs8: input.keys[kind], certificate, chain, password: input.password, name: kind.toUpperCase() });
  }
  input.keys.auth.fill(0);
  input.keys.sign.fill(0);
  return files;
}
