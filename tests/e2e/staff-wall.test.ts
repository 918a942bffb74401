/**
 * End to end: a person logged in to the console opens the wall (打开大屏) and sees it at once,
 * with data and the public masking a display gets, never a pairing code; a browser without a
 * session still gets a pairing code whose instructions use the console's own words.
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CLIENT_DIR } from '../../server/app.ts';
import { createUser, post, sampleReport, startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import type { UserRole } from '../../shared/auth.ts';

const ARTIFACTS = path.resolve('tests/artifacts');

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

/** Page errors and CSP violations of every page of a browser context. */
async function newContext(browser: Browser, errors: string[]): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await context.exposeFunction('reportCspViolation', (v: string) => errors.push(`CSP: ${v}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  context.on('page', (p) => p.on('pageerror', (e) => errors.push(String(e))));
  return context;
}

async function signIn(page: Page, url: string, username: string) {
  await page.goto(`${url}/console`);
  await page.locator('form[data-form="login"]').waitFor();
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.locator('[data-page-title]').first().waitFor();
}

const kpi = (page: Page, name: string) => page.locator(`[data-kpi="${name}"]`).first().getAttribute('data-value');

describe('the wall in a console browser', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 3 });
    // A report with a name and a phone: the wall must show the event, never these.
    const made = await post(`${server.url}/api/v1/events`, sampleReport({
      reporterName: '赵丽华', reporterPhone: '13700002222', title: '赵丽华家楼道灯坏了', description: '赵丽华反映楼道灯坏了，电话13700002222。',
    }));
    expect(made.status).toBe(201);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it.each(['admin', 'dispatcher'] as UserRole[])('a %s who clicks 打开大屏 sees the live wall with data and masked names, not a pairing code', async (role) => {
    const username = `wall-${role}`;
    await createUser(server.app, username, role);
    const errors: string[] = [];
    const context = await newContext(browser, errors);
    const consolePage = await context.newPage();
    await signIn(consolePage, server.url, username);

    const [wall] = await Promise.all([
      context.waitForEvent('page'),
      consolePage.click('a.nav-link[href="/screen"]'),
    ]);
    await wall.setViewportSize({ width: 1920, height: 1080 });
    expect(await consolePage.locator('a.nav-link[href="/screen"]').innerText()).toContain('打开大屏');
    await wall.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    await expect(wall.locator('[data-pairing-code]').count()).resolves.toBe(0);
    const views = server.app.model.views('guihua', Date.now());
    await expect.poll(() => kpi(wall, 'reportedToday'), { timeout: 10_000 }).toBe(String(views.kpis.reportedToday));
    // Nothing of a display was stored: this browser shows the wall because it is logged in.
    await expect(wall.evaluate(() => localStorage.getItem('cerebellum.displayToken'))).resolves.toBeNull();

    // The same masking as a display, in what is drawn and in what arrived over the socket.
    await wall.waitForSelector('[data-panel="stream"]');
    const text = await wall.locator('body').innerText();
    expect(text).not.toContain('赵丽华');
    expect(text).not.toContain('13700002222');
    const html = await wall.content();
    expect(html).not.toContain('13700002222');

    // A new report reaches the wall live, masked.
    const made = await post(`${server.url}/api/v1/events`, sampleReport({
      reporterName: '钱小红', reporterPhone: '13600003333', title: '钱小红反映井盖松动', description: '钱小红反映井盖松动。',
    }));
    expect(made.status).toBe(201);
    await expect.poll(() => wall.locator('[data-panel="stream"]').innerText(), { timeout: 10_000 }).toContain('钱*');
    expect(await wall.locator('body').innerText()).not.toContain('钱小红');
    await wall.screenshot({ path: path.join(ARTIFACTS, `staff-wall-${role}-1920x1080.png`) });

    // Logging out ends the session: the wall falls back to a pairing code by itself.
    await consolePage.evaluate(async () => {
      const me = await (await fetch('/api/v1/auth/me')).json() as { csrfToken: string };
      await fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'x-csrf-token': me.csrfToken } });
    });
    await wall.locator('[data-pairing-code]').waitFor({ timeout: 20_000 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("tells a browser without a session to pair it, in the console's own words", async () => {
    const errors: string[] = [];
    // What the console calls the page and its form, as a logged-in admin sees them.
    const staffContext = await newContext(browser, errors);
    const consolePage = await staffContext.newPage();
    await createUser(server.app, 'wall-words', 'admin');
    await signIn(consolePage, server.url, 'wall-words');
    const menu = (await consolePage.locator('[data-nav-link="displays"]').innerText()).trim();
    await consolePage.click('[data-nav-link="displays"]');
    const form = (await consolePage.locator('#pair-title').innerText()).trim();
    expect([menu, form]).toEqual(['大屏设备', '配对新大屏']);
    await staffContext.close();

    const context = await newContext(browser, errors);
    const page = await context.newPage();
    await page.goto(`${server.url}/screen`);
    await page.locator('[data-pairing-code]:not([data-pairing-code=""])').waitFor({ timeout: 10_000 });
    const where = await page.locator('[data-testid="pairing-where"]').innerText();
    expect(where).toContain(`${menu} → ${form}`);
    expect(where).toContain('管理控制台');
    expect(await page.locator('footer').innerText()).toContain('Displays → Pair a display');
    expect(errors).toEqual([]);
    await context.close();
  });
});
