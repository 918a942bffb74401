/**
 * End to end: the real server, the built /screen, Debian's Chromium. What a person standing in
 * front of the wall would see.
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { CLIENT_DIR } from '../../server/app.ts';
import { post, sampleReport, startServer, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const built = fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'));

if (!built) {
  // `npm test` builds first; running this file alone needs `npm run build`.
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

/** Open the wall as a paired display: the token rides in the ready-link hash, which the page stores and removes. */
async function openScreen(browser: Browser, server: TestServer, size = { width: 1920, height: 1080 }): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The Content-Security-Policy is strict (no inline script or style): anything it blocks is a bug.
  await page.exposeFunction('reportCspViolation', (v: string) => errors.push(`CSP: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // Pinned to the grid-event scene: the default playlist would move on after 45 s.
  await page.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
  (page as Page & { errors?: string[] }).errors = errors;
  return page;
}

const kpi = (page: Page, name: string) => page.locator(`[data-kpi="${name}"]`).getAttribute('data-value');

describe('the /screen wall display', () => {
  let server: TestServer;
  let browser: Browser;
  let port: number;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 10 });
    port = Number(new URL(server.url).port);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('renders every panel with data, and a screenshot is kept', async () => {
    const page = await openScreen(browser, server);
    for (const panel of ['kpis', 'map', 'stream', 'trend', 'categories', 'grid-rank', 'clock']) {
      await expect(page.locator(`[data-panel="${panel}"]`).first().isVisible(), `panel ${panel}`).resolves.toBe(true);
    }
    // The KPIs show what the server computed.
    const views = server.app.model.views('guihua', Date.now());
    await expect.poll(() => kpi(page, 'reportedToday')).toBe(String(views.kpis.reportedToday));
    await expect.poll(() => kpi(page, 'overdueNow')).toBe(String(views.kpis.overdueNow));
    // The stream lists recent events and the charts have drawn.
    expect(await page.locator('[data-event-code]').count()).toBeGreaterThan(3);
    for (const panel of ['map', 'trend', 'categories']) {
      expect(await page.locator(`[data-panel="${panel}"] canvas`).count(), `${panel} canvas`).toBeGreaterThan(0);
    }
    // Chinese first.
    await expect(page.locator('[data-panel="kpis"]').innerText()).resolves.toContain('今日上报');
    // Nothing overflows the 1920×1080 canvas: no scrollbars on the page.
    const overflow = await page.evaluate(() => ({
      x: document.documentElement.scrollWidth > window.innerWidth,
      y: document.documentElement.scrollHeight > window.innerHeight,
    }));
    expect(overflow).toEqual({ x: false, y: false });
    await page.screenshot({ path: path.join(ARTIFACTS, 'screen-1920x1080.png') });
    // Hovering an event on the map shows its tooltip, drawn under the same policy.
    const map = page.locator('[data-panel="map"] canvas').first();
    const box = (await map.boundingBox())!;
    for (let i = 1; i < 6; i++) await page.mouse.move(box.x + (box.width * i) / 6, box.y + box.height / 2);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('shows an event posted to the API without a reload, masked', async () => {
    const page = await openScreen(browser, server);
    const before = Number(await kpi(page, 'reportedToday'));
    const compressed = server.app.broadcaster.compressed;
    const title = `E2E 井盖缺失 联系人电话13987654321`;
    const res = await post(`${server.url}/api/v1/events`, sampleReport({ category: 'facilities', subcategory: 'manhole', title }));
    expect(res.status).toBe(201);
    const row = page.locator(`[data-event-code="${res.body.event.code}"]`);
    await row.first().waitFor({ timeout: 5_000 });
    const text = await row.first().innerText();
    expect(text).toContain('E2E 井盖缺失');
    expect(text).not.toContain('13987654321');
    await expect.poll(() => kpi(page, 'reportedToday')).toBe(String(before + 1));
    // It came as a compressed batch: the wall asks for them, and inflates them in the page (a
    // frame it could not read would have made it subscribe again, for a replay).
    expect(server.app.broadcaster.compressed).toBeGreaterThan(compressed);
    expect([...server.app.io.sockets.sockets.values()].map((s) => s.data.subscribes.length)).toEqual([1]);
    // No personal data anywhere on the public wall.
    const all = await page.locator('body').innerText();
    expect(all).not.toMatch(/1[3-9]\d{9}/);
    expect(all).not.toContain('王建国');
    await page.close();
  });

  it('names a grid by its name when its area on the map is hovered, never by its bare id', async () => {
    const page = await openScreen(browser, server);
    try {
      // Sweep the map with the mouse (in the page: thousands of moves), collecting every tooltip title.
      const titles = await page.evaluate(() => {
        const canvas = document.querySelector('[data-panel="map"] canvas')!;
        const r = canvas.getBoundingClientRect();
        const target = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)!;
        const seen = new Set<string>();
        for (let y = r.top + 4; y < r.bottom - 4; y += 9) {
          for (let x = r.left + 4; x < r.right - 4; x += 9) {
            target.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
            const tip = [...document.querySelectorAll('[data-panel="map"] .ec-tip')].find((t) => getComputedStyle(t).display !== 'none');
            const title = tip?.querySelector('.ec-tip-title')?.textContent ?? tip?.textContent;
            if (title?.trim()) seen.add(title.trim());
          }
        }
        return [...seen];
      });
      expect(titles.filter((t) => /^G\d+$/.test(t)), titles.join(' | ')).toEqual([]);
      expect(titles.filter((t) => /^第.网格·/.test(t)).length, titles.join(' | ')).toBeGreaterThanOrEqual(5);
      // With what the grid has open, as the ranking counts it.
      await page.mouse.move(1, 1);
      const shot = await page.evaluate(() => {
        const canvas = document.querySelector('[data-panel="map"] canvas')!;
        const r = canvas.getBoundingClientRect();
        const target = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)!;
        for (let y = r.top + 4; y < r.bottom - 4; y += 9) {
          for (let x = r.left + 4; x < r.right - 4; x += 9) {
            target.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
            const tip = [...document.querySelectorAll('[data-panel="map"] .ec-tip')].find((t) => getComputedStyle(t).display !== 'none');
            if (tip?.querySelector('.ec-tip-title')?.textContent?.startsWith('第')) return { text: tip.textContent };
          }
        }
        return null;
      });
      expect(shot?.text).toMatch(/在办\s*\d+/);
      expect(shot?.text).toMatch(/超期\s*\d+/);
    } finally {
      await page.close();
    }
  });

  it('says the data is stale when the server stops, and recovers by itself when it returns', async () => {
    const page = await openScreen(browser, server);
    const banner = page.locator('[data-testid="stale-banner"]');
    await expect(banner.isVisible()).resolves.toBe(false);
    const token = server.displayToken;
    const dataDir = server.dataDir;
    await server.stop();
    await banner.waitFor({ state: 'visible', timeout: 15_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'screen-stale-1920x1080.png') });
    server = await startServer({ dataDir, port });
    await banner.waitFor({ state: 'hidden', timeout: 20_000 });
    // A kiosk survives the restart as it was: still paired, never sent back to a pairing code.
    await expect(page.evaluate(() => localStorage.getItem('cerebellum.displayToken'))).resolves.toBe(token);
    await expect(page.locator('[data-pairing-code]').count()).resolves.toBe(0);
    // And it is live again: a new event shows up.
    const res = await post(`${server.url}/api/v1/events`, sampleReport({ title: 'E2E 恢复后上报' }));
    await page.locator(`[data-event-code="${res.body.event.code}"]`).first().waitFor({ timeout: 5_000 });
    await page.close();
  }, 90_000); // its own waits add up to 40 s, and a restart: past the default 30 s on a loaded machine (CI timed out once)
});
