/**
 * The volunteer ledger over real HTTP and a real SQLite file: registration, activities,
 * sign-up, check-in and check-out into service records and points, the exchange, and what
 * must never happen — an overfilled activity, an overdrawn balance (however many redemptions
 * race), a write on bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, sampleReport, startServer, type TestServer } from '../support/server.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

let ts: TestServer;
let api: string;
/** The server's clock, moved by the tests. Starts on a Tuesday morning in Hangzhou. */
let clock = Date.parse('2026-03-10T08:00:00+08:00');

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

let phoneSeq = 0;
async function register(name: string, over: Record<string, unknown> = {}) {
  const r = await post(`${api}/volunteers`, { name, phone: `1390000${String(++phoneSeq).padStart(4, '0')}`, ...over });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.volunteer as { id: number; name: string; balance: number };
}

/** An open activity from `start` for `hours`. */
async function activity(over: Record<string, unknown> = {}, start = clock + HOUR, hours = 3) {
  const r = await post(`${api}/activities`, {
    title: '桂花苑敬老助餐', organiser: '桂花社区志愿服务站', place: '桂花苑老年食堂',
    startsAt: iso(start), endsAt: iso(start + hours * HOUR), capacity: 10, skillsWanted: ['助老'], ...over,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.activity as { id: number; startsAt: string; endsAt: string; pointsPerHour: number };
}

async function ok(path: string, body: unknown, status = 200) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

/** Give a volunteer `points` by a real participation (rate = points per half hour × 2). */
async function earn(volunteerId: number, points: number) {
  const a = await activity({ pointsPerHour: points * 2, capacity: 1 }, clock - HOUR, 2);
  await ok(`/activities/${a.id}/signups`, { volunteerId }, 201);
  await ok(`/activities/${a.id}/check-in`, { volunteerId, at: iso(clock - HOUR) });
  const out = await ok(`/activities/${a.id}/check-out`, { volunteerId, at: iso(clock - 30 * MIN) });
  expect(out.record.points).toBe(points);
}

async function item(pointsCost: number, stock: number, name = '洗衣液') {
  return (await ok('/exchange/items', { name, pointsCost, stock }, 201)).item as { id: number; stock: number };
}

const balanceOf = async (id: number) => (await get(`${api}/points/volunteers/${id}`)).body.balance as number;

/** Everything a volunteer-ledger write could change. */
function footprint() {
  const tables = ['volunteers', 'volunteer_teams', 'activities', 'activity_signups', 'service_records', 'points_accounts',
    'points_txns', 'points_entries', 'exchange_items', 'redemptions', 'journal', 'events'];
  return {
    rows: Object.fromEntries(tables.map((t) => [t, n(`SELECT COUNT(*) AS n FROM ${t}`)])),
    balances: ts.app.db.prepare('SELECT id, balance FROM points_accounts ORDER BY id').all(),
    stock: ts.app.db.prepare('SELECT id, stock FROM exchange_items ORDER BY id').all(),
    signups: ts.app.db.prepare('SELECT id, status FROM activity_signups ORDER BY id').all(),
    statuses: ts.app.db.prepare('SELECT id, status FROM volunteers UNION ALL SELECT -id, status FROM activities').all(),
  };
}

/** The books: each transaction sums to zero, each cached balance is its SUM, no volunteer below zero. */
function expectBooksBalance() {
  expect(ts.app.db.prepare('SELECT txn_id FROM points_entries GROUP BY txn_id HAVING SUM(amount) <> 0').all()).toEqual([]);
  expect(ts.app.db.prepare(
    `SELECT a.id FROM points_accounts a LEFT JOIN points_entries e ON e.account_id = a.id
      GROUP BY a.id HAVING a.balance <> COALESCE(SUM(e.amount), 0)`).all()).toEqual([]);
  expect(n("SELECT COUNT(*) AS n FROM points_accounts WHERE kind = 'volunteer' AND balance < 0")).toBe(0);
  expect(n('SELECT COALESCE(SUM(amount), 0) AS n FROM points_entries')).toBe(0);
}

describe('a volunteer’s service, from registration to points', () => {
  it('registers, signs up, checks in and out, and turns the hours into a certificate and points', async () => {
    const v = await register('李秀英', { idNumber: '11010519491231002x', skills: ['助老', '急救'] });
    expect(v).toMatchObject({ name: '李秀英', balance: 0, status: 'active', skills: ['助老', '急救'], idNumber: '110105********002X' });
    const a = await activity({ startsAt: '2026-03-10T09:00:00+08:00', endsAt: '2026-03-10T12:00:00+08:00' });
    expect(a).toMatchObject({ pointsPerHour: 10, startsAt: '2026-03-10T09:00:00.000+08:00' });

    const signup = (await ok(`/activities/${a.id}/signups`, { volunteerId: v.id }, 201)).signup;
    expect(signup).toMatchObject({ status: 'signed_up', checkedInAt: null });

    clock = Date.parse('2026-03-10T08:45:00+08:00');
    expect((await ok(`/activities/${a.id}/check-in`, { volunteerId: v.id })).signup)
      .toMatchObject({ status: 'checked_in', checkedInAt: '2026-03-10T08:45:00.000+08:00' });

    // 09:00 (the start; arriving early is not counted) to 11:20 = 2 h 20 min → 2 h → 20 points.
    clock = Date.parse('2026-03-10T11:20:00+08:00');
    const out = await ok(`/activities/${a.id}/check-out`, { volunteerId: v.id, content: '为独居老人送餐并陪同用餐' });
    expect(out.signup).toMatchObject({ status: 'checked_out', checkedOutAt: '2026-03-10T11:20:00.000+08:00' });
    expect(out.record).toMatchObject({
      volunteerId: v.id, volunteerName: '李秀英', activityId: a.id, activityTitle: '桂花苑敬老助餐', hours: 2, points: 20,
      content: '为独居老人送餐并陪同用餐', issuer: '桂花社区志愿服务站', issuedAt: '2026-03-10T11:20:00.000+08:00',
    });
    expect(out.record.certificateNo).toMatch(/^ZYFW-2026-\d{6}$/);
    expect(out.balance).toBe(20);

    // The certificate, the balance and the ledger say the same.
    const cert = await get(`${api}/volunteers/certificates/${out.record.certificateNo}`);
    expect(cert.status).toBe(200);
    expect(cert.body.certificate).toEqual(out.record);
    expect(await get(`${api}/points/volunteers/${v.id}`)).toMatchObject({
      status: 200, body: { balance: 20, totals: { hours: 2, points: 20, records: 1 } },
    });
    const ledger = (await get(`${api}/points/volunteers/${v.id}/entries`)).body.items;
    expect(ledger).toMatchObject([{ kind: 'earn', amount: 20, balanceAfter: 20 }]);
    expect((await get(`${api}/volunteers/${v.id}`)).body).toMatchObject({ volunteer: { balance: 20 }, totals: { hours: 2 } });

    // In the database: one service record, one two-sided transaction (−issuance, +volunteer).
    const entries = ts.app.db.prepare(
      `SELECT a.kind, e.amount FROM points_entries e JOIN points_accounts a ON a.id = e.account_id
        JOIN service_records r ON r.txn_id = e.txn_id WHERE r.certificate_no = ? ORDER BY e.amount`,
    ).all(out.record.certificateNo);
    expect(entries).toEqual([{ kind: 'issuance', amount: -20 }, { kind: 'volunteer', amount: 20 }]);
    expectBooksBalance();

    // Each step is journaled, naming its entity rather than a grid event.
    const journal = ts.app.db.prepare(
      `SELECT type, entity, event_id FROM journal WHERE entity IN ('signup', 'points_txn') AND seq > (
         SELECT MIN(seq) FROM journal WHERE type = 'volunteer.signed_up' AND entity_id = ?) - 1 ORDER BY seq`,
    ).all(signup.id);
    expect(journal).toEqual([
      { type: 'volunteer.signed_up', entity: 'signup', event_id: null },
      { type: 'volunteer.checked_in', entity: 'signup', event_id: null },
      { type: 'volunteer.checked_out', entity: 'signup', event_id: null },
      { type: 'points.issued', entity: 'points_txn', event_id: null },
    ]);
  });

  it('writes no record and no points for a stay of under half an hour', async () => {
    const v = await register('赵强');
    const a = await activity({}, clock - HOUR, 2);
    await ok(`/activities/${a.id}/signups`, { volunteerId: v.id }, 201);
    await ok(`/activities/${a.id}/check-in`, { volunteerId: v.id, at: iso(clock - 20 * MIN) });
    const before = n('SELECT COUNT(*) AS n FROM points_txns');
    const out = await ok(`/activities/${a.id}/check-out`, { volunteerId: v.id });
    expect(out).toMatchObject({ signup: { status: 'checked_out' }, record: null, balance: 0 });
    expect(n('SELECT COUNT(*) AS n FROM points_txns')).toBe(before);
  });

  it('ranks this month’s volunteers by hours and points', async () => {
    const a = await register('钱多多');
    const b = await register('孙悟空');
    await earn(a.id, 5);
    await earn(b.id, 40);
    const board = (await get(`${api}/points/leaderboard?limit=100`)).body;
    expect(board.month).toBe('2026-03');
    const ids = board.items.map((r: { volunteerId: number }) => r.volunteerId);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    expect(board.items.find((r: { volunteerId: number }) => r.volunteerId === b.id)).toMatchObject({ hours: 0.5, points: 40, records: 1 });
    const sum = board.items.reduce((s: number, r: { points: number }) => s + r.points, 0);
    expect(board.totals.points).toBe(sum);
    // Last month had none.
    expect((await get(`${api}/points/leaderboard?month=2026-02`)).body).toMatchObject({ items: [], totals: { records: 0 } });
  });
});

describe('the registry', () => {
  it('keeps teams, and lists volunteers by team, skill and status, page by page', async () => {
    const team = (await ok('/volunteers/teams', { name: '桂花巾帼志愿队' }, 201)).team;
    expect((await post(`${api}/volunteers/teams`, { name: '桂花巾帼志愿队' })).body.error.code).toBe('error.team_exists');
    const a = await register('柏大姐', { teamId: team.id, skills: ['理发'] });
    const b = await register('水大姐', { teamId: team.id, skills: ['理发', '缝补'] });
    await ok(`/volunteers/${a.id}/status`, { status: 'left', note: '搬离本社区' });
    expect((await get(`${api}/volunteers/teams`)).body.items).toContainEqual({ id: team.id, name: '桂花巾帼志愿队', members: 1 });

    const byTeam = (await get(`${api}/volunteers?team=${team.id}`)).body;
    expect(byTeam.items.map((v: { id: number }) => v.id)).toEqual([b.id, a.id]);
    const active = (await get(`${api}/volunteers?team=${team.id}&status=active&skill=${encodeURIComponent('缝补')}`)).body;
    expect(active.items.map((v: { id: number }) => v.id)).toEqual([b.id]);
    const page1 = (await get(`${api}/volunteers?team=${team.id}&limit=1`)).body;
    const page2 = (await get(`${api}/volunteers?team=${team.id}&limit=1&cursor=${page1.nextCursor}`)).body;
    expect([...page1.items, ...page2.items].map((v: { id: number }) => v.id)).toEqual([b.id, a.id]);
    expect(page2.nextCursor).toBeNull();
  });

  it('lists activities by status with the places taken', async () => {
    const a = await activity({ status: 'planned', capacity: 4 });
    const listed = (await get(`${api}/activities?status=planned`)).body.items;
    expect(listed).toContainEqual(expect.objectContaining({ id: a.id, status: 'planned', capacity: 4, taken: 0 }));
    await ok(`/activities/${a.id}/status`, { status: 'open' });
    expect((await get(`${api}/activities?status=planned`)).body.items.map((x: { id: number }) => x.id)).not.toContain(a.id);
  });

  it('reads an activity back with every field it was created with', async () => {
    const start = clock + 26 * HOUR;
    const a = await activity({
      title: '河道清洁', description: '沿桂花河两岸', organiser: '桂花社区环保队', place: '桂花河南岸码头', gridId: 'G05',
      capacity: 7, skillsWanted: ['环保', '宣传'], pointsPerHour: 12, status: 'planned',
    }, start, 2);
    const { activity: read } = (await get(`${api}/activities/${a.id}`)).body;
    expect(read).toEqual({
      id: a.id, title: '河道清洁', description: '沿桂花河两岸', organiser: '桂花社区环保队', startsAt: a.startsAt, endsAt: a.endsAt,
      place: '桂花河南岸码头', gridId: 'G05', capacity: 7, taken: 0, skillsWanted: ['环保', '宣传'], pointsPerHour: 12,
      status: 'planned', createdAt: read.createdAt, updatedAt: read.createdAt,
    });
    expect([Date.parse(read.startsAt), Date.parse(read.endsAt), Date.parse(read.createdAt)]).toEqual([start, start + 2 * HOUR, clock]);
  });
});

describe('sign-up', () => {
  it('stops at the activity’s capacity', async () => {
    const a = await activity({ capacity: 2 });
    const [x, y, z] = [await register('周一'), await register('吴二'), await register('郑三')];
    await ok(`/activities/${a.id}/signups`, { volunteerId: x.id }, 201);
    await ok(`/activities/${a.id}/signups`, { volunteerId: y.id }, 201);
    const before = footprint();
    const full = await post(`${api}/activities/${a.id}/signups`, { volunteerId: z.id });
    expect(full.status).toBe(409);
    expect(full.body.error).toMatchObject({ code: 'error.activity_full', capacity: 2, taken: 2 });
    expect(footprint()).toEqual(before);
    // A cancelled sign-up frees its place.
    await ok(`/activities/${a.id}/cancel-signup`, { volunteerId: x.id });
    await ok(`/activities/${a.id}/signups`, { volunteerId: z.id }, 201);
    expect((await get(`${api}/activities/${a.id}`)).body.activity).toMatchObject({ capacity: 2, taken: 2 });
  });

  it('never overfills an activity when sign-ups race', async () => {
    const a = await activity({ capacity: 3 });
    const vs = await Promise.all(Array.from({ length: 12 }, (_, i) => register(`抢报${i}`)));
    const results = await Promise.all(vs.map((v) => post(`${api}/activities/${a.id}/signups`, { volunteerId: v.id })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'error.activity_full')).toBe(true);
    expect(n("SELECT COUNT(*) AS n FROM activity_signups WHERE activity_id = ? AND status = 'signed_up'", a.id)).toBe(3);
  });

  it('refuses a second sign-up of the same volunteer with 409, writing nothing', async () => {
    const a = await activity();
    const v = await register('王五');
    await ok(`/activities/${a.id}/signups`, { volunteerId: v.id }, 201);
    const before = footprint();
    const again = await post(`${api}/activities/${a.id}/signups`, { volunteerId: v.id });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'error.already_signed_up', status: 'signed_up' });
    expect(footprint()).toEqual(before);
  });

  it('refuses a paused volunteer and an activity not taking sign-ups', async () => {
    const v = await register('冯六');
    await ok(`/volunteers/${v.id}/status`, { status: 'paused' });
    const a = await activity();
    expect((await post(`${api}/activities/${a.id}/signups`, { volunteerId: v.id })).body.error.code).toBe('error.volunteer_inactive');
    const planned = await activity({ status: 'planned' });
    const w = await register('陈七');
    const r = await post(`${api}/activities/${planned.id}/signups`, { volunteerId: w.id });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('error.activity_not_open');
  });
});

