/**
 * End to end on a grid worker's tablet (/tablet, Chromium, a real server and database): the
 * worker logs in and sees the cases dispatched to them; the network goes; they report five events
 * (one with a large photo sent in chunks and a small one, placed by GPS, the others by a tap on
 * the grid map, three more with a photo each), sign for, start and resolve a task with
 * before/after photos; reload the app with no network (it opens from its service worker with
 * everything kept); the network comes back and every record arrives once — the first report's
 * answer is lost on the way and its retry is answered with the first outcome — and a
 * dispatcher's queue and the wall, open elsewhere, show the new reports and the resolved task
 * without a reload. Screenshots at 1280×800, 800×1280 and 390×844, in the
 * sunlight and indoor themes, in tests/artifacts/tablet-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { SITE_PHOTO, TEST_PASSWORD, request, sampleReport, startServer, type TestServer } from '../support/server.ts';
import { axeSerious } from '../support/a11y.ts';

const ARTIFACTS = path.resolve('tests/artifacts');

if (!fs.existsSync(path.join(CLIENT_DIR, 'tablet-sw.js'))) {
  throw new Error(`The field app is not built (${CLIENT_DIR}): run npm run build:client before the e2e tests.`);
}

/** The reports made offline after the first two, each with a photo. */
const MORE_REPORTS = ['桂花苑2幢电梯异响', '桂花苑东门井盖松动', '桂花苑广场长椅损坏'];
const REPORT_TITLES = ['桂花苑3幢楼道堆放杂物', '桂花苑南门路面坑洼', ...MORE_REPORTS];

