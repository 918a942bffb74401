/**
 * End to end, door knocks on a mobilised volunteer's phone (/me/doors, Chromium at 390×844,
 * zh-CN, a real server and database): a drill is declared for G01 and a call-out sent; the
 * volunteer accepts it on the phone and opens 入户核查 — the grid's households, the elderly woman
 * living alone first, the drill marked 演练, no resident named. They claim her door; a second
 * volunteer's phone shows who holds it and offers no claim. The network goes; the volunteer
 * records "safe" with a note and the phone says 待发送 1 while the server has nothing. The
 * network comes back and the answer is lost on the way (the server applies it, the phone hears
 * nothing); a reload sends it again with the same key, and the board has the report once.
 * Screenshots in /tmp/shots-me-doors/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { axeSerious } from '../support/a11y.ts';
import { buildingOf } from '../support/register.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { joinAsVolunteer, loginAs, request, startServer, TEST_PASSWORD, type Credentials, type TestServer } from '../support/server.ts';

if (!fs.existsSync(path.join(CLIENT_DIR, 'me', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots-me-doors';
const eventually = <T>(check: () => T | Promise<T>, timeout = 15_000) => expect.poll(check, { timeout, interval: 100 });
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

let server: TestServer;
let browser: Browser;
let api = '';
const errors: string[] = [];
/** Three households of 桂花苑5幢 in G01: the first an elderly woman living alone. */
const hh: number[] = [];