describe('check-in and check-out', () => {
  it('refuses a check-in long before the start, and a check-out without a check-in', async () => {
    const a = await activity({}, clock + 3 * HOUR);
    const v = await register('褚八');
    await ok(`/activities/${a.id}/signups`, { volunteerId: v.id }, 201);
    const before = footprint();
    const early = await post(`${api}/activities/${a.id}/check-in`, { volunteerId: v.id });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('error.outside_activity_time');
    const out = await post(`${api}/activities/${a.id}/check-out`, { volunteerId: v.id });
    expect(out.status).toBe(409);
    expect(out.body.error).toMatchObject({ code: 'error.transition_not_allowed', status: 'signed_up' });
    expect(footprint()).toEqual(before);
  });

  it('refuses to check in someone who did not sign up', async () => {
    const a = await activity({}, clock);
    const v = await register('卫九');
    const r = await post(`${api}/activities/${a.id}/check-in`, { volunteerId: v.id });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('error.not_signed_up');
  });

  it('cancels pending sign-ups with the activity, and will not cancel one people have checked in to', async () => {
    const a = await activity();
    const v = await register('蒋十');
    await ok(`/activities/${a.id}/signups`, { volunteerId: v.id }, 201);
    await ok(`/activities/${a.id}/status`, { status: 'cancelled' });
    expect((await get(`${api}/activities/${a.id}`)).body.signups).toMatchObject([{ volunteerId: v.id, status: 'cancelled' }]);
    const again = await post(`${api}/activities/${a.id}/status`, { status: 'open' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'error.transition_not_allowed', allowed: [] });

    const b = await activity({}, clock);
    await ok(`/activities/${b.id}/signups`, { volunteerId: v.id }, 201);
    await ok(`/activities/${b.id}/check-in`, { volunteerId: v.id });
    const refused = await post(`${api}/activities/${b.id}/status`, { status: 'cancelled' });
    expect(refused.status).toBe(409);
    expect((await get(`${api}/activities/${b.id}`)).body.activity.status).toBe('open');
  });
});

