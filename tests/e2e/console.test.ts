/**
 * End to end: the staff console (/console) on the real server, the built client and Debian's
 * Chromium. What an admin at a desk would do on a first morning: sign in, create a colleague,
 * pair the wall in the hall, issue a key for the hotline, read the audit log, sign out. No
 * CSP violation and no script from typed text on any page; screenshots kept at 1280×800 and
 * 1920×1080.
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CLIENT_DIR } from '../../server/app.ts';
import { openSocket, post, request, sampleReport, startServer, TEST_PASSWORD, until, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

interface ConsolePage extends Page {
  /** Page errors and CSP violations seen so far. */
  errors: string[];
}

/** A fresh browser profile (no cookie) on `path`, with page errors and CSP violations collected. */
async function openConsole(browser: Browser, url: string, where = '/console', size = SMALL): Promise<ConsolePage> {
  const context: BrowserContext = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = (await context.newPage()) as ConsolePage;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('dialog', (d) => {
    page.errors.push(`dialog: ${d.message()}`); // an alert() would mean typed text ran as script
    void d.dismiss();
  });
  await page.exposeFunction('reportCspViolation', (v: string) => page.errors.push(`CSP: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${url}${where}`);
  return page;
}

/** A check retried until it holds: a busy machine (CI, other suites) can take seconds. */
const eventually = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000, interval: 50 });

const view = (page: Page) => page.locator('body').getAttribute('data-view');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `console-${name}.png`) });

