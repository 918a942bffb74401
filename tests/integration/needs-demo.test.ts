/**
 * The demo's three lists on a real server: resources from the providers the other seeds made,
 * a month of needs lived through NeedService, books that agree with each other (places in use,
 * tasks, matches, metrics), wall figures that are not zero, and the simulator moving the lists
 * on the server's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { get, startServer, type TestServer } from '../support/server.ts';
import { seedVolunteers } from '../../server/demo/volunteers.ts';
import { NeedSimulator, seedNeeds, type SeedNeedsResult } from '../../server/demo/needs.ts';
import { seededRandom } from '../../server/demo/seed.ts';
import { needStats, linkageFlow } from '../../server/needs/stats.ts';
import type { StatsContext } from '../../server/kernel/stats-context.ts';
import { DAY_MS, isoInZone, startOfLocalDay, wallTime } from '../../shared/time.ts';

const TZ = 'Asia/Shanghai';
let ts: TestServer;
let api: string;
let clock = Date.parse('2026-03-10T10:00:00+08:00');
let seeded: SeedNeedsResult | null;

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  // The providers other seeds make: volunteers and teams through their service, organizations
  // and social workers as their registry writes them.
  await seedVolunteers(ts.app.volunteers, clock, seededRandom(1));
  const org = ts.app.db.prepare(
    `INSERT INTO organizations (community_id, name, kind, contact_name, contact_phone, categories, status, registered_at, updated_at)
     VALUES ('guihua', ?, 'social_org', '陈主任', '13900000001', ?, 'active', 0, 0)`,
  );
  for (const [name, cats] of [['乐龄养老服务中心', '["meals","daily_care"]'], ['阳光助残服务社', '["daily_care"]'], ['桂花社工服务中心', '["emotional"]']] as const) {
    org.run(name, cats);
  }
  const sw = ts.app.db.prepare(
    `INSERT INTO social_workers (community_id, name, phone, qualification, grids, status, joined_at, updated_at)
     VALUES ('guihua', ?, '13900000002', 'social_worker', ?, 'active', 0, 0)`,
  );
  sw.run('周慧敏', '["G03"]');
  sw.run('郑国平', '["G07"]');
  seeded = await seedNeeds(ts.app.subjectDeps, clock);
}, 120_000);
afterAll(async () => {
  await ts?.stop();
});

const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

function statsContext(now: number): StatsContext {
  const today = startOfLocalDay(now, TZ);
  const days: number[] = [];
  for (let d = today, i = 0; i < 30; i++, d = startOfLocalDay(d - 12 * 3_600_000, TZ)) days.unshift(d);
  return {
    db: ts.app.db, metrics: ts.app.metrics, communityId: 'guihua', timeZone: TZ, now, today, monthStart: today, windowStart: now - 30 * DAY_MS, days,
    iso: (ms) => isoInZone(ms, TZ),
    day: (ms) => { const w = wallTime(ms, TZ); return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`; },
  };
}

describe('the demo’s three lists', () => {
  it('seeds resources from every kind of provider and a month of needs, once', async () => {
    expect(seeded).not.toBeNull();
    const s = seeded!;
    expect(s.resources).toBeGreaterThanOrEqual(18);
    expect(s.needs).toBe(150);
    expect(s.met).toBeGreaterThan(90);
    expect(s.rated).toBeGreaterThan(50);
    expect(s.open).toBeGreaterThan(5);
    expect(s.closed).toBeGreaterThan(3);
    const kinds = (ts.app.db.prepare('SELECT DISTINCT provider_kind AS k FROM resources').all() as { k: string }[]).map((r) => r.k).sort();
    expect(kinds).toEqual(['community', 'donor', 'org', 'social_worker', 'team', 'volunteer']);
    // Needs on most days of the month, across the grids and categories.
    expect(n("SELECT COUNT(DISTINCT (raised_at + 8 * 3600000) / 86400000) AS n FROM needs")).toBeGreaterThanOrEqual(25);
    expect(n('SELECT COUNT(DISTINCT grid_id) AS n FROM needs')).toBe(10);
    expect(n('SELECT COUNT(DISTINCT category) AS n FROM needs')).toBe(10);
    expect(n('SELECT COUNT(DISTINCT met_by) AS n FROM needs WHERE met_by IS NOT NULL')).toBeGreaterThanOrEqual(4);
    expect(n('SELECT COUNT(*) AS n FROM projects WHERE need_id IS NOT NULL')).toBeGreaterThan(0);
    expect(await seedNeeds(ts.app.subjectDeps, clock)).toBeNull();
  });

  it('keeps the books consistent: places, tasks, matches and metrics agree with the needs', () => {
    // A resource's places in use are the needs it serves now.
    expect(ts.app.db.prepare(
      `SELECT r.id FROM resources r
        WHERE r.in_use <> (SELECT COUNT(*) FROM needs n WHERE n.resource_id = r.id AND n.status IN ('matched', 'in_progress'))`,
    ).all()).toEqual([]);
    expect(n('SELECT COUNT(*) AS n FROM resources WHERE in_use > capacity')).toBe(0);
    // One accepted match per need taken on, and it names the need's resource.
    expect(n('SELECT COUNT(*) AS n FROM needs WHERE resource_id IS NOT NULL')).toBe(n("SELECT COUNT(*) AS n FROM matches WHERE status = 'accepted'"));
    expect(n(`SELECT COUNT(*) AS n FROM needs x JOIN matches m ON m.need_id = x.id AND m.status = 'accepted' WHERE m.resource_id <> x.resource_id`)).toBe(0);
    // Each taken-on need has a task or a project, never both; open tasks are the needs still being served.
    expect(n(`SELECT COUNT(*) AS n FROM matches WHERE status = 'accepted' AND (project_id IS NULL) = (task_id IS NULL)`)).toBe(0);
    expect(n("SELECT COUNT(*) AS n FROM tasks WHERE status = 'open'")).toBe(
      n("SELECT COUNT(*) AS n FROM needs x JOIN tasks t ON t.need_id = x.id WHERE x.status IN ('matched', 'in_progress')"));
    expect(n("SELECT COUNT(*) AS n FROM tasks t JOIN needs x ON x.id = t.need_id WHERE x.status IN ('met', 'rated') AND t.status <> 'done'")).toBe(0);
    // A project made for a need ends with it.
    expect(n(`SELECT COUNT(*) AS n FROM projects p JOIN needs x ON x.id = p.need_id
               WHERE (x.status IN ('met', 'rated') AND p.status <> 'completed') OR (x.status = 'closed' AND p.status <> 'cancelled')
                  OR (x.status IN ('matched', 'in_progress') AND p.status <> 'active')`)).toBe(0);
    // Timestamps run forward.
    expect(n(`SELECT COUNT(*) AS n FROM needs WHERE matched_at < raised_at OR started_at < matched_at OR met_at < started_at
               OR rated_at < met_at OR closed_at < raised_at OR raised_at > ?`, clock)).toBe(0);
    // The hourly rollups say what the records say.
    const m = ts.app.db.prepare(
      'SELECT SUM(needs_raised) AS raised, SUM(needs_met) AS met, SUM(sat_n) AS rated, SUM(sat_sum) AS sat, SUM(response_n) AS responses FROM metrics_hourly',
    ).get() as Record<string, number>;
    expect(m).toEqual({
      raised: n('SELECT COUNT(*) AS n FROM needs'),
      met: n('SELECT COUNT(*) AS n FROM needs WHERE met_at IS NOT NULL'),
      rated: n('SELECT COUNT(*) AS n FROM needs WHERE satisfaction IS NOT NULL'),
      sat: n('SELECT SUM(satisfaction) AS n FROM needs'),
      responses: n('SELECT COUNT(*) AS n FROM needs WHERE met_at IS NOT NULL'),
    });
  });

  it('gives the wall figures that are not zero and a linkage flow through several subjects', () => {
    const v = needStats(statsContext(clock));
    expect(v.open).toBe(seeded!.open);
    expect(v.overdue).toBeGreaterThan(0);
    expect(v.avgResponseHours).toBeGreaterThan(2);
    expect(v.daily.filter((d) => d.raised > 0).length).toBeGreaterThanOrEqual(20);
    expect(v.daily.reduce((s, d) => s + d.met, 0)).toBeGreaterThan(80);
    expect(v.byCategory.filter((c) => c.met > 0).length).toBeGreaterThanOrEqual(8);
    const flow = linkageFlow(statsContext(clock));
    const subjects = new Set(flow.links.filter((l) => l.source.startsWith('subject:')).map((l) => l.source));
    expect(subjects.size).toBeGreaterThanOrEqual(4);
    expect(flow.links.some((l) => l.target === 'outcome:met')).toBe(true);
    expect(flow.links.some((l) => l.target === 'outcome:unmet')).toBe(true);
  });

  it('keeps the lists moving: the simulator raises, matches, meets and rates needs', async () => {
    const sim = new NeedSimulator({ service: ts.app.needs, logger: pino({ level: 'silent' }), speed: 1, now: () => clock, seed: 3 });
    const from = clock;
    const before = { needs: n('SELECT COUNT(*) AS n FROM needs'), met: n('SELECT COUNT(*) AS n FROM needs WHERE met_at IS NOT NULL') };
    const matchedBefore = n('SELECT COUNT(*) AS n FROM needs WHERE matched_at IS NOT NULL');
    // Two days at life's pace, stepped every five minutes.
    for (let i = 0; i < 2 * 24 * 12; i++) {
      clock += 5 * 60_000;
      await sim.step();
    }
    const raised = n('SELECT COUNT(*) AS n FROM needs') - before.needs;
    expect(raised).toBeGreaterThanOrEqual(5);
    expect(raised).toBeLessThanOrEqual(20);
    expect(n('SELECT COUNT(*) AS n FROM needs WHERE matched_at IS NOT NULL')).toBeGreaterThan(matchedBefore);
    expect(n('SELECT COUNT(*) AS n FROM needs WHERE met_at IS NOT NULL')).toBeGreaterThan(before.met);
    expect(n('SELECT COUNT(*) AS n FROM needs WHERE rated_at > ?', from)).toBeGreaterThan(0);
    // Desk work in office hours (08:30–17:30); residents raised theirs in the daytime.
    const hour = (ms: number) => { const d = new Date(ms + 8 * 3_600_000); return d.getUTCHours() + d.getUTCMinutes() / 60; };
    const desk = ts.app.db.prepare('SELECT at FROM journal WHERE entity = ? AND at > ?').all('need', from) as { at: number }[];
    expect(desk.length).toBeGreaterThan(10);
    expect(desk.filter((r) => hour(r.at) < 8.5 || hour(r.at) >= 17.5)).toEqual([]);
    const raisedAt = ts.app.db.prepare(`SELECT n.raised_at AS at FROM needs n JOIN journal j ON j.entity = 'need' AND j.entity_id = n.id
      AND j.type = 'need.raised' WHERE j.at > ?`).all(from) as { at: number }[];
    expect(raisedAt.filter((r) => hour(r.at) < 7)).toEqual([]);
    // Entered some hours after the resident raised them: the response time stays in hours.
    expect(n('SELECT COUNT(*) AS n FROM resources WHERE in_use > capacity')).toBe(0);
    const list = await get(`${api}/needs?limit=5`);
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBe(5);
  }, 60_000);
});
