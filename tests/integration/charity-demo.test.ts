/**
 * The demo's charity books: a month of gifts and disbursements seeded through the service on a
 * real server, balanced, on the wall, and kept alive by the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { get, openLive, startServer, until, type TestServer } from '../support/server.ts';
import { CharitySimulator, seedCharity, type SeedCharityResult } from '../../server/demo/charity.ts';

let ts: TestServer;
let api: string;
let clock = Date.parse('2026-03-18T15:00:00+08:00');
const seededAt = clock;
let seeded: SeedCharityResult | null;
let projectId: number;

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  // What the organizations' and needs' seeds would have made: a running project and two open needs.
  const db = ts.app.db;
  const org = Number(db.prepare(
    `INSERT INTO organizations (community_id, name, kind, contact_name, contact_phone, status, registered_at, updated_at)
     VALUES ('guihua', '桂花社工服务中心', 'social_org', '陈晓燕', '13900001111', 'active', 0, 0)`,
  ).run().lastInsertRowid);
  projectId = Number(db.prepare(
    `INSERT INTO projects (community_id, code, name, category, org_id, funding, budget_cents, starts_on, ends_on, grid_id, status,
                           created_by, created_at, updated_at)
     VALUES ('guihua', 'XM-DEMO-1', '桂花助老食堂', 'meals', ?, 'donor', 20000000, '2026-01-01', '2026-12-31', 'G02', 'active', 'admin', 0, 0)`,
  ).run(org).lastInsertRowid);
  for (const [code, title] of [['XQ-DEMO-1', '独居老人冬季缺少被褥'], ['XQ-DEMO-2', '困难家庭生活物资']]) {
    db.prepare(
      `INSERT INTO needs (community_id, code, title, category, urgency, grid_id, raised_by_kind, raised_by, beneficiaries, status, raised_at, updated_at)
       VALUES ('guihua', ?, ?, 'material_aid', 'normal', 'G04', 'grid_worker', 'W04', 2, 'raised', 0, 0)`,
    ).run(code, title);
  }
  seeded = await seedCharity(ts.app.subjectDeps, clock);
}, 60_000);
afterAll(async () => {
  await ts?.stop();
});

const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

describe('the demo charity books', () => {
  it('hold about forty gifts over the month and some disbursements, balanced, and are seeded once', async () => {
    expect(seeded).not.toBeNull();
    expect(seeded!.donations).toBe(40);
    expect(n('SELECT COUNT(*) AS n FROM donations')).toBe(40);
    expect(seeded!.disbursements).toBeGreaterThan(4);
    expect(seeded!.disbursements).toBe(n('SELECT COUNT(*) AS n FROM disbursements'));
    const span = ts.app.db.prepare('SELECT MIN(received_at) AS lo, MAX(received_at) AS hi FROM donations').get() as { lo: number; hi: number };
    expect(seededAt - span.lo).toBeGreaterThan(20 * 86_400_000);
    expect(span.hi).toBeLessThanOrEqual(seededAt);
    expect(n('SELECT COUNT(DISTINCT kind) AS n FROM donations')).toBe(2);
    expect(n("SELECT COUNT(DISTINCT donor_kind) AS n FROM donations")).toBe(3);
    expect(n('SELECT COUNT(*) AS n FROM donations WHERE project_id = ?', projectId)).toBeGreaterThan(0);
    expect(n("SELECT MIN(amount_cents) AS n FROM donations WHERE kind = 'money'")).toBeGreaterThanOrEqual(5_000);
    expect(n("SELECT MAX(amount_cents) AS n FROM donations WHERE kind = 'money'")).toBeLessThanOrEqual(2_000_000);

    const books = (await get(`${api}/charity/books`)).body;
    expect(books.ok).toBe(true);
    expect(books.money.givenCents).toBe(books.money.fundCents + books.money.restrictedCents + books.money.paidOutCents);
    expect(books.money.paidOutCents).toBeGreaterThan(0);
    expect(books.goods.length).toBeGreaterThan(2);
    expect(n('SELECT spent_cents AS n FROM projects WHERE id = ?', projectId))
      .toBe(n("SELECT COALESCE(SUM(amount_cents), 0) AS n FROM disbursements WHERE kind = 'money' AND project_id = ?", projectId));

    expect(await seedCharity(ts.app.subjectDeps, clock)).toBeNull();
    expect(n('SELECT COUNT(*) AS n FROM donations')).toBe(40);
  });

  it('fill the wall: money raised this month, the fund, goods on hand, the latest gifts, 30 days', async () => {
    const wall = openLive(ts.url, { display: true });
    try {
      await until(() => !!wall.client.state.views?.subjects, 'a snapshot');
      const v = wall.client.state.views!.subjects!.charity;
      const monthStart = Date.parse('2026-03-01T00:00:00+08:00');
      expect(v.raisedMonthCents).toBe(n('SELECT SUM(value_cents) AS n FROM donations WHERE received_at >= ?', monthStart));
      expect(v.raisedMonthCents).toBeGreaterThan(0);
      expect(v.fundBalanceCents).toBeGreaterThan(0);
      expect(v.donorsMonth).toBeGreaterThan(5);
      expect(v.donationsToday).toBeGreaterThanOrEqual(1);
      expect(v.goods.length).toBeGreaterThan(2);
      expect(v.recent).toHaveLength(10);
      expect(v.daily.filter((d) => d.raisedCents > 0).length).toBeGreaterThan(10);
      expect(v.daily.reduce((s, d) => s + d.disbursedCents, 0)).toBeGreaterThan(0);
      const donors = (ts.app.db.prepare("SELECT DISTINCT donor_name AS name, donor_phone AS phone FROM donations WHERE donor_kind = 'person'").all() as
        { name: string; phone: string }[]);
      const payload = JSON.stringify(wall.client.state.views);
      for (const d of donors) {
        expect(payload).not.toContain(d.name);
        expect(payload).not.toContain(d.phone);
      }
    } finally {
      wall.close();
    }
  });

  it('stay alive at the office\'s pace: about a gift a working day, goods handed out now and then, none of it at night', async () => {
    const sim = new CharitySimulator({ service: ts.app.charity, logger: pino({ level: 'silent' }), speed: 1, now: () => clock, seed: 7 });
    const from = clock;
    const before = { donations: n('SELECT COUNT(*) AS n FROM donations'), out: n("SELECT COUNT(*) AS n FROM disbursements WHERE kind = 'goods'") };
    // Four days at life's pace, stepped every ten minutes.
    for (let i = 0; i < 4 * 24 * 6; i++) {
      clock += 10 * 60_000;
      await sim.step();
    }
    const gifts = n('SELECT COUNT(*) AS n FROM donations') - before.donations;
    expect(gifts).toBeGreaterThanOrEqual(2);
    expect(gifts).toBeLessThanOrEqual(12);
    expect(n("SELECT COUNT(*) AS n FROM disbursements WHERE kind = 'goods'") - before.out).toBeGreaterThanOrEqual(1);
    // Recorded at the desk in office hours (08:30–17:30).
    const hours = (ts.app.db.prepare('SELECT recorded_at AS at FROM donations WHERE recorded_at > ? UNION ALL SELECT at FROM disbursements WHERE at > ?')
      .all(from, from) as { at: number }[]).map((r) => { const d = new Date(r.at + 8 * 3_600_000); return d.getUTCHours() + d.getUTCMinutes() / 60; });
    expect(hours.filter((h) => h < 8.5 || h >= 17.5)).toEqual([]);
    expect((await get(`${api}/charity/books`)).body.ok).toBe(true);
  }, 60_000);
});
