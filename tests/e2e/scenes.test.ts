/**
 * End to end: the wall's scenes and its playlist, on the real server with the demo subjects,
 * the built /screen and Debian's Chromium. Every scene draws with data at 1920×1080 and at 4K;
 * switching scenes for a long time leaves no chart or timer behind; and a volunteer checking in
 * and out through the API moves the wall's figures without a reload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { CLIENT_DIR } from '../../server/app.ts';
import { installSubjects } from '../../server/demo/index.ts';
import { post, startServer, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const SCENES = ['events', 'subjects', 'volunteers', 'needs'] as const;
const MIN = 60_000;

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

/** The panels each scene must show (data-panel names). */
const PANELS: Record<(typeof SCENES)[number], string[]> = {
  events: ['kpis', 'map', 'stream', 'trend', 'categories', 'grid-rank'],
  subjects: ['subjects', 'subject-community', 'subject-org', 'subject-social_worker', 'subject-volunteer', 'subject-charity', 'linkage', 'feed'],
  volunteers: ['volunteer-kpis', 'leaderboard', 'activities'],
  needs: ['needs-kpis', 'needs-trend', 'charity-trend', 'care', 'need-categories', 'fund', 'donations'],
};

interface WallPage extends Page {
  errors: string[];
}

/**
 * Open /screen with `query` as a paired display (the token in the ready-link hash), with CSP
 * violations and page errors collected, and a count of the intervals the page has running
 * (`window.__intervals`) for the leak check.
 */
