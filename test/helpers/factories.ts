import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { makeIin } from '../../src/identifiers/iin.js';
import { makeBin } from '../../src/identifiers/bin.js';
import { createApiToken, type TokenRole } from '../../src/auth/api-tokens.js';
import type { DB } from '../../src/db/types.js';
import type { BreachCreateInput } from '../../src/features/registry/index.js';

/** A random valid IIN (tests share a database, so identifiers must not collide). */
export function buildIin(): string {
  for (;;) {
    const birth = new Date(Date.UTC(1950 + randomInt(70), randomInt(12), 1 + randomInt(28)));
    const iin = makeIin(birth, randomInt(2) ? 'male' : 'female', randomInt(10000));
    if (iin) return iin;
  }
}

export function buildBin(): string {
  for (;;) {
    const yymm = `${String(randomInt(100)).padStart(2, '0')}${String(1 + randomInt(12)).padStart(2, '0')}`;
    const bin = makeBin(yymm, '4', '0', randomInt(100000));
    if (bin) return bin;
  }
}

let sequence = 0;
export function buildBreach(overrides: Partial<BreachCreateInput> = {}): BreachCreateInput {
  sequence++;
  return {
    id: `test-breach-${process.pid}-${Date.now().toString(36)}-${sequence}`,
    organizationBin: buildBin(),
    organizationName: `Test Organization ${sequence}`,
    title: `Customer database exposed ${sequence}`,
    description: 'A misconfigured storage bucket exposed customer records.',
    occurredAt: '2026-03-01T00:00:00.000Z',
    discoveredAt: '2026-03-10T00:00:00.000Z',
    disclosedAt: '2026-03-15T00:00:00.000Z',
    source: 'misconfiguration',
    dataCategories: ['iin', 'full_name', 'phone'],
    ...overrides,
  };
}

export async function buildOperatorToken(db: Kysely<DB>, role: TokenRole = 'registry-operator'): Promise<string> {
  return (await createApiToken(db, `test-${role}`, role)).token;
}
