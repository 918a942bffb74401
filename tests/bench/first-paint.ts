/**
 * 8. What /screen costs a browser: Debian's Chromium opens the built page from a real server,
 * once as an unpaired display (the pairing code: what Lighthouse sees) and once as a paired wall
 * on the grid-event scene, each in a fresh profile (nothing cached), with the network as it is
 * (loopback) and throttled like Lighthouse's mobile run (1.6 Mbit/s down, 150 ms round trip).
 *
 * Per load: first contentful paint, the time the first scene is shown with its data (the KPI
 * strip filled, the loading note gone), the time it has drawn (`body[data-ready=1]`: the grid
 * map and charts too), and the JS bytes on the wire (as served: compressed when the server
 * compresses) before each of those moments. The median of `runs` loads is kept.
 *
 *   npx tsx tests/bench/first-paint.ts [runs]      (needs `npm run build`)
 */
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { startServer } from '../support/server.ts';
import { round } from './lib.ts';

export interface PaintFigures {
  /** ms from navigation start. */
  fcp: number;
  /** ms: the first scene shown with data (null for the pairing page). */
  scene: number | null;
  /** ms: body[data-ready=1] (null for the pairing page). */
  ready: number | null;
  /** JS bytes on the wire (encoded body) by each moment, and in all once settled. */
  jsBeforeFcp: number;
  jsBeforeScene: number | null;
  jsBeforeReady: number | null;
  jsTotal: number;
  jsRequests: number;
}

const THROTTLED = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

async function loadOnce(browser: Browser, url: string, throttled: boolean, wall: boolean): Promise<PaintFigures> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (throttled) await cdp.send('Network.emulateNetworkConditions', THROTTLED);
  // The moments, taken in the page by a MutationObserver (no polling from outside).
  await page.addInitScript(`(() => {
    const marks = {};
    window.__marks = marks;
    new MutationObserver(() => {
      if (marks.scene === undefined && document.querySelector('main[data-scene] [data-panel]') && !document.querySelector('.screen > .loading')) {
        marks.scene = performance.now();
      }
      if (marks.ready === undefined && document.body?.dataset.ready === '1') marks.ready = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true });
  })()`);
  await page.goto(url);
  if (wall) await page.waitForSelector('body[data-ready="1"]', { timeout: 120_000 });
  else await page.waitForSelector('[data-pairing-code], .code, main', { timeout: 60_000 }).catch(() => undefined);
  await page.waitForTimeout(wall ? 1500 : 2500);
  // A string, not a function: tsx would wrap named arrows in a helper the page does not have.
  const r = (await page.evaluate(`(() => {
    const marks = window.__marks;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
    const js = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.endsWith('.js'));
    const sum = (t) => (t === undefined ? null : js.filter((e) => e.responseEnd <= t).reduce((a, e) => a + e.encodedBodySize, 0));
    return {
      fcp, scene: marks.scene ?? null, ready: marks.ready ?? null,
      jsBeforeFcp: sum(fcp), jsBeforeScene: sum(marks.scene), jsBeforeReady: sum(marks.ready),
      jsTotal: js.reduce((a, e) => a + e.encodedBodySize, 0), jsRequests: js.length,
    };
  })()`)) as PaintFigures;
  await context.close();
  return r;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export async function benchFirstPaint(runs = 5) {
  const server = await startServer({ historyDays: 3 });
  const browser = await launchBrowser();
  const out: Record<string, Record<string, number | null>> = {};
  try {
    const cases = {
      pairing: { url: `${server.url}/screen`, wall: false },
      wall: { url: `${server.url}/screen?scene=events#display=${server.displayToken}`, wall: true },
    };
    for (const throttled of [false, true]) {
      for (const [name, c] of Object.entries(cases)) {
        const all: PaintFigures[] = [];
        for (let i = 0; i < runs; i++) all.push(await loadOnce(browser, c.url, throttled, c.wall));
        const pick = (k: keyof PaintFigures) => {
          const xs = all.map((f) => f[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
          return xs.length ? round(median(xs), 0) : null;
        };
        out[`${name}${throttled ? ' (1.6 Mbit/s, 150 ms)' : ' (loopback)'}`] = {
          fcpMs: pick('fcp'), sceneMs: pick('scene'), readyMs: pick('ready'),
          jsBeforeFcpKB: round((pick('jsBeforeFcp') ?? 0) / 1000, 1), jsBeforeSceneKB: c.wall ? round((pick('jsBeforeScene') ?? 0) / 1000, 1) : null,
          jsBeforeReadyKB: c.wall ? round((pick('jsBeforeReady') ?? 0) / 1000, 1) : null, jsTotalKB: round((pick('jsTotal') ?? 0) / 1000, 1),
          jsRequests: pick('jsRequests'),
        };
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[2] ?? 5);
  const figures = await benchFirstPaint(runs);
  console.table(figures);
}
