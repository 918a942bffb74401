/**
 * The demo organizations on a real server: a month of services seeded through OrgService on a
 * moving clock, books and rollups that agree with the records, a wall with real figures, and a
 * simulator that keeps recording services, ratings and cases without tripping a rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { get, startServer, type TestServer } from '../support/server.ts';
import { DEMO_ORGS, DEMO_PROJECTS, DEMO_SOCIAL_WORKERS, OrgSimulator, seedOrgs } from '../../server/demo/orgs.ts';
import { SMALL_COUNT_MIN } from '../../shared/disclosure.ts';

let ts: TestServer;
let api: string;
/** A Friday afternoon in Hangzhou; moved by the simulator test. */
let clock = Date.parse('2026-03-20T15:00:00+08:00');

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const all = <T>(sql: string, ...args: unknown[]) => ts.app.db.prepare(sql).all(...args) as T[];
const one = <T>(sql: string, ...args: unknown[]) => ts.app.db.prepare(sql).get(...args) as T;

function wall() {
  ts.app.subjects.invalidate();
  return ts.app.subjects.views('guihua', clock, { reportedToday: 0, closedToday: 0, openNow: 0, satisfaction: null } as never);
}

/**
 * The grid a service counts in on the wall: none for a case session or a service that could
 * single out a key population's resident (docs/SECURITY.md, small numbers).
 */
const PUBLIC_GRID = `CASE WHEN case_id IS NOT NULL OR (populations <> '[]' AND beneficiaries < ${SMALL_COUNT_MIN}) THEN '' ELSE COALESCE(grid_id, '') END`;

/** Rollups per subject and grid, and the same figures counted from the services. */
function rollupsAndRecords() {
  return {
    records: all(`SELECT provider_kind AS subject, ${PUBLIC_GRID} AS grid, COUNT(*) AS services, SUM(beneficiaries) AS beneficiaries,
                         SUM(CAST(ROUND((ended_at - started_at) / 60000.0) AS INTEGER)) AS minutes, COALESCE(SUM(satisfaction), 0) AS sat,
                         COUNT(satisfaction) AS rated
                    FROM services GROUP BY 1, 2 ORDER BY 1, 2`),
    rollups: all(`SELECT subject, grid_id AS grid, SUM(services) AS services, SUM(beneficiaries) AS beneficiaries, SUM(service_minutes) AS minutes,
                         SUM(sat_sum) AS sat, SUM(sat_n) AS rated
                    FROM metrics_hourly WHERE subject IN ('org', 'social_worker') GROUP BY 1, 2 ORDER BY 1, 2`),
  };
}

