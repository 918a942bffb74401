/**
 * End to end: the notice centre through the console, two browsers. The grid worker sits on the
 * home page with an empty bell; the dispatcher, in another browser, accepts and dispatches a case
 * to them through the case page; the worker's badge goes from 0 to 1 without a reload, the panel
 * shows the notice, following it opens the case and the badge drops to 0. Screenshots at
 * 1280×800 (zh-CN and English) kept in tests/artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { request, sampleReport, startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings on the page as it is now, and whether it scrolls sideways. */
async function a11y(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  const found = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
  return wide ? [...found, 'the page scrolls sideways'] : found;
}
const SMALL = { width: 1280, height: 800 };

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

interface ConsolePage extends Page {
  errors: string[];
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `notices-${name}.png`) });

async function signedIn(browser: Browser, url: string, username: string, locale = 'zh-CN'): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: SMALL, locale, timezoneId: 'Asia/Shanghai' });
  const page = (await context.newPage()) as ConsolePage;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${url}/console`);
  await page.waitForFunction(() => document.body.dataset.view === 'login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.view === 'shell');
  return page;
}

/** What the bell says: its count (0 when no badge) and its label. */
async function bell(page: Page) {
  const b = page.locator('[data-notice-bell]');
  const badge = page.locator('[data-notice-count]');
  return { count: (await badge.count()) ? Number(await badge.innerText()) : 0, label: await b.getAttribute('aria-label') };
}

describe('the notice centre', () => {
  let server: TestServer;
  let browser: Browser;
  let dispatcher: ConsolePage;
  let worker: ConsolePage;
  const community = () => server.app.directory.defaultCommunity()!.id;
  const g01Worker = () => server.app.directory.grids.get('G01')!.workerId!;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    const users = server.app.auth.accounts.users;
    await users.create(null, community(), { username: 'chen-disp', displayName: '陈晓', role: 'dispatcher', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community(), {
      username: 'wang-gw', displayName: '王丽萍', role: 'grid_worker', grids: ['G01'], workerId: g01Worker(), password: TEST_PASSWORD, mustChangePassword: false,
    });
    browser = await launchBrowser();
    dispatcher = await signedIn(browser, server.url, 'chen-disp');
    worker = await signedIn(browser, server.url, 'wang-gw');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lights the grid worker’s bell when the dispatcher dispatches to them; the notice opens the case and the badge drops', async () => {
    await eventually(async () => (await bell(worker)).label).toBe('通知，没有未读');
    expect((await bell(worker)).count).toBe(0);

    // A report in G01, which the dispatcher accepts and dispatches on the case page.
    const r = await request(`${server.url}/api/v1/events`, {
      method: 'POST', body: sampleReport({ title: '桂花苑5幢楼道灯不亮', gridId: 'G01', address: '桂花苑5幢2单元' }),
    });
    const id = r.body.event.id as number;
    await dispatcher.goto(`${server.url}/console/events/${id}`);
    await dispatcher.locator('[data-do="accept"]').click();
    const accept = dispatcher.locator('form[data-form="accept"]');
    await accept.locator('[data-submit]').click();
    await accept.waitFor({ state: 'detached' });
    await dispatcher.locator('[data-do="dispatch"]').click();
    const form = dispatcher.locator('form[data-form="dispatch"]');
    await eventually(() => form.locator('[data-assignee]').first().getAttribute('data-assignee')).toBe(g01Worker());
    const sent = Date.now();
    await form.locator('[data-submit]').click();
    await form.waitFor({ state: 'detached' });

    // The worker did nothing: the badge arrives over their socket.
    await eventually(async () => (await bell(worker)).count, 5_000).toBe(1);
    console.log(`notice latency (dispatch submitted → badge on the worker's bell): ${Date.now() - sent} ms`);
    expect((await bell(worker)).label).toBe('1 条未读通知');
    await shot(worker, 'badge-1280x800');

    await worker.click('[data-notice-bell]');
    const panel = worker.locator('[data-notice-panel]');
    await panel.waitFor();
    const item = panel.locator('[data-notice]').first();
    await expect(item.innerText()).resolves.toContain('新案件派给您');
    await expect(item.innerText()).resolves.toContain('桂花苑5幢楼道灯不亮');
    await expect(item.innerText()).resolves.toContain('来自 陈晓');
    await shot(worker, 'panel-1280x800');
    expect(await a11y(worker)).toEqual([]);

    await item.click();
    await worker.waitForURL((u) => u.pathname === `/console/events/${id}`);
    await expect(panel.count()).resolves.toBe(0);
    await eventually(async () => (await bell(worker)).count).toBe(0);
    expect((await bell(worker)).label).toBe('通知，没有未读');
    const list = (await request(`${server.url}/api/v1/notices`, { as: null, headers: { cookie: (await worker.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } })).body;
    expect(list.unread).toBe(0);
    expect(list.items[0]).toMatchObject({ kind: 'dispatched', eventId: id });
    expect(list.items[0].readAt).not.toBeNull();
    expect(worker.errors).toEqual([]);
    expect(dispatcher.errors).toEqual([]);
  }, 90_000);

  it('shows the panel in English, read notices set apart from unread ones in words as well as colour', async () => {
    const page = await signedIn(browser, server.url, 'wang-gw', 'en-US');
    await page.evaluate(() => localStorage.setItem('cerebellum.console.lang', 'en'));
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.view === 'shell');
    // A second case dispatched, so the panel holds one unread and one read notice.
    const r = await request(`${server.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '丹桂巷12号井盖松动', gridId: 'G01' }) });
    const id = r.body.event.id as number;
    await request(`${server.url}/api/v1/events/${id}/accept`, { method: 'POST', body: {} });
    await request(`${server.url}/api/v1/events/${id}/dispatch`, { method: 'POST', body: { assigneeId: g01Worker() } });
    await eventually(async () => (await bell(page)).label).toBe('Unread notices: 1');
    await page.click('[data-notice-bell]');
    const panel = page.locator('[data-notice-panel]');
    await panel.waitFor();
    await eventually(() => panel.locator('[data-notice]').count()).toBe(2);
    await expect(panel.locator('li.unread').innerText()).resolves.toContain('Unread');
    await expect(panel.innerText()).resolves.toContain('A case dispatched to you');
    await shot(page, 'panel-en-1280x800');
    expect(await a11y(page)).toEqual([]);
    // On a phone the panel fits the window.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('[data-notice-bell]');
    await page.click('[data-notice-bell]');
    const box = (await panel.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await a11y(page)).toEqual([]);
    await shot(page, 'panel-en-390x844');
    await page.setViewportSize(SMALL);
    await page.keyboard.press('Escape');
    await expect(panel.count()).resolves.toBe(0);
    await eventually(() => page.evaluate(() => document.activeElement?.hasAttribute('data-notice-bell'))).toBe(true);

    // Mark all read from the panel: the badge goes, on the other tab too.
    await page.click('[data-notice-bell]');
    await page.click('[data-notice-read-all]');
    await eventually(async () => (await bell(page)).count).toBe(0);
    await eventually(async () => (await bell(worker)).count).toBe(0);
    expect(page.errors).toEqual([]);
  }, 90_000);
});
