/**
 * End to end: the console's lists on the one table component. The audit log pages fifty
 * entries at a time, forward and back by the server's cursor, and says so when a filter finds
 * nothing; the other lists show their rows and their empty line. Screenshots kept at 1280×800.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { post, startServer, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const eventually = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000, interval: 50 });

describe('the console\'s lists', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 0 });
    // Sixty keys: sixty entries in the audit log, beside the server's own.
    for (let i = 1; i <= 60; i++) {
      const r = await post(`${server.url}/api/v1/api-keys`, { name: `对接-${String(i).padStart(2, '0')}` });
      expect(r.status).toBe(201);
    }
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/console`);
    await page.fill('input[name="username"]', server.admin!.username);
    await page.fill('input[name="password"]', server.admin!.password);
    await page.click('form[data-form="login"] button[type="submit"]');
    await page.locator('[data-nav-link="audit"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const rows = (name: string) => page.locator(`table[data-table="${name}"] tbody tr`);
  const pageLabel = () => page.locator('nav.pager span').innerText();

  it('pages the audit log fifty entries at a time, forward and back', async () => {
    await page.click('[data-nav-link="audit"]');
    await rows('audit').first().locator('td').first().waitFor();
    await eventually(() => rows('audit').count()).toBe(50);
    await expect(pageLabel()).resolves.toBe('第 1 页');
    await expect(page.locator('[data-page="prev"]').isDisabled()).resolves.toBe(true);
    await page.locator('nav.pager').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-audit-pager-1280x800.png') });

    const firstOnPageOne = await rows('audit').first().innerText();
    await page.click('[data-page="next"]');
    await eventually(() => pageLabel()).toBe('第 2 页');
    const onPageTwo = await rows('audit').count();
    expect(onPageTwo).toBeGreaterThanOrEqual(11);
    expect(onPageTwo).toBeLessThanOrEqual(50);
    await expect(rows('audit').first().innerText()).resolves.not.toBe(firstOnPageOne);

    await page.click('[data-page="prev"]');
    await eventually(() => pageLabel()).toBe('第 1 页');
    await expect(rows('audit').first().innerText()).resolves.toBe(firstOnPageOne);
    await expect(rows('audit').count()).resolves.toBe(50);
  });

  it('says so across the table when a filter finds nothing, and starts again at page one', async () => {
    await page.click('[data-page="next"]');
    await eventually(() => pageLabel()).toBe('第 2 页');
    await page.fill('input[name="action"]', 'nothing.such');
    await page.click('form[data-form="audit-filters"] button[type="submit"]');
    await eventually(() => rows('audit').innerText()).toBe('没有符合筛选条件的记录');
    await expect(rows('audit').locator('td').getAttribute('colspan')).resolves.toBe('6');
    await expect(pageLabel()).resolves.toBe('第 1 页');
    await expect(page.locator('[data-page="next"]').isDisabled()).resolves.toBe(true);
  });

  it('lists the keys with a header a screen reader names, and says when a search finds no one', async () => {
    await page.click('[data-nav-link="api-keys"]');
    await eventually(() => rows('api-keys').count()).toBe(60);
    await expect(page.locator('table[data-table="api-keys"] th.actions .sr-only').innerText()).resolves.toBe('操作');
    await page.click('[data-nav-link="displays"]');
    await eventually(() => page.locator('table[data-table="displays"] tr[data-display]').count()).toBe(1);
    await page.click('[data-nav-link="users"]');
    await page.locator('tr[data-user="admin"]').waitFor();
    await page.fill('input[type="search"]', 'nobody-by-this-name');
    await eventually(() => rows('users').innerText()).toBe('没有符合条件的记录');
    await expect(rows('users').locator('td').getAttribute('colspan')).resolves.toBe('7');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-users-no-match-1280x800.png') });
    expect(errors).toEqual([]);
  });
});
