import type { ErrorKind } from './app-error.js';

/**
 * The command line's exit status by kind of error (its HTTP twin is HTTP_STATUS_OF_KIND):
 * 1 for a refusal the user can fix (bad input, no right, not found, conflict); 4 when a server
 * or service was out of reach or failed, so a script may retry. 2 is a configuration error or a
 * database held by a running server; `cert verify` and `verify` answer 3 for indeterminate.
 */
export const EXIT_CODE_OF_KIND: Record<ErrorKind, number> = {
  malformed: 1,
  unauthorized: 1,
  forbidden: 1,
  not_found: 1,
  conflict: 1,
  too_large: 1,
  unsupported_media: 1,
  unprocessable: 1,
  rate_limited: 1,
  unavailable: 4,
  upstream: 4,
};
