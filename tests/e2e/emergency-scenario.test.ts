/**
 * Issue 15's whole emergency, end to end, in real Chromium, each person through their own screen
 * (a real server, its SQLite file, the demo community and its register):
 *
 * a dispatcher declares a level-Ⅱ typhoon for two grids in the console; a paired wall (a second
 * browser context, 1920×1080) switches to the emergency layout without a reload; the grid's
 * worker on a tablet (a third context, 1280×800) knocks doors, some with no network, and each
 * knock arrives once when it is back, bringing "status unknown" down on the wall; a resident opens
 * the self-report link printed in the console on a phone (a fourth context) and presses 我平安;
 * a "no answer" escalates when the clock moves on, seen on the board; a volunteer accepts the
 * call-out the dispatcher sent and goes on duty; a shelter added in the console fills; ending the
 * incident gives the after-action report with its timeline and each grid's time to known, and the
 * wall is back on its playlist. Then a drill says 演练 on the wall, the tablet, the console's
 * incident bar, the volunteer's phone and the resident's page.
 *
 * All along, everything a public surface receives (the wall's socket frames and HTTP answers, the
 * self-report page) is kept and searched for every resident's name, phone, ID number and door, and
 * every volunteer's and member of staff's name and phone. Screenshots go to /tmp/shots-scenario/
 * (or SHOTS_DIR).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { seedRegister } from '../../server/demo/register.ts';
import {
  joinAsVolunteer, logIn, request, startServer, TEST_PASSWORD, type Credentials, type TestServer,
} from '../support/server.ts';

if (!fs.existsSync(path.join(CLIENT_DIR, 'tablet-sw.js')) || !fs.existsSync(path.join(CLIENT_DIR, 'me', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots-scenario';
const eventually = <T>(check: () => T | Promise<T>, timeout = 15_000) => expect.poll(check, { timeout, interval: 50 });
const zh = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' } as const;

/** The server's clock runs `skew` ahead of the real one: moved on to let a "no answer" escalate. */
let skew = 0;
let server: TestServer;
let api: string;
let browser: Browser;
let dispatcher: Credentials;
let coordinator: Credentials;
let volunteer: Credentials & { volunteerId: number };
const errors: string[] = [];

/** What a public surface received: where from, and the text. */
interface Heard { from: string; text: string }
const heard: Heard[] = [];
const reading: Promise<void>[] = [];
/** `\u4e2d` back to 中: a name must not slip through as an escape. */
const unescape = (s: string) => s.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** A socket.io frame as text, a compressed batch (`42["batch:deflate","<base64 raw DEFLATE>"]`) inflated as the wall does. */
function readFrame(frame: string): string {
  const deflated = /^42\["batch:deflate","([A-Za-z0-9+/=]*)"\]$/.exec(frame);
  return deflated ? `42["batch",${inflateRawSync(Buffer.from(deflated[1]!, 'base64')).toString('utf8')}]` : frame;
}

/** Keep every socket frame of `page` and every answer its context gets from the server's own routes (not the static files). */
function listen(surface: string, page: Page) {
  page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    heard.push({ from: `${surface} socket`, text: unescape(readFrame(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))) });
  }));
  page.context().on('response', (r) => {
    const u = new URL(r.url());
    if (!/^\/(api|safe|socket\.io)\b/.test(u.pathname)) return;
    reading.push(r.text().then((text) => void heard.push({ from: `${surface} ${r.request().method()} ${u.pathname}${u.search}`, text: unescape(text) }), () => {}));
  });
}

/** Every name, phone, ID number and door the register, the volunteers and the staff hold. */
function secrets(): string[] {
  const db = server.app.db;
  const values = (sql: string) => (db.prepare(sql).raw().all() as unknown[][]).flat().filter((v): v is string => typeof v === 'string' && v.length >= 2);
  const doors = db.prepare('SELECT address, unit, room FROM households').all() as { address: string; unit: string | null; room: string }[];
  return [...new Set([
    ...values('SELECT name, phone, id_number, emergency_name, emergency_phone FROM residents'),
    ...doors.flatMap((d) => [d.address, `${d.unit ? `${d.unit}单元` : ''}${d.room}室`]),
    ...values('SELECT name, phone, id_number FROM volunteers'),
    ...values("SELECT display_name FROM users WHERE display_name <> username"),
    ...values('SELECT name, phone FROM workers'),
  ])].filter((s) => s.length >= 2);
}

