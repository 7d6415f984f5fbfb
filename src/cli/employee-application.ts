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
  const content = canonicalJson({
    action: 'employee-certificate.apply',
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
