import { describe, expect, it } from 'vitest';
import { getTestDatabase, getTestHierarchy } from '../../../../test/helpers/test-database.js';
import { buildPerson, buildSubjectKey } from '../../../../test/helpers/pki-factories.js';
import { CertificateIssuer } from './certificate-issuer.js';

describe('CertificateIssuer', () => {
  it('stores AUTH and SIGN as one pair, with the IIN, DN, validity and DER', async () => {
    const { database } = await getTestDatabase();
    const issuer = new CertificateIssuer(database.db, await getTestHierarchy(), 'http://localhost:8080');
    const person = buildPerson();
    const pair = await issuer.issuePair({ holder: 'individual', person, authKey: buildSubjectKey().spki, signKey: buildSubjectKey().spki, proofing: 'remote' });
    const rows = await database.db.selectFrom('certificates').selectAll().where('pair_id', '=', pair.pairId).orderBy('profile').execute();
    expect(rows.map((r) => r.profile)).toEqual(['individual-auth', 'individual-sign']);
    expect(rows.every((r) => r.subject_iin === person.iin && r.issuer === 'issuing' && r.revoked_at === null)).toBe(true);
    expect(Buffer.from(rows[0].der).equals(pair.auth.der)).toBe(true);
    expect(rows[1].serial).toBe(pair.sign.serial);
    expect(rows[0].subject_dn).toContain(`serialNumber=IIN${person.iin}`);
  });

  it('stores nothing when one of the pair fails lint', async () => {
    const { database } = await getTestDatabase();
    const issuer = new CertificateIssuer(database.db, await getTestHierarchy(), 'http://localhost:8080');
    const person = buildPerson();
    await expect(
      issuer.issuePair({ holder: 'individual', person, authKey: buildSubjectKey().spki, signKey: buildSubjectKey('ECDSA-P384').spki, proofing: 'remote' }),
    ).rejects.toMatchObject({ code: 'KEY_CURVE_NOT_ALLOWED' });
    const rows = await database.db.selectFrom('certificates').select('serial').where('subject_iin', '=', person.iin).execute();
    expect(rows).toEqual([]);
  });
});
