/**
 * End to end, through the console only, with real accounts, the real server and Chromium: a
 * social worker logs in, records a home visit with key populations, opens a case as themselves
 * (no id typed), sets a goal and closes it with an outcome; a coordinator registers an
 * organization (a wrong credit code refused, the field named), creates a project, records an
 * expense and sees what remains; the project page shows its services and spending.
 * Screenshots at 1280×800 and 1920×1080 kept in tests/artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { creditCodeCheck } from '../../shared/orgs.ts';
import { localInput } from '../../client/console/components/casework/when.ts';
import { axeSerious } from '../support/a11y.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });


/** Screenshots at both sizes, and no serious accessibility finding at either. */
const shot = async (page: Page, name: string) => {
  for (const [size, label] of [[SMALL, '1280x800'], [LARGE, '1920x1080']] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(ARTIFACTS, `casework-${name}-${label}.png`) });
    expect(await axeSerious(page), `${name} at ${label}`).toEqual([]);
  }
  await page.setViewportSize(SMALL);
};

async function signedIn(browser: Browser, url: string, username: string): Promise<Page & { errors: string[] }> {
  const context = await browser.newContext({ viewport: SMALL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = (await context.newPage()) as Page & { errors: string[] };
  page.setDefaultTimeout(8_000);
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

describe('the social worker’s desk and the organizations’ desk', () => {
  let server: TestServer;
  let browser: Browser;
  const community = () => server.app.directory.defaultCommunity()!.id;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 1 });
    const now = Date.now();
    const swId = Number(server.app.db.prepare(
      `INSERT INTO social_workers (community_id, name, phone, qualification, grids, status, joined_at, updated_at)
       VALUES (?, '王丽萍', '13900001111', 'social_worker', '["G01"]', 'active', ?, ?)`,
    ).run(community(), now, now).lastInsertRowid);
    const users = server.app.auth.accounts.users;
    await users.create(null, community(), { username: 'wang-sw', displayName: '王丽萍', role: 'social_worker', password: TEST_PASSWORD, mustChangePassword: false });
    server.app.db.prepare('UPDATE users SET social_worker_id = ? WHERE username = ?').run(swId, 'wang-sw');
    await users.create(null, community(), { username: 'li-coord', displayName: '李建国', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets a social worker record a home visit, open a case as themselves, set a goal and close it with an outcome', async () => {
    const sw = await signedIn(browser, server.url, 'wang-sw');
    await sw.click('[data-nav-link="casework"]');
    await sw.waitForURL((u) => u.pathname === '/console/casework');
    await sw.locator('table[data-table="cases"]').waitFor();

    // A home visit with two key populations; no social-worker field: the account is the worker.
    await sw.click('[data-action="record-service"]');
    const form = sw.locator('form[data-form="service"]');
    await form.waitFor();
    expect(await form.locator('select[name="socialWorkerId"]').count()).toBe(0);
    await form.locator('select[name="category"]').selectOption('daily_care');
    await form.locator('textarea[name="content"]').fill('入户探访独居老人，检查燃气和用电安全');
    await form.locator('input[name="beneficiaries"]').fill('2');
    await form.locator('input[type="checkbox"][value="elderly_alone"]').check();
    await form.locator('input[type="checkbox"][value="disabled"]').check();
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });
    await eventually(() => sw.locator('table[data-table="services"] tbody tr[data-service]').count()).toBe(1);
    const saved = server.app.db.prepare('SELECT kind, populations, social_worker_id FROM services').get() as any;
    expect(saved).toMatchObject({ kind: 'visit', populations: '["elderly_alone","disabled"]' });

    // Plan a visit for later today: it is on today's schedule.
    await sw.click('[data-action="plan-visit"]');
    const plan = sw.locator('form[data-form="visit"]');
    await plan.waitFor();
    await plan.locator('input[name="plannedAt"]').fill(localInput(Date.now(), 'Asia/Shanghai'));
    await plan.locator('textarea[name="note"]').fill('桂花苑3幢 回访独居老人');
    await plan.locator('button[type="submit"]').click();
    await plan.waitFor({ state: 'detached' });
    await eventually(() => sw.locator('[data-today] [data-visit]').count()).toBe(1);

    // Open a case: the client's name, no ids typed.
    await sw.click('[data-action="open-case"]');
    const open = sw.locator('form[data-form="case"]');
    await open.waitFor();
    await open.locator('input[name="clientName"]').fill('赵桂兰');
    await open.locator('input[name="clientPhone"]').fill('13812345678');
    await open.locator('input[type="checkbox"][value="elderly_alone"]').check();
    await open.locator('button[type="submit"]').click();
    await sw.waitForURL((u) => /^\/console\/casework\/\d+$/.test(u.pathname));
    await sw.locator('[data-client]').waitFor();
    expect(await sw.locator('[data-client]').innerText()).toContain('13812345678');

    await sw.getByRole('button', { name: '添加目标' }).click();
    await sw.locator('[data-goals] input.input').first().fill('每周两次上门，建立用药提醒');
    await sw.click('[data-action="save-goals"]');
    await eventually(() => (server.app.db.prepare('SELECT goals FROM cases').get() as any).goals).toContain('用药提醒');
    await shot(sw, 'case-file');

    await sw.click('[data-action="close-case"]');
    const close = sw.locator('form[data-form="close-case"]');
    await close.waitFor();
    await close.locator('select[name="outcome"]').selectOption('achieved');
    await close.locator('textarea[name="note"]').fill('情绪稳定，子女已接手照料');
    await close.locator('button[type="submit"]').click();
    await close.waitFor({ state: 'detached' });
    await eventually(() => sw.locator('[data-outcome="achieved"]').count()).toBe(1);
    expect(server.app.db.prepare('SELECT status, outcome FROM cases').get()).toEqual({ status: 'closed', outcome: 'achieved' });

    await sw.click('[data-nav-link="casework"]');
    await sw.locator('table[data-table="services"] tbody tr[data-service]').first().waitFor();
    await sw.getByRole('radio', { name: '全部' }).click();
    await sw.locator('table[data-table="cases"] tbody tr[data-case]').first().waitFor();
    await shot(sw, 'desk');
    expect(sw.errors).toEqual([]);
  });

  it('lets a coordinator register an organization (a wrong credit code refused), create a project, record an expense and see what remains', async () => {
    const co = await signedIn(browser, server.url, 'li-coord');
    await co.click('[data-nav-link="orgs"]');
    await co.waitForURL((u) => u.pathname === '/console/orgs');
    await co.click('[data-action="register-org"]');
    const form = co.locator('form[data-form="org"]');
    await form.waitFor();
    await form.locator('input[name="name"]').fill('桂花社工服务中心');
    const good = '52330100MJ0000001' + creditCodeCheck('52330100MJ0000001');
    const wrong = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    await form.locator('input[name="registrationNo"]').fill(wrong);
    await form.locator('input[name="contactName"]').fill('陈立群');
    await form.locator('input[name="contactPhone"]').fill('0571-88001234');
    await form.locator('button[type="submit"]').click();
    // Refused on the field, nothing registered.
    await eventually(() => form.locator('input[name="registrationNo"][aria-invalid="true"]').count()).toBe(1);
    expect(await form.innerText()).toContain('统一社会信用代码');
    expect((server.app.db.prepare('SELECT COUNT(*) n FROM organizations').get() as any).n).toBe(0);
    await form.locator('input[name="registrationNo"]').fill(good);
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });
    await co.locator('tr[data-org="桂花社工服务中心"]').waitFor();
    await shot(co, 'orgs');

    await co.click('[data-action="new-project"]');
    const pf = co.locator('form[data-form="project"]');
    await pf.waitFor();
    await pf.locator('input[name="name"]').fill('独居老人关爱行动');
    const orgId = String((server.app.db.prepare('SELECT id FROM organizations').get() as any).id);
    await pf.locator('select[name="orgId"]').selectOption(orgId);
    await pf.locator('select[name="funding"]').selectOption('government');
    await pf.locator('input[name="budget"]').fill('1000');
    await pf.locator('input[name="targetServices"]').fill('10');
    await pf.locator('button[type="submit"]').click();
    await co.waitForURL((u) => /^\/console\/orgs\/projects\/\d+$/.test(u.pathname));
    await co.locator('[data-summary]').waitFor();

    const ef = co.locator('form[data-form="expense"]');
    await ef.locator('input[name="amount"]').fill('600');
    await ef.locator('input[name="purpose"]').fill('助老物资采购');
    await ef.locator('button[type="submit"]').click();
    await eventually(() => co.locator('table[data-table="expenses"] tbody tr[data-expense]').count()).toBe(1);
    await eventually(() => co.locator('[data-figure="remaining"]').innerText()).toContain('400');

    // More than remains: refused on the amount, saying what remains; nothing recorded.
    await ef.locator('input[name="amount"]').fill('500');
    await ef.locator('input[name="purpose"]').fill('超支');
    await ef.locator('button[type="submit"]').click();
    await eventually(() => ef.innerText()).toContain('超出预算');
    expect((server.app.db.prepare('SELECT COUNT(*) n FROM project_expenses').get() as any).n).toBe(1);
    expect(co.errors).toEqual([]);
  });

  it('shows services delivered and spending on the project page', async () => {
    const pid = (server.app.db.prepare('SELECT id FROM projects').get() as any).id as number;
    const swId = (server.app.db.prepare('SELECT id FROM social_workers').get() as any).id as number;
    await server.app.orgs!.services.record({ id: 'wang-sw', role: 'social_worker', communityId: community(), socialWorkerId: swId }, {
      socialWorkerId: swId, projectId: pid, kind: 'group', content: '防诈骗讲座', beneficiaries: 18, populations: ['elderly_alone'],
      startedAt: new Date(Date.now() - 90 * 60_000).toISOString(), endedAt: new Date(Date.now() - 30 * 60_000).toISOString(),
    });
    const co = await signedIn(browser, server.url, 'li-coord');
    await co.goto(`${server.url}/console/orgs/projects/${pid}`);
    await co.locator('[data-summary]').waitFor();
    await eventually(() => co.locator('[data-figure="services"]').innerText()).toBe('1');
    expect(await co.locator('[data-figure="reached"]').innerText()).toBe('18');
    expect(await co.locator('[data-figure="spent"]').innerText()).toContain('600');
    expect(await co.locator('table[data-table="project-services"]').innerText()).toContain('防诈骗讲座');
    await shot(co, 'project');
    expect(co.errors).toEqual([]);
  });
});
