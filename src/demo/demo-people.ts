import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApiToken, type TokenRole } from '../auth/api-tokens.js';
import { makeIin } from '../identifiers/iin.js';
import { makeBin } from '../identifiers/bin.js';
import { CertificateIssuer, type EmployeeRole, type PersonSubject } from '../features/ca/index.js';
import { buildPkcs12 } from '../client/pkcs12-writer.js';

/**
 * Demo people for a newcomer on the embedded database: each gets AUTH and SIGN key files
 * (.p12) with a password, written to <dataDir>/demo with a README saying who is who. The
 * data they need (a published breach naming the citizen, a lender, an enrolled organization)
 * is made through the documented API, as any client would make it.
 */

interface DemoPerson {
  key: string;
  role: string;
  person: PersonSubject;
  holder: 'individual' | 'employee';
  employeeRoles?: EmployeeRole[];
}

const DEMO_BIN = makeBin('0507', '4', '0', 4321)!;
const LENDER_BIN = makeBin('1003', '4', '0', 2468)!;
const ORG_NAME = 'ТОО «Алтын Сервис»';
/** An organization not enrolled yet: its head (a first-head pair, as issued on a checked registry extract) enrols it at the portal. */
const NEW_BIN = makeBin('1911', '4', '0', 8642)!;
const NEW_ORG_NAME = 'ТОО «Жаңа Жол»';

const iin = (date: string, sex: 'male' | 'female', serial: number) => {
  for (let s = serial; ; s++) {
    const value = makeIin(new Date(`${date}T00:00:00Z`), sex, s);
    if (value) return value;
  }
};

export const DEMO_PEOPLE: DemoPerson[] = [
  { key: 'citizen', role: 'citizen in a published breach', holder: 'individual', person: { iin: iin('1956-03-14', 'female', 101), surname: 'Сейітова', givenName: 'Айгүл', patronymic: 'Маратқызы' } },
  { key: 'head', role: `first head of ${ORG_NAME} (BIN ${DEMO_BIN})`, holder: 'employee', employeeRoles: ['first-head'], person: { iin: iin('1970-07-02', 'male', 201), surname: 'Омаров', givenName: 'Нұрлан', organization: ORG_NAME, bin: DEMO_BIN } },
  { key: 'hr', role: `HR of ${ORG_NAME}`, holder: 'employee', employeeRoles: ['hr'], person: { iin: iin('1985-11-20', 'female', 301), surname: 'Жұмабекова', givenName: 'Сәуле', organization: ORG_NAME, bin: DEMO_BIN } },
  { key: 'employee', role: `employee of ${ORG_NAME}`, holder: 'employee', employeeRoles: ['employee'], person: { iin: iin('1992-01-09', 'male', 401), surname: 'Ахметов', givenName: 'Дәурен', organization: ORG_NAME, bin: DEMO_BIN } },
  { key: 'newhead', role: `first head of ${NEW_ORG_NAME} (BIN ${NEW_BIN}), not enrolled yet: enrols it at the portal`, holder: 'employee', employeeRoles: ['first-head'], person: { iin: iin('1975-12-12', 'female', 801), surname: 'Ержанова', givenName: 'Гүлнар', organization: NEW_ORG_NAME, bin: NEW_BIN } },
  { key: 'investigator', role: 'fraud investigator', holder: 'individual', person: { iin: iin('1979-05-30', 'male', 501), surname: 'Бекова', givenName: 'Дана' } },
  { key: 'inspector', role: 'e-signature inspector', holder: 'individual', person: { iin: iin('1981-09-17', 'male', 601), surname: 'Тұрсынов', givenName: 'Ерлан' } },
  { key: 'operator', role: 'registry and CA operator', holder: 'individual', person: { iin: iin('1988-04-04', 'female', 701), surname: 'Иванова', givenName: 'Мария' } },
];

const TOKENS: { file: string; role: TokenRole; who: string }[] = [
  { file: 'operator.token', role: 'registry-operator', who: 'registry operator (breaches)' },
  { file: 'ca-operator.token', role: 'ca-operator', who: 'CA operator (application review queue)' },
  { file: 'inspector.token', role: 'inspector', who: 'inspector (misuse alerts, violations)' },
  { file: 'investigator.token', role: 'investigator', who: 'fraud investigator (clusters, link graph)' },
  { file: 'literacy-operator.token', role: 'literacy-operator', who: 'literacy operator (question bank, centers, volunteers)' },
];

const password = () => `demo-${randomBytes(4).toString('hex')}`;