describe('the exchange', () => {
  it('spends points within the balance: −volunteer, +redemption, stock down, all at once', async () => {
    const v = await register('沈阿姨');
    await earn(v.id, 20);
    const it8 = await item(8, 5);
    const r = await ok('/exchange/redemptions', { volunteerId: v.id, itemId: it8.id, quantity: 2 }, 201);
    expect(r).toMatchObject({ balance: 4, item: { id: it8.id, stock: 3 }, redemption: { volunteerId: v.id, quantity: 2, points: 16 } });
    expect(await balanceOf(v.id)).toBe(4);
    expect(n('SELECT stock AS n FROM exchange_items WHERE id = ?', it8.id)).toBe(3);
    const ledger = (await get(`${api}/points/volunteers/${v.id}/entries`)).body.items;
    expect(ledger.map((l: { kind: string; amount: number; balanceAfter: number }) => [l.kind, l.amount, l.balanceAfter]))
      .toEqual([['redeem', -16, 4], ['earn', 20, 20]]);
    const sides = ts.app.db.prepare(
      `SELECT a.kind, e.amount FROM points_entries e JOIN points_accounts a ON a.id = e.account_id
        JOIN redemptions r ON r.txn_id = e.txn_id WHERE r.id = ? ORDER BY e.amount`).all(r.redemption.id);
    expect(sides).toEqual([{ kind: 'volunteer', amount: -16 }, { kind: 'redemption', amount: 16 }]);
    expect((await get(`${api}/exchange/redemptions?volunteer=${v.id}`)).body.items).toHaveLength(1);
    expectBooksBalance();
  });

  it('refuses a redemption beyond the balance with 409, and nothing changes', async () => {
    const v = await register('韩大爷');
    await earn(v.id, 10);
    const pricey = await item(11, 5);
    const before = footprint();
    const r = await post(`${api}/exchange/redemptions`, { volunteerId: v.id, itemId: pricey.id });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'error.insufficient_points', balance: 10, needed: 11 });
    expect(footprint()).toEqual(before);
    expect(await balanceOf(v.id)).toBe(10);
  });

  it('refuses a redemption beyond the stock with 409, and nothing changes', async () => {
    const v = await register('杨阿婆');
    await earn(v.id, 50);
    const scarce = await item(5, 1);
    const before = footprint();
    const r = await post(`${api}/exchange/redemptions`, { volunteerId: v.id, itemId: scarce.id, quantity: 2 });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'error.out_of_stock', stock: 1 });
    expect(footprint()).toEqual(before);
    // Restocked, it can be had.
    await ok(`/exchange/items/${scarce.id}/restock`, { quantity: 4 });
    await ok('/exchange/redemptions', { volunteerId: v.id, itemId: scarce.id, quantity: 2 }, 201);
    expect(n('SELECT stock AS n FROM exchange_items WHERE id = ?', scarce.id)).toBe(3);
  });

  it('cannot be overspent by concurrent redemptions: of 20 at once, exactly the 3 the balance covers succeed', async () => {
    const v = await register('朱大姐');
    await earn(v.id, 30);
    const soap = await item(10, 10, '香皂');
    const redemptionsBefore = n('SELECT COUNT(*) AS n FROM redemptions');
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      post(`${api}/exchange/redemptions`, { volunteerId: v.id, itemId: soap.id })));
    const won = results.filter((r) => r.status === 201);
    const lost = results.filter((r) => r.status === 409);
    expect(won).toHaveLength(3);
    expect(lost).toHaveLength(17);
    for (const r of lost) expect(r.body.error.code).toBe('error.insufficient_points');
    expect(won.map((r) => r.body.balance).sort((a, b) => b - a)).toEqual([20, 10, 0]);
    expect(await balanceOf(v.id)).toBe(0);
    expect(n('SELECT stock AS n FROM exchange_items WHERE id = ?', soap.id)).toBe(7);
    expect(n('SELECT COUNT(*) AS n FROM redemptions') - redemptionsBefore).toBe(3);
    expectBooksBalance();
    expect((await get(`${api}/points/summary`)).body.check.ok).toBe(true);
  });

  it('cannot be over-sold by concurrent redemptions: the stock decides when points are plenty', async () => {
    const [a, b] = [await register('秦一'), await register('尤二')];
    await earn(a.id, 100);
    await earn(b.id, 100);
    const tea = await item(5, 3, '茶叶');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      post(`${api}/exchange/redemptions`, { volunteerId: i % 2 ? a.id : b.id, itemId: tea.id })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'error.out_of_stock')).toBe(true);
    expect(n('SELECT stock AS n FROM exchange_items WHERE id = ?', tea.id)).toBe(0);
    expect((await balanceOf(a.id)) + (await balanceOf(b.id))).toBe(200 - 15);
    expectBooksBalance();
  });
});

