import type pg from 'pg';

/** A WAL position ("16/B374D848") as one number of bytes. */
export function lsnToBigInt(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

export interface ReplicaLagOptions {
  primary: pg.Pool;
  replica: pg.Pool;
  /** Reads that decide (lender checks, certificate status) leave the replica beyond this lag. */
  maxLagSeconds: number;
  /** How often both servers are asked for their WAL position. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * How far a streaming replica is behind the primary, measured as staleness: the replica has
 * replayed everything the primary had written at time T, and the lag is now − T. Each round
 * asks the primary for its WAL position (pg_current_wal_lsn) and remembers when; then asks the
 * replica how far it has replayed (pg_last_wal_replay_lsn). The newest remembered primary
 * position the replica has reached gives T. Unlike now() − pg_last_xact_replay_timestamp(), an
 * idle primary does not look like a lagging replica, and unlike the replica's own receive and
 * replay positions, a replica cut off from its primary does not look current.
 *
 * Until a round has succeeded, or when the replica cannot be asked, the lag is unknown and the
 * replica is not used for decisions. The measure is as old as one interval at most, so the
 * bound a decision gets is maxLagSeconds plus the interval.
 */
export class ReplicaLag {
  private samples: { lsn: bigint; at: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Seconds behind the primary; null while unknown. */
  lagSeconds: number | null = null;

  constructor(private readonly options: ReplicaLagOptions) {}

  get intervalMs(): number {
    return this.options.intervalMs ?? 250;
  }

  /** Whether a decision that must be current may read the replica now. */
  get current(): boolean {
    return this.lagSeconds !== null && this.lagSeconds <= this.options.maxLagSeconds;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running = this.measure()
        .catch((err) => {
          this.lagSeconds = null;
          this.options.onError?.(err);
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round: the primary's position now, then how far the replica has replayed. */
  async measure(): Promise<void> {
    const at = Date.now();
    const primary = await this.options.primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
    this.samples.push({ lsn: lsnToBigInt(primary.rows[0].lsn), at });
    const replica = await this.options.replica.query<{ lsn: string | null; standby: boolean }>(
      'select pg_last_wal_replay_lsn()::text as lsn, pg_is_in_recovery() as standby',
    );
    const { lsn, standby } = replica.rows[0];
    if (!standby || lsn === null) {
      // Not a standby (promoted, or DATABASE_READ_URL names a primary): its data does not follow this primary.
      this.lagSeconds = null;
      this.samples = this.samples.slice(-1);
      return;
    }
    const replayed = lsnToBigInt(lsn);
    let reached: number | undefined;
    for (const s of this.samples) if (s.lsn <= replayed) reached = s.at;
    const now = Date.now();
    if (reached === undefined) {
      // Behind even the oldest remembered position: at least that old.
      this.lagSeconds = this.samples.length > 1 ? (now - this.samples[0].at) / 1000 : null;
    } else {
      this.lagSeconds = (now - reached) / 1000;
    }
    // Keep what is needed to date the replica's position: the newest reached sample and those after it.
    const firstKept = this.samples.findIndex((s) => s.at === reached);
    if (firstKept > 0) this.samples = this.samples.slice(firstKept);
    if (this.samples.length > 10_000) this.samples = this.samples.slice(-5_000);
  }
}
