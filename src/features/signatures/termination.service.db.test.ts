import { describe, expect, it } from 'vitest';
import { getTestDatabase } from '../../../test/helpers/test-database.js';
import { buildBin, buildIin } from '../../../test/helpers/factories.js';
import { AppError } from '../../errors/app-error.js';
import { CertificateHoldings, type HeldCertificate } from '../ca/index.js';
import { EmploymentService } from './employees.service.js';
import { TerminationService } from './termination.service.js';

/** Holdings that name a certificate the CA never issued, so the revocation inside the termination fails. */
class PhantomHoldings extends CertificateHoldings {
  override async unrevokedOf(): Promise<HeldCertificate[]> {
    const now = new Date();
    return [{ issuer: 'issuing', serial: '7f00000000000000000000000000dead', profile: 'employee-auth', subjectIin: null, subjectBin: null, pairId: null, applicationId: null, notBefore: now, notAfter: new Date(now.getTime() + 86_400_000), revokedAt: null, revocationReason: null }];
  }
}

describe('TerminationService', () => {
  it('ends the employment and revokes in one transaction: a failed revocation leaves the person employed', async () => {
    const { database } = await getTestDatabase();
    const bin = buildBin();
    const iin = buildIin();
    await database.db.insertInto('enrolled_organizations').values({ bin, name: 'Atomic LLP', enrolled_by: 'test' }).execute();
    await database.db.insertInto('employments').values({ bin, iin, position: 'clerk', started_at: '2025-01-01T00:00:00Z' }).execute();
    const employment = new EmploymentService(database.db);

    const failing = new TerminationService(database.db, new PhantomHoldings(database.db));
    const error = await failing.terminate(bin, iin, { actor: 'test' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CERTIFICATE_NOT_FOUND');
    expect(await employment.employmentAt(bin, iin, new Date())).not.toBeNull();

    const done = await new TerminationService(database.db, new CertificateHoldings(database.db)).terminate(bin, iin, { actor: 'test', reason: 'resigned' });
    expect(done.revoked).toEqual([]);
    expect(await employment.employmentAt(bin, iin, new Date())).toBeNull();
    const ended = await employment.endedBefore(new Date(Date.now() + 1000), new Date(Date.now() - 60_000));
    expect(ended.filter((e) => e.bin === bin)).toMatchObject([{ iin, endReason: 'resigned' }]);
    expect((await employment.employmentsOf(iin)).map((e) => e.bin)).toEqual([bin]);
  });
});
