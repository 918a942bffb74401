/**
 * Emergency mode end to end, in real Chromium: a dispatcher declares a level-Ⅱ typhoon for two
 * grids in the console; a wall in a second browser context switches to the emergency layout
 * without a reload, in orange; the console's incident page shows the wall as switched; ending
 * the incident returns the wall to its playlist. Then a drill: the wall shows 演练. Screenshots
 * go to /tmp/shots-incident/ (the wall at 1920×1080, 3840×2160 and 5760×1080, the console at 1280×800).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { loginAs, post, startServer, TEST_PASSWORD, type Credentials, type TestServer } from '../support/server.ts';

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const SHOTS = '/tmp/shots-incident';
const eventually = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000, interval: 50 });

let server: TestServer;
let browser: Browser;
let dispatcher: Credentials;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ historyDays: 1 });
  dispatcher = await loginAs(server.url, 'dispatcher');
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openWall(size: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(`${server.url}/screen?scene=events#display=${server.displayToken}`);
  await page.locator('body[data-ready="1"]').waitFor({ timeout: 20_000 });
  return page;
}

async function openConsole(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(`${server.url}/console/incidents`);
  await eventually(() => page.locator('body').getAttribute('data-view')).toBe('login');
  await page.fill('input[name="username"]', dispatcher.username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.locator('[data-declare-form]').waitFor({ timeout: 10_000 });
  return page;
}

describe('emergency mode', () => {
  it('flips a wall to the emergency layout when a dispatcher declares, shows it switched, and returns it to its playlist at the end', async () => {
    const wall = await openWall({ width: 1920, height: 1080 });
    const loadedAt = await wall.evaluate(() => performance.timeOrigin);
    const desk = await openConsole();

    await desk.selectOption('select[name="type"]', 'typhoon');
    await desk.check('input[name="level"][value="2"]');
    await desk.check('input[name="area"] >> nth=1');
    await desk.check('input[name="grid"][value="G01"]');
    await desk.check('input[name="grid"][value="G02"]');
    await desk.fill('input[name="headline"]', '台风“海葵”今夜登陆');
    await desk.fill('textarea[name="instructions"]', '低洼地带居民请于 20:00 前转移至社区服务中心；关好门窗，收起阳台物品。');
    await desk.click('[data-declare-form] button.btn.danger');

    const layout = wall.locator('[data-testid="emergency"]');
    await layout.waitFor({ timeout: 5_000 });
    expect(await layout.getAttribute('data-level')).toBe('2');
    expect(await layout.getAttribute('data-colour')).toBe('orange');
    expect(await layout.getAttribute('data-drill')).toBe('0');
    await expect(wall.locator('[data-testid="emergency-headline"]').textContent()).resolves.toBe('台风“海葵”今夜登陆');
    // Without a reload: the page is the one loaded at the start.
    expect(await wall.evaluate(() => performance.timeOrigin)).toBe(loadedAt);

    // The console: the bar, and the wall switched.
    await desk.locator('[data-incident-bar][data-level="2"]').waitFor();
    await eventually(() => desk.locator('[data-screens] tr[data-flipped="1"]').count()).toBe(1);
    await desk.locator('[data-screens] [data-pending="0"]').waitFor();
    await wall.waitForTimeout(400); // the map draws
    await wall.screenshot({ path: `${SHOTS}/wall-1920x1080.png` });
    await desk.screenshot({ path: `${SHOTS}/console-incident-page-1280x800.png`, fullPage: true });
    await desk.goto(`${server.url}/console`);
    await desk.locator('[data-incident-bar]').waitFor();
    await desk.screenshot({ path: `${SHOTS}/console-incident-bar-1280x800.png` });

    for (const size of [{ width: 3840, height: 2160 }, { width: 5760, height: 1080 }]) {
      const big = await openWall(size).catch(async () => null) ?? null;
      if (!big) continue;
      await big.locator('[data-testid="emergency"]').waitFor();
      await big.waitForTimeout(400);
      await big.screenshot({ path: `${SHOTS}/wall-${size.width}x${size.height}.png` });
      await big.context().close();
    }

    await desk.goto(`${server.url}/console/incidents`);
    await desk.fill('textarea[name="summary"]', '台风过境，无人员伤亡，转移群众均已返家。');
    await desk.click('[data-end-form] button');
    await layout.waitFor({ state: 'detached', timeout: 5_000 });
    await wall.locator('main.scene[data-scene="events"]').waitFor();
    await desk.locator('[data-incident-bar]').waitFor({ state: 'detached' });
    await wall.context().close();
    await desk.context().close();
  }, 90_000);

  it('shows 演练 on the wall when the incident is a drill', async () => {
    const wall = await openWall({ width: 1920, height: 1080 });
    const declared = await post(`${server.url}/api/v1/incidents`, {
      type: 'fire', level: 1, drill: true, grids: 'all', headline: '消防疏散演练', instructions: '请各楼栋居民按疏散路线到幸福广场集合。',
    });
    expect(declared.status).toBe(201);
    const layout = wall.locator('[data-testid="emergency"][data-drill="1"]');
    await layout.waitFor({ timeout: 5_000 });
    await expect(wall.locator('[data-testid="drill-mark"]').textContent()).resolves.toBe('演练');
    await wall.waitForTimeout(400);
    await wall.screenshot({ path: `${SHOTS}/wall-drill-1920x1080.png` });
    await post(`${server.url}/api/v1/incidents/${declared.body.incident.id}/end`, { summary: '演练结束' });
    await layout.waitFor({ state: 'detached', timeout: 5_000 });
    await wall.context().close();
  }, 60_000);
});
