import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.js';
import { CertificateInfo } from '../pkix/certificate.js';
import { readPkcs12, signerFromPrivateKey } from '../client/pkcs12.js';
import { signCms } from '../client/sign.js';
import { canonicalJson, purposeOf, signerIdentityOf } from '../features/trust/index.js';

const derOf = (pem: string) => Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');

/**
 * The body of POST /v1/pki/applications/signed: the employee's two CSRs, the BIN and their own
 * IIN, signed (CMS, content attached) with their own individual AUTH certificate from a .p12.
 * The signature proves who applies, so no ID document is sent.
 */
export async function signedEmployeeApplication(options: {
  p12: Buffer;
  password: string;
  iin: string;
  bin: string;
  authCsrPem: string;
  signCsrPem: string;
  now?: Date;
}): Promise<{ application: string }> {
  const p12 = readPkcs12(options.p12, options.password);
  const certificate = CertificateInfo.parse(p12.certificate);
  if (purposeOf(certificate) === 'SIGN') {
    throw AppError.badRequest('APPLICATION_WRONG_CERTIFICATE', 'This .p12 holds a SIGN certificate; sign the application with your individual AUTH (authentication) certificate');
  }
  const identity = signerIdentityOf(certificate);
  if (identity.organization?.bin) {
    throw AppError.unprocessable('APPLICATION_NOT_INDIVIDUAL_CERTIFICATE', "This .p12 holds an organization's employee certificate; sign with your own individual AUTH certificate");
  }
  if (identity.iin?.value !== options.iin) {
    throw AppError.unprocessable('APPLICATION_SIGNER_MISMATCH', `This .p12 names IIN ${identity.iin?.value ?? '(none)'}, not ${options.iin}: each person applies for their own certificates`);
  }
  return signApplication(p12, { action: 'employee-certificate.apply' }, options);
}

/** Both CSRs, the BIN and the IIN with a fresh nonce and time, as canonical JSON signed (content attached) with the .p12's key. */
async function signApplication(
  p12: ReturnType<typeof readPkcs12>,
  fields: Record<string, string>,
  options: { iin: string; bin: string; authCsrPem: string; signCsrPem: string; now?: Date },
): Promise<{ application: string }> {
  const content = canonicalJson({
    ...fields,
    authCsr: derOf(options.authCsrPem).toString('base64'),
    bin: options.bin,
    iin: options.iin,
    issuedAt: (options.now ?? new Date()).toISOString(),
    nonce: randomBytes(16).toString('hex'),
    signCsr: derOf(options.signCsrPem).toString('base64'),
  });
  const cms = await signCms({
    content: Buffer.from(content, 'utf8'),
    signer: signerFromPrivateKey(p12.privateKey),
    certificate: p12.certificate,
    chain: p12.chain.filter((der) => !CertificateInfo.parse(der).selfIssued),
  });
  return { application: cms.toString('base64') };
}

/** How a head's .p12 proves the headship: a certificate already carrying the first-head role for the BIN, or only who they are (then an extract is needed). */
export function headshipOf(p12: Buffer, password: string, bin: string): { iin: string | undefined; proves: 'headship' | 'identity'; organization?: string } {
  const certificate = CertificateInfo.parse(readPkcs12(p12, password).certificate);
  if (purposeOf(certificate) === 'SIGN') {
    throw AppError.badRequest('APPLICATION_WRONG_CERTIFICATE', 'This .p12 holds a SIGN certificate; sign the application with an AUTH (authentication) certificate');
  }
  const identity = signerIdentityOf(certificate);
  if (!identity.organization?.bin) return { iin: identity.iin?.value, proves: 'identity' };
  if (identity.organization.bin.value !== bin || !identity.roles.includes('first-head')) {
    throw AppError.unprocessable(
      'HEADSHIP_NOT_PROVEN',
      `This .p12 is an employee certificate of ${identity.organization.bin.value} without the first-head role for ${bin}: sign with your individual AUTH certificate and give --registration-extract, or with a certificate already carrying the first-head role of ${bin}`,
    );
  }
  return { iin: identity.iin?.value, proves: 'headship', organization: identity.organization.name };
}

/**
 * The body of POST /v1/pki/applications/signed for a company head (action "head-certificate.apply"):
 * both CSRs, the BIN, the organization's name and, with an individual certificate, the
 * registration extract number; signed with the head's own AUTH certificate from a .p12.
 */
export async function signedHeadApplication(options: {
  p12: Buffer;
  password: string;
  iin: string;
  bin: string;
  organization: string;
  registrationExtract?: string;
  authCsrPem: string;
  signCsrPem: string;
  now?: Date;
}): Promise<{ application: string }> {
  const p12 = readPkcs12(options.p12, options.password);
  return signApplication(
    p12,
    { action: 'head-certificate.apply', organization: options.organization, ...(options.registrationExtract ? { registrationExtract: options.registrationExtract } : {}) },
    options,
  );
}
