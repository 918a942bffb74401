/**
 * End to end: the charity bookkeeper (慈善专管员) at the charity desk, through the console only,
 * in real Chromium. They sign in and are sent to the charity desk (the only desk in their nav),
 * record a gift of money with the donor's consent to be named and a gift of goods anonymously,
 * print the receipt (one A5 page as a PDF), disburse money to a need picked from the list, and
 * see the books balanced. A colleague's browser shows the gift without a reload. Screenshots at
 * 1280×800 and 1920×1080 kept in tests/artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { axeSerious } from '../support/a11y.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

interface DeskPage extends Page {
  errors: string[];
}



const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `charity-${name}.png`) });

async function signedIn(browser: Browser, url: string, username: string, size = SMALL): Promise<DeskPage> {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
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

describe('the charity desk, a bookkeeper’s day', () => {
  let server: TestServer;
  let browser: Browser;
  let keeper: DeskPage;
  let colleague: DeskPage;
  let needId = 0;
  let receiptNo = '';
  const community = () => server.app.directory.defaultCommunity()!.id;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    const users = server.app.auth.accounts.users;
    await users.create(null, community(), { username: 'he-keeper', displayName: '何会计', role: 'charity_keeper', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community(), { username: 'li-coord', displayName: '李协调', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    needId = Number(server.app.db.prepare(
      `INSERT INTO needs (community_id, code, title, category, urgency, grid_id, raised_by_kind, raised_by, resident_name, beneficiaries,
                          status, raised_at, updated_at)
       VALUES (?, 'XQ-2026-880001', '赵桂兰家冬季缺少取暖费', 'material_aid', 'normal', 'G07', 'grid_worker', 'W07', '赵桂兰', 3, 'raised', 0, 0)`,
    ).run(community()).lastInsertRowid);
    browser = await launchBrowser();
    [keeper, colleague] = await Promise.all([signedIn(browser, server.url, 'he-keeper'), signedIn(browser, server.url, 'li-coord')]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends the bookkeeper from home to the charity desk, the only desk in their navigation', async () => {
    const nav = await keeper.locator('[data-nav-link]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-nav-link')));
    expect(nav).toContain('charity');
    // Beside their desk: the emergency page every staff member follows, and the corrective actions they may own.
    expect(nav.filter((p) => !['home', 'charity', 'password', 'incidents', 'corrective-actions'].includes(p!))).toEqual([]);
    await keeper.click('[data-home-link="charity"]');
    await keeper.waitForURL((u) => u.pathname === '/console/charity');
    await keeper.locator('table[data-table="donations"]').waitFor();
    await colleague.goto(`${server.url}/console/charity`);
    await colleague.locator('table[data-table="donations"]').waitFor();
  });

  it('records a gift of money named with consent, and a colleague sees it appear without a reload', async () => {
    await keeper.click('[data-action="record-donation"]');
    const form = keeper.locator('form[data-form="donation"]');
    await form.waitFor();
    await form.locator('input[name="donorName"]').fill('孙丽华');
    await form.locator('input[name="donorPhone"]').fill('13866667777');
    await form.locator('input[name="consent"]').check();
    await form.locator('input[name="amount"]').fill('1250.5');
    await shot(keeper, 'donation-form-1280x800');
    expect(await axeSerious(keeper)).toEqual([]);
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });
    const row = keeper.locator('tr[data-donation]').first();
    await eventually(() => row.innerText()).toContain('¥1,250.50');
    receiptNo = (await row.getAttribute('data-donation'))!;
    expect(receiptNo).toMatch(/^JZ-\d{4}-\d{6}$/);
    expect(await row.innerText()).toContain('孙**');
    await eventually(() => colleague.locator(`tr[data-donation="${receiptNo}"]`).count()).toBe(1);
  });

  it('records a gift of goods anonymously', async () => {
    await keeper.click('[data-action="record-donation"]');
    const form = keeper.locator('form[data-form="donation"]');
    await form.waitFor();
    await form.locator('input[name="kind"][value="goods"]').check();
    await form.locator('input[name="donorName"]').fill('钱先生');
    await form.locator('input[name="anonymous"]').check();
    await form.locator('input[name="item"]').fill('棉被');
    await form.locator('input[name="unit"]').fill('床');
    await form.locator('input[name="quantity"]').fill('10');
    await form.locator('input[name="value"]').fill('1500');
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });
    const row = keeper.locator('tr[data-donation]').first();
    await eventually(() => row.innerText()).toContain('棉被 10床');
    expect(await row.innerText()).toContain('匿名');
    await shot(keeper, 'donations-1280x800');
  });

  it('prints the receipt on one A5 page', async () => {
    await keeper.click(`[data-receipt="${receiptNo}"]`);
    await keeper.waitForURL((u) => u.pathname === `/console/charity/receipts/${receiptNo}`);
    const receipt = keeper.locator('article[data-receipt-no]');
    await receipt.waitFor();
    expect(await receipt.locator('[data-field="donor"]').innerText()).toBe('孙丽华');
    expect(await receipt.locator('[data-field="gift"]').innerText()).toContain('壹仟贰佰伍拾元伍角');
    expect(await receipt.locator('[data-field="issuer"]').innerText()).not.toBe('');
    await shot(keeper, 'receipt-1280x800');
    expect(await axeSerious(keeper)).toEqual([]);
    await keeper.emulateMedia({ media: 'print' });
    await shot(keeper, 'receipt-print-1280x800');
    expect(await keeper.locator('nav.side').isVisible()).toBe(false);
    const pdf = await keeper.pdf({ preferCSSPageSize: true, printBackground: true });
    await keeper.emulateMedia({ media: 'screen' });
    fs.writeFileSync(path.join(ARTIFACTS, 'charity-receipt.pdf'), pdf);
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
    expect(pages).toHaveLength(1);
    // A5 portrait: 148 × 210 mm is 420 × 595 points.
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect(box && [Math.round(Number(box[1])), Math.round(Number(box[2]))]).toEqual([420, 595]);
  });

  it('disburses money to a need picked from the list, and the books show balanced', async () => {
    await keeper.click('[data-nav-link="charity"]');
    await keeper.locator('table[data-table="donations"]').waitFor();
    await keeper.click('[data-action="disburse"]');
    const form = keeper.locator('form[data-form="disbursement"]');
    await form.waitFor();
    const option = form.locator(`select[name="target"] option[value="need:${needId}"]`);
    expect(await option.innerText()).not.toContain('赵桂兰');
    await form.locator('select[name="target"]').selectOption(`need:${needId}`);
    await form.locator('input[name="amount"]').fill('300');
    await form.locator('input[name="purpose"]').fill('冬季取暖补贴');
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });
    await keeper.click('[data-tab="disbursements"]');
    await eventually(() => keeper.locator('tr[data-disbursement]').first().innerText()).toContain('冬季取暖补贴');

    await keeper.click('[data-tab="books"]');
    await keeper.locator('[data-balanced="money"]').waitFor();
    expect(await keeper.locator('[data-balanced="money"]').innerText()).toBe('平衡 ✓');
    expect(await keeper.locator('[data-balanced="goods"]').count()).toBe(1);
    expect(await keeper.locator('[data-figure="given"]').innerText()).toBe('¥1,250.50');
    expect(await keeper.locator('[data-figure="paid-out"]').innerText()).toBe('¥300');
    await shot(keeper, 'books-1280x800');
    expect(await axeSerious(keeper)).toEqual([]);
    await keeper.setViewportSize(LARGE);
    await shot(keeper, 'books-1920x1080');
    await keeper.click('[data-tab="fund"]');
    await keeper.click('tr[data-account="fund"] button');
    await keeper.locator('table[data-table="fund-entries"] tbody tr').nth(1).waitFor();
    await shot(keeper, 'fund-1920x1080');
    expect(await axeSerious(keeper)).toEqual([]);
    await keeper.click('[data-tab="goods"]');
    await keeper.click('tr[data-goods="棉被"] button');
    await eventually(() => keeper.locator('table[data-table="goods-movements"] tbody tr').first().innerText()).toContain('+10');
    await shot(keeper, 'goods-1920x1080');
    await keeper.click('[data-tab="donations"]');
    await shot(keeper, 'donations-1920x1080');
    expect(await axeSerious(keeper)).toEqual([]);
    expect(keeper.errors).toEqual([]);
    expect(colleague.errors).toEqual([]);
  });
});
