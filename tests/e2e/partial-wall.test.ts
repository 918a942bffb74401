/**
 * End to end: a flood of reports, more open events than a wall holds. The wall says beside its
 * map that it shows the most pressing ones, while the KPIs count them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { post, startServer, type TestServer } from '../support/server.ts';
import { DISPLAY_EVENT_LIMIT } from '../../shared/display-events.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer({ historyDays: 2 });
  const flood = DISPLAY_EVENT_LIMIT + 200;
  for (let from = 0; from < flood; from += 1_000) {
    const events = Array.from({ length: Math.min(1_000, flood - from) }, (_, i) => ({
      category: 'environment', title: `台风夜积水报告${from + i}`, gridId: `G0${1 + ((from + i) % 9)}`, source: 'hotline', externalId: `flood-${from + i}`,
    }));
    const r = await post(`${server.url}/api/v1/events/ingest`, { events });
    expect(r.status).toBe(201);
  }
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a wall in a flood', () => {
  it('says beside the map that it shows the most pressing events, and the KPI counts them all', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
    const note = page.getByTestId('map-partial');
    await note.waitFor({ timeout: 10_000 });
    expect(await note.textContent()).toContain(String(DISPLAY_EVENT_LIMIT));
    const open = Number(await page.getByTestId('map-open').textContent());
    expect(open).toBeGreaterThan(DISPLAY_EVENT_LIMIT);
    await page.screenshot({ path: path.join(ARTIFACTS, 'screen-partial-1920x1080.png') });
    // In English too, and the note still fits in the panel's title bar.
    await page.goto(`${server.url}/screen?scene=events&lang=en`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
    await note.waitFor({ timeout: 10_000 });
    expect(await note.textContent()).toContain('most pressing');
    const [box, panel] = await Promise.all([note.boundingBox(), page.locator('[data-panel="map"]').boundingBox()]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'screen-partial-1920x1080-en.png') });
    expect(box!.x + box!.width).toBeLessThanOrEqual(panel!.x + panel!.width);
    await page.close();
  }, 60_000);
});
