import { AppError } from '../../errors/app-error.js';

/** A CMS sent in JSON: base64 or base64url of the DER, whitespace allowed, or a PEM block. */
export function decodeCms(text: string): Buffer {
  const pem = /^\s*-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----\s*$/.exec(text);
  const compact = (pem ? pem[1] : text).replace(/\s+/g, '');
  if (!compact || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw AppError.badRequest('INVALID_BASE64', '"document" is not base64');
  return Buffer.from(compact, /[-_]/.test(compact) ? 'base64url' : 'base64');
}
