/**
 * End to end through the console, with real accounts, the real server and Chromium: an admin
 * imports a register sheet (a bad one first: every problem named by row and column, nothing
 * imported), browses grid → building → household, and corrects a resident; the demo grid worker
 * adds a resident in their own grid. Screenshots at 1280×800 and 1920×1080 in tests/artifacts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { startServer, TEST_PASSWORD, ADMIN_USERNAME, type TestServer } from '../support/server.ts';
import { installDemoAccess } from '../../server/auth/demo.ts';
import { seedRegister } from '../../server/demo/register.ts';
import { REGISTER_HEADER } from '../support/register.ts';
import { axeSerious } from '../support/a11y.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const shot = async (page: Page, name: string) => {
  for (const [size, label] of [[SMALL, '1280x800'], [LARGE, '1920x1080']] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(ARTIFACTS, `register-${name}-${label}.png`) });
    expect(await axeSerious(page), `${name} at ${label}`).toEqual([]);
  }
  await page.setViewportSize(SMALL);
};

async function signedIn(browser: Browser, url: string, username: string, password = TEST_PASSWORD): Promise<Page & { errors: string[] }> {
  const context = await browser.newContext({ viewport: SMALL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = (await context.newPage()) as Page & { errors: string[] };
  page.setDefaultTimeout(8_000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${url}/console`);
  await page.waitForFunction(() => document.body.dataset.view === 'login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.view === 'shell');
  return page;
}

const csv = (rows: string[][]) => `\uFEFF${[REGISTER_HEADER, ...rows].map((r) => r.map((c) => `"${c}"`).join(',')).join('\r\n')}`;
const row = (room: string, name: string, over: Partial<Record<'phone' | 'tags' | 'birth' | 'grid', string>> = {}) => [
  over.grid ?? 'G01', '明月路1号1栋', '1', room, '自住', name, '女', over.birth ?? '1946', '', over.phone ?? '13900001234', '户主', '常住',
  over.tags ?? '独居老人', '李明', '13700001111', '儿子', '需轮椅', '关爱服务、避难协助',
];

describe('the register desk', () => {
  let server: TestServer;
  let browser: Browser;
  let workerPassword = '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'register-e2e-'));

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    const community = server.app.directory.defaultCommunity()!.id;
    await seedRegister(server.app.subjectDeps, Date.now());
    const access = await installDemoAccess(server.app.auth, community, 'G01');
    workerPassword = access.accounts.find((a) => a.role === 'grid_worker')!.password;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets an admin import a sheet (a bad one refused with its problems named), browse, and correct a resident', async () => {
    const page = await signedIn(browser, server.url, ADMIN_USERNAME);
    await page.click('nav a[href="/console/register"]');
    await page.waitForSelector('[data-places] [data-grid="G01"]');
    await page.click('[data-action="import"]');
    await page.waitForSelector('input[data-file="register"]');

    const bad = path.join(dir, '登记表-有误.csv');
    fs.writeFileSync(bad, csv([row('101', '欧阳秀英'), row('102', '阿依古丽·买买提', { phone: '12345' }), row('103', '王芳', { tags: '独居老人、VIP', birth: '2999' })]));
    await page.setInputFiles('input[data-file="register"]', bad);
    const problems = page.locator('[data-problems="register"]');
    await problems.waitFor();
    await expect.poll(() => problems.innerText()).toContain('row 3 (阿依古丽·买买提) 电话');
    const text = await problems.innerText();
    expect(text).toContain('row 4 (王芳) 重点人群: unknown: VIP');
    expect(text).toContain('row 4 (王芳) 出生');
    await shot(page, 'import-problems');
    expect((server.app.db.prepare("SELECT COUNT(*) AS n FROM residents WHERE name = '欧阳秀英'").get() as { n: number }).n).toBe(0);

    const good = path.join(dir, '登记表.csv');
    fs.writeFileSync(good, csv([row('101', '欧阳秀英'), row('102', '阿依古丽·买买提', { tags: '孕产妇', birth: '1994-05-17' }), row('102', '买买提·吐尔逊', { tags: '', birth: '1990' })]));
    await page.setInputFiles('input[data-file="register"]', good);
    await page.waitForSelector('[data-preview="register"] tbody tr');
    expect(await page.locator('[data-summary]').innerText()).toContain('1');
    await shot(page, 'import-preview');
    await page.click('[data-action="save-register"]');
    await page.waitForSelector('text=已导入 3 位居民');

    // Browse: grid → building → household; the residents of the household.
    await page.goto(`${server.url}/console/register`);
    await page.click('[data-grid="G01"]');
    await page.click('[data-building="明月路1号1栋"]');
    await page.click('[data-household="102"]');
    await page.waitForSelector('[data-table="residents"] [data-resident="买买提·吐尔逊"]');
    expect(await page.locator('[data-table="residents"] tbody tr').count()).toBe(2);
    await shot(page, 'household');

    // Correct a resident: a phone number, and a tag.
    await page.locator('[data-resident="阿依古丽·买买提"] button', { hasText: '编辑' }).click();
    await page.waitForSelector('form[data-form="resident"]');
    await page.fill('form[data-form="resident"] input[name="phone"]', '13911112222');
    await page.check('form[data-form="resident"] input[name="tag"][value="low_income"]');
    await shot(page, 'resident-form');
    await page.click('form[data-form="resident"] button[type="submit"]');
    await page.waitForSelector('form[data-form="resident"]', { state: 'detached' });
    const saved = server.app.db.prepare(`SELECT r.phone, r.tags, r.version, r.updated_by AS by FROM residents r JOIN households h ON h.id = r.household_id
      WHERE r.name = '阿依古丽·买买提' AND h.address LIKE '明月路1号1栋%'`).get();
    expect(saved).toEqual({ phone: '13911112222', tags: '["low_income","pregnant"]', version: 2, by: ADMIN_USERNAME });

    // The whole register, searched by a tag.
    await page.goto(`${server.url}/console/register`);
    await page.waitForSelector('[data-places] [data-grid="G01"]');
    await page.fill('[data-search]', '明月路');
    await page.selectOption('[data-tag-filter]', 'elderly_alone');
    await page.waitForSelector('[data-resident="欧阳秀英"]');
    await shot(page, 'tag-filter');
    expect(page.errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('lets the demo grid worker add a resident in their own grid', async () => {
    const page = await signedIn(browser, server.url, 'demo-grid-worker', workerPassword);
    await page.click('nav a[href="/console/register"]');
    await page.waitForSelector('[data-places] [data-grid="G01"]');
    expect(await page.locator('[data-places] [data-grid]').count()).toBe(1);
    await page.click('[data-grid="G01"]');
    const first = page.locator('[data-places] [data-building]').first();
    await first.click();
    await page.locator('[data-places] [data-household]').first().click();
    await page.click('[data-action="add-resident"]');
    const form = page.locator('form[data-form="resident"]');
    await form.waitFor();
    await form.locator('input[name="name"]').fill('上官婉清');
    await form.locator('input[name="birth"]').fill('1939');
    await form.locator('input[name="phone"]').fill('138');
    await form.locator('input[name="tag"][value="elderly_alone"]').check();
    await form.locator('button[type="submit"]').click();
    // The phone is refused on its field, as the server would.
    await expect.poll(() => form.innerText()).toContain('mobile number');
    await form.locator('input[name="phone"]').fill('13812345678');
    await form.locator('input[name="emergencyName"]').fill('上官云');
    await form.locator('input[name="emergencyPhone"]').fill('13698765432');
    await form.locator('input[name="emergencyRelation"]').fill('侄女');
    await form.locator('button[type="submit"]').click();
    await page.waitForSelector('[data-table="residents"] [data-resident="上官婉清"]');
    await shot(page, 'grid-worker');
    const r = server.app.db.prepare("SELECT grid_id AS grid, created_by AS by, emergency_name AS contact FROM residents WHERE name = '上官婉清'").get();
    expect(r).toEqual({ grid: 'G01', by: 'demo-grid-worker', contact: '上官云' });
    expect(page.errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
