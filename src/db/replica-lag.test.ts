import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { lsnToBigInt, ReplicaLag } from './replica-lag.js';
import { databaseFaultOf } from './database-faults.js';

/** Pools that answer the two questions ReplicaLag asks with positions the test sets. */
function servers() {
  const state = { primary: '0/100', replica: '0/100' as string | null, standby: true };
  const pool = (rows: () => Record<string, unknown>) => ({ query: async () => ({ rows: [rows()] }) }) as unknown as pg.Pool;
  return {
    state,
    primary: pool(() => ({ lsn: state.primary })),
    replica: pool(() => ({ lsn: state.replica, standby: state.standby })),
  };
}

describe('ReplicaLag', () => {
  it('reads WAL positions as numbers', () => {
    expect(lsnToBigInt('0/100')).toBe(256n);
    expect(lsnToBigInt('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
  });

  it('is unknown (not current) before it has measured, current when the replica has replayed the primary, and ages while replay stands still', async () => {
    const s = servers();
    const lag = new ReplicaLag({ primary: s.primary, replica: s.replica, maxLagSeconds: 0.05 });
    expect(lag.current).toBe(false);
    await lag.measure();
    expect(lag.lagSeconds).toBeLessThan(0.05);
    expect(lag.current).toBe(true);

    // The primary moves on, the replica does not: the lag grows from the last position it reached.
    s.state.primary = '0/200';
    await lag.measure();
    await new Promise((r) => setTimeout(r, 80));
    await lag.measure();
    expect(lag.lagSeconds).toBeGreaterThan(0.05);
    expect(lag.current).toBe(false);

    s.state.replica = '0/200';
    await lag.measure();
    expect(lag.current).toBe(true);
  });

  it('an idle primary does not make the replica look behind', async () => {
    const s = servers();
    const lag = new ReplicaLag({ primary: s.primary, replica: s.replica, maxLagSeconds: 0.05 });
    for (let i = 0; i < 3; i++) {
      await lag.measure();
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(lag.current).toBe(true);
  });

  it('a server that is not a standby is not read for decisions (promoted, or the wrong URL)', async () => {
    const s = servers();
    s.state.standby = false;
    const lag = new ReplicaLag({ primary: s.primary, replica: s.replica, maxLagSeconds: 60 });
    await lag.measure();
    expect(lag.lagSeconds).toBeNull();
    expect(lag.current).toBe(false);
  });
});

describe('databaseFaultOf', () => {
  it('names the database as the cause for its own SQLSTATEs and lost connections, and nothing else', () => {
    expect(databaseFaultOf({ code: '53100' })?.code).toBe('DATABASE_DISK_FULL');
    expect(databaseFaultOf({ code: '25006' })?.code).toBe('DATABASE_READ_ONLY');
    for (const code of ['57P01', '57P03', '08006', 'ECONNREFUSED']) expect(databaseFaultOf({ code })?.code).toBe('DATABASE_UNAVAILABLE');
    expect(databaseFaultOf(new Error('Connection terminated unexpectedly'))?.code).toBe('DATABASE_UNAVAILABLE');
    expect(databaseFaultOf(Object.assign(new AggregateError([{ code: 'ECONNREFUSED' }]), {}))?.code).toBe('DATABASE_UNAVAILABLE');
    // A statement's own fault stays the statement's: a unique violation, a data exception, a plain error.
    for (const error of [{ code: '23505' }, { code: '22P02' }, new Error('boom'), null, 'text']) expect(databaseFaultOf(error)).toBeNull();
  });
});
