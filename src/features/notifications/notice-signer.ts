import { Es256Key, type Es256PublicJwk } from '../../auth/es256-key.js';

/**
 * Signs webhook notices (compact JWS, ES256, typ "qorgau-notice+jwt") so a receiver can tell a
 * notice came from Qorgau: a forged "your lift is in effect" is what a fraudster would send.
 * A key of its own, not the lender-answer key: a notice can never pass for a check answer.
 */
export class NoticeSigner {
  readonly publicJwk: Es256PublicJwk;

  private constructor(private readonly key: Es256Key) {
    this.publicJwk = key.publicJwk;
  }

  /** The key in `file`, generated there (mode 0600) on first use. */
  static fromFile(file: string): NoticeSigner {
    return new NoticeSigner(Es256Key.fromFile(file, 'qorgau-notice+jwt', 'notice'));
  }

  /** A compact JWS whose payload is exactly `body` (the webhook's request body, base64url). */
  sign(body: Buffer): string {
    return this.key.signCompact(body);
  }
}
