/**
 * End to end: pairing a wall display, on the real server, the built /screen and Debian's
 * Chromium. A display with no token shows a code; an admin enters it and the wall goes live
 * without a reload; the token survives reloads; revoking it brings the pairing code back — never
 * a login page, never a blank one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { CLIENT_DIR } from '../../server/app.ts';
import { post, startServer, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const TOKEN_KEY = 'cerebellum.displayToken';
/** The code as the wall shows it: two groups of three, without look-alikes (0/O, 1/I/L). */
const CODE = /^[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{3}$/;

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

interface WallPage extends Page {
  errors: string[];
}

/** A fresh browser profile (no token) with page errors and CSP violations collected. */
async function newWall(browser: Browser, size = { width: 1920, height: 1080 }): Promise<WallPage> {
  const page = (await browser.newPage({ viewport: size })) as WallPage;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.exposeFunction('reportCspViolation', (v: string) => page.errors.push(`CSP: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return page;
}

/** The code on the wall, once there is one. */
async function shownCode(page: Page, timeout = 10_000): Promise<string> {
  const el = page.locator('[data-pairing-code]:not([data-pairing-code=""])');
  await el.waitFor({ timeout });
  return (await el.getAttribute('data-pairing-code'))!;
}

const storedToken = (page: Page) => page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
const kpi = (page: Page, name: string) => page.locator(`[data-kpi="${name}"]`).first().getAttribute('data-value');

describe('pairing a wall display', () => {
  let server: TestServer;
  let browser: Browser;
  let api: string;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 3 });
    api = `${server.url}/api/v1`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows a code, goes live when an admin enters it, stays paired over a reload, and shows a new code when revoked', async () => {
    const page = await newWall(browser);
    await page.goto(`${server.url}/screen?scene=events`);

    // No token: a pairing code in large type, what to do with it in both languages, the countdown.
    const code = await shownCode(page);
    expect(code).toMatch(CODE);
    const text = await page.locator('body').innerText();
    expect(text).toContain('请在管理控制台输入此配对码');
    expect(text).toContain('Enter this pairing code in the admin console');
    expect(text).toContain('本屏尚未绑定社区');
    // Where to type it, in the console's own words (its menu item and form title).
    expect(text).toContain('大屏设备 → 配对新大屏');
    expect(text).toContain('Displays → Pair a display');
    expect(text).toMatch(/(09:\d\d|10:00) 后失效/);
    const size = await page.locator('[data-pairing-code] .box').first().evaluate((el) => el.getBoundingClientRect().height);
    expect(size, 'a code readable from across the room').toBeGreaterThan(200);
    await expect(page.evaluate(() => document.body.dataset.ready)).resolves.toBeUndefined();
    await expect(storedToken(page)).resolves.toBeNull();
    await page.waitForTimeout(1_100); // the countdown ticks once
    await page.screenshot({ path: path.join(ARTIFACTS, 'pairing-1920x1080.png') });

    // An admin types it in the console (in any case, without the dash): the wall goes live, same page.
    await page.evaluate(() => ((window as unknown as { sameLoad: boolean }).sameLoad = true));
    const paired = await post(`${api}/displays`, { code: code.replace('-', '').toLowerCase(), name: '一楼大厅 E2E' });
    expect(paired.status, JSON.stringify(paired.body)).toBe(201);
    const displayId = paired.body.display.id as number;
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    await expect(page.evaluate(() => (window as unknown as { sameLoad?: boolean }).sameLoad)).resolves.toBe(true);
    await expect(page.locator('[data-pairing-code]').count()).resolves.toBe(0);
    const views = server.app.model.views('guihua', Date.now());
    await expect.poll(() => kpi(page, 'reportedToday')).toBe(String(views.kpis.reportedToday));
    const token = await storedToken(page);
    expect(token).toMatch(/^cbd_[A-Za-z0-9_-]{43}$/);

    // A reload (a power cut, the 04:00 restart): still the live wall, with the same token.
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    await expect(page.locator('[data-pairing-code]').count()).resolves.toBe(0);
    await expect(storedToken(page)).resolves.toBe(token);

    // An admin makes it reload (after a deploy, say): it does, and comes back live.
    await page.evaluate(() => ((window as unknown as { sameLoad: boolean }).sameLoad = true));
    const reload = await post(`${api}/displays/${displayId}/reload`, {});
    expect(reload.status).toBe(204);
    await page.waitForFunction(() => !(window as unknown as { sameLoad?: boolean }).sameLoad, undefined, { timeout: 10_000 });
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });

    // Revoked: the wall forgets the token and shows a new code by itself, saying why.
    const revoked = await post(`${api}/displays/${displayId}/revoke`, {});
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const next = await shownCode(page, 15_000);
    expect(next).toMatch(CODE);
    expect(next).not.toBe(code);
    await expect(storedToken(page)).resolves.toBeNull();
    await expect(page.evaluate(() => document.body.dataset.ready)).resolves.toBeUndefined();
    await expect(page.locator('[data-testid="pairing-reason"]').innerText()).resolves.toContain('请重新配对');
    // Nothing of the community is left on the screen.
    await expect(page.locator('[data-panel]').count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'pairing-revoked-1920x1080.png') });
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('fits a 3840×2160 wall, the code at twice the pixels', async () => {
    const page = await newWall(browser, { width: 3840, height: 2160 });
    await page.goto(`${server.url}/screen`);
    await shownCode(page);
    const fit = await page.evaluate(() => {
      const stage = document.querySelector('.stage')!.getBoundingClientRect();
      const box = document.querySelector('[data-pairing-code] .box')!.getBoundingClientRect();
      return { stage: [Math.round(stage.width), Math.round(stage.height)], box: Math.round(box.height) };
    });
    expect(fit.stage).toEqual([3840, 2160]);
    expect(fit.box).toBeGreaterThan(400);
    const overflow = await page.evaluate(() => ({
      x: document.documentElement.scrollWidth > window.innerWidth,
      y: document.documentElement.scrollHeight > window.innerHeight,
    }));
    expect(overflow).toEqual({ x: false, y: false });
    await page.waitForTimeout(1_100);
    await page.screenshot({ path: path.join(ARTIFACTS, 'pairing-3840x2160.png') });
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('takes a token from a ready link and removes it from the address bar', async () => {
    const page = await newWall(browser);
    await page.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    expect(page.url()).toBe(`${server.url}/screen?scene=events`);
    await expect(storedToken(page)).resolves.toBe(server.displayToken);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('shows a pairing code, not a login page or a blank one, for a token the server does not know', async () => {
    const page = await newWall(browser);
    await page.addInitScript((key) => {
      if (!sessionStorage.getItem('seeded')) {
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem(key, `cbd_${'A'.repeat(43)}`);
      }
    }, TOKEN_KEY);
    await page.goto(`${server.url}/screen`);
    await expect(shownCode(page, 15_000)).resolves.toMatch(CODE);
    await expect(storedToken(page)).resolves.toBeNull();
    expect(page.errors).toEqual([]);
    await page.close();
  });
});
