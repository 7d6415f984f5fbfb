import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { CaHierarchy } from '../authority/hierarchy.js';
import { CertificateStatusReader, type CertificateStatus } from './certificate-status.js';
import { OcspResponder, type PresignedAnswers } from './ocsp-responder.js';
import { dueForRefresh, dueForSigningPage, presignedOf, storePresigned, storePresignedMany, type DueForSigning, type PresignedRow } from './revocation.repository.js';

export interface PresignedOcspOptions {
  /** The primary: answers are written there. */
  db: Kysely<DB>;
  /** Where stored answers are read (a replica will do: every answer is checked against the status). */
  readDb: Kysely<DB>;
  issuer: string;
  /** On PostgreSQL a signing pass takes an advisory lock (one instance at a time); PGlite is one process. */
  kind: 'postgres' | 'pglite';
  responder: OcspResponder;
  /** nextUpdate - thisUpdate of every answer. */
  validityMs: number;
  /** Answers held in memory per process (about 1 KB each); beyond it they are read from the database. */
  maxInMemory?: number;
  clock?: () => number;
}

interface Answer {
  der: Buffer;
  revokedAt: number | null;
  reason: string | null;
  thisUpdate: Date;
  nextUpdate: Date;
  etag: string;
}

interface Waiting {
  serial: string;
  resolve: (row: PresignedRow | undefined) => void;
  reject: (err: unknown) => void;
}

/** Answers signed and stored per statement in a signing pass. */
const SIGNING_PAGE = 500;
/** Certificates looked at per statement of the walk for missing answers (an index range and as many probes). */
const SCAN_PAGE = 10_000;

/**
 * Pre-signed OCSP answers (RFC 5019), one per certificate, for requests without a nonce.
 *
 * Consistency: an answer states a status, and it is served only when that is the status the
 * responder's status source gives for the request (the LISTEN/NOTIFY cache on PostgreSQL,
 * the database itself on PGlite). So no answer signed before a revocation is served after the
 * status source learnt of it; the bound is the status source's, as for answers signed on the
 * spot (docs/decisions/0003). All instances serve the bytes stored in ocsp_responses: the first
 * to need an answer signs and stores it; one that finds another's current answer serves that.
 *
 * Freshness: an answer is served until half its validity is left; then it is signed again
 * (by a pass of `produce`, or by the first request that finds it so). A revocation drops the
 * stored answer in its transaction, and `produce` of the changed serials signs the new one.
 */
export class PresignedOcsp implements PresignedAnswers {
  private readonly memory = new Map<string, Answer>();
  private readonly maxInMemory: number;
  private readonly clock: () => number;
  private queue: Waiting[] = [];
  private readonly pending = new Map<string, Promise<Answer>>();
  private scheduled = false;

  constructor(private readonly options: PresignedOcspOptions) {
    this.maxInMemory = options.maxInMemory ?? 100_000;
    this.clock = options.clock ?? Date.now;
  }

  /** Answers are re-signed once this little of their validity is left. */
  private get refreshMarginMs(): number {
    return this.options.validityMs / 2;
  }

  private usable(answer: { revokedAt: number | null; reason: string | null; nextUpdate: Date }, status: CertificateStatus, now: number): boolean {
    return (
      answer.revokedAt === (status.revokedAt?.getTime() ?? null) &&
      answer.reason === (status.revokedAt ? status.reason : null) &&
      answer.nextUpdate.getTime() - now > this.refreshMarginMs
    );
  }

  /** The answer this process holds for the serial, if it states `status` and is fresh; else undefined (ask `answerFor`). */
  held(serial: string, status: CertificateStatus): Answer | undefined {
    const held = this.memory.get(serial);
    return held && this.usable(held, status, this.clock()) ? held : undefined;
  }

