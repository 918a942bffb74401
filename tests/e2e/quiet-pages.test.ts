/**
 * End to end: a page left open asks the server nothing until something changes. Each of the
 * console's pages (as the admin, who sees them all) and the tablet's tasks are opened and
 * watched for two quiet seconds; at most one request to the API may happen in them (a page
 * that loads a second thing lazily). The dispatcher's queue once asked again every 80 ms for as
 * long as it was open — its own answer re-ran the effect that asked: eleven requests a second
 * from every desk, unseen, because the page looked right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { ADMIN_USERNAME, TEST_PASSWORD, startServer, type TestServer } from '../support/server.ts';

const QUIET_MS = 2_000;

describe('pages left open are quiet', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let asked: string[] = [];

  beforeAll(async () => {
    server = await startServer({ historyDays: 2 });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) asked.push(`${r.method()} ${u.pathname}${u.search}`);
    });
    await page.goto(`${server.url}/console`);
    await page.waitForFunction(() => document.body.dataset.view === 'login');
    await page.fill('input[name="username"]', ADMIN_USERNAME);
    await page.fill('input[name="password"]', TEST_PASSWORD);
    await page.click('form[data-form="login"] button[type="submit"]');
    await page.waitForFunction(() => document.body.dataset.view === 'shell');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The API requests of two seconds, once the page has had a little over one to load. */
  async function quietOf(): Promise<string[]> {
    await page.waitForTimeout(1_200);
    asked = [];
    await page.waitForTimeout(QUIET_MS);
    return asked;
  }

  it('every console page', async () => {
    const pages = await page.locator('[data-nav-link]').evaluateAll((links) => links.map((a) => a.getAttribute('data-nav-link')!));
    expect(pages.length).toBeGreaterThan(8);
    const noisy: string[] = [];
    for (const name of pages) {
      await page.click(`[data-nav-link="${name}"]`);
      const heard = await quietOf();
      if (heard.length > 1) noisy.push(`${name}: ${heard.length} requests, e.g. ${heard.slice(0, 3).join(' · ')}`);
    }
    expect(noisy).toEqual([]);
  }, 120_000);
});
