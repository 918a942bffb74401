/**
 * End to end: the console (/console) and the wall's pairing screen checked by axe-core in
 * Debian's Chromium. Every page and every state a person reaches (sign-in, first-admin setup,
 * the forced password change, each admin page with its dialogs and problems shown, a
 * dispatcher's pages), in Chinese and English, at a desk (1280×800) and on a phone (390×844).
 * A serious or critical finding fails, printed with its rule, where and why; moderate and minor
 * ones are listed in the log. So do two things axe does not check: a page that scrolls
 * sideways (WCAG 1.4.10) and a field whose edge is under 3:1 (WCAG 1.4.11).
 *
 * `A11Y_SHOTS=1` also keeps a screenshot of every state in tests/artifacts/ (a11y-*.png).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { launchBrowser } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { CLIENT_DIR } from '../../server/app.ts';
import { adminPrincipal, apiKey, createUser, logIn, pairDisplay, TEST_PASSWORD, startServer, type Credentials, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SHOTS = process.env.A11Y_SHOTS === '1';
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

type Locale = 'zh-CN' | 'en';
interface Look {
  locale: Locale;
  size: { width: number; height: number };
}
const DESK = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** Every page in both languages at both sizes. */
const LOOKS: Look[] = [
  { locale: 'zh-CN', size: DESK },
  { locale: 'en', size: DESK },
  { locale: 'zh-CN', size: PHONE },
  { locale: 'en', size: PHONE },
];
const lookName = (l: Look) => `${l.locale} ${l.size.width}×${l.size.height}`;

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: AxeNode[];
}

/** What axe found wrong, kept per test: `serious` fails it, `minor` is only printed. */
class Findings {
  serious: string[] = [];
  minor = new Map<string, Set<string>>();
  checked = 0;

