/**
 * End to end: what the wall downloads, as Chromium receives it from the real server, and how it
 * copes when a part of the page cannot be fetched (the server was updated or restarted since
 * the page loaded).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { startServer, type TestServer } from '../support/server.ts';

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

/** Marks the moment the first scene is on the wall with its data, in page time. */
const MARK_SCENE = `(() => {
  new MutationObserver(() => {
    if (window.__sceneShown === undefined && document.querySelector('main[data-scene] [data-panel]') && !document.querySelector('.screen > .loading')) {
      window.__sceneShown = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
})()`;

interface JsLoad {
  path: string;
  /** Bytes of the body on the wire. */
  bytes: number;
  /** Page time at which it had arrived. */
  end: number;
}

/** The JS the page has received so far (a string: tsx would wrap a function in helpers the page lacks). */
async function jsLoads(page: Page): Promise<{ loads: JsLoad[] }> {
  return page.evaluate(`({
    loads: performance.getEntriesByType('resource')
      .filter((e) => new URL(e.name).pathname.endsWith('.js') && e.responseEnd > 0)
      .map((e) => ({ path: new URL(e.name).pathname, bytes: e.encodedBodySize, end: e.responseEnd })),
  })`);
}

describe('the wall as a browser receives it', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ historyDays: 3 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the first scene with its figures on at most 150 kB of brotli JavaScript, before ECharts arrives; 250 kB draws it all', async () => {
    // A first visit, and no service worker fetching beside the page (its requests pass by page.route).
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    const encodings = new Map<string, string>();
    page.on('response', (r) => {
      if (r.url().endsWith('.js')) encodings.set(new URL(r.url()).pathname, r.headers()['content-encoding'] ?? 'none');
    });
    // ECharts is held back: the scene must not need it to show its KPIs, lists and figures.
    const held: Route[] = [];
    await page.route(/\/assets\/echarts[\w-]*\.js$/, (route) => void held.push(route));
    await page.addInitScript(MARK_SCENE);
    await page.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
    await expect.poll(() => page.evaluate('window.__sceneShown !== undefined'), { timeout: 30_000 }).toBe(true);
    await expect(page.locator('[data-kpi="reportedToday"]').getAttribute('data-value')).resolves.toMatch(/^\d+$/);
    const shown = await jsLoads(page);
    const before = shown.loads.reduce((a, l) => a + l.bytes, 0);
    expect(held.length).toBeGreaterThan(0);
    expect(shown.loads.some((l) => l.path.includes('echarts'))).toBe(false);
    expect(before, `JS before the first scene: ${before} B`).toBeLessThanOrEqual(150_000);

    for (const route of held.splice(0)) await route.continue();
    await page.unroute(/\/assets\/echarts[\w-]*\.js$/);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
    const all = (await jsLoads(page)).loads.reduce((a, l) => a + l.bytes, 0);
    expect(all, `JS once drawn: ${all} B`).toBeLessThanOrEqual(250_000);
    expect([...encodings.values()].every((e) => e === 'br'), JSON.stringify([...encodings])).toBe(true);
    await context.close();
  });

  it('reloads by itself when a part of the page cannot be fetched, and the wall comes back', async () => {
    // No service worker: its own fetches pass by page.route, and this is about the page's reload.
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    let refused = 0;
    // The map's part of ECharts fails once, as it would after an update removed the old build.
    await page.route(/\/assets\/echarts-map-[\w-]+\.js$/, (route) => (refused++ === 0 ? route.fulfill({ status: 404, body: 'gone' }) : route.continue()));
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(loads).toBe(2);
    expect(await page.locator('[data-panel="map"] canvas').count()).toBeGreaterThan(0);
    await context.close();
  });
});