async function signIn(page: Page, username: string, password: string) {
  await eventually(() => view(page)).toBe('login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await page.click('form[data-form="login"] button[type="submit"]');
}

/** Go to a console page through the navigation, as a person would. */
async function navigate(page: Page, to: string) {
  await page.click(`[data-nav-link="${to}"]`);
  await page.waitForURL((u) => u.pathname === (to === 'home' ? '/console' : `/console/${to}`));
  await page.locator('[data-page-title]').first().waitFor();
}

async function toast(page: Page, text: string) {
  await page.locator('[data-toast]', { hasText: text }).first().waitFor({ timeout: 5_000 });
}

describe('the /console staff console', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: ConsolePage;
  /** Made by the tests below, checked in the audit log. */
  const created = { username: 'li-hua', displayName: '李华', display: '服务中心一楼大厅', key: '12345热线对接', secret: '' };

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 1 });
    browser = await launchBrowser();
    admin = await openConsole(browser, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('asks for a sign-in in Chinese, says plainly when the password is wrong, then lets the admin in', async () => {
    await eventually(() => view(admin)).toBe('login');
    await expect(admin.locator('h1').innerText()).resolves.toBe('登录');
    await shot(admin, 'login-1280x800');

    await signIn(admin, server.admin!.username, 'not-the-password');
    await expect(admin.locator('[data-alert="error"]').innerText()).resolves.toContain('用户名或密码错误');
    await expect(admin.locator('input[name="password"]').inputValue()).resolves.toBe('');

    await admin.fill('input[name="password"]', server.admin!.password);
    await admin.click('form[data-form="login"] button[type="submit"]');
    await eventually(() => view(admin)).toBe('shell');
    await expect(admin.locator('[data-me]').innerText()).resolves.toContain('管理员');
    // An admin's navigation: the day's work, the community's set-up, devices, keys, the log.
    const nav = await admin.locator('[data-nav] [data-nav-link]').evaluateAll((as) => as.map((a) => a.getAttribute('data-nav-link')));
    expect(nav).toEqual([
      'home', 'events', 'desk-stats', 'incidents', 'corrective-actions', 'fieldwork', 'volunteers', 'activities', 'exchange', 'casework', 'orgs', 'charity', 'register', 'lists',
      'users', 'grid-workers', 'community', 'loop-settings', 'displays', 'api-keys', 'audit',
    ]);
    await shot(admin, 'home-1280x800');
    expect(admin.errors).toEqual([]);
  });

  it('creates a grid worker with grids, showing field problems next to the fields first', async () => {
    await navigate(admin, 'users');
    await admin.locator(`tr[data-user="${server.admin!.username}"]`).waitFor();
    await admin.click('[data-action="create-user"]');
    const form = admin.locator('form[data-form="user"]');
    await form.waitFor();
    // Keyboard first: the dialog opens with the cursor in its first field.
    await eventually(() => admin.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username');

    // A taken username is the server's answer (409), placed on the username field.
    await form.locator('input[name="username"]').fill(server.admin!.username);
    await form.locator('input[name="displayName"]').fill(created.displayName);
    await form.locator('select[name="role"]').selectOption('grid_worker');
    await form.locator('input[name="grids"]').first().check();
    await form.locator('input[name="password"]').fill('short');
    await form.locator('button[type="submit"]').click();
    // Too short a password is caught before sending, by the same schema the server uses.
    await expect(form.locator('[data-field-error]').allInnerTexts()).resolves.toEqual(['至少 10 个字符']);
    await form.locator('input[name="password"]').fill(TEST_PASSWORD);
    await form.locator('button[type="submit"]').click();
    await eventually(() => form.locator('[data-field-error]').allInnerTexts()).toEqual(['该用户名已被使用']);
    const usernameField = form.locator('input[name="username"]');
    await expect(usernameField.getAttribute('aria-invalid')).resolves.toBe('true');

    await usernameField.fill(created.username);
    await form.locator('input[name="grids"]').nth(1).check();
    await shot(admin, 'user-form-1280x800');
    await form.locator('button[type="submit"]').click();
    const done = admin.locator('[data-user-created]');
    await done.waitFor();
    await expect(done.locator('[data-secret]').nth(1).inputValue()).resolves.toBe(TEST_PASSWORD);
    await done.locator('button', { hasText: '完成' }).click();

    const row = admin.locator(`tr[data-user="${created.username}"]`);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('李华');
    expect(text).toContain('网格员');
    expect(text).toContain('待改密码');
    const users = await request(`${server.url}/api/v1/users`);
    const made = users.body.items.find((u: { username: string }) => u.username === created.username);
    expect(made).toMatchObject({ role: 'grid_worker', mustChangePassword: true });
    expect(made.grids).toHaveLength(2);
    expect(admin.errors).toEqual([]);
  });

  it('links a social worker\'s account to their social-worker record, and shows the link in the list', async () => {
    const sw = (await post(`${server.url}/api/v1/social-workers`, { name: '范丽娟', phone: '13800002222', grids: ['G02'] })).body.socialWorker;
    await navigate(admin, 'users');
    await admin.click('[data-action="create-user"]');
    const form = admin.locator('form[data-form="user"]');
    await form.waitFor();
    await form.locator('input[name="username"]').fill('fan.lijuan');
    await form.locator('input[name="displayName"]').fill('范丽娟');
    await form.locator('select[name="role"]').selectOption('social_worker');
    // The record to link appears only for a social worker, listing the community's social workers.
    const select = form.locator('select[name="socialWorkerId"]');
    await eventually(() => select.locator('option').allInnerTexts()).toContain('范丽娟');
    await select.selectOption(String(sw.id));
    await form.locator('input[name="password"]').fill(TEST_PASSWORD);
    await form.locator('button[type="submit"]').click();
    const done = admin.locator('[data-user-created]');
    await done.waitFor();
    await done.locator('button', { hasText: '完成' }).click();

    const row = admin.locator('tr[data-user="fan.lijuan"]');
    await row.waitFor();
    await eventually(() => row.innerText()).toContain('范丽娟');
    const made = (await request(`${server.url}/api/v1/users`)).body.items.find((u: { username: string }) => u.username === 'fan.lijuan');
    expect(made).toMatchObject({ role: 'social_worker', socialWorkerId: sw.id });
    // Another role has no such field.
    await admin.click('[data-action="create-user"]');
    await form.locator('select[name="role"]').selectOption('dispatcher');
    await expect(form.locator('select[name="socialWorkerId"]').count()).resolves.toBe(0);
    await admin.keyboard.press('Escape');
    expect(admin.errors).toEqual([]);
  });

  it('pairs a wall display with the code the wall shows, typed in lower case without the dash', async () => {
    const wall = await fetch(`${server.url}/api/v1/displays/pairing`, { method: 'POST' });
    expect(wall.status).toBe(201);
    const pairing = (await wall.json()) as { pairingId: string; code: string; secret: string };

    await navigate(admin, 'displays');
    const form = admin.locator('form[data-form="pair"]');
    // A code no wall shows is a problem with the code field.
    await form.locator('input[name="code"]').fill('ZZZ-ZZZ');
    await form.locator('input[name="name"]').fill(created.display);
    await form.locator('button[type="submit"]').click();
    await eventually(() => form.locator('[data-field-error]').allInnerTexts()).toEqual(['找不到这个配对码，请核对大屏上显示的内容']);

    await form.locator('input[name="code"]').fill(pairing.code.replace('-', '').toLowerCase());
    await form.locator('button[type="submit"]').click();
    await toast(admin, `已配对大屏「${created.display}」`);
    const row = admin.locator(`tr[data-display="${created.display}"]`);
    await row.waitFor();
    // The wall asking for its token now gets it.
    const status = await fetch(`${server.url}/api/v1/displays/pairing/${pairing.pairingId}`, { headers: { 'X-Pairing-Secret': pairing.secret } });
    const paired = (await status.json()) as { status: string; token: string };
    expect(paired.status).toBe('paired');

    // Once the wall connects, the list says it is online, and "reload" reaches it.
    const socket = openSocket(server.url, { displayToken: paired.token, reconnection: false });
    try {
      await until(() => socket.connected, 'the display to connect');
      await admin.reload();
      await eventually(() => admin.locator(`tr[data-display="${created.display}"]`).innerText()).toContain('在线');
      const reloaded = new Promise<void>((resolve) => socket.on('screen:reload', () => resolve()));
      await admin.locator(`tr[data-display="${created.display}"] button`, { hasText: '刷新页面' }).click();
      await reloaded;
      await toast(admin, `已通知「${created.display}」刷新页面`);
    } finally {
      socket.close();
    }

    // Rename it, then revoke the server's own test display after a confirmation.
    await admin.locator(`tr[data-display="${created.display}"] button`, { hasText: '重命名' }).click();
    const rename = admin.locator('form[data-form="rename-display"]');
    await rename.locator('input[name="name"]').fill(`${created.display}（东）`);
    await rename.locator('button[type="submit"]').click();
    created.display = `${created.display}（东）`;
    await admin.locator(`tr[data-display="${created.display}"]`).waitFor();

    const other = admin.locator('tr[data-display="服务中心大屏"]').first();
    await other.locator('button', { hasText: '吊销' }).click();
    await expect(admin.locator('dialog[open]').innerText()).resolves.toContain('需要重新配对');
    await admin.locator('dialog[open] [data-confirm]').click();
    await toast(admin, '已吊销「服务中心大屏」');
    await eventually(() => other.innerText()).toContain('已吊销');
    await shot(admin, 'displays-1280x800');
    expect(admin.errors).toEqual([]);
  });

  it('creates an API key and shows its secret once, with a copy button and a warning', async () => {
    await navigate(admin, 'api-keys');
    await admin.click('[data-action="create-key"]');
    const form = admin.locator('form[data-form="api-key"]');
    await form.locator('input[name="name"]').fill(created.key);
    await form.locator('button[type="submit"]').click();
    const panel = admin.locator('[data-secret-panel]');
    await panel.waitFor();
    created.secret = await panel.locator('[data-secret]').inputValue();
    expect(created.secret).toMatch(/^cbk_[A-Za-z0-9_-]{43}$/);
    await expect(panel.innerText()).resolves.toContain('密钥只显示这一次');
    await panel.locator('[data-copy]').click();
    await eventually(() => panel.locator('[data-copy]').innerText()).toBe('已复制');
    await shot(admin, 'api-key-secret-1280x800');
    // Esc does not lose it by accident: only "I have saved it" closes.
    await admin.keyboard.press('Escape');
    await expect(panel.isVisible()).resolves.toBe(true);
    await panel.locator('[data-action="secret-saved"]').click();

    const row = admin.locator(`tr[data-api-key="${created.key}"]`);
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain(created.secret.slice(0, 8));
    // Gone from the page: the secret cannot be seen again.
    expect(await admin.content()).not.toContain(created.secret);
    // And it works for what it is for.
    const ingest = await request(`${server.url}/api/v1/events`, {
      method: 'POST', as: null, body: sampleReport(), headers: { authorization: `Bearer ${created.secret}` },
    });
    expect(ingest.status).toBe(201);
    await admin.reload();
    await eventually(() => admin.locator(`tr[data-api-key="${created.key}"]`).innerText()).toContain('刚刚');
    expect(admin.errors).toEqual([]);
  });

  it('shows those actions in the audit log, filtered by action and by actor', async () => {
    await navigate(admin, 'audit');
    const actions = () => admin.locator('tr[data-audit-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-audit-action')));
    await eventually(actions).toEqual(expect.arrayContaining(['auth.login', 'users.create', 'displays.pair', 'displays.update', 'displays.revoke', 'api_keys.create']));
    const pairRow = admin.locator('tr[data-audit-action="displays.pair"]').first();
    await expect(pairRow.innerText()).resolves.toContain('配对大屏');
    await shot(admin, 'audit-1280x800');

    await admin.fill('input[name="action"]', 'api_keys.create');
    await admin.click('form[data-form="audit-filters"] button[type="submit"]');
    await admin.waitForURL((u) => u.searchParams.get('action') === 'api_keys.create');
    await eventually(actions).toEqual(['api_keys.create']);
    await expect(admin.locator('tr[data-audit-action]').innerText()).resolves.toContain(created.key);

    // Back: the unfiltered log again.
    await admin.goBack();
    await eventually(async () => (await actions()).length).toBeGreaterThan(3);
    await admin.selectOption('select[name="actor"]', server.admin!.username);
    await admin.click('form[data-form="audit-filters"] button[type="submit"]');
    await eventually(async () => new Set(await actions()).has('auth.login_failed')).toBe(false);
    expect(admin.errors).toEqual([]);
  });

  it('keeps typed text inert: hostile names show as text and nothing runs', async () => {
    const hostile = '<img src=x onerror=alert(1)>"><script>alert(2)</script>';
    const r = await request(`${server.url}/api/v1/users`, {
      method: 'POST', body: { username: 'hostile-1', displayName: hostile.slice(0, 60), role: 'dispatcher', password: TEST_PASSWORD },
    });
    expect(r.status).toBe(201);
    const key = await request(`${server.url}/api/v1/api-keys`, { method: 'POST', body: { name: hostile.slice(0, 60) } });
    expect(key.status).toBe(201);
    for (const to of ['users', 'api-keys', 'audit']) {
      await navigate(admin, to);
      await admin.locator('tbody tr').first().waitFor();
      await eventually(() => admin.locator('table').innerText()).toContain('<img src=x');
      expect(await admin.locator('table img').count()).toBe(0);
    }
    expect(admin.errors).toEqual([]);
  });

  it('switches to English and back', async () => {
    await navigate(admin, 'home');
    await admin.click('[data-lang-switch]');
    await eventually(() => admin.locator('[data-nav]').innerText()).toContain('Users');
    await expect(admin.locator('html').getAttribute('lang')).resolves.toBe('en');
    await navigate(admin, 'audit');
    await admin.locator('tbody tr[data-audit-action]').first().waitFor();
    await shot(admin, 'audit-en-1280x800');
    await admin.click('[data-lang-switch]');
    await eventually(() => admin.locator('[data-nav]').innerText()).toContain('用户管理');
  });

  it('looks right at 1280×800 and 1920×1080', async () => {
    for (const size of [SMALL, LARGE]) {
      await admin.setViewportSize(size);
      for (const [to, row] of [['users', 'data-user'], ['displays', 'data-display'], ['api-keys', 'data-api-key'], ['audit', 'data-audit-action']]) {
        await navigate(admin, to!);
        await admin.locator(`tbody tr[${row}]`).first().waitFor();
        await admin.locator('[data-toast]').first().waitFor({ state: 'detached', timeout: 12_000 }).catch(() => {});
        // Nothing spills sideways.
        const overflowX = await admin.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        expect(overflowX, `${to} at ${size.width}`).toBe(false);
        await shot(admin, `${to}-${size.width}x${size.height}`);
      }
    }
    await admin.setViewportSize(SMALL);
    expect(admin.errors).toEqual([]);
  });

  it('signs out, and the session is gone on the server too', async () => {
    await admin.click('[data-logout]');
    await eventually(() => view(admin)).toBe('login');
    const me = await admin.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status));
    expect(me).toBe(401);
    expect(admin.errors).toEqual([]);
  });

  it('makes a new colleague choose a password first, and shows a non-admin only home and password', async () => {
    const page = await openConsole(browser, server.url);
    await signIn(page, created.username, TEST_PASSWORD);
    await eventually(() => view(page)).toBe('forced-password');
    // Nothing else is asked of the server meanwhile (it would refuse it): no storm of retries.
    const asked: string[] = [];
    page.on('request', (r) => asked.push(r.url()));
    await page.waitForTimeout(1_000);
    expect(asked).toEqual([]);
    await shot(page, 'forced-password-1280x800');
    const form = page.locator('form[data-form="password"]');
    await form.locator('input[name="currentPassword"]').fill('wrong-password-123');
    await form.locator('input[name="newPassword"]').fill('a-new-password-2026');
    await form.locator('input[name="confirm"]').fill('a-new-password-2026');
    await form.locator('button[type="submit"]').click();
    await eventually(() => form.locator('[data-field-error]').allInnerTexts()).toEqual(['当前密码不正确']);
    await form.locator('input[name="currentPassword"]').fill(TEST_PASSWORD);
    await form.locator('button[type="submit"]').click();
    await eventually(() => view(page)).toBe('shell');

    const nav = await page.locator('[data-nav] [data-nav-link]').evaluateAll((as) => as.map((a) => a.getAttribute('data-nav-link')));
    // A grid worker: their tasks and their own field logs, and on site the activities' check-in, the register of their grids and the needs they raise.
    expect(nav).toEqual(['home', 'events', 'incidents', 'corrective-actions', 'fieldwork', 'activities', 'register', 'lists']);
    await expect(page.locator('[data-nav-link="password"]').isVisible()).resolves.toBe(true);
    // An admin page typed into the address bar says it is not for this role.
    await page.goto(`${server.url}/console/users`);
    await page.locator('[data-message-page]').waitFor();
    await expect(page.locator('h1').innerText()).resolves.toBe('无权访问');
    expect(page.errors).toEqual([]);
    await page.context().close();
  });

  it('tells someone who keeps guessing how long to wait', async () => {
    const page = await openConsole(browser, server.url);
    for (let i = 0; i < 6; i++) {
      await signIn(page, 'nobody-here', `guess-number-${i}`);
      await page.locator('[data-alert]').first().waitFor();
      if (await page.locator('[data-rate-limited]').count()) break;
    }
    const wait = page.locator('[data-rate-limited]');
    await expect(wait.innerText()).resolves.toMatch(/登录失败次数过多，请在 (\d+ 分 )?\d+ 秒后再试/);
    await expect(page.locator('form[data-form="login"] button[type="submit"]').isDisabled()).resolves.toBe(true);
    expect(page.errors).toEqual([]);
    await page.context().close();
  });
});

