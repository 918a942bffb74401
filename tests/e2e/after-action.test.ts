/**
 * The after-action report end to end, in real Chromium: a dispatcher ends an incident whose board
 * was worked, opens its report from the incident page, rates an objective and adds a corrective
 * action owned by a grid worker; the grid worker signs in and sees it on their console home until
 * it is done. The report shows the volunteers called out, the shelter and its supplies. Screenshots
 * go to /tmp/shots-aar/ (the report at 1280×800, its people section, its print preview at A4 width).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { joinAsVolunteer, loginAs, request, startServer, TEST_PASSWORD, type Credentials, type TestServer } from '../support/server.ts';

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const SHOTS = '/tmp/shots-aar';
const eventually = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000, interval: 50 });

let server: TestServer;
let browser: Browser;
let dispatcher: Credentials;
let worker: Credentials;
let incidentId: number;

async function household(api: string, gridId: string, building: string, room: string, name: string) {
  const b = await request(`${api}/register/buildings`, { method: 'POST', body: { gridId, address: building, units: 0, floors: 6 } });
  const buildingId = b.status === 201 ? b.body.building.id
    : (await request(`${api}/register/buildings?grid=${gridId}&q=${encodeURIComponent(building)}`)).body.items[0].id;
  const h = (await request(`${api}/register/households`, { method: 'POST', body: { buildingId, room, kind: 'owner' } })).body.household;
  await request(`${api}/register/residents`, { method: 'POST', body: { householdId: h.id, name, gender: 'female', birth: '1950', relation: 'head', residence: 'resident' } });
  return h.id as number;
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ historyDays: 1 });
  const api = `${server.url}/api/v1`;
  dispatcher = await loginAs(server.url, 'dispatcher');
  worker = await loginAs(server.url, 'grid_worker', ['G01', 'G02']);
  const ids = [
    await household(api, 'G01', '桂花苑3幢', '101', '欧阳建国'), await household(api, 'G01', '桂花苑3幢', '102', '王芳'),
    await household(api, 'G02', '丹枫新村8幢', '502', '司马光明'),
  ];
  const send = (p: string, body: unknown, as: Credentials) => request(`${api}${p}`, { method: 'POST', body, as, headers: { 'idempotency-key': randomUUID() } });
  incidentId = (await send('/incidents', { type: 'typhoon', level: 2, grids: ['G01', 'G02'], headline: '台风“海葵”今夜登陆' }, dispatcher)).body.incident.id;
  await send(`/incidents/${incidentId}/households/${ids[0]}/claim`, undefined, worker);
  await send(`/incidents/${incidentId}/households/${ids[0]}/done`, { status: 'safe', note: '已确认平安' }, worker);
  await send(`/incidents/${incidentId}/households/${ids[1]}/status`, { status: 'no_answer', source: 'knock' }, worker);
  await send(`/incidents/${incidentId}/households/${ids[2]}/status`, { status: 'needs_help', source: 'call', note: '行动不便，需协助转移' }, dispatcher);
  // Two volunteers called out, one comes; a shelter fills and hands out water until it runs low.
  const medic = await joinAsVolunteer(server.url, '欧阳医生');
  const nurse = await joinAsVolunteer(server.url, '林护士');
  for (const v of [medic, nurse]) await request(`${api}/volunteers/${v.volunteerId}`, { method: 'PATCH', body: { skills: ['医护'], gridId: 'G01' } });
  const callout = (await send(`/incidents/${incidentId}/callouts`, { skills: ['医护'], message: '请到社区活动中心集合' }, dispatcher)).body.callout.id;
  await send(`/me/callouts/${callout}/answer`, { answer: 'accepted' }, medic);
  await send(`/me/callouts/${callout}/duty`, { action: 'start' }, medic);
  const shelter = (await send('/shelters', { incidentId, name: '社区活动中心', address: '桂花路 8 号', gridId: 'G01', areaM2: 100 }, dispatcher)).body.shelter.id;
  await send(`/shelters/${shelter}/check-ins`, { direction: 'in', people: 6, households: 2 }, worker);
  await send(`/shelters/${shelter}/supplies`, { item: '矿泉水', unit: '箱', direction: 'in', quantity: 40, reason: '街道调拨' }, worker);
  await send(`/shelters/${shelter}/supplies`, { item: '矿泉水', unit: '箱', direction: 'out', quantity: 35, reason: '发放' }, worker);
  await send(`/shelters/${shelter}/supplies`, { item: '折叠床', unit: '张', direction: 'in', quantity: 20 }, worker);
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(as: Credentials, at: string, size = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(`${server.url}${at}`);
  await eventually(() => page.locator('body').getAttribute('data-view')).toBe('login');
  await page.fill('input[name="username"]', as.username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await eventually(() => page.locator('body').getAttribute('data-view')).toBe('shell');
  return page;
}

describe('the after-action report', () => {
  it('ends an incident, opens its report, rates an objective, adds a corrective action its owner then sees on their home', async () => {
    const desk = await signIn(dispatcher, '/console/incidents');
    await desk.locator('[data-end-form]').waitFor({ timeout: 10_000 });
    await desk.fill('[data-end-form] textarea[name="summary"]', '台风过境，一户需要帮助已转移，一户无人应答待复核。');
    await desk.click('[data-end-form] button.btn.danger');
    await desk.locator(`[data-ended-incident="${incidentId}"] [data-report-link]`).click();
    await desk.locator(`[data-report="${incidentId}"][data-status="ended"]`).waitFor({ timeout: 10_000 });
    expect(Number(await desk.locator('[data-timeline]').getAttribute('data-total'))).toBeGreaterThanOrEqual(6);
    await expect(desk.locator('[data-grid="G01"]').textContent()).resolves.toContain('尚未查清');

    await desk.fill('[data-objective-form] input[name="title"]', '2 小时内查清全部重点人群');
    await desk.selectOption('[data-objective-form] select[name="rating"]', 'M');
    await desk.fill('[data-objective-form] input[name="note"]', 'G01 一户无人应答，升级到联系紧急联系人后才查清。');
    await desk.click('[data-objective-form] button');
    await desk.locator('[data-objective][data-rating="M"]').waitFor();

    await desk.fill('[data-action-form] input[name="title"]', '补全独居老人的紧急联系人电话');
    await desk.selectOption('[data-action-form] select[name="owner"]', worker.username);
    await desk.fill('[data-action-form] input[name="dueDate"]', '2030-01-31');
    await desk.fill('[data-action-form] input[name="check"]', '抽查 10 户，紧急联系人电话均可拨通');
    await desk.click('[data-action-form] button');
    await desk.locator('[data-action][data-action-status="open"]').waitFor();

    const people = desk.locator('[data-people]');
    await expect(people.locator('[data-asked]').textContent()).resolves.toBe('2');
    await expect(people.locator('[data-accepted]').textContent()).resolves.toBe('1');
    await expect(people.locator('[data-peak]').textContent()).resolves.toBe('6');
    await expect(people.locator('[data-supply="矿泉水"]').getAttribute('data-low')).resolves.toBe('true');
    await expect(people.locator('[data-supply="矿泉水"]').textContent()).resolves.toContain('库存不足');
    await expect(desk.locator('[data-timeline] tr[data-kind="supply_out"]').textContent()).resolves.toContain('社区活动中心：发放 矿泉水 35 箱，结存 5 箱');
    await people.scrollIntoViewIfNeeded();
    await desk.screenshot({ path: `${SHOTS}/report-people-1280x800.png` });
    await desk.evaluate(() => window.scrollTo(0, 0));
    await desk.screenshot({ path: `${SHOTS}/report-1280x800.png` });
    await desk.screenshot({ path: `${SHOTS}/report-1280-full.png`, fullPage: true });
    await desk.setViewportSize({ width: 794, height: 1123 });
    await desk.emulateMedia({ media: 'print' });
    await desk.screenshot({ path: `${SHOTS}/report-print-a4.png`, fullPage: true });
    await desk.emulateMedia({ media: 'screen' });

    const home = await signIn(worker, '/console');
    const mine = home.locator('[data-my-actions]');
    await mine.waitFor({ timeout: 10_000 });
    await expect(mine.textContent()).resolves.toContain('补全独居老人的紧急联系人电话');
    await home.screenshot({ path: `${SHOTS}/owner-home-1280x800.png` });
  });
});
