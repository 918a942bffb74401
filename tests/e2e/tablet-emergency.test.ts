/**
 * End to end, the grid worker's tablet in an emergency (/tablet, Chromium, a real server and
 * database): an admin declares a typhoon over the API for the worker's grid; the tablet shows the
 * banner in the level's colour without a reload and acknowledges it; the door-knock list of the
 * grid's households is kept for offline. The network goes; the worker claims and knocks three
 * doors (safe, no answer, needs help; one of them never claimed) and claims a fourth that the
 * centre took meanwhile; reloads with no network (banner and list still there); the network
 * comes back and each report arrives once — one answer is lost on the way and its retry is
 * answered with the first outcome — the grid's unknown count drops by the safe and the needs
 * help, needs help opens one urgent case, the refused claim says who holds the door since when,
 * and the sync page shows the rest received. A drill shows 演练. Screenshots of the banner and
 * the list at 1280×800, 800×1280 and 390×844 in both themes, in /tmp/shots-tabletem/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { TEST_PASSWORD, request, startServer, type TestServer } from '../support/server.ts';
import { axeSerious } from '../support/a11y.ts';
import { buildingOf } from '../support/register.ts';
import type { BoardAnswer } from '../../shared/emergency-board.ts';

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots-tabletem';

if (!fs.existsSync(path.join(CLIENT_DIR, 'tablet-sw.js'))) {
  throw new Error(`The field app is not built (${CLIENT_DIR}): run npm run build:client before the e2e tests.`);
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 15_000) => expect.poll(check, { timeout, interval: 100 });
const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('a grid worker\'s tablet in an emergency', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api = '';
  let incidentId = 0;
  const errors: string[] = [];
  /** Four households of 桂花苑5幢 in G01, each with a resident: the first an elderly woman living alone. */
  const hh: number[] = [];

  const waiting = () => page.locator('[data-waiting]').getAttribute('data-waiting');
  const kept = (key: string) => page.evaluate(async (k) => {
    const db = await new Promise<IDBDatabase>((res, rej) => { const r = indexedDB.open('cerebellum-tablet'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const v = await new Promise<unknown>((res) => { const r = db.transaction('kept').objectStore('kept').get(k); r.onsuccess = () => res(r.result); });
    db.close();
    return v ?? null;
  }, key);
  const board = async (): Promise<BoardAnswer> => (await request(`${api}/incidents/${incidentId}/board?grid=G01`)).body;
  const unknownOfG01 = async () => (await board()).grids.find((g) => g.gridId === 'G01')!.unknown;

  async function declare(body: Record<string, unknown>, key: string) {
    const r = await request(`${api}/incidents`, { method: 'POST', body, headers: { 'Idempotency-Key': key } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.incident as { id: number; version: number };
  }

  /** Claim (unless `claim` is false) and record what was found at household `id`. */
  async function knock(id: number, result: string, note = '', claim = true) {
    const door = page.locator(`[data-door="${id}"]`);
    if (claim) {
      await door.locator('[data-claim]').click();
      await eventually(() => door.getAttribute('data-pending')).toBe('claim');
    }
    await door.locator('[data-knock]').click();
    await door.locator(`[data-result="${result}"]`).click();
    if (note) await door.locator('textarea[name="note"]').fill(note);
    await door.locator('[data-save-knock]').click();
    await eventually(() => door.getAttribute('data-status')).toBe(result);
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    server = await startServer();
    api = `${server.url}/api/v1`;
    const community = server.app.directory.defaultCommunity()!.id;
    await server.app.auth.accounts.users.create(null, community, {
      username: 'wang-gw', displayName: '王丽萍', role: 'grid_worker', grids: ['G01'], workerId: server.app.directory.grids.get('G01')!.workerId!,
      password: TEST_PASSWORD, mustChangePassword: false,
    });
    hh.push(...await buildingOf(api, 'G01', '桂花苑5幢', [
      { name: '王秀英', birth: '1941', tags: ['elderly_alone'] },
      { name: '李建国', birth: '1985-06-01', tags: [] },
      { name: '赵桂兰', birth: '1950', tags: ['empty_nest'] },
      { name: '陈明', birth: '1990', tags: [] },
    ]));
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the banner without a reload when an incident is declared, acknowledges it, and keeps the door-knock list', async () => {
    await page.goto(`${server.url}/tablet`);
    await page.fill('input[name="username"]', 'wang-gw');
    await page.fill('input[name="password"]', TEST_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('[data-whose]').waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
    await eventually(() => page.locator('body').getAttribute('data-live')).toBe('on');
    await eventually(async () => ((await kept('register:wang-gw')) as { households?: unknown[] } | null)?.households?.length ?? 0).toBe(4);
    expect(await page.locator('[data-incident]').count()).toBe(0);
    expect(await page.locator('nav.tabs a').count()).toBe(5);
    const loadedAt = await page.evaluate(() => performance.timeOrigin);

    const incident = await declare({
      type: 'typhoon', level: 2, grids: ['G01'], headline: '台风“海葵”今夜登陆',
      instructions: '低洼地带居民请于 20:00 前转移至社区服务中心；关好门窗，收起阳台物品。',
    }, 'declare-typhoon-haikui');
    incidentId = incident.id;

    const banner = page.locator('[data-incident]');
    await banner.waitFor({ timeout: 5_000 });
    expect(await page.evaluate(() => performance.timeOrigin)).toBe(loadedAt);
    expect(await banner.getAttribute('data-level')).toBe('2');
    expect(await banner.getAttribute('data-colour')).toBe('orange');
    expect(await banner.getAttribute('data-drill')).toBe('0');
    await expect(banner.innerText()).resolves.toMatch(/Ⅱ级[\s\S]*橙色预警[\s\S]*台风防汛[\s\S]*台风“海葵”今夜登陆[\s\S]*已持续 0 分钟/);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('[data-incident]')!).backgroundColor)).toBe('rgb(242, 107, 15)');
    // The instructions on a tap.
    await banner.locator('.incident-line').click();
    await expect(page.locator('[data-instructions]').innerText()).resolves.toContain('低洼地带居民请于 20:00 前转移至社区服务中心');
    await banner.locator('.incident-line').click();
    // The tablet said it shows this version.
    await eventually(() => page.locator('body').getAttribute('data-incident-acked')).toBe(`${incident.id}:${incident.version}`);

    // The door checks are the first tab; the list is the grid's households, the elderly woman first.
    expect(await page.locator('nav.tabs a').count()).toBe(6);
    expect(await page.locator('nav.tabs a').first().getAttribute('data-tab')).toBe('alert');
    await page.getByRole('link', { name: '应急核查' }).click();
    await eventually(() => page.locator('[data-door]').count()).toBe(4);
    expect(await page.locator('[data-door]').first().getAttribute('data-door')).toBe(String(hh[0]));
    await expect(page.locator(`[data-door="${hh[0]}"] [data-tag="elderly_alone"]`).innerText()).resolves.toBe('独居老人');
    await expect(page.locator('[data-grid-counts="G01"]').getAttribute('data-unknown')).resolves.toBe('4');
    await eventually(async () => ((await kept('board:wang-gw')) as { households?: unknown[] } | null)?.households?.length ?? 0).toBe(4);
    await eventually(async () => ((await kept('incident:wang-gw')) as { id?: number } | null)?.id).toBe(incident.id);
    expect(await noSideScroll(page)).toBe(true);
    expect(await axeSerious(page), 'door checks').toEqual([]);
  });

  it('claims and knocks with no network, reloads offline, and sends each report once when the network is back', async () => {
    expect(await unknownOfG01()).toBe(4);
    await context.setOffline(true);
    await eventually(() => page.locator('[data-net]').getAttribute('data-net')).toBe('offline');

    // The centre takes the fourth door meanwhile; the tablet does not know.
    const taken = await request(`${api}/incidents/${incidentId}/households/${hh[3]}/claim`, { method: 'POST', headers: { 'Idempotency-Key': 'centre-claims-4' } });
    expect(taken.status).toBe(200);
    const centre = taken.body.household.claim as { byName: string; since: string };

    await knock(hh[0]!, 'safe', '老人在家，一切安好');
    await knock(hh[1]!, 'no_answer');
    // Nobody held the third when the list was loaded: knocked without a claim.
    await knock(hh[2]!, 'needs_help', '腿受伤，需要转移', false);
    await page.locator(`[data-door="${hh[3]}"] [data-claim]`).click();
    await eventually(waiting).toBe('6');
    expect(await page.locator(`[data-door="${hh[2]}"]`).getAttribute('data-pending')).toBe('done');
    // Needs help first on the list as shown.
    expect(await page.locator('[data-door]').first().getAttribute('data-door')).toBe(String(hh[2]));
    expect((await request(`${api}/incidents/${incidentId}/households/${hh[0]}`)).body.reports).toHaveLength(0);

    // Reloaded with no network: the banner and the list are still there, with what waits.
    await page.reload();
    await page.locator('[data-incident][data-level="2"]').waitFor();
    await eventually(() => page.locator('[data-door]').count()).toBe(4);
    await eventually(waiting).toBe('6');
    expect(await page.locator(`[data-door="${hh[0]}"]`).getAttribute('data-status')).toBe('safe');
    expect(await page.locator(`[data-door="${hh[3]}"]`).getAttribute('data-holder')).toBe('wang-gw');

    // The first knock's answer is lost on the way (the server applies it; the tablet hears nothing).
    let lost = 0;
    await context.route(`${api}/incidents/${incidentId}/households/${hh[0]}/done`, async (route) => {
      if (lost++) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });

    await context.setOffline(false);
    await eventually(waiting, 60_000).toBe('0');
    expect(lost).toBeGreaterThanOrEqual(2);

    // Each report arrived once.
    const rows = server.app.db.prepare('SELECT household_id AS h, status, source, by FROM board_reports WHERE incident_id = ? ORDER BY household_id')
      .all(incidentId) as { h: number; status: string; source: string; by: string }[];
    expect(rows).toEqual([
      { h: hh[0], status: 'safe', source: 'knock', by: 'wang-gw' },
      { h: hh[1], status: 'no_answer', source: 'knock', by: 'wang-gw' },
      { h: hh[2], status: 'needs_help', source: 'knock', by: 'wang-gw' },
    ]);
    // The unknown count dropped by the safe and the needs help; no answer is still unknown.
    expect(await unknownOfG01()).toBe(2);
    // Needs help opened one urgent case.
    const households = (await board()).households;
    const urgent = households.filter((h) => h.eventId !== null);
    expect(urgent.map((h) => h.householdId)).toEqual([hh[2]]);
    expect((await request(`${api}/events/${urgent[0]!.eventId}`)).status).toBe(200);
    expect(households.find((h) => h.householdId === hh[3])!.claim?.by).not.toBe('wang-gw');

    // The refused claim says who holds the door since when, on the record and on the list.
    const since = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }).format(new Date(centre.since));
    const words = `${centre.byName} 已于 ${since} 认领此户`;
    await page.getByRole('link', { name: /同步记录/ }).click();
    await eventually(() => page.locator('[data-record][data-state="received"]').count()).toBe(5);
    await expect(page.locator('[data-record][data-state="refused"] .why').innerText()).resolves.toBe(words);
    await expect(page.locator(`[data-record][data-kind="door_done"][data-state="received"] [data-receipt]`).allInnerTexts())
      .resolves.toEqual(expect.arrayContaining([expect.stringContaining('登记为「平安」'), expect.stringContaining('登记为「需要帮助」')]));
    expect(await page.locator('body').innerText()).not.toMatch(/失败|failed/i);
    await page.getByRole('link', { name: '应急核查' }).click();
    await eventually(() => page.locator(`[data-door="${hh[3]}"] [data-door-holder]`).innerText()).toBe(words);
    await expect(page.locator(`[data-door="${hh[3]}"] [data-door-refusal]`).innerText()).resolves.toBe('您的认领没有成功：此户已有人认领。');
    expect(await page.locator(`[data-door="${hh[3]}"] [data-claim]`).count()).toBe(0);
    await eventually(() => page.locator('[data-grid-counts="G01"]').getAttribute('data-unknown')).toBe('2');
    expect(errors).toEqual([]);
  }, 120_000);

  it('reads well on its side, upright and on a phone, in sunlight and indoors', async () => {
    const sizes = [['1280x800', 1280, 800], ['800x1280', 800, 1280], ['390x844', 390, 844]] as const;
    for (const theme of ['sun', 'indoor'] as const) {
      await page.evaluate((t) => localStorage.setItem('cerebellum.tablet.theme', t), theme);
      for (const [name, width, height] of sizes) {
        await page.setViewportSize({ width, height });
        for (const [what, url, ready] of [['tasks', '/tablet', '[data-tasks]'], ['doors', '/tablet/emergency', '[data-door]']] as const) {
          await page.goto(`${server.url}${url}`);
          await page.locator(ready).first().waitFor();
          await page.locator('[data-incident]').waitFor();
          expect(await noSideScroll(page), `${what} ${name} ${theme}`).toBe(true);
          // The header stays one row on a phone; the six tabs fit.
          if (width === 390) expect(await page.locator('header.top').evaluate((e) => e.getBoundingClientRect().height)).toBeLessThan(80);
          expect(await page.locator('nav.tabs').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
          await page.screenshot({ path: path.join(SHOTS, `${what}-${name}-${theme}.png`), fullPage: true });
        }
      }
    }
    await page.evaluate(() => localStorage.setItem('cerebellum.tablet.theme', 'sun'));
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 120_000);

  it('leaves emergency mode at the end, and shows 演练 on a drill\'s banner', async () => {
    await page.goto(`${server.url}/tablet`);
    await page.locator('[data-incident]').waitFor();
    await eventually(() => page.locator('body').getAttribute('data-live')).toBe('on');
    const end = await request(`${api}/incidents/${incidentId}/end`, { method: 'POST', body: { summary: '台风过境，全员平安。' }, headers: { 'Idempotency-Key': 'end-typhoon-haikui' } });
    expect(end.status).toBe(200);
    await eventually(() => page.locator('[data-incident]').count()).toBe(0);
    expect(await page.locator('nav.tabs a').count()).toBe(5);

    const drill = await declare({ type: 'fire', level: 3, drill: true, grids: 'all', headline: '消防疏散演练', instructions: '请沿楼梯有序疏散至中心广场。' }, 'declare-fire-drill');
    const banner = page.locator('[data-incident]');
    await banner.waitFor();
    expect(await banner.getAttribute('data-drill')).toBe('1');
    expect(await banner.getAttribute('data-colour')).toBe('yellow');
    await expect(banner.locator('[data-drill-mark]').innerText()).resolves.toBe('演练');
    await eventually(() => page.locator('body').getAttribute('data-incident-acked')).toBe(`${drill.id}:${drill.version}`);
    await page.screenshot({ path: path.join(SHOTS, 'drill-1280x800-sun.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'drill-390x844-sun.png') });
    expect(errors).toEqual([]);
  });
});