async function openWall(browser: Browser, server: TestServer, query: string, size = { width: 1920, height: 1080 }): Promise<WallPage> {
  const page = (await browser.newPage({ viewport: size })) as WallPage;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.exposeFunction('reportCspViolation', (v: string) => page.errors.push(`CSP: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`));
    const live = new Set<unknown>();
    const w = window as unknown as { __intervals: () => number };
    const set = window.setInterval.bind(window);
    const clear = window.clearInterval.bind(window);
    window.setInterval = ((fn: TimerHandler, ms?: number, ...args: unknown[]) => {
      const id = set(fn, ms, ...args);
      live.add(id);
      return id;
    }) as typeof window.setInterval;
    window.clearInterval = ((id?: number) => {
      live.delete(id);
      clear(id);
    }) as typeof window.clearInterval;
    w.__intervals = () => live.size;
  });
  await page.goto(`${server.url}/screen${query}#display=${server.displayToken}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
  return page;
}

const kpi = (page: Page, name: string) => page.locator(`[data-kpi="${name}"]`).first().getAttribute('data-value');
const charts = (page: Page) => page.evaluate(() => Number(document.documentElement.dataset.charts ?? 0));
const intervals = (page: Page) => page.evaluate(() => (window as unknown as { __intervals: () => number }).__intervals());

async function expectNoOverflow(page: Page) {
  const overflow = await page.evaluate(() => ({
    x: document.documentElement.scrollWidth > window.innerWidth,
    y: document.documentElement.scrollHeight > window.innerHeight,
    // Every panel stays inside the 1920×1080 stage.
    outside: [...document.querySelectorAll('[data-panel]')].filter((el) => {
      const stage = document.querySelector('.stage')!.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.right > stage.right + 1 || r.bottom > stage.bottom + 1 || r.left < stage.left - 1 || r.top < stage.top - 1;
    }).map((el) => (el as HTMLElement).dataset.panel),
  }));
  expect(overflow).toEqual({ x: false, y: false, outside: [] });
}

describe('the wall’s scenes and playlist', () => {
  let server: TestServer;
  let browser: Browser;
  let api: string;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ historyDays: 10 });
    api = `${server.url}/api/v1`;
    await installSubjects(server.app, Date.now());
    browser = await launchBrowser(['--js-flags=--expose-gc']);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws every scene with data at 1920×1080, and a screenshot of each is kept', async () => {
    for (const scene of SCENES) {
      const page = await openWall(browser, server, `?scene=${scene}`);
      await expect(page.locator(`[data-scene="${scene}"]`).count(), scene).resolves.toBe(1);
      expect(await page.locator('[data-scene]').count(), 'one scene at a time').toBe(1);
      for (const panel of PANELS[scene]) {
        await expect(page.locator(`[data-panel="${panel}"]`).first().isVisible(), `${scene}: panel ${panel}`).resolves.toBe(true);
      }
      // The header names the scene, Chinese first.
      const names = { events: '网格事件', subjects: '五社联动', volunteers: '志愿服务', needs: '需求与慈善' };
      await expect(page.locator('[data-panel="scene-indicator"]').innerText()).resolves.toContain(names[scene]);
      await page.waitForTimeout(1_200); // counters roll in and charts finish their first animation
      await expectNoOverflow(page);
      await page.screenshot({ path: path.join(ARTIFACTS, `scene-${scene}.png`) });
      expect(page.errors, scene).toEqual([]);
      await page.close();
    }
  }, 60_000); // four pages, each drawn and photographed in software rendering

  it('shows what the server computed, and no volunteer’s full name', async () => {
    const views = server.app.model.views('guihua', Date.now());
    const sv = views.subjects!;
    expect(sv.volunteers.registered).toBeGreaterThan(0);

    const vol = await openWall(browser, server, '?scene=volunteers');
    await expect.poll(() => kpi(vol, 'volunteers.registered')).toBe(String(sv.volunteers.registered));
    await expect.poll(() => kpi(vol, 'volunteers.pointsOutstanding')).toBe(String(server.app.model.views('guihua', Date.now()).subjects!.volunteers.pointsOutstanding));
    const rows = await vol.locator('[data-leader-rank]').count();
    expect(rows).toBe(Math.min(10, sv.volunteers.leaderboard.length));
    const names = (server.app.db.prepare('SELECT name FROM volunteers').all() as { name: string }[]).map((r) => r.name).filter((n) => n.length >= 2);
    const text = await vol.locator('body').innerText();
    for (const name of names) expect(text, name).not.toContain(name);
    expect(text).not.toMatch(/1[3-9]\d{9}/);
    await vol.close();

    const subj = await openWall(browser, server, '?scene=subjects');
    for (const kind of ['community', 'org', 'social_worker', 'volunteer', 'charity'] as const) {
      await expect.poll(() => kpi(subj, `subjects.${kind}.total`), { message: kind })
        .toBe(String(server.app.model.views('guihua', Date.now()).subjects!.glance[kind].total));
    }
    await subj.close();
  });

  it('fits a 3840×2160 wall: one transform, charts drawn at twice the pixels', async () => {
    const page = await openWall(browser, server, '?scene=subjects', { width: 3840, height: 2160 });
    const fit = await page.evaluate(() => {
      const stage = document.querySelector('.stage')!.getBoundingClientRect();
      const canvas = document.querySelector('[data-panel="linkage"] canvas') as HTMLCanvasElement | null;
      return {
        stage: [Math.round(stage.width), Math.round(stage.height)],
        ratio: canvas ? Math.round((canvas.width / canvas.getBoundingClientRect().width) * 10) / 10 : null,
      };
    });
    expect(fit.stage).toEqual([3840, 2160]);
    // The linkage chart has a canvas only when needs were met; when it has, it is crisp.
    if (fit.ratio !== null) expect(fit.ratio).toBe(1);
    await page.waitForTimeout(1_200);
    await expectNoOverflow(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'scene-subjects-3840x2160.png') });
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('rotates by itself, steps with the arrow keys, and leaves no chart or timer behind', async () => {
    const page = await openWall(browser, server, '?scenes=events,subjects,volunteers,needs&dwell=10');
    await page.locator('[data-scene="events"]').waitFor();
    // A scene's charts come up as the chart engine loads: count them once they all have.
    await expect.poll(() => charts(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const base = { charts: await charts(page), intervals: await intervals(page) };
    // The playlist moves on by itself after the dwell.
    await page.locator('[data-scene="subjects"]').waitFor({ timeout: 14_000 });
    // Someone at the wall: ← goes back, → forward; 12 full rounds.
    await page.keyboard.press('ArrowLeft');
    await page.locator('[data-scene="events"]').waitFor();
    for (let round = 0; round < 12; round++) {
      for (const next of ['subjects', 'volunteers', 'needs', 'events']) {
        await page.keyboard.press('ArrowRight');
        await page.locator(`[data-scene="${next}"]`).waitFor({ timeout: 5_000 });
        expect(await page.locator('[data-scene]').count()).toBe(1);
      }
    }
    // Back on "events": the same charts and intervals as at the start, none left over (a chart
    // still coming up on a busy machine is waited for; one too many never goes away).
    await expect.poll(async () => ({ charts: await charts(page), intervals: await intervals(page) }), { timeout: 5_000 }).toEqual(base);
    expect(await page.locator('canvas').count()).toBe(await page.locator('[data-scene="events"] canvas').count());
    expect(page.errors).toEqual([]);
    await page.close();
  }, 60_000); // a 10 s dwell and 48 scene changes

  it('moves the on-duty count and the month’s points on the wall when a volunteer checks in and out, without a reload', async () => {
    const page = await openWall(browser, server, '?scene=volunteers');
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await page.evaluate(() => ((window as unknown as { sameLoad: boolean }).sameLoad = true));
    const onDuty = Number(await kpi(page, 'volunteers.onDuty'));
    const points = Number(await kpi(page, 'volunteers.pointsIssuedMonth'));

    const reg = await post(`${api}/volunteers`, { name: '欧阳明月', phone: '13912345678' });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const volunteerId = reg.body.volunteer.id as number;
    const act = await post(`${api}/activities`, {
      title: 'E2E 助老陪伴', organiser: '桂花社区志愿服务站', place: '桂花苑老年食堂',
      startsAt: iso(now - 90 * MIN), endsAt: iso(now + 120 * MIN), capacity: 5,
    });
    expect(act.status, JSON.stringify(act.body)).toBe(201);
    const activityId = act.body.activity.id as number;
    expect((await post(`${api}/activities/${activityId}/signups`, { volunteerId })).status).toBe(201);

    // The activity is running now: it is listed today (running ones come first), marked as running.
    const row = page.locator(`[data-activity-id="${activityId}"]`);
    await row.waitFor({ timeout: 12_000 }); // one page turn of the list at most
    await expect(row.getAttribute('data-running')).resolves.toBe('1');

    const checkIn = await post(`${api}/activities/${activityId}/check-in`, { volunteerId, at: iso(now - 90 * MIN) });
    expect(checkIn.status, JSON.stringify(checkIn.body)).toBe(200);
    await expect.poll(() => kpi(page, 'volunteers.onDuty'), { timeout: 5_000 }).toBe(String(onDuty + 1));

    const out = await post(`${api}/activities/${activityId}/check-out`, { volunteerId });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    const earned = out.body.record.points as number;
    expect(earned).toBeGreaterThan(0);
    await expect.poll(() => kpi(page, 'volunteers.onDuty'), { timeout: 5_000 }).toBe(String(onDuty));
    await expect.poll(() => kpi(page, 'volunteers.pointsIssuedMonth'), { timeout: 5_000 }).toBe(String(points + earned));

    // The same page, never reloaded, and the full name and phone never on the wall.
    await expect(page.evaluate(() => (window as unknown as { sameLoad?: boolean }).sameLoad)).resolves.toBe(true);
    const text = await page.locator('body').innerText();
    expect(text).not.toContain('欧阳明月');
    expect(text).not.toContain('13912345678');
    expect(page.errors).toEqual([]);
    await page.close();
  });
});