export async function ensureDemoPeople(app: FastifyInstance, dataDir: string): Promise<string | null> {
  const dir = path.resolve(dataDir, 'demo');
  const readme = path.join(dir, 'README.txt');
  if (existsSync(readme)) return readme;
  if (!app.pki) return null;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const admin = (await createApiToken(app.database.db, 'demo setup', 'admin')).token;
  const call = async (method: 'POST' | 'PUT', url: string, payload: unknown, contentType = 'application/json') => {
    const response = await app.inject({ method, url, payload: payload as string, headers: { authorization: `Bearer ${admin}`, 'content-type': contentType } });
    // A start interrupted while making them leaves some behind; the next start goes on past them.
    if (response.statusCode === 409) return null;
    if (response.statusCode >= 400) throw new Error(`demo setup: ${method} ${url} answered ${response.statusCode} ${response.body}`);
    return response.json();
  };

  const issuer = new CertificateIssuer(app.database.db, app.pki, app.config.publicUrl);
  const chain = [app.pki.issuing.der, app.pki.root.der];
  const lines = ['Qorgau demo people (made on the first start of this embedded instance).', 'Sign in at the portal with the AUTH file; sign requests with the SIGN file.', ''];
  for (const demo of DEMO_PEOPLE) {
    const keys = { auth: generateKeyPairSync('ec', { namedCurve: 'P-256' }), sign: generateKeyPairSync('ec', { namedCurve: 'P-256' }) };
    const issued = await issuer.issuePair({
      holder: demo.holder,
      person: demo.person,
      authKey: keys.auth.publicKey.export({ type: 'spki', format: 'der' }),
      signKey: keys.sign.publicKey.export({ type: 'spki', format: 'der' }),
      proofing: 'in-person',
      employeeRoles: demo.employeeRoles,
    });
    const secret = password();
    for (const kind of ['auth', 'sign'] as const) {
      const p12 = await buildPkcs12({
        privateKeyPkcs8: keys[kind].privateKey.export({ type: 'pkcs8', format: 'der' }),
        certificate: issued[kind].der,
        chain,
        password: secret,
        name: `${demo.person.surname} ${demo.person.givenName} ${kind.toUpperCase()}`,
      });
      await writeFile(path.join(dir, `${demo.key}-${kind}.p12`), p12, { mode: 0o600 });
    }
    lines.push(`${demo.key}: ${demo.person.surname} ${demo.person.givenName}, ${demo.role}`, `  files: ${demo.key}-auth.p12, ${demo.key}-sign.p12   password: ${secret}   IIN: ${demo.person.iin}`, '');
  }

  const citizen = DEMO_PEOPLE[0].person;
  await call('POST', '/v1/breaches', {
    id: 'demo-telecom-2026',
    organizationBin: makeBin('9901', '4', '0', 1357)!,
    organizationName: 'АО «Demo Telecom»',
    title: 'Subscriber database exposed',
    description: 'A copy of the subscriber database (names, IINs, phone numbers) was left open on the internet.',
    source: 'misconfiguration',
    dataCategories: ['iin', 'phone'],
  });
  const others = Array.from({ length: 40 }, (_, i) => iin('1990-01-01', i % 2 ? 'male' : 'female', 1000 + i * 7));
  await call('POST', '/v1/breaches/demo-telecom-2026/affected', `iin\n${[citizen.iin, ...others].join('\n')}\n`, 'text/csv');
  await call('POST', '/v1/breaches/demo-telecom-2026/publish', {});

  await call('POST', '/v1/credit/lenders', { bin: LENDER_BIN, name: 'ТОО «МФО Demo Credit»', licence: 'mfo' });
  const lenderKey = (await call('POST', `/v1/credit/lenders/${LENDER_BIN}/keys`, {})) as { key: string };
  if (!lenderKey) throw new Error('the demo lender key could not be made');
  await writeFile(path.join(dir, 'lender.key'), `${lenderKey.key}\n`, { mode: 0o600 });
  lines.push(`lender: ТОО «МФО Demo Credit», BIN ${LENDER_BIN}; API key in lender.key`, '');
  // The fraud look-up for banks and telecoms uses a key of the same kind with the scope fraud:lookup.
  const lookupKey = (await call('POST', `/v1/credit/lenders/${LENDER_BIN}/keys?scope=fraud:lookup`, {})) as { key: string } | null;
  if (!lookupKey) throw new Error('the demo fraud look-up key could not be made');
  await writeFile(path.join(dir, 'fraud-lookup.key'), `${lookupKey.key}\n`, { mode: 0o600 });
  lines.push('fraud-lookup.key: API key of the same lender with the scope fraud:lookup (fraud look-up)', '');

  await call('POST', '/v1/orgs', { bin: DEMO_BIN, name: ORG_NAME });
  for (const demo of DEMO_PEOPLE.filter((d) => d.person.bin === DEMO_BIN)) {
    await call('PUT', `/v1/orgs/${DEMO_BIN}/employees/${demo.person.iin}`, {
      position: demo.key === 'head' ? 'Director' : demo.key === 'hr' ? 'HR manager' : 'Accountant',
      surname: demo.person.surname,
      givenName: demo.person.givenName,
      ...(demo.key === 'hr' ? { roles: { hr: true } } : {}),
    });
  }

  for (const token of TOKENS) {
    const created = await createApiToken(app.database.db, `demo ${token.role}`, token.role);
    await writeFile(path.join(dir, token.file), `${created.token}\n`, { mode: 0o600 });
    lines.push(`${token.file}: API token of the ${token.who}`);
  }
  await writeFile(readme, lines.join('\n') + '\n', { mode: 0o600 });
  return readme;
}
