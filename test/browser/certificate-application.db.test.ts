import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import { en } from '../../web/src/i18n/en.js';
import { ru } from '../../web/src/i18n/ru.js';
import { kk } from '../../web/src/i18n/kk.js';
import { makeIin } from '../../src/identifiers/iin.js';
import { openssl } from '../helpers/pki-factories.js';
import { browserTestsSkipped, expectAccessible, launchBrowser, screenshot, startServer, type RunningServer } from './harness.js';
import { writeFakeCameraVideo } from './fake-camera.js';

const LANGUAGES = { kk, ru, en } as const;
type Lang = keyof typeof LANGUAGES;
const LOCALE: Record<Lang, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-US' };
const stem = (message: string) => message.split('{{')[0].trim();
/** Strong enough for the portal's rule (12 characters, zxcvbn score 3), like the CLI's. */
const PASSWORD = 'Altyn kyran ushady taudan 2026';
const NEW_PASSWORD = 'Dala burkiti kumys ishedi tanerten 77';

/**
 * Getting a certificate in the browser with chromium's fake camera (a video of its own per
 * language, written by fake-camera.ts, so that no application gives frames another gave),
 * the CA operator's side-by-side review, the key files written in the browser (checked with
 * openssl and by signing in with them), and renewal from "My certificates".
 */
