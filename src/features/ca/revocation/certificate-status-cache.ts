import pg from 'pg';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { CertificateStatus, CertificateStatusSource } from './certificate-status.js';
import { REVOCATION_CHANNEL, goodSerialsPage, parseRevocationNotice, revokedStatusPage, statusOfSerials } from './revocation.repository.js';

/** Shared by every good answer (read-only): no allocation per look-up. */
const GOOD: CertificateStatus = Object.freeze({ revokedAt: null, reason: null });

interface IssuerState {
  /** Certificates of the issuer known to be issued and good: all of them, or as many as the cap allows. */
  issued: Set<string>;
  /** Every revoked (or held) certificate of the issuer: complete while the cache is live. */
  revoked: Map<string, CertificateStatus>;
}

export interface CertificateStatusCacheOptions {
  /** The primary's URL: LISTEN does not work on a replica, and re-reads after a NOTIFY must see the commit. */
  primaryUrl: string;
  /** The primary, for the load and re-reads. */
  db: Kysely<DB>;
  issuers: string[];
  /** Answers while the cache is loading or has lost its LISTEN connection, and for serials it does not hold. */
  fallback: CertificateStatusSource;
  pageSize?: number;
  /**
   * Most good serials held in memory (about 130 bytes each). Beyond it the rest are asked of
   * the database; revoked ones are always all held, since they are what must never be missed.
   */
  maxGoodSerials?: number;
  onError?: (err: unknown) => void;
  /** Told of the serials a notification named, once their new status is held (pre-signed OCSP answers follow). */
  onChange?: (issuer: string, serials: string[]) => void;
}

/**
 * Certificate status in memory, kept in step with PostgreSQL (DESIGN.md: caches are
 * invalidated through LISTEN/NOTIFY). Every revocation or release commits a NOTIFY naming
 * its serials; on it, those serials are re-read from the primary, so the cache shows the
 * change within milliseconds of the commit on every instance. It is trusted only while its
 * LISTEN connection is up and it has loaded: before that, or after the connection drops
 * (notifications could have been missed), every answer comes from the database until a
 * fresh load completes. A serial the cache does not hold (issued since the load) is asked
 * of the database and remembered.
 */
export class CertificateStatusCache implements CertificateStatusSource {
  private state = new Map<string, IssuerState>();
  private live = false;
  private client: pg.Client | undefined;
  private closed = false;
  private generation = 0;
  /** Re-reads run one after another, so the last one applied is the newest. */
  private refreshes: Promise<void> = Promise.resolve();
  private readonly pageSize: number;

  constructor(private readonly options: CertificateStatusCacheOptions) {
    this.pageSize = options.pageSize ?? 50_000;
  }

  get isLive(): boolean {
    return this.live;
  }

  /**
   * What `status` answers from memory, without a promise: only while the cache is live (loaded,
   * and its LISTEN connection up), the same trust as `status` gives it. A serial it does not
   * hold is undefined (ask `status`, which asks the database).
   */
  statusHeld(issuer: string, serial: string): CertificateStatus | undefined {
    const state = this.live ? this.state.get(issuer) : undefined;
    if (!state) return undefined;
    const revoked = state.revoked.get(serial);
    if (revoked) return revoked;
    return state.issued.has(serial) ? GOOD : undefined;
  }

  async status(issuer: string, serial: string): Promise<CertificateStatus | null> {
    const state = this.live ? this.state.get(issuer) : undefined;
    if (state) {
      const revoked = state.revoked.get(serial);
      if (revoked) return revoked;
      if (state.issued.has(serial)) return GOOD;
    }
    const found = await this.options.fallback.status(issuer, serial);
    // A good certificate issued since the load (or beyond the cap); revoked ones are learnt from notifications only.
    if (found && !found.revokedAt && state && this.live && state.issued.size < (this.options.maxGoodSerials ?? 5_000_000)) state.issued.add(serial);
    return found;
  }

  /** Connects, listens, loads; resolves once the cache is live. Reconnects by itself afterwards. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.live = false;
    const client = new pg.Client({ connectionString: this.options.primaryUrl });
    this.client = client;
    const lost = (err?: unknown) => {
      if (this.client !== client) return;
      this.live = false;
      this.client = undefined;
      if (err) this.options.onError?.(err);
      client.end().catch(() => {});
      if (!this.closed) setTimeout(() => this.start().catch((e) => this.options.onError?.(e)), 1000).unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    const pending: string[] = [];
    let loading = true;
    client.on('notification', (message) => {
      if (message.channel !== REVOCATION_CHANNEL || !message.payload) return;
      if (loading) pending.push(message.payload);
      else this.refresh(message.payload);
    });
    const state = new Map<string, IssuerState>();
    try {
      await client.connect();
      await client.query(`listen ${REVOCATION_CHANNEL}`);
      for (const issuer of this.options.issuers) state.set(issuer, await this.load(issuer));
    } catch (err) {
      lost(err);
      throw err;
    }
    if (generation !== this.generation || this.closed) return;
    this.state = state;
    loading = false;
    for (const payload of pending) this.refresh(payload);
    await this.refreshes;
    this.live = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async load(issuer: string): Promise<IssuerState> {
    const revoked = new Map<string, CertificateStatus>();
    for (let after = ''; ; ) {
      const rows = await revokedStatusPage(this.options.db, issuer, after, this.pageSize);
      for (const row of rows) revoked.set(row.serial, { revokedAt: new Date(row.revoked_at!), reason: row.revocation_reason });
      if (rows.length < this.pageSize) break;
      after = rows[rows.length - 1].serial;
    }
    const issued = new Set<string>();
    const cap = this.options.maxGoodSerials ?? 5_000_000;
    for (let after = ''; issued.size < cap; ) {
      const serials = await goodSerialsPage(this.options.db, issuer, after, Math.min(this.pageSize, cap - issued.size));
      for (const serial of serials) issued.add(serial);
      if (serials.length < this.pageSize) break;
      after = serials[serials.length - 1];
    }
    return { issued, revoked };
  }

  private refresh(payload: string): void {
    const notice = parseRevocationNotice(payload);
    if (!notice) return;
    this.refreshes = this.refreshes.then(async () => {
      const state = this.state.get(notice.issuer);
      if (!state) return;
      try {
        const rows = await statusOfSerials(this.options.db, notice.issuer, notice.serials);
        for (const row of rows) {
          if (row.revoked_at) {
            state.revoked.set(row.serial, { revokedAt: new Date(row.revoked_at), reason: row.revocation_reason });
            state.issued.delete(row.serial);
          } else {
            state.revoked.delete(row.serial);
            state.issued.add(row.serial);
          }
        }
        this.options.onChange?.(notice.issuer, rows.map((r) => r.serial));
      } catch (err) {
        // A change we could not read: the cache can no longer be trusted; start over.
        this.options.onError?.(err);
        this.live = false;
        const client = this.client;
        this.client = undefined;
        await client?.end().catch(() => {});
        if (!this.closed) this.start().catch((e) => this.options.onError?.(e));
      }
    });
  }
}
