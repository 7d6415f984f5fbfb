import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../errors/app-error.js';
import { EncryptedFileSigner } from '../keys/encrypted-file-signer.js';
import { PROFILES } from '../profiles.js';
import { CEREMONY_FILE, caFiles, loadCaHierarchy, type CeremonyRecord } from './ceremony.js';
import { signWithProfile } from './certificate-authority.js';
import type { CaHierarchy } from './hierarchy.js';

/** The operational certificates the issuing CA renews: short-lived, and replaceable without touching the CAs. */
export const ROLLOVER_ENTITIES = { 'ocsp-signer': { key: 'ocspSigner', profile: PROFILES['ocsp-signer'], commonName: 'Qorgau OCSP Responder' }, tsa: { key: 'tsa', profile: PROFILES.tsa, commonName: 'Qorgau Time-Stamping Authority' } } as const;
export type RolloverEntity = keyof typeof ROLLOVER_ENTITIES;

/** How long before expiry a certificate of the hierarchy is reported as expiring. */
export const EXPIRY_WARNING_DAYS = 30;

export interface ExpiringCertificate {
  name: string;
  notAfter: Date;
  daysLeft: number;
}

/** The hierarchy's certificates that expire within `days` of `now` (or already did). */
export function expiringCertificates(hierarchy: CaHierarchy, now = new Date(), days = EXPIRY_WARNING_DAYS): ExpiringCertificate[] {
  return [hierarchy.root, hierarchy.issuing, hierarchy.ocspSigner, hierarchy.tsa]
    .map((e) => ({ name: e.name, notAfter: e.certificate.notAfter, daysLeft: Math.floor((e.certificate.notAfter.getTime() - now.getTime()) / 86_400_000) }))
    .filter((e) => e.daysLeft < days);
}

/**
 * Rolls the OCSP signer's or the TSA's key and certificate over before they expire: a new key
 * (encrypted like the others), a new certificate from the issuing CA under the same profile and
 * name, the old key and certificate kept beside as `<name>.<serial>.retired.*`, and the step
 * appended to the ceremony record. Tokens and responses already made stay verifiable with the
 * old certificate; servers pick the new one up at their next start.
 */
export async function rollOver(options: { dir: string; passphrase: string; entity: RolloverEntity; now?: Date }): Promise<{ serial: string; notAfter: Date; retired: string }> {
  const { dir, passphrase, entity } = options;
  const spec = ROLLOVER_ENTITIES[entity];
  if (!spec) throw AppError.badRequest('ROLLOVER_ENTITY_UNKNOWN', `Only ${Object.keys(ROLLOVER_ENTITIES).join(' and ')} are rolled over this way`);
  const record = JSON.parse(await readFile(path.join(dir, CEREMONY_FILE), 'utf8').catch(() => {
    throw AppError.notFound('CA_NOT_INITIALIZED', `${dir} has no ${CEREMONY_FILE}; run "qorgau ca init" first`);
  })) as CeremonyRecord;
  if (record.keyStorage?.kind === 'pkcs11') throw AppError.badRequest('ROLLOVER_PKCS11_UNSUPPORTED', 'Keys on a PKCS#11 token are rolled over with the token tools; this command handles encrypted key files');
  const hierarchy = await loadCaHierarchy(dir, passphrase);
  const old = hierarchy[spec.key];
  const files = caFiles(dir, entity);
  const oldSerial = old.certificate.serialNumber.toLowerCase();
  const retired = (suffix: string) => path.join(dir, `${entity}.${oldSerial}.retired.${suffix}`);
  const staged = `${files.key}.new`;
  await rm(staged, { force: true });
  const signer = await EncryptedFileSigner.generate(staged, passphrase, old.signer.algorithm);
  const spki = await signer.publicKeySpki();
  const signed = await signWithProfile({ profile: spec.profile, commonName: spec.commonName, subjectPublicKeyInfo: spki, notBefore: options.now }, { entity: hierarchy.issuing }, record.publicUrl, options.now);
  // Old files aside first, then the new ones in: a crash in between leaves both sets on disk, never neither.
  await rename(files.key, retired('key.pem'));
  await rename(files.der, retired('cer'));
  await rename(files.pem, retired('pem'));
  await rename(staged, files.key);
  await writeFile(files.der, signed.der, { flag: 'wx' });
  await writeFile(files.pem, `-----BEGIN CERTIFICATE-----\n${signed.der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`, { flag: 'wx' });
  const fingerprint = createHash('sha256').update(signed.der).digest('hex');
  record.steps.push({ at: new Date().toISOString(), action: 'roll over', entity, detail: `new key, ${spec.profile.name} certificate serial ${signed.serial} signed by ${hierarchy.issuing.name}, SHA-256 ${fingerprint}; retired serial ${oldSerial}` });
  const entry = record.entities.find((e) => e.name === entity);
  if (entry) Object.assign(entry, { serial: signed.serial, notBefore: signed.notBefore.toISOString(), notAfter: signed.notAfter.toISOString(), sha256Fingerprint: fingerprint, publicKeySha256: createHash('sha256').update(spki).digest('hex') });
  await writeFile(path.join(dir, CEREMONY_FILE), JSON.stringify(record, null, 2) + '\n');
  return { serial: signed.serial, notAfter: signed.notAfter, retired: path.basename(retired('cer')) };
}
