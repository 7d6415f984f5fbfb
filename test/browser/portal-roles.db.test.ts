import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { en } from '../../web/src/i18n/en.js';
import { ru } from '../../web/src/i18n/ru.js';
import { kk } from '../../web/src/i18n/kk.js';
import { enPortalroles } from '../../web/src/i18n/en.portalroles.js';
import { ruPortalroles } from '../../web/src/i18n/ru.portalroles.js';
import { kkPortalroles } from '../../web/src/i18n/kk.portalroles.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiToken } from '../../src/auth/api-tokens.js';
import type { DB } from '../../src/db/types.js';
import { makeIin } from '../../src/identifiers/iin.js';
import { buildBin } from '../helpers/factories.js';
import { applicationBody, buildCsrPair, buildPerson, captureBody } from '../helpers/pki-factories.js';
import { browserTestsSkipped, expectAccessible, launchBrowser, openPortal, screenshot, startServer, stem, type DemoPerson, type RunningServer } from './harness.js';

const LANGUAGES = { kk: { ...kk, ...kkPortalroles }, ru: { ...ru, ...ruPortalroles }, en: { ...en, ...enPortalroles } } as const;
type Lang = keyof typeof LANGUAGES;
const fill = (message: string, values: Record<string, string | number>) => message.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(values[k]));

/**
 * The investigator's, organization's and inspector's screens in a real browser, each against
 * data it makes itself through the API (its own numbers, BINs and people), with axe-core on
 * every screen and a screenshot of each.
 */