  async answerFor(serial: string, status: CertificateStatus): Promise<Answer> {
    const held = this.held(serial, status);
    if (held) return held;
    // Requests for one certificate arriving together wait for one read (and at most one signature).
    const key = `${serial} ${status.revokedAt?.getTime() ?? ''} ${status.reason ?? ''}`;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.fetchOrSign(serial, status).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  private async fetchOrSign(serial: string, status: CertificateStatus): Promise<Answer> {
    const now = this.clock();
    const stored = await this.read(serial);
    const fromStore = stored ? this.toAnswer(stored) : null;
    if (fromStore && this.usable(fromStore, status, now)) return this.remember(serial, fromStore);
    const signed = await this.sign(serial, status, now);
    return this.remember(serial, signed && this.usable(signed, status, now) ? signed : (await this.signedHere(serial, status, now)));
  }

  /** Forgets what this process holds of these serials (a revocation or release was announced). */
  forget(serials: string[]): void {
    for (const serial of serials) this.memory.delete(serial);
  }

  /**
   * Signs every answer of the issuer that is due for refresh (the next_update index), then
   * every one missing or stating an old status (a walk along the certificates' primary key, in
   * pages of SCAN_PAGE). Runs under an advisory lock on PostgreSQL, so one instance's pass at a
   * time signs; stops between pages once `stopped` says so.
   */
  async produce(onProgress?: (signed: number) => void, stopped: () => boolean = () => false): Promise<number> {
    const { db } = this.options;
    const lockKey = `qorgau-ocsp-presign:${this.options.issuer}`;
    const run = async (conn: Kysely<DB>) => {
      let signed = 0;
      const signAndStore = async (due: DueForSigning[], now: number) => {
        for (let i = 0; i < due.length; i += SIGNING_PAGE) {
          const rows: PresignedRow[] = [];
          for (const row of due.slice(i, i + SIGNING_PAGE)) {
            rows.push(await this.signedRow(row.serial, { revokedAt: row.revoked_at ? new Date(row.revoked_at) : null, reason: row.revocation_reason }, now));
          }
          await storePresignedMany(conn, this.options.issuer, rows, new Date(now + this.refreshMarginMs));
          this.forget(rows.map((r) => r.serial));
          signed += rows.length;
          onProgress?.(signed);
        }
      };
      for (;;) {
        const now = this.clock();
        const due = await dueForRefresh(conn, this.options.issuer, new Date(now + this.refreshMarginMs), SIGNING_PAGE);
        await signAndStore(due, now);
        if (due.length < SIGNING_PAGE || stopped()) break;
      }
      for (let after = ''; !stopped(); ) {
        const now = this.clock();
        const { due, last } = await dueForSigningPage(conn, this.options.issuer, after, new Date(now + this.refreshMarginMs), SCAN_PAGE);
        await signAndStore(due, now);
        if (last === null) break;
        after = last;
      }
      return signed;
    };
    if (this.options.kind === 'postgres') {
      return db.connection().execute(async (conn) => {
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext(${lockKey})) as ok`.execute(conn);
        if (!got.rows[0]?.ok) return 0;
        try {
          return await run(conn);
        } finally {
          await sql`select pg_advisory_unlock(hashtext(${lockKey}))`.execute(conn);
        }
      });
    }
    return run(db);
  }

  /** Signs the answers of these serials now (after a revocation or release), whatever their state. */
  async produceFor(serials: string[], statusOf: (serial: string) => Promise<CertificateStatus | null>): Promise<void> {
    this.forget(serials);
    for (const serial of serials) {
      const status = await statusOf(serial);
      if (status) await this.sign(serial, status, this.clock());
    }
  }

  /** Signs an answer; thisUpdate in whole seconds, as GeneralizedTime carries it. */
  private async signedRow(serial: string, status: CertificateStatus, now: number): Promise<PresignedRow> {
    const thisUpdate = Math.floor(now / 1000) * 1000;
    const nextUpdate = thisUpdate + this.options.validityMs;
    const { tbsResponseData, signature } = await this.options.responder.signAhead(serial, status, thisUpdate, nextUpdate);
    return {
      serial,
      revoked_at: status.revokedAt,
      revocation_reason: status.revokedAt ? status.reason : null,
      this_update: new Date(thisUpdate),
      next_update: new Date(nextUpdate),
      tbs_response_data: tbsResponseData,
      signature,
    };
  }

  /** Signs and stores; answers the row stored (ours, or a current one another instance stored first). */
  private async sign(serial: string, status: CertificateStatus, now: number): Promise<Answer | null> {
    const row = await this.signedRow(serial, status, now);
    const stored = await storePresigned(this.options.db, this.options.issuer, row, new Date(now + this.refreshMarginMs));
    this.memory.delete(serial);
    return this.toAnswer(stored);
  }

  /** An answer for this request only, when the stored one cannot be used (the store moved on meanwhile). */
  private async signedHere(serial: string, status: CertificateStatus, now: number): Promise<Answer> {
    return this.toAnswer(await this.signedRow(serial, status, now))!;
  }

  private toAnswer(row: PresignedRow): Answer | null {
    const der = this.options.responder.assemble(Buffer.from(row.tbs_response_data), Buffer.from(row.signature));
    if (!der) return null;
    return {
      der,
      revokedAt: row.revoked_at ? new Date(row.revoked_at).getTime() : null,
      reason: row.revoked_at ? row.revocation_reason : null,
      thisUpdate: new Date(row.this_update),
      nextUpdate: new Date(row.next_update),
      etag: `"${createHash('sha256').update(der).digest('base64url').slice(0, 27)}"`,
    };
  }

  private remember(serial: string, answer: Answer): Answer {
    if (!this.memory.has(serial) && this.memory.size >= this.maxInMemory) {
      // The oldest remembered goes first; a hot certificate is simply read again.
      this.memory.delete(this.memory.keys().next().value!);
    }
    this.memory.set(serial, answer);
    return answer;
  }

  /** Reads of the same turn of the event loop share one query. */
  private read(serial: string): Promise<PresignedRow | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ serial, resolve, reject });
      if (this.queue.length >= 200) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    presignedOf(this.options.readDb, this.options.issuer, [...new Set(group.map((w) => w.serial))]).then(
      (rows) => {
        const bySerial = new Map(rows.map((r) => [r.serial, r]));
        for (const w of group) w.resolve(bySerial.get(w.serial));
      },
      (err) => {
        for (const w of group) w.reject(err);
      },
    );
  }
}

/**
 * Signs every missing or due answer of the hierarchy's issuing CA once (what the server's
 * pass does): for `qorgau` tooling and benchmarks that want every answer ready beforehand.
 */
export async function presignIssuingAnswers(
  database: { db: Kysely<DB>; readDb: Kysely<DB>; kind: 'postgres' | 'pglite' },
  hierarchy: Pick<CaHierarchy, 'issuing' | 'ocspSigner'>,
  validityMs: number,
  onProgress?: (signed: number) => void,
): Promise<number> {
  const responder = await OcspResponder.create({ issuer: hierarchy.issuing, signer: hierarchy.ocspSigner, status: new CertificateStatusReader(database.db) });
  return new PresignedOcsp({ ...database, issuer: hierarchy.issuing.name, responder, validityMs }).produce(onProgress);
}

/** Signs and stores the answers of these serials of the issuing CA now (benchmarks that do not pre-sign every certificate). */
export async function presignIssuingAnswersFor(
  database: { db: Kysely<DB>; readDb: Kysely<DB>; kind: 'postgres' | 'pglite' },
  hierarchy: Pick<CaHierarchy, 'issuing' | 'ocspSigner'>,
  validityMs: number,
  serials: string[],
): Promise<void> {
  const status = new CertificateStatusReader(database.db);
  const responder = await OcspResponder.create({ issuer: hierarchy.issuing, signer: hierarchy.ocspSigner, status });
  await new PresignedOcsp({ ...database, issuer: hierarchy.issuing.name, responder, validityMs }).produceFor(serials, (serial) => status.status(hierarchy.issuing.name, serial));
}
