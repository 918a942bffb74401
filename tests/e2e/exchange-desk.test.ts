/**
 * End to end: the points exchange's till (积分超市) in two browsers with a real server. A
 * coordinator at the counter (1280×800) finds a volunteer, redeems a bag of rice and sees the
 * receipt and the new balance; a second till (1920×1080) sees the rice's stock drop without a
 * reload; an overdraft is refused by the server and the till shows the balance; two cashiers
 * editing one item: the second is told who changed it. axe finds nothing serious on the till
 * with its receipt open, the catalogue, the ledger or the conflict. Screenshots kept in tests/artifacts.
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

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `exchange-${name}.png`) });

async function signedIn(browser: Browser, url: string, username: string, size = SMALL): Promise<Page> {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(`${url}/console`);
  await page.waitForFunction(() => document.body.dataset.view === 'login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.view === 'shell');
  return page;
}


describe('the exchange till', () => {
  let server: TestServer;
  let browser: Browser;
  let till: Page;
  let second: Page;
  let rice = 0;
  const api = () => `${server.url}/api/v1`;
  const community = () => server.app.directory.defaultCommunity()!.id;
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

  async function ok(pathname: string, body: unknown, status = 201) {
    const r = await request(`${api()}${pathname}`, { method: 'POST', body });
    expect(r.status, `${pathname}: ${JSON.stringify(r.body)}`).toBe(status);
    return r.body;
  }

  async function volunteer(name: string, phone: string, points: number) {
    const v = (await ok('/volunteers', { name, phone })).volunteer as { id: number };
    const now = Date.now();
    const a = (await ok('/activities', {
      title: '桂花苑敬老助餐', organiser: '桂花社区志愿服务站', place: '桂花苑老年食堂', pointsPerHour: points * 2,
      startsAt: iso(now - HOUR), endsAt: iso(now + HOUR), capacity: 1,
    })).activity as { id: number };
    await ok(`/activities/${a.id}/signups`, { volunteerId: v.id });
    await ok(`/activities/${a.id}/check-in`, { volunteerId: v.id, at: iso(now - HOUR) }, 200);
    await ok(`/activities/${a.id}/check-out`, { volunteerId: v.id, at: iso(now - HOUR / 2) }, 200);
    return v.id;
  }

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 1 });
    const users = server.app.auth.accounts.users;
    await users.create(null, community(), { username: 'liu-coord', displayName: '刘芳', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community(), { username: 'sun-coord', displayName: '孙强', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    await volunteer('王秀英', '13700001111', 100);
    await volunteer('李建国', '13700002222', 20);
    rice = ((await ok('/exchange/items', { name: '大米 5kg', pointsCost: 30, stock: 5, description: '东北大米' })).item as { id: number }).id;
    await ok('/exchange/items', { name: '洗衣液', pointsCost: 15, stock: 12 });
    await ok('/exchange/items', { name: '毛巾', pointsCost: 5, stock: 30 });
    await ok('/exchange/items', { name: '食用油 1.8L', pointsCost: 45, stock: 0 });
    browser = await launchBrowser();
    till = await signedIn(browser, server.url, 'liu-coord');
    second = await signedIn(browser, server.url, 'sun-coord', LARGE);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds a volunteer, redeems a bag of rice, shows the receipt and the new balance, and the other till sees the stock drop live', async () => {
    for (const page of [till, second]) {
      await page.click('[data-nav-link="exchange"]');
      await page.waitForURL((u) => u.pathname === '/console/exchange');
      await page.locator(`[data-item="${rice}"]`).waitFor();
    }
    expect(await second.locator(`[data-item="${rice}"]`).getAttribute('data-stock')).toBe('5');

    await till.fill('[data-till-search]', '王秀英');
    await till.press('[data-till-search]', 'Enter');
    await eventually(() => till.locator('[data-till-balance]').getAttribute('data-till-balance')).toBe('100');
    await till.click(`[data-item="${rice}"]`);
    await eventually(() => till.locator('[data-till-total]').getAttribute('data-till-total')).toBe('30');
    await shot(till, 'till-basket-1280x800');
    await till.click('[data-till-redeem]');

    const receipt = till.locator('[data-receipt]');
    await receipt.waitFor();
    expect(await receipt.locator('[data-receipt-no]').innerText()).toMatch(/^DH\d{8}-\d{4}$/);
    expect(await receipt.innerText()).toContain('大米 5kg');
    expect(await receipt.locator('[data-receipt-total]').innerText()).toBe('30 积分');
    expect(await receipt.locator('[data-receipt-balance]').innerText()).toBe('70 积分');
    expect(await receipt.innerText()).toContain('刘芳');
    await shot(till, 'receipt-1280x800');
    await till.emulateMedia({ media: 'print' });
    await shot(till, 'receipt-print');
    await till.emulateMedia({ media: 'screen' });

    // The second till never reloaded: the stock it shows came over desk:changed.
    await eventually(() => second.locator(`[data-item="${rice}"]`).getAttribute('data-stock')).toBe('4');
    await shot(second, 'till-live-1920x1080');

    expect(await axeSerious(till)).toEqual([]);

    await till.getByRole('button', { name: '下一位' }).click();
    await eventually(() => till.locator('[data-till-volunteer]').count()).toBe(0);
  });

  it('shows the balance the server answers when a redemption would overdraw it', async () => {
    await till.fill('[data-till-search]', '2222');
    await till.press('[data-till-search]', 'Enter');
    await eventually(() => till.locator('[data-till-balance]').getAttribute('data-till-balance')).toBe('20');
    await till.click(`[data-item="${rice}"]`);
    await till.click('[data-till-redeem]');
    const alert = till.locator('[data-alert="error"]');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('余额 20 积分');
    expect(await alert.innerText()).toContain('需要 30 积分');
    expect(await till.locator(`[data-item="${rice}"]`).getAttribute('data-stock')).toBe('4');
    await shot(till, 'till-overdraft-1280x800');
  });

  it('shows the day’s redemptions, the catalogue and a volunteer’s ledger line by line', async () => {
    await second.click('[data-exchange-tab="receipts"]');
    await second.locator('tr[data-receipt-row]').first().waitFor();
    expect(await second.locator('tr[data-receipt-row]').count()).toBe(1);
    await shot(second, 'receipts-1920x1080');
    await till.click('[data-exchange-tab="catalogue"]');
    await till.locator(`tr[data-catalogue-item="${rice}"]`).waitFor();
    await shot(till, 'catalogue-1280x800');
    expect(await axeSerious(till)).toEqual([]);
    await second.locator('tr[data-receipt-row] a').first().click();
    await second.locator('tr[data-ledger-entry]').nth(1).waitFor();
    const amounts = await second.locator('tr[data-ledger-entry] td.num').allInnerTexts();
    expect(amounts.slice(0, 4)).toEqual(['-30', '70', '+100', '100']);
    await shot(second, 'ledger-1920x1080');
    expect(await axeSerious(second)).toEqual([]);
  });

  it('tells the second of two cashiers editing one item who changed it and when, and keeps the first one’s change', async () => {
    await second.click('[data-nav-link="exchange"]');
    await second.click('[data-exchange-tab="catalogue"]');
    const soap = (await request(`${api()}/exchange/desk/items`)).body.items.find((i: { name: string }) => i.name === '洗衣液').id as number;
    for (const page of [till, second]) {
      await page.click(`[data-item-edit="${soap}"]`);
      await page.locator('[data-item-form]').waitFor();
    }
    await till.fill('[data-item-price]', '16');
    await till.click('[data-item-form] button[type="submit"]');
    await till.locator('[data-item-form]').waitFor({ state: 'detached' });
    await second.fill('[data-item-name]', '洗衣液 2kg');
    await second.click('[data-item-form] button[type="submit"]');
    const banner = second.locator('[data-item-conflict]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('刘芳');
    await shot(second, 'item-conflict-1920x1080');
    expect(await axeSerious(second)).toEqual([]);
    const item = (await request(`${api()}/exchange/desk/items`)).body.items.find((i: { id: number }) => i.id === soap);
    expect(item).toMatchObject({ name: '洗衣液', pointsCost: 16, changedBy: '刘芳' });
  });
});