describe('demo organizations and social work', () => {
  it('seeds the registry, projects and a month of services once', async () => {
    const seeded = await seedOrgs(ts.app.subjectDeps, clock);
    expect(seeded).toMatchObject({ orgs: DEMO_ORGS.length, socialWorkers: DEMO_SOCIAL_WORKERS.length, projects: DEMO_PROJECTS.length, cases: 8 });
    expect(seeded!.services).toBeGreaterThan(240);
    expect(seeded!.services).toBeLessThan(360);
    expect(seeded!.ratings / seeded!.services).toBeGreaterThan(0.4);
    expect(await seedOrgs(ts.app.subjectDeps, clock)).toBeNull();
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM services').n).toBe(seeded!.services);
  });

  it('keeps the books: spending is the expenses recorded and within budget; rollups equal the services', () => {
    const projects = all<{ id: number; spent_cents: number; budget_cents: number; funding: string; expenses: number }>(
      `SELECT p.id, p.spent_cents, p.budget_cents, p.funding, COALESCE((SELECT SUM(amount_cents) FROM project_expenses e WHERE e.project_id = p.id), 0) AS expenses
         FROM projects p`);
    for (const p of projects) {
      expect(p.spent_cents, `project ${p.id}`).toBe(p.expenses);
      expect(p.spent_cents).toBeLessThanOrEqual(p.budget_cents);
      if (p.funding === 'community_fund' || p.funding === 'donor') expect(p.expenses).toBe(0);
    }
    expect(projects.filter((p) => p.spent_cents > 0).length).toBeGreaterThanOrEqual(4);
    const { records, rollups } = rollupsAndRecords();
    expect(rollups).toEqual(records);
  });

  it('spreads services over every grid and the month, never in the future, projects within their periods', () => {
    const byGrid = all<{ grid_id: string; n: number }>('SELECT grid_id, COUNT(*) AS n FROM services GROUP BY grid_id');
    expect(byGrid.map((g) => g.grid_id).sort()).toEqual(['G01', 'G02', 'G03', 'G04', 'G05', 'G06', 'G07', 'G08', 'G09', 'G10']);
    for (const g of byGrid) expect(g.n, g.grid_id).toBeGreaterThanOrEqual(8);
    const span = one<{ first: number; last: number }>('SELECT MIN(ended_at) AS first, MAX(ended_at) AS last FROM services');
    expect(span.last).toBeLessThanOrEqual(clock);
    expect(clock - span.first).toBeGreaterThan(28 * 86_400_000);
    expect(all(`SELECT s.id FROM services s JOIN projects p ON p.id = s.project_id
                 WHERE date(s.ended_at / 1000, 'unixepoch', '+8 hours') NOT BETWEEN p.starts_on AND p.ends_on`)).toEqual([]);
    expect(all("SELECT id FROM services WHERE kind = 'case_session' AND case_id IS NULL")).toEqual([]);
    const kinds = all<{ kind: string }>('SELECT DISTINCT kind FROM services').map((k) => k.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['case_session', 'consultation', 'group', 'visit']));
  });

  it('has cases open and closed, a completed project, a planned one, a suspended organization, and no client on the wall', () => {
    const cases = one<{ open: number; closed: number }>("SELECT SUM(status = 'open') AS open, SUM(status = 'closed') AS closed FROM cases");
    expect(cases.open).toBeGreaterThanOrEqual(3);
    expect(cases.closed).toBeGreaterThanOrEqual(2);
    const statuses = all<{ status: string }>('SELECT status FROM projects').map((p) => p.status);
    expect(statuses).toContain('completed');
    expect(statuses).toContain('planned');
    expect(one<{ status: string }>("SELECT status FROM organizations WHERE name = '杭州暖心家政服务有限公司'").status).toBe('suspended');
    const clients = all<{ client_name: string }>('SELECT client_name FROM cases').map((c) => c.client_name);
    const journal = all<{ data: string }>('SELECT data FROM journal').map((j) => j.data).join('\n');
    for (const name of clients) expect(journal).not.toContain(name);
  });

  it('wrote the month in order: the journal’s instants never run back, so the feed reads as it happened', () => {
    const ats = all<{ at: number }>("SELECT at FROM journal WHERE type LIKE 'service.%' OR type LIKE 'case.%' OR type LIKE 'project.%' ORDER BY seq").map((r) => r.at);
    expect(ats.length).toBeGreaterThan(240);
    expect(ats.filter((at, i) => i > 0 && at < ats[i - 1]!)).toEqual([]);
    expect(ats[ats.length - 1]).toBeLessThanOrEqual(clock);
  });

  it('gives the wall non-zero figures for organizations and social work', async () => {
    const v = wall();
    expect(v.orgs).toMatchObject({ registered: 9, active: 8, projectsActive: 9 });
    expect(v.orgs.budgetCents).toBeGreaterThan(v.orgs.spentCents);
    expect(v.orgs.spentCents).toBeGreaterThan(0);
    expect(v.orgs.servicesMonth).toBeGreaterThan(0);
    expect(v.orgs.beneficiariesMonth).toBeGreaterThan(v.orgs.servicesMonth);
    expect(v.orgs.projects).toHaveLength(6);
    expect(v.orgs.projects[0]!.servicesDone).toBeGreaterThan(0);
    expect(v.socialWork).toMatchObject({ workers: 6, active: 5 });
    expect(v.socialWork.casesOpen).toBeGreaterThanOrEqual(3);
    for (const k of ['visitsMonth', 'servicesMonth', 'beneficiariesMonth', 'servicesToday'] as const) expect(v.socialWork[k], k).toBeGreaterThan(0);
    const sw = v.metrics.find((m) => m.subject === 'social_worker')!;
    expect(sw.services).toBeGreaterThan(0);
    expect(sw.satisfaction).toBeGreaterThan(3.5);
    expect(v.feed.some((f) => f.key.startsWith('feed.service.'))).toBe(true);

    const list = await get(`${api}/projects?status=active`);
    expect(list.status).toBe(200);
    expect(list.body.items.some((p: { progress: { servicesDone: number } }) => p.progress.servicesDone > 0)).toBe(true);
  });

  it('keeps recording services, ratings and cases in working hours without breaking a rule', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    const sim = new OrgSimulator({ service: ts.app.orgs, logger, speed: 1, now: () => clock, seed: 5 });
    const from = clock;
    const before = { services: one<{ n: number }>('SELECT COUNT(*) AS n FROM services').n, journal: ts.app.journal.head() };
    // Two days at life's pace in five-minute steps.
    for (let i = 0; i < 2 * 24 * 12; i++) {
      clock += 5 * 60_000;
      await sim.step();
    }
    expect(warnings).toEqual([]);
    const after = one<{ n: number }>('SELECT COUNT(*) AS n FROM services').n;
    expect(after - before.services).toBeGreaterThan(10);
    expect(after - before.services).toBeLessThan(40);
    expect(one<{ n: number }>("SELECT COUNT(*) AS n FROM journal WHERE type IN ('case.opened', 'case.closed', 'service.rated') AND seq > ?", before.journal).n)
      .toBeGreaterThan(3);
    // Services are delivered from 06:30 to 20:30 and recorded a little after: none at night.
    const night = ts.app.db.prepare('SELECT started_at AS s, recorded_at AS r FROM services WHERE recorded_at > ?').all(from) as { s: number; r: number }[];
    const hour = (ms: number) => new Date(ms + 8 * 3_600_000).getUTCHours();
    expect(night.filter((x) => hour(x.s) < 6 || hour(x.r) < 6 || hour(x.r) >= 21)).toEqual([]);
    const { records, rollups } = rollupsAndRecords();
    expect(rollups).toEqual(records);
  }, 60_000);
});
