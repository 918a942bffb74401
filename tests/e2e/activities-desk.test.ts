/**
 * End to end: the volunteer coordinator's activities desk through the console only, with the real
 * server and two browsers. A coordinator creates an activity as a draft and publishes it, signs a
 * volunteer up by name, checks them in at the desk by typing their card code + Enter (as a
 * barcode scanner does), sees a second Enter answered "已签到" rather than an error, and checks
 * them out with the hours and points shown before confirming; a second browser at the same desk
 * sees the check-in without reloading; the activity's QR code is on the desk. axe finds nothing
 * serious on the three pages. Screenshots at 1280×800 and 1920×1080 in tests/artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { request, startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { dateTime } from '../../client/lib/format.ts';
import { axeSerious } from '../support/a11y.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };
const TZ = 'Asia/Shanghai';
const MIN = 60_000;
const HOUR = 3_600_000;

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

interface DeskPage extends Page {
  errors: string[];
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `activities-${name}.png`) });
const local = (ms: number) => dateTime(new Date(ms).toISOString(), TZ).replace(' ', 'T');

/** The server's and the browsers' clocks run together, moved forward by `skip`. */
let offset = 0;

async function signedIn(browser: Browser, url: string, username: string, size = SMALL): Promise<DeskPage> {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: TZ });
  const page = (await context.newPage()) as DeskPage;
  page.setDefaultTimeout(8_000);
  if (!process.env.NOCLOCK) await page.clock.install({ time: Date.now() + offset });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${url}/console`);
  await page.waitForFunction(() => document.body.dataset.view === 'login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.view === 'shell');
  return page;
}


describe('the activities desk, from a new activity to a check-out', () => {
  let server: TestServer;
  let browser: Browser;
  let coord: DeskPage;
  let other: DeskPage;
  let volunteer: { id: number; name: string; cardCode: string };
  let activityId = 0;
  const serious: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ now: () => Date.now() + offset });
    const community = server.app.directory.defaultCommunity()!.id;
    const users = server.app.auth.accounts.users;
    await users.create(null, community, { username: 'li-coord', displayName: '李婷', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community, { username: 'he-coord', displayName: '何军', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    const r = await request(`${server.url}/api/v1/volunteers`, { method: 'POST', body: { name: '陈志远', phone: '13905710001' } });
    volunteer = r.body.volunteer;
    browser = await launchBrowser();
    coord = await signedIn(browser, server.url, 'li-coord');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates an activity as a draft and publishes it for sign-up', async () => {
    await coord.click('[data-nav-link="activities"]');
    await coord.waitForURL((u) => u.pathname === '/console/activities');
    await coord.click('[data-action="new-activity"]');
    const form = coord.locator('form[data-form="activity"]');
    await form.waitFor();
    const now = Date.now() + offset;
    await form.locator('input[name="title"]').fill('桂花苑敬老助餐');
    await form.locator('input[name="startsAt"]').fill(local(now - 10 * MIN));
    await form.locator('input[name="endsAt"]').fill(local(now + 4 * HOUR));
    await form.locator('input[name="place"]').fill('桂花苑老年食堂');
    await form.locator('input[name="capacity"]').fill('12');
    await form.locator('input[name="skillsWanted"]').fill('助老，送餐');
    await shot(coord, 'new-1280x800');
    await form.locator('[data-action="save-draft"]').click();
    await coord.waitForURL((u) => /^\/console\/activities\/\d+$/.test(u.pathname));
    activityId = Number(new URL(coord.url()).pathname.split('/').pop());
    await eventually(() => coord.locator('[data-activity-facts]').innerText()).toContain('草稿');
    await coord.click('[data-action="publish"]');
    await eventually(() => coord.locator('[data-activity-facts]').innerText()).toContain('报名中');
    expect((await request(`${server.url}/api/v1/activities/${activityId}`)).body.activity.status).toBe('open');
  });

  it('signs a volunteer up found by name, and shows the places taken', async () => {
    await coord.fill('[data-field="find-volunteer"]', '陈志');
    await coord.press('[data-field="find-volunteer"]', 'Enter');
    const candidate = coord.locator(`[data-candidate="${volunteer.id}"]`);
    await candidate.waitFor();
    await candidate.locator('button').click();
    await coord.locator(`tr[data-signup="${volunteer.id}"]`).waitFor();
    await eventually(() => coord.locator('[data-places]').innerText()).toContain('1 / 12');
    serious.push(...(await axeSerious(coord, 'activity')));
    await shot(coord, 'activity-1280x800');
    await coord.setViewportSize(LARGE);
    await shot(coord, 'activity-1920x1080');
    await coord.setViewportSize(SMALL);
  });

  it('lists the activity under today, found by words of its place', async () => {
    await coord.click('[data-nav-link="activities"]');
    await coord.click('[data-when="today"]');
    await coord.fill('[data-filter="q"]', '老年食堂');
    await eventually(() => coord.locator('tr[data-activity]').count()).toBe(1);
    await coord.locator(`tr[data-activity="${activityId}"]`).waitFor();
    serious.push(...(await axeSerious(coord, 'list')));
    await shot(coord, 'list-1280x800');
    await coord.setViewportSize(LARGE);
    await shot(coord, 'list-1920x1080');
    await coord.setViewportSize(SMALL);
  });

  it('checks the volunteer in by card code + Enter, live at a second table, and a second Enter is no error', async () => {
    await coord.goto(`${server.url}/console/activities/${activityId}/check-in`);
    other = await signedIn(browser, server.url, 'he-coord');
    await other.goto(`${server.url}/console/activities/${activityId}/check-in`);
    await other.locator('[data-tab="in"]').waitFor();
    await coord.locator('[data-check-in-qr] img').waitFor();
    expect(await coord.locator('[data-qr-code]').innerText()).toMatch(/签到码 [0-9A-F]{12}/);
    expect(await coord.locator('[data-check-in-qr] img').getAttribute('data-qr-url')).toMatch(new RegExp(`^${server.url}/me/check-in/[0-9A-F]{12}$`));
    const box = await coord.locator('[data-check-in-qr] img').boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(240);

    await coord.fill('[data-field="scan"]', volunteer.cardCode);
    await coord.press('[data-field="scan"]', 'Enter');
    await eventually(() => coord.locator(`[data-found-volunteer="${volunteer.id}"]`).getAttribute('data-status')).toBe('checked_in');
    await eventually(() => coord.locator('[data-desk-message]').innerText()).toMatch(/陈志远 已签到 \d\d:\d\d/);
    // The other table hears it without a reload.
    await eventually(() => other.locator(`[data-desk-list="in"] [data-person="${volunteer.id}"]`).count()).toBe(1);

    // The scanner reads the card twice: the desk says when they checked in, not an error.
    await coord.fill('[data-field="scan"]', volunteer.cardCode.toLowerCase());
    await coord.press('[data-field="scan"]', 'Enter');
    await eventually(() => coord.locator('[data-desk-message]').innerText()).toMatch(/陈志远 已签到 \d\d:\d\d/);
    expect(await coord.locator('[data-desk-message] [data-alert="error"]').count()).toBe(0);
    const journal = server.app.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'volunteer.checked_in'").get() as { n: number };
    expect(journal.n).toBe(1);
    serious.push(...(await axeSerious(coord, 'check-in')));
    await shot(coord, 'check-in-1280x800');
    await other.setViewportSize(LARGE);
    await shot(other, 'check-in-1920x1080');
  });

  it('shows the hours and points before a check-out is confirmed, then credits them', async () => {
    // Two and a half hours later, on the server and in the browser alike.
    offset += 2.5 * HOUR;
    await coord.clock.setSystemTime(Date.now() + offset);
    await coord.click(`[data-found-volunteer="${volunteer.id}"] [data-action="check-out"]`);
    const dialog = coord.locator('form[data-form="check-out"]');
    await dialog.waitFor();
    expect(await dialog.locator('[data-hours-line]').innerText()).toBe('2.5 小时 · 25 积分');
    expect(await dialog.locator('[data-hours-rule]').innerText()).toContain('按半小时向下取整');
    expect(server.app.db.prepare('SELECT COUNT(*) AS n FROM service_records').get()).toEqual({ n: 0 });
    await shot(coord, 'check-out-1280x800');
    await dialog.locator('[data-action="confirm-check-out"]').click();
    await dialog.waitFor({ state: 'detached' });
    await eventually(() => coord.locator('[data-desk-message]').innerText()).toContain('2.5 小时 · 25 积分');
    const rec = server.app.db.prepare('SELECT hours, points FROM service_records WHERE volunteer_id = ?').get(volunteer.id);
    expect(rec).toEqual({ hours: 2.5, points: 25 });
    await eventually(() => other.locator('[data-tab="out"]').innerText()).toContain('1');
    expect(serious).toEqual([]);
    expect([...coord.errors, ...other.errors]).toEqual([]);
  });

  it('shows a colleague\'s change to the activity as a banner instead of overwriting it', async () => {
    await coord.goto(`${server.url}/console/activities/${activityId}`);
    await coord.click('[data-action="edit"]');
    const form = coord.locator('form[data-form="activity"]');
    await form.waitFor();
    const current = (await request(`${server.url}/api/v1/activities/${activityId}`)).body.activity;
    const theirs = await request(`${server.url}/api/v1/activities/${activityId}`, { method: 'PATCH', body: { expectedUpdatedAt: current.updatedAt, place: '桂花苑会客厅' } });
    expect(theirs.status).toBe(200);
    // The page behind the form hears the change and reloads; the form keeps what it read.
    await eventually(() => coord.locator('[data-page-title] + p').innerText()).toContain('桂花苑会客厅');
    await form.locator('input[name="title"]').fill('桂花苑敬老助餐（改）');
    await form.locator('button[type="submit"]').click();
    await eventually(() => form.locator('[data-alert="warning"]').innerText()).toContain('刚被其他人修改');
    expect((await request(`${server.url}/api/v1/activities/${activityId}`)).body.activity).toMatchObject({ title: '桂花苑敬老助餐', place: '桂花苑会客厅' });
  });
});