/** Fail with the offending payload if anything public mentions a secret. */
async function scanPublic(at: string) {
  await Promise.all(reading.splice(0));
  const all = secrets();
  expect(all.length).toBeGreaterThan(100);
  const found: string[] = [];
  for (const h of heard) {
    for (const s of all) {
      const i = h.text.indexOf(s);
      if (i >= 0) found.push(`${h.from} mentions "${s}": …${h.text.slice(Math.max(0, i - 160), i + s.length + 160)}…`);
    }
  }
  expect(found, `public payloads ${at}`).toEqual([]);
}

async function signIn(page: Page, as: Credentials, at: string) {
  await page.goto(`${server.url}${at}`);
  await page.locator('body[data-view="login"]').waitFor({ timeout: 10_000 });
  await page.fill('input[name="username"]', as.username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.locator('body[data-view="shell"]').waitFor({ timeout: 10_000 });
}

async function newPage(viewport: { width: number; height: number }, extra: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  const context = await browser.newContext({ viewport, ...zh, ...extra });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
  return page;
}

let wall: Page;
let desk: Page;
let tablet: Page;
let tabletContext: BrowserContext;
let phone: Page;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ historyDays: 1, now: () => Date.now() + skew, env: { TIMER_MS: '200' } });
  api = `${server.url}/api/v1`;
  await seedRegister(server.app.subjectDeps, Date.now());
  const users = server.app.auth.accounts.users;
  const community = server.app.directory.defaultCommunity()!.id;
  const person = { password: TEST_PASSWORD, mustChangePassword: false };
  await users.create(null, community, { username: 'zhao-dispatch', displayName: '赵海峰', role: 'dispatcher', ...person });
  await users.create(null, community, { username: 'qian-coord', displayName: '钱佩琪', role: 'coordinator', ...person });
  // The demo's own worker of grid G01, with an account for the tablet.
  const w01 = server.app.directory.grids.get('G01')!.workerId!;
  await users.create(null, community, {
    username: 'wang-gw', displayName: '王丽萍', role: 'grid_worker', grids: ['G01'], workerId: w01, ...person,
  });
  dispatcher = await logIn(server.url, 'zhao-dispatch', TEST_PASSWORD);
  coordinator = await logIn(server.url, 'qian-coord', TEST_PASSWORD);
  volunteer = await joinAsVolunteer(server.url, '林小雨');
  await request(`${api}/volunteers/${volunteer.volunteerId}`, { method: 'PATCH', body: { skills: ['急救'], gridId: 'G01' } });
  browser = await launchBrowser();

  // The wall, paired, on its playlist; everything it hears is kept.
  wall = await newPage({ width: 1920, height: 1080 });
  listen('wall', wall);
  await wall.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
  await wall.locator('body[data-ready="1"]').waitFor({ timeout: 20_000 });
  await wall.locator('main.scene[data-scene="events"]').waitFor();

  // The grid worker's tablet, signed in, its service worker in charge (what keeps it working offline).
  tablet = await newPage({ width: 1280, height: 800 }, { deviceScaleFactor: 1, hasTouch: true });
  tabletContext = tablet.context();
  await tablet.goto(`${server.url}/tablet`);
  await tablet.fill('input[name="username"]', 'wang-gw');
  await tablet.fill('input[name="password"]', TEST_PASSWORD);
  await tablet.getByRole('button', { name: '登录' }).click();
  await tablet.locator('[data-whose]').waitFor();
  await tablet.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
  await tablet.locator('body[data-live="on"]').waitFor({ timeout: 15_000 });

  desk = await newPage({ width: 1280, height: 800 });
  await signIn(desk, dispatcher, '/console/incidents');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const wallUnknown = (grid: string) => wall.locator(`[data-testid="status-unknown"] li[data-grid="${grid}"]`).getAttribute('data-unknown');
