/**
 * End to end: the three lists board (三张清单) in two browsers with real accounts and the real
 * server. A coordinator raises a need for a resident through the console (a missing category is
 * named next to its field first), matches it and sees ranked suggestions with their reasons,
 * accepts one, starts it, marks it met and rated; the board's Sankey figures move; a second
 * coordinator's board shows the new need and the figures live. Screenshots at 1280×800 and
 * 1920×1080 kept in tests/artifacts.
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

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

interface DeskPage extends Page {
  errors: string[];
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `lists-${name}.png`) });

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

async function toBoard(page: Page) {
  await page.click('[data-nav-link="lists"]');
  await page.waitForURL((u) => u.pathname === '/console/lists');
  await page.locator('[data-flow]').waitFor();
}



/** The board's figure for an outcome of the flow (met, in progress, …). */
const outcome = async (page: Page, o: string) => Number(await page.locator(`[data-outcome="${o}"] b`).innerText());

describe('the three lists board, a need from raised to rated', () => {
  let server: TestServer;
  let browser: Browser;
  let li: DeskPage;
  let he: DeskPage;
  let resourceId = 0;
  const community = () => server.app.directory.defaultCommunity()!.id;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 1 });
    const users = server.app.auth.accounts.users;
    await users.create(null, community(), { username: 'li-coord', displayName: '李娜', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community(), { username: 'he-coord', displayName: '何涛', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    const r = await request(`${server.url}/api/v1/resources`, {
      method: 'POST', body: { providerKind: 'community', providerName: '桂花社区便民维修队', title: '上门水电维修', category: 'repair', gridId: 'G03', skills: ['水电'], capacity: 5 },
    });
    expect(r.status).toBe(201);
    resourceId = r.body.resource.id;
    // A few needs already on the lists, one of them met: the board and its flow are not empty.
    const api = (p: string, body: unknown) => request(`${server.url}/api/v1${p}`, { method: 'POST', body }).then((x) => x.body);
    for (const [title, category, gridId] of [['行动不便需代购药品', 'health', 'G01'], ['孩子课后无人辅导', 'education', 'G02'], ['独居老人需要助餐', 'meals', 'G03']]) {
      await api('/needs', { title, category, gridId, raisedByKind: 'grid_worker', urgency: 'normal' });
    }
    await api('/resources', { providerKind: 'community', providerName: '社区长者食堂', title: '助餐送餐', category: 'meals', capacity: 10 });
    const meal = (await api('/needs', { title: '老两口午餐送餐', category: 'meals', gridId: 'G03', raisedByKind: 'resident' })).need;
    const [m] = (await api(`/needs/${meal.id}/matches`, {})).items;
    await api(`/needs/${meal.id}/matches/${m.id}/accept`, {});
    await api(`/needs/${meal.id}/start`, {});
    await api(`/needs/${meal.id}/meet`, {});
    browser = await launchBrowser();
    li = await signedIn(browser, server.url, 'li-coord');
    he = await signedIn(browser, server.url, 'he-coord', LARGE);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('raises a need for a resident, matches it with reasons, accepts, and follows it to rated while the board moves', async () => {
    await toBoard(li);
    await toBoard(he);
    await he.locator('[data-list="needs"] [data-need]').first().waitFor();
    const metBefore = await outcome(he, 'met');
    await shot(he, 'board-1920x1080');

    // Raise it: the server names the missing category next to its field, and nothing is written.
    await li.click('[data-raise]');
    const form = li.locator('form[data-form="raise-need"]');
    await form.waitFor();
    await form.locator('input[name="title"]').fill('独居老人家中水管漏水');
    await form.locator('select[name="gridId"]').selectOption('G03');
    await form.locator('input[name="residentName"]').fill('欧阳明月');
    await form.locator('input[name="residentPhone"]').fill('13812345678');
    await form.locator('input[value="elderly_alone"]').check();
    await form.locator('[data-submit]').click();
    await eventually(() => form.locator('select[name="category"]').getAttribute('aria-invalid')).toBe('true');
    await shot(li, 'raise-need-1280x800');
    await form.locator('select[name="category"]').selectOption('repair');
    await form.locator('select[name="urgency"]').selectOption('high');
    await form.locator('[data-submit]').click();
    await li.waitForURL((u) => /^\/console\/lists\/needs\/\d+$/.test(u.pathname));
    const needId = Number(new URL(li.url()).pathname.split('/').pop());
    await eventually(() => li.locator('[data-need-status]').getAttribute('data-need-status')).toBe('raised');
    await expect(li.locator('[data-resident]').innerText()).resolves.toContain('欧阳明月');

    // The other coordinator's board shows it without a reload.
    await he.locator(`[data-list="needs"] [data-need="${needId}"]`).waitFor({ timeout: 10_000 });

    // Matching: ranked suggestions, each with its score and reasons in words.
    await li.click('[data-propose]');
    const suggestions = li.locator('[data-suggestions] [data-match]');
    await suggestions.first().waitFor();
    const scores = await li.locator('[data-suggestions] [data-score]').evaluateAll((xs) => xs.map((x) => Number(x.getAttribute('data-score'))));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const ours = li.locator('[data-suggestions] [data-match]').filter({ hasText: '上门水电维修' });
    await expect(ours.innerText()).resolves.toMatch(/服务类别一致[\s\S]*同一网格/);
    await shot(li, 'need-matching-1280x800');
    expect(await axeSerious(li)).toEqual([]);

    // Accept it: a task for the provider.
    await ours.locator('[data-accept]').click();
    await li.click('[data-confirm-accept]');
    await eventually(() => li.locator('[data-need-status]').getAttribute('data-need-status')).toBe('matched');
    await li.locator('[data-task]').waitFor();
    const matched = (await request(`${server.url}/api/v1/needs/${needId}`)).body;
    expect(matched.matches.find((m: any) => m.status === 'accepted').resourceId).toBe(resourceId);

    // Start, meet, rate.
    await li.click('[data-do="start"]');
    await eventually(() => li.locator('[data-need-status]').getAttribute('data-need-status')).toBe('in_progress');
    await li.locator('[data-step="meet"] textarea').fill('已更换水管，居民确认');
    await li.click('[data-do="meet"]');
    await eventually(() => li.locator('[data-need-status]').getAttribute('data-need-status')).toBe('met');
    await li.locator('[data-step="rate"] input[value="5"]').check();
    await li.click('[data-do="rate"]');
    await eventually(() => li.locator('[data-need-status]').getAttribute('data-need-status')).toBe('rated');
    await expect(li.locator('[data-satisfaction]').innerText()).resolves.toContain('5');
    await eventually(() => li.locator('[data-history] li').count()).toBe(6);
    await expect(li.locator('[data-history]').innerText()).resolves.toContain('李娜');
    await shot(li, 'need-rated-1280x800');
    expect(await axeSerious(li)).toEqual([]);

    // The Sankey's figures move: on the other board live, and on this one when it comes back.
    await eventually(() => outcome(he, 'met')).toBe(metBefore + 1);
    await shot(he, 'board-after-1920x1080');
    await li.click('[data-nav-link="lists"]');
    await eventually(() => outcome(li, 'met')).toBe(metBefore + 1);
    await shot(li, 'board-1280x800');
    expect(await axeSerious(li)).toEqual([]);
    expect([...li.errors, ...he.errors]).toEqual([]);
  });

  it('shows the lists as tabs on a narrow screen', async () => {
    await toBoard(li);
    await li.setViewportSize({ width: 900, height: 800 });
    await li.locator('#lists-tab-resources').click();
    await li.locator('[data-list="resources"]').waitFor({ state: 'visible' });
    await expect(li.locator('[data-list="needs"]').isVisible()).resolves.toBe(false);
    // On a phone nothing scrolls sideways, and axe still finds nothing serious.
    await li.setViewportSize({ width: 390, height: 844 });
    await li.locator('#lists-tab-needs').click();
    await li.locator('[data-list="needs"] [data-need]').first().waitFor();
    const wide = await li.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth }));
    expect(wide.page).toBeLessThanOrEqual(wide.window);
    expect(await axeSerious(li)).toEqual([]);
    await shot(li, 'board-390x844');
    await li.setViewportSize(SMALL);
  });
});