describe('the first-admin setup page', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ admin: false });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates the first admin from the one-time link and takes the token off the address bar', async () => {
    const token = server.app.auth.beginSetup();
    expect(token).toBeTruthy();
    const page = await openConsole(browser, server.url, `/console/setup#${token}`);
    const form = page.locator('form[data-form="setup"]');
    await form.waitFor();
    await form.locator('input[name="username"]').fill('Zhang.Wei');
    await form.locator('input[name="displayName"]').fill('张伟');
    await form.locator('input[name="password"]').fill('the-first-admin-2026');
    await form.locator('input[name="confirm"]').fill('the-first-admin-2026x');
    await form.locator('button[type="submit"]').click();
    await expect(form.locator('[data-field-error]').allInnerTexts()).resolves.toEqual(['两次输入的密码不一致']);
    await shot(page, 'setup-1280x800');
    await form.locator('input[name="confirm"]').fill('the-first-admin-2026');
    await form.locator('button[type="submit"]').click();
    await eventually(() => view(page)).toBe('shell');
    expect(new URL(page.url()).hash).toBe('');
    await expect(page.locator('h1').innerText()).resolves.toContain('张伟');
    await expect(page.locator('[data-me-username]').innerText()).resolves.toBe('zhang.wei');

    // The link is spent: opened again, it says so and points to the sign-in.
    const again = await openConsole(browser, server.url, `/console/setup#${token}`);
    await eventually(() => again.locator('[data-alert="info"]').count()).toBe(1);
    expect([...page.errors, ...again.errors]).toEqual([]);
  });
});