const eventually = <T>(check: () => T | Promise<T>, timeout = 15_000) => expect.poll(check, { timeout, interval: 100 });
const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('a grid worker\'s tablet through a shift without signal', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api = '';
  const errors: string[] = [];
  const tasks: { id: number; code: string }[] = [];
  /** A place inside grid G01 (WGS-84), where the GPS says the worker stands. */
  let inG01: { latitude: number; longitude: number };

  const db = () => server.app.db;
  const eventsTitled = (title: string) => (db().prepare('SELECT COUNT(*) AS n FROM events WHERE title = ?').get(title) as { n: number }).n;
  const photosOf = (id: number) => (db().prepare('SELECT COUNT(*) AS n FROM event_photos WHERE event_id = ?').get(id) as { n: number }).n;
  const waiting = () => page.locator('[data-waiting]').getAttribute('data-waiting');
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `tablet-${name}.png`), fullPage: true });

  /** A dispatcher's queue (调度台) in a console of its own, signed in. */
  async function deskOf(username: string): Promise<Page> {
    const p = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
    p.on('pageerror', (e) => errors.push(`desk: ${String(e)}`));
    await p.goto(`${server.url}/console/events`);
    await p.waitForFunction(() => document.body.dataset.view === 'login');
    await p.fill('input[name="username"]', username);
    await p.fill('input[name="password"]', TEST_PASSWORD);
    await p.click('form[data-form="login"] button[type="submit"]');
    await p.locator('table[data-table="queue"]').waitFor();
    return p;
  }

  /** The wall (a paired display) on the grid-event scene. */
  async function wallOf(): Promise<Page> {
    const p = await (await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
    p.on('pageerror', (e) => errors.push(`wall: ${String(e)}`));
    await p.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
    await p.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    return p;
  }

  async function dispatchedTask(title: string): Promise<{ id: number; code: string }> {
    const r = await request(`${api}/events`, { method: 'POST', body: sampleReport({ title, category: 'facilities', subcategory: 'streetlight' }) });
    const id = r.body.event.id as number;
    for (const [action, body] of [['accept', {}], ['dispatch', { assigneeId: server.app.directory.grids.get('G01')!.workerId! }]] as const) {
      const a = await request(`${api}/events/${id}/${action}`, { method: 'POST', body });
      expect(a.status, `${action}: ${JSON.stringify(a.body)}`).toBe(200);
    }
    return { id, code: r.body.event.code };
  }

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    api = `${server.url}/api/v1`;
    const community = server.app.directory.defaultCommunity()!.id;
    await server.app.auth.accounts.users.create(null, community, {
      username: 'wang-gw', displayName: '王丽萍', role: 'grid_worker', grids: ['G01'], workerId: server.app.directory.grids.get('G01')!.workerId!,
      password: TEST_PASSWORD, mustChangePassword: false,
    });
    await server.app.auth.accounts.users.create(null, community, {
      username: 'zhao-disp', displayName: '赵敏', role: 'dispatcher', password: TEST_PASSWORD, mustChangePassword: false,
    });
    tasks.push(await dispatchedTask('桂花苑5幢路灯不亮'), await dispatchedTask('桂花苑北门消防栓漏水'));
    const ring = (server.app.directory.grids.get('G01')!.geometry as { coordinates: number[][][] }).coordinates[0]!;
    const lng = ring.reduce((s, p) => s + p[0]!, 0) / ring.length, lat = ring.reduce((s, p) => s + p[1]!, 0) / ring.length;
    inG01 = { longitude: lng, latitude: lat };
    browser = await launchBrowser();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
      permissions: ['geolocation'], geolocation: inG01,
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('logs in and shows the worker\'s tasks, kept for offline', async () => {
    await page.goto(`${server.url}/tablet`);
    await page.locator('[data-login]').waitFor();
    await shot('login-1280x800');
    expect(await axeSerious(page), 'login').toEqual([]);
    await page.fill('input[name="username"]', 'wang-gw');
    await page.fill('input[name="password"]', TEST_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await eventually(() => page.locator('[data-task]').count()).toBe(2);
    await expect(page.locator('[data-whose]').innerText()).resolves.toBe('王丽萍 的平板');
    await expect(page.locator('[data-waiting]').innerText()).resolves.toBe('全部已同步');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
    // Every task's page is kept once loaded, and the grids.
    await eventually(() => page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((res, rej) => { const r = indexedDB.open('cerebellum-tablet'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      const keys = await new Promise<IDBValidKey[]>((res) => { const r = db.transaction('kept').objectStore('kept').getAllKeys(); r.onsuccess = () => res(r.result); });
      db.close();
      return keys.map(String).filter((k) => k.startsWith('event:') || k === 'grids').length;
    })).toBe(3);
    for (const b of await page.locator('main button, main a, nav a, header button').all()) {
      const box = await b.boundingBox();
      if (box) expect(box.height, (await b.textContent()) ?? '').toBeGreaterThanOrEqual(48);
    }
    expect(await noSideScroll(page)).toBe(true);
    await shot('tasks-1280x800');
    expect(await axeSerious(page), 'tasks').toEqual([]);
  });

  it('reports, signs, starts and resolves with no network; reloads offline; sends everything once when the network is back', async () => {
    // A large photo (noise: it stays big after compression, so it goes in several chunks).
    const bigJpeg = Buffer.from(await page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 3000; c.height = 2000;
      const ctx = c.getContext('2d')!;
      const img = ctx.createImageData(3000, 2000);
      for (let i = 0; i < img.data.length; i++) img.data[i] = (i & 3) === 3 ? 255 : Math.random() * 255;
      ctx.putImageData(img, 0, 0);
      const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/jpeg', 0.95));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    }), 'base64');

    await context.setOffline(true);
    await eventually(() => page.locator('[data-net]').getAttribute('data-net')).toBe('offline');

    // Report 1: GPS, a big photo from the gallery and a small one.
    await page.getByRole('link', { name: '上报事件' }).click();
    await page.locator('[data-report]').waitFor();
    await page.selectOption('select[name="category"]', 'environment');
    await page.selectOption('select[name="subcategory"]', 'garbage');
    await page.fill('input[name="title"]', '桂花苑3幢楼道堆放杂物');
    await page.fill('textarea[name="description"]', '楼道内堆放纸箱和旧家具，影响通行。');
    await page.locator('[data-gps]').click();
    await eventually(() => page.locator('[data-where]').innerText()).toContain('所在网格：');
    await page.locator('[data-photos="report"] [data-gallery]').setInputFiles([
      { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: bigJpeg },
      { name: 'site.png', mimeType: 'image/png', buffer: SITE_PHOTO },
    ]);
    await eventually(() => page.locator('[data-photos="report"] [data-photo]').count()).toBe(2);
    await page.locator('[data-urgency="urgent"]').click();
    expect(await noSideScroll(page)).toBe(true);
    await shot('report-1280x800');
    expect(await axeSerious(page), 'report').toEqual([]);
    await page.locator('[data-report] [data-submit]').click();
    await page.getByRole('status').filter({ hasText: '已保存在本机' }).waitFor();
    await eventually(waiting).toBe('1');

    // Report 2: placed by a tap on the map, no photo.
    await page.fill('input[name="title"]', '桂花苑南门路面坑洼');
    const map = page.locator('[data-map] [data-grid="G01"]');
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await eventually(() => page.locator('[data-where]').innerText()).toContain('所在网格：');
    await page.locator('[data-report] [data-submit]').click();
    await eventually(waiting).toBe('2');

    // Three more, each with a photo, placed on the map.
    for (const [i, title] of MORE_REPORTS.entries()) {
      await page.fill('input[name="title"]', title);
      await page.mouse.click(box.x + box.width * (0.3 + 0.2 * i), box.y + box.height / 2);
      await eventually(() => page.locator('[data-where]').innerText()).toContain('所在网格：');
      await page.locator('[data-photos="report"] [data-gallery]').setInputFiles({ name: `site-${i}.png`, mimeType: 'image/png', buffer: SITE_PHOTO });
      await eventually(() => page.locator('[data-photos="report"] [data-photo]').count()).toBe(1);
      await page.locator('[data-report] [data-submit]').click();
      await eventually(waiting).toBe(String(3 + i));
    }

    // The first task: sign for, start, resolve with before and after photos.
    await page.getByRole('link', { name: '我的任务' }).click();
    await page.locator(`[data-task="${tasks[0]!.id}"]`).click();
    await page.locator(`[data-task-page="${tasks[0]!.id}"]`).waitFor();
    await page.locator('[data-do="sign"]').click();
    await eventually(waiting).toBe('6');
    await page.locator('[data-do="start"]').click();
    await eventually(waiting).toBe('7');
    await page.locator('[data-do="resolve"]').click();
    await page.fill('form[data-form="resolve"] textarea[name="note"]', '已更换灯泡，路灯恢复照明。');
    await page.locator('[data-photos="before"] [data-gallery]').setInputFiles({ name: 'before.png', mimeType: 'image/png', buffer: SITE_PHOTO });
    await page.locator('[data-photos="after"] [data-gallery]').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: bigJpeg.subarray(0) });
    await eventually(() => page.locator('form[data-form="resolve"] [data-photo]').count()).toBe(2);
    await shot('resolve-1280x800');
    await page.locator('form[data-form="resolve"] [data-submit]').click();
    await eventually(waiting).toBe('8');
    expect(await page.locator('[data-actions]').count()).toBe(0);
    await expect(page.locator('[data-waiting]').innerText()).resolves.toMatch(/^待同步 8 条 · 最早 /);

    // Nothing reached the server.
    expect(eventsTitled('桂花苑3幢楼道堆放杂物')).toBe(0);
    expect((await request(`${api}/events/${tasks[0]!.id}`)).body.event.status).toBe('dispatched');

    // Reloaded with no network: the app opens from its service worker, with everything kept.
    await page.reload();
    await eventually(waiting).toBe('8');
    await expect(page.locator('[data-whose]').innerText()).resolves.toBe('王丽萍 的平板');
    await page.locator(`[data-task-page="${tasks[0]!.id}"]`).waitFor();
    await page.getByRole('link', { name: '我的任务' }).click();
    await eventually(() => page.locator('[data-task]').count()).toBe(2);
    await page.locator('[data-kept]').waitFor();
    await shot('offline-tasks-1280x800');
    await page.getByRole('link', { name: /同步记录/ }).click();
    await eventually(() => page.locator('[data-record][data-state="saved"]').count()).toBe(8);
    await shot('offline-sync-1280x800');

    // The dispatcher's queue and the wall are open elsewhere; neither will be reloaded.
    const desk = await deskOf('zhao-disp');
    const wall = await wallOf();
    const reportedBefore = Number(await wall.locator('[data-kpi="reportedToday"]').getAttribute('data-value'));
    for (const p of [desk, wall]) await p.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // The first report's answer is lost on the way (the server applies it; the tablet hears nothing).
    let lost = 0;
    await context.route(`${api}/events`, async (route) => {
      if (route.request().method() !== 'POST' || lost++) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });

    // The network is back: everything is sent, in order, once.
    await context.setOffline(false);
    await eventually(waiting, 60_000).toBe('0');
    await eventually(() => page.locator('[data-record][data-state="received"]').count()).toBe(8);
    expect(lost).toBeGreaterThanOrEqual(2);
    expect(eventsTitled('桂花苑3幢楼道堆放杂物')).toBe(1);
    expect(eventsTitled('桂花苑南门路面坑洼')).toBe(1);
    for (const title of MORE_REPORTS) expect(eventsTitled(title), title).toBe(1);
    const report = db().prepare('SELECT id, code, grid_id, lat, lng, source FROM events WHERE title = ?').get('桂花苑3幢楼道堆放杂物') as
      { id: number; code: string; grid_id: string; lat: number; lng: number; source: string };
    expect(report.grid_id).toBe('G01');
    expect(report.source).toBe('patrol');
    expect(report.lng).toBeCloseTo(inG01.longitude, 6);
    expect(report.lat).toBeCloseTo(inG01.latitude, 6);
    expect(photosOf(report.id)).toBe(2);
    const done = await request(`${api}/events/${tasks[0]!.id}`);
    expect(done.body.event.status).toBe('resolved');
    expect(done.body.history.filter((h: { action: string }) => ['sign', 'start', 'resolve'].includes(h.action)).map((h: { action: string }) => h.action))
      .toEqual(['sign', 'start', 'resolve']);
    expect(photosOf(tasks[0]!.id)).toBe(2);

    // The dispatcher's queue lists the five new reports to triage, and the wall counts them, live.
    const codes = (db().prepare(`SELECT code FROM events WHERE title IN (${[...REPORT_TITLES].map(() => '?').join(', ')})`).all(...REPORT_TITLES) as { code: string }[]).map((r) => r.code);
    expect(codes).toHaveLength(5);
    for (const code of codes) await desk.locator(`tr[data-case="${code}"]`).waitFor({ timeout: 15_000 });
    await desk.click('[data-tab="verify"]');
    await desk.locator(`tr[data-case="${tasks[0]!.code}"]`).waitFor({ timeout: 15_000 });
    await eventually(() => wall.locator('[data-kpi="reportedToday"]').getAttribute('data-value')).toBe(String(reportedBefore + 5));
    for (const p of [desk, wall]) expect(await p.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await desk.context().close();
    await wall.context().close();

    // Each record shows the server's receipt: the case number and its photos.
    const first = page.locator('[data-record][data-kind="report"]', { hasText: '桂花苑3幢楼道堆放杂物' });
    await expect(first.locator('[data-receipt]').innerText()).resolves.toContain(`案卷号 ${report.code}`);
    await expect(first.locator('[data-receipt]').innerText()).resolves.toContain('照片 2/2');
    await expect(page.locator('[data-record][data-kind="resolve"] [data-receipt]').innerText()).resolves.toContain('照片 2/2');
    expect(await page.locator('body').innerText()).not.toMatch(/失败|failed/i);
    await shot('sync-1280x800');
    expect(await axeSerious(page), 'sync').toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it('reads well upright, on a phone, indoors and in English', async () => {
    for (const [w, h] of [[800, 1280], [390, 844], [1280, 800]] as const) {
      await page.setViewportSize({ width: w, height: h });
      for (const theme of ['sun', 'indoor'] as const) {
        await page.evaluate((t) => localStorage.setItem('cerebellum.tablet.theme', t), theme);
        for (const [where, link] of [['tasks', '我的任务'], ['report', '上报事件']] as const) {
          await page.goto(`${server.url}/tablet`);
          await page.getByRole('link', { name: link }).click();
          await page.locator(where === 'tasks' ? '[data-task]' : '[data-map]').first().waitFor();
          expect(await noSideScroll(page), `${where} ${w}x${h} ${theme}`).toBe(true);
          if (w !== 1280) await shot(`${where}-${theme}-${w}x${h}`);
          else if (theme === 'indoor') await shot(`${where}-indoor-1280x800`);
        }
      }
    }
    await page.evaluate(() => localStorage.setItem('cerebellum.tablet.theme', 'sun'));
    await page.goto(`${server.url}/tablet/tasks/${tasks[1]!.id}`);
    await page.getByRole('button', { name: 'EN · 切换语言' }).click();
    await eventually(() => page.locator('[data-task-page]').innerText()).toContain('Sign for');
    await expect(page.locator('[data-whose]').innerText()).resolves.toBe('王丽萍’s tablet');
    await shot('task-en-1280x800');
    expect(errors).toEqual([]);
  });

  it('shows a case the dispatcher sends the worker now, without a pull or a reload', async () => {
    await page.goto(`${server.url}/tablet`);
    await page.locator('[data-task]').first().waitFor();
    await page.locator('body[data-live="on"]').waitFor();
    // The tasks asked for on connecting are in; from now on only the notice can bring the new one.
    await page.waitForTimeout(1_000);
    const before = await page.locator('[data-task]').count();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const fresh = await dispatchedTask('桂花苑7幢门禁损坏');
    await page.locator(`[data-task="${fresh.id}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-task]').count()).toBe(before + 1);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(errors).toEqual([]);
  });
});
