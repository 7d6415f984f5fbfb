import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { databaseFaultOf } from '../../db/database-faults.js';
import type { LenderPrincipal } from './lender-keys.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { requireValidIin } from '../registry/index.js';
import type { CreditChannel, CreditProduct } from './credit.tables.js';
import { CheckRepository, type DeniedChecksSql, type InquiryInsert, type InquiryRow } from './checks.repository.js';
import type { CheckAnswerType, CheckListQueryType, CheckRequestInput, LoanReportCreateInput, LoanReportViewType } from './checks.schema.js';
import { leafHash, merkleTree, type RegistrySigner } from './checks.signing.js';
import type { RestrictionRepository, RestrictionRow } from './restrictions.repository.js';
import { presentRestriction, type RestrictionView } from './restrictions.service.js';

/** A denied check, handed to listeners in the transaction that records it (to notify the person). */
export interface DeniedCheck {
  checkId: string;
  personHash: Buffer;
  lenderBin: string;
  lenderName: string;
  product: CreditProduct;
  channel: CreditChannel;
  checkedAt: Date;
  restrictionIds: string[];
}
export type DeniedCheckHook = (trx: Kysely<DB>, denied: DeniedCheck[]) => Promise<void>;

/** What the person sees of each check of their IIN (GET /v1/me/inquiries). */
export interface PersonInquiryView {
  checkId: string;
  checkedAt: string;
  lender: { bin: string; name: string };
  product: CreditProduct;
  channel: CreditChannel;
  decision: 'allow' | 'deny';
}

interface PendingCheck {
  lender: LenderPrincipal;
  iin: string;
  personHash: Buffer;
  product: CreditProduct;
  channel: CreditChannel;
  amount: number | null;
  resolve(answer: CheckAnswerType): void;
  reject(err: unknown): void;
}

export function presentInquiry(row: InquiryRow) {
  return {
    checkId: row.id,
    checkedAt: new Date(row.checked_at).toISOString(),
    product: row.product,
    channel: row.channel,
    amount: row.amount === null ? null : Number(row.amount),
    decision: row.decision,
    restrictionIds: row.restriction_ids.map(String),
  };
}

/**
 * Lender checks. Concurrent checks form a group: one statement reads the restrictions of
 * the whole group, one INSERT records every inquiry, and only after it commits do the
 * answers leave, each with the registry's signature over the group's Merkle root (one
 * ECDSA signature per group, not per answer). Nothing answered is unrecorded.
 */
export class CheckService {
  readonly repository: CheckRepository;
  private readonly deniedHooks: DeniedCheckHook[] = [];
  private queue: PendingCheck[] = [];
  private inFlight = 0;

  constructor(
    private readonly database: Database,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly restrictions: RestrictionRepository,
    private readonly signer: RegistrySigner,
    private readonly options: { maxBatch?: number; maxInFlight?: number; pgPool?: pg.Pool } = {},
  ) {
    this.repository = new CheckRepository(database.db);
  }

  /**
   * Runs `hook` in the transaction that records denied checks (a durable notification outbox
   * row, say). It costs the group a transaction of its own (BEGIN, the hook, COMMIT: three
   * more round trips); `onDeniedSql` does the same inside the recording statement.
   */
  onDenied(hook: DeniedCheckHook): void {
    this.deniedHooks.push(hook);
  }

  private readonly deniedSql: DeniedChecksSql[] = [];

  /** Adds a data-modifying statement over the group's denied checks to the statement that records them. */
  onDeniedSql(listener: DeniedChecksSql): void {
    this.deniedSql.push(listener);
  }

