/**
 * End to end on a phone (390×844, its own browser context): a volunteer opens the coordinator's
 * invitation link, sets a password, browses and signs up for an activity, opens the activity's
 * check-in link and sees "已签到"; then, offline, checks in to another activity by its code, sees
 * it kept as "待发送", comes back online and sees it confirmed once — the server has one
 * check-in. Screenshots of each screen kept in tests/artifacts (me-*.png).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { joinAsVolunteer, request, startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { axeSerious } from '../support/a11y.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const PHONE = { width: 390, height: 844 };

if (!fs.existsSync(path.join(CLIENT_DIR, 'me', 'index.html'))) {
  throw new Error(`The phone page is not built (${CLIENT_DIR}): run npm run build:client before the e2e tests.`);
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `me-${name}.png`), fullPage: true });



/** Nothing on the page is wider than the phone. */
const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('a volunteer on their phone', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  let api = '';
  const iso = (ms: number) => new Date(ms).toISOString();

  async function activity(title: string, startedMinutesAgo = 10): Promise<{ id: number; code: string; path: string }> {
    const now = Date.now();
    const r = await request(`${api}/activities`, {
      method: 'POST',
      body: { title, organiser: '社区居委会', startsAt: iso(now - startedMinutesAgo * 60_000), endsAt: iso(now + 2 * 3600_000), place: '桂花苑社区活动室', capacity: 8 },
    });
    const code = await request(`${api}/activities/${r.body.activity.id}/check-in-code`);
    return { id: r.body.activity.id, code: code.body.code, path: code.body.path };
  }

  const checkIns = (activityId: number) =>
    (server.app.db.prepare("SELECT COUNT(*) AS n FROM activity_signups WHERE activity_id = ? AND status = 'checked_in'").get(activityId) as { n: number }).n;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    api = `${server.url}/api/v1`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    // A policy refusal (CSP) shows only in the console; a request failed offline is expected there.
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('joins by the invitation, signs up, checks in by the QR link, and an offline check-in is kept and sent once', async () => {
    // The coordinator's side, through the API: a volunteer, an invitation, two activities under way.
    const v = await request(`${api}/volunteers`, { method: 'POST', body: { name: '林小雨', phone: '13911112222' } });
    const invite = await request(`${api}/volunteers/${v.body.volunteer.id}/invite`, { method: 'POST' });
    const riverside = await activity('河道清洁志愿行');
    const visit = await activity('敬老院探访');

    // The invitation link on the phone: the username shown, a password chosen.
    await page.goto(`${server.url}${invite.body.path}`);
    await page.getByTestId('username').waitFor();
    expect(await page.getByTestId('username').textContent()).toBe('13911112222');
    expect(await noSideScroll(page)).toBe(true);
    await shot(page, 'join');
    expect(await axeSerious(page), 'join').toEqual([]);
    await page.fill('input[name="password"]', 'my-own-password-1');
    await page.fill('input[name="confirm"]', 'my-own-password-1');
    await page.getByRole('button', { name: '开通并登录' }).click();

    // Signed in: the activities, and the token gone from the address.
    const card = page.locator(`[data-activity="${riverside.id}"]`);
    await card.waitFor();
    expect(new URL(page.url()).pathname).toBe('/me');
    expect(new URL(page.url()).hash).toBe('');
    await eventually(() => page.locator('.profile').textContent()).toContain('林小雨');
    expect(await noSideScroll(page)).toBe(true);
    await shot(page, 'activities');
    expect(await axeSerious(page), 'activities').toEqual([]);

    // Targets a thumb can hit.
    for (const b of await page.locator('main button, .tabs a').all()) {
      const box = await b.boundingBox();
      if (box) expect(box.height, await b.textContent() ?? '').toBeGreaterThanOrEqual(44);
    }

    await card.getByRole('button', { name: '报名' }).click();
    await eventually(() => card.textContent()).toContain('已报名');

    // The QR code at the desk opens the check-in link.
    await page.goto(`${server.url}${riverside.path}`);
    await eventually(() => page.locator('.checkin.done').count()).toBe(1);
    await eventually(() => page.locator('.checkin.done').textContent()).toContain('已签到');
    expect(checkIns(riverside.id)).toBe(1);
    expect(await noSideScroll(page)).toBe(true);
    await shot(page, 'checked-in');

    // Offline: a check-in by code is kept as 待发送.
    await page.getByRole('button', { name: '返回活动列表' }).click();
    await page.locator(`[data-activity="${visit.id}"]`).waitFor();
    await context.setOffline(true);
    await page.fill('input[name="code"]', visit.code);
    await page.getByRole('button', { name: '签到', exact: true }).click();
    const pending = page.locator('.checkin.pending');
    await pending.waitFor();
    await eventually(() => pending.textContent()).toContain('待发送');
    await page.waitForTimeout(500);
    expect(await page.locator('.checkin.pending').count()).toBe(1);
    expect(checkIns(visit.id)).toBe(0);
    await shot(page, 'pending');
    expect(await axeSerious(page), 'pending').toEqual([]);

    // Back online: sent, confirmed, once.
    await context.setOffline(false);
    await eventually(() => page.locator(`.checkin.done:has-text("敬老院探访")`).count(), 20_000).toBe(1);
    await eventually(() => page.locator('.checkin.done', { hasText: '敬老院探访' }).textContent()).toMatch(/已签到 \d\d:\d\d/);
    expect(await page.locator('.checkin.pending').count()).toBe(0);
    expect(checkIns(visit.id)).toBe(1);
    await shot(page, 'sent');

    // Their hours, points and certificates, once the coordinator checks them out.
    const earlier = await activity('社区图书角整理', 100);
    const vid = v.body.volunteer.id;
    await request(`${api}/activities/${earlier.id}/signups`, { method: 'POST', body: { volunteerId: vid } });
    await request(`${api}/activities/${earlier.id}/check-in`, { method: 'POST', body: { volunteerId: vid, at: iso(Date.now() - 95 * 60_000) } });
    const out = await request(`${api}/activities/${earlier.id}/check-out`, { method: 'POST', body: { volunteerId: vid } });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    await page.locator('.tabs a', { hasText: '我的' }).click();
    await page.locator('h2', { hasText: '服务记录与证明' }).waitFor();
    await eventually(() => page.locator('.lines li', { hasText: '社区图书角整理' }).first().textContent()).toContain('ZYFW-');
    expect(await noSideScroll(page)).toBe(true);
    await shot(page, 'mine');
    expect(await axeSerious(page), 'mine').toEqual([]);

    // English on the switch.
    await page.getByRole('button', { name: 'EN · 切换语言' }).click();
    await page.locator('h2', { hasText: 'Services and certificates' }).waitFor();
    await shot(page, 'mine-en');
    expect(errors).toEqual([]);
  }, 60_000);

  it('opening an activity’s QR link signed out asks for the login first, then checks in', async () => {
    const v = await joinAsVolunteer(server.url, '郑一鸣');
    const act = await activity('社区义诊');
    const phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const p = await phone.newPage();
    await p.goto(`${server.url}${act.path}`);
    await p.locator('input[name="username"]').waitFor();
    expect(await axeSerious(p), 'login').toEqual([]);
    await shot(p, 'login');
    await p.fill('input[name="username"]', v.username);
    await p.fill('input[name="password"]', TEST_PASSWORD);
    await p.getByRole('button', { name: '登录' }).click();
    await eventually(() => p.locator('.checkin.done').count()).toBe(1);
    await eventually(() => p.locator('.checkin.done').textContent()).toMatch(/已签到 \d\d:\d\d/);
    expect(checkIns(act.id)).toBe(1);
    expect(await axeSerious(p), 'checked in').toEqual([]);
    await phone.close();
  }, 30_000);

  it('a check-in the server received but whose answer was lost stays 待发送, then reads 已签到 once, never failed', async () => {
    const v = await joinAsVolunteer(server.url, '吴思远');
    const act = await activity('旧物回收');
    const phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const p = await phone.newPage();
    await p.goto(`${server.url}/me`);
    await p.fill('input[name="username"]', v.username);
    await p.fill('input[name="password"]', TEST_PASSWORD);
    await p.getByRole('button', { name: '登录' }).click();
    await p.locator(`[data-activity="${act.id}"]`).waitFor();
    // The first check-in reaches the server, but its answer is lost on the way back.
    let lost = 0;
    await p.route('**/api/v1/me/check-in', async (route) => {
      if (lost++ === 0) {
        // (route.fetch() alone leaves out the page's own headers: the CSRF token and the key.)
        const heard = await route.fetch({ headers: await route.request().allHeaders() });
        expect(heard.status()).toBe(201);
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await p.fill('input[name="code"]', act.code);
    await p.getByRole('button', { name: '签到', exact: true }).click();
    await p.locator('.checkin.pending').waitFor();
    await eventually(() => checkIns(act.id)).toBe(1);
    await p.waitForTimeout(300);
    expect(await p.locator('.checkin.pending').count()).toBe(1);
    expect(await p.locator('.checkin.refused').count()).toBe(0);
    // The next try (here: the page shown again) sends the same key and hears the same check-in.
    await p.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await eventually(() => p.locator('.checkin.done').count()).toBe(1);
    expect(lost).toBe(2);
    expect(checkIns(act.id)).toBe(1);
    await phone.close();
  }, 30_000);
});
