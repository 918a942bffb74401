/**
 * The whole demo on a real server: every subject seeded through its service (a month of history
 * lived on a moving clock), the simulators stepped, and the wall's five-subject views backed by
 * the database. What a newcomer sees on first `npm start -- --demo`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, openLive, startServer, until, type TestServer } from '../support/server.ts';
import { installSubjects } from '../../server/demo/index.ts';

let ts: TestServer;
let api: string;
const clock = Date.parse('2026-03-10T10:00:00+08:00');
let seeded: Awaited<ReturnType<typeof installSubjects>>;

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  seeded = await installSubjects(ts.app, clock, { speed: 60 });
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
    expect(await installSubjects(ts.app, clock, { speed: 60 })).toMatchObject({ volunteers: null, volunteerHistory: null, orgs: null, needs: null, charity: null });
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
});
