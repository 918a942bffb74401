/**
 * End to end: wide walls. An LED wall of 48:9 (5760×1080) or 32:9 (3840×1080) is filled edge to
 * edge by three or two 16:9 columns under one title bar, each rotating its share of the
 * playlist; 16:9 and 4K walls stay exactly as they were. Screenshots of each are kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { installSubjects } from '../../server/demo/index.ts';
import { startServer, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

interface WallPage extends Page {
  errors: string[];
}

async function openWall(browser: Browser, server: TestServer, size: { width: number; height: number }, query = ''): Promise<WallPage> {
  const page = (await browser.newPage({ viewport: size })) as WallPage;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.exposeFunction('reportCspViolation', (v: string) => page.errors.push(`CSP: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${server.url}/screen${query}#display=${server.displayToken}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
  return page;
}

/** Where the stage and each scene column stand in the window, and whether anything spills out. */
const layout = (page: Page) => page.evaluate(() => {
  const box = (el: Element) => {
    const r = el.getBoundingClientRect();
    return { left: Math.round(r.left), top: Math.round(r.top), width: Math.round(r.width), height: Math.round(r.height) };
  };
  const stage = document.querySelector('.stage')!;
  const s = stage.getBoundingClientRect();
  return {
    window: [window.innerWidth, window.innerHeight],
    stage: box(stage),
    scenes: [...document.querySelectorAll('[data-scene]')].map((el) => ({ scene: (el as HTMLElement).dataset.scene, ...box(el) })),
    scroll: document.documentElement.scrollWidth > window.innerWidth || document.documentElement.scrollHeight > window.innerHeight,
    outside: [...document.querySelectorAll('[data-panel]')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.right > s.right + 1 || r.bottom > s.bottom + 1 || r.left < s.left - 1 || r.top < s.top - 1;
    }).map((el) => (el as HTMLElement).dataset.panel),
  };
});

describe('wide walls', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 10 });
    await installSubjects(server.app, Date.now());
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it.each([
    { width: 5760, height: 1080, scenes: ['events', 'subjects', 'volunteers'] },
    { width: 3840, height: 1080, scenes: ['events', 'subjects'] },
  ])('fills a $width×$height wall edge to edge with $scenes.length 16:9 columns', async ({ width, height, scenes }) => {
    const page = await openWall(browser, server, { width, height });
    const l = await layout(page);
    expect(l.stage.width / width, 'share of the width the wall uses').toBeGreaterThanOrEqual(0.95);
    expect(l.stage.height).toBe(height);
    expect(l.scenes.map((s) => s.scene)).toEqual(scenes);
    // Each column is as wide as the classic wall's scene (1872 px at scale 1), side by side.
    for (const s of l.scenes) expect(Math.abs(s.width - 1872)).toBeLessThanOrEqual(2);
    for (let i = 1; i < l.scenes.length; i++) expect(l.scenes[i]!.left).toBeGreaterThan(l.scenes[i - 1]!.left + l.scenes[i - 1]!.width);
    expect(l.scroll).toBe(false);
    expect(l.outside).toEqual([]);
    // One title bar across the wall, naming every column's scene.
    await expect(page.locator('h1').count()).resolves.toBe(1);
    await expect(page.locator('[data-panel="scene-indicator"]').count()).resolves.toBe(scenes.length);
    // Every column drew with data: the KPIs and the volunteers' figures are there.
    await expect(page.locator('[data-kpi="reportedToday"]').first().getAttribute('data-value')).resolves.toMatch(/^\d+$/);
    await page.waitForTimeout(1_500); // the charts' entry animations
    await page.screenshot({ path: path.join(ARTIFACTS, `wide-${width}x${height}.png`) });
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it.each([
    { width: 1920, height: 1080 },
    { width: 3840, height: 2160 },
  ])('keeps a $width×$height wall at one 16:9 scene, as before', async ({ width, height }) => {
    const page = await openWall(browser, server, { width, height });
    const l = await layout(page);
    expect([l.stage.left, l.stage.top, l.stage.width, l.stage.height]).toEqual([0, 0, width, height]);
    expect(l.scenes.map((s) => s.scene)).toEqual(['events']);
    expect(l.outside).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, `wide-${width}x${height}.png`) });
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('rotates each column through its own share of the playlist, keeping its place', async () => {
    const page = await openWall(browser, server, { width: 3840, height: 1080 }, '?dwell=10');
    const shown = () => page.locator('[data-scene]').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.scene));
    await expect(shown()).resolves.toEqual(['events', 'subjects']);
    await expect.poll(shown, { timeout: 16_000, interval: 200 }).toEqual(['needs', 'volunteers']);
    // The arrow keys step every column together.
    await page.keyboard.press('ArrowRight');
    await expect.poll(shown, { timeout: 5_000 }).toEqual(['events', 'subjects']);
    expect(page.errors).toEqual([]);
    await page.close();
  }, 40_000);

  it('keeps a wide wall at one letterboxed 16:9 scene with ?columns=1', async () => {
    const page = await openWall(browser, server, { width: 5760, height: 1080 }, '?columns=1');
    const l = await layout(page);
    expect(l.scenes.map((s) => s.scene)).toEqual(['events']);
    expect(l.stage.width).toBe(1920);
    await page.close();
  });
});
