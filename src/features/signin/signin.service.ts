import { AppError } from '../../errors/app-error.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import type { SignatureVerifier, VerificationReport } from '../trust/index.js';
import type { PresentedCertificates } from '../trust/index.js';
import { acceptSigner, isEvidenceOfUse } from '../trust/index.js';
import type { Challenge, ChallengeStore } from './challenges.js';
import type { OpenedSession, SessionStore } from './sessions.js';

const refuse = (code: string, detail: string) => new AppError('unauthorized', code, detail);

/**
 * Sign-in with e-signature: a single-use nonce, signed as CMS with the person's AUTH
 * certificate, verified (signature, chain, validity, revocation), opens a session for the
 * IIN the certificate names, kept only as its pseudonym.
 */
export class SigninService {
  constructor(
    private readonly challenges: ChallengeStore,
    readonly sessions: SessionStore,
    private readonly verifier: SignatureVerifier,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly sessionMinutes: number,
    private readonly presented?: PresentedCertificates,
  ) {}

  challenge(): Promise<Challenge> {
    return this.challenges.issue();
  }

  async signIn(nonce: string, cms: Buffer, observe?: (report: VerificationReport) => void): Promise<OpenedSession> {
    const state = await this.challenges.state(nonce);
    if (state === 'unknown') throw refuse('SIGNIN_NONCE_UNKNOWN', 'This nonce was not issued here: ask POST /v1/auth/challenge for one');
    if (state === 'used') throw refuse('SIGNIN_NONCE_REPLAYED', 'This nonce was already used to sign in: ask for a new challenge');
    if (state === 'expired') throw refuse('SIGNIN_NONCE_EXPIRED', 'This nonce has expired: ask for a new challenge');

    let report;
    try {
      // Attached or detached alike: the signed content must be the nonce, byte for byte.
      report = await this.verifier.verify(cms, { detachedContent: Buffer.from(nonce, 'utf8') });
    } catch (err) {
      if (err instanceof AppError && err.code === 'CMS_CONTENT_MISMATCH') throw refuse('SIGNIN_CONTENT_MISMATCH', 'The signature is over other data than the nonce');
      throw err;
    }
    let accepted;
    try {
      accepted = acceptSigner(report, { purpose: 'AUTH', prefix: 'SIGNIN', kind: 'unauthorized' });
    } catch (err) {
      // A key that really signed this nonce (a revoked or expired certificate's) is one use, however often the same CMS is sent again.
      if (isEvidenceOfUse(report) && !(await this.challenges.consume(nonce))) throw refuse('SIGNIN_NONCE_REPLAYED', 'This nonce was used by another sign-in meanwhile');
      observe?.(report);
      throw err;
    }
    if (!(await this.challenges.consume(nonce))) throw refuse('SIGNIN_NONCE_REPLAYED', 'This nonce was used by another sign-in meanwhile');
    observe?.(report);
    // Kept (pki's store) so the IIN, BIN and roles of another CA's certificate can be read again.
    await this.presented?.rememberSigner(cms, accepted.certificate);

    const organizationBin = accepted.signer.organization?.bin?.valid ? accepted.signer.organization.bin.value : undefined;
    return this.sessions.open(
      {
        personHash: this.pseudonymizer.of(accepted.iin),
        certificateSerial: accepted.certificate.serialNumber,
        certificateIssuer: accepted.certificate.issuer,
        holder: organizationBin ? 'employee' : 'individual',
        displayName: accepted.signer.commonName ?? 'unnamed',
      },
      this.sessionMinutes,
    );
  }
}
