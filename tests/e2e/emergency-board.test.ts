/**
 * The accounted-for board (核查台账) end to end, in real Chromium: a dispatcher declares a
 * typhoon over the API for two grids of the demo register; the console's board page shows
 * "status unknown" per grid, and a paired wall in another browser context shows the same counts
 * in its emergency layout. A phone call logged "safe" through the page brings the number down on
 * both without a reload, and the page asks the server nothing while nothing changes. Links for a
 * grid print as one card per household, each with a QR code. A drill says 演练 on the board and
 * on its cards. Screenshots go to /tmp/shots-boardui/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { seedRegister } from '../../server/demo/register.ts';
import { loginAs, request, startServer, TEST_PASSWORD, type Credentials, type TestServer } from '../support/server.ts';
import type { BoardAnswer } from '../../shared/emergency-board.ts';

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const SHOTS = '/tmp/shots-boardui';
const eventually = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000, interval: 50 });

let server: TestServer;
let api: string;
let browser: Browser;
let dispatcher: Credentials;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  api = `${server.url}/api/v1`;
  await seedRegister(server.app.subjectDeps, Date.now());
  dispatcher = await loginAs(server.url, 'dispatcher');
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function declare(body: Record<string, unknown>): Promise<number> {
  const r = await request(`${api}/incidents`, {
    method: 'POST', as: dispatcher, headers: { 'idempotency-key': randomUUID() },
    body: { type: 'typhoon', level: 2, drill: false, grids: ['G01', 'G02'], headline: '台风“海葵”今夜登陆', instructions: '低洼地带居民请转移至社区服务中心。', ...body },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.incident.id as number;
}

async function end(id: number) {
  const r = await request(`${api}/incidents/${id}/end`, { method: 'POST', as: dispatcher, headers: { 'idempotency-key': randomUUID() }, body: { summary: '已结束' } });
  expect(r.status).toBe(200);
}

async function openWall(size: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
  await page.locator('body[data-ready="1"]').waitFor({ timeout: 20_000 });
  return page;
}

/** The console as the dispatcher, on the board of `id`, with every API request it makes kept in `asked`. */
async function openBoard(id: number, asked: string[] = []): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/')) asked.push(`${r.method()} ${u.pathname}${u.search}`);
  });
  await page.goto(`${server.url}/console/incidents/${id}/board`);
  await eventually(() => page.locator('body').getAttribute('data-view')).toBe('login');
  await page.fill('input[name="username"]', dispatcher.username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.locator('[data-board-headline]').waitFor({ timeout: 10_000 });
  return page;
}

const boardOf = async (id: number): Promise<BoardAnswer> => (await request(`${api}/incidents/${id}/board`, { as: dispatcher })).body;
const gridUnknown = (page: Page, grid: string) => page.locator(`[data-board-headline] [data-grid="${grid}"]`).getAttribute('data-unknown');
const wallUnknown = (wall: Page, grid: string) => wall.locator(`[data-testid="status-unknown"] li[data-grid="${grid}"]`).getAttribute('data-unknown');

