import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestDatabase } from '../../../test/helpers/test-database.js';
import { buildIin } from '../../../test/helpers/factories.js';
import { Pseudonymizer } from '../../privacy/pseudonym.js';
import { RestrictionService } from './restrictions.service.js';

async function setup() {
  const { database, config } = await getTestDatabase();
  return { database, service: new RestrictionService(database), pseudonym: (iin: string) => new Pseudonymizer(config.pseudonymKey).of(iin) };
}

describe('RestrictionService.activeFor', () => {
  it('applies a voluntary restriction at once, by product and channel', async () => {
    const { service, pseudonym } = await setup();
    const person = pseudonym(buildIin());
    const placed = await service.placeVoluntary(person, { products: ['microcredit'], channels: ['online'] });
    expect(placed.kind).toBe('voluntary');
    expect(placed.until).toBeNull();
    const now = new Date(Date.now() + 1000);
    expect(await service.activeFor(person, now, { product: 'microcredit', channel: 'online' })).toHaveLength(1);
    expect(await service.activeFor(person, now, { product: 'bank_loan', channel: 'online' })).toHaveLength(0);
    expect(await service.activeFor(person, now, { product: 'microcredit', channel: 'in_person' })).toHaveLength(0);
    expect(await service.activeFor(pseudonym(buildIin()), now, {})).toHaveLength(0);
  });

  it('stops applying a protective restriction at its until, with no job, and a full lift at ended_at', async () => {
    const { database, service, pseudonym } = await setup();
    const person = pseudonym(buildIin());
    const since = new Date('2026-01-01T00:00:00Z');
    const until = new Date('2026-06-30T00:00:00Z');
    await database.db
      .insertInto('restrictions')
      .values({
        person_hash: person,
        kind: 'protective',
        products: sql`array['bank_loan','microcredit']` as any,
        channels: sql`array['online','in_person']` as any,
        since,
        until,
        reason: 'test',
      })
      .execute();
    expect(await service.activeFor(person, new Date('2025-12-31T23:59:59Z'))).toHaveLength(0);
    expect(await service.activeFor(person, new Date('2026-06-29T23:59:59Z'))).toHaveLength(1);
    expect(await service.activeFor(person, until)).toHaveLength(0);

    const voluntary = await service.placeVoluntary(person, { products: ['bank_loan'], channels: ['online', 'in_person'], since });
    const endAt = new Date('2026-09-01T00:00:00Z');
    expect(await service.end(person, voluntary.id, endAt)).toBe(true);
    expect(await service.activeFor(person, new Date('2026-08-31T00:00:00Z'))).toHaveLength(1);
    expect(await service.activeFor(person, endAt)).toHaveLength(0);
    const all = await service.allOf(person, new Date('2026-08-31T00:00:00Z'));
    expect(all.map((r) => [r.kind, r.inForce])).toEqual([
      ['voluntary', true],
      ['protective', false],
    ]);
  });

  it('refuses a restriction shape the table does not allow', async () => {
    const { database, pseudonym } = await setup();
    await expect(
      database.db
        .insertInto('restrictions')
        .values({ person_hash: pseudonym(buildIin()), kind: 'voluntary', products: sql`array['mortgage']` as any, channels: sql`array['online']` as any, since: new Date(), until: null, reason: 'x' })
        .execute(),
    ).rejects.toThrow();
  });
});
