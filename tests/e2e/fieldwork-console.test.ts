/**
 * End to end through the console, with the real server and Chromium: two grid workers log
 * patrols and visits over the API as their tablets do (each with an Idempotency-Key); a
 * dispatcher reads them in /console/fieldwork — a patrol with the case reported on the way, the
 * visits narrowed to those needing follow-up, by grid and by period — opens a visit and its
 * household in the register; a social worker does the same from the follow-ups; a grid worker
 * sees only their own. Screenshots at 1280×800 and 1920×1080 in tests/artifacts (or
 * $SHOTS_DIR), each checked with axe.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { logIn, request, sampleReport, startServer, TEST_PASSWORD, type Credentials, type TestServer } from '../support/server.ts';
import { seedRegister } from '../../server/demo/register.ts';
import { axeSerious } from '../support/a11y.ts';
import type { UserRole } from '../../shared/auth.ts';
import { localDay } from '../../shared/time.ts';

const ARTIFACTS = path.resolve(process.env.SHOTS_DIR ?? 'tests/artifacts');
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

const shot = async (page: Page, name: string) => {
  for (const [size, label] of [[SMALL, '1280x800'], [LARGE, '1920x1080']] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(ARTIFACTS, `fieldwork-${name}-${label}.png`), fullPage: true });
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

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const ids = (page: Page, table: 'patrols' | 'visits') =>
  page.locator(`[data-table="${table}"] tbody tr[data-${table === 'patrols' ? 'patrol' : 'visit'}]`)
    .evaluateAll((trs, attr) => trs.map((tr) => Number(tr.getAttribute(attr))).sort((a, b) => a - b), `data-${table === 'patrols' ? 'patrol' : 'visit'}`);

describe('the field logs in the console', () => {
  let server: TestServer;
  let browser: Browser;
  let api: string;
  let wang: Credentials;
  let zhao: Credentials;
  let household: { id: number; room: string; buildingAddress: string };
  const made = {} as Record<'wangPatrol' | 'zhaoPatrol' | 'quiet' | 'followUp' | 'danger' | 'poor' | 'old', number>;
  let caseCode = '';
  let caseId = 0;

  const account = async (username: string, displayName: string, role: UserRole, grids?: string[]) => {
    await server.app.auth.accounts.users.create(null, server.app.directory.defaultCommunity()!.id, {
      username, displayName, role, password: TEST_PASSWORD, mustChangePassword: false, ...(grids ? { grids } : {}),
    });
  };
  /** As a tablet sends it: once, with a key of its own. */
  const log = async (what: 'patrols' | 'visits', body: unknown, as: Credentials): Promise<number> => {
    const r = await request(`${api}/${what}`, { method: 'POST', body, as, headers: { 'idempotency-key': randomUUID() } });
    if (r.status !== 201) throw new Error(`logging ${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return (what === 'patrols' ? r.body.patrol.id : r.body.visit.id) as number;
  };
  const visit = (over: Record<string, unknown>) => ({
    gridId: 'G01', kind: 'routine', visitedAt: iso(Date.now() - 3_600_000), met: true, safety: 'ok', health: 'good', living: 'ok', followUp: false, ...over,
  });

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    api = `${server.url}/api/v1`;
    await seedRegister(server.app.subjectDeps, Date.now());
    await account('wang-li', '王丽', 'grid_worker', ['G01']);
    await account('zhao-gang', '赵刚', 'grid_worker', ['G02']);
    await account('chen-dispatch', '陈调度', 'dispatcher');
    await account('liu-social', '刘社工', 'social_worker');
    wang = await logIn(server.url, 'wang-li', TEST_PASSWORD);
    zhao = await logIn(server.url, 'zhao-gang', TEST_PASSWORD);
    household = server.app.db.prepare(`SELECT h.id, h.room, b.address AS buildingAddress FROM households h JOIN buildings b ON b.id = h.building_id
      WHERE h.grid_id = 'G01' ORDER BY h.id LIMIT 1`).get() as typeof household;

    // Wang Li's patrol, with a case she reported on the way; Zhao Gang's in his grid.
    const start = Date.now() - 2 * 3_600_000;
    const reported = await request(`${api}/events`, { method: 'POST', body: sampleReport({ gridId: 'G01', title: '3栋地下车库积水' }), as: wang });
    caseCode = reported.body.event.code;
    caseId = reported.body.event.id;
    made.wangPatrol = await log('patrols', {
      gridId: 'G01', startedAt: iso(start), endedAt: iso(Date.now()), route: '幸福路—3栋—地下车库—南门',
      notes: [{ at: iso(start + 600_000), text: '3栋楼道堆放纸箱，已提醒住户清理' }, { at: iso(start + 1_800_000), text: '地下车库积水约10厘米' }],
      summary: '一处积水已上报，楼道杂物已提醒。',
    }, wang);
    made.zhaoPatrol = await log('patrols', {
      gridId: 'G02', startedAt: iso(start + 600_000), endedAt: iso(start + 3_000_000), route: '明月路—菜市场', summary: '正常',
    }, zhao);

    // Visits: a quiet one, a follow-up at a registered household, a danger, a poor health elsewhere, and one 12 days ago.
    made.quiet = await log('visits', visit({ address: '幸福路8号1栋101', note: '一切正常' }), wang);
    made.followUp = await log('visits', visit({
      householdId: household.id, address: `${household.buildingAddress}${household.room}`, kind: 'key_population', met: false,
      safety: 'concern', health: 'fair', living: 'difficult', followUp: true, note: '独居老人不在家，邻居说最近腿脚不便，需社工再来。',
      visitedAt: iso(Date.now() - 1_800_000),
    }), wang);
    made.danger = await log('visits', visit({ address: '幸福路8号2栋302', kind: 'complaint', safety: 'danger', note: '燃气软管老化，已提醒关阀。' }), wang);
    made.poor = await log('visits', visit({ gridId: 'G02', address: '明月路5号4栋201', kind: 'key_population', health: 'poor', note: '长期卧床。' }), zhao);
    made.old = await log('visits', visit({ address: '幸福路8号3栋501', visitedAt: iso(Date.now() - 12 * 86_400_000), followUp: true }), wang);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets a dispatcher read patrols and visits, narrow them to follow-ups, by grid and period, and open one with its household', async () => {
    const page = await signedIn(browser, server.url, 'chen-dispatch');
    await page.click('nav a[href="/console/fieldwork"]');

    // Patrols first: both, newest first, Wang Li's naming the case she reported meanwhile.
    await page.waitForSelector(`tr[data-patrol="${made.wangPatrol}"]`);
    expect(await ids(page, 'patrols')).toEqual([made.wangPatrol, made.zhaoPatrol].sort((a, b) => a - b));
    const row = page.locator(`tr[data-patrol="${made.wangPatrol}"]`);
    const text = await row.innerText();
    expect(text).toContain('王丽');
    expect(text).toContain('幸福路—3栋—地下车库—南门');
    expect(text).toContain('2 条');
    expect(text).toContain('2.0 小时');
    expect(await row.locator(`a[data-case="${caseCode}"]`).getAttribute('href')).toBe(`/console/events/${caseId}`);
    await shot(page, 'patrols');

    // A patrol's page: what was seen, in order, and the case.
    await row.locator('a.title').click();
    await page.waitForSelector(`[data-patrol="${made.wangPatrol}"] [data-notes]`);
    expect(await page.locator('[data-notes] li').allInnerTexts()).toEqual([
      expect.stringContaining('3栋楼道堆放纸箱'), expect.stringContaining('地下车库积水约10厘米'),
    ]);
    expect(await page.locator('[data-cases]').innerText()).toContain('3栋地下车库积水');
    await shot(page, 'patrol');
    await page.click('[data-back]');

    // Visits: the last 7 days by default (not the one 12 days ago), then 30 days.
    await page.click('[data-tab="visits"]');
    await page.waitForSelector(`tr[data-visit="${made.quiet}"]`);
    expect(await ids(page, 'visits')).toEqual([made.quiet, made.followUp, made.danger, made.poor].sort((a, b) => a - b));
    await page.click('[data-period="30d"]');
    await page.waitForSelector(`tr[data-visit="${made.old}"]`);
    expect(page.url()).toContain('period=30d');
    await page.click('[data-period="7d"]');
    await page.waitForSelector(`tr[data-visit="${made.old}"]`, { state: 'detached' });

    // The answers at a glance: danger stands out, the follow-up is flagged.
    const danger = page.locator(`tr[data-visit="${made.danger}"] [data-answer="safety"]`);
    expect(await danger.innerText()).toContain('危险');
    expect(await danger.getAttribute('class')).toContain('danger');
    expect(await page.locator(`tr[data-visit="${made.followUp}"] [data-flag="follow-up"]`).count()).toBe(1);
    expect(await page.locator(`tr[data-visit="${made.followUp}"]`).innerText()).toContain('未见本人');
    await shot(page, 'visits');

    // Only those needing follow-up: the follow-up, the danger and the poor health; not the quiet one.
    await page.check('[data-filter="attention"]');
    await page.waitForSelector(`tr[data-visit="${made.quiet}"]`, { state: 'detached' });
    expect(await ids(page, 'visits')).toEqual([made.followUp, made.danger, made.poor].sort((a, b) => a - b));
    await shot(page, 'visits-attention');

    // By grid: G02's alone.
    await page.selectOption('[data-filter="grid"]', 'G02');
    await page.waitForSelector(`tr[data-visit="${made.danger}"]`, { state: 'detached' });
    expect(await ids(page, 'visits')).toEqual([made.poor]);
    await page.selectOption('[data-filter="grid"]', '');
    // By worker: Wang Li's alone.
    await page.selectOption('[data-filter="worker"]', 'wang-li');
    await page.waitForSelector(`tr[data-visit="${made.poor}"]`, { state: 'detached' });
    expect(await ids(page, 'visits')).toEqual([made.followUp, made.danger].sort((a, b) => a - b));

    // A visit's page: its answers, what was written, and its household in the register.
    await page.locator(`tr[data-visit="${made.followUp}"] a.title`).click();
    await page.waitForSelector(`[data-visit="${made.followUp}"] [data-answers]`);
    expect(await page.locator('[data-answers]').innerText()).toMatch(/安全\s*有隐患[\s\S]*健康\s*一般[\s\S]*生活\s*困难/);
    expect(await page.locator('[data-answer="living"]').getAttribute('class')).toContain('danger');
    expect(await page.locator('[data-met]').innerText()).toBe('未见本人');
    expect(await page.locator('[data-note]').innerText()).toBe('独居老人不在家，邻居说最近腿脚不便，需社工再来。');
    await shot(page, 'visit');
    // Back to the list as it was filtered.
    expect(await page.locator('[data-back]').getAttribute('href')).toBe('/console/fieldwork?tab=visits&by=wang-li&attention=true');
    await page.click('[data-household-link]');
    await page.waitForSelector(`[data-places] [data-household="${household.room}"][aria-pressed="true"]`);
    expect(page.url()).toContain(`/console/register?household=${household.id}`);
    expect(page.errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('lets a social worker go from the follow-ups to a visit\'s answers', async () => {
    const page = await signedIn(browser, server.url, 'liu-social');
    await page.click('nav a[href="/console/fieldwork"]');
    await page.click('[data-tab="visits"]');
    await page.check('[data-filter="attention"]');
    await page.click('[data-period="30d"]');
    // 30 days with follow-ups: the old follow-up comes in, the quiet visit stays out.
    await page.waitForSelector(`tr[data-visit="${made.old}"]`);
    expect(await ids(page, 'visits')).toEqual([made.followUp, made.danger, made.poor, made.old].sort((a, b) => a - b));
    await page.locator(`tr[data-visit="${made.poor}"]`).click();
    await page.waitForSelector(`[data-visit="${made.poor}"] [data-answers]`);
    expect(await page.locator('[data-answer="health"]').innerText()).toContain('较差');
    expect(await page.locator('[data-note]').innerText()).toBe('长期卧床。');
    expect(await page.locator('h1').innerText()).toBe('走访 · 明月路5号4栋201');
    expect(page.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('shows a grid worker only their own logs, and not a colleague\'s by its address', async () => {
    const page = await signedIn(browser, server.url, 'wang-li');
    await page.click('nav a[href="/console/fieldwork"]');
    await page.waitForSelector(`tr[data-patrol="${made.wangPatrol}"]`);
    expect(await ids(page, 'patrols')).toEqual([made.wangPatrol]);
    expect(await page.locator('[data-filter="worker"]').count()).toBe(0);
    await page.click('[data-tab="visits"]');
    await page.waitForSelector(`tr[data-visit="${made.quiet}"]`);
    expect(await ids(page, 'visits')).toEqual([made.quiet, made.followUp, made.danger].sort((a, b) => a - b));
    expect(await page.locator('tr[data-by="zhao-gang"]').count()).toBe(0);
    await shot(page, 'own');
    await page.goto(`${server.url}/console/fieldwork/visits/${made.poor}`);
    await page.waitForSelector('h1:has-text("找不到这条记录")');

    // A custom period from the address, in English: from 13 days ago to today takes in the old visit.
    const day = (ago: number) => localDay(Date.now() - ago * 86_400_000, 'Asia/Shanghai');
    await page.goto(`${server.url}/console/fieldwork?tab=visits&period=custom&from=${day(13)}&to=${day(0)}&lang=en`);
    await page.waitForSelector(`tr[data-visit="${made.old}"]`);
    expect(await ids(page, 'visits')).toEqual([made.quiet, made.followUp, made.danger, made.old].sort((a, b) => a - b));
    expect(await page.locator('[data-filter="from"]').inputValue()).toBe(day(13));
    expect(await page.locator(`tr[data-visit="${made.danger}"] [data-answer="safety"]`).innerText()).toContain('Danger');
    await shot(page, 'custom-en');
    expect(page.errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
