/**
 * End to end: the volunteer coordinator's desk through the console only. A coordinator
 * registers a volunteer in the registry (a second coordinator's registry shows them without a
 * reload), opens the profile, corrects a service record with a reason (a new entry beside the
 * record), issues a certificate and prints it — one sheet of A4 — and anyone can check its
 * number on the public page, the name masked. Screenshots at 1280×800 and 1920×1080 of the
 * registry, the profile, the certificate and the check, kept in tests/artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { request, startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { axeSerious } from '../support/a11y.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };
const HOUR = 3_600_000;

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

interface DeskPage extends Page {
  errors: string[];
}



const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });

/** The page at both sizes, as `volunteer-<name>-<w>x<h>.png`. */
async function shots(page: Page, name: string) {
  for (const size of [SMALL, LARGE]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(100);
    await page.screenshot({ path: path.join(ARTIFACTS, `volunteer-${name}-${size.width}x${size.height}.png`), fullPage: false });
  }
  await page.setViewportSize(SMALL);
}

async function signedIn(browser: Browser, url: string, username: string): Promise<DeskPage> {
  const context = await browser.newContext({ viewport: SMALL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = (await context.newPage()) as DeskPage;
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

describe('the volunteer coordinator’s desk', () => {
  let server: TestServer;
  let browser: Browser;
  let li: DeskPage;
  let zhao: DeskPage;
  let volunteerId = 0;
  let certificateNo = '';
  const community = () => server.app.directory.defaultCommunity()!.id;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 1 });
    const users = server.app.auth.accounts.users;
    await users.create(null, community(), { username: 'li-coord', displayName: '李敏', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community(), { username: 'zhao-coord', displayName: '赵强', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    browser = await launchBrowser();
    [li, zhao] = await Promise.all([signedIn(browser, server.url, 'li-coord'), signedIn(browser, server.url, 'zhao-coord')]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('registers a volunteer through the form, and a second coordinator’s registry shows them without a reload', async () => {
    for (const p of [li, zhao]) {
      await p.click('[data-nav-link="volunteers"]');
      await p.waitForURL((u) => u.pathname === '/console/volunteers');
      await p.locator('table[data-table="volunteers"]').waitFor();
    }
    await li.click('[data-action="register-volunteer"]');
    const form = li.locator('form[data-form="volunteer"]');
    await form.waitFor();
    await form.locator('input[name="name"]').fill('欧阳春华');
    await form.locator('input[name="phone"]').fill('138-abc');
    await form.locator('input[name="idNumber"]').fill('110105194912310021');
    await form.locator('button[type="submit"]').click();
    // A short phone and a wrong check digit are named on their fields, and nothing is sent.
    await eventually(() => form.locator('[aria-invalid="true"]').count()).toBe(2);
    await form.locator('input[name="phone"]').fill('13800001111');
    await form.locator('input[name="idNumber"]').fill('11010519491231002X');
    await form.locator('input[name="skills"]').fill('助老、理发');
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });

    const row = (p: Page) => p.locator('table[data-table="volunteers"] tbody tr', { hasText: '欧阳春华' });
    await row(li).waitFor();
    await row(zhao).waitFor({ timeout: 5_000 });
    volunteerId = Number(await row(li).getAttribute('data-volunteer'));
    expect(volunteerId).toBeGreaterThan(0);
    await li.fill('input[name="q"]', '春华');
    await eventually(() => li.locator('table[data-table="volunteers"] tbody tr[data-volunteer]').count()).toBe(1);
    await li.fill('input[name="q"]', '');
    await eventually(() => li.locator('table[data-table="volunteers"] tbody tr[data-volunteer]').count()).toBe(1);
    await li.waitForTimeout(400); // the toast has flown in
    expect(await axeSerious(li)).toEqual([]);
    await shots(li, 'registry');
  });

  it('opens the profile, corrects a record with a reason as a new entry, and shows the figures moved', async () => {
    // A service record as the check-in desk makes one: an hour's service, 10 points.
    const now = Date.now();
    const a = await request(`${server.url}/api/v1/activities`, { method: 'POST', body: {
      title: '桂花苑敬老助餐', organiser: '桂花社区志愿服务站', place: '桂花苑老年食堂',
      startsAt: new Date(now - HOUR).toISOString(), endsAt: new Date(now + HOUR).toISOString(), capacity: 5,
    } });
    const act = a.body.activity.id;
    await request(`${server.url}/api/v1/activities/${act}/signups`, { method: 'POST', body: { volunteerId } });
    await request(`${server.url}/api/v1/activities/${act}/check-in`, { method: 'POST', body: { volunteerId, at: new Date(now - HOUR).toISOString() } });
    const out = await request(`${server.url}/api/v1/activities/${act}/check-out`, { method: 'POST', body: { volunteerId, content: '为独居老人送餐' } });
    expect(out.body.record.hours).toBe(1);

    await li.locator('table[data-table="volunteers"] tbody tr', { hasText: '欧阳春华' }).locator('a').click();
    await li.waitForURL((u) => u.pathname === `/console/volunteers/${volunteerId}`);
    await eventually(() => li.locator('[data-figure="hours"]').innerText()).toBe('1');
    await li.locator('tr[data-record] [data-action="correct"]').click();
    const form = li.locator('form[data-form="correction"]');
    await form.waitFor();
    await form.locator('input[name="hours"]').fill('-0.5');
    await form.locator('input[name="points"]').fill('-5');
    await form.locator('select[name="reason"]').selectOption('early_leave');
    await form.locator('input[name="note"]').fill('10:30 提前离开');
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });
    await eventually(() => li.locator('[data-figure="hours"]').innerText()).toBe('0.5');
    await eventually(() => li.locator('[data-figure="balance"]').innerText()).toBe('5');
    await expect(li.locator('tr[data-correction]').innerText()).resolves.toContain('提前离开');
    // The record as issued is still there, beside its correction.
    expect(server.app.db.prepare('SELECT hours FROM service_records WHERE volunteer_id = ?').get(volunteerId)).toEqual({ hours: 1 });
  });

  it('issues a certificate that prints on one A4 page', async () => {
    await li.click('[data-action="issue-certificate"]');
    const item = li.locator('[data-certificate]').first();
    await item.waitFor();
    certificateNo = (await item.getAttribute('data-certificate'))!;
    expect(certificateNo).toMatch(/^ZYZM-\d{4}-\d{6}$/);
    expect(await axeSerious(li)).toEqual([]);
    await shots(li, 'profile');
    await item.locator('a').click();
    await li.locator(`[data-certificate-sheet="${certificateNo}"]`).waitFor();
    await expect(li.locator('[data-certificate-sheet]').innerText()).resolves.toContain('欧阳春华');
    await shots(li, 'certificate');
    const pdf = await li.pdf({ format: 'A4', printBackground: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'volunteer-certificate.pdf'), pdf);
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? [];
    expect(pages.length).toBe(1);
  });

  it('verifies the number on a public page without an account, the name masked', async () => {
    const context = await browser.newContext({ viewport: SMALL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    await page.goto(`${server.url}/console/verify/${certificateNo}`);
    await page.locator('[data-verify="valid"]').waitFor();
    const name = await page.locator('[data-verify-name]').innerText();
    expect(name).not.toContain('春华');
    expect(name).toContain('*');
    await expect(page.locator('[data-verify-hours]').innerText()).resolves.toContain('0.5');
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'verify');
    await page.goto(`${server.url}/console/verify/ZYZM-2026-999999`);
    await page.locator('[data-verify="missing"]').waitFor();
    await context.close();
    expect([...li.errors, ...zhao.errors]).toEqual([]);
  });
});
