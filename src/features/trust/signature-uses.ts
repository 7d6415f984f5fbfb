import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { VerificationReport as SignatureVerificationReport } from './signature-verifier.js';

export type SignaturePurpose = 'signin' | 'verify' | 'sign';

/** Who saw the use: the platform itself (sign-in, a signed request) or an authenticated relying party. */
export type SignatureReporter = { kind: 'platform' } | { kind: 'relying-party'; name: string };

/**
 * One use of a certificate the platform saw: a sign-in, a signed request, a relying party's
 * verification. Announced only for a signature that verified (signature and chain,
 * isEvidenceOfUse): a signature that does not verify is nobody's use.
 */
export interface SignatureUse {
  purpose: SignaturePurpose;
  report: SignatureVerificationReport;
  /** The stable code the request was refused with; absent when it was accepted. */
  refusal?: string;
  reporter: SignatureReporter;
  at: Date;
  clientIp: string;
  deviceId?: string;
}

export type SignatureUseListener = (use: SignatureUse) => Promise<void>;

/** The client's device identifier, from the X-Device-Id header (bounded, printable). */
export function deviceIdOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['x-device-id'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value && /^[\x21-\x7e]{1,200}$/.test(value) ? value : undefined;
}

/**
 * Trust announces every signature use here (the event `signatureUsed`); features that care
 * listen (signatures records usage events and runs its misuse rules). Trust knows no
 * employers: it only says what was used, by whom it was seen, where and how it ended. A listener
 * that fails is logged and never fails the request it observes.
 */
export class SignatureUses {
  private readonly listeners: SignatureUseListener[] = [];

  constructor(
    private readonly isEvidenceOfUse: (report: SignatureVerificationReport) => boolean,
    /** The pseudonym of an IIN, to tell whether a signed request was signed by the signed-in person. */
    private readonly pseudonymOf: (iin: string) => Buffer,
  ) {}

  onSignatureUsed(listener: SignatureUseListener): void {
    this.listeners.push(listener);
  }

  /** Announces a verified signature seen by a route, with the request's client address and device. */
  async seen(request: FastifyRequest, purpose: SignaturePurpose, seen: { report: SignatureVerificationReport; refusal?: string; reporter: SignatureReporter }): Promise<void> {
    if (!this.isEvidenceOfUse(seen.report)) return;
    const use: SignatureUse = { purpose, ...seen, at: new Date(), clientIp: request.ip, deviceId: deviceIdOf(request) };
    await this.announce(use, request.log);
  }

  /**
   * Runs a use the platform verifies itself (a sign-in, a signed request) and announces it,
   * accepted or refused, from the verifier's report the run hands to `observe`. With
   * `signedInAs` (a signed request), only a signature by the signed-in person counts: somebody
   * else's document replayed through a session is not a use by its signer.
   */
  async around<T>(
    request: FastifyRequest,
    purpose: SignaturePurpose,
    run: (observe: (report: SignatureVerificationReport) => void) => Promise<T>,
    options: { signedInAs?: Buffer } = {},
  ): Promise<T> {
    let seen: SignatureVerificationReport | undefined;
    const observe = (report: SignatureVerificationReport) => {
      seen = report;
    };
    const counts = () => {
      if (!seen) return false;
      if (!options.signedInAs) return true;
      const iin = seen.signers[0]?.signer?.iin;
      return iin?.valid === true && this.pseudonymOf(iin.value).equals(options.signedInAs);
    };
    let result: T;
    try {
      result = await run(observe);
    } catch (err) {
      if (counts()) await this.seen(request, purpose, { report: seen!, refusal: (err as { code?: string }).code ?? 'ERROR', reporter: { kind: 'platform' } });
      throw err;
    }
    if (counts()) await this.seen(request, purpose, { report: seen!, reporter: { kind: 'platform' } });
    return result;
  }

  private async announce(use: SignatureUse, log: FastifyBaseLogger): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(use);
      } catch (err) {
        log.error({ err }, 'signature use not recorded');
      }
    }
  }
}
