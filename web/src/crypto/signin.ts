import { api, ApiProblem, type Session } from '../api';
import { certificateFacts, type CertificateFacts } from './certificate.js';
import { signCms, toBase64 } from './cms';
import { KeyFileError, openKeyFile, type OpenedKey } from './keyfile.js';

/** Why a key file cannot be used, as a message key under `signin.` and its values. */
export class KeyUseError extends Error {
  constructor(readonly messageKey: string, readonly values: Record<string, string> = {}) {
    super(messageKey);
  }
}

export interface CheckedKey {
  key: OpenedKey;
  facts: CertificateFacts;
}

/**
 * Opens a key file and checks, before anything is signed, what can be told locally: the
 * password, the algorithm, the purpose (AUTH to sign in, SIGN for requests) and the validity.
 * Revocation and trust are the server's to tell; its refusals are mapped to the same words.
 */
export async function openAndCheck(bytes: Uint8Array, password: string, purpose: 'AUTH' | 'SIGN', formatDate: (d: Date) => string, now = new Date()): Promise<CheckedKey> {
  let key: OpenedKey;
  try {
    key = await openKeyFile(bytes, password);
  } catch (err) {
    if (err instanceof KeyFileError) throw new KeyUseError(`signin.${err.problem}`);
    throw err;
  }
  const facts = certificateFacts(key.certificate);
  if (facts.gost) throw new KeyUseError('signin.GOST');
  if (purpose === 'AUTH' && facts.purpose === 'SIGN') throw new KeyUseError('signin.SIGN_FOR_AUTH');
  if (purpose === 'SIGN' && facts.purpose === 'AUTH') throw new KeyUseError('sign.AUTH_FOR_SIGN');
  if (facts.notAfter < now) throw new KeyUseError('signin.EXPIRED', { date: formatDate(facts.notAfter) });
  if (facts.notBefore > now) throw new KeyUseError('signin.NOT_YET_VALID', { date: formatDate(facts.notBefore) });
  return { key, facts };
}

const SERVER_REFUSALS: Record<string, string> = {
  SIGNIN_CERTIFICATE_REVOKED: 'signin.REVOKED',
  DOCUMENT_CERTIFICATE_REVOKED: 'signin.REVOKED',
  SIGNIN_CERTIFICATE_UNTRUSTED: 'signin.UNTRUSTED',
  DOCUMENT_CERTIFICATE_UNTRUSTED: 'signin.UNTRUSTED',
  SIGNIN_CERTIFICATE_EXPIRED: 'signin.EXPIRED',
  SIGNIN_WRONG_CERTIFICATE: 'signin.SIGN_FOR_AUTH',
  DOCUMENT_WRONG_CERTIFICATE: 'sign.AUTH_FOR_SIGN',
  SIGNIN_NO_IIN: 'signin.NO_IIN',
  SIGNIN_REVOCATION_UNKNOWN: 'signin.REVOCATION_UNKNOWN',
  DOCUMENT_IIN_MISMATCH: 'sign.DOCUMENT_IIN_MISMATCH',
  DOCUMENT_SIGNER_NOT_SIGNED_IN: 'sign.DOCUMENT_SIGNER_NOT_SIGNED_IN',
};

export function refusalOf(err: unknown, facts?: CertificateFacts, formatDate?: (d: Date) => string): KeyUseError {
  if (err instanceof KeyUseError) return err;
  if (err instanceof ApiProblem && SERVER_REFUSALS[err.code]) {
    return new KeyUseError(SERVER_REFUSALS[err.code], { issuer: facts?.issuer ?? '', date: facts && formatDate ? formatDate(facts.notAfter) : '' });
  }
  return new KeyUseError('signin.FAILED', { detail: err instanceof Error ? err.message : String(err) });
}

/** Signs the server's one-time challenge with the AUTH key, as `qorgau login` does. */
export async function signIn(checked: CheckedKey): Promise<Session> {
  const { nonce } = await api<{ nonce: string }>('/v1/auth/challenge', { method: 'POST' });
  const cms = await signCms(checked.key, new TextEncoder().encode(nonce));
  return api<Session>('/v1/auth/signin', { method: 'POST', body: { nonce, cms: toBase64(cms) } });
}
