import type { Kysely } from 'kysely';
import type { Database } from '../../../db/database.js';
import type { DB } from '../../../db/types.js';
import { AppError } from '../../../errors/app-error.js';
import type { CaEntity } from '../authority/hierarchy.js';
import { CrlEntriesWriter, buildCrl } from './crl-builder.js';
import { reasonCode } from '../../../pkix/crl-reason.js';
import { crlDer, eventMarker, insertCrl, latestCrlMeta, pruneCrls, revokedPage, type CrlMeta } from './revocation.repository.js';

export interface CrlPublisherOptions {
  /** nextUpdate - thisUpdate. */
  validityMs?: number;
  /** A CRL with no change since is re-signed once it is this old, well before its nextUpdate. */
  refreshAfterMs?: number;
  /** Rows read per query while building. */
  pageSize?: number;
  /** How many past CRLs to keep per issuer. */
  keep?: number;
  onError?: (err: unknown, issuer: string) => void;
}

export interface PublishedCrl extends CrlMeta {
  issuer: string;
}

const HOUR = 3_600_000;

/**
 * Builds, signs and stores full CRLs. A CRL is rebuilt when more revocation events have
 * committed than its snapshot saw, or when it is old; otherwise the stored one stands.
 * Several instances may race to publish the same number: the table keeps the first and
 * the others' work is dropped, so every served CRL is complete for its snapshot.
 */
export class CrlPublisher {
  private readonly inFlight = new Map<string, Promise<PublishedCrl>>();
  private readonly served = new Map<string, { crlNumber: number; der: Buffer }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly validityMs: number;
  private readonly refreshAfterMs: number;
  private readonly pageSize: number;
  private readonly keep: number;

  constructor(
    private readonly database: Database,
    private readonly issuers: Map<string, Pick<CaEntity, 'name' | 'der' | 'signer'>>,
    private readonly options: CrlPublisherOptions = {},
  ) {
    this.validityMs = options.validityMs ?? 24 * HOUR;
    this.refreshAfterMs = options.refreshAfterMs ?? Math.floor(this.validityMs / 2);
    this.pageSize = options.pageSize ?? 20_000;
    this.keep = options.keep ?? 5;
  }

  issuerNames(): string[] {
    return [...this.issuers.keys()];
  }

  private ca(issuer: string) {
    const ca = this.issuers.get(issuer);
    if (!ca) throw AppError.notFound('CRL_ISSUER_NOT_FOUND', `No CRL is published for "${issuer}"`);
    return ca;
  }

  /** Publishes a new CRL when the latest is out of date (or always, with force); concurrent calls share one build. */
  publish(issuer: string, { force = false } = {}): Promise<PublishedCrl> {
    this.ca(issuer);
    const running = this.inFlight.get(issuer);
    if (running) return running;
    const work = this.publishNow(issuer, force).finally(() => this.inFlight.delete(issuer));
    this.inFlight.set(issuer, work);
    return work;
  }

  /** Fire and forget, after a revocation; failures go to onError and the schedule retries. */
  requestPublish(issuer: string): void {
    if (!this.issuers.has(issuer)) return;
    this.publish(issuer).catch((err) => this.options.onError?.(err, issuer));
  }

  /** Checks every issuer on an interval (cheap when nothing changed). */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      for (const issuer of this.issuers.keys()) this.requestPublish(issuer);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Waits for builds under way (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** The latest signed CRL, publishing the first one when there is none. */
  async latest(issuer: string): Promise<{ meta: CrlMeta; der: Buffer }> {
    this.ca(issuer);
    let meta = await latestCrlMeta(this.database.readDb, issuer);
    if (!meta) meta = await this.publish(issuer);
    const cached = this.served.get(issuer);
    if (cached && cached.crlNumber === meta.crlNumber) return { meta, der: cached.der };
    // The replica may lag the primary that just stored it.
    const der = (await crlDer(this.database.readDb, issuer, meta.crlNumber)) ?? (await crlDer(this.database.db, issuer, meta.crlNumber));
    if (!der) throw new Error(`CRL ${meta.crlNumber} of ${issuer} vanished`);
    this.served.set(issuer, { crlNumber: meta.crlNumber, der });
    return { meta, der };
  }

  private async publishNow(issuer: string, force: boolean): Promise<PublishedCrl> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.publishOnce(issuer, force);
      } catch (err) {
        // Another instance stored this number first, from its own snapshot; look again.
        if ((err as { code?: string }).code !== '40001' || attempt >= 5) throw err;
      }
    }
  }

  private async publishOnce(issuer: string, force: boolean): Promise<PublishedCrl> {
    const ca = this.ca(issuer);
    const db = this.database.db;
    if (!force) {
      const [meta, marker] = await Promise.all([latestCrlMeta(db, issuer), eventMarker(db, issuer)]);
      if (meta && meta.eventCount >= marker.eventCount && Date.now() < meta.thisUpdate.getTime() + this.refreshAfterMs) return { issuer, ...meta };
    }
    // One snapshot for the event marker, the entries and the number.
    return db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const marker = await eventMarker(trx, issuer);
        const previous = await latestCrlMeta(trx, issuer);
        const thisUpdate = new Date(Math.floor(Date.now() / 1000) * 1000);
        const entries = await this.readEntries(trx, issuer, thisUpdate);
        const crlNumber = (previous?.crlNumber ?? 0) + 1;
        const nextUpdate = new Date(thisUpdate.getTime() + this.validityMs);
        const count = entries.count;
        const der = await buildCrl(ca, { crlNumber, thisUpdate, nextUpdate, entries });
        const meta: CrlMeta = { crlNumber, thisUpdate, nextUpdate, entries: count, ...marker };
        if (await insertCrl(trx, { issuer, der, ...meta })) {
          await pruneCrls(trx, issuer, crlNumber - this.keep + 1);
          this.served.set(issuer, { crlNumber, der });
        }
        return { issuer, ...meta };
      });
  }

  private async readEntries(db: Kysely<DB>, issuer: string, at: Date): Promise<CrlEntriesWriter> {
    const writer = new CrlEntriesWriter();
    let page = revokedPage(db, issuer, '', this.pageSize, at);
    for (;;) {
      const rows = await page;
      // The next page is asked for before this one is encoded, so the database works while we do.
      if (rows.length === this.pageSize) page = revokedPage(db, issuer, rows[rows.length - 1].serial, this.pageSize, at);
      for (const row of rows) {
        writer.add({ serial: row.serial, revokedAt: row.revoked_ms, reason: reasonCode(row.revocation_reason), invalidityDate: row.invalidity_ms });
      }
      if (rows.length < this.pageSize) return writer;
    }
  }
}