async function phoneOf(who: Credentials): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${who.username}: ${String(e)}`));
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(`${who.username}: ${m.text()}`));
  await page.goto(`${server.url}/me`);
  await page.fill('input[name="username"]', who.username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('button[type="submit"]');
  return { context, page };
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  api = `${server.url}/api/v1`;
  hh.push(...await buildingOf(api, 'G01', '桂花苑5幢', [
    { name: '李建国', birth: '1985-06-01', tags: [] },
    { name: '王秀英', birth: '1941', tags: ['elderly_alone'] },
    { name: '陈明', birth: '1990', tags: [] },
  ]));
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('door knocks on a volunteer\'s phone', () => {
  it('claims a door seen by a second volunteer, records "safe" with no network, and the board has it once', async () => {
    const lin = await joinAsVolunteer(server.url, '林小雨');
    const wang = await joinAsVolunteer(server.url, '王大力');
    for (const v of [lin, wang]) await request(`${api}/volunteers/${v.volunteerId}`, { method: 'PATCH', body: { skills: ['急救'], gridId: 'G01' } });
    const coordinator = await loginAs(server.url, 'coordinator');
    const declared = await request(`${api}/incidents`, {
      method: 'POST', headers: { 'Idempotency-Key': randomUUID() },
      body: { type: 'typhoon', level: 2, grids: ['G01'], headline: '台风“海葵”防汛演练', drill: true },
    });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const incidentId = declared.body.incident.id as number;
    const sent = await request(`${api}/incidents/${incidentId}/callouts`, {
      method: 'POST', as: coordinator, body: { skills: ['急救'], grids: ['G01'], message: '请到桂花苑5幢逐户核查。' },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const calloutId = sent.body.callout.id as number;

    // The volunteer accepts on the phone and opens the door checks from the call-out.
    const { context, page } = await phoneOf(lin);
    const card = page.locator(`[data-callout="${calloutId}"]`);
    await card.waitFor({ timeout: 10_000 });
    await card.getByRole('button', { name: '接受' }).click();
    await card.locator('[data-open-doors]').click();
    expect(new URL(page.url()).pathname).toBe('/me/doors');
    await eventually(() => page.locator('[data-door]').count()).toBe(3);
    expect(await page.locator('[data-doors-page] [data-drill]').innerText()).toBe('演练');
    expect(await page.locator('[data-door]').first().getAttribute('data-door')).toBe(String(hh[1]));
    await expect(page.locator(`[data-door="${hh[1]}"]`).innerText()).resolves.toMatch(/优先[\s\S]*未核查[\s\S]*桂花苑5幢/);
    // What the server gives a volunteer: addresses and statuses, never a resident.
    const shown = await page.locator('main').innerText();
    for (const name of ['王秀英', '李建国', '陈明', '独居老人']) expect(shown).not.toContain(name);

    // She claims the elderly woman's door; the claim arrives.
    const door = page.locator(`[data-door="${hh[1]}"]`);
    await door.locator('[data-claim]').click();
    await eventually(() => door.getAttribute('data-holder')).toBe(lin.username);
    await eventually(() => door.getAttribute('data-pending')).toBe('');
    expect((await request(`${api}/incidents/${incidentId}/households/${hh[1]}`)).body.household.claim.by).toBe(lin.username);

    // A second volunteer sees who holds it and is not offered it.
    await request(`${api}/me/callouts/${calloutId}/answer`, { method: 'POST', as: wang, body: { answer: 'accepted' } });
    const second = await phoneOf(wang);
    await second.page.locator(`[data-callout="${calloutId}"]`).waitFor({ timeout: 10_000 });
    await second.page.locator('[data-tab="doors"]').click();
    const seen = second.page.locator(`[data-door="${hh[1]}"]`);
    await seen.waitFor({ timeout: 10_000 });
    expect(await seen.getAttribute('data-holder')).toBe(lin.username);
    await expect(seen.locator('[data-door-holder]').innerText()).resolves.toMatch(/^林小雨 已于 \d\d:\d\d 认领此户$/);
    expect(await seen.locator('[data-claim]').count()).toBe(0);
    expect(await second.page.locator(`[data-door="${hh[0]}"] [data-claim]`).count()).toBe(1);
    await second.page.screenshot({ path: `${SHOTS}/second-volunteer-390x844.png` });
    await second.context.close();

    // The network goes in the stairwell; she records what she found.
    await context.setOffline(true);
    await door.locator('[data-knock]').click();
    await door.locator('[data-result="safe"]').click();
    await door.locator('textarea[name="note"]').fill('老人在家，一切安好');
    await page.screenshot({ path: `${SHOTS}/knock-form-390x844.png` });
    expect(await axeSerious(page), 'the knock form').toEqual([]);
    await door.locator('[data-save-knock]').click();
    await eventually(() => door.getAttribute('data-status')).toBe('safe');
    expect(await door.getAttribute('data-pending')).toBe('done');
    await eventually(() => page.locator('[data-waiting]').getAttribute('data-waiting')).toBe('1');
    await expect(page.locator('[data-waiting]').innerText()).resolves.toContain('待发送 1');
    expect((await request(`${api}/incidents/${incidentId}/households/${hh[1]}`)).body.reports).toHaveLength(0);
    await page.screenshot({ path: `${SHOTS}/offline-waiting-390x844.png` });
    expect(await axeSerious(page), 'the list with a result waiting').toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    // The network comes back, but the answer is lost on the way: the server has it, the phone does not know.
    let lost = 0;
    await context.route(`${api}/incidents/${incidentId}/households/${hh[1]}/done`, async (route) => {
      if (lost++) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    await context.setOffline(false);
    await eventually(() => lost).toBe(1);
    await eventually(async () => (await request(`${api}/incidents/${incidentId}/households/${hh[1]}`)).body.reports.length).toBe(1);
    expect(await page.locator('[data-waiting]').getAttribute('data-waiting')).toBe('1');

    // A reload sends it again with the same key: answered with the first outcome, applied once.
    await page.reload();
    await eventually(() => page.locator('[data-door]').count()).toBe(3);
    await eventually(() => page.locator('[data-waiting]').count()).toBe(0);
    expect(lost).toBe(2);
    const reloaded = page.locator(`[data-door="${hh[1]}"]`);
    await eventually(() => reloaded.getAttribute('data-pending')).toBe('');
    expect(await reloaded.getAttribute('data-status')).toBe('safe');
    expect(await reloaded.getAttribute('data-holder')).toBe('');
    // Answered as applied, not refused as "someone reported first" (a retry under a new key would be).
    expect(await reloaded.locator('[data-door-refusal]').count()).toBe(0);

    const history = (await request(`${api}/incidents/${incidentId}/households/${hh[1]}`)).body;
    expect(history.household.status).toBe('safe');
    expect(history.reports.map((r: { status: string; source: string; by: string; note: string }) => [r.status, r.source, r.by, r.note]))
      .toEqual([['safe', 'knock', lin.username, '老人在家，一切安好']]);
    const rows = server.app.db.prepare('SELECT COUNT(*) AS n FROM board_reports WHERE incident_id = ? AND household_id = ?').get(incidentId, hh[1]) as { n: number };
    expect(rows.n).toBe(1);
    // Left open, the list asks nothing more (it reads others' doors again every 30 s, not faster).
    await page.waitForTimeout(1_200);
    const asked: string[] = [];
    page.on('request', (r) => new URL(r.url()).pathname.startsWith('/api/') && asked.push(r.url()));
    await page.waitForTimeout(2_000);
    expect(asked).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/after-sync-390x844.png` });
    await page.screenshot({ path: `${SHOTS}/after-sync-full-390.png`, fullPage: true });
    expect(errors).toEqual([]);
  }, 90_000);
});
