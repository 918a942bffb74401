/**
 * End to end: a day's loop of grid events through the console only, with real accounts, the real
 * server and two browsers. A grid worker reports from the console; the dispatcher sees it in the
 * queue live, accepts and dispatches with the keyboard; the worker sees it in "my tasks", signs
 * for it, starts and resolves it; the dispatcher verifies and closes, then makes the call-back
 * with the resident's satisfaction; the wall's numbers move. Also: two dispatchers on one case,
 * and a grid worker kept out of another grid's case. Screenshots at 1280×800 (and the queue at
 * 1920×1080) kept in tests/artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { openLive, request, sampleReport, startServer, TEST_PASSWORD, until, type TestServer } from '../support/server.ts';

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
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `desk-${name}.png`) });

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

async function toDesk(page: Page) {
  await page.click('[data-nav-link="events"]');
  await page.waitForURL((u) => u.pathname === '/console/events');
  await page.locator('table[data-table="queue"]').waitFor();
}

const row = (page: Page, code: string) => page.locator(`tr[data-case="${code}"]`);

/** Open an action's form, then send it (keys or clicks, as a person would). */
async function act(page: Page, action: string, fill?: (form: ReturnType<Page['locator']>) => Promise<void>) {
  await page.click(`[data-do="${action}"]`);
  const form = page.locator(`form[data-form="${action}"]`);
  await form.waitFor();
  if (fill) await fill(form);
  await form.locator('[data-submit]').click();
  await form.waitFor({ state: 'detached' });
}

