/**
 * One coded error type that crosses layers (after Boulder's errors package).
 * The code is a stable contract: clients branch on it, so never rename one.
 */
export interface ProblemExtras {
  [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extras: ProblemExtras = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(code: string, message: string, extras?: ProblemExtras) {
    return new AppError(400, code, message, extras);
  }
  static unauthorized(code: string, message: string) {
    return new AppError(401, code, message);
  }
  static forbidden(code: string, message: string) {
    return new AppError(403, code, message);
  }
  static notFound(code: string, message: string) {
    return new AppError(404, code, message);
  }
  static conflict(code: string, message: string, extras?: ProblemExtras) {
    return new AppError(409, code, message, extras);
  }
  static unprocessable(code: string, message: string, extras?: ProblemExtras) {
    return new AppError(422, code, message, extras);
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
