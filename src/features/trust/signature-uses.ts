import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { VerificationReport } from './signature-verifier.js';

export type SignaturePurpose = 'signin' | 'verify' | 'sign';

/**
 * One use of a certificate the platform saw: a sign-in, a verification, a signed request.
 * With a report the signature was verified; with only the CMS it was refused before (a
 * refused sign-in is a use too), and the listener reads the signer from the CMS.
 */
export interface SignatureUse {
  purpose: SignaturePurpose;
  report?: VerificationReport;
  cms?: Buffer;
  /** The stable code the request was refused with; absent when it was accepted. */
  refusal?: string;
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
 * employers: it only says what was used, where and how it ended. A listener that fails is
 * logged and never fails the request it observes.
 */
export class SignatureUses {
  private readonly listeners: SignatureUseListener[] = [];

  onSignatureUsed(listener: SignatureUseListener): void {
    this.listeners.push(listener);
  }

  async announce(use: SignatureUse, log: FastifyBaseLogger): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(use);
      } catch (err) {
        log.error({ err }, 'signature use not recorded');
      }
    }
  }

  /** Announces a use seen by a route, with the request's client address and device. */
  async seen(request: FastifyRequest, purpose: SignaturePurpose, seen: { report?: VerificationReport; cms?: Buffer; refusal?: string }): Promise<void> {
    await this.announce({ purpose, ...seen, at: new Date(), clientIp: request.ip, deviceId: deviceIdOf(request) }, request.log);
  }

  /** Runs a use given as a CMS (a sign-in, a signed request) and announces it, accepted or refused. */
  async around<T>(request: FastifyRequest, purpose: SignaturePurpose, cms: Buffer, run: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await run();
    } catch (err) {
      await this.seen(request, purpose, { cms, refusal: (err as { code?: string }).code ?? 'ERROR' });
      throw err;
    }
    await this.seen(request, purpose, { cms });
    return result;
  }
}