  /** Run axe on the page as it is now, `where` naming the state for the report. */
  async check(page: Page, where: string) {
    await settle(page);
    // Evaluated, not added as a <script>: the pages' CSP (script-src 'self') rightly refuses inline scripts.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: unknown[] }> } }).axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations;
    }) as AxeViolation[];
    this.checked++;
    // Not axe's: at any size, nothing but a wide table's card scrolls sideways (WCAG 1.4.10 reflow).
    const wide = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth }));
    if (wide.page > wide.window) this.serious.push(`${where}: [serious] reflow: the page is ${wide.page} px wide in a ${wide.window} px window`);
    for (const v of violations) {
      if (v.impact === 'serious' || v.impact === 'critical') {
        const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240)}`);
        this.serious.push(`${where}: [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length})\n${nodes.join('\n')}`);
      } else {
        const key = `[${v.impact}] ${v.id}: ${v.help}`;
        if (!this.minor.has(key)) this.minor.set(key, new Set());
        this.minor.get(key)!.add(where);
      }
    }
    if (SHOTS) await page.screenshot({ path: path.join(ARTIFACTS, `a11y-${where.replace(/[^\w-]+/g, '-')}.png`) });
  }

  /**
   * Not axe's either: the edge of every text field and select, against what lies behind it, is
   * at least 3:1 (WCAG 1.4.11), or a field cannot be told from the page.
   */
  async fieldEdges(page: Page, where: string) {
    const weak = await page.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) => [r!, g!, b!].map((v) => v / 255)
        .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
      const behind = (el: Element | null): number[] => {
        for (; el; el = el.parentElement) {
          const c = rgb(getComputedStyle(el).backgroundColor);
          if (c.length === 3 || c[3]! > 0) return c;
        }
        return [255, 255, 255];
      };
      const found: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>('input.input:not([aria-invalid="true"]):not(:focus), select.select:not(:focus)')) {
        const a = lum(rgb(getComputedStyle(el).borderTopColor));
        const b = lum(behind(el.parentElement));
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 3) found.push(`${el.getAttribute('name') ?? el.tagName} ${ratio.toFixed(2)}:1`);
      }
      return found;
    });
    if (weak.length) this.serious.push(`${where}: [serious] field edges under 3:1: ${weak.join(', ')}`);
  }

  /** Fail with every serious finding; print the lesser ones. */
  report() {
    for (const [rule, where] of this.minor) console.info(`axe (not failing): ${rule} — ${[...where].join(', ')}`);
    expect(this.checked).toBeGreaterThan(0);
    expect(this.serious, `axe found serious problems:\n${this.serious.join('\n')}`).toEqual([]);
  }
}

/** Wait for transitions (toasts flying in) to end, so colours are final; endless ones (a pulse) are left running. */
async function settle(page: Page) {
  await page.evaluate(() => Promise.all(document.getAnimations()
    .filter((a) => a.effect?.getComputedTiming().endTime !== Infinity)
    .map((a) => a.finished.catch(() => {}))));
}

/** A fresh browser profile in Chinese at a desk, signed in as `as` (or nobody), on `where`. */
async function openConsole(browser: Browser, url: string, where: string, as: Credentials | null = null): Promise<Page> {
  const context = await browser.newContext({ viewport: DESK, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  if (as) {
    const [name, value] = as.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url }]);
  }
  const page = await context.newPage();
  await page.goto(`${url}${where}`);
  return page;
}

/** Put the page in `look`: its size, and its language through the switch, as a person would. */
async function lookAs(page: Page, look: Look) {
  await page.setViewportSize(look.size);
  if ((await page.locator('html').getAttribute('lang')) !== look.locale) {
    await page.click('[data-lang-switch]');
    await eventually(() => page.locator('html').getAttribute('lang')).toBe(look.locale);
  }
}

const viewOf = (page: Page) => page.locator('body').getAttribute('data-view');
const eventually = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000, interval: 50 });

/** Go to a console page through the navigation (no reload), and wait for its title. */
async function navigate(page: Page, to: string) {
  await page.click(`[data-nav-link="${to}"]`);
  await page.waitForURL((u) => u.pathname === (to === 'home' ? '/console' : `/console/${to}`));
  await page.locator('[data-page-title]').first().waitFor();
}

// Each test walks many pages in four looks: ~15 s alone, twice that beside other e2e files.
describe('the console for people who use a screen reader, the keyboard or low vision (axe)', { timeout: 90_000 }, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    if (SHOTS) fs.mkdirSync(ARTIFACTS, { recursive: true });
    // No account yet: the first-admin setup page is reachable.
    server = await startServer({ admin: false });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds nothing serious on the first-admin setup page and the sign-in, with their problems shown', async () => {
    const token = server.app.auth.beginSetup()!;
    expect(token).toBeTruthy();
    const found = new Findings();
    const page = await openConsole(browser, server.url, `/console/setup#${token}`);
    const setup = page.locator('form[data-form="setup"]');
    await setup.waitFor();
    for (const look of LOOKS) {
      await lookAs(page, look);
      await found.check(page, `setup ${lookName(look)}`);
      await setup.locator('button[type="submit"]').click();
      await setup.locator('[data-field-error]').first().waitFor();
      await found.check(page, `setup with problems ${lookName(look)}`);
    }

    await page.goto(`${server.url}/console`);
    const login = page.locator('form[data-form="login"]');
    await login.waitFor();
    await login.locator('[data-alert="warning"]').waitFor(); // "no admin yet: use the setup link"
    for (const look of LOOKS) {
      await lookAs(page, look);
      await login.locator('button[type="submit"]').click();
      await login.locator('[data-field-error]').first().waitFor();
      await found.check(page, `login with problems ${lookName(look)}`);
    }
    await page.context().close();
    found.report();
  });

  it('finds nothing serious on any page an administrator opens, nor in their dialogs', async () => {
    // An admin, a colleague, a wall online and one revoked, and keys to list.
    await createUser(server.app, 'admin', 'admin');
    await createUser(server.app, 'dispatcher-1', 'dispatcher');
    pairDisplay(server.app, '服务中心大屏');
    const revoked = pairDisplay(server.app, '旧大屏');
    server.app.auth.displays.revoke(adminPrincipal(server.app), revoked.display.id, { ip: null });
    apiKey(server.app, '12345热线');

    const found = new Findings();
    const page = await openConsole(browser, server.url, '/console', await logIn(server.url, 'admin', TEST_PASSWORD));
    await eventually(() => viewOf(page)).toBe('shell');
    for (const look of LOOKS) {
      await lookAs(page, look);
      const name = lookName(look);
      const deep = look.size === DESK; // dialogs and problems once per language; the phone sees the pages

      await navigate(page, 'home');
      await found.check(page, `home ${name}`);

      await navigate(page, 'users');
      await page.locator('tr[data-user="dispatcher-1"]').waitFor();
      await found.check(page, `users ${name}`);
      if (deep) {
        await page.click('[data-action="create-user"]');
        const form = page.locator('form[data-form="user"]');
        await form.waitFor();
        await form.locator('select[name="role"]').selectOption('grid_worker');
        await form.locator('input[name="grids"]').first().waitFor();
        await form.locator('button[type="submit"]').click();
        await form.locator('[data-field-error]').first().waitFor();
        await found.check(page, `user dialog with problems ${name}`);
        await form.locator('input[name="username"]').fill(`new-${look.locale}`);
        await form.locator('input[name="displayName"]').fill('李华');
        await form.locator('input[name="grids"]').first().check();
        await form.locator('input[name="password"]').fill(TEST_PASSWORD);
        await form.locator('button[type="submit"]').click();
        await page.locator('[data-user-created]').waitFor();
        await found.check(page, `user created ${name}`);
        await page.keyboard.press('Escape');

        await page.locator('tr[data-user="dispatcher-1"] button').nth(1).click();
        await page.locator('form[data-form="reset-password"]').waitFor();
        await found.check(page, `reset password dialog ${name}`);
        await page.keyboard.press('Escape');
      }

      await navigate(page, 'grid-workers');
      await page.locator('table[data-table="grid-workers"] tr[data-grid-worker]').first().waitFor();
      await found.check(page, `grid workers ${name}`);
      if (deep) {
        await page.click('[data-action="add-grid-worker"]');
        await page.locator('dialog[open] form').waitFor();
        await settle(page);
        await found.check(page, `grid worker dialog ${name}`);
        await page.keyboard.press('Escape');
      }

      await navigate(page, 'community');
      await page.locator('[data-step="grids"]').waitFor();
      await found.check(page, `community setup ${name}`);

      await navigate(page, 'displays');
      await page.locator('tr[data-display="旧大屏"]').waitFor();
      await found.check(page, `displays ${name}`);
      await found.fieldEdges(page, `displays ${name}`);
      if (deep) {
        const pair = page.locator('form[data-form="pair"]');
        await pair.locator('input[name="code"]').fill('ZZZ');
        await pair.locator('button[type="submit"]').click();
        await pair.locator('[data-field-error]').first().waitFor();
        await found.check(page, `pairing form with problems ${name}`);
      }

      await navigate(page, 'api-keys');
      await page.locator('tr[data-api-key]').first().waitFor();
      await found.check(page, `api keys ${name}`);
      if (deep) {
        await page.click('[data-action="create-key"]');
        const form = page.locator('form[data-form="api-key"]');
        await form.locator('input[name="name"]').fill(`传感器 ${look.locale}`);
        await form.locator('button[type="submit"]').click();
        await page.locator('[data-secret-panel]').waitFor();
        await found.check(page, `api key shown once ${name}`);
        await page.click('[data-action="secret-saved"]');
        await found.check(page, `toast ${name}`);
        await page.locator('tr[data-api-key="12345热线"] button').click();
        await page.locator('dialog[open] [data-confirm]').waitFor();
        await found.check(page, `revoke confirmation ${name}`);
        await page.keyboard.press('Escape');
      }

      await navigate(page, 'audit');
      await page.locator('tr[data-audit-action]').first().waitFor();
      await found.check(page, `audit ${name}`);
      await found.fieldEdges(page, `audit ${name}`);

      await navigate(page, 'loop-settings');
      await page.locator('form[data-form="loop-settings"]').waitFor();
      if (deep) {
        // A limit out of bounds, a date added, and the save refused with the field marked.
        await page.fill('input[name="limits.environment.normal.handle.amount"]', '0');
        await page.fill('input[name="new-nonWorkingDays"]', '2026-10-01');
        await page.click('button[data-add="nonWorkingDays"]');
        await page.locator('form[data-form="loop-settings"] button[type="submit"]').click();
        await page.locator('.field-error').first().waitFor();
      }
      await found.check(page, `loop settings ${name}`);
      await found.fieldEdges(page, `loop settings ${name}`);

      await navigate(page, 'password');
      if (deep) {
        await page.locator('form[data-form="password"] button[type="submit"]').click();
        await page.locator('[data-field-error]').first().waitFor();
      }
      await found.check(page, `password ${name}`);
    }
    await page.context().close();
    found.report();
  });

  it('finds nothing serious on a dispatcher\'s pages, the page they may not open, or the forced password change', async () => {
    await server.app.auth.accounts.users.create(null, server.app.directory.defaultCommunity()!.id, {
      username: 'newcomer', displayName: '新同事', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: true,
    });
    const found = new Findings();
    const page = await openConsole(browser, server.url, '/console', await logIn(server.url, 'dispatcher-1', TEST_PASSWORD));
    await eventually(() => viewOf(page)).toBe('shell');
    const forced = await openConsole(browser, server.url, '/console', await logIn(server.url, 'newcomer', TEST_PASSWORD));
    await eventually(() => viewOf(forced)).toBe('forced-password');
    for (const look of LOOKS) {
      const name = lookName(look);
      await lookAs(page, look);
      await navigate(page, 'home');
      await found.check(page, `dispatcher home ${name}`);
      // An admin page typed into the address bar: "not for your role".
      await page.evaluate(() => {
        history.pushState(null, '', '/console/users');
        dispatchEvent(new PopStateEvent('popstate'));
      });
      await page.locator('[data-message-page]').waitFor();
      await found.check(page, `dispatcher forbidden ${name}`);

      await lookAs(forced, look);
      await found.check(forced, `forced password ${name}`);
    }
    await page.context().close();
    await forced.context().close();
    found.report();
  });

  it('finds nothing serious on the dispatcher\'s desk: the queue, a case with its action form open, the report form', async () => {
    const { event } = await server.app.events.report(adminPrincipal(server.app), {
      category: 'environment', subcategory: 'garbage', urgency: 'urgent', source: 'hotline', title: '桂花苑3幢楼下垃圾堆放',
      description: '两天未清运。', gridId: 'G01', address: '桂花苑3幢', reporterName: '王建国', reporterPhone: '13812345678',
    });
    await createUser(server.app, 'desk-dispatcher', 'dispatcher');
    const found = new Findings();
    const page = await openConsole(browser, server.url, '/console', await logIn(server.url, 'desk-dispatcher', TEST_PASSWORD));
    await eventually(() => viewOf(page)).toBe('shell');
    for (const look of LOOKS) {
      const name = lookName(look);
      await lookAs(page, look);
      await navigate(page, 'events');
      await page.locator(`tr[data-case="${event.code}"]`).waitFor();
      await settle(page);
      await found.check(page, `desk queue ${name}`);
      await page.click(`tr[data-case="${event.code}"] a`);
      await page.locator('[data-actions]').waitFor();
      await page.click('[data-do="reject"]');
      await page.locator('form[data-form="reject"]').waitFor();
      await settle(page);
      await found.check(page, `desk case, reject form ${name}`);
      await page.keyboard.press('Escape');
      await page.keyboard.press('b');
      await page.locator('[data-action="report"]').click();
      await page.locator('form[data-form="report"]').waitFor();
      await found.check(page, `desk report form ${name}`);
    }
    await page.context().close();
    found.report();
  });

  it('finds nothing serious on the desk numbers and the list of cases behind a number', async () => {
    const admin = adminPrincipal(server.app);
    const { event } = await server.app.events.report(admin, {
      category: 'environment', subcategory: 'garbage', urgency: 'normal', source: 'resident', title: '丹枫新村井盖松动',
      description: '井盖松动。', gridId: 'G02', address: '丹枫新村', reporterName: '李芳', reporterPhone: '13900001111',
    });
    await server.app.events.transition(admin, event.id, 'reject', { note: '现场核实不属实', reason: 'false_report' });
    await createUser(server.app, 'stats-dispatcher', 'dispatcher');
    const found = new Findings();
    const page = await openConsole(browser, server.url, '/console', await logIn(server.url, 'stats-dispatcher', TEST_PASSWORD));
    await eventually(() => viewOf(page)).toBe('shell');
    for (const look of LOOKS) {
      const name = lookName(look);
      await lookAs(page, look);
      await navigate(page, 'desk-stats');
      await page.locator('[data-return="reject.false_report"] a[data-figure]').waitFor();
      await settle(page);
      await found.check(page, `desk numbers ${name}`);
      await page.click('[data-return="reject.false_report"] a[data-figure]');
      await page.locator(`table[data-table="cases"] tr[data-case="${event.code}"]`).waitFor();
      await settle(page);
      await found.check(page, `cases behind a number ${name}`);
    }
    await page.context().close();
    found.report();
  });

  it('finds nothing serious on the wall\'s pairing screen', async () => {
    const found = new Findings();
    for (const lang of ['zh-CN', 'en']) {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.goto(`${server.url}/screen?lang=${lang}`);
      await page.locator('[data-pairing-code]:not([data-pairing-code=""])').waitFor();
      await found.check(page, `wall pairing ${lang}`);
      await page.close();
    }
    found.report();
  });
});
