/**
 * The demo volunteers on a real server: seeded through VolunteerService, then the simulator,
 * stepped by hand on the server's clock at life's pace (SIM_SPEED 1), signs volunteers up,
 * checks them in and out in their activities' hours, and the points they earn show on the
 * leaderboard and in balanced books.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { get, startServer, type TestServer } from '../support/server.ts';
import { seedVolunteers, VolunteerSimulator, DEMO_ITEMS, DEMO_TEAMS } from '../../server/demo/volunteers.ts';
import { seededRandom } from '../../server/demo/seed.ts';
import { startOfLocalDay, DAY_MS } from '../../shared/time.ts';

let ts: TestServer;
let api: string;
/** A Tuesday morning in Hangzhou; moved by the test. */
let clock = Date.parse('2026-03-10T10:00:00+08:00');
let sim: VolunteerSimulator;

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  sim = new VolunteerSimulator({ volunteers: ts.app.volunteers, logger: pino({ level: 'silent' }), speed: 1, now: () => clock, seed: 7 });
});
afterAll(async () => {
  await ts?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();

describe('demo volunteers', () => {
  it('seeds teams, volunteers, the exchange and activities today, once', async () => {
    const seeded = await seedVolunteers(ts.app.volunteers, clock, seededRandom(1));
    expect(seeded).toMatchObject({ teams: DEMO_TEAMS.length, volunteers: 60, items: DEMO_ITEMS.length });
    expect(await seedVolunteers(ts.app.volunteers, clock, seededRandom(1))).toBeNull();

    const vs = await get(`${api}/volunteers?limit=100`);
    expect(vs.status).toBe(200);
    expect(vs.body.items).toHaveLength(60);
    expect(new Set(vs.body.items.map((v: { name: string }) => v.name)).size).toBe(60);

    const items = await get(`${api}/exchange/items`);
    expect(items.body.items.map((i: { name: string }) => i.name)).toContain('大米 5kg');

    const day = startOfLocalDay(clock, 'Asia/Shanghai');
    const today = await get(`${api}/activities?from=${encodeURIComponent(iso(day))}&to=${encodeURIComponent(iso(day + DAY_MS))}`);
    expect(today.status).toBe(200);
    expect(today.body.items.length).toBeGreaterThan(0);
    // One is in progress now.
    expect(today.body.items.some((a: { startsAt: string; endsAt: string }) => Date.parse(a.startsAt) <= clock && clock < Date.parse(a.endsAt))).toBe(true);
  });

  it('checks volunteers in and out of the activity under way: points earned, leaderboard up, books balanced', async () => {
    const before = (await get(`${api}/points/summary`)).body;
    expect(before.issued).toBe(0);

    await sim.step(); // the activity under way: its sign-in sheet entered
    const onDuty = ts.app.db.prepare("SELECT COUNT(*) AS n FROM activity_signups WHERE status = 'checked_in'").get() as { n: number };
    expect(onDuty.n).toBeGreaterThan(0);

    // Three hours later, a minute a step: the activity has ended and its volunteers checked out.
    await stepFor(3 * 60, 60_000);

    const summary = (await get(`${api}/points/summary`)).body;
    expect(summary.issued).toBeGreaterThan(0);
    expect(summary.outstanding).toBe(summary.issued - summary.redeemed);
    expect(summary.check.ok).toBe(true);

    const board = (await get(`${api}/points/leaderboard`)).body;
    expect(board.items.length).toBeGreaterThan(0);
    const top = board.items[0];
    expect(top.points).toBeGreaterThan(0);
    // What they earned is in their balance, less anything they have already spent.
    const v = (await get(`${api}/volunteers/${top.volunteerId}`)).body;
    const spent = (await get(`${api}/exchange/redemptions?volunteer=${top.volunteerId}`)).body.items
      .reduce((sum: number, r: { points: number }) => sum + r.points, 0);
    expect(v.volunteer.balance + spent).toBe(top.points);
    expect(v.totals.points).toBe(top.points);
  });

  it('keeps going for two days: the coming days are published, redemptions happen, nobody works at night', async () => {
    const from = clock;
    await stepFor(48 * 60, 5 * 60_000);
    const summary = (await get(`${api}/points/summary`)).body;
    expect(summary.issued).toBeGreaterThan(100);
    expect(summary.redeemed).toBeGreaterThan(0);
    expect(summary.check.ok).toBe(true);
    const redemptions = (await get(`${api}/exchange/redemptions`)).body.items;
    expect(redemptions.length).toBeGreaterThan(0);
    // Three days ahead always has its programme.
    const day = startOfLocalDay(clock, 'Asia/Shanghai') + 3 * DAY_MS;
    const ahead = await get(`${api}/activities?from=${encodeURIComponent(iso(day))}&to=${encodeURIComponent(iso(day + DAY_MS))}`);
    expect(ahead.body.items.length).toBeGreaterThanOrEqual(2);
    // Check-ins and check-outs inside the activities' hours (07:00–21:30), none between midnight and six.
    const times = ts.app.db.prepare(`SELECT checked_in_at AS i, checked_out_at AS o FROM activity_signups WHERE checked_in_at > ?`)
      .all(from) as { i: number; o: number | null }[];
    expect(times.length).toBeGreaterThan(10);
    const hour = (ms: number) => new Date(ms + 8 * 3_600_000).getUTCHours();
    expect(times.filter((t) => hour(t.i) < 6 || (t.o !== null && hour(t.o) < 6))).toEqual([]);
  }, 60_000);
});

/** Move the clock `minutes` on, stepping the simulator every `stepMs`. */
async function stepFor(minutes: number, stepMs: number) {
  for (let t = 0; t < minutes * 60_000; t += stepMs) {
    clock += stepMs;
    await sim.step();
  }
}
