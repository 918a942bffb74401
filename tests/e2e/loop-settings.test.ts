/**
 * End to end: an admin changes a time limit on the loop settings page (流程设置) in the console,
 * with the keyboard where a person would use it, and sees the new version in the history; a
 * dispatcher then accepts and dispatches a case, and the case page shows the handling deadline
 * the new setting gives (one working day, not 72 hours). Screenshots at 1280×800 and 1920×1080,
 * in Chinese and English, kept in tests/artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { request, sampleReport, startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };
/** The story's clock: Wednesday 18 November 2026, 10:00 in Shanghai, standing still. */
const NOW = Date.parse('2026-11-18T10:00:00+08:00');

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: path.join(ARTIFACTS, `loop-settings-${name}.png`), fullPage });

async function signedIn(browser: Browser, url: string, username: string): Promise<Page & { errors: string[] }> {
  const context = await browser.newContext({ viewport: SMALL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = Object.assign(await context.newPage(), { errors: [] as string[] });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${url}/console`);
  await page.waitForFunction(() => document.body.dataset.view === 'login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.view === 'shell');
  return page;
}

describe('loop settings in the console', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ now: () => NOW });
    const community = server.app.directory.defaultCommunity()!.id;
    const users = server.app.auth.accounts.users;
    await users.create(null, community, { username: 'li-admin', displayName: '李主任', role: 'admin', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community, { username: 'chen-disp', displayName: '陈晓', role: 'dispatcher', password: TEST_PASSWORD, mustChangePassword: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets an admin change a handling limit to working days, add a holiday, and see the version in the history', async () => {
    const admin = await signedIn(browser, server.url, 'li-admin');
    await admin.click('[data-nav-link="loop-settings"]');
    await admin.waitForURL((u) => u.pathname === '/console/loop-settings');
    const form = admin.locator('form[data-form="loop-settings"]');
    await form.waitFor();
    await expect(admin.locator('[data-loop-version]').getAttribute('data-loop-version')).resolves.toBe('0');
    await shot(admin, 'default-1280x800');

    // By keyboard: the amount, Tab to its unit, a key to choose working days.
    const amount = admin.locator('input[name="limits.environment.normal.handle.amount"]');
    await amount.focus();
    await admin.keyboard.press('Control+A');
    await admin.keyboard.type('1');
    await admin.keyboard.press('Tab');
    await expect(admin.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('limits.environment.normal.handle.unit');
    await admin.locator('select[name="limits.environment.normal.handle.unit"]').selectOption('working_days');
    // A holiday typed into the date field, added with Enter.
    await admin.locator('input[name="new-nonWorkingDays"]').fill('2026-12-31');
    await admin.locator('input[name="new-nonWorkingDays"]').press('Enter');
    await expect(admin.locator('[data-calendar="nonWorkingDays"] li').innerText()).resolves.toContain('2026-12-31');
    const changes = admin.locator('[data-changes] li');
    await eventually(() => changes.count()).toBe(2);
    await expect(changes.first().innerText()).resolves.toBe('市容环境 · 一般 · 办理时限：72 小时 → 1 个工作日');
    await admin.fill('input[name="note"]', '环境类一般件按1个工作日办结');
    await shot(admin, 'changed-1280x800');
    await form.locator('button[type="submit"]').click();

    const v1 = admin.locator('table[data-history] tr[data-version="1"]');
    await v1.waitFor();
    await expect(v1.innerText()).resolves.toContain('李主任');
    await expect(v1.innerText()).resolves.toContain('环境类一般件按1个工作日办结');
    await expect(admin.locator('[data-loop-version]').getAttribute('data-loop-version')).resolves.toBe('1');
    await expect(admin.locator('input[name="limits.environment.normal.handle.amount"]').inputValue()).resolves.toBe('1');
    await shot(admin, 'saved-1280x800', true);

    // The version, opened from the history.
    await v1.locator('button').click();
    const dialog = admin.locator('dialog[open] [data-viewing="1"]');
    await dialog.waitFor();
    await expect(dialog.innerText()).resolves.toContain('1 个工作日');
    await shot(admin, 'version-1280x800');
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await admin.setViewportSize(LARGE);
    await admin.locator('[data-page-title]').scrollIntoViewIfNeeded();
    await shot(admin, 'saved-1920x1080');
    await admin.click('[data-lang-switch]');
    await eventually(() => admin.locator('html').getAttribute('lang')).toBe('en');
    await expect(admin.locator('table[data-history] tr[data-version="1"]').innerText()).resolves.toContain('Environment · Normal · handle within: 72 hours → 1 working day');
    await shot(admin, 'saved-en-1920x1080');
    await admin.setViewportSize(SMALL);
    await shot(admin, 'saved-en-1280x800');
    expect(admin.errors).toEqual([]);
    await admin.context().close();
  });

  it('gives a case the dispatcher dispatches after the save the new deadline, shown on the case page', async () => {
    const r = await request(`${server.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '丹桂巷垃圾桶满溢' }) });
    expect(r.status).toBe(201);
    const id = r.body.event.id;
    const disp = await signedIn(browser, server.url, 'chen-disp');
    await disp.goto(`${server.url}/console/events/${id}`);
    await disp.locator('[data-do="accept"]').waitFor();
    await disp.keyboard.press('a');
    await disp.locator('form[data-form="accept"]').waitFor();
    await eventually(() => disp.evaluate(() => document.activeElement?.hasAttribute('data-submit'))).toBe(true);
    await disp.keyboard.press('Enter');
    await disp.locator('[data-do="dispatch"]').waitFor();
    await disp.keyboard.press('d');
    const form = disp.locator('form[data-form="dispatch"]');
    await form.waitFor();
    await eventually(() => form.locator('[data-assignee]').count()).toBeGreaterThan(0);
    await eventually(() => disp.evaluate(() => document.activeElement?.hasAttribute('data-submit'))).toBe(true);
    await disp.keyboard.press('Enter');
    await form.waitFor({ state: 'detached' });

    // Wednesday 10:00 + 1 working day: Thursday 10:00 (the default would have been Saturday 10:00).
    const clocks = disp.locator('section[aria-labelledby="clocks-title"]');
    await eventually(() => clocks.innerText()).toContain('2026-11-19 10:00');
    expect((await request(`${server.url}/api/v1/events/${id}`)).body.event.handleDueAt).toBe('2026-11-19T10:00:00.000+08:00');
    await shot(disp, 'case-deadline-1280x800');
    expect(disp.errors).toEqual([]);
    await disp.context().close();
  });
});
