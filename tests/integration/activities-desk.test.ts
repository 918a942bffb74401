/**
 * The activities desk's API (issue 13): volunteers' card codes and the desk's lookup by card, an
 * activity edited while a draft with a version check, the list's when/search filters, the
 * desk's sign-up list and candidates, a retried check-in or check-out that applies once, and the
 * ledgers out. Bad input is a 400 naming the field, and writes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, openDatabase } from '../../server/database.ts';
import { openSqlite } from '../../server/db/index.ts';
import { Directory } from '../../server/kernel/community.ts';
import { installDemoCommunity } from '../../server/demo/seed.ts';
import { CARD_CODE_PATTERN } from '../../shared/volunteers.ts';
import { get, post, request, send, startServer, tempDataDir, until, type TestServer } from '../support/server.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

let ts: TestServer;
let api: string;
/** The server's clock: a Saturday morning in Hangzhou, moved by the tests. */
let clock = Date.parse('2026-12-05T08:00:00+08:00');

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;
/** Everything an activities-desk write could change. */
const footprint = () => ({
  activities: ts.app.db.prepare('SELECT * FROM activities ORDER BY id').all(),
  signups: ts.app.db.prepare('SELECT * FROM activity_signups ORDER BY id').all(),
  records: n('SELECT COUNT(*) AS n FROM service_records'),
  journal: n('SELECT COUNT(*) AS n FROM journal'),
});

let phoneSeq = 0;
async function register(name: string) {
  const r = await post(`${api}/volunteers`, { name, phone: `1370000${String(++phoneSeq).padStart(4, '0')}` });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.volunteer as { id: number; name: string; phone: string; cardCode: string };
}