const wallTotal = () => wall.locator('[data-testid="unknown-total"]').textContent();
const serverUnknown = async (id: number, grid: string) =>
  ((await request(`${api}/incidents/${id}/board`, { as: dispatcher })).body as { grids: { gridId: string; unknown: number }[] }).grids.find((g) => g.gridId === grid)!.unknown;

/** On the tablet: claim the door, then record what was found there. */
async function knock(id: string, result: 'safe' | 'no_answer' | 'needs_help', note: string) {
  const door = tablet.locator(`[data-door="${id}"]`);
  await door.locator('[data-claim]').click();
  await eventually(() => door.getAttribute('data-holder')).toBe('wang-gw');
  await door.locator('[data-knock]').click();
  await door.locator(`[data-result="${result}"]`).click();
  await door.locator('textarea[name="note"]').fill(note);
  await door.locator('[data-save-knock]').click();
  await eventually(() => door.getAttribute('data-status')).toBe(result);
}

describe('an emergency, every person on their own screen', () => {
  let incidentId = 0;

  it('runs a typhoon from declaration to the after-action report, and nothing public names anyone', async () => {
    const wallLoadedAt = await wall.evaluate(() => performance.timeOrigin);
    const tabletLoadedAt = await tablet.evaluate(() => performance.timeOrigin);

    // ---- The dispatcher declares a level-Ⅱ typhoon for G01 and G02, through the form.
    await desk.locator('[data-declare-form]').waitFor();
    await desk.selectOption('select[name="type"]', 'typhoon');
    await desk.check('input[name="level"][value="2"]');
    await desk.check('input[name="area"] >> nth=1');
    await desk.check('input[name="grid"][value="G01"]');
    await desk.check('input[name="grid"][value="G02"]');
    await desk.fill('input[name="headline"]', '台风“海葵”今夜登陆');
    await desk.fill('textarea[name="instructions"]', '低洼地带居民请于 20:00 前转移至社区服务中心；关好门窗，收起阳台物品。');
    await desk.click('[data-declare-form] button.btn.danger');
    await desk.locator('[data-incident-bar][data-level="2"][data-drill="0"]').waitFor();
    incidentId = Number(await desk.locator('section[data-incident]').getAttribute('data-incident'));
    expect(incidentId).toBeGreaterThan(0);

    // ---- The wall: the emergency layout in orange, without a reload, with status unknown per grid.
    const layout = wall.locator('[data-testid="emergency"]');
    await layout.waitFor({ timeout: 5_000 });
    expect(await layout.getAttribute('data-colour')).toBe('orange');
    expect(await layout.getAttribute('data-drill')).toBe('0');
    const start = { G01: await serverUnknown(incidentId, 'G01'), G02: await serverUnknown(incidentId, 'G02') };
    expect(start.G01).toBeGreaterThan(6);
    expect(start.G02).toBeGreaterThan(6);
    await eventually(() => wallUnknown('G01')).toBe(String(start.G01));
    await eventually(() => wallUnknown('G02')).toBe(String(start.G02));
    await eventually(wallTotal).toBe(String(start.G01 + start.G02));
    // The console sees the wall switched.
    await eventually(() => desk.locator('[data-screens] tr[data-flipped="1"]').count()).toBe(1);

    // ---- The tablet: the banner without a reload, the door list of G01 kept for offline.
    await tablet.locator('[data-incident][data-level="2"]').waitFor({ timeout: 5_000 });
    expect(await tablet.evaluate(() => performance.timeOrigin)).toBe(tabletLoadedAt);
    await tablet.getByRole('link', { name: '应急核查' }).click();
    await eventually(() => tablet.locator('[data-door]').count()).toBe(start.G01);
    await eventually(() => tablet.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((res, rej) => { const r = indexedDB.open('cerebellum-tablet'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      const v = await new Promise<{ households?: unknown[] } | undefined>((res) => { const r = db.transaction('kept').objectStore('kept').get('board:wang-gw'); r.onsuccess = () => res(r.result); });
      db.close();
      return v?.households?.length ?? 0;
    })).toBe(start.G01);
    const doors = await tablet.locator('[data-door]').evaluateAll((els) => els.map((e) => e.getAttribute('data-door')!));
    const [a, d, b, c] = doors as [string, string, string, string];

    // Online: one safe, one needs help (an urgent case). Each brings G01 down on the wall.
    await knock(a, 'safe', '老人在家，一切安好');
    await eventually(() => tablet.locator(`[data-door="${a}"]`).getAttribute('data-pending')).toBe('');
    await eventually(() => wallUnknown('G01')).toBe(String(start.G01 - 1));
    // The wall's count of emergency cases, before: the demo may have its own open at this hour.
    const casesOnWall = async () => Number(await wall.locator('[data-panel="emergency-events"] .count').textContent());
    const casesBefore = await casesOnWall();
    await knock(d, 'needs_help', '腿脚不便，需要协助转移');
    await eventually(() => tablet.locator(`[data-door="${d}"]`).getAttribute('data-pending')).toBe('');
    await eventually(() => wallUnknown('G01')).toBe(String(start.G01 - 2));
    await eventually(casesOnWall).toBe(casesBefore + 1);
    await eventually(() => wall.locator('[data-panel="emergency-events"] .cases').innerText()).toContain('住户求助');

    // Offline: one safe, one no answer; nothing reaches the server, the wall stays.
    await tabletContext.setOffline(true);
    await eventually(() => tablet.locator('[data-net]').getAttribute('data-net')).toBe('offline');
    await knock(b, 'safe', '');
    await knock(c, 'no_answer', '敲门无人应答');
    await eventually(() => tablet.locator('[data-waiting]').getAttribute('data-waiting')).not.toBe('0');
    expect(await serverUnknown(incidentId, 'G01')).toBe(start.G01 - 2);
    expect(await wallUnknown('G01')).toBe(String(start.G01 - 2));
    await tablet.evaluate(() => window.scrollTo(0, 0));
    await tablet.screenshot({ path: `${SHOTS}/tablet-offline-1280x800.png` });

    // The network is back: everything waiting is sent, each knock arrives once, G01 goes down by the safe.
    await tabletContext.setOffline(false);
    await eventually(() => tablet.locator('[data-waiting]').getAttribute('data-waiting'), 60_000).toBe('0');
    const knocks = server.app.db.prepare(`SELECT household_id AS h, status, by FROM board_reports
      WHERE incident_id = ? AND source = 'knock' ORDER BY id`).all(incidentId);
    expect(knocks).toEqual([
      { h: Number(a), status: 'safe', by: 'wang-gw' }, { h: Number(d), status: 'needs_help', by: 'wang-gw' },
      { h: Number(b), status: 'safe', by: 'wang-gw' }, { h: Number(c), status: 'no_answer', by: 'wang-gw' },
    ]);
    await eventually(() => wallUnknown('G01')).toBe(String(start.G01 - 3));
    await eventually(() => tablet.locator('[data-grid-counts="G01"]').getAttribute('data-unknown')).toBe(String(start.G01 - 3));

    // ---- The resident: the console prints G02's links; one phone opens its card's link and says 我平安.
    await desk.locator('section[data-incident] [data-board-link]').click();
    await desk.locator('[data-board-headline]').waitFor({ timeout: 10_000 });
    await desk.selectOption('select[name="link-grid"]', 'G02');
    await desk.click('[data-action="issue-links"]');
    await desk.locator('[data-link-sheet][data-ready="1"]').waitFor({ timeout: 10_000 });
    const card = desk.locator('[data-link-card]').first();
    const household = await card.getAttribute('data-link-card');
    const link = (await card.locator('[data-url]').textContent())!;
    expect(link).toMatch(new RegExp(`^${server.url}/safe/[A-Za-z0-9_-]{32}$`));
    await desk.click('[data-action="close-sheet"]');

    const resident = await newPage({ width: 390, height: 844 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2, javaScriptEnabled: false });
    listen('safe page', resident);
    await resident.goto(link);
    await resident.getByRole('button', { name: /我平安/ }).click();
    await resident.getByText('已收到：本户平安。谢谢！').waitFor();
    await expect(resident.locator('.current').textContent()).resolves.toBe('本户当前登记：平安');
    await resident.screenshot({ path: `${SHOTS}/safe-page-390x844.png`, fullPage: true });
    await eventually(() => wallUnknown('G02')).toBe(String(start.G02 - 1));
    await eventually(wallTotal).toBe(String(start.G01 + start.G02 - 4));
    await eventually(() => desk.locator(`tr[data-household="${household}"]`).getAttribute('data-status')).toBe('safe');

    // ---- The "no answer" escalates when its 15 minutes are up: on the board, and on the tablet.
    expect(await desk.locator(`tr[data-household="${c}"] .esc`).count()).toBe(0);
    skew += 20 * 60_000;
    await eventually(() => desk.locator(`tr[data-household="${c}"] .esc`).textContent()).toBe('升级：待复敲');
    await eventually(() => tablet.locator(`[data-door="${c}"]`).textContent()).toContain('待复敲');

    // The centre's phone calls settle the rest of G02 (logged over the API; the call form has its own test).
    const g02 = ((await request(`${api}/incidents/${incidentId}/board?grid=G02`, { as: dispatcher })).body as { households: { householdId: number; status: string }[] })
      .households.filter((h) => h.status === 'unknown');
    for (const h of g02) {
      const r = await request(`${api}/incidents/${incidentId}/households/${h.householdId}/status`, {
        method: 'POST', as: dispatcher, headers: { 'idempotency-key': randomUUID() }, body: { status: 'safe', source: 'call', note: '电话确认平安' },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    await eventually(() => wallUnknown('G02')).toBe('0');
    await eventually(wallTotal).toBe(String(start.G01 - 3));

    // ---- The volunteer: the dispatcher calls out first-aiders of G01 from the resources page.
    await desk.goto(`${server.url}/console/incidents/${incidentId}/resources`);
    await desk.locator('[data-callout-form]').waitFor({ timeout: 10_000 });
    await desk.fill('[data-callout-form] input[name="skills"]', '急救');
    await desk.check('[data-callout-form] input[name="grid"][value="G01"]');
    await desk.fill('[data-callout-form] textarea[name="message"]', '请于 20:30 前到社区活动中心集合，带好雨具。');
    await desk.click('[data-callout-form] button.btn.primary');
    await desk.getByRole('status').filter({ hasText: '已召集 1 名志愿者' }).waitFor();

    phone = await newPage({ width: 390, height: 844 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.goto(`${server.url}/me`);
    await phone.fill('input[name="username"]', volunteer.username);
    await phone.fill('input[name="password"]', TEST_PASSWORD);
    await phone.click('button[type="submit"]');
    const callout = phone.locator('[data-callout]').first();
    await callout.waitFor({ timeout: 10_000 });
    await expect(callout.locator('.callout-message').textContent()).resolves.toBe('请于 20:30 前到社区活动中心集合，带好雨具。');
    await callout.getByRole('button', { name: '接受' }).click();
    await callout.getByRole('button', { name: '我已到岗' }).click();
    await callout.getByRole('button', { name: '结束值守' }).waitFor();
    await eventually(() => wall.locator('[data-testid="volunteers-on-duty"]').getAttribute('data-value')).toBe('1');
    await eventually(() => desk.locator('[data-on-duty]').textContent()).toBe('1');

    // ---- The shelter: added in the console (120 m² holds 34), people checked in; the wall follows.
    await desk.fill('[data-shelter-form] input[name="name"]', '桂花苑社区活动中心');
    await desk.fill('[data-shelter-form] input[name="address"]', '桂花路 8 号');
    await desk.fill('[data-shelter-form] input[name="area"]', '120');
    await desk.click('[data-shelter-form] button.btn.primary');
    const shelter = desk.locator('[data-shelter]').filter({ hasText: '桂花苑社区活动中心' });
    await eventually(() => shelter.locator('[data-occupancy]').textContent()).toContain('0 / 34');
    await eventually(() => wall.locator('[data-testid="shelters"]').innerText()).toContain('0 / 34');
    await shelter.locator('input.heads').fill('5');
    await shelter.locator('[data-check-in]').click();
    await eventually(() => shelter.locator('[data-occupancy]').textContent()).toContain('5 / 34');
    await eventually(() => wall.locator('[data-testid="shelters"]').innerText()).toContain('5 / 34');

    // The wall in emergency mode, all of it moved, still the page loaded at the start.
    expect(await wall.evaluate(() => performance.timeOrigin)).toBe(wallLoadedAt);
    await wall.waitForTimeout(400); // the map draws
    await wall.screenshot({ path: `${SHOTS}/wall-emergency-1920x1080.png` });
    await tablet.evaluate(() => window.scrollTo(0, 0));
    await tablet.screenshot({ path: `${SHOTS}/tablet-doors-1280x800.png` });
    await tablet.screenshot({ path: `${SHOTS}/tablet-doors-1280-full.png`, fullPage: true });

    // ---- The end: the dispatcher ends it with a summary; the wall goes back to its playlist.
    await desk.goto(`${server.url}/console/incidents`);
    await desk.fill('[data-end-form] textarea[name="summary"]', '台风过境，一户需要帮助已转移，一户无人应答待复核。');
    await desk.click('[data-end-form] button.btn.danger');
    await layout.waitFor({ state: 'detached', timeout: 5_000 });
    await wall.locator('main.scene[data-scene="events"]').waitFor();
    expect(await wall.evaluate(() => performance.timeOrigin)).toBe(wallLoadedAt);
    await eventually(() => tablet.locator('[data-incident]').count()).toBe(0);

    // The report: the timeline, and how long each grid took to be known.
    await desk.locator(`[data-ended-incident="${incidentId}"] [data-report-link]`).click();
    await desk.locator(`[data-report="${incidentId}"][data-status="ended"]`).waitFor({ timeout: 10_000 });
    await desk.locator('[data-timeline]').waitFor();
    expect(Number(await desk.locator('[data-timeline]').getAttribute('data-total'))).toBeGreaterThanOrEqual(4 + 4 + 1 + g02.length);
    for (const kind of ['report', 'claim', 'escalation']) expect(await desk.locator(`[data-timeline] tr[data-kind="${kind}"]`).count(), kind).toBeGreaterThan(0);
    await expect(desk.locator('[data-timeline] tr[data-kind="escalation"]').first().textContent()).resolves.toContain('待复敲');
    const g02Row = desk.locator('[data-figures] tr[data-grid="G02"]');
    // G02 was all known once the clock had moved on 20 minutes: its time to known says so.
    const g02Minutes = (await g02Row.locator('td').nth(3).textContent())!;
    expect(g02Minutes).toMatch(/^\d+(\.\d)? 分钟$/);
    expect(parseFloat(g02Minutes)).toBeGreaterThanOrEqual(20);
    expect(parseFloat(g02Minutes)).toBeLessThan(25);
    await expect(g02Row.locator('td').nth(4).textContent()).resolves.toBe('0');
    await expect(desk.locator('[data-figures] tr[data-grid="G01"] td').nth(3).textContent()).resolves.toBe(`尚未查清（${start.G01 - 3} 户未知）`);
    await desk.screenshot({ path: `${SHOTS}/report-1280-full.png`, fullPage: true });

    // ---- Nothing public named anyone.
    expect(heard.some((h) => h.from === 'wall socket' && h.text.includes('board:counts'))).toBe(true);
    expect(heard.some((h) => h.from === 'wall socket' && h.text.includes('people:counts'))).toBe(true);
    // The urgent case the needs help opened reached the wall in a batch, read here as it read it.
    expect(heard.some((h) => h.from === 'wall socket' && h.text.startsWith('42["batch",') && h.text.includes('"category":"emergency"'))).toBe(true);
    expect(heard.some((h) => h.from.startsWith('safe page GET /safe/'))).toBe(true);
    await scanPublic('during the typhoon');
    expect(errors).toEqual([]);
  }, 240_000);

  it('says 演练 on the wall, the tablet, the console, the volunteer\'s phone and the resident\'s page in a drill', async () => {
    const left = (await request(`${api}/incidents/active`, { as: dispatcher })).body.incident;
    if (left) await request(`${api}/incidents/${left.id}/end`, { method: 'POST', as: dispatcher, headers: { 'idempotency-key': randomUUID() }, body: { summary: '结束' } });

    await desk.goto(`${server.url}/console/incidents`);
    await desk.locator('[data-declare-form]').waitFor();
    await desk.selectOption('select[name="type"]', 'fire');
    await desk.check('input[name="level"][value="3"]');
    await desk.check('input[name="area"] >> nth=0');
    await desk.fill('input[name="headline"]', '消防疏散演练');
    await desk.fill('textarea[name="instructions"]', '请各楼栋居民按疏散路线到幸福广场集合。');
    await desk.check('input[name="drill"]');
    await desk.click('[data-declare-form] button.btn.danger');
    const bar = desk.locator('[data-incident-bar][data-drill="1"]');
    await bar.waitFor();
    await expect(bar.locator('.drill').textContent()).resolves.toBe('演练');
    const id = Number(await desk.locator('section[data-incident]').getAttribute('data-incident'));

    await wall.locator('[data-testid="emergency"][data-drill="1"]').waitFor({ timeout: 5_000 });
    await expect(wall.locator('[data-testid="drill-mark"]').textContent()).resolves.toBe('演练');
    // The whole community: ten grids and a three-digit total beside them, and every count shown whole.
    await eventually(() => wall.locator('[data-testid="status-unknown"] li[data-grid]').count()).toBeGreaterThan(2);
    const cut = await wall.locator('[data-testid="status-unknown"] ul.grids').evaluate((list) => {
      const right = list.getBoundingClientRect().right;
      return [...list.querySelectorAll('li[data-grid] .num')].filter((n) => n.getBoundingClientRect().right > right + 0.5).map((n) => n.textContent);
    });
    expect(cut, 'counts cut off at the panel\'s edge').toEqual([]);
    await wall.waitForTimeout(400);
    await wall.screenshot({ path: `${SHOTS}/wall-drill-1920x1080.png` });

    const banner = tablet.locator('[data-incident][data-drill="1"]');
    await banner.waitFor({ timeout: 5_000 });
    await expect(banner.locator('[data-drill-mark]').innerText()).resolves.toBe('演练');
    await tablet.screenshot({ path: `${SHOTS}/tablet-drill-1280x800.png` });

    // The coordinator calls out volunteers for the drill; the phone marks the call-out 演练.
    const sent = await request(`${api}/incidents/${id}/callouts`, {
      method: 'POST', as: coordinator, headers: { 'idempotency-key': randomUUID() }, body: { skills: ['急救'], grids: ['G01'], message: '演练：请到幸福广场集合。' },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    if (!phone) phone = await newPage({ width: 390, height: 844 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.goto(`${server.url}/me`);
    if (await phone.locator('input[name="username"]').isVisible()) {
      await phone.fill('input[name="username"]', volunteer.username);
      await phone.fill('input[name="password"]', TEST_PASSWORD);
      await phone.click('button[type="submit"]');
    }
    const drillCallout = phone.locator(`[data-callout="${sent.body.callout.id}"]`);
    await drillCallout.waitFor({ timeout: 10_000 });
    await expect(drillCallout.locator('.badge.drill').textContent()).resolves.toBe('演练');
    await phone.screenshot({ path: `${SHOTS}/me-drill-390x844.png` });

    // A household's link: its page says 演练 too.
    const links = await request(`${api}/incidents/${id}/links`, { method: 'POST', as: dispatcher, headers: { 'idempotency-key': randomUUID() }, body: { grid: 'G01' } });
    expect(links.status, JSON.stringify(links.body)).toBe(201);
    const resident = await newPage({ width: 390, height: 844 }, { isMobile: true, javaScriptEnabled: false });
    listen('safe page (drill)', resident);
    await resident.goto(`${server.url}${links.body.items[0].path}`);
    await expect(resident.locator('h1 .drill').textContent()).resolves.toBe('演练');

    await desk.fill('[data-end-form] textarea[name="summary"]', '演练结束，疏散用时 12 分钟。');
    await desk.click('[data-end-form] button.btn.danger');
    await wall.locator('[data-testid="emergency"]').waitFor({ state: 'detached', timeout: 5_000 });
    await wall.locator('main.scene[data-scene="events"]').waitFor();
    await scanPublic('during the drill');
    expect(errors).toEqual([]);
  }, 120_000);
});
