/**
 * One coded error type that crosses layers (after Boulder's errors package). Domain code says
 * what kind of refusal it is and gives a stable code; it never names an HTTP status. The HTTP
 * edge maps kinds to statuses (`HTTP_STATUS_OF_KIND` in http-errors.ts) and the CLI maps them
 * to exit codes. The code is a stable contract: clients branch on it, so never rename one;
 * every code is listed in codes.ts, and docs/errors.md is generated from that list.
 */
export interface ProblemExtras {
  [key: string]: unknown;
}

/** What went wrong, in words the caller can act on; the HTTP status follows from it. */
export const ERROR_KINDS = [
  'malformed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'unsupported_media',
  'unprocessable',
  'rate_limited',
  'unavailable',
  'upstream',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly extras: ProblemExtras = {},
    /** `cause` is logged by the server, never shown to the caller. */
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }

  static badRequest(code: string, message: string, extras?: ProblemExtras) {
    return new AppError('malformed', code, message, extras);
  }
  static unauthorized(code: string, message: string) {
    return new AppError('unauthorized', code, message);
  }
  static forbidden(code: string, message: string) {
    return new AppError('forbidden', code, message);
  }
  static notFound(code: string, message: string) {
    return new AppError('not_found', code, message);
  }
  static conflict(code: string, message: string, extras?: ProblemExtras) {
    return new AppError('conflict', code, message, extras);
  }
  static unprocessable(code: string, message: string, extras?: ProblemExtras) {
    return new AppError('unprocessable', code, message, extras);
  }
  /** A service this one needs (the CA, a key, the database) is not there now; retrying may help. */
  static unavailable(code: string, message: string, options?: { cause?: unknown }) {
    return new AppError('unavailable', code, message, {}, options);
  }
  /** Another server (a TSA, an OCSP responder, a Qorgau server the CLI calls) failed or answered wrongly. */
  static upstream(code: string, message: string, options?: { cause?: unknown }) {
    return new AppError('upstream', code, message, {}, options);
  }
}

/** RFC 9457 problem details, with our stable `code` as an extension member. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [key: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  411: 'Length Required',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemOf(status: number, code: string, detail: string, extras: ProblemExtras = {}, instance?: string): Problem {
  return {
    type: `https://qorgau.kz/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...extras,
  };
}
