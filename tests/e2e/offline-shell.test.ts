/**
 * End to end: a wall that boots before the server. After its first load the wall keeps its page
 * (a service worker), so a cold boot with the server down shows the wall saying it is connecting
 * — not Chromium's error page — and it comes up with data by itself when the server starts, with
 * no one reloading it. A deploy is seen at the next load, never hidden behind the kept copy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { startServer, tempDataDir, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen-sw.js'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

/** A browser with a profile on disk, as a kiosk has: closing it and launching again is a cold boot. */
function boot(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1920, height: 1080 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

const kpi = (page: Page, name: string) => page.locator(`[data-kpi="${name}"]`).first().getAttribute('data-value');

describe('a wall that boots before the server', () => {
  let server: TestServer | null = null;
  let dataDir: string;
  let clientDir: string;
  let profile: string;
  let port: number;
  let context: BrowserContext | null = null;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // A build of our own, so the deploy below can change its page.
    clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-client-'));
    fs.cpSync(CLIENT_DIR, clientDir, { recursive: true });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-kiosk-'));
    dataDir = tempDataDir();
    server = await startServer({ dataDir, historyDays: 3, clientDir });
    port = Number(new URL(server.url).port);
  });

  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it('shows itself connecting after a cold boot with the server down, then comes up with data by itself', async () => {
    // First load: paired, live; the service worker takes the page over.
    context = await boot(profile);
    let page = context.pages()[0] ?? await context.newPage();
    await page.goto(`${server!.url}/screen?scene=events#display=${server!.displayToken}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 });
    await context.close();
    context = null;

    // The power comes back: the mini-PC is up first, the server not yet.
    await server!.stop();
    server = null;
    context = await boot(profile);
    page = context.pages()[0] ?? await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/screen?scene=events`);
    await page.locator('[data-testid="connecting"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="connecting"]').innerText()).toContain('正在连接服务器');
    expect(await page.locator('body').innerText()).toContain('无需刷新');
    await expect(page.locator('[data-pairing-code]').count()).resolves.toBe(0); // still paired
    await page.screenshot({ path: path.join(ARTIFACTS, 'offline-shell-connecting-1920x1080.png') });

    // The server starts on the same port: the wall comes up with its data, nobody reloads it.
    await page.evaluate(() => ((window as unknown as { sameLoad: boolean }).sameLoad = true));
    server = await startServer({ dataDir, port, clientDir });
    await page.waitForSelector('body[data-ready="1"]', { timeout: 40_000 });
    await expect(page.evaluate(() => (window as unknown as { sameLoad?: boolean }).sameLoad)).resolves.toBe(true);
    const views = server.app.model.views('guihua', Date.now());
    await expect.poll(() => kpi(page, 'reportedToday'), { timeout: 10_000 }).toBe(String(views.kpis.reportedToday));
    await expect(page.locator('[data-testid="connecting"]').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows a deploy at the next load, and keeps the new page for the next outage', async () => {
    const page = context!.pages()[0]!;
    const index = path.join(clientDir, 'screen', 'index.html');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('<head>', '<head>\n    <meta name="cerebellum-build" content="two" />'));
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    const build = () => page.locator('meta[name="cerebellum-build"]').getAttribute('content');
    await expect(build()).resolves.toBe('two');

    await server!.stop();
    server = null;
    await page.reload();
    await page.locator('[data-testid="connecting"]').waitFor({ timeout: 15_000 });
    await expect(build()).resolves.toBe('two');
  });
});
