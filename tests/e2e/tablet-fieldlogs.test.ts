/**
 * End to end, the grid worker's field logs and register on the tablet (/tablet, Chromium, a real
 * server and database): the worker logs in (their grids' register is kept for offline); the
 * network goes; they run a patrol with two notes — reloading in the middle, the patrol is still
 * running — open a report from a note, and end it; log a visit to a key-population household and
 * raise a need from it; correct a resident's phone and add a resident; reload with no network
 * (the app opens from its service worker, every record still kept); the network comes back and
 * each record arrives exactly once — the patrol's first answer is lost on the way and its retry
 * is answered with the first outcome. Screenshots of the new pages at 1280×800, 800×1280 and
 * 390×844 in both themes, in /tmp/shots-fieldlogs/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { TEST_PASSWORD, request, startServer, type TestServer } from '../support/server.ts';
import { axeSerious } from '../support/a11y.ts';

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots-fieldlogs';

if (!fs.existsSync(path.join(CLIENT_DIR, 'tablet-sw.js'))) {
  throw new Error(`The field app is not built (${CLIENT_DIR}): run npm run build:client before the e2e tests.`);
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 15_000) => expect.poll(check, { timeout, interval: 100 });
const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('a grid worker\'s patrol, visits and register on the tablet with no signal', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api = '';
  const errors: string[] = [];
  /** The register the worker finds: one building, a household of an elderly woman living alone, and a family's. */
  const ids = { building: 0, keyHousehold: 0, family: 0, wang: 0, li: 0 };

  const waiting = () => page.locator('[data-waiting]').getAttribute('data-waiting');
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const kept = (key: string) => page.evaluate(async (k) => {
    const db = await new Promise<IDBDatabase>((res, rej) => { const r = indexedDB.open('cerebellum-tablet'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const v = await new Promise<unknown>((res) => { const r = db.transaction('kept').objectStore('kept').get(k); r.onsuccess = () => res(r.result); });
    db.close();
    return v ?? null;
  }, key);

  async function made(path: string, body: unknown, key: string): Promise<number> {
    const r = await request(`${api}${path}`, { method: 'POST', body });
    expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(201);
    return r.body[key].id as number;
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    server = await startServer();
    api = `${server.url}/api/v1`;
    const community = server.app.directory.defaultCommunity()!.id;
    await server.app.auth.accounts.users.create(null, community, {
      username: 'wang-gw', displayName: '王丽萍', role: 'grid_worker', grids: ['G01'], workerId: server.app.directory.grids.get('G01')!.workerId!,
      password: TEST_PASSWORD, mustChangePassword: false,
    });
    ids.building = await made('/register/buildings', { gridId: 'G01', address: '桂花苑5幢', units: 2, floors: 6 }, 'building');
    ids.keyHousehold = await made('/register/households', { buildingId: ids.building, unit: '2', room: '302', kind: 'owner' }, 'household');
    ids.family = await made('/register/households', { buildingId: ids.building, unit: '1', room: '101', kind: 'rented' }, 'household');
    ids.wang = await made('/register/residents', {
      householdId: ids.keyHousehold, name: '王秀英', gender: 'female', birth: '1941', phone: '13812345678', relation: 'head', residence: 'resident',
      tags: ['elderly_alone'], emergencyContact: { name: '王建国', phone: '13900001111', relation: '儿子' },
    }, 'resident');
    ids.li = await made('/register/residents', {
      householdId: ids.family, name: '李建国', gender: 'male', birth: '1985-06-01', phone: '13700002222', relation: 'head', residence: 'temporary',
    }, 'resident');
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('logs in and keeps the register of the worker\'s grids for offline', async () => {
    await page.goto(`${server.url}/tablet`);
    await page.fill('input[name="username"]', 'wang-gw');
    await page.fill('input[name="password"]', TEST_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('[data-whose]').waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
    await eventually(async () => ((await kept('register:wang-gw')) as { residents?: unknown[] } | null)?.residents?.length ?? 0).toBe(2);
    await eventually(async () => (await kept('grids')) !== null).toBe(true);
  });

  it('patrols, visits, corrects and adds with no network; reloads offline; sends each record once when the network is back', async () => {
    await context.setOffline(true);
    await eventually(() => page.locator('[data-net]').getAttribute('data-net')).toBe('offline');

    // A patrol with two notes; the tablet is reloaded in the middle and the patrol still runs.
    await page.getByRole('link', { name: '巡查' }).click();
    await page.locator('[data-patrol="idle"]').waitFor();
    await expect(page.locator('[data-grid-choice="G01"]').getAttribute('aria-pressed')).resolves.toBe('true');
    await page.fill('input[name="route"]', '桂花苑北门—5幢—地下车库');
    await page.locator('[data-start]').click();
    await page.locator('[data-patrol="running"]').waitFor();
    await page.fill('textarea[name="note"]', '5幢2单元楼道堆放纸箱');
    await page.locator('[data-add-note]').click();
    await eventually(() => page.locator('[data-note]').count()).toBe(1);
    await page.reload();
    await page.locator('[data-patrol="running"]').waitFor();
    await expect(page.locator('[data-note="0"]').innerText()).resolves.toContain('5幢2单元楼道堆放纸箱');
    await expect(page.locator('input[name="route"]').inputValue()).resolves.toBe('桂花苑北门—5幢—地下车库');
    await page.fill('textarea[name="note"]', '地下车库一盏灯不亮');
    await page.locator('[data-add-note]').click();
    await eventually(() => page.locator('[data-note]').count()).toBe(2);
    expect(await noSideScroll(page)).toBe(true);
    expect(await axeSerious(page), 'patrol').toEqual([]);
    // "上报事件" from a note opens the report with its words; the patrol keeps running meanwhile.
    await page.locator('[data-report-note="1"]').click();
    await page.locator('[data-report]').waitFor();
    await expect(page.locator('input[name="title"]').inputValue()).resolves.toBe('地下车库一盏灯不亮');
    await page.getByRole('link', { name: '巡查' }).click();
    await page.fill('textarea[name="summary"]', '总体良好，已提醒物业清理楼道。');
    await page.locator('[data-end]').click();
    await page.locator('[data-patrol="idle"]').waitFor();
    await eventually(waiting).toBe('1');

    // A visit to the key-population household, and a need raised from it.
    await page.getByRole('link', { name: '走访' }).click();
    await page.locator(`[data-household="${ids.keyHousehold}"]`).waitFor();
    await expect(page.locator(`[data-household="${ids.keyHousehold}"] [data-tag="elderly_alone"]`).innerText()).resolves.toBe('独居老人');
    expect(await axeSerious(page), 'grid').toEqual([]);
    await page.locator('[data-key-only]').click();
    await eventually(() => page.locator('[data-household]').count()).toBe(1);
    await page.locator(`[data-household="${ids.keyHousehold}"]`).click();
    await page.locator(`[data-household-page="${ids.keyHousehold}"]`).waitFor();
    await page.locator('[data-begin="visit"]').click();
    await expect(page.locator('[data-kind="key_population"]').getAttribute('aria-pressed')).resolves.toBe('true');
    await page.locator(`[data-whom="${ids.wang}"]`).click();
    await page.locator('[data-safety="concern"]').click();
    await page.locator('[data-health="fair"]').click();
    await page.locator('[data-living="difficult"]').click();
    await page.fill('form[data-form="visit"] textarea[name="note"]', '老人腿脚不便，做饭困难，希望有人送餐。');
    await page.locator('input[name="followUp"]').check();
    expect(await axeSerious(page), 'visit').toEqual([]);
    await page.locator('form[data-form="visit"] [data-submit]').click();
    await eventually(waiting).toBe('2');
    await page.locator('[data-begin="need"]').click();
    await page.fill('form[data-form="need"] input[name="title"]', '需要助餐送餐');
    await page.selectOption('form[data-form="need"] select[name="category"]', 'meals');
    await page.locator('[data-need-urgency="high"]').click();
    await page.locator('form[data-form="need"] [data-submit]').click();
    await eventually(waiting).toBe('3');
    await page.locator('[data-begin="done"]').click();

    // A resident's phone corrected, and a resident added.
    await page.locator(`[data-fix="${ids.wang}"]`).click();
    await page.fill('form[data-form="fix"] input[name="phone"]', '0571 87654321');
    await page.locator('form[data-form="fix"] [data-submit]').click();
    await eventually(waiting).toBe('4');
    await expect(page.locator(`[data-resident="${ids.wang}"] [data-phone]`).innerText()).resolves.toBe('0571 87654321');
    await page.locator(`[data-resident="${ids.wang}"] [data-pending="fix"]`).waitFor();
    await page.locator('[data-begin="add"]').click();
    await page.fill('form[data-form="add"] input[name="name"]', '李小红');
    await page.fill('form[data-form="add"] input[name="birth"]', '2019');
    await page.locator('[data-gender="female"]').click();
    await page.selectOption('form[data-form="add"] select[name="relation"]', 'grandchild');
    await page.locator('[data-tag-choice="left_behind_child"]').click();
    expect(await axeSerious(page), 'add a resident').toEqual([]);
    await page.locator('form[data-form="add"] [data-submit]').click();
    await eventually(waiting).toBe('5');
    await page.locator('[data-resident="new"][data-name="李小红"] [data-pending="add"]').waitFor();

    // Nothing reached the server.
    expect((await request(`${api}/patrols`)).body.items).toHaveLength(0);
    expect((await request(`${api}/visits`)).body.items).toHaveLength(0);

    // Reloaded with no network: the app opens from its service worker, with everything kept.
    await page.reload();
    await eventually(waiting).toBe('5');
    await page.locator(`[data-household-page="${ids.keyHousehold}"]`).waitFor();
    await page.locator('[data-resident="new"][data-name="李小红"]').waitFor();
    await page.getByRole('link', { name: '巡查' }).click();
    await page.locator('[data-patrol="idle"]').waitFor();
    await page.getByRole('link', { name: /同步记录/ }).click();
    await eventually(() => page.locator('[data-record][data-state="saved"]').count()).toBe(5);
    expect((await page.locator('[data-record]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).sort())
      .toEqual(['need', 'patrol', 'resident_add', 'resident_fix', 'visit']);

    // The patrol's first answer is lost on the way (the server applies it; the tablet hears nothing).
    let lost = 0;
    await context.route(`${api}/patrols`, async (route) => {
      if (route.request().method() !== 'POST' || lost++) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });

    // The network is back: everything is sent, in order, once.
    await context.setOffline(false);
    await eventually(waiting, 60_000).toBe('0');
    await eventually(() => page.locator('[data-record][data-state="received"]').count()).toBe(5);
    expect(lost).toBeGreaterThanOrEqual(2);

    const patrols = (await request(`${api}/patrols`)).body.items;
    expect(patrols).toHaveLength(1);
    expect(patrols[0]).toMatchObject({ gridId: 'G01', by: 'wang-gw', route: '桂花苑北门—5幢—地下车库', summary: '总体良好，已提醒物业清理楼道。' });
    expect(patrols[0].notes.map((n: { text: string }) => n.text)).toEqual(['5幢2单元楼道堆放纸箱', '地下车库一盏灯不亮']);
    const visits = (await request(`${api}/visits`)).body.items;
    expect(visits).toHaveLength(1);
    expect(visits[0]).toMatchObject({
      householdId: ids.keyHousehold, residentId: ids.wang, kind: 'key_population', met: true, safety: 'concern', health: 'fair', living: 'difficult', followUp: true,
    });
    const needs = (await request(`${api}/needs?q=${encodeURIComponent('需要助餐送餐')}`)).body.items;
    expect(needs).toHaveLength(1);
    expect(needs[0]).toMatchObject({ category: 'meals', urgency: 'high', gridId: 'G01', residentName: '王秀英', populations: ['elderly_alone'] });
    const wang = (await request(`${api}/register/residents/${ids.wang}`)).body.resident;
    expect(wang).toMatchObject({ phone: '0571 87654321', version: 2, tags: ['elderly_alone'] });
    const household = (await request(`${api}/register/residents?household=${ids.keyHousehold}`)).body.items;
    expect(household.filter((r: { name: string }) => r.name === '李小红')).toHaveLength(1);
    expect(household.find((r: { name: string }) => r.name === '李小红')).toMatchObject({ relation: 'grandchild', birth: '2019', tags: ['left_behind_child'] });
    expect(household).toHaveLength(2);

    // The sync page shows each record received; the need with its number.
    await expect(page.locator('[data-record][data-kind="need"] [data-receipt]').innerText()).resolves.toContain(`需求编号 ${needs[0].code}`);
    expect(await page.locator('body').innerText()).not.toMatch(/失败|failed/i);
    expect(await axeSerious(page), 'sync').toEqual([]);
    // The household, loaded again, shows the register as the server has it, nothing pending.
    await page.goto(`${server.url}/tablet/households/${ids.keyHousehold}`);
    await page.locator('[data-resident]:not([data-resident="new"])[data-name="李小红"]').waitFor();
    expect(await page.locator('[data-pending]').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);

  it('reads well on its side, upright and on a phone, in sunlight and indoors', async () => {
    // A patrol running with notes, for its picture.
    await page.goto(`${server.url}/tablet/patrol`);
    await page.locator('[data-start]').click();
    await page.locator('[data-patrol="running"]').waitFor();
    for (const note of ['北门道闸损坏，车辆无法正常进出', '5幢西侧绿化带有积水']) {
      await page.fill('textarea[name="note"]', note);
      await page.locator('[data-add-note]').click();
    }
    await eventually(() => page.locator('[data-note]').count()).toBe(2);
    const pages = [
      ['patrol', '/tablet/patrol', '[data-patrol="running"]'],
      ['grid', '/tablet/grid', '[data-household]'],
      ['household', `/tablet/households/${ids.keyHousehold}`, '[data-resident]'],
      ['visit', `/tablet/households/${ids.keyHousehold}`, '[data-begin="visit"]'],
      ['resident', `/tablet/households/${ids.keyHousehold}`, `[data-fix="${ids.wang}"]`],
      ['sync', '/tablet/sync', '[data-record]'],
    ] as const;
    for (const [w, h] of [[1280, 800], [800, 1280], [390, 844]] as const) {
      await page.setViewportSize({ width: w, height: h });
      for (const theme of ['sun', 'indoor'] as const) {
        await page.evaluate((t) => localStorage.setItem('cerebellum.tablet.theme', t), theme);
        for (const [name, url, ready] of pages) {
          await page.goto(`${server.url}${url}`);
          await page.locator(ready).first().waitFor();
          if (name === 'visit') await page.locator('[data-begin="visit"]').click();
          if (name === 'resident') await page.locator(`[data-fix="${ids.wang}"]`).click();
          expect(await noSideScroll(page), `${name} ${w}x${h} ${theme}`).toBe(true);
          // One row of header and one of tabs, even on a phone.
          const top = (await page.locator('header.top').boundingBox())!;
          expect(top.height, `header ${w}x${h}`).toBeLessThan(80);
          for (const b of await page.locator('main button, main a, nav a, header button').all()) {
            const box = await b.boundingBox();
            if (box && box.width > 0) expect(box.height, `${name} ${w}x${h}: ${(await b.textContent()) ?? ''}`).toBeGreaterThanOrEqual(48);
          }
          await shot(`${name}-${theme}-${w}x${h}`);
        }
      }
    }
    await page.evaluate(() => localStorage.setItem('cerebellum.tablet.theme', 'sun'));
    await page.goto(`${server.url}/tablet/households/${ids.keyHousehold}`);
    await page.getByRole('button', { name: 'EN · 切换语言' }).click();
    await eventually(() => page.locator('[data-household-page]').innerText()).toContain('Log a visit');
    await shot('household-en-sun-390x844');
    expect((await page.locator('header.top').boundingBox())!.height).toBeLessThan(80);
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot('household-en-sun-1280x800');
    expect(errors).toEqual([]);
  }, 180_000);
});
