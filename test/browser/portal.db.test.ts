import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { en } from '../../web/src/i18n/en.js';
import { ru } from '../../web/src/i18n/ru.js';
import { kk } from '../../web/src/i18n/kk.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeBin } from '../../src/identifiers/bin.js';
import { makeIin } from '../../src/identifiers/iin.js';
import { browserTestsSkipped, expectAccessible, launchBrowser, openPortal, screenshot, startServer, stem, type DemoPerson, type RunningServer } from './harness.js';

const LANGUAGES = { kk, ru, en } as const;
type Lang = keyof typeof LANGUAGES;
const NCA_P12 = fileURLToPath(new URL('../fixtures/nca/AUTH_RSA256_test.p12', import.meta.url));

describe.skipIf(browserTestsSkipped)('the portal in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A fresh browser whose language is `lang`: the portal must pick it up by itself. */
  const open = (lang: Lang) => openPortal(browser, server.url, lang);

  async function trySignIn(page: Page, lang: Lang, file: string, password: string) {
    const m = LANGUAGES[lang];
    await page.goto(server.url + '/signin');
    await page.getByLabel(m.signin.file).setInputFiles(file);
    await page.getByLabel(m.signin.password).fill(password);
    await page.getByRole('button', { name: m.signin.submit, exact: true }).click();
  }

  async function signIn(page: Page, lang: Lang, who: DemoPerson) {
    await trySignIn(page, lang, who.auth, who.password);
    const welcome = page.getByRole('heading', { level: 1, name: stem(LANGUAGES[lang].home.title) });
    await Promise.race([welcome.waitFor(), page.getByTestId('signin-problem').waitFor()]);
    if (!(await welcome.isVisible())) throw new Error(`sign-in refused: ${await page.getByTestId('signin-problem').textContent()}`);
  }

  async function signProblem(page: Page): Promise<string> {
    const problem = page.getByTestId('signin-problem');
    await problem.waitFor();
    return (await problem.textContent()) ?? '';
  }

  it('signs in with a Qorgau .p12 opened in the browser, and says plainly what is wrong with a wrong password or a SIGN file', { timeout: 300_000 }, async () => {
    const citizen = server.demo.citizen;
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const m = LANGUAGES[lang];
      const page = await open(lang);
      await expectAccessible(page, `home (${lang})`);
      await page.goto(server.url + '/signin');
      await expectAccessible(page, `sign-in (${lang})`);

      await trySignIn(page, lang, citizen.auth, citizen.password + 'x');
      expect(await signProblem(page)).toBe(m.signin.BAD_PASSWORD);
      await trySignIn(page, lang, citizen.sign, citizen.password);
      expect(await signProblem(page)).toBe(m.signin.SIGN_FOR_AUTH);
      await screenshot(page, `signin-problem-${lang}`);

      await signIn(page, lang, citizen);
      await page.getByRole('button', { name: m.app.signOut }).waitFor();
      await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.nav.myBreaches }).click();
      await page.getByRole('heading', { name: 'Subscriber database exposed' }).waitFor();
      await expectAccessible(page, `my breaches (${lang})`);
      await screenshot(page, `my-breaches-${lang}`);
      await page.context().close();
    }
  });

  it("opens the national CA's legacy .p12 (3DES and 40-bit RC2) and says the certificate has expired", { timeout: 300_000 }, async () => {
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const m = LANGUAGES[lang];
      const page = await open(lang);
      await trySignIn(page, lang, NCA_P12, 'Qwerty12');
      const said = await signProblem(page);
      expect(said).toContain(stem(m.signin.EXPIRED));
      expect(said).toMatch(/2019/);
      await trySignIn(page, lang, NCA_P12, 'Qwerty13');
      expect(await signProblem(page)).toBe(m.signin.BAD_PASSWORD);
      await screenshot(page, `signin-nca-${lang}`);
      await page.context().close();
    }
  });

  it('places a restriction, lifts it with a cooling-off and cancels the lift, signing in the browser, in each language', { timeout: 300_000 }, async () => {
    const citizen = server.demo.citizen;
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const m = LANGUAGES[lang];
      const page = await open(lang);
      await signIn(page, lang, citizen);
      await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.nav.restrictions }).click();
      await page.getByRole('heading', { level: 1, name: m.restrictions.title }).waitFor();
      await expectAccessible(page, `restrictions (${lang})`);

      await page.getByRole('form', { name: m.restrictions.placeTitle }).getByRole('button', { name: m.restrictions.placeSubmit }).click();
      const summary = await page.getByTestId('sign-summary').textContent();
      expect(summary).toContain(m.restrictions.product_bank_loan);
      await page.getByLabel(m.sign.keyFile).setInputFiles(citizen.sign);
      await page.getByLabel(m.sign.password).fill(citizen.password);
      await expectAccessible(page, `sign panel (${lang})`);
      await page.getByRole('button', { name: m.sign.submit }).click();
      await page.getByText(m.sign.done).waitFor();
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: m.sign.download }).click();
      expect((await download).suggestedFilename()).toBe('qorgau-restriction.place.p7s');
      await page.getByRole('button', { name: m.app.back }).click();

      await page.getByRole('form', { name: m.restrictions.liftTitle }).getByRole('button', { name: m.restrictions.liftSubmit }).click();
      expect(await page.getByTestId('sign-summary').textContent()).toBe(m.restrictions.liftSummary_entire.replace('{{which}}', m.restrictions.whichAll));
      // The signing key opened for the first request stays in this tab's memory.
      await page.getByRole('button', { name: m.sign.submit }).click();
      await page.getByText(m.sign.done).waitFor();
      await page.getByRole('button', { name: m.app.back }).click();

      const lifts = page.getByTestId('lifts');
      await lifts.getByText(m.restrictions.status_cooling_off).first().waitFor();
      expect(await lifts.getByRole('timer').first().textContent()).toContain(stem(m.restrictions.countdown));
      await screenshot(page, `restrictions-${lang}`);
      await lifts.getByRole('button', { name: m.restrictions.cancel }).first().click();
      await page.getByText(m.restrictions.cancelled).waitFor();
      await expect.poll(() => lifts.getByText(m.restrictions.status_cooling_off).count()).toBe(0);

      await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.nav.documents }).click();
      await page.getByTestId('documents').getByText(m.documents['restriction.lift']).first().waitFor();
      await expectAccessible(page, `documents (${lang})`);
      await page.context().close();
    }
  });

  it("shows a lender's check in the citizen's list of who checked their IIN", { timeout: 300_000 }, async () => {
    const citizen = server.demo.citizen;
    const response = await fetch(`${server.url}/v1/credit/checks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token('lender.key')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ iin: citizen.iin, product: 'microcredit', channel: 'online', amount: 150000 }),
    });
    expect(response.status).toBe(200);
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const m = LANGUAGES[lang];
      const page = await open(lang);
      await signIn(page, lang, citizen);
      await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.nav.inquiries }).click();
      const row = page.getByTestId('inquiries').getByRole('row').filter({ hasText: 'МФО Demo Credit' }).first();
      await row.waitFor();
      expect(await row.textContent()).toContain(m.restrictions.product_microcredit);
      expect(await row.textContent()).toContain(m.inquiries.deny);
      await expectAccessible(page, `inquiries (${lang})`);
      await screenshot(page, `inquiries-${lang}`);
      await page.context().close();
    }
  });

  it('lets a person look at published breaches and company pages without signing in', async () => {
    const page = await open('ru');
    await page.getByRole('link', { name: ru.nav.breaches }).first().click();
    await page.getByRole('heading', { name: 'Subscriber database exposed' }).waitFor();
    await expectAccessible(page, 'breaches');
    await page.getByRole('link', { name: 'АО «Demo Telecom»' }).click();
    await page.getByRole('heading', { level: 1, name: stem(ru.company.title) + ' АО «Demo Telecom»' }).waitFor();
    await expectAccessible(page, 'company');
    await screenshot(page, 'company-ru');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: stem(ru.company.title) + ' АО «Demo Telecom»' }).waitFor();
    await page.context().close();
  });

  it('lets an operator record a breach, import a file with a progress bar and an invalid-line report, and publish it', { timeout: 300_000 }, async () => {
    const m = en;
    const page = await open('en');
    await page.goto(server.url + '/operator');
    await page.getByLabel(m.operator.token).fill(server.token('operator.token'));
    await page.getByRole('button', { name: m.office.use }).click();
    await page.getByText(m.operator.create).click();
    const id = `browser-import-${Date.now()}`;
    await page.getByLabel(m.operator.breachId).fill(id);
    await page.getByLabel(m.operator.bin).fill(makeBin('1201', '4', '0', 97531)!);
    await page.getByLabel(m.breaches.company, { exact: true }).fill('ТОО «Browser Shop»');
    await page.getByLabel(m.operator.breachTitle).fill('Loyalty card database stolen');
    await page.getByRole('button', { name: m.operator.createSubmit }).click();
    await page.getByText(m.operator.created).waitFor();
    await expectAccessible(page, 'operator');

    const iins = [1, 2, 3].map((serial) => {
      for (let s = serial * 11; ; s++) {
        const iin = makeIin(new Date('1977-02-03T00:00:00Z'), 'female', s);
        if (iin) return iin;
      }
    });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'qorgau-import-')), 'affected.csv');
    writeFileSync(file, `iin\n${iins.join('\n')}\n${iins[0]}\n123456789012\n`);
    const card = page.getByTestId('operator-breaches').getByRole('listitem').filter({ hasText: id });
    await card.getByLabel(m.operator.importFile).setInputFiles(file);
    await card.getByRole('button', { name: m.operator.import }).click();
    const report = card.getByTestId('import-report');
    await report.waitFor();
    expect(await report.textContent()).toContain(m.operator.report.replace('{{lines}}', '5').replace('{{accepted}}', '3').replace('{{duplicate}}', '1').replace('{{invalid}}', '1'));
    expect(await report.getByRole('row').count()).toBe(2);
    expect(await card.locator('progress').getAttribute('value')).toBe('1');
    await screenshot(page, 'operator-import-en');
    await card.getByRole('button', { name: m.operator.publish }).click();
    await page.getByTestId('published').getByText(m.operator.published.replace('{{persons}}', '3')).waitFor();
    // The list is fetched again after publishing: wait for the draft's card to go, do not race it.
    await card.waitFor({ state: 'detached' });

    await page.goto(server.url + '/breaches');
    await page.getByRole('heading', { name: 'Loyalty card database stolen' }).waitFor();
    await page.context().close();
  });

  it("lets a lender check an IIN by hand and shows the registry's signed answer verified in the browser", { timeout: 300_000 }, async () => {
    const m = ru;
    const page = await open('ru');
    await page.goto(server.url + '/lender');
    await page.getByLabel(m.lender.key).fill(server.token('lender.key'));
    await page.getByRole('button', { name: m.office.use }).click();
    await page.getByLabel(m.lender.iin).fill(server.demo.citizen.iin);
    await page.getByLabel(m.lender.amount).fill('250000');
    await page.getByRole('button', { name: m.lender.submit }).click();
    const answer = page.getByTestId('check-answer');
    await answer.waitFor();
    expect(await answer.textContent()).toContain(m.lender.deny);
    expect(await answer.textContent()).toContain(m.lender.verified);
    await expectAccessible(page, 'lender');
    await screenshot(page, 'lender-ru');
    await page.context().close();
  });

  it('lets a company head enrol their organization, add an employee as HR, allow their certificate and check the staff list, no administrator involved', { timeout: 300_000 }, async () => {
    const m = en;
    const page = await open('en');
    await trySignIn(page, 'en', server.demo.newhead.auth, server.demo.newhead.password);
    await page.getByRole('link', { name: m.nav.organization }).click();
    await page.getByRole('heading', { level: 1, name: m.org.enrolTitle }).waitFor();
    await expectAccessible(page, 'organization enrolment');
    await screenshot(page, 'organization-enrol-en');
    await page.getByLabel(m.org.name).fill('ТОО «Жаңа Жол»');
    await page.getByRole('button', { name: m.org.enrol, exact: true }).click();
    await page.getByTestId('organization-name').getByText('ТОО «Жаңа Жол»').waitFor();
    // The head is the organization's first record, as first head.
    const headCard = page.getByTestId('employees').getByRole('listitem').filter({ hasText: 'Ержанова' });
    await headCard.getByText(m.org.firstHead).waitFor();

    // An employee, working as HR from the start: no certificate needed for the role.
    const employeeIin = makeIin(new Date('1990-02-03T00:00:00Z'), 'female', 4242)!;
    await page.getByText(m.org.addEmployee).click();
    const form = page.getByTestId('add-employee');
    await form.getByLabel(m.org.iin).fill(employeeIin);
    await form.getByLabel(m.org.surname).fill('Сапарова');
    await form.getByLabel(m.org.givenName).fill('Әсел');
    await form.getByLabel(m.org.position).fill('HR manager');
    await form.getByLabel(m.org.hrRole).check();
    await form.getByRole('button', { name: m.org.save }).click();
    const card = page.getByTestId('employees').getByRole('listitem').filter({ hasText: 'Сапарова' });
    await card.getByText(`HR manager — ${m.org.hr}`).waitFor();
    await card.getByRole('button', { name: m.org.authorize }).click();
    await card.getByTestId('authorized').waitFor();
    // The head makes themselves HR too: the record changes, their certificate stays.
    await headCard.getByRole('button', { name: m.org.makeHr }).click();
    await headCard.getByText(`${m.org.firstHead}, ${m.org.hr}`).waitFor();
    await expectAccessible(page, 'organization after enrolment');

    // The staff list without the new employee: the check shows who would be terminated, nothing changes yet.
    await page.getByText(m.org.staffSync).click();
    await page.getByLabel(m.org.staffList).fill(server.demo.newhead.iin);
    await page.getByRole('button', { name: m.org.staffCheck }).click();
    await page.getByTestId('staff-check').getByText(m.org.staffWouldTerminate.replace('{{count}}', '1')).waitFor();
    expect(await page.getByTestId('staff-check').textContent()).toContain(employeeIin);
    await expectAccessible(page, 'staff list check');
    await screenshot(page, 'organization-head-en');
    await page.context().close();
  });

  it("lets HR terminate an employee: the employee's certificates show revoked and no longer sign in", { timeout: 300_000 }, async () => {
    const m = kk;
    const page = await open('kk');
    await trySignIn(page, 'kk', server.demo.hr.auth, server.demo.hr.password);
    await page.getByRole('heading', { level: 1, name: m.org.title }).waitFor();
    const card = page.getByTestId('employees').getByRole('listitem').filter({ hasText: 'Ахметов' });
    await card.getByRole('button', { name: m.org.certificates }).click();
    await card.getByTestId('employee-certificates').getByText(m.certificates.status_good).first().waitFor();
    await expectAccessible(page, 'organization');
    await card.getByRole('button', { name: m.org.terminate }).click();
    await card.getByRole('button', { name: m.org.confirmTerminate.replace('{{name}}', 'Ахметов Дәурен') }).click();
    await card.getByText(m.org.terminated.replace('{{count}}', '2')).waitFor();
    await expect.poll(() => card.getByTestId('employee-certificates').getByText(m.certificates.status_revoked).count()).toBe(2);
    await screenshot(page, 'organization-kk');
    await page.context().close();

    const employee = await open('kk');
    await trySignIn(employee, 'kk', server.demo.employee.auth, server.demo.employee.password);
    expect(await signProblem(employee)).toBe(m.signin.REVOKED);
    await employee.context().close();
  });

  it('shows the inspector the misuse alerts, the fine schedule and the statistics in tenge', { timeout: 300_000 }, async () => {
    const m = ru;
    const page = await open('ru');
    await page.goto(server.url + '/inspector');
    await page.getByLabel(m.inspector.token).fill(server.token('inspector.token'));
    await page.getByRole('button', { name: m.office.use }).click();
    await page.getByRole('heading', { name: m.inspector.alerts }).waitFor();
    await page.getByRole('heading', { name: m.inspector.schedule }).waitFor();
    // The category is looked for in the schedule's cells: an alert card's <select> holds the same
    // words in an <option>, which is never visible, and waiting on it timed out whenever an alert existed.
    await page.getByTestId('fine-schedule').getByRole('cell', { name: m.inspector.category_large, exact: true }).first().waitFor();
    await expectAccessible(page, 'inspector');
    await screenshot(page, 'inspector-ru');
    await page.context().close();
  });

  it('lets a citizen add and remove a notification address and see their certificates, in each language', { timeout: 300_000 }, async () => {
    const citizen = server.demo.citizen;
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const m = LANGUAGES[lang];
      const page = await open(lang);
      await signIn(page, lang, citizen);
      const menu = page.getByRole('navigation', { name: m.app.nav });
      // Exact: in Kazakh "My fraud reports" also contains the word of "Notifications".
      await menu.getByRole('link', { name: m.nav.contacts, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: m.contacts.title }).waitFor();
      const contacts = page.getByTestId('contacts');
      // Start from no contacts, whatever an earlier language or test left, so the counts below are this language's own.
      await expect.poll(() => page.getByText(m.contacts.none).or(contacts).first().isVisible()).toBe(true);
      while ((await contacts.getByRole('button').count()) > 0) {
        const before = await contacts.getByRole('button').count();
        await contacts.getByRole('button').first().click();
        await expect.poll(() => contacts.getByRole('button').count()).toBeLessThan(before);
      }
      // Without an SMTP server configured the server sends notices by webhook only.
      const address = `https://notices.example.kz/aigul/${lang}`;
      await page.getByLabel(m.contacts.channel).selectOption('webhook');
      await page.getByLabel(m.contacts.address).fill(address);
      await page.getByRole('button', { name: m.contacts.add }).click();
      // The address shows in the list once it was added (the field is emptied then).
      await expect.poll(() => page.getByLabel(m.contacts.address).inputValue()).toBe('');
      // The address itself (the remove button also names it, for screen readers).
      await contacts.locator('strong').getByText(address, { exact: true }).waitFor();
      expect(await contacts.getByRole('listitem').count()).toBe(1);
      await expectAccessible(page, `contacts (${lang})`);
      await contacts.getByRole('button', { name: `${m.contacts.remove} ${address}` }).click();
      await expect.poll(() => contacts.locator('strong').getByText(address, { exact: true }).count()).toBe(0);

      await menu.getByRole('link', { name: m.nav.certificates, exact: true }).click();
      const certificates = page.getByTestId('certificates');
      await certificates.getByRole('heading', { name: m.certificates.kind_auth }).waitFor();
      await certificates.getByRole('heading', { name: m.certificates.kind_sign }).waitFor();
      // Exactly the status badge: in English "Valid" is also the start of "Valid until", which made this count 4.
      await expect.poll(() => certificates.getByText(m.certificates.status_good, { exact: true }).count()).toBe(2);
      await expectAccessible(page, `certificates (${lang})`);
      await screenshot(page, `certificates-${lang}`);
      await page.context().close();
    }
  });

  /** A Kazakh mobile number nobody else in this run names, as 10 national digits. */
  const freshMobile = () => `747${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;

  it('takes a fraud report: plain-word checks of identifiers, anonymous with a tracking code, signed by a citizen, and "you are not alone"', { timeout: 300_000 }, async () => {
    const citizen = server.demo.citizen;
    const national = freshMobile();

    // Anonymous, in Russian: a wrong IBAN is explained in plain words before anything is sent.
    {
      const m = ru;
      const page = await open('ru');
      await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.more.reportFraud }).click();
      await page.getByRole('heading', { level: 1, name: m.fraud.title }).waitFor();
      await page.getByLabel(m.fraud.region).selectOption('astana');
      await page.getByLabel(m.fraud.identifierType).first().selectOption('iban');
      await page.getByLabel(m.fraud.identifierValue).first().fill('KZ00 125K ZT00 0000 0001');
      await page.getByLabel(m.fraud.narrative).click();
      await page.getByTestId('identifier-check').first().getByText(m.fraud.problem_FRAUD_IBAN_INVALID).waitFor();
      await expectAccessible(page, 'fraud report with a refused identifier (ru)');
      await page.getByLabel(m.fraud.identifierType).first().selectOption('phone');
      await page.getByLabel(m.fraud.identifierValue).first().fill(`8 ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6, 8)} ${national.slice(8)}`);
      await page.getByLabel(m.fraud.narrative).fill('Позвонили «из службы безопасности банка» и попросили код из SMS.');
      await page.getByTestId('identifier-check').first().getByText(m.fraud.identifierOk.replace('{{display}}', `+7${national}`)).waitFor();
      await page.getByLabel(m.fraud.amount).fill('120000');
      // Without sign-in a contact is needed: the form says so instead of sending.
      await page.getByRole('button', { name: m.fraud.submit }).click();
      await page.getByTestId('fraud-problem').getByText(m.fraud.fixErrors).waitFor();
      await page.getByLabel(m.fraud.contact).fill('+7 701 000 00 00');
      await page.getByRole('button', { name: m.fraud.submit }).click();
      await page.getByTestId('fraud-sent').waitFor();
      expect(await page.getByTestId('fraud-sent').textContent()).toContain(m.fraud.unsignedStatement);
      expect((await page.getByTestId('tracking-code').textContent())?.trim()).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      await page.getByTestId('fraud-status').getByText(m.fraudStatus.alone).waitFor();
      await expectAccessible(page, 'fraud report sent (ru)');
      await screenshot(page, 'fraud-report-sent-ru');
      await page.context().close();
    }

    // The demo citizen, in Kazakh, signs a report naming the same number written another way.
    {
      const m = kk;
      const page = await open('kk');
      await signIn(page, 'kk', citizen);
      await page.goto(server.url + '/fraud/report');
      await page.getByRole('heading', { level: 1, name: m.fraud.title }).waitFor();
      await page.getByLabel(m.fraud.region).selectOption('almaty-city');
      await page.getByLabel(m.fraud.ageGroup).selectOption('65+');
      await page.getByLabel(m.fraud.identifierValue).first().fill(`+7 (${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6, 8)}-${national.slice(8)}`);
      await page.getByLabel(m.fraud.narrative).fill('Банк атынан қоңырау шалып, SMS кодын сұрады.');
      await page.getByLabel(m.fraud.amount).fill('50000');
      await page.getByLabel(m.fraud.sign).check();
      await page.getByLabel(m.sign.keyFile).setInputFiles(citizen.sign);
      await page.getByLabel(m.sign.password).fill(citizen.password);
      await expectAccessible(page, 'fraud report, signed (kk)');
      await page.getByRole('button', { name: m.fraud.submit }).click();
      await page.getByTestId('fraud-sent').waitFor();
      expect(await page.getByTestId('fraud-sent').textContent()).toContain(m.fraud.signedStatement);
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: m.fraud.downloadSigned }).click();
      expect((await download).suggestedFilename()).toBe('qorgau-fraud-report.p7s');
      await page.context().close();
    }

    // In English, "My fraud reports" shows the signed report, linked with the anonymous one.
    {
      const m = en;
      const page = await open('en');
      await signIn(page, 'en', citizen);
      await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.more.myFraud }).click();
      const mine = page.getByTestId('my-fraud-reports').getByTestId('fraud-status').filter({ hasText: m.fraudStatus.signed }).first();
      await mine.getByText(m.fraudStatus.notAlone.replace('{{count}}', '1').replace('{{kinds}}', m.fraud.kind_phone)).waitFor();
      expect(await mine.textContent()).toContain(m.fraudStatus.status_linked);
      await expectAccessible(page, 'my fraud reports (en)');
      await screenshot(page, 'my-fraud-reports-en');
      await page.context().close();
    }
  });

  it("shows an investigator the case's link graph: clicking a link tells what it is based on; warning-listed numbers are marked", { timeout: 300_000 }, async () => {
    const investigator = server.token('investigator.token');
    const call = async (method: string, url: string, body?: unknown, token?: string) => {
      const response = await fetch(server.url + url, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      expect(response.status, `${method} ${url}: ${await response.clone().text()}`).toBeLessThan(300);
      return response.json();
    };
    // A bank's real number, which fraudsters spoof: on the warning list it is marked, never linked.
    const bankNumber = `+7${freshMobile()}`;
    await call('POST', '/v1/fraud/warning-list', { entries: [{ type: 'phone', value: bankNumber, owner: 'Demo Bank' }] }, investigator);
    const phone = `+7${freshMobile()}`;
    // Its own data, nothing another test names: fresh numbers, its own site and contact, and losses no other case sums to.
    const own = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    const site = `https://kaspi-bonus-${own}.kz/pay`;
    const base = { occurredAt: new Date(Date.now() - 86_400_000).toISOString(), region: 'karaganda', channel: 'call', scheme: 'fake_bank_or_police_call', currency: 'KZT', paymentMethod: 'card_transfer', contact: `victim-${own}@example.kz` };
    const odd = 1 + Math.floor(Math.random() * 9_000);
    const amounts = [111_111 + odd, 222_222, 333_334];
    await call('POST', '/v1/fraud/reports', { report: { ...base, amount: amounts[0], identifiers: [{ type: 'phone', value: phone }, { type: 'phone', value: bankNumber }], narrative: 'First victim.' } });
    await call('POST', '/v1/fraud/reports', { report: { ...base, amount: amounts[1], identifiers: [{ type: 'phone', value: phone.replace('+7', '8') }, { type: 'url', value: site }], narrative: 'Second victim.' } });
    await call('POST', '/v1/fraud/reports', { report: { ...base, amount: amounts[2], identifiers: [{ type: 'url', value: site.replace('https://', 'http://www.') }], narrative: 'Third victim.' } });
    const clusters = (await call('GET', '/v1/fraud/clusters?sort=losses&limit=500', undefined, investigator)) as { id: string; totalLossKzt: number }[];
    const cluster = clusters.find((c) => c.totalLossKzt === amounts.reduce((a, b) => a + b, 0))!;
    expect(cluster).toBeDefined();

    const m = en;
    const page = await open('en');
    await page.goto(server.url + '/investigator');
    await page.getByLabel(m.investigator.token).fill(investigator);
    await page.getByRole('button', { name: m.office.use }).click();
    await page.getByRole('button', { name: m.investigator.open.replace('{{id}}', cluster.id) }).click();
    await page.getByRole('heading', { name: m.investigator.case.replace('{{id}}', cluster.id), exact: true }).waitFor();
    const graph = page.getByTestId('link-graph');
    await graph.locator('canvas').first().waitFor();
    await expect.poll(() => graph.evaluate((el) => (el as HTMLElement & { cy?: { edges: () => { length: number } } }).cy?.edges().length ?? 0)).toBe(5);

    // A real click on a line from a report to the shared phone number, at the point of the lines
    // farthest from every circle and square: where the layout puts a node near a line's middle, a
    // click there is on the node (which tells no link state), not on the line.
    // The mouse clicks where the page is on screen: bring the graph into view first.
    await graph.scrollIntoViewIfNeeded();
    const box = (await graph.boundingBox())!;
    const point = await graph.evaluate((el, e164) => {
      type Point = { x: number; y: number };
      type Box = { x1: number; x2: number; y1: number; y2: number };
      type Node = { renderedBoundingBox: (o: object) => Box; data: (k: string) => string; renderedPosition: () => Point };
      type Edge = { source: () => Node; target: () => Node };
      const cy = (el as HTMLElement & { cy: { edges: () => { toArray: () => Edge[] }; nodes: () => { toArray: () => Node[] } } }).cy;
      const nodes = cy.nodes().toArray().map((n) => n.renderedBoundingBox({ includeLabels: false }));
      const outside = (p: Point) => Math.min(...nodes.map((b) => Math.max(b.x1 - p.x, p.x - b.x2, b.y1 - p.y, p.y - b.y2)));
      let best = { x: 0, y: 0, margin: -Infinity };
      for (const edge of cy.edges().toArray().filter((x) => x.target().data('label') === e164)) {
        const a = edge.source().renderedPosition();
        const b = edge.target().renderedPosition();
        for (let t = 0.1; t <= 0.9; t += 0.05) {
          const p = { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
          const margin = outside(p);
          if (margin > best.margin) best = { ...p, margin };
        }
      }
      return best;
    }, phone);
    expect(point.margin, 'a point of a line to the phone outside every node').toBeGreaterThan(2);
    await page.mouse.click(box.x + point.x, box.y + point.y);
    const why = page.getByTestId('link-why');
    await why.getByText(m.investigator.whyIdentifier.replace('{{kind}}', m.fraud.kind_phone).replace('{{display}}', phone)).waitFor();
    // Both reports that name it, each as its victim wrote it.
    expect(await why.getByRole('listitem').count()).toBe(2);
    expect(await why.textContent()).toContain(phone.replace('+7', '8'));
    expect(await why.textContent()).toContain(m.fraudStatus.state_linked);
    await screenshot(page, 'investigator-graph-en');

    // The keyboard way to the same answer, for the spoofed bank number: marked, not linked.
    await page.getByTestId('identifiers').getByRole('button', { name: `${m.investigator.why} ${bankNumber}` }).click();
    await why.getByText(m.investigator.warningListed.replace('{{owner}}', 'Demo Bank')).waitFor();
    expect(await why.getByRole('listitem').count()).toBe(1);

    // Why are the first and the third report together? Through the phone and then the site.
    await page.getByLabel(m.investigator.pairA).selectOption({ label: 'R1' });
    await page.getByLabel(m.investigator.pairB).selectOption({ label: 'R3' });
    await page.getByRole('button', { name: m.investigator.pairSubmit }).click();
    await page.getByTestId('pair-why').waitFor();
    await expectAccessible(page, 'investigator');
    await page.context().close();
  });

  it('takes a literacy assessment of every item type, then shows the public index with its map, intervals and suppressed regions', { timeout: 300_000 }, async () => {
    // One assessment in the browser, in Kazakh, answering each kind of question.
    {
      const m = kk;
      const page = await open('kk');
      await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.more.assessment }).click();
      await page.getByLabel(m.assessment.region).selectOption('astana');
      await page.getByLabel(m.assessment.ageGroup).selectOption('65+');
      await page.getByLabel(m.assessment.sex_female).check();
      await expectAccessible(page, 'assessment start (kk)');
      await page.getByRole('button', { name: m.assessment.start }).click();
      const seen = new Set<string>();
      for (let n = 1; ; n++) {
        const question = page.getByTestId('question');
        const heading = await page.getByTestId('question-heading').textContent();
        const type = (await question.getAttribute('data-item-type'))!;
        seen.add(type);
        if (type === 'single') await question.getByRole('radio').first().check();
        if (type === 'multiple') await question.getByRole('checkbox').first().check();
        if (type === 'ordering') await question.getByRole('button', { name: stem(m.assessment.moveDown) }).first().click();
        if (type === 'spot-the-scam') await question.getByRole('radio', { name: m.assessment.scam, exact: true }).check();
        if (n === 1 || (type !== 'single' && !seen.has(`${type}:checked`))) {
          seen.add(`${type}:checked`);
          await expectAccessible(page, `question ${n} (${type}, kk)`);
        }
        const next = question.getByRole('button', { name: m.assessment.next });
        if ((await next.count()) === 0) break;
        await next.click();
        await expect.poll(() => page.getByTestId('question-heading').textContent()).not.toBe(heading);
      }
      for (const k of [...seen]) if (k.endsWith(':checked')) seen.delete(k);
      expect([...seen].sort()).toEqual(['multiple', 'ordering', 'single', 'spot-the-scam']);
      await page.getByRole('button', { name: m.assessment.finish }).click();
      const result = page.getByTestId('literacy-result');
      await result.getByRole('heading', { level: 1, name: m.assessment.resultTitle }).waitFor();
      expect(await result.getByRole('row').count()).toBe(6);
      expect(await result.textContent()).toContain(stem(m.assessment.bandText.split('{{low}}')[1] ?? ''));
      await expectAccessible(page, 'assessment result (kk)');
      await screenshot(page, 'literacy-result-kk');
      await page.context().close();
    }

    // 34 more results in Astana through the API, so that Astana has enough to be shown; other regions do not.
    for (let i = 0; i < 34; i++) {
      const started = await (await fetch(`${server.url}/v1/literacy/assessments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'ru', region: 'astana', ageGroup: ['25-34', '45-54', '65+'][i % 3], sex: i % 2 ? 'male' : 'female' }) })).json();
      const answers = (started.items as { id: string; type: string; options?: string[] }[]).map((item, k) =>
        item.type === 'single' ? { itemId: item.id, choice: (i + k) % (item.options?.length ?? 1) }
        : item.type === 'multiple' ? { itemId: item.id, choices: [(i + k) % (item.options?.length ?? 1)] }
        : item.type === 'ordering' ? { itemId: item.id, order: (item.options ?? []).map((_, j) => j) }
        : { itemId: item.id, verdict: (i + k) % 3 ? 'scam' : 'genuine' },
      );
      const submitted = await fetch(`${server.url}/v1/literacy/assessments/${started.id}/answers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers }) });
      expect(submitted.status).toBe(200);
    }

    const m = en;
    const page = await open('en');
    await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.more.index }).click();
    await page.getByRole('heading', { level: 1, name: m.index.title }).waitFor();
    const table = page.getByTestId('index-table');
    const astana = table.getByRole('row').filter({ hasText: 'Astana' });
    await astana.waitFor();
    // Astana has an estimate with its interval; a region without results says so instead of a figure.
    await expect.poll(async () => (await astana.getByRole('cell').nth(0).textContent())?.trim()).toMatch(/^\d+(\.\d)?$/);
    expect(await astana.getByRole('cell').nth(1).textContent()).toMatch(/^\d+(\.\d)?–\d+(\.\d)?$/);
    const ulytau = table.getByRole('row').filter({ hasText: 'Ulytau' });
    expect(await ulytau.getByRole('cell').nth(0).textContent()).toBe(m.index.suppressed);
    expect(await page.getByTestId('tile-map').locator('[data-region="astana"]').getAttribute('data-suppressed')).toBe('false');
    expect(await page.getByTestId('tile-map').locator('[data-region="ulytau"]').getAttribute('data-suppressed')).toBe('true');
    await page.getByTestId('national').waitFor();
    await page.getByTestId('region-chart').locator('svg').first().waitFor();
    await page.getByLabel(m.index.measure_scamResistance).check();
    await page.getByTestId('fraud-join').waitFor();
    await expectAccessible(page, 'literacy index (en)');
    await screenshot(page, 'literacy-index-en');
    await page.context().close();
  });
});