describe('the accounted-for board', () => {
  it('shows status unknown per grid on the console and the wall, and a call logged "safe" brings both down without a reload', async () => {
    const wall = await openWall({ width: 1920, height: 1080 });
    const id = await declare({});
    const before = await boardOf(id);
    const g01 = before.grids.find((g) => g.gridId === 'G01')!;
    expect(g01.unknown).toBeGreaterThan(3);
    expect(before.grids.map((g) => g.gridId).sort()).toEqual(['G01', 'G02']);

    // The wall: its emergency layout with the per-grid counts (the demo's grids are large enough to show exactly).
    await wall.locator('[data-testid="emergency"]').waitFor({ timeout: 5_000 });
    await eventually(() => wallUnknown(wall, 'G01')).toBe(String(g01.unknown));
    const wallTotal = before.grids.reduce((n, g) => n + g.unknown, 0);
    await eventually(() => wall.locator('[data-testid="unknown-total"]').textContent()).toBe(String(wallTotal));

    // A wall that connects mid-incident shows them at once, from the server's push as it connects.
    const late = await openWall({ width: 1920, height: 1080 });
    await eventually(() => wallUnknown(late, 'G01')).toBe(String(g01.unknown));
    await late.context().close();

    const asked: string[] = [];
    const desk = await openBoard(id, asked);
    const loadedAt = await desk.evaluate(() => performance.timeOrigin);
    await eventually(() => gridUnknown(desk, 'G01')).toBe(String(g01.unknown));
    await eventually(() => desk.locator('[data-unknown-total]').textContent()).toBe(String(wallTotal));
    // Needs help first, then key populations first: the first row is of the first rank.
    expect(await desk.locator('tbody tr[data-household]').first().getAttribute('data-priority')).toBe(String(before.households[0]!.priority));

    // Quiet while nothing changes: the page does not poll.
    await desk.waitForTimeout(1_200);
    asked.length = 0;
    await desk.waitForTimeout(2_000);
    expect(asked).toEqual([]);

    await desk.screenshot({ path: `${SHOTS}/board-1280x800.png`, fullPage: false });
    await desk.setViewportSize({ width: 1920, height: 1080 });
    await desk.screenshot({ path: `${SHOTS}/board-1920x1080.png`, fullPage: false });
    await desk.setViewportSize({ width: 1280, height: 800 });

    // Filter to G01 and log a call: safe.
    await desk.selectOption('select[data-filter="grid"]', 'G01');
    await eventually(() => desk.locator('tbody tr[data-household]').evaluateAll((rows) => rows.length)).toBe(g01.total);
    const row = desk.locator('tbody tr[data-household][data-status="unknown"]').first();
    const householdId = await row.getAttribute('data-household');
    await row.locator('[data-action="call"]').click();
    await desk.check('[data-call-form] input[name="status"][value="safe"]');
    await desk.fill('[data-call-form] textarea[name="note"]', '本人接听，家中平安');
    await desk.click('[data-call-form] button.btn.primary');

    await eventually(() => gridUnknown(desk, 'G01')).toBe(String(g01.unknown - 1));
    await eventually(() => desk.locator(`tr[data-household="${householdId}"]`).getAttribute('data-status')).toBe('safe');
    await eventually(() => desk.locator(`tr[data-household="${householdId}"] [data-status-chip]`).textContent()).toBe('平安');
    expect(await desk.evaluate(() => performance.timeOrigin)).toBe(loadedAt);
    // The wall follows.
    await eventually(() => wallUnknown(wall, 'G01')).toBe(String(g01.unknown - 1));
    await eventually(() => wall.locator('[data-testid="unknown-total"]').textContent()).toBe(String(wallTotal - 1));
    // The wall got counts, never an address.
    expect(await wall.locator('[data-testid="status-unknown"]').textContent()).not.toContain(before.households[0]!.address);

    await wall.waitForTimeout(400);
    await wall.screenshot({ path: `${SHOTS}/wall-1920x1080.png` });
    const big = await openWall({ width: 3840, height: 2160 });
    await big.locator('[data-testid="status-unknown"]').waitFor();
    await big.waitForTimeout(400);
    await big.screenshot({ path: `${SHOTS}/wall-3840x2160.png` });
    await big.context().close();

    // The household's own sheet: who lives there with their phones, and the call just logged in its history.
    const reachable = (await request(`${api}/incidents/${id}/households/${householdId}`, { as: dispatcher })).body;
    await desk.locator(`tr[data-household="${householdId}"] [data-action="open"]`).click();
    const sheetOf = desk.locator('[data-household-dialog]');
    await eventually(() => sheetOf.locator('[data-report]').count()).toBe(1);
    expect(await sheetOf.locator('[data-report]').first().textContent()).toContain('本人接听，家中平安');
    expect(await sheetOf.locator('[data-report]').first().getAttribute('data-report')).toBe('safe');
    const shown = reachable.household.residents as { name: string; phone: string | null }[];
    expect(await sheetOf.locator('[data-resident]').count()).toBe(shown.length);
    for (const r of shown) {
      expect(await sheetOf.textContent()).toContain(r.name);
      if (r.phone) expect(await sheetOf.locator(`a[href="tel:${r.phone}"]`).count()).toBeGreaterThan(0);
    }
    await desk.screenshot({ path: `${SHOTS}/household-1280x800.png` });
    await desk.keyboard.press('Escape');
    await eventually(() => sheetOf.count()).toBe(0);

    // Take a door and let it go.
    const next = desk.locator('tbody tr[data-household][data-status="unknown"]').first();
    const nextId = await next.getAttribute('data-household');
    await next.locator('[data-action="claim"]').click();
    await eventually(() => desk.locator(`tr[data-household="${nextId}"] [data-action="release"]`).count()).toBe(1);
    await desk.locator(`tr[data-household="${nextId}"] [data-action="release"]`).click();
    await eventually(() => desk.locator(`tr[data-household="${nextId}"] [data-action="claim"]`).count()).toBe(1);

    // Links for G01: one card per household, each with a QR code and the link as text.
    await desk.selectOption('select[name="link-grid"]', 'G01');
    await desk.click('[data-action="issue-links"]');
    await desk.locator('[data-link-sheet][data-ready="1"]').waitFor({ timeout: 10_000 });
    expect(await desk.locator('[data-link-card]').count()).toBe(g01.total);
    expect(await desk.locator('[data-link-card] img[data-qr]').count()).toBe(g01.total);
    const url = await desk.locator('[data-link-card] [data-url]').first().textContent();
    expect(url).toMatch(new RegExp(`^${server.url}/safe/[A-Za-z0-9_-]{32}$`));
    // The card's face names the building, not the room.
    expect(await desk.locator('[data-link-card] [data-place]').first().textContent()).not.toMatch(/室$/);
    await desk.screenshot({ path: `${SHOTS}/sheet-1280x800.png`, fullPage: true });
    await desk.emulateMedia({ media: 'print' });
    await desk.screenshot({ path: `${SHOTS}/sheet-print.png`, fullPage: true });
    await desk.emulateMedia({ media: 'screen' });

    // The link works: the resident's own answer brings the count down again, live.
    const own = await fetch(url!.replace('/safe/', '/api/v1/safe/'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'safe' }) });
    expect(own.status).toBe(200);
    await desk.click('[data-action="close-sheet"]');
    await eventually(() => gridUnknown(desk, 'G01')).toBe(String(g01.unknown - 2));
    await eventually(() => wallUnknown(wall, 'G01')).toBe(String(g01.unknown - 2));

    await end(id);
    await wall.context().close();
    await desk.context().close();
  }, 120_000);

  it('shows 演练 on the board and on the cards of a drill', async () => {
    // One incident at a time: the first test's, if it stopped half way.
    const left = (await request(`${api}/incidents/active`, { as: dispatcher })).body.incident;
    if (left) await end(left.id);
    const id = await declare({ drill: true, type: 'fire', level: 3, grids: ['G02'], headline: '消防疏散演练' });
    const desk = await openBoard(id);
    await expect(desk.locator('[data-board-drill] [data-drill-mark]').textContent()).resolves.toBe('演练');
    await desk.click('[data-action="issue-links"]');
    await desk.locator('[data-link-sheet][data-ready="1"]').waitFor({ timeout: 10_000 });
    expect(await desk.locator('[data-link-card] [data-drill-mark]').count()).toBe(await desk.locator('[data-link-card]').count());
    await desk.click('[data-action="close-sheet"]');
    await desk.screenshot({ path: `${SHOTS}/board-drill-1280x800.png` });
    await end(id);
    await desk.context().close();
  }, 60_000);
});