async function activity(over: Record<string, unknown> = {}, start = clock + HOUR, hours = 3) {
  const r = await post(`${api}/activities`, {
    title: '银杏苑垃圾分类宣传', organiser: '银杏社区志愿服务站', place: '银杏苑东门',
    startsAt: iso(start), endsAt: iso(start + hours * HOUR), capacity: 10, ...over,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.activity as { id: number; title: string; updatedAt: string; status: string };
}

describe('card codes', () => {
  it('gives every new volunteer a different 8-character card code the desk can look them up by', async () => {
    const a = await register('郑一');
    const b = await register('郑二');
    expect(a.cardCode).toMatch(CARD_CODE_PATTERN);
    expect(b.cardCode).toMatch(CARD_CODE_PATTERN);
    expect(a.cardCode).not.toBe(b.cardCode);
    const found = await get(`${api}/volunteers/card/${a.cardCode.toLowerCase()}`);
    expect(found.status).toBe(200);
    expect(found.body.volunteer).toMatchObject({ id: a.id, name: '郑一', cardCode: a.cardCode });
    await until(() => n("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'records.read' AND target_type = 'volunteers' AND target_id = ?", String(a.id)) >= 1,
      'the card lookup to be logged as a read of the volunteer');
  });

  it('answers 404 for a card nobody has, and for text that cannot be a card code', async () => {
    expect((await get(`${api}/volunteers/card/ZZZZZZZZ`)).status).toBe(404);
    expect((await get(`${api}/volunteers/card/O0O0`)).status).toBe(404);
  });

  it('gives the volunteers registered before migration 17 card codes of their own', () => {
    const dir = tempDataDir();
    const file = path.join(dir, 'old.db');
    const old = openSqlite(file, MIGRATIONS.filter((m) => m.version < 17));
    installDemoCommunity(new Directory(old), clock);
    const community = (old.prepare('SELECT id FROM communities LIMIT 1').get() as { id: string }).id;
    const insert = old.prepare("INSERT INTO volunteers (community_id, name, phone, status, registered_at, updated_at) VALUES (?, ?, '13900000000', 'active', 0, 0)");
    for (let i = 0; i < 50; i++) insert.run(community, `旧志愿者${i}`);
    old.close();
    const db = openDatabase(file);
    const codes = (db.prepare('SELECT card_code FROM volunteers').all() as { card_code: string }[]).map((r) => r.card_code);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(codes.length).toBeGreaterThanOrEqual(50);
    for (const c of codes) expect(c).toMatch(CARD_CODE_PATTERN);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('editing an activity', () => {
  it('changes a draft, and refuses a change made on a stale copy with the time of the change', async () => {
    const a = await activity({ status: 'planned' });
    const edited = await send('PATCH', `${api}/activities/${a.id}`, { expectedUpdatedAt: a.updatedAt, title: '银杏苑垃圾分类宣传（第二场）', capacity: 12 });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.activity).toMatchObject({ title: '银杏苑垃圾分类宣传（第二场）', capacity: 12, status: 'planned' });
    expect(n("SELECT COUNT(*) AS n FROM journal WHERE type = 'activity.updated' AND entity_id = ?", a.id)).toBe(1);
    clock += MIN;
    const before = footprint();
    const stale = await send('PATCH', `${api}/activities/${a.id}`, { expectedUpdatedAt: a.updatedAt, title: '覆盖' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.version_conflict', changedAt: edited.body.activity.updatedAt });
    expect(footprint()).toEqual(before);
  });

  it.each([
    ['capacity', { capacity: 0 }],
    ['title', { title: '' }],
    ['endsAt', { endsAt: '2026-12-05T06:00:00+08:00' }],
    ['expectedUpdatedAt', { expectedUpdatedAt: undefined, title: '没有版本' }],
    ['pointsPerHour', { pointsPerHour: 2.5 }],
  ])('answers 400 naming %s for a bad edit, and writes nothing', async (field, change) => {
    const a = await activity({ status: 'planned' });
    const before = footprint();
    const r = await send('PATCH', `${api}/activities/${a.id}`, { expectedUpdatedAt: a.updatedAt, ...change });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(JSON.stringify(r.body.error)).toContain(field);
    expect(footprint()).toEqual(before);
  });

  it('will not lower the places under those taken, nor change a cancelled activity', async () => {
    const a = await activity();
    for (const name of ['钱一', '钱二']) {
      const v = await register(name);
      expect((await post(`${api}/activities/${a.id}/signups`, { volunteerId: v.id })).status).toBe(201);
    }
    const current = (await get(`${api}/activities/${a.id}`)).body.activity;
    const under = await send('PATCH', `${api}/activities/${a.id}`, { expectedUpdatedAt: current.updatedAt, capacity: 1 });
    expect(under.status).toBe(400);
    expect(under.body.error.issues[0]).toMatchObject({ field: 'capacity' });
    const c = await post(`${api}/activities/${a.id}/status`, { status: 'cancelled' });
    const after = await send('PATCH', `${api}/activities/${a.id}`, { expectedUpdatedAt: c.body.activity.updatedAt, title: '改' });
    expect(after.status).toBe(409);
  });
});

describe('the list', () => {
  it('finds upcoming, today\'s and past activities, and by words of the title or place', async () => {
    const past = await activity({ title: '昨日义诊' }, clock - 26 * HOUR, 2);
    const today = await activity({ title: '今日义剪', place: '桂花苑活动室' }, clock + HOUR, 2);
    const later = await activity({ title: '下周植树' }, clock + 7 * 24 * HOUR, 2);
    const ids = async (q: string) => ((await get(`${api}/activities?${q}&limit=500`)).body.items as { id: number }[]).map((x) => x.id);
    expect(await ids('when=past')).toContain(past.id);
    expect(await ids('when=past')).not.toContain(today.id);
    expect(await ids('when=today')).toContain(today.id);
    expect(await ids('when=today')).not.toContain(later.id);
    expect(await ids('when=upcoming')).toEqual(expect.arrayContaining([today.id, later.id]));
    expect(await ids('when=upcoming')).not.toContain(past.id);
    expect(await ids(`q=${encodeURIComponent('桂花苑活动')}`)).toEqual([today.id]);
    const bad = await get(`${api}/activities?when=tomorrow`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('when');
  });
});

describe('the desk', () => {
  it('lists the sign-ups with names, phones and card codes, a logged read', async () => {
    const a = await activity();
    const v = await register('孙三');
    await post(`${api}/activities/${a.id}/signups`, { volunteerId: v.id });
    const r = await get(`${api}/activities/${a.id}/signups`);
    expect(r.status).toBe(200);
    expect(r.body.items).toMatchObject([{ volunteerId: v.id, volunteerName: '孙三', volunteerPhone: v.phone, cardCode: v.cardCode, status: 'signed_up' }]);
    await until(() => n("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'records.list' AND target_type = 'volunteers' AND detail LIKE ?", `%"ids":[${r.body.items[0].id}]%`) >= 1,
      'the desk list to be logged');
  });

  it('finds volunteers to sign up by card code, name or phone, with their sign-up if any', async () => {
    const a = await activity();
    const v = await register('欧阳锋');
    await post(`${api}/activities/${a.id}/signups`, { volunteerId: v.id });
    const by = async (q: string) => (await get(`${api}/activities/${a.id}/candidates?q=${encodeURIComponent(q)}`)).body.items as { id: number; signup: string | null }[];
    expect((await by(v.cardCode))[0]).toMatchObject({ id: v.id, signup: 'signed_up' });
    expect((await by('欧阳')).map((x) => x.id)).toContain(v.id);
    expect((await by(v.phone.slice(-6))).map((x) => x.id)).toContain(v.id);
    const blank = await get(`${api}/activities/${a.id}/candidates?q=%20`);
    expect(blank.status).toBe(400);
    expect(blank.body.error.issues[0].field).toBe('q');
  });

  it('applies a check-in sent twice at once only once, and answers both with the check-in that stands', async () => {
    const a = await activity({}, clock - 10 * MIN, 3);
    const v = await register('李四');
    await post(`${api}/activities/${a.id}/signups`, { volunteerId: v.id });
    const [one, two] = await Promise.all([
      post(`${api}/activities/${a.id}/check-in`, { volunteerId: v.id }),
      post(`${api}/activities/${a.id}/check-in`, { volunteerId: v.id }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect([one.body.repeated, two.body.repeated].sort()).toEqual([false, true]);
    expect(two.body.signup.checkedInAt).toBe(one.body.signup.checkedInAt);
    const signupId = one.body.signup.id;
    expect(n("SELECT COUNT(*) AS n FROM journal WHERE type = 'volunteer.checked_in' AND entity_id = ?", signupId)).toBe(1);
  });

  it('applies a check-out sent twice only once: one service record, the points issued once', async () => {
    const a = await activity({ pointsPerHour: 10 }, clock - 30 * MIN, 4);
    const v = await register('周五');
    await post(`${api}/activities/${a.id}/signups`, { volunteerId: v.id });
    await post(`${api}/activities/${a.id}/check-in`, { volunteerId: v.id, at: iso(clock - 30 * MIN) });
    clock += 2 * HOUR;
    const first = await post(`${api}/activities/${a.id}/check-out`, { volunteerId: v.id });
    const again = await post(`${api}/activities/${a.id}/check-out`, { volunteerId: v.id });
    expect(first.body).toMatchObject({ repeated: false, record: { hours: 2.5, points: 25 }, balance: 25 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ repeated: true, record: { certificateNo: first.body.record.certificateNo }, balance: 25 });
    expect(n('SELECT COUNT(*) AS n FROM service_records WHERE volunteer_id = ?', v.id)).toBe(1);
  });
});

describe('ledgers out', () => {
  it('exports the activities under the list\'s filters, logged', async () => {
    await activity({ title: '=HYPERLINK("x")导出测试' });
    await activity({ title: '不该出现' });
    const r = await request(`${api}/activities/export?format=csv&q=${encodeURIComponent('导出测试')}&lang=zh-CN`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const res = await fetch(`${api}/activities/export?format=csv&q=${encodeURIComponent('导出测试')}`, { headers: { cookie: ts.admin!.cookie } });
    const csv = await res.text();
    expect(csv).toContain('活动名称');
    expect(csv).toContain("'=HYPERLINK");
    expect(csv).not.toContain('不该出现');
    await until(() => n("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'records.export' AND target_type = 'activities'") >= 2, 'the export to be logged');
  });

  it('exports an activity\'s attendance with each one\'s hours and points, as XLSX too', async () => {
    const a = await activity({ pointsPerHour: 10 }, clock - 60 * MIN, 3);
    const v = await register('吴六');
    await post(`${api}/activities/${a.id}/signups`, { volunteerId: v.id });
    expect((await post(`${api}/activities/${a.id}/check-in`, { volunteerId: v.id, at: iso(clock - 60 * MIN) })).status).toBe(200);
    expect((await post(`${api}/activities/${a.id}/check-out`, { volunteerId: v.id })).status).toBe(200);
    const csv = await (await fetch(`${api}/activities/${a.id}/export?format=csv&lang=en`, { headers: { cookie: ts.admin!.cookie } })).text();
    expect(csv.split('\r\n')[0]).toContain('"Hours"');
    expect(csv).toMatch(/"吴六",.*,1,10,"ZYFW-/);
    const xlsx = await fetch(`${api}/activities/${a.id}/export?format=xlsx`, { headers: { cookie: ts.admin!.cookie } });
    expect(xlsx.status).toBe(200);
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    const bad = await get(`${api}/activities/${a.id}/export?format=pdf`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('format');
  });
});
