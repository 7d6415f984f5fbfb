import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { NotificationChannel } from './channels.js';
import { renderMessage, type NoticeLanguage } from './messages.js';
import type { ContactChannel } from './notifications.tables.js';

export interface WorkerOptions {
  clock?: () => Date;
  /** How long a claimed row is held; a worker that dies releases its rows when this runs out. */
  leaseMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  /** First retry delay; doubled per attempt, capped at six hours. */
  backoffMs?: number;
  onError?: (err: unknown) => void;
}

export interface ClaimedNotice {
  id: string;
  event: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  attempts: number;
  channel: ContactChannel;
  address: string;
  language: NoticeLanguage;
  contactRemoved: boolean;
}

export interface RunReport {
  claimed: number;
  delivered: number;
  failed: number;
}

const MAX_BACKOFF_MS = 6 * 3_600_000;

/**
 * Delivers the outbox at least once: claims due rows with `for update skip locked` (several
 * workers on several instances share the work), holds them for a lease, delivers through the
 * contact's channel, and marks them delivered. A failure is retried with exponential backoff;
 * a crash leaves the rows claimed until the lease runs out, then another worker takes them.
 */
export class NotificationWorker {
  private readonly channels = new Map<ContactChannel, NotificationChannel>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<unknown> | undefined;
  private readonly clock: () => Date;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly db: Kysely<DB>,
    channels: NotificationChannel[],
    private readonly options: WorkerOptions = {},
  ) {
    for (const channel of channels) this.channels.set(channel.kind, channel);
    this.clock = options.clock ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batchSize = options.batchSize ?? 50;
    this.maxAttempts = options.maxAttempts ?? 12;
    this.backoffMs = options.backoffMs ?? 30_000;
  }

  /** Claims due notices for this worker; exported for tests that stop a worker half-way (a crash). */
  async claim(): Promise<ClaimedNotice[]> {
    const now = this.clock();
    const lockedUntil = new Date(now.getTime() + this.leaseMs);
    const result = await sql<{
      id: string;
      event: string;
      payload: Record<string, unknown>;
      created_at: Date;
      attempts: number;
      channel: ContactChannel;
      address: string;
      language: NoticeLanguage;
      removed_at: Date | null;
    }>`
      update notification_outbox o
      set locked_until = ${lockedUntil}, attempts = o.attempts + 1
      from notification_contacts c
      where c.id = o.contact_id and o.id in (
        select d.id from notification_outbox d
        where d.delivered_at is null and d.failed_at is null and d.cancelled_at is null
          and d.next_attempt_at <= ${now} and (d.locked_until is null or d.locked_until <= ${now})
        order by d.next_attempt_at, d.id
        limit ${this.batchSize}
        for update skip locked)
      returning o.id, o.event, o.payload, o.created_at, o.attempts, c.channel, c.address, c.language, c.removed_at`.execute(this.db);
    return result.rows.map((r) => ({
      id: String(r.id),
      event: r.event,
      payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
      createdAt: new Date(r.created_at),
      attempts: Number(r.attempts),
      channel: r.channel,
      address: r.address,
      language: r.language,
      contactRemoved: r.removed_at !== null,
    }));
  }

  /** One pass: claim, deliver, record. Returns what happened. */
  async runOnce(): Promise<RunReport> {
    const claimed = await this.claim();
    let delivered = 0;
    let failed = 0;
    await Promise.all(
      claimed.map(async (notice) => {
        if (notice.contactRemoved) {
          await this.db.updateTable('notification_outbox').set({ cancelled_at: this.clock(), locked_until: null }).where('id', '=', notice.id).execute();
          return;
        }
        try {
          const channel = this.channels.get(notice.channel);
          if (!channel) throw new Error(`no ${notice.channel} channel is configured`);
          await channel.deliver(notice.address, renderMessage(`qorgau-notice-${notice.id}`, notice.event, notice.createdAt, notice.payload, notice.language));
          await this.db.updateTable('notification_outbox').set({ delivered_at: this.clock(), locked_until: null, last_error: null }).where('id', '=', notice.id).execute();
          delivered++;
        } catch (err) {
          failed++;
          await this.recordFailure(notice, err);
        }
      }),
    );
    return { claimed: claimed.length, delivered, failed };
  }

  private async recordFailure(notice: ClaimedNotice, err: unknown): Promise<void> {
    const now = this.clock();
    const delay = Math.min(this.backoffMs * 2 ** (notice.attempts - 1), MAX_BACKOFF_MS);
    const giveUp = notice.attempts >= this.maxAttempts;
    await this.db
      .updateTable('notification_outbox')
      .set({
        locked_until: null,
        next_attempt_at: new Date(now.getTime() + delay),
        last_error: String((err as Error)?.message ?? err).slice(0, 500),
        failed_at: giveUp ? now : null,
      })
      .where('id', '=', notice.id)
      .execute();
  }

  /** Runs passes every `intervalMs` until stopped (the server starts it when it listens). */
  start(intervalMs = 2_000): void {
    if (this.timer) return;
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      try {
        this.running = this.runOnce();
        const report = (await this.running) as RunReport;
        // A full batch means more may be waiting: go again at once.
        if (!this.stopped) this.timer = setTimeout(tick, report.claimed >= this.batchSize ? 0 : intervalMs);
      } catch (err) {
        this.options.onError?.(err);
        if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
      }
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    for (const channel of this.channels.values()) await channel.close?.();
  }
}
