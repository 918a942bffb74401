/**
 * The whole demo on a real server: every subject seeded through its service (a month of history
 * lived on a moving clock), the simulators stepped, and the wall's five-subject views backed by
 * the database. What a newcomer sees on first `npm start -- --demo`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, openLive, startServer, until, type TestServer } from '../support/server.ts';
import pino from 'pino';
import { installSubjects, startSimulators } from '../../server/demo/index.ts';

let ts: TestServer;
let api: string;
/** Moved only by the last test, which runs the simulators on a fast clock. */
let clock = Date.parse('2026-03-10T10:00:00+08:00');
let seeded: Awaited<ReturnType<typeof installSubjects>>;

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  seeded = await installSubjects(ts.app, clock);
}, 120_000);
afterAll(async () => {
  await ts?.stop();
});

const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

describe('the demo', () => {
  it('lives a month of volunteer service: records on most days, points issued and some spent, books balanced', async () => {
    expect(seeded.volunteerHistory).not.toBeNull();
    const days = n(`SELECT COUNT(DISTINCT (issued_at + 8 * 3600000) / 86400000) AS n FROM service_records`);
    expect(days).toBeGreaterThanOrEqual(28);
    expect(seeded.volunteerHistory!.records).toBe(n('SELECT COUNT(*) AS n FROM service_records'));
    expect(seeded.volunteerHistory!.redemptions).toBeGreaterThan(5);
    const books = await get(`${api}/points/summary`);
    expect(books.status).toBe(200);
    expect(books.body.check).toMatchObject({ unbalancedTxns: [], driftedAccounts: [], overdrawnAccounts: [], total: 0 });
    expect(books.body.outstanding).toBe(books.body.issued - books.body.redeemed);
    expect(books.body.redeemed).toBeGreaterThan(0);
    // Seeding twice installs nothing more.
    expect(await installSubjects(ts.app, clock)).toMatchObject({ volunteers: null, volunteerHistory: null, orgs: null, needs: null, charity: null });
  });

  it('shows the month on the wall: hours and points this month, a leaderboard of masked names', async () => {
    const wall = openLive(ts.url, { display: true });
    try {
      await until(() => !!wall.client.state.views?.subjects, 'a snapshot');
      const v = wall.client.state.views!.subjects!.volunteers;
      const monthStart = Date.parse('2026-03-01T00:00:00+08:00');
      expect(v.hoursMonth).toBe(n('SELECT COALESCE(SUM(hours), 0) AS n FROM service_records WHERE issued_at >= ?', monthStart));
      expect(v.hoursMonth).toBeGreaterThan(0);
      expect(v.leaderboard.length).toBe(10);
      for (const row of v.leaderboard) expect(row.name).toMatch(/^\p{Script=Han}{1,2}\*+$/u);
      const names = (ts.app.db.prepare('SELECT name FROM volunteers').all() as { name: string }[]).map((r) => r.name);
      const payload = JSON.stringify(wall.client.state.views);
      for (const name of names) expect(payload).not.toContain(name);
    } finally {
      wall.close();
    }
  });

  it('gives every subject figures on the wall, and a linkage flow from needs through subjects to outcomes', async () => {
    const wall = openLive(ts.url, { display: true });
    try {
      await until(() => !!wall.client.state.views?.subjects, 'a snapshot');
      const s = wall.client.state.views!.subjects!;
      for (const kind of ['org', 'social_worker', 'volunteer', 'charity'] as const) expect(s.glance[kind].total, kind).toBeGreaterThan(0);
      expect(s.orgs.projectsActive).toBeGreaterThan(0);
      expect(s.socialWork.servicesMonth).toBeGreaterThan(0);
      expect(s.charity.raisedMonthCents + s.charity.daily.reduce((a, d) => a + d.raisedCents, 0)).toBeGreaterThan(0);
      expect(s.needs.daily.reduce((a, d) => a + d.raised, 0)).toBe(
        n('SELECT COUNT(*) AS n FROM needs WHERE raised_at >= ?', Date.parse('2026-02-09T00:00:00+08:00')));
      expect(s.satisfaction.needs).not.toBeNull();
      expect(s.metrics.filter((m) => m.services > 0).map((m) => m.subject)).toEqual(expect.arrayContaining(['org', 'social_worker', 'volunteer']));
      // The Sankey: needs → subjects → outcomes, acyclic, every link between known nodes.
      const ids = new Set(s.linkage.nodes.map((x) => x.id));
      expect(s.linkage.links.length).toBeGreaterThan(3);
      for (const l of s.linkage.links) {
        expect(ids.has(l.source) && ids.has(l.target)).toBe(true);
        expect(l.value).toBeGreaterThan(0);
        const order = (id: string) => ['need', 'subject', 'outcome'].indexOf(id.split(':')[0]!);
        expect(order(l.source)).toBeLessThan(order(l.target));
      }
      const books = await get(`${api}/charity/books`);
      expect(books.status).toBe(200);
      expect(books.body.ok).toBe(true);
    } finally {
      wall.close();
    }
  });

  it('never sends a wall the full name, phone or ID number of anyone the database knows, while every simulator runs', async () => {
    const wall = openLive(ts.url, { display: true });
    const payloads: string[] = [];
    wall.socket.onAny((_e, p) => payloads.push(JSON.stringify(p)));
    // Simulators on their own timers, on a clock that runs fast: a simulated minute every 10 ms.
    const fast = setInterval(() => (clock += 60_000), 10);
    const demo = startSimulators(ts.app, { speed: 1, rate: 10, logger: pino({ level: 'silent' }) });
    try {
      await until(() => !!wall.client.state.views?.subjects, 'a snapshot');
      const before = ts.app.model.head;
      await until(() => ts.app.model.head > before + 20, 'the simulators to write', 20_000);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      demo.stop();
      clearInterval(fast);
      wall.close();
    }
    const all = payloads.join('\n');
    const people = ts.app.db.prepare(`
      SELECT name AS v FROM volunteers UNION SELECT phone FROM volunteers UNION SELECT id_number FROM volunteers WHERE id_number IS NOT NULL
      UNION SELECT name FROM social_workers UNION SELECT phone FROM social_workers
      UNION SELECT contact_name FROM organizations UNION SELECT contact_phone FROM organizations
      UNION SELECT client_name FROM cases UNION SELECT client_phone FROM cases WHERE client_phone IS NOT NULL
      UNION SELECT resident_name FROM needs WHERE resident_name IS NOT NULL UNION SELECT resident_phone FROM needs WHERE resident_phone IS NOT NULL
      UNION SELECT donor_name FROM donations WHERE donor_kind = 'person' UNION SELECT donor_phone FROM donations WHERE donor_phone IS NOT NULL
    `).all() as { v: string }[];
    expect(people.length).toBeGreaterThan(100);
    const leaked = people.map((p) => p.v).filter((v) => v.length > 1 && all.includes(v));
    expect(leaked).toEqual([]);
    // A mobile number standing alone (not the digits inside a mean like 4.341346153846154).
    expect(all.match(/.{0,80}(?<![\d.])1[3-9]\d{9}(?!\d).{0,40}/)?.[0] ?? null).toBeNull();
  });
});