  check(lender: LenderPrincipal, input: CheckRequestInput): Promise<CheckAnswerType> {
    requireValidIin(input.iin);
    const personHash = this.pseudonymizer.of(input.iin);
    return new Promise((resolve, reject) => {
      this.queue.push({ lender, iin: input.iin, personHash, product: input.product, channel: input.channel, amount: input.amount ?? null, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    // Two groups in flight per process: one commits (waits for the WAL flush) while the next
    // forms. With eight, most groups were of one check, and their commits queued on PostgreSQL's
    // WAL write lock (LWLock:WALWrite was the commonest wait); with two, groups grow while a flush
    // runs and the flushes are the wait (bench/credit-check.ts, 100,000 persons, 2026-11-30:
    // 2,579-3,009 checks/s against 1,106-1,842/s with four and eight). A second process (or
    // instance) adds its own two.
    while (this.inFlight < (this.options.maxInFlight ?? 2) && this.queue.length > 0) {
      const max = this.options.maxBatch ?? 500;
      const group = this.queue.length <= max ? this.queue : this.queue.slice(0, max);
      this.queue = this.queue.length <= max ? [] : this.queue.slice(max);
      this.inFlight++;
      this.commitGroup(group)
        .catch((err) => {
          for (const p of group) p.reject(err);
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  private async commitGroup(group: PendingCheck[]): Promise<void> {
    const checkedAt = new Date();
    const requests = group.map((p) => ({
      id: randomUUID(),
      personHash: p.personHash,
      lenderBin: p.lender.bin,
      lenderName: p.lender.name,
      product: p.product,
      channel: p.channel,
      amount: p.amount,
    }));
    let inquiries: InquiryInsert[] = [];
    const byRequest: RestrictionRow[][] = group.map(() => []);
    const decide = (found: (RestrictionRow & { request: number })[]) => {
      for (const row of found) byRequest[row.request].push(row);
      inquiries = requests.map((r, i) => ({
        ...r,
        decision: byRequest[i].length > 0 ? 'deny' : 'allow',
        restrictionIds: byRequest[i].map((x) => String(x.id)),
        checkedAt,
      }));
      return inquiries.filter((q) => q.decision === 'deny');
    };
    const notify = async (trx: Kysely<DB>, denied: InquiryInsert[]) => {
      if (denied.length === 0) return;
      const events = denied.map((q) => ({
        checkId: q.id,
        personHash: q.personHash,
        lenderBin: q.lenderBin,
        lenderName: group[inquiries.indexOf(q)].lender.name,
        product: q.product,
        channel: q.channel,
        checkedAt,
        restrictionIds: q.restrictionIds,
      }));
      for (const hook of this.deniedHooks) await hook(trx, events);
    };
    const { db, readDb } = this.database;
    try {
      const listeners = this.deniedSql;
      if (readDb !== db) {
        // A replica answers the read; the primary records the inquiries.
        const denied = decide(await this.restrictions.activeForMany(requests, checkedAt));
        if (denied.length && (this.deniedHooks.length || listeners.length)) {
          await db.transaction().execute(async (trx) => {
            await this.repository.insertBatch(trx, inquiries);
            await this.repository.notifyDenied(trx, requests.filter((_, i) => inquiries[i].decision === 'deny'), checkedAt, listeners);
            await notify(trx, denied);
          });
        } else {
          await this.repository.insertBatch(db, inquiries);
        }
      } else if (this.options.pgPool) {
        await this.commitPrepared(this.options.pgPool, requests, checkedAt, decide, notify);
      } else if (this.deniedHooks.length) {
        await db.transaction().execute(async (trx) => notify(trx, decide(await this.repository.checkAndRecord(trx, requests, checkedAt, listeners))));
      } else {
        decide(await this.repository.checkAndRecord(db, requests, checkedAt, listeners));
      }
    } catch (err) {
      // The database's own words (SQL, constraint and table names) are for the server's log, not lenders.
      const fault = databaseFaultOf(err);
      if (fault) throw new AppError('unavailable', 'CHECK_NOT_RECORDED', `The check could not be recorded, so no answer is given. ${fault.detail}`, { reason: fault.code, retryAfter: fault.retryAfter }, { cause: err });
      throw AppError.unavailable('CHECK_NOT_RECORDED', 'The check could not be recorded, so no answer is given; retry in a moment', { cause: err });
    }

    const at = checkedAt.toISOString();
    const signedAnswers = inquiries.map((q, i) =>
      JSON.stringify({
        checkId: q.id,
        checkedAt: at,
        lenderBin: q.lenderBin,
        iin: group[i].iin,
        product: q.product,
        channel: q.channel,
        amount: q.amount,
        decision: q.decision,
        restrictionIds: q.restrictionIds,
      }),
    );
    const { root, paths } = merkleTree(signedAnswers.map(leafHash));
    const jws = this.signer.signJws({ iss: 'qorgau', root: root.toString('base64url'), size: group.length, signedAt: at });
    const kid = this.signer.publicJwk.kid;
    group.forEach((p, i) => {
      p.resolve({
        decision: inquiries[i].decision,
        restrictions: byRequest[i].map(presentRestriction) as RestrictionView[],
        checkId: inquiries[i].id,
        checkedAt: at,
        signature: {
          alg: 'ES256',
          kid,
          jws,
          signedAnswer: signedAnswers[i],
          leafIndex: i,
          treeSize: group.length,
          auditPath: paths[i].map((h) => h.toString('base64url')),
        },
      });
    });
  }

  private readonly clientKysely = new WeakMap<pg.PoolClient, Kysely<DB>>();

  /** The group as a prepared statement on PostgreSQL; with listeners, in a transaction on one client they share. */
  private async commitPrepared(
    pool: pg.Pool,
    requests: Parameters<CheckRepository['checkAndRecordPrepared']>[1],
    at: Date,
    decide: (found: (RestrictionRow & { request: number })[]) => InquiryInsert[],
    notify: (trx: Kysely<DB>, denied: InquiryInsert[]) => Promise<void>,
  ): Promise<void> {
    if (this.deniedHooks.length === 0) {
      decide(await this.repository.checkAndRecordPrepared(pool, requests, at, this.deniedSql));
      return;
    }
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('begin');
      const denied = decide(await this.repository.checkAndRecordPrepared(client, requests, at, this.deniedSql));
      if (denied.length) {
        let trx = this.clientKysely.get(client);
        if (!trx) {
          // Listeners take a Kysely; this one runs on the client holding the transaction.
          const shim = { connect: async () => ({ query: client.query.bind(client), release: () => {} }), end: async () => {} };
          trx = new Kysely<DB>({ dialect: new PostgresDialect({ pool: shim as unknown as pg.Pool }) });
          this.clientKysely.set(client, trx);
        }
        await notify(trx, denied);
      }
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async listOfLender(lender: LenderPrincipal, query: CheckListQueryType) {
    const rows = await this.repository.listOfLender(lender.bin, { ...query, limit: query.limit ?? 100 });
    return { items: rows.map(presentInquiry) };
  }

  /** A lender's own check; another lender's is "not found", so its existence does not leak. */
  async getOfLender(lender: LenderPrincipal, id: string) {
    const row = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? await this.repository.findOfLender(lender.bin, id.toLowerCase()) : undefined;
    if (!row) throw AppError.notFound('CHECK_NOT_FOUND', `No check ${id.slice(0, 40)} of this lender`);
    return row;
  }

  /** A loan issued despite a restriction: recorded as a case for write-off. */
  async reportLoan(lender: LenderPrincipal, input: LoanReportCreateInput): Promise<LoanReportViewType> {
    const check = await this.getOfLender(lender, input.checkId);
    if (check.decision !== 'deny') {
      throw AppError.conflict('CHECK_NOT_DENIED', 'That check found no restriction; only a loan issued despite a restriction is reported');
    }
    const issued = new Date(`${input.issuedOn}T00:00:00Z`);
    if (Number.isNaN(issued.getTime()) || issued.getTime() > Date.now() + 86_400_000) {
      throw AppError.badRequest('ISSUED_ON_INVALID', 'issuedOn must be a real date, not in the future');
    }
    const row = await this.repository.insertLoanReport({
      id: randomUUID(),
      checkId: check.id,
      lenderBin: lender.bin,
      personHash: check.person_hash,
      amount: input.amount,
      issuedOn: input.issuedOn,
    });
    if (!row) throw AppError.conflict('LOAN_REPORT_EXISTS', 'A loan was reported for this check already');
    return {
      id: row.id,
      checkId: row.check_id,
      lenderBin: row.lender_bin,
      amount: Number(row.amount),
      issuedOn: input.issuedOn,
      status: row.status,
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  /** Every lender check of the person, newest first (for GET /v1/me/inquiries). */
  async inquiriesOf(personHash: Buffer, limit = 200): Promise<PersonInquiryView[]> {
    const rows = await this.repository.ofPerson(personHash, limit);
    return rows.map((r) => ({
      checkId: r.id,
      checkedAt: new Date(r.checked_at).toISOString(),
      lender: { bin: r.lender_bin, name: r.lender_name ?? `BIN ${r.lender_bin}` },
      product: r.product,
      channel: r.channel,
      decision: r.decision,
    }));
  }
}
