import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ru } from '../../web/src/i18n/ru.js';
import { readMail } from '../helpers/mail.js';
import { browserTestsSkipped, expectAccessible, launchBrowser, screenshot, startServer, type RunningServer } from './harness.js';

const stem = (message: string) => message.split('{{')[0].trim();

/**
 * The confirm step of an e-mail contact, in a real browser against a server that sends real
 * mail to an SMTP server this test runs. One language (Russian) here; every string of the
 * screen exists in kk, ru and en (web/src/i18n, checked by test/browser/messages.test.ts).
 */
describe.skipIf(browserTestsSkipped)('the portal: confirming an e-mail contact', () => {
  let server: RunningServer;
  let browser: Browser;
  let smtp: SMTPServer;
  const mails: { to: string[]; raw: string }[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    server = await startServer({ QORGAU_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` });
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => smtp?.close(() => resolve(undefined)));
  });

  it('sends a code in the language shown, refuses a wrong one in plain words, and confirms the right one', { timeout: 300_000 }, async () => {
    const m = ru;
    const context = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(server.url + '/signin');
    await page.getByLabel(m.signin.file).setInputFiles(server.demo.citizen.auth);
    await page.getByLabel(m.signin.password).fill(server.demo.citizen.password);
    await page.getByRole('button', { name: m.signin.submit, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: stem(m.home.title) }).waitFor();

    await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.nav.contacts }).click();
    const address = `aigul.${Date.now()}@example.kz`;
    await page.getByLabel(m.contacts.address).fill(address);
    await page.getByRole('button', { name: m.contacts.add }).click();
    await page.getByText(m.contacts.codeSent.replace('{{address}}', address), { exact: true }).waitFor();

    await expect.poll(() => mails.filter((x) => x.to.includes(address)).length).toBe(1);
    const letter = readMail(mails.find((x) => x.to.includes(address))!.raw);
    expect(letter.subject).toBe('Qorgau: подтвердите адрес электронной почты');
    const code = /(\d{6})/.exec(letter.text)![1];

    const confirm = page.getByTestId(`confirm-${address}`);
    await confirm.getByText(m.contacts.waiting).waitFor();
    await expectAccessible(page, 'contacts, confirm step (ru)');
    await confirm.getByLabel(m.contacts.code).fill(code === '000000' ? '000001' : '000000');
    await confirm.getByRole('button', { name: m.contacts.confirm }).click();
    await confirm.getByText(m.contacts.error_CONTACT_CODE_WRONG).waitFor();
    await screenshot(page, 'contacts-confirm-ru');

    await confirm.getByLabel(m.contacts.code).fill(code);
    await confirm.getByRole('button', { name: m.contacts.confirm }).click();
    await page.getByTestId('contacts').getByText(m.contacts.confirmed, { exact: true }).waitFor();
    expect(await page.getByTestId(`confirm-${address}`).count()).toBe(0);
    await context.close();
  });
});