describe.skipIf(browserTestsSkipped)('certificate application with the camera, in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  const downloads = mkdtempSync(path.join(tmpdir(), 'qorgau-apply-'));

  beforeAll(async () => {
    server = await startServer();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(lang: Lang): Promise<Page> {
    const context = await browser.newContext({ locale: LOCALE[lang], viewport: { width: 1100, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(server.url + '/');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang), { timeout: 30_000 }).toBe(lang);
    return page;
  }

  /** Fills the form, takes the pictures the challenge asks for and the ID card; returns the application id. */
  async function apply(page: Page, lang: Lang, person: { iin: string; surname: string; givenName: string }): Promise<string> {
    const m = LANGUAGES[lang];
    await page.getByRole('link', { name: m.apply.link }).click();
    await page.getByRole('heading', { level: 1, name: m.apply.title }).waitFor();
    await expectAccessible(page, `apply (${lang})`);
    await page.getByLabel(m.apply.iin).fill(person.iin);
    await page.getByLabel(m.apply.surname).fill(person.surname);
    await page.getByLabel(m.apply.givenName, { exact: true }).fill(person.givenName);
    await page.getByLabel(m.apply.document).fill('045123456');
    // A weak password is refused here, as the CLI refuses it.
    await page.getByLabel(m.apply.password, { exact: true }).fill('password123');
    await page.getByLabel(m.apply.repeat).fill('password123');
    await page.getByRole('button', { name: m.apply.submitDetails }).click();
    expect(await page.getByTestId('apply-problem').textContent()).toContain(m.apply.passwordGuessable);
    await page.getByLabel(m.apply.password, { exact: true }).fill(PASSWORD);
    await page.getByLabel(m.apply.repeat).fill(PASSWORD);
    await page.getByRole('button', { name: m.apply.submitDetails }).click();

    await page.getByRole('heading', { name: m.apply.stepCamera }).waitFor();
    await expect.poll(() => page.getByTestId('camera').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 60_000 }).toBeGreaterThan(0);
    // Keyboard only: the start button and each "take the picture" are pressed with Enter.
    await page.getByTestId('capture-start').focus();
    await page.keyboard.press('Enter');
    const prompts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const prompt = page.getByTestId('capture-prompt');
      await prompt.waitFor();
      const which = (await prompt.getAttribute('data-prompt'))!;
      expect(await prompt.textContent()).toBe(m.apply[`prompt_${which}` as keyof typeof m.apply]);
      prompts.push(which);
      if (i === 0) {
        await expectAccessible(page, `camera (${lang})`);
        await screenshot(page, `apply-camera-${lang}`);
      }
      // The generated video moves on frame by frame: wait until it has, so that no two pictures are the same frame.
      const shown = await page.getByTestId('camera').evaluate((v: HTMLVideoElement) => v.currentTime);
      await expect.poll(() => page.getByTestId('camera').evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(shown + 0.2);
      await page.getByTestId('capture-take').focus();
      await page.keyboard.press('Enter');
      if (i < 2) await expect.poll(() => page.getByTestId('capture-prompt').getAttribute('data-prompt'), { timeout: 30_000 }).not.toBe(which);
    }
    expect(new Set(prompts).size).toBe(3);
    await page.getByText(m.apply.framesDone).waitFor();
    await page.getByRole('button', { name: m.apply.photographId }).click();
    await page.getByRole('img', { name: m.apply.idPhotoPreview }).waitFor();
    await expectAccessible(page, `ID photo (${lang})`);
    await page.getByRole('button', { name: m.apply.send }).click();
    const status = page.getByTestId('application-status');
    // Either the status, or the server's refusal, said in words: a refusal fails the test with its text.
    await status.or(page.getByRole('alert')).first().waitFor();
    if (!(await status.isVisible())) throw new Error(`the capture was refused: ${await page.getByRole('alert').first().textContent()}`);
    expect(await status.getAttribute('data-status')).toBe('pending_review');
    await page.getByText(m.apply.waiting).waitFor();
    await expectAccessible(page, `application status (${lang})`);
    await screenshot(page, `apply-waiting-${lang}`);
    return /\/apply\/([0-9a-f-]{36})$/.exec(page.url())![1];
  }

  async function review(applicationId: string, decision: 'approve' | 'refuse', reason = '') {
    const m = en;
    const page = await open('en');
    await page.goto(server.url + '/operator/certificates');
    await page.getByLabel(m.operator.token).fill(server.token('ca-operator.token'));
    await page.getByRole('button', { name: m.office.use }).click();
    const item = page.locator(`[data-application="${applicationId}"]`);
    await item.getByRole('button', { name: m.review.open }).click();
    const pictures = item.getByTestId('side-by-side');
    await pictures.waitFor();
    expect(await pictures.getByRole('img').count()).toBe(4); // the ID photo and three live frames
    await expect.poll(() => pictures.getByRole('img').first().evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await item.getByTestId('face-match').textContent()).toContain(m.review.testDouble);
    await expectAccessible(page, 'review');
    await screenshot(page, `review-${decision}`);
    if (decision === 'approve') await item.getByTestId('review-approve').click();
    else {
      await item.getByLabel(m.review.reason).fill(reason);
      await item.getByTestId('review-refuse').click();
    }
    await page.getByTestId('review-notice').waitFor();
    await page.context().close();
  }

  /** Writes the key files (the click), then saves each with its own button. */
  async function saveKeyFiles(page: Page, click: () => Promise<void>, prefix: string): Promise<{ auth: string; sign: string }> {
    await click();
    const offered = page.getByTestId('key-files');
    await offered.waitFor({ timeout: 60_000 });
    await expectAccessible(page, `key files (${prefix})`);
    const files = { auth: path.join(downloads, `${prefix}-auth.p12`), sign: path.join(downloads, `${prefix}-sign.p12`) };
    for (const kind of ['auth', 'sign'] as const) {
      const download: Promise<Download> = page.waitForEvent('download');
      await offered.getByTestId(`save-${kind}`).click();
      const got = await download;
      expect(got.suggestedFilename()).toBe(`qorgau-${kind}.p12`);
      await got.saveAs(files[kind]);
    }
    return files;
  }

  async function signIn(page: Page, lang: Lang, file: string, password: string) {
    const m = LANGUAGES[lang];
    await page.goto(server.url + '/signin');
    await page.getByLabel(m.signin.file).setInputFiles(file);
    await page.getByLabel(m.signin.password).fill(password);
    await page.getByRole('button', { name: m.signin.submit, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: stem(m.home.title) }).waitFor();
  }

  // Chromium's own fake camera shows every page the same frames, and the server rightly refuses
  // frames already given for another application (CAPTURE_REPLAYED): each language's browser
  // plays its own generated video.
  it('applies with the camera in each language; the operator approves or refuses; the key files are written in the browser and open', { timeout: 600_000 }, async () => {
    for (const [i, lang] of (['kk', 'ru', 'en'] as const).entries()) {
      const m = LANGUAGES[lang];
      const person = { iin: makeIin(new Date(Date.UTC(1961, 2, 10 + i)), 'female', 4100 + i)!, surname: 'Жұмабаева', givenName: `Гүлнар${i}` };
      await browser?.close();
      browser = await launchBrowser({ fakeVideo: writeFakeCameraVideo(path.join(downloads, `camera-${lang}.y4m`), 1 + i) });
      const page = await open(lang);
      const id = await apply(page, lang, person);

      if (lang === 'ru') {
        await review(id, 'refuse', 'Лицо на снимках не видно');
        await page.getByText(m.apply.rejected).waitFor({ timeout: 30_000 });
        await page.getByText('Лицо на снимках не видно', { exact: false }).waitFor();
        await page.context().close();
        continue;
      }
      await review(id, 'approve');
      await page.getByTestId('download-keys').waitFor({ timeout: 30_000 });
      await expectAccessible(page, `issued (${lang})`);
      await page.getByLabel(m.apply.passwordAgain).fill(PASSWORD + 'x');
      await page.getByTestId('download-keys').click();
      await page.getByText(m.apply.wrongPassword).waitFor();
      await page.getByLabel(m.apply.passwordAgain).fill(PASSWORD);
      const files = await saveKeyFiles(page, () => page.getByTestId('download-keys').click(), `${lang}-first`);
      await screenshot(page, `apply-delivered-${lang}`);

      // Checked by another implementation: OpenSSL opens the files with the password and finds the person.
      for (const file of [files.auth, files.sign]) {
        const info = await openssl(['pkcs12', '-in', file, '-passin', `pass:${PASSWORD}`, '-nokeys', '-clcerts']);
        expect(info.code, info.stderr).toBe(0);
        expect(info.stdout).toContain(`IIN${person.iin}`);
        const key = await openssl(['pkcs12', '-in', file, '-passin', `pass:${PASSWORD}`, '-nocerts', '-nodes']);
        expect(key.stdout).toContain('-----BEGIN PRIVATE KEY-----');
      }
      await signIn(page, lang, files.auth, PASSWORD);

      if (lang === 'en') {
        // Renewal before expiry: new keys, no new pictures, the old pair revoked.
        await page.getByRole('navigation', { name: m.app.nav }).getByRole('link', { name: m.nav.certificates }).click();
        await page.getByTestId('renew-open').click();
        await page.getByTestId('renew-form').waitFor();
        await expectAccessible(page, 'renew');
        await page.getByLabel(m.renew.file).setInputFiles(files.auth);
        await page.getByLabel(m.renew.current).fill(PASSWORD);
        await page.getByLabel(m.renew.password).fill(NEW_PASSWORD);
        await page.getByLabel(m.apply.repeat).fill(NEW_PASSWORD);
        const renewed = await saveKeyFiles(page, () => page.getByTestId('renew-submit').click(), 'en-renewed');
        await page.getByTestId('certificates-notice').waitFor();
        await screenshot(page, 'renewed-en');
        const info = await openssl(['pkcs12', '-in', renewed.auth, '-passin', `pass:${NEW_PASSWORD}`, '-nokeys', '-clcerts']);
        expect(info.stdout).toContain(`IIN${person.iin}`);
        await page.context().close();
        const again = await open('en');
        await signIn(again, 'en', renewed.auth, NEW_PASSWORD);
        // The old file no longer signs in: its certificate was revoked as superseded.
        await again.getByRole('button', { name: m.app.signOut }).click();
        await again.goto(server.url + '/signin');
        await again.getByLabel(m.signin.file).setInputFiles(files.auth);
        await again.getByLabel(m.signin.password).fill(PASSWORD);
        await again.getByRole('button', { name: m.signin.submit, exact: true }).click();
        expect(await again.getByTestId('signin-problem').textContent()).toBe(m.signin.REVOKED);
        await again.context().close();
      } else {
        await page.context().close();
      }
    }
  });
});