describe.skipIf(browserTestsSkipped)('the investigator, organization and inspector screens in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  /** A relying party's token, which no route makes: written into the server's database. */
  let relyingParty: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: server.databaseUrl, max: 1 }) }) });
    relyingParty = (await createApiToken(db, 'browser test relying party', 'relying-party')).token;
    await db.destroy();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const open = (lang: Lang) => openPortal(browser, server.url, lang);

  async function call<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(server.url + url, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await response.text();
    expect(response.status, `${method} ${url}: ${text}`).toBeLessThan(300);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function signIn(page: Page, lang: Lang, who: DemoPerson) {
    const m = LANGUAGES[lang];
    await page.goto(server.url + '/signin');
    await page.getByLabel(m.signin.file).setInputFiles(who.auth);
    await page.getByLabel(m.signin.password).fill(who.password);
    await page.getByRole('button', { name: m.signin.submit, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: stem(m.home.title) }).or(page.getByRole('heading', { level: 1, name: m.org.title })).first().waitFor();
  }

  /** Two uses of one certificate from two devices the same minute: a "two devices" alert for the BIN. */
  async function twoDevicesAlert(bin: string): Promise<string> {
    const serial = Math.floor(Math.random() * 2 ** 48).toString(16);
    const at = new Date(Date.now() - 60_000).toISOString();
    const event = { occurredAt: at, certificateSerial: serial, certificateIssuer: 'CN=Browser Test CA,C=KZ', organizationBin: bin, purpose: 'sign' };
    const answer = await call<{ alertIds: string[] }>('POST', '/v1/usage-events', { events: [{ ...event, deviceId: 'desk-1' }, { ...event, deviceId: 'phone-2' }] }, bearer(relyingParty));
    expect(answer.alertIds.length).toBeGreaterThanOrEqual(1);
    return answer.alertIds[0];
  }

  it('lets an investigator sort cases by losses and growth, assign one, join another case to it and take a report out, by keyboard', { timeout: 300_000 }, async () => {
    const token = server.token('investigator.token');
    const own = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    const mobile = () => `+7747${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
    const [shared, other] = [mobile(), mobile()];
    const base = { occurredAt: new Date(Date.now() - 86_400_000).toISOString(), region: 'karaganda', channel: 'call', scheme: 'fake_bank_or_police_call', currency: 'KZT', paymentMethod: 'card_transfer', contact: `inv-${own}@example.kz` };
    const odd = 1 + Math.floor(Math.random() * 9_000);
    const report = (amount: number, phone: string, narrative: string) => call<{ id: string }>('POST', '/v1/fraud/reports', { report: { ...base, amount, identifiers: [{ type: 'phone', value: phone }], narrative } });
    const first = await report(400_000 + odd, shared, 'Called as the bank.');
    await report(300_000, shared, 'Same number called me.');
    // A case is reports linked together: the other case has two reports naming the other number.
    const third = await report(6_000_000 + odd, other, 'A large loss, another number.');
    const fourth = await report(1_000_000, other, 'The other number again.');
    type Summary = { id: string; totalLossKzt: number; reportCount: number };
    const clusters = await call<Summary[]>('GET', '/v1/fraud/clusters?sort=losses&limit=500', undefined, bearer(token));
    const a = clusters.find((c) => c.totalLossKzt === 700_000 + odd)!;
    const b = clusters.find((c) => c.totalLossKzt === 7_000_000 + odd)!;
    expect(a.reportCount).toBe(2);
    expect(b.reportCount).toBe(2);

    const lang = 'kk';
    const m = LANGUAGES[lang];
    const page = await open(lang);
    await page.goto(server.url + '/investigator');
    await page.getByLabel(m.investigator.token).fill(token);
    await page.getByRole('button', { name: m.office.use }).click();
    const table = page.getByTestId('clusters');
    await table.waitFor();
    // By losses, the larger case comes first.
    const order = async () => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cluster')));
    await expect.poll(async () => (await order()).indexOf(b.id)).toBeLessThan((await order()).indexOf(a.id));
    await page.getByLabel(m.investigator.sort).selectOption('growth');
    await expect.poll(async () => (await order()).includes(a.id)).toBe(true);
    await expectAccessible(page, 'investigator cases by growth');

    await page.getByRole('button', { name: fill(m.investigator.open, { id: a.id }) }).click();
    await page.getByRole('heading', { name: fill(m.investigator.case, { id: a.id }), exact: true }).waitFor();
    const actions = page.getByTestId('case-actions');
    await actions.waitFor();

    // Assigned with the keyboard: type the name, press Enter.
    await actions.getByLabel(m.roles.inv.assignTo).fill('Бекова Д.');
    await actions.getByLabel(m.roles.inv.assignTo).press('Enter');
    await actions.getByText(fill(m.roles.inv.assigned, { name: 'Бекова Д.' })).waitFor();
    await expect.poll(() => actions.getByTestId('case-assignee').textContent()).toBe('Бекова Д.');
    await table.locator(`tr[data-cluster="${a.id}"]`).getByText('Бекова Д.').waitFor();

    // The other case joined to this one, with the reason.
    await actions.getByLabel(m.roles.inv.mergeOther).fill(b.id);
    await actions.getByRole('textbox', { name: m.roles.inv.note }).first().fill('Бір топ: екі нөмір бір адамдікі');
    await actions.getByRole('button', { name: m.roles.inv.merge }).click();
    await actions.getByTestId('merge-done').waitFor();
    await expect.poll(async () => (await call<{ reports: unknown[] }>('GET', `/v1/fraud/clusters/${a.id}`, undefined, bearer(token))).reports.length).toBe(4);
    await expectAccessible(page, 'investigator case after merge');
    await screenshot(page, `investigator-case-actions-${lang}`);

    // The other case's two reports taken out again, ticked by their place in the case's list.
    await expect.poll(() => actions.getByRole('checkbox').count()).toBe(4);
    const detail = await call<{ reports: { id: string }[] }>('GET', `/v1/fraud/clusters/${a.id}`, undefined, bearer(token));
    for (const taken of [third, fourth]) await actions.getByRole('checkbox').nth(detail.reports.findIndex((r) => r.id === taken.id)).check();
    await actions.getByRole('textbox', { name: m.roles.inv.note }).last().fill('Басқа оқиға');
    await actions.getByRole('button', { name: m.roles.inv.split }).click();
    await actions.getByTestId('split-done').waitFor();
    const after = await call<{ reports: { id: string }[]; cluster: { assignee: string | null } }>('GET', `/v1/fraud/clusters/${a.id}`, undefined, bearer(token));
    expect(after.reports.map((r) => r.id)).toContain(first.id);
    expect(after.reports.map((r) => r.id)).not.toContain(third.id);
    expect(after.reports.map((r) => r.id)).not.toContain(fourth.id);
    expect(after.cluster.assignee).toBe('Бекова Д.');
    await expectAccessible(page, 'investigator case after split');
    await page.context().close();
  });

  it("shows a company head the organization's alerts, makes and cancels a key for the HR program, and checks a staff-list file before anything changes; HR sees the alerts, not the keys", { timeout: 300_000 }, async () => {
    const lang = 'ru';
    const m = LANGUAGES[lang];
    const page = await open(lang);
    await signIn(page, lang, server.demo.head);
    await page.getByRole('link', { name: m.nav.organization }).click();
    await page.getByRole('heading', { level: 1, name: m.org.title }).waitFor();
    const bin = (await page.evaluate(() => sessionStorage.getItem('qorgau.organization.bin')))!;
    expect(bin).toMatch(/^\d{12}$/);
    await twoDevicesAlert(bin);
    await page.reload();
    const alerts = page.getByTestId('org-alerts');
    await alerts.getByRole('cell', { name: m.inspector['rule_two-devices'] }).first().waitFor();

    // A key for the HR program: shown once, listed without its secret, then cancelled.
    const keys = page.getByTestId('hr-credentials');
    await keys.getByText(m.roles.org.none).waitFor();
    await keys.getByLabel(m.roles.org.credentialName).fill('1С Зарплата');
    await keys.getByRole('button', { name: m.roles.org.create }).click();
    const secret = (await keys.getByTestId('credential-secret').textContent())!;
    expect(secret.length).toBeGreaterThan(20);
    await keys.getByRole('cell', { name: '1С Зарплата', exact: true }).waitFor();
    expect(await keys.locator('table').textContent()).not.toContain(secret);
    await expectAccessible(page, 'organization alerts and keys');
    await keys.getByRole('button', { name: fill(m.roles.org.revoke, { name: '1С Зарплата' }) }).click();
    await keys.getByText(m.roles.org.revokedOk).waitFor();
    await keys.getByRole('cell', { name: m.roles.org.revoked, exact: true }).waitFor();

    // A staff-list file: the head and someone not recorded here. The check changes nothing.
    const stranger = makeIin(new Date('1999-09-09T00:00:00Z'), 'male', 5000 + Math.floor(Math.random() * 4000))!;
    const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-staff-'));
    const file = path.join(dir, 'staff.csv');
    writeFileSync(file, `iin;position\n${server.demo.head.iin};Директор\n${stranger};Бухгалтер\n`);
    await page.getByText(m.org.staffSync).click();
    await page.getByTestId('staff-file').setInputFiles(file);
    await page.getByText(fill(m.roles.org.staffFileRead, { count: 2 })).waitFor();
    await page.getByRole('button', { name: m.org.staffCheck }).click();
    const check = page.getByTestId('staff-check');
    await check.getByText(fill(m.roles.org.staffListed, { count: 2 })).waitFor();
    await check.getByTestId('staff-not-recorded').getByText(stranger).waitFor();
    expect(await check.textContent()).toContain(server.demo.hr.iin);
    await expectAccessible(page, 'staff-list file check');
    await screenshot(page, `organization-head-roles-${lang}`);
    // Nothing changed: HR is still employed.
    await page.context().close();

    const hrLang = 'kk';
    const h = LANGUAGES[hrLang];
    const hr = await open(hrLang);
    await signIn(hr, hrLang, server.demo.hr);
    await hr.goto(server.url + '/org');
    await hr.getByRole('heading', { level: 1, name: h.org.title }).waitFor();
    await hr.getByTestId('org-alerts').getByRole('cell', { name: h.inspector['rule_two-devices'] }).first().waitFor();
    await hr.getByTestId('hr-credentials').getByText(h.roles.org.headOnly).waitFor();
    await expectAccessible(hr, 'organization for HR');
    await screenshot(hr, `organization-hr-roles-${hrLang}`);
    await hr.context().close();
  });

  it("lets the inspector decide violation cases with a fine in MCI and tenge, and see who looked at applicants' photos", { timeout: 300_000 }, async () => {
    const inspector = server.token('inspector.token');
    const alertId = await twoDevicesAlert(buildBin());
    const opened = await call<{ id: string; schedule: { minMci: number; maxMci: number } }>('POST', '/v1/violations', { alertId, violationType: 'art640-5', offenderCategory: 'official' }, bearer(inspector));

    // An application whose pictures a CA operator opens: the inspector sees that view.
    const person = buildPerson();
    const submitted = await call<{ id: string; captureSecret: string }>('POST', '/v1/pki/applications', applicationBody(person, await buildCsrPair(person)));
    const secret = { 'qorgau-capture-secret': submitted.captureSecret };
    const challenge = await call<{ prompts: string[]; code: string }>('POST', `/v1/pki/applications/${submitted.id}/liveness-challenge`, undefined, secret);
    // Without the secret, nobody else gives the pictures.
    const refused = await fetch(`${server.url}/v1/pki/applications/${submitted.id}/capture`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(captureBody(challenge)) });
    expect(refused.status).toBe(401);
    await call('POST', `/v1/pki/applications/${submitted.id}/capture`, captureBody(challenge), secret);
    await call('GET', `/v1/pki/applications/${submitted.id}/capture`, undefined, bearer(server.token('ca-operator.token')));

    const lang = 'en';
    const m = LANGUAGES[lang];
    const page = await open(lang);
    await page.goto(server.url + '/inspector');
    await page.getByLabel(m.inspector.token).fill(inspector);
    await page.getByRole('button', { name: m.office.use }).click();
    const cases = page.getByTestId('violation-cases');
    const card = cases.locator(`[data-case="${opened.id}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-status')).toBe('open');
    await card.getByTestId('case-fine').getByText(m.roles.insp.noFine).waitFor();
    await expectAccessible(page, 'inspector cases');

    const mci = opened.schedule.minMci;
    await card.getByLabel(m.roles.insp.next).selectOption('fined');
    await card.getByLabel(stem(m.roles.insp.fineMci)).fill(String(mci));
    await card.getByLabel(m.roles.insp.decision, { exact: true }).fill('Two devices at once: the signature was shared.');
    await card.getByRole('button', { name: m.roles.insp.decide }).click();
    const fined = cases.locator(`[data-case="${opened.id}"][data-status="fined"]`);
    await fined.waitFor();
    const stored = await call<{ fine: { mci: number; tenge: number; year: number } }>('GET', `/v1/violations/${opened.id}`, undefined, bearer(inspector));
    expect(stored.fine.mci).toBe(mci);
    expect(await fined.getByTestId('case-fine').textContent()).toContain(`${mci} MCI (${stored.fine.year})`);
    expect((await fined.getByTestId('case-fine').textContent())!.replace(/\D/g, '')).toContain(String(Math.round(stored.fine.tenge)));
    await page.getByTestId('capture-views').locator(`tr[data-application="${submitted.id}"]`).waitFor();
    await screenshot(page, `inspector-cases-${lang}`);
    await page.getByLabel(m.roles.insp.show).selectOption('fined');
    await cases.locator(`[data-case="${opened.id}"]`).waitFor();
    await page.getByLabel(m.roles.insp.show).selectOption('open');
    await expect.poll(() => cases.locator(`[data-case="${opened.id}"]`).count()).toBe(0);

    const views = page.getByTestId('capture-views');
    await views.locator(`tr[data-application="${submitted.id}"]`).getByText('token:').waitFor();
    await expectAccessible(page, 'inspector cases and photo views');
    await page.context().close();
  });
});
