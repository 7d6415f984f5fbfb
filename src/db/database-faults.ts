/**
 * Faults of the database itself, as opposed to faults of a request: the server cannot be
 * reached or went away mid-query, refuses writes (a standby, or default_transaction_read_only),
 * or has no disk left. The request was fine and may succeed later, so the HTTP edge answers
 * 503 with one of these stable codes and a Retry-After, never a 500, and logs no database words
 * to the client.
 */
export interface DatabaseFault {
  code: 'DATABASE_UNAVAILABLE' | 'DATABASE_READ_ONLY' | 'DATABASE_DISK_FULL';
  detail: string;
  /** Seconds a client should wait before retrying. */
  retryAfter: number;
}

const UNAVAILABLE: DatabaseFault = {
  code: 'DATABASE_UNAVAILABLE',
  detail: 'The database is not reachable just now (restarting or failing over); nothing was changed by this request, retry shortly',
  retryAfter: 2,
};
const READ_ONLY: DatabaseFault = {
  code: 'DATABASE_READ_ONLY',
  detail: 'The database accepts no changes just now (read-only or a standby during failover); nothing was changed by this request, retry later',
  retryAfter: 30,
};
const DISK_FULL: DatabaseFault = {
  code: 'DATABASE_DISK_FULL',
  detail: 'The database has no disk space left for this change; nothing was changed by this request, retry later',
  retryAfter: 60,
};

/** SQLSTATEs (PostgreSQL appendix A) that say the server, not the statement, is at fault. */
function faultOfSqlState(state: string): DatabaseFault | null {
  if (state === '53100') return DISK_FULL; // disk_full
  if (state === '25006') return READ_ONLY; // read_only_sql_transaction
  if (state.startsWith('08')) return UNAVAILABLE; // connection_exception and its subclasses
  // admin_shutdown, crash_shutdown, cannot_connect_now, database_dropped; insufficient_resources other than disk
  if (['57P01', '57P02', '57P03', '57P04', '53000', '53200', '53300', '53400'].includes(state)) return UNAVAILABLE;
  return null;
}

/** Socket errors of node-postgres and Node itself while reaching the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** node-postgres says these in words, without a code. */
const NETWORK_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /not queryable/, /^Query read timeout/];

export function databaseFaultOf(error: unknown, depth = 0): DatabaseFault | null {
  if (!error || typeof error !== 'object' || depth > 3) return null;
  const { code, message, errors, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) {
      const fault = faultOfSqlState(code);
      if (fault) return fault;
    }
    if (NETWORK_CODES.has(code)) return UNAVAILABLE;
  }
  if (typeof message === 'string' && NETWORK_MESSAGES.some((m) => m.test(message))) return UNAVAILABLE;
  // "localhost" tries ::1 and 127.0.0.1 and fails with an AggregateError of both.
  if (Array.isArray(errors)) for (const e of errors) if (databaseFaultOf(e, depth + 1)) return databaseFaultOf(e, depth + 1);
  return databaseFaultOf(cause, depth + 1);
}
