import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { statusOfSerials } from './revocation.repository.js';

/** What the database says of one certificate; null when the issuer never issued that serial. */
export interface CertificateStatus {
  revokedAt: Date | null;
  reason: string | null;
}

/** Where the OCSP responder learns status: straight from the database, or a cache kept in step with it. */
export interface CertificateStatusSource {
  status(issuer: string, serial: string): Promise<CertificateStatus | null>;
  /**
   * The status when it is known without waiting (held in memory and trusted), else undefined:
   * then ask `status`. Sources that always read the database leave it out.
   */
  statusHeld?(issuer: string, serial: string): CertificateStatus | undefined;
}

interface Waiting {
  serial: string;
  resolve: (status: CertificateStatus | null) => void;
  reject: (err: unknown) => void;
}

/**
 * Reads certificate status live from the database (the replica side), so a revocation
 * committed anywhere shows in the next answer: there is no cache to invalidate. Lookups
 * arriving in the same turn of the event loop share one query, which keeps the number
 * of round trips below the number of requests under load.
 */
export class CertificateStatusReader implements CertificateStatusSource {
  private readonly queues = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly maxBatch = 200,
  ) {}

  status(issuer: string, serial: string): Promise<CertificateStatus | null> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(issuer);
      if (!queue) this.queues.set(issuer, (queue = []));
      queue.push({ serial, resolve, reject });
      if (queue.length >= this.maxBatch) {
        this.queues.delete(issuer);
        void this.run(issuer, queue);
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queues = [...this.queues];
    this.queues.clear();
    for (const [issuer, queue] of queues) void this.run(issuer, queue);
  }

  private async run(issuer: string, queue: Waiting[]): Promise<void> {
    try {
      const rows = await statusOfSerials(this.db, issuer, [...new Set(queue.map((w) => w.serial))]);
      const bySerial = new Map(rows.map((r) => [r.serial, { revokedAt: r.revoked_at ? new Date(r.revoked_at) : null, reason: r.revocation_reason }]));
      for (const w of queue) w.resolve(bySerial.get(w.serial) ?? null);
    } catch (err) {
      for (const w of queue) w.reject(err);
    }
  }
}
