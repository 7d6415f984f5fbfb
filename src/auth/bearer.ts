import { AppError } from '../errors/app-error.js';

/**
 * The credential of an `Authorization: Bearer <credential>` header: the one place it is read, for
 * operator tokens, lender keys and HR-system credentials alike. `needs` says in the refusal what
 * the route takes ("an API token", "a lender API key").
 */
export function bearerCredential(header: string | undefined, needs: string, placeholder = 'token'): string {
  if (!header) throw AppError.unauthorized('AUTH_REQUIRED', `This route needs ${needs}: send "Authorization: Bearer <${placeholder}>"`);
  const [scheme, credential] = header.split(' ', 2);
  if (scheme?.toLowerCase() !== 'bearer' || !credential) throw AppError.unauthorized('AUTH_SCHEME', `Use "Authorization: Bearer <${placeholder}>"`);
  return credential.trim();
}
