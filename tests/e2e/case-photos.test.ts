/**
 * End to end: evidence to close, through the console. A facilities case resolved without a
 * photo: the dispatcher's case page says closing needs one beside the close, and a close tried
 * anyway shows the server's refusal; they add a photo on the Photos card, its thumbnail appears
 * and opens the full image, and the case closes. Screenshots at 1280×800 in Chinese and English
 * kept in tests/artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { logIn, request, sampleReport, startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const PHOTO = path.resolve('tests/fixtures/site-photo.png');

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npx vite build before the e2e tests.`);
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });

async function signedIn(browser: Browser, url: string, username: string, lang: 'zh-CN' | 'en' = 'zh-CN'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: lang, timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${url}/console`);
  if (lang === 'en') await page.evaluate(() => localStorage.setItem('cerebellum.console.lang', 'en'));
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.view === 'login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.view === 'shell');
  return page;
}

describe('evidence to close, on the case page', () => {
  let server: TestServer;
  let browser: Browser;
  let api = '';

  /** A facilities case in G01 resolved by its worker without a photo. */
  async function resolvedWithoutPhoto(title: string): Promise<number> {
    const worker = await logIn(server.url, 'wang-gw', TEST_PASSWORD);
    const r = await request(`${api}/events`, { method: 'POST', body: sampleReport({ category: 'facilities', subcategory: 'streetlight', title }) });
    const id = r.body.event.id as number;
    const g01 = server.app.directory.grids.get('G01')!.workerId!;
    for (const [action, body, as] of [['accept', {}], ['dispatch', { assigneeId: g01 }], ['sign', {}, worker], ['start', {}, worker], ['resolve', { note: '已更换灯泡' }, worker]] as const) {
      const a = await request(`${api}/events/${id}/${action}`, { method: 'POST', body, ...(as ? { as } : {}) });
      expect(a.status, `${action}: ${JSON.stringify(a.body)}`).toBe(200);
    }
    return id;
  }

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    api = `${server.url}/api/v1`;
    const community = server.app.directory.defaultCommunity()!.id;
    const users = server.app.auth.accounts.users;
    await users.create(null, community, { username: 'chen-disp', displayName: '陈晓', role: 'dispatcher', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community, {
      username: 'wang-gw', displayName: '王丽萍', role: 'grid_worker', grids: ['G01'], workerId: server.app.directory.grids.get('G01')!.workerId!,
      password: TEST_PASSWORD, mustChangePassword: false,
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('says a photo is needed beside the close, shows the refusal, then closes once the dispatcher adds one', async () => {
    const id = await resolvedWithoutPhoto('桂花苑5幢路灯不亮');
    const page = await signedIn(browser, server.url, 'chen-disp');
    await page.goto(`${server.url}/console/events/${id}`);
    await page.locator('[data-photos]').waitFor();
    await expect(page.locator('[data-needs-photo]').innerText()).resolves.toBe('此类案件结案需现场照片');
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-photos-needed-zh-1280x800.png') });

    // Closing anyway: the close stays offered, and the server's refusal is shown in its form.
    await page.click('[data-do="close"]');
    const form = page.locator('form[data-form="close"]');
    await form.locator('[data-submit]').click();
    await eventually(() => form.innerText()).toContain('此类案件结案需现场照片');
    expect((await request(`${api}/events/${id}`)).body.event.status).toBe('resolved');
    await form.getByRole('button', { name: '取消' }).click();

    await page.locator('[data-add-photos]').setInputFiles(PHOTO);
    await page.locator('[data-photos] [data-photo] img').waitFor();
    await eventually(() => page.locator('[data-photos] img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(96);
    await eventually(() => page.locator('[data-needs-photo]').count()).toBe(0);
    await eventually(() => page.locator('[data-timeline]').innerText()).toContain('添加现场照片');
    // The thumbnail opens the full image in a new tab.
    const [tab] = await Promise.all([page.context().waitForEvent('page'), page.locator('[data-photos] [data-photo]').click()]);
    await tab!.waitForLoadState();
    expect(await tab!.evaluate(() => (document.querySelector('img') as HTMLImageElement | null)?.naturalWidth)).toBe(96);
    await tab!.close();
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-photos-zh-1280x800.png') });

    await page.click('[data-do="close"]');
    await page.locator('form[data-form="close"] [data-submit]').click();
    await eventually(async () => (await request(`${api}/events/${id}`)).body.event.status).toBe('closed');
    await page.context().close();
  });

  it('reads in English', async () => {
    const id = await resolvedWithoutPhoto('Streetlight out by block 5');
    const page = await signedIn(browser, server.url, 'chen-disp', 'en');
    await page.goto(`${server.url}/console/events/${id}`);
    await expect(page.locator('[data-needs-photo]').innerText()).resolves.toBe('Closing a case of this kind needs a photo from the spot');
    await expect(page.locator('[data-photos] h2').innerText()).resolves.toBe('Photos');
    await page.locator('[data-add-photos]').setInputFiles([PHOTO, PHOTO]);
    await eventually(() => page.locator('[data-photos] [data-photo]').count()).toBe(2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-photos-en-1280x800.png') });
    await page.context().close();
  });
});
