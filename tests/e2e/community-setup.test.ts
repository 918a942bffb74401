/**
 * End to end: a fresh install without the demo set up through the console only. The first
 * administrator opens the setup link, names the community, imports its grids from a GeoJSON
 * file in GCJ-02 (seen on the map preview first), then its grid workers from a CSV sheet; the
 * grid-workers page lists them; an account is linked to one. A bad sheet names its row and
 * saves nothing. Screenshots of each step at 1280×800 in tests/artifacts (setup-*.png).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { startServer, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const FIXTURES = path.resolve('tests/fixtures');

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `setup-${name}.png`) });

describe('a fresh install set up in the console', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ community: false });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('names the community with the first administrator from the setup link', async () => {
    const token = server.app.auth.beginSetup()!;
    await page.goto(`${server.url}/console/setup#${token}`);
    const form = page.locator('form[data-form="setup"]');
    await form.locator('fieldset[data-fieldset="community"]').waitFor();
    await form.locator('input[name="nameZh"]').fill('新华社区');
    await form.locator('input[name="nameEn"]').fill('Xinhua Community');
    await form.locator('input[name="communityId"]').fill('xinhua');
    await form.locator('input[name="centerLng"]').fill('120.169');
    await form.locator('input[name="centerLat"]').fill('30.275');
    await form.locator('input[name="username"]').fill('li.admin');
    await form.locator('input[name="displayName"]').fill('李管理员');
    await form.locator('input[name="password"]').fill('first-admin-password');
    await form.locator('input[name="confirm"]').fill('first-admin-password');
    await shot(page, '1-community');
    await form.locator('button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname === '/console/community');
    await page.waitForFunction(() => document.body.dataset.view === 'shell');
    expect(server.app.directory.communities.get('xinhua')?.name.zh).toBe('新华社区');
  });

  it('imports the grids from GeoJSON in GCJ-02, seen on the map before they are saved', async () => {
    await page.locator('input[data-file="grids"]').setInputFiles(path.join(FIXTURES, 'xinhua-grids-gcj02.geojson'));
    const step = page.locator('[data-step="grids"]');
    await step.locator('select[name="idProperty"]').selectOption('编号');
    await step.locator('select[name="nameProperty"]').selectOption('网格名称');
    await step.locator('select[name="nameEnProperty"]').selectOption('name_en');
    await step.locator('select[name="crs"]').selectOption('gcj02');
    await step.locator('[data-action="preview-grids"]').click();
    await page.locator('[data-grid-preview="3"] canvas').waitFor();
    await expect.poll(() => page.locator('table[data-preview="grids"] tbody tr').count()).toBe(3);
    await page.waitForTimeout(300); // the map's first frame
    expect(server.app.directory.gridsOf('xinhua')).toHaveLength(0);
    await shot(page, '2-grids-preview');
    await step.locator('[data-action="save-grids"]').click();
    await eventually(() => server.app.directory.gridsOf('xinhua').length).toBe(3);
    expect(server.app.directory.grids.get('X02')!.geometry.type).toBe('MultiPolygon');
  });

  it('names the row of a bad sheet and saves nothing, then imports the workers from a CSV', async () => {
    const bad = path.join(os.tmpdir(), `workers-bad-${process.pid}.csv`);
    fs.writeFileSync(bad, 'id,name,phone,grid\nXW01,李娜,13800000001,X01\nXW09,周敏,13800000009,X99\n');
    const step = page.locator('[data-step="workers"]');
    await step.locator('input[data-file="workers"]').setInputFiles(bad);
    await step.locator('[data-problems="workers"]').waitFor();
    expect(await step.locator('[data-problems="workers"]').innerText()).toContain('row 3 (XW09): no grid X99 in this community');
    await step.scrollIntoViewIfNeeded();
    await shot(page, '3-workers-bad-row');
    expect(server.app.directory.workers.size).toBe(0);

    await step.locator('input[data-file="workers"]').setInputFiles(path.join(FIXTURES, 'xinhua-workers.csv'));
    await expect.poll(() => step.locator('table[data-preview="workers"] tbody tr').count()).toBe(3);
    await step.scrollIntoViewIfNeeded();
    await shot(page, '4-workers-preview');
    await step.locator('[data-action="save-workers"]').click();
    await eventually(() => server.app.directory.workers.size).toBe(3);
  });

  it('lists the grid workers with their grids, then links an account to one', async () => {
    await page.click('[data-nav-link="grid-workers"]');
    await page.waitForURL((u) => u.pathname === '/console/grid-workers');
    await expect.poll(() => page.locator('tr[data-grid-worker]').count()).toBe(3);
    expect(await page.locator('tr[data-grid-worker="XW02"]').innerText()).toContain('第二网格');
    await shot(page, '5-grid-workers');

    await page.click('[data-nav-link="users"]');
    await page.click('[data-action="create-user"]');
    const form = page.locator('form[data-form="user"]');
    await form.locator('input[name="username"]').fill('zhao.qiang');
    await form.locator('input[name="displayName"]').fill('赵强');
    await form.locator('select[name="role"]').selectOption('grid_worker');
    await form.locator('select[name="workerId"] option[value="XW02"]').waitFor({ state: 'attached' });
    await form.locator('select[name="workerId"]').selectOption('XW02');
    await form.locator('input[name="password"]').fill('first-password-1234');
    await shot(page, '6-link-account');
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-user-created]').waitFor();
    const user = server.app.auth.accounts.users.byUsername('zhao.qiang')!;
    expect(user.workerId).toBe('XW02');
    // Picking the record added its grid to the account's scope.
    expect(user.grids).toEqual(['X02']);
    await page.keyboard.press('Escape');

    await page.click('[data-nav-link="grid-workers"]');
    await expect.poll(() => page.locator('tr[data-grid-worker="XW02"] [data-account="zhao.qiang"]').count()).toBe(1);
    await shot(page, '7-grid-workers-linked');
    expect(errors).toEqual([]);
  });

  it('shows both pages in English too', async () => {
    await page.click('[data-lang-switch]');
    await page.getByRole('heading', { name: 'Grid workers' }).waitFor();
    await page.mouse.move(0, 0);
    await shot(page, '8-grid-workers-en');
    await page.click('[data-nav-link="community"]');
    await page.getByRole('heading', { name: 'Community setup' }).first().waitFor();
    await page.locator('input[data-file="grids"]').setInputFiles(path.join(FIXTURES, 'xinhua-grids-gcj02.geojson'));
    await page.locator('[data-step="grids"] select[name="crs"]').selectOption('gcj02');
    await page.locator('[data-action="preview-grids"]').click();
    await page.locator('[data-grid-preview="3"] canvas').waitFor();
    await page.waitForTimeout(300);
    await shot(page, '9-community-en');
    expect(await page.locator('table[data-preview="grids"]').innerText()).toContain('Update');
    expect(errors).toEqual([]);
  });
});