describe('the dispatcher’s desk, a case from report to call-back', () => {
  let server: TestServer;
  let browser: Browser;
  let dispatcher: DeskPage;
  let worker: DeskPage;
  let code = '';
  let id = 0;
  const community = () => server.app.directory.defaultCommunity()!.id;
  const g01Worker = () => server.app.directory.grids.get('G01')!.workerId!;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 1 });
    const users = server.app.auth.accounts.users;
    await users.create(null, community(), { username: 'chen-disp', displayName: '陈晓', role: 'dispatcher', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community(), { username: 'zhou-disp', displayName: '周敏', role: 'dispatcher', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community(), {
      username: 'wang-gw', displayName: '王丽萍', role: 'grid_worker', grids: ['G01'], workerId: g01Worker(), password: TEST_PASSWORD, mustChangePassword: false,
    });
    browser = await launchBrowser();
    dispatcher = await signedIn(browser, server.url, 'chen-disp');
    worker = await signedIn(browser, server.url, 'wang-gw');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the dispatcher the queue by tab, with counts, and the grid worker their tasks', async () => {
    await toDesk(dispatcher);
    const tabs = await dispatcher.locator('[data-tab]').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-tab')));
    expect(tabs).toEqual(['triage', 'dispatch', 'sign', 'due_soon', 'overdue', 'requests', 'verify', 'callback', 'open']);
    await eventually(() => dispatcher.locator('[data-live="on"]').count()).toBe(1);
    await dispatcher.locator('[data-tab="open"]').click();
    await eventually(async () => Number(await dispatcher.locator('[data-count="open"]').innerText())).toBeGreaterThan(0);
    await dispatcher.locator('table[data-table="queue"] tbody tr[data-case]').first().waitFor();
    await shot(dispatcher, 'queue-open-1280x800');

    await worker.click('[data-nav-link="events"]');
    await expect(worker.locator('[data-nav-link="events"]').innerText()).resolves.toContain('我的任务');
    const workerTabs = await worker.locator('[data-tab]').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-tab')));
    expect(workerTabs).toEqual(['mine', 'open']);
  });

  it('brings a report the grid worker makes in the console to the dispatcher’s triage tab live', async () => {
    await dispatcher.locator('[data-tab="triage"]').click();
    await eventually(() => dispatcher.url()).toContain('tab=triage');
    const before = Number(await dispatcher.locator('[data-count="triage"]').innerText());

    await worker.click('[data-action="report"]');
    const form = worker.locator('form[data-form="report"]');
    await form.waitFor();
    await form.locator('select[name="category"]').selectOption('facilities');
    await form.locator('input[name="title"]').fill('桂花苑3幢单元门禁损坏');
    await form.locator('textarea[name="description"]').fill('门禁无法刷卡，居民反映夜间无法进出。');
    await form.locator('input[name="address"]').fill('桂花苑3幢1单元');
    await form.locator('input[name="reporterName"]').fill('李建华');
    await form.locator('input[name="reporterPhone"]').fill('13900001234');
    await shot(worker, 'report-1280x800');
    const sent = Date.now();
    await form.locator('[data-submit]').click();
    await worker.waitForURL((u) => /\/console\/events\/\d+$/.test(u.pathname));
    id = Number(new URL(worker.url()).pathname.split('/').pop());
    code = (await request(`${server.url}/api/v1/events/${id}`)).body.event.code;

    // The dispatcher did nothing: the row arrives over the socket.
    await row(dispatcher, code).waitFor({ timeout: 5_000 });
    const latency = Date.now() - sent;
    console.log(`queue update latency (report submitted → row on the dispatcher's desk): ${latency} ms`);
    expect(latency).toBeLessThan(3_000);
    await expect(dispatcher.locator('[data-count="triage"]').innerText()).resolves.toBe(String(before + 1));
    await shot(dispatcher, 'queue-triage-1280x800');
  });

  it('lets the dispatcher accept and dispatch with a few keystrokes, the grid’s own worker suggested first', async () => {
    // Open the case from the queue by keyboard: the row, Enter.
    await row(dispatcher, code).focus();
    let keys = 0;
    await dispatcher.keyboard.press('Enter'); keys++;
    await dispatcher.waitForURL((u) => u.pathname === `/console/events/${id}`);
    await dispatcher.locator('[data-actions]').waitFor();
    await expect(dispatcher.locator('[data-reporter]').innerText()).resolves.toContain('13900001234');
    await shot(dispatcher, 'case-reported-1280x800');

    await dispatcher.keyboard.press('a'); keys++;
    await dispatcher.locator('form[data-form="accept"]').waitFor();
    await eventually(() => dispatcher.evaluate(() => document.activeElement?.hasAttribute('data-submit'))).toBe(true);
    await dispatcher.keyboard.press('Enter'); keys++;
    await dispatcher.locator('[data-do="dispatch"]').waitFor();

    await dispatcher.keyboard.press('d'); keys++;
    const form = dispatcher.locator('form[data-form="dispatch"]');
    await form.waitFor();
    // The grid's own worker first, already chosen.
    await eventually(() => form.locator('[data-assignee]').first().getAttribute('data-assignee')).toBe(g01Worker());
    await expect(form.locator('[data-assignee]').first().isChecked()).resolves.toBe(true);
    await shot(dispatcher, 'case-dispatch-1280x800');
    await eventually(() => dispatcher.evaluate(() => document.activeElement?.hasAttribute('data-submit'))).toBe(true);
    await dispatcher.keyboard.press('Enter'); keys++;
    await form.waitFor({ state: 'detached' });
    console.log(`triage and dispatch from the queue: ${keys} key presses`);
    expect(keys).toBeLessThanOrEqual(5);
    const e = (await request(`${server.url}/api/v1/events/${id}`)).body.event;
    expect(e).toMatchObject({ status: 'dispatched', assigneeId: g01Worker(), signedAt: null });
  });

  it('puts the case in the grid worker’s tasks within a second; they sign for it, start and resolve it with a note and a photo', async () => {
    await worker.goto(`${server.url}/console/events?tab=mine`);
    await row(worker, code).waitFor({ timeout: 3_000 });
    await shot(worker, 'my-tasks-1280x800');
    await row(worker, code).click();
    await worker.locator('[data-do="sign"]').waitFor();
    await shot(worker, 'case-sign-1280x800');
    await act(worker, 'sign');
    await act(worker, 'start');
    // A facilities case needs a photo to close (the loop settings' evidence rule): taken while resolving.
    await act(worker, 'resolve', async (f) => {
      await f.locator('textarea[name="note"]').fill('已联系物业更换门禁读卡器，现场测试正常。');
      await f.locator('[data-resolve-photos]').setInputFiles(path.resolve('tests/fixtures/site-photo.png'));
    });
    await eventually(async () => (await request(`${server.url}/api/v1/events/${id}`)).body.event.status).toBe('resolved');
    await eventually(() => worker.locator('[data-timeline]').innerText()).toContain('已联系物业更换门禁读卡器');
  });

  it('has the dispatcher verify and close it, then record the call-back; the wall’s numbers move', async () => {
    const live = openLive(server.url, { display: true });
    await live.client.subscribe();
    const closedBefore = live.client.state.views!.kpis.closedToday;

    await dispatcher.goto(`${server.url}/console/events?tab=verify`);
    await row(dispatcher, code).waitFor();
    await row(dispatcher, code).click();
    // The worker's photo is on the case page, and opens.
    await dispatcher.locator('[data-photos] [data-photo] img').waitFor();
    await eventually(() => dispatcher.locator('[data-photos] img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(96);
    expect(await dispatcher.locator('[data-needs-photo]').count()).toBe(0);
    await shot(dispatcher, 'case-photos-1280x800');
    await act(dispatcher, 'close');
    await until(() => live.client.state.views!.kpis.closedToday === closedBefore + 1, 'the wall counts one more closed today', 5_000);

    await dispatcher.goto(`${server.url}/console/events?tab=callback`);
    await row(dispatcher, code).waitFor();
    await row(dispatcher, code).click();
    await dispatcher.click('[data-do="review"]');
    const form = dispatcher.locator('form[data-form="review"]');
    await form.locator('[data-satisfaction="5"]').check({ force: true });
    await form.locator('textarea[name="note"]').fill('居民表示满意。');
    await shot(dispatcher, 'case-review-1280x800');
    await form.locator('[data-submit]').click();
    await form.waitFor({ state: 'detached' });
    const e = (await request(`${server.url}/api/v1/events/${id}`)).body.event;
    expect(e).toMatchObject({ status: 'reviewed', satisfaction: 5 });
    const steps = await dispatcher.locator('[data-step]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-step')));
    expect(steps).toEqual(['report', 'accept', 'dispatch', 'sign', 'start', 'photo', 'resolve', 'close', 'review']);
    await shot(dispatcher, 'case-reviewed-1280x800');
    live.close();
  });

  it('returns a poor fix for rework with a reason, and the worker hears of it and sends it back again', async () => {
    const e = (await request(`${server.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '桂花苑6幢楼道灯不亮', gridId: 'G01' }) })).body.event;
    await request(`${server.url}/api/v1/events/${e.id}/accept`, { method: 'POST', body: {} });
    await request(`${server.url}/api/v1/events/${e.id}/dispatch`, { method: 'POST', body: { assigneeId: g01Worker() } });
    // The worker does the job through the page.
    await worker.goto(`${server.url}/console/events/${e.id}`);
    await act(worker, 'start');
    await act(worker, 'resolve', (f) => f.locator('textarea[name="note"]').fill('已更换灯泡'));
    // The dispatcher finds it not fixed: 核查不通过, with a reason code.
    await dispatcher.goto(`${server.url}/console/events?tab=verify`);
    await row(dispatcher, e.code).click();
    await act(dispatcher, 'return', async (f) => {
      await f.locator('select[name="reason"]').selectOption('not_fixed');
      await f.locator('textarea[name="note"]').fill('现场复查灯仍不亮');
    });
    await eventually(() => dispatcher.locator('[data-timeline]').innerText()).toContain('未整改');
    // The worker's bell says so, and the case is back in the centre's hands to dispatch again.
    await worker.goto(`${server.url}/console`);
    await eventually(async () => Number((await worker.locator('[data-notice-count]').textContent().catch(() => '0')) || 0)).toBeGreaterThan(0);
    await worker.click('[data-notice-bell]');
    await expect(worker.locator('[data-notice-panel]').innerText()).resolves.toContain(e.code);
    await worker.keyboard.press('Escape');
    await dispatcher.goto(`${server.url}/console/events/${e.id}`);
    await act(dispatcher, 'dispatch');
    await worker.goto(`${server.url}/console/events/${e.id}`);
    await act(worker, 'send_back', async (f) => {
      await f.locator('select[name="reason"]').selectOption('needs_department');
      await f.locator('textarea[name="note"]').fill('线路故障需供电部门处理');
    });
    const h = (await request(`${server.url}/api/v1/events/${e.id}`)).body.history;
    expect(h.map((l: { action: string }) => l.action)).toEqual(['report', 'accept', 'dispatch', 'start', 'resolve', 'return', 'dispatch', 'send_back']);
    expect(h.at(-1).data).toMatchObject({ reason: 'needs_department' });
  });

  it('lets the worker ask for more time and to shelve, the centre decide, urge, and the worker hear each', async () => {
    const e = (await request(`${server.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '桂花苑9幢外墙脱落', gridId: 'G01' }) })).body.event;
    await request(`${server.url}/api/v1/events/${e.id}/accept`, { method: 'POST', body: {} });
    await request(`${server.url}/api/v1/events/${e.id}/dispatch`, { method: 'POST', body: { assigneeId: g01Worker() } });
    await worker.goto(`${server.url}/console/events/${e.id}`);
    await act(worker, 'sign');
    await act(worker, 'request_extension', async (f) => {
      await f.locator('input[name="hours"]').fill('48');
      await f.locator('textarea[name="note"]').fill('需搭脚手架，等施工队');
    });
    const due = (await request(`${server.url}/api/v1/events/${e.id}`)).body.event.handleDueAt;

    await dispatcher.goto(`${server.url}/console/events?tab=requests`);
    await row(dispatcher, e.code).click();
    await expect(dispatcher.locator('[data-pending="extension"]').innerText()).resolves.toContain('需搭脚手架');
    await act(dispatcher, 'approve_extension');
    const extended = (await request(`${server.url}/api/v1/events/${e.id}`)).body.event.handleDueAt;
    expect(Date.parse(extended) - Date.parse(due)).toBe(48 * 3_600_000);
    // 催办: the centre urges the case in the worker's hands, with a note.
    await act(dispatcher, 'urge', (f) => f.locator('textarea[name="note"]').fill('请本周内完成'));

    await worker.goto(`${server.url}/console/events/${e.id}`);
    await act(worker, 'request_shelve', (f) => f.locator('textarea[name="note"]').fill('等待维修基金审批'));
    await dispatcher.goto(`${server.url}/console/events/${e.id}`);
    await act(dispatcher, 'approve_shelve');
    await eventually(async () => (await request(`${server.url}/api/v1/events/${e.id}`)).body.event.status).toBe('shelved');
    await act(dispatcher, 'unshelve');

    // The worker heard of the extension, the urge and the shelving, each with the case.
    await worker.goto(`${server.url}/console`);
    await worker.click('[data-notice-bell]');
    const panel = worker.locator('[data-notice-panel]');
    await panel.waitFor();
    await eventually(() => panel.innerText()).toContain('中心催办');
    const text = await panel.innerText();
    expect(text).toContain('延期');
    expect(text).toContain('挂账');
    await shot(worker, 'notices-after-requests-1280x800');
    await worker.keyboard.press('Escape');
    const steps = (await request(`${server.url}/api/v1/events/${e.id}`)).body.history.map((l: { action: string }) => l.action);
    expect(steps).toEqual(['report', 'accept', 'dispatch', 'sign', 'request_extension', 'approve_extension', 'urge', 'request_shelve', 'approve_shelve', 'unshelve']);
  });

  it('tells the second of two dispatchers on one case who changed it, instead of overwriting', async () => {
    const r = await request(`${server.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '丹桂巷路灯不亮', gridId: 'G01' }) });
    const other = await signedIn(browser, server.url, 'zhou-disp');
    await dispatcher.goto(`${server.url}/console/events/${r.body.event.id}`);
    await other.goto(`${server.url}/console/events/${r.body.event.id}`);
    await dispatcher.locator('[data-do="reject"]').waitFor();
    await other.locator('[data-do="reject"]').waitFor();
    // 周敏 starts to write a rejection; 陈晓 accepts first.
    await other.click('[data-do="reject"]');
    await other.locator('textarea[name="note"]').fill('重复上报');
    await act(dispatcher, 'accept');
    // Either 周敏 sends first (the server refuses: the case is not the version she read) or the
    // live stream gets there first (her form closes: rejecting is no longer open). Both say who.
    await other.locator('form[data-form="reject"] [data-submit]').click({ timeout: 1_000 }).catch(() => {});
    const banner = other.locator('[data-changed]');
    await banner.waitFor();
    await expect(banner.innerText()).resolves.toContain('陈晓');
    await shot(other, 'case-conflict-1280x800');
    expect((await request(`${server.url}/api/v1/events/${r.body.event.id}`)).body.event.status).toBe('accepted');
    expect(other.errors).toEqual([]);
    await other.context().close();
  });

  it('merges a duplicate at triage from the case page, and the open case keeps the second reporter', async () => {
    const place = { gridId: 'G03', lat: 30.2861, lng: 120.1212 };
    const first = (await request(`${server.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '桂花苑8幢门前垃圾成堆', ...place }) })).body.event;
    await request(`${server.url}/api/v1/events/${first.id}/accept`, { method: 'POST', body: {} });
    const dup = (await request(`${server.url}/api/v1/events`, {
      method: 'POST', body: sampleReport({ title: '8幢门口垃圾没人清', ...place, lat: place.lat + 0.0003, reporterName: '赵红梅', reporterPhone: '13600002222' }),
    })).body.event;
    await dispatcher.goto(`${server.url}/console/events/${dup.id}`);
    const card = dispatcher.locator('[data-duplicates]');
    await card.waitFor();
    await expect(card.innerText()).resolves.toContain(first.code);
    await dispatcher.keyboard.press('m');
    const form = dispatcher.locator('form[data-form="merge"]');
    await form.waitFor();
    // The nearest open case of the category is chosen first; the dispatcher picks the one it duplicates.
    await form.locator('[data-target]').first().waitFor();
    await expect(form.locator('[data-target]').first().isChecked()).resolves.toBe(true);
    await form.locator(`[data-target="${first.code}"]`).check();
    await shot(dispatcher, 'case-merge-1280x800');
    await form.locator('[data-submit]').click();
    await form.waitFor({ state: 'detached' });
    await dispatcher.locator('[data-duplicate-of]').click();
    await dispatcher.waitForURL((u) => u.pathname === `/console/events/${first.id}`);
    const merged = dispatcher.locator('[data-merged]');
    await merged.waitFor();
    await expect(merged.innerText()).resolves.toContain('赵红梅');
    await expect(merged.innerText()).resolves.toContain('13600002222');
    await shot(dispatcher, 'case-merged-into-1280x800');
  });

  it('keeps a grid worker out of another grid’s case', async () => {
    const r = await request(`${server.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '金桂苑车棚积水', gridId: 'G02' }) });
    await worker.goto(`${server.url}/console/events/${r.body.event.id}`);
    await expect(worker.locator('h1').innerText()).resolves.toBe('找不到这个案件');
    await worker.goto(`${server.url}/console/events?tab=open`);
    await worker.locator('table[data-table="queue"]').waitFor();
    await expect(row(worker, r.body.event.code).count()).resolves.toBe(0);
  });

  it('shows the same queue on the community’s grids, and a dot opens its case', async () => {
    await dispatcher.goto(`${server.url}/console/events?tab=open`);
    await dispatcher.locator('table[data-table="queue"] tbody tr[data-case]').first().waitFor();
    await dispatcher.click('[data-view-map]');
    const map = dispatcher.locator('[data-queue-map]');
    await map.waitFor();
    await eventually(async () => Number(await map.getAttribute('data-queue-map'))).toBeGreaterThan(0);
    await map.locator('canvas').first().waitFor();
    await dispatcher.waitForTimeout(300);
    await shot(dispatcher, 'queue-map-1280x800');
    expect(dispatcher.url()).toContain('view=map');
  });

  it('reads well at 1920×1080 and in English', async () => {
    await dispatcher.setViewportSize(LARGE);
    await dispatcher.goto(`${server.url}/console/events?tab=open`);
    await dispatcher.locator('table[data-table="queue"] tbody tr[data-case]').first().waitFor();
    await shot(dispatcher, 'queue-open-1920x1080');
    await dispatcher.evaluate(() => localStorage.setItem('cerebellum.console.lang', 'en'));
    await dispatcher.reload();
    await dispatcher.locator('table[data-table="queue"] tbody tr[data-case]').first().waitFor();
    await shot(dispatcher, 'queue-open-en-1920x1080');
    await dispatcher.setViewportSize(SMALL);
    expect(dispatcher.errors).toEqual([]);
    expect(worker.errors).toEqual([]);
  });
});