describe('bad input', () => {
  let vid: number;
  let aid: number;
  let iid: number;

  beforeAll(async () => {
    vid = (await register('许老师')).id;
    aid = (await activity({}, clock)).id;
    await ok(`/activities/${aid}/signups`, { volunteerId: vid }, 201);
    await ok(`/activities/${aid}/check-in`, { volunteerId: vid });
    iid = (await item(5, 5)).id;
  });

  /** A request refused with `status`, naming `field`, that wrote nothing. */
  async function refused(path: string, body: unknown, status: number, field?: string) {
    const before = footprint();
    const r = await post(`${api}${path}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error.code).toMatch(/^error\./);
    if (field !== undefined) {
      const fields = (r.body.error.issues ?? []).map((i: { field: string }) => i.field);
      expect(fields, JSON.stringify(r.body.error)).toContain(field);
    }
    expect(footprint()).toEqual(before);
  }

  const volunteer = (over: Record<string, unknown>) => ({ name: '何同学', phone: '13912345678', ...over });
  const act = (over: Record<string, unknown>) => ({
    title: '垃圾分类宣传', organiser: '桂花社区', place: '小区广场', capacity: 5,
    startsAt: '2026-03-12T09:00:00+08:00', endsAt: '2026-03-12T11:00:00+08:00', ...over,
  });

  it.each([
    ['no name', volunteer({ name: undefined }), 'name'],
    ['a blank name', volunteer({ name: '   ' }), 'name'],
    ['a phone that is not one', volunteer({ phone: 'call me' }), 'phone'],
    ['an ID number with a wrong check digit', volunteer({ idNumber: '110105194912310021' }), 'idNumber'],
    ['skills that are not a list', volunteer({ skills: '急救' }), 'skills'],
    ['a field the API does not know', volunteer({ age: 30 }), 'age'],
    ['a team that does not exist', volunteer({ teamId: 999 }), 'teamId'],
    ['a team id given as text', volunteer({ teamId: '1' }), 'teamId'],
  ])('a registration with %s is a 400 naming the field', async (_, body, field) => {
    await refused('/volunteers', body, 400, field);
  });

  it('a registration repeating an ID number is a 409', async () => {
    await register('吕同学', { idNumber: '110105194912310046' });
    await refused('/volunteers', volunteer({ idNumber: '110105194912310046' }), 409);
  });

  it.each([
    ['an end before the start', act({ endsAt: '2026-03-12T08:00:00+08:00' }), 'endsAt'],
    ['a start without an offset', act({ startsAt: '2026-03-12T09:00:00' }), 'startsAt'],
    ['a capacity of 0', act({ capacity: 0 }), 'capacity'],
    ['a capacity given as text', act({ capacity: '10' }), 'capacity'],
    ['a fractional capacity', act({ capacity: 2.5 }), 'capacity'],
    ['a negative rate', act({ pointsPerHour: -1 }), 'pointsPerHour'],
    ['a length of more than a day', act({ endsAt: '2026-03-14T09:00:00+08:00' }), 'endsAt'],
    ['a grid not in the community', act({ gridId: 'G99' }), 'gridId'],
    ['a status that cannot be created', act({ status: 'closed' }), 'status'],
    ['no organiser', act({ organiser: undefined }), 'organiser'],
  ])('an activity with %s is a 400 naming the field', async (_, body, field) => {
    await refused('/activities', body, 400, field);
  });

  it.each([
    ['/signups', { volunteerId: 'abc' }, 'volunteerId'],
    ['/signups', {}, 'volunteerId'],
    ['/check-out', { volunteerId: 1, at: 'yesterday' }, 'at'],
    ['/status', { status: 'finished' }, 'status'],
  ])('POST /activities/:id%s with %j is a 400 naming the field', async (path, body, field) => {
    await refused(`/activities/${aid}${path}`, body, 400, field);
  });

  it('a check-out dated in the future is a 400 naming `at`, and the volunteer stays checked in', async () => {
    await refused(`/activities/${aid}/check-out`, { volunteerId: vid, at: iso(clock + HOUR) }, 400, 'at');
  });

  it.each([
    ['a quantity of 0', { quantity: 0 }, 'quantity'],
    ['a fractional quantity', { quantity: 1.5 }, 'quantity'],
    ['no item', { itemId: undefined }, 'itemId'],
    ['a volunteer id as text', { volunteerId: String(1) }, 'volunteerId'],
  ])('a redemption with %s is a 400 naming the field', async (_, over, field) => {
    await refused('/exchange/redemptions', { volunteerId: vid, itemId: iid, ...over }, 400, field);
  });

  it.each([
    ['a negative stock', { name: '毛巾', pointsCost: 5, stock: -1 }, 'stock'],
    ['a cost of 0', { name: '毛巾', pointsCost: 0, stock: 1 }, 'pointsCost'],
  ])('an exchange item with %s is a 400 naming the field', async (_, body, field) => {
    await refused('/exchange/items', body, 400, field);
  });

  it('an empty or malformed body is a 400 naming the body', async () => {
    await refused('/volunteers', '', 400, '(body)');
    await refused('/exchange/redemptions', '{"volunteerId": ', 400, '(body)');
    await refused('/activities', [act({})], 400, '(body)');
  });

  it('an unknown volunteer, activity or item is a 404 and writes nothing', async () => {
    await refused(`/activities/99999/signups`, { volunteerId: vid }, 404);
    await refused(`/activities/${aid}/signups`, { volunteerId: 99999 }, 404);
    await refused('/exchange/redemptions', { volunteerId: vid, itemId: 99999 }, 404);
    await refused('/exchange/redemptions', { volunteerId: 99999, itemId: iid }, 404);
    await refused('/volunteers/99999/status', { status: 'paused' }, 404);
    expect((await get(`${api}/volunteers/99999`)).status).toBe(404);
    expect((await get(`${api}/volunteers/not-a-number`)).status).toBe(404);
    expect((await get(`${api}/volunteers/certificates/ZYFW-2026-999999`)).status).toBe(404);
  });

  it('a bad query is a 400 naming the parameter', async () => {
    for (const [path, field] of [
      ['/points/leaderboard?month=2026-13', 'month'],
      ['/volunteers?status=retired', 'status'],
      ['/activities?from=tomorrow', 'from'],
      ['/points/volunteers/1/entries?limit=0', 'limit'],
    ] as const) {
      const r = await get(`${api}${path}`);
      expect(r.status, path).toBe(400);
      expect(r.body.error.issues.map((i: { field: string }) => i.field), path).toContain(field);
    }
  });
});

describe('the journal', () => {
  it('keeps volunteer entries out of the grid-event replay', async () => {
    const since = ts.app.journal.head();
    const e = (await post(`${api}/events`, sampleReport())).body.event;
    await register('齐大叔');
    await ok(`/events/${e.id}/accept`, {});
    const replay = ts.app.journal.since('guihua', since, 100)!;
    expect(replay.map((ch) => [ch.type, ch.after.id])).toEqual([['event.reported', e.id], ['event.transitioned', e.id]]);
    expect(n("SELECT COUNT(*) AS n FROM journal WHERE seq > ? AND type = 'volunteer.registered'", since)).toBe(1);
  });
});
