/**
 * End to end: a dispatcher opens the desk's numbers (运行看板) from the navigation, sees a
 * number move when a report comes in, clicks a number and lands on the list of exactly the
 * cases behind it. Screenshots in zh-CN and English at 1280×800 and 1920×1080 kept in
 * tests/artifacts (stats-*.png).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { adminPrincipal, request, sampleReport, startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `stats-${name}.png`), fullPage: true });

describe('the desk numbers, for a dispatcher', { timeout: 90_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const rejected: number[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 7, perDay: 40 });
    const community = server.app.directory.defaultCommunity()!.id;
    await server.app.auth.accounts.users.create(null, community, {
      username: 'chen-disp', displayName: '陈晓', role: 'dispatcher', password: TEST_PASSWORD, mustChangePassword: false,
    });
    // Two reports turned away as false (不属实): the 退单 the dispatcher will click.
    const admin = adminPrincipal(server.app);
    for (const title of ['桂花苑路灯不亮', '丹枫新村井盖松动']) {
      const { event } = await server.app.events.report(admin, sampleReport({ title }) as never);
      await server.app.events.transition(admin, event.id, 'reject', { note: '现场核实不属实', reason: 'false_report' });
      rejected.push(event.id);
    }
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: SMALL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/console`);
    await page.waitForFunction(() => document.body.dataset.view === 'login');
    await page.fill('input[name="username"]', 'chen-disp');
    await page.fill('input[name="password"]', TEST_PASSWORD);
    await page.click('form[data-form="login"] button[type="submit"]');
    await page.waitForFunction(() => document.body.dataset.view === 'shell');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens from the navigation, and today\'s intake moves when a report comes in', async () => {
    await page.click('[data-nav-link="desk-stats"]');
    await page.waitForURL((u) => u.pathname === '/console/desk-stats');
    const intake = page.locator('.tile [data-figure="intake"]');
    await intake.waitFor();
    const before = Number(await intake.textContent());
    expect(before).toBeGreaterThan(0);
    await shot(page, 'today-zh-1280');
    const r = await request(`${server.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '金秋小区垃圾满溢', source: 'hotline' }) });
    expect(r.status).toBe(201);
    await eventually(async () => Number(await intake.textContent())).toBe(before + 1);
  });

  it('shows 7 and 30 days, in Chinese and English, at a desk and on a wide screen', async () => {
    await page.click('[data-period="7d"]');
    await page.waitForURL((u) => u.searchParams.get('period') === '7d');
    await page.locator('[data-clock="accept"] [data-p50]').waitFor();
    await eventually(() => page.locator('[data-range]').textContent()).not.toMatch(/^$/);
    await shot(page, '7d-zh-1280');
    await page.setViewportSize(LARGE);
    await shot(page, '7d-zh-1920');
    await page.click('[data-lang-switch]');
    await eventually(() => page.locator('html').getAttribute('lang')).toBe('en');
    await shot(page, '7d-en-1920');
    await page.setViewportSize(SMALL);
    await shot(page, '7d-en-1280');
    await page.click('[data-lang-switch]');
    await eventually(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
  });

  it('opens the list of exactly the cases behind a number: the reports turned away as false', async () => {
    await page.click('[data-period="today"]');
    // Today's false reports: the two made above, and any the seeded day turned away for the same reason.
    const stats = (await request(`${server.url}/api/v1/events/stats?period=today`)).body;
    const fig = stats.returns.byReason.find((r: { action: string; reason: string }) => r.action === 'reject' && r.reason === 'false_report');
    const behind = new URLSearchParams(fig.cases).get('ids')!.split(',').map(Number).sort((a, b) => a - b);
    expect(behind).toEqual(expect.arrayContaining(rejected));
    const figure = page.locator('[data-return="reject.false_report"] [data-figure]');
    await eventually(() => figure.textContent()).toBe(String(fig.times));
    await figure.click();
    await page.waitForURL((u) => u.pathname === '/console/events/list');
    await eventually(async () => (await page.locator('table[data-table="cases"] tr[data-id]').evaluateAll(
      (rows) => rows.map((r) => Number(r.getAttribute('data-id'))).sort((a, b) => a - b)))).toEqual(behind);
    await shot(page, 'cases-zh-1280');
  });

  it('opens the late cases of the worst grid, and the list holds as many as the number says', async () => {
    await page.goBack();
    await page.waitForURL((u) => u.pathname === '/console/desk-stats');
    await page.click('[data-period="30d"]');
    const late = page.locator('section:has(h2:text-matches("按网格")) tbody tr').first().locator('[data-figure$=".late"]');
    await late.waitFor();
    const n = Number(await late.textContent());
    expect(n).toBeGreaterThan(0); // the seed's week has late cases in its worst grid
    await late.click();
    await page.waitForURL((u) => u.pathname === '/console/events/list' && u.searchParams.get('onTime') === 'false');
    await eventually(() => page.locator('table[data-table="cases"] tr[data-id]').count()).toBe(n);
    expect(errors).toEqual([]);
  });
});
