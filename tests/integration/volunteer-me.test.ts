/**
 * A volunteer's own page over HTTP (/api/v1/me): joining by a coordinator's one-time
 * invitation, reading only their own record, signing up and checking in by the activity's code,
 * and a check-in retried under one Idempotency-Key applied once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  joinAsVolunteer, request, startServer, TEST_PASSWORD, type Credentials, type TestServer,
} from '../support/server.ts';

let ts: TestServer;
let api: string;
/** The auth clock (invitations, sessions): moved by the expiry test, which runs last. */
let clock = Date.now();

beforeAll(async () => {
  ts = await startServer({ authNow: () => clock });
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();

/** An open activity under way (started 10 minutes ago, 2 h long) with `capacity` places, and its check-in code. */
async function activity(title: string, capacity = 5, startedMinutesAgo = 10): Promise<{ id: number; code: string; path: string }> {
  const now = Date.now();
  const r = await request(`${api}/activities`, {
    method: 'POST',
    body: { title, organiser: '社区居委会', startsAt: iso(now - startedMinutesAgo * 60_000), endsAt: iso(now + 2 * 3600_000), place: '社区活动室', capacity },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const code = await request(`${api}/activities/${r.body.activity.id}/check-in-code`);
  return { id: r.body.activity.id, code: code.body.code, path: code.body.path };
}

async function invite(name: string, phone: string) {
  const v = await request(`${api}/volunteers`, { method: 'POST', body: { name, phone } });
  expect(v.status, JSON.stringify(v.body)).toBe(201);
  const inv = await request(`${api}/volunteers/${v.body.volunteer.id}/invite`, { method: 'POST' });
  expect(inv.status, JSON.stringify(inv.body)).toBe(201);
  return { volunteerId: v.body.volunteer.id as number, path: inv.body.path as string, token: (inv.body.path as string).split('#')[1]! };
}

const join = (token: string, password = TEST_PASSWORD) =>
  request(`${api}/auth/join`, { method: 'POST', as: null, body: { token, password } });

const checkIn = (as: Credentials, body: unknown, key?: string) =>
  request(`${api}/me/check-in`, { method: 'POST', as, body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });

describe('an invitation', () => {
  it('makes a volunteer account once, logged in, named by the volunteer record, with no default password', async () => {
    const { volunteerId, path, token } = await invite('林小雨', '13911112222');
    expect(path).toMatch(/^\/me\/join#[A-Za-z0-9_-]{40,}$/);
    const read = await request(`${api}/auth/invitation`, { method: 'POST', as: null, body: { token } });
    expect(read.status).toBe(200);
    expect(read.body.invitation).toMatchObject({ displayName: '林小雨', username: '13911112222' });
    // Only the hash is kept.
    const stored = ts.app.db.prepare('SELECT token_hash FROM volunteer_invitations WHERE volunteer_id = ?').get(volunteerId) as { token_hash: string };
    expect(stored.token_hash).not.toContain(token);

    const first = await join(token);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.user).toMatchObject({ username: '13911112222', role: 'volunteer', displayName: '林小雨', mustChangePassword: false });
    expect(first.headers.get('set-cookie')).toMatch(/cb_session=/);
    const row = ts.app.db.prepare('SELECT volunteer_id FROM users WHERE username = ?').get('13911112222') as { volunteer_id: number };
    expect(row.volunteer_id).toBe(volunteerId);

    const again = await join(token, 'another-password-99');
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe('error.invitation_invalid');
    expect((await request(`${api}/auth/invitation`, { method: 'POST', as: null, body: { token } })).status).toBe(403);
    // An account exists: no second invitation.
    const more = await request(`${api}/volunteers/${volunteerId}/invite`, { method: 'POST' });
    expect(more.status).toBe(409);
    expect(more.body.error.code).toBe('error.volunteer_has_account');
  });

  it('is replaced by a newer one, and refuses a short password naming it, making nothing', async () => {
    const older = await invite('郑一鸣', '13911113333');
    const newer = await request(`${api}/volunteers/${older.volunteerId}/invite`, { method: 'POST' });
    const users = () => (ts.app.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
    const before = users();
    expect((await join(older.token)).status).toBe(403);
    const short = await join(newer.body.path.split('#')[1], 'short');
    expect(short.status).toBe(400);
    expect(short.body.error.issues[0].field).toBe('password');
    expect(users()).toBe(before);
    expect((await join(newer.body.path.split('#')[1])).status).toBe(201);
  });

  it('is not the users page’s: POST /users and PATCH /users refuse the volunteer role, naming role', async () => {
    const made = await request(`${api}/users`, {
      method: 'POST', body: { username: 'vol-by-admin', displayName: '志愿者', role: 'volunteer', password: 'a-long-password-1' },
    });
    expect(made.status).toBe(400);
    expect(made.body.error.issues).toEqual([{ field: 'role', problem: expect.stringContaining('invitation') }]);
    const staff = await request(`${api}/users`, {
      method: 'POST', body: { username: 'coord-x', displayName: '协调员', role: 'coordinator', password: 'a-long-password-1' },
    });
    const changed = await request(`${api}/users/${staff.body.user.id}`, { method: 'PATCH', body: { role: 'volunteer' } });
    expect(changed.status).toBe(400);
    expect(changed.body.error.issues[0].field).toBe('role');
  });
});

describe('a volunteer on their phone', () => {
  let a: Credentials & { volunteerId: number };
  let b: Credentials & { volunteerId: number };
  beforeAll(async () => {
    a = await joinAsVolunteer(ts.url, '王安');
    b = await joinAsVolunteer(ts.url, '李贝');
  });

  it('reads only their own record: their profile, and a 403 on anyone’s staff record, theirs included', async () => {
    const me = await request(`${api}/me/profile`, { as: a });
    expect(me.status).toBe(200);
    expect(me.body.profile).toMatchObject({ volunteerId: a.volunteerId, name: '王安', balance: 0, hours: 0 });
    for (const path of [`/volunteers/${b.volunteerId}`, `/volunteers/${a.volunteerId}`, `/points/volunteers/${b.volunteerId}`,
      `/volunteers/${b.volunteerId}/records`, `/exchange/redemptions?volunteer=${b.volunteerId}`, '/volunteers']) {
      expect((await request(`${api}${path}`, { as: a })).status, path).toBe(403);
    }
    // No /me route takes a volunteer: naming one is a 400, not someone else's answer.
    const other = await checkIn(a, { code: 'ABCDEF', volunteerId: b.volunteerId });
    expect(other.status).toBe(400);
    expect(other.body.error.issues[0].field).toBe('volunteerId');
    expect((await request(`${api}/auth/me`, { as: a })).body.user).toMatchObject({ role: 'volunteer' });
  });

  it('signs up for an open activity and cancels, and sees only their own part in it', async () => {
    const act = await activity('河道清洁志愿行');
    const up = await request(`${api}/me/activities/${act.id}/signup`, { method: 'POST', as: a });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.signup).toMatchObject({ volunteerId: a.volunteerId, status: 'signed_up' });
    const twice = await request(`${api}/me/activities/${act.id}/signup`, { method: 'POST', as: a });
    expect(twice.status).toBe(409);
    const mineA = (await request(`${api}/me/activities`, { as: a })).body.items.find((x: { id: number }) => x.id === act.id);
    const mineB = (await request(`${api}/me/activities`, { as: b })).body.items.find((x: { id: number }) => x.id === act.id);
    expect(mineA).toMatchObject({ mine: 'signed_up', taken: 1 });
    expect(mineA.checkInCode).toBeUndefined();
    expect(mineB).toMatchObject({ mine: null, taken: 1 });
    const cancelled = await request(`${api}/me/activities/${act.id}/cancel`, { method: 'POST', as: a });
    expect(cancelled.body.signup.status).toBe('cancelled');
    expect((await request(`${api}/me/activities/999999/signup`, { method: 'POST', as: a })).status).toBe(404);
  });

  it('checks in by the code once under a retried Idempotency-Key, signing up first when a place is free', async () => {
    const act = await activity('敬老院探访', 1);
    expect(act.path).toBe(`/me/check-in/${act.code}`);
    const key = 'phone-key-0001-aaaa';
    const first = await checkIn(a, { code: act.code.toLowerCase() }, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ replayed: false, signup: { status: 'checked_in', volunteerId: a.volunteerId }, activity: { id: act.id } });
    const retry = await checkIn(a, { code: act.code.toLowerCase() }, key);
    expect(retry.status).toBe(200);
    expect(retry.body.replayed).toBe(true);
    expect(retry.body.signup.checkedInAt).toBe(first.body.signup.checkedInAt);
    const entries = ts.app.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'volunteer.checked_in' AND entity_id = ?")
      .get(first.body.signup.id) as { n: number };
    expect(entries.n).toBe(1);
    const signups = ts.app.db.prepare('SELECT COUNT(*) AS n FROM activity_signups WHERE activity_id = ?').get(act.id) as { n: number };
    expect(signups.n).toBe(1);
    // The same key with another body is refused, naming the key.
    const other = await activity('社区义诊');
    const reused = await checkIn(a, { code: other.code }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.error.issues[0].field).toBe('Idempotency-Key');
    // The one place is taken: another volunteer's scan is refused, and nothing is written for them.
    const full = await checkIn(b, { code: act.code }, 'phone-key-0002-bbbb');
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('error.activity_full');
    // A second scan without a key answers the check-in there is.
    const scanAgain = await checkIn(a, { code: act.code });
    expect(scanAgain.status).toBe(200);
    expect(scanAgain.body.signup.checkedInAt).toBe(first.body.signup.checkedInAt);
  });

  it('keeps the scan time of a check-in sent later, up to 6 hours back', async () => {
    const act = await activity('垃圾分类宣传');
    const scanned = Date.now() - 5 * 60_000;
    const r = await checkIn(b, { code: act.code, at: new Date(scanned).toISOString() }, 'phone-key-0003-cccc');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(Math.abs(Date.parse(r.body.signup.checkedInAt) - scanned)).toBeLessThan(1000);
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const journal = () => (ts.app.db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n;
    const before = journal();
    const cases: [unknown, string, string?][] = [
      [{ code: '' }, 'code'],
      [{ code: 'AB CD!' }, 'code'],
      [{}, 'code'],
      [{ code: 'ABCDEF123456', at: 'yesterday' }, 'at'],
      [{ code: 'ABCDEF123456' }, 'Idempotency-Key', 'no'],
    ];
    for (const [body, field, key] of cases) {
      const r = await checkIn(a, body, key);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
    const act = await activity('旧物回收');
    const old = await checkIn(a, { code: act.code, at: new Date(Date.now() - 7 * 3600_000).toISOString() });
    expect(old.status).toBe(400);
    expect(old.body.error.issues[0].field).toBe('at');
    expect((await checkIn(a, { code: 'NOSUCHCODE99' })).status).toBe(404);
    expect(journal()).toBe(before + 1); // the activity made above, nothing else
  });

  it('reads their hours, points, redemptions and certificates, and only theirs', async () => {
    const act = await activity('社区图书角整理', 5, 100);
    // Checked in at the desk 95 minutes ago (a phone's own time is credited only 15 minutes back).
    await request(`${api}/activities/${act.id}/signups`, { method: 'POST', body: { volunteerId: a.volunteerId } });
    const desk = await request(`${api}/activities/${act.id}/check-in`, { method: 'POST', body: { volunteerId: a.volunteerId, at: iso(Date.now() - 95 * 60_000) } });
    expect(desk.status, JSON.stringify(desk.body)).toBe(200);
    const out = await request(`${api}/activities/${act.id}/check-out`, { method: 'POST', body: { volunteerId: a.volunteerId } });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    const records = await request(`${api}/me/records`, { as: a });
    expect(records.body.items).toHaveLength(1);
    expect(records.body.items[0]).toMatchObject({ volunteerId: a.volunteerId, activityTitle: '社区图书角整理' });
    expect(records.body.items[0].certificateNo).toMatch(/^ZYFW-/);
    const points = await request(`${api}/me/points`, { as: a });
    expect(points.body.balance).toBeGreaterThan(0);
    expect(points.body.items[0].amount).toBe(points.body.balance);
    expect((await request(`${api}/me/records`, { as: b })).body.items).toEqual([]);
    expect((await request(`${api}/me/points`, { as: b })).body).toEqual({ balance: 0, items: [] });
    expect((await request(`${api}/me/redemptions`, { as: b })).body.items).toEqual([]);
    expect((await request(`${api}/me/profile`, { as: a })).body.profile.hours).toBeGreaterThan(0);
  });
});

describe('an invitation’s time', () => {
  it('runs out after 7 days', async () => {
    const { token } = await invite('过期了', '13911114444');
    clock += 7 * 86_400_000 + 60_000;
    const late = await join(token);
    expect(late.status).toBe(403);
    expect(late.body.error.code).toBe('error.invitation_invalid');
  });
});
