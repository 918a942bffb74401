/**
 * An incident's people and places end to end, in real Chromium: a volunteer's phone (390×844)
 * shows the call-out with big 接受 / 婉拒 buttons, accepts it and reports 我已到岗; the
 * coordinator's resources page (1280×800) shows them on duty without a reload, and a shelter's
 * occupancy moves as people are counted in. Screenshots go to /tmp/shots-people/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { joinAsVolunteer, loginAs, request, startServer, TEST_PASSWORD, type Credentials, type TestServer } from '../support/server.ts';

if (!fs.existsSync(path.join(CLIENT_DIR, 'me', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const SHOTS = '/tmp/shots-people';
const eventually = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000, interval: 50 });

let server: TestServer;
let browser: Browser;
let coordinator: Credentials;
let api: string;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  api = `${server.url}/api/v1`;
  coordinator = await loginAs(server.url, 'coordinator');
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('people and places', () => {
  it('a volunteer accepts a call-out on the phone and goes on duty; the console sees it and a shelter fills', async () => {
    const errors: string[] = [];
    const v = await joinAsVolunteer(server.url, '林小雨');
    await request(`${api}/volunteers/${v.volunteerId}`, { method: 'PATCH', body: { skills: ['急救'], gridId: 'G01' } });
    const other = await joinAsVolunteer(server.url, '王大力');
    await request(`${api}/volunteers/${other.volunteerId}`, { method: 'PATCH', body: { skills: ['急救'], gridId: 'G01' } });
    const incident = (await request(`${api}/incidents`, {
      method: 'POST', headers: { 'idempotency-key': randomUUID() },
      body: { type: 'typhoon', level: 2, grids: ['G01', 'G02'], headline: '台风“海葵”今夜登陆' },
    })).body.incident;
    const callout = await request(`${api}/incidents/${incident.id}/callouts`, {
      method: 'POST', as: coordinator, body: { skills: ['急救'], grids: ['G01'], message: '请于 20:30 前到社区活动中心集合，带好雨具。' },
    });
    expect(callout.status, JSON.stringify(callout.body)).toBe(201);
    await request(`${api}/me/callouts/${callout.body.callout.id}/answer`, { method: 'POST', as: other, body: { answer: 'declined' } });
    const shelter = await request(`${api}/shelters`, {
      method: 'POST', as: coordinator, body: { incidentId: incident.id, name: '桂花苑社区活动中心', address: '桂花路 8 号', gridId: 'G01', areaM2: 120, needs: ['water', 'medicine', 'bedding'] },
    });
    await request(`${api}/shelters`, { method: 'POST', as: coordinator, body: { name: '第二小学体育馆', address: '丹枫路 1 号', areaM2: 420 } });
    const sid = shelter.body.shelter.id as number;
    for (const [item, unit, n] of [['矿泉水', '箱', 60], ['方便面', '箱', 30], ['棉被', '条', 40]] as const) {
      await request(`${api}/shelters/${sid}/supplies`, { method: 'POST', as: coordinator, body: { item, unit, direction: 'in', quantity: n, reason: '街道调拨' } });
    }
    await request(`${api}/shelters/${sid}/supplies`, { method: 'POST', as: coordinator, body: { item: '方便面', unit: '箱', direction: 'out', quantity: 26, reason: '晚餐发放' } });
    await request(`${api}/shelters/${sid}/check-ins`, { method: 'POST', as: coordinator, body: { direction: 'in', people: 12, households: 5 } });

    // The console: the resources page.
    const desk = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
    desk.on('pageerror', (e) => errors.push(String(e)));
    await desk.goto(`${server.url}/console/incidents/${incident.id}/resources`);
    await eventually(() => desk.locator('body').getAttribute('data-view')).toBe('login');
    await desk.fill('input[name="username"]', coordinator.username);
    await desk.fill('input[name="password"]', TEST_PASSWORD);
    await desk.click('form[data-form="login"] button[type="submit"]');
    await desk.locator('[data-callout-form]').waitFor({ timeout: 10_000 });
    await eventually(() => desk.locator('[data-on-duty]').textContent()).toBe('0');

    // The phone.
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
    phone.on('pageerror', (e) => errors.push(String(e)));
    await phone.goto(`${server.url}/me`);
    await phone.fill('input[name="username"]', v.username);
    await phone.fill('input[name="password"]', TEST_PASSWORD);
    await phone.click('button[type="submit"]');
    const card = phone.locator(`[data-callout="${callout.body.callout.id}"]`);
    await card.waitFor({ timeout: 10_000 });
    await phone.screenshot({ path: `${SHOTS}/phone-callout-390x844.png` });
    await card.getByRole('button', { name: '接受' }).click();
    await card.getByRole('button', { name: '我已到岗' }).waitFor();
    await phone.screenshot({ path: `${SHOTS}/phone-accepted-390x844.png` });
    await card.getByRole('button', { name: '我已到岗' }).click();
    await card.getByRole('button', { name: '结束值守' }).waitFor();
    await phone.screenshot({ path: `${SHOTS}/phone-on-duty-390x844.png` });
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    // A wall switched on mid-incident shows the shelters, what runs low and who is on duty: counts, no names.
    const wall = await (await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
    wall.on('pageerror', (e) => errors.push(`wall: ${String(e)}`));
    await wall.goto(`${server.url}/screen#display=${server.displayToken}`);
    await wall.locator('[data-testid="emergency"]').waitFor({ timeout: 20_000 });
    await eventually(() => wall.locator('[data-testid="shelters"]').innerText()).toContain('12 / 34');
    await expect(wall.locator('[data-testid="supplies-low"]').innerText()).resolves.toContain('方便面');
    await eventually(() => wall.locator('[data-testid="volunteers-on-duty"]').getAttribute('data-value')).toBe('1');

    // The console hears it without a reload; a shelter's occupancy moves as people come in.
    await eventually(() => desk.locator('[data-on-duty]').textContent()).toBe('1');
    const row = desk.locator(`[data-shelter="${sid}"]`);
    await eventually(() => row.locator('[data-occupancy]').textContent()).toContain('12 / 34');
    await row.locator('input.heads').fill('3');
    await row.locator('[data-check-in]').click();
    await eventually(() => row.locator('[data-occupancy]').textContent()).toContain('15 / 34');
    // So does the wall, without a reload; and nothing on it names a volunteer.
    await eventually(() => wall.locator('[data-testid="shelters"]').innerText()).toContain('15 / 34');
    await wall.screenshot({ path: `${SHOTS}/wall-1920x1080.png` });

    // The coordinator sets the capacity by hand and closes the shelter: it takes nobody new, the wall follows.
    await row.locator('[data-shelter-edit-open]').click();
    const edit = desk.locator('[data-shelter-edit]');
    await edit.locator('input[name="capacity"]').fill('40');
    await edit.locator('input[name="open"]').uncheck();
    await expect(edit.innerText()).resolves.toContain('现有 15 人仍可登记离开');
    await desk.screenshot({ path: `${SHOTS}/console-shelter-edit-1280x800.png` });
    await edit.locator('button.btn.primary').click();
    await eventually(() => row.locator('[data-occupancy]').textContent()).toContain('15 / 40');
    await eventually(() => row.locator('[data-closed]').count()).toBe(1);
    expect(await row.locator('[data-check-in]').isDisabled()).toBe(true);
    // The wall lists the shelters people may go to: a closed one leaves it.
    await eventually(() => wall.locator('[data-testid="shelters"]').innerText()).not.toContain('15 / ');
    // Open again, the capacity back to the area's: one PATCH each, with the version seen.
    await row.locator('[data-shelter-edit-open]').click();
    await edit.locator('input[name="capacity"]').fill('');
    await edit.locator('input[name="open"]').check();
    await edit.locator('button.btn.primary').click();
    await eventually(() => row.locator('[data-occupancy]').textContent()).toContain('15 / 34');
    await eventually(() => row.locator('[data-closed]').count()).toBe(0);
    expect(await row.locator('[data-check-in]').isDisabled()).toBe(false);
    await eventually(() => wall.locator('[data-testid="shelters"]').innerText()).toContain('15 / 34');

    // A colleague changes the shelter while the dialog is open: the save is refused, the shelter comes
    // as it is now with the coordinator's own change kept in the form, and saving again applies both.
    await row.locator('[data-shelter-edit-open]').click();
    await edit.locator('input[name="address"]').fill('桂花路 8 号（东门进）');
    const colleague = await request(`${api}/shelters/${sid}`, { method: 'PATCH', as: coordinator, headers: { 'idempotency-key': randomUUID() }, body: { needs: ['water', 'food'] } });
    expect(colleague.status, JSON.stringify(colleague.body)).toBe(200);
    await edit.locator('button.btn.primary').click();
    await edit.locator('[data-alert="warning"]').waitFor({ timeout: 10_000 });
    expect(await edit.locator('input[value="food"]').isChecked()).toBe(true);
    expect(await edit.locator('input[name="address"]').inputValue()).toBe('桂花路 8 号（东门进）');
    await edit.locator('button.btn.primary').click();
    await eventually(() => edit.count()).toBe(0);
    const now = (await request(`${api}/shelters/${sid}`, { as: coordinator })).body.shelter;
    expect(now).toMatchObject({ address: '桂花路 8 号（东门进）', needs: expect.arrayContaining(['water', 'food']) });
    const onWall = await wall.locator('body').innerText();
    for (const name of ['林小雨', '王大力']) expect(onWall).not.toContain(name);
    await wall.context().close();
    await desk.screenshot({ path: `${SHOTS}/console-resources-1280x800.png` });
    await desk.screenshot({ path: `${SHOTS}/console-resources-full-1280.png`, fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);
});
