/**
 * End to end: the wall and the console carry their own Chinese font. A kiosk without any CJK
 * font (simulated: Chromium sees only DejaVu through its own fontconfig) shows Chinese, not
 * boxes, from the bundled Noto Sans SC slices served by the server itself; a machine with Noto
 * CJK installed downloads none of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { startServer, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

/** A fontconfig that knows only DejaVu (Latin, no CJK): what a bare kiosk has. */
function latinOnlyFontconfig(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-fc-'));
  const file = path.join(dir, 'fonts.conf');
  fs.writeFileSync(file, `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>${dir}/cache</cachedir>
</fontconfig>
`);
  return file;
}

/** The woff2 files a page fetched, with their sizes. */
function collectFonts(page: Page) {
  const fonts: { url: string; status: number; bytes: number }[] = [];
  const pending: Promise<void>[] = [];
  page.on('response', (r: Response) => {
    if (!r.url().endsWith('.woff2')) return;
    pending.push(r.body().then((b) => void fonts.push({ url: r.url(), status: r.status(), bytes: b.length }), () => {}));
  });
  return { fonts, settled: () => Promise.all(pending) };
}

/** Faces of the bundled family that the page has loaded. */
const bundledLoaded = (page: Page) => page.evaluate(async () => {
  await document.fonts.ready;
  return [...document.fonts].filter((f) => f.family.replace(/["']/g, '') === 'Noto Sans SC Variable' && f.status === 'loaded').length;
});

describe('the bundled Chinese font', () => {
  let server: TestServer;
  let kiosk: Browser;
  let desktop: Browser;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 3 });
    kiosk = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
      env: { ...process.env, FONTCONFIG_FILE: latinOnlyFontconfig() },
    });
    desktop = await launchBrowser();
  });

  afterAll(async () => {
    await kiosk?.close();
    await desktop?.close();
    await server?.stop();
  });

  it('is referenced by the built styles and served as immutable woff2 from the server itself', async () => {
    const html = await (await fetch(`${server.url}/screen`)).text();
    const cssUrls = [...html.matchAll(/href="(\/assets\/[^"]+\.css)"/g)].map((m) => m[1]!);
    const css = (await Promise.all(cssUrls.map(async (u) => (await fetch(`${server.url}${u}`)).text()))).join('\n');
    expect(css).toMatch(/font-family:\s*["']?Noto Sans SC Variable/);
    const files = [...css.matchAll(/url\((\/assets\/[^)]+\.woff2)\)/g)].map((m) => m[1]!);
    expect(files.length, 'the font comes in unicode-range slices').toBeGreaterThan(50);
    const res = await fetch(`${server.url}${files[0]}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/font\/woff2/);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('shows the wall in Chinese on a kiosk without CJK fonts, fetching only the slices it needs', async () => {
    const page = await kiosk.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // No slice may be refused by the policy (`font-src 'self'`: no data: URLs).
    await page.exposeFunction('reportCspViolation', (v: string) => errors.push(`CSP: ${v}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const { fonts, settled } = collectFonts(page);
    await page.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    await expect.poll(() => bundledLoaded(page), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(1_500); // the charts redraw once the slices are in
    await settled();
    const bytes = fonts.reduce((n, f) => n + f.bytes, 0);
    console.log(`[fonts] a kiosk without CJK fonts fetched ${fonts.length} slices, ${bytes} bytes, for the events scene`);
    expect(fonts.every((f) => f.status === 200)).toBe(true);
    expect(fonts.length).toBeGreaterThan(0);
    expect(bytes, 'slices, not the whole font').toBeLessThan(3_000_000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'fonts-kiosk-1920x1080.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the console in Chinese on a kiosk without CJK fonts', async () => {
    const page = await kiosk.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/console`);
    await page.locator('form[data-form="login"]').waitFor();
    await expect.poll(() => bundledLoaded(page), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'fonts-kiosk-console-1280x800.png') });
    await page.close();
  });

  it('downloads none of it where Noto CJK is installed', async () => {
    const page = await desktop.newPage({ viewport: { width: 1920, height: 1080 } });
    const { fonts, settled } = collectFonts(page);
    await page.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    await page.waitForTimeout(1_000);
    await settled();
    expect(fonts).toEqual([]);
    await page.close();
  });
});
