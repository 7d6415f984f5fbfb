import { describe, expect, it } from 'vitest';
import { getTestDatabase } from '../../../test/helpers/test-database.js';
import { buildBin, buildIin } from '../../../test/helpers/factories.js';
import { EmploymentService } from './employees.service.js';

describe('EmploymentService.employmentAt', () => {
  it('finds the spell of employment in force at a moment, and none before it began or after it ended', async () => {
    const { database } = await getTestDatabase();
    const bin = buildBin();
    const iin = buildIin();
    await database.db.insertInto('enrolled_organizations').values({ bin, name: 'Test LLP', enrolled_by: 'test' }).execute();
    await database.db
      .insertInto('employments')
      .values([
        { bin, iin, position: 'accountant', may_sign: true, started_at: '2024-01-01T00:00:00Z', ended_at: '2025-01-01T00:00:00Z' },
        { bin, iin, position: 'chief accountant', may_sign_financial: true, started_at: '2025-06-01T00:00:00Z' },
      ])
      .execute();
    const service = new EmploymentService(database.db);

    expect(await service.employmentAt(bin, iin, new Date('2023-12-31T23:59:59Z'))).toBeNull();
    const first = await service.employmentAt(bin, iin, new Date('2024-06-01T00:00:00Z'));
    expect(first).toMatchObject({ position: 'accountant', roles: { maySign: true, maySignFinancial: false, hr: false } });
    expect(await service.employmentAt(bin, iin, new Date('2025-01-01T00:00:00Z'))).toBeNull();
    expect(await service.employmentAt(bin, iin, new Date('2025-03-01T00:00:00Z'))).toBeNull();
    const second = await service.employmentAt(bin, iin, new Date('2026-01-01T00:00:00Z'));
    expect(second).toMatchObject({ position: 'chief accountant', endedAt: null, roles: { maySignFinancial: true } });
    expect(await service.employmentAt(buildBin(), iin, new Date('2026-01-01T00:00:00Z'))).toBeNull();
    expect((await service.latestEmployment(bin, iin))?.position).toBe('chief accountant');
  });
});
