/**
 * A social worker's account is a social-worker record (users.social_worker_id): it records
 * services and keeps cases as that worker only, never as a colleague or an organization; it
 * sees only its own cases; unlinked, it may do none of that. Admins link accounts (users.create,
 * users.update, both audited); a link changed ends the account's sockets; a role other than
 * social worker drops the link. Over real HTTP, real sockets and a real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_USERNAME, TEST_PASSWORD, logIn, loginAs, openSocket, request, startServer, until,
  type Credentials, type TestServer, type TestSocket,
} from '../support/server.ts';
import { creditCodeCheck } from '../../shared/orgs.ts';

const MIN = 60_000;
const OWN_PASSWORD = 'social-worker-own-pw';

let ts: TestServer;
let api: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const count = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;
const users = () => count('select count(*) n from users');
const iso = (ms: number) => new Date(ms).toISOString();

/** Every table a case or service write touches, and the user rows' links and the audit log of users. */
function footprint() {
  return {
    cases: count('select count(*) n from cases'),
    services: count('select count(*) n from services'),
    journal: count('select count(*) n from journal'),
    metrics: ts.app.db.prepare('select * from metrics_hourly order by hour, subject, grid_id').all(),
    caseStatuses: ts.app.db.prepare('select id, status from cases order by id').all(),
  };
}
const userState = () => ({
  users: users(),
  links: ts.app.db.prepare('select id, role, social_worker_id from users order by id').all(),
  audit: count("select count(*) n from audit_log where action in ('users.create', 'users.update')"),
});

/** As `who` (never silently as the admin: a missing account is an error). */
async function as(who: Credentials, method: string, path: string, body?: unknown) {
  if (!who) throw new Error(`no credentials for ${method} ${path}`);
  return request(`${api}${path}`, { method, body, as: who });
}
/** As the admin. */
const asAdmin = (method: string, path: string, body?: unknown) => request(`${api}${path}`, { method, body });
/** As the admin, expecting `status`. */
async function ok(method: string, path: string, body: unknown, status = 200) {
  const r = await asAdmin(method, path, body);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

let phoneSeq = 0;
async function socialWorker(name: string) {
  return (await ok('POST', '/social-workers', {
    name, phone: `1390000${String(++phoneSeq).padStart(4, '0')}`, qualification: 'social_worker', grids: ['G03'],
  }, 201)).socialWorker as { id: number; name: string };
}

const creditCode = (first17: string) => first17 + creditCodeCheck(first17)!;
async function organization() {
  return (await ok('POST', '/orgs', {
    name: '桂花社工服务中心', kind: 'social_org', registrationNo: creditCode('52330100MJ0000001'),
    contactName: '陈立群', contactPhone: '0571-88001234', categories: ['daily_care'],
  }, 201)).organization as { id: number };
}

/** A service that ended ten minutes ago, by whoever `who` names. */
const service = (who: Record<string, unknown>) => ({
  kind: 'visit', category: 'daily_care', content: '入户探访独居老人，检查燃气和用电安全', beneficiaries: 2,
  startedAt: iso(Date.now() - 55 * MIN), endedAt: iso(Date.now() - 10 * MIN), ...who,
});
const caseFor = (socialWorkerId: number, clientName: string) => ({
  socialWorkerId, category: 'emotional', clientName, clientPhone: '13912345678', gridId: 'G03',
});

/** An account made by the admin over HTTP, logged in after choosing its own password. */
async function firstLogin(username: string): Promise<Credentials> {
  const given = await logIn(ts.url, username, TEST_PASSWORD);
  const changed = await request(`${api}/auth/password`, {
    method: 'POST', as: given, body: { currentPassword: TEST_PASSWORD, newPassword: OWN_PASSWORD },
  });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  return logIn(ts.url, username, OWN_PASSWORD);
}

async function auditOf(action: string, targetId: number) {
  const r = await request(`${api}/audit?action=${encodeURIComponent(action)}&targetType=users&limit=500`);
  expect(r.status).toBe(200);
  return (r.body.items as { actorId: string; action: string; targetId: string; detail: any }[]).filter((l) => l.targetId === String(targetId));
}

const connected = (socket: TestSocket) => new Promise<void>((resolve, reject) => {
  socket.once('connect', () => resolve());
  socket.once('connect_error', (e) => reject(e));
});
const disconnection = (socket: TestSocket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

/** Shared by the tests below, in order: two social-worker records and the account that is A. */
let A: { id: number; name: string };
let B: { id: number; name: string };
let accountId: number;
let worker: Credentials;
/** A social worker of another community, inserted straight into the database. */
let foreignWorkerId: number;

beforeAll(async () => {
  A = await socialWorker('王丽萍');
  B = await socialWorker('钱美华');
  const now = Date.now();
  ts.app.db.prepare("INSERT INTO communities (id, name_zh, name_en, time_zone, center_lng, center_lat, created_at) VALUES ('zz-other', '别的社区', 'Other', 'Asia/Shanghai', 120, 30, ?)")
    .run(now + 1);
  foreignWorkerId = Number(ts.app.db.prepare(
    `INSERT INTO social_workers (community_id, name, phone, qualification, grids, status, joined_at, updated_at)
     VALUES ('zz-other', '外社区社工', '13900009999', 'social_worker', '[]', 'active', ?, ?)`,
  ).run(now, now).lastInsertRowid);
});

describe('linking an account to a social-worker record', () => {
  it('creates a social worker\'s account linked to A, and refuses links to no one, to another community, or on another role', async () => {
    const before = userState();
    const missing = 9_999_999;
    const bad: [Record<string, unknown>, string][] = [
      [{ username: 'sw.nobody', displayName: '无档案', role: 'social_worker', socialWorkerId: missing }, `no social worker ${missing}`],
      [{ username: 'sw.foreign', displayName: '外社区', role: 'social_worker', socialWorkerId: foreignWorkerId }, `no social worker ${foreignWorkerId}`],
      [{ username: 'disp.linked', displayName: '调度员', role: 'dispatcher', socialWorkerId: A.id }, 'social worker'],
      [{ username: 'coord.linked', displayName: '协调员', role: 'coordinator', socialWorkerId: A.id }, 'social worker'],
      [{ username: 'sw.zero', displayName: '零号', role: 'social_worker', socialWorkerId: 0 }, ''],
      [{ username: 'sw.text', displayName: '文字', role: 'social_worker', socialWorkerId: String(A.id) }, ''],
    ];
    for (const [body, problem] of bad) {
      const r = await asAdmin('POST', '/users', { ...body, password: TEST_PASSWORD });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('error.validation');
      expect(r.body.error.issues.map((i: { field: string }) => i.field), JSON.stringify(body)).toEqual(['socialWorkerId']);
      expect(r.body.error.issues[0].problem).toContain(problem);
    }
    expect(userState()).toEqual(before);

    const made = await ok('POST', '/users', {
      username: 'wang.liping', displayName: '王丽萍', role: 'social_worker', socialWorkerId: A.id, password: TEST_PASSWORD,
    }, 201);
    expect(made.user).toMatchObject({ username: 'wang.liping', role: 'social_worker', socialWorkerId: A.id, grids: [] });
    accountId = made.user.id;
    expect(ts.app.db.prepare('select social_worker_id s from users where id = ?').get(accountId)).toEqual({ s: A.id });
    const listed = (await ok('GET', '/users', undefined)).items.find((u: { id: number }) => u.id === accountId);
    expect(listed.socialWorkerId).toBe(A.id);

    worker = await firstLogin('wang.liping');
    const me = await request(`${api}/auth/me`, { as: worker });
    expect(me.body.user).toMatchObject({ id: accountId, role: 'social_worker', socialWorkerId: A.id });

    // An account of another role says null, not a missing field.
    const d = await ok('POST', '/users', { username: 'li.dispatch', displayName: '李调度', role: 'dispatcher', password: TEST_PASSWORD }, 201);
    expect(d.user.socialWorkerId).toBeNull();
    // Nor may a PATCH put a link on it, or point the linked account at another community's worker.
    const mid = userState();
    for (const [id, body] of [[d.user.id, { socialWorkerId: A.id }], [accountId, { socialWorkerId: foreignWorkerId }], [accountId, { socialWorkerId: missing }]] as const) {
      const r = await asAdmin('PATCH', `/users/${id}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.issues.map((i: { field: string }) => i.field)).toEqual(['socialWorkerId']);
    }
    expect(userState()).toEqual(mid);
  });
});

describe('a linked social worker acts as their own record only', () => {
  let org: { id: number };
  let bCase: { id: number; code: string };

  beforeAll(async () => {
    org = await organization();
    bCase = (await ok('POST', '/cases', caseFor(B.id, '冯德明'), 201)).case;
  });

  it('records a service as A (201); as B or as an organization is a 403 that writes nothing', async () => {
    const mine = await as(worker, 'POST', '/services', service({ socialWorkerId: A.id }));
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect(mine.body.service).toMatchObject({ providerKind: 'social_worker', socialWorkerId: A.id, recordedBy: 'wang.liping' });

    const before = footprint();
    const colleague = await as(worker, 'POST', '/services', service({ socialWorkerId: B.id }));
    expect(colleague.status).toBe(403);
    expect(colleague.body.error.code).toBe('error.forbidden');
    const asOrg = await as(worker, 'POST', '/services', service({ orgId: org.id }));
    expect(asOrg.status).toBe(403);
    expect(asOrg.body.error.code).toBe('error.forbidden');
    expect(footprint()).toEqual(before);
    // The admin may record for either (so the refusals above are the account's, not the bodies').
    await ok('POST', '/services', service({ orgId: org.id }), 201);
    await ok('POST', '/services', service({ socialWorkerId: B.id }), 201);
  });

  it('opens a case as A (201) but not as B (403, nothing written)', async () => {
    const mine = await as(worker, 'POST', '/cases', caseFor(A.id, '欧阳秀兰'));
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect(mine.body.case).toMatchObject({ socialWorkerId: A.id, status: 'open', clientName: '欧阳秀兰' });

    const before = footprint();
    const colleague = await as(worker, 'POST', '/cases', caseFor(B.id, '孙建华'));
    expect(colleague.status).toBe(403);
    expect(colleague.body.error.code).toBe('error.forbidden');
    expect(footprint()).toEqual(before);
  });

  it('cannot close B\'s case: it stays open', async () => {
    const before = footprint();
    const r = await as(worker, 'POST', `/cases/${bCase.id}/close`, { note: '越权结案' });
    expect([403, 404]).toContain(r.status);
    expect(ts.app.db.prepare('select status from cases where id = ?').get(bCase.id)).toEqual({ status: 'open' });
    expect(footprint()).toEqual(before);
    // Nor record a session under it, as A.
    const session = await as(worker, 'POST', '/services', service({ socialWorkerId: A.id, caseId: bCase.id, kind: 'case_session' }));
    expect(session.status).toBeGreaterThanOrEqual(400);
    expect(session.status).toBeLessThan(500);
    expect(footprint()).toEqual(before);
  });

  it('closes their own case', async () => {
    const k = (await ok('POST', '/cases', caseFor(A.id, '周玉梅'), 201)).case;
    const r = await as(worker, 'POST', `/cases/${k.id}/close`, { note: '情绪稳定' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.case.status).toBe('closed');
  });
});

describe('case confidentiality', () => {
  it('lists only A\'s cases, hides B\'s (404, as if it did not exist) and logs the reads of A\'s', async () => {
    const a1 = (await ok('POST', '/cases', caseFor(A.id, '王建国'), 201)).case;
    const b1 = (await ok('POST', '/cases', caseFor(B.id, '李秀英'), 201)).case;
    const b2 = (await ok('POST', '/cases', caseFor(B.id, '赵大勇'), 201)).case;
    const allOfA = (ts.app.db.prepare('select id from cases where social_worker_id = ? order by id').all(A.id) as { id: number }[]).map((r) => r.id);
    expect(count('select count(*) n from cases where social_worker_id = ?', B.id)).toBeGreaterThanOrEqual(3);

    const list = await as(worker, 'GET', '/cases?limit=100');
    expect(list.status).toBe(200);
    const ids = list.body.items.map((k: { id: number }) => k.id).sort((x: number, y: number) => x - y);
    expect(ids).toEqual(allOfA);
    expect(ids).toContain(a1.id);
    expect(list.body.items.every((k: { socialWorkerId: number }) => k.socialWorkerId === A.id)).toBe(true);
    // Asking for B's by filter gives nothing, not B's.
    const filtered = await as(worker, 'GET', `/cases?worker=${B.id}`);
    expect(filtered.status).toBe(200);
    expect(filtered.body.items).toEqual([]);
    // The admin sees both.
    const adminIds = (await ok('GET', '/cases?limit=100', undefined)).items.map((k: { id: number }) => k.id);
    expect(adminIds).toEqual(expect.arrayContaining([a1.id, b1.id, b2.id]));

    const hidden = await as(worker, 'GET', `/cases/${b1.id}`);
    expect(hidden.status).toBe(404);
    expect(JSON.stringify(hidden.body)).not.toContain('李秀英');
    const none = await as(worker, 'GET', '/cases/9999999');
    expect(hidden.body.error.code).toBe(none.body.error.code);

    const readsBefore = count("select count(*) n from audit_log where action = 'records.read' and actor_id = 'wang.liping' and target_type = 'cases' and target_id = ?", String(a1.id));
    const own = await as(worker, 'GET', `/cases/${a1.id}`);
    expect(own.status).toBe(200);
    expect(own.body.case).toMatchObject({ id: a1.id, clientName: '王建国', socialWorkerId: A.id });
    await until(() => count("select count(*) n from audit_log where action = 'records.read' and actor_id = 'wang.liping' and target_type = 'cases' and target_id = ?", String(a1.id)) > readsBefore, 'the read of A\'s case to be logged');
    // The refused read of B's case is not logged as a read.
    expect(count("select count(*) n from audit_log where action = 'records.read' and actor_id = 'wang.liping' and target_id = ?", String(b1.id))).toBe(0);
  });
});

describe('the sessions of a case', () => {
  it('are read only by whom may read the case, and another worker\'s case is "no case" when named', async () => {
    const b = (await ok('POST', '/cases', { ...caseFor(B.id, '孙秀兰'), openedAt: iso(Date.now() - 120 * MIN) }, 201)).case;
    const note = '与孙秀兰谈心，其子女近期矛盾加剧';
    const session = (await ok('POST', '/services', service({ socialWorkerId: B.id, caseId: b.id, content: note }), 201)).service;
    const dispatcher = await loginAs(ts.url, 'dispatcher');
    for (const who of [worker, dispatcher]) {
      expect((await as(who, 'GET', `/services/${session.id}`)).status).toBe(404);
      const page = await as(who, 'GET', `/services?case=${b.id}`);
      expect(page.status).toBe(200);
      expect(page.body.items).toEqual([]);
      expect(JSON.stringify((await as(who, 'GET', '/services?limit=200')).body)).not.toContain(note);
    }
    // The office reads it.
    expect((await ok('GET', `/services/${session.id}`, undefined)).service.content).toBe(note);
    // Naming B's case in a session of their own tells A no more than a case that does not exist.
    const named = await as(worker, 'POST', '/services', service({ socialWorkerId: A.id, caseId: b.id }));
    const nothing = await as(worker, 'POST', '/services', service({ socialWorkerId: A.id, caseId: 9_999_999 }));
    expect(named.status).toBe(400);
    expect(named.body.error.issues).toEqual(nothing.body.error.issues.map((i: { field: string; problem: string }) => ({ ...i, problem: i.problem.replace('9999999', String(b.id)) })));
  });
});

describe('an unlinked social worker', () => {
  it('may record nothing (error.not_linked) and sees no case, until an admin links it: its socket is ended, then it records as A', async () => {
    const loose = await loginAs(ts.url, 'social_worker');
    const id = (await request(`${api}/auth/me`, { as: loose })).body.user.id as number;
    expect((await request(`${api}/auth/me`, { as: loose })).body.user.socialWorkerId).toBeNull();
    expect(count('select count(*) n from cases where social_worker_id = ?', A.id)).toBeGreaterThan(0);

    const before = footprint();
    for (const [path, body] of [['/services', service({ socialWorkerId: A.id })], ['/cases', caseFor(A.id, '陈阿婆')]] as const) {
      const r = await as(loose, 'POST', path, body);
      expect(r.status, path).toBe(403);
      expect(r.body.error.code, path).toBe('error.not_linked');
    }
    expect(footprint()).toEqual(before);
    const list = await as(loose, 'GET', '/cases?limit=100');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    const someCase = (ts.app.db.prepare('select id from cases where social_worker_id = ? limit 1').get(A.id) as { id: number }).id;
    expect((await as(loose, 'GET', `/cases/${someCase}`)).status).toBe(404);

    const socket = openSocket(ts.url, { as: loose, reconnection: false });
    try {
      await connected(socket);
      const gone = disconnection(socket);
      const linked = await ok('PATCH', `/users/${id}`, { socialWorkerId: A.id });
      expect(linked.user).toMatchObject({ id, role: 'social_worker', socialWorkerId: A.id });
      expect(await gone).toBe('io server disconnect');
    } finally {
      socket.close();
    }

    const again = await logIn(ts.url, loose.username, TEST_PASSWORD);
    expect((await request(`${api}/auth/me`, { as: again })).body.user.socialWorkerId).toBe(A.id);
    const r = await as(again, 'POST', '/services', service({ socialWorkerId: A.id }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.service).toMatchObject({ socialWorkerId: A.id, recordedBy: loose.username });
    expect((await as(again, 'POST', '/services', service({ socialWorkerId: B.id }))).status).toBe(403);
    expect((await as(again, 'GET', '/cases?limit=100')).body.items.length).toBe(count('select count(*) n from cases where social_worker_id = ?', A.id));

    // Unlinked again (null): back to not_linked.
    expect((await ok('PATCH', `/users/${id}`, { socialWorkerId: null })).user.socialWorkerId).toBeNull();
    const after = await as(again, 'POST', '/services', service({ socialWorkerId: A.id }));
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('error.not_linked');
  });

  it('keeps its sockets when a PATCH leaves the link as it was', async () => {
    const sw = await loginAs(ts.url, 'social_worker');
    const id = (await request(`${api}/auth/me`, { as: sw })).body.user.id as number;
    await ok('PATCH', `/users/${id}`, { socialWorkerId: B.id });
    const relogged = await logIn(ts.url, sw.username, TEST_PASSWORD);
    const socket = openSocket(ts.url, { as: relogged, reconnection: false });
    try {
      await connected(socket);
      let dropped = false;
      socket.once('disconnect', () => (dropped = true));
      expect((await ok('PATCH', `/users/${id}`, { displayName: '钱美华（社工）' })).user.socialWorkerId).toBe(B.id);
      await new Promise((r) => setTimeout(r, 200));
      expect(dropped).toBe(false);
    } finally {
      socket.close();
    }
  });
});

describe('changing the role', () => {
  it('to coordinator drops the link, and the coordinator records for anyone', async () => {
    const made = await ok('POST', '/users', {
      username: 'qian.meihua', displayName: '钱美华', role: 'social_worker', socialWorkerId: B.id, password: TEST_PASSWORD,
    }, 201);
    const id = made.user.id as number;
    const creds = await firstLogin('qian.meihua');
    expect((await as(creds, 'POST', '/services', service({ socialWorkerId: A.id }))).status).toBe(403);

    // Coordinator with a link is refused, and changes nothing.
    const before = userState();
    const both = await asAdmin('PATCH', `/users/${id}`, { role: 'coordinator', socialWorkerId: B.id });
    expect(both.status).toBe(400);
    expect(both.body.error.issues.map((i: { field: string }) => i.field)).toEqual(['socialWorkerId']);
    expect(userState()).toEqual(before);

    const socket = openSocket(ts.url, { as: creds, reconnection: false });
    try {
      await connected(socket);
      const gone = disconnection(socket);
      const r = await ok('PATCH', `/users/${id}`, { role: 'coordinator' });
      expect(r.user).toMatchObject({ role: 'coordinator', socialWorkerId: null });
      expect(await gone).toBe('io server disconnect');
    } finally {
      socket.close();
    }
    expect(ts.app.db.prepare('select social_worker_id s from users where id = ?').get(id)).toEqual({ s: null });
    expect((await ok('GET', '/users', undefined)).items.find((u: { id: number }) => u.id === id).socialWorkerId).toBeNull();

    const coord = await logIn(ts.url, 'qian.meihua', OWN_PASSWORD);
    for (const who of [A.id, B.id]) {
      const s = await as(coord, 'POST', '/services', service({ socialWorkerId: who }));
      expect(s.status, JSON.stringify(s.body)).toBe(201);
      expect(s.body.service).toMatchObject({ socialWorkerId: who, recordedBy: 'qian.meihua' });
    }
    const k = await as(coord, 'POST', '/cases', caseFor(A.id, '吴大爷'));
    expect(k.status).toBe(201);
    // And sees every worker's cases.
    const seen = (await as(coord, 'GET', '/cases?limit=100')).body.items.map((c: { socialWorkerId: number }) => c.socialWorkerId);
    expect(seen).toEqual(expect.arrayContaining([A.id, B.id]));

    // Back to social worker: no link until one is given.
    const back = await ok('PATCH', `/users/${id}`, { role: 'social_worker' });
    expect(back.user.socialWorkerId).toBeNull();
    const coordAgain = await logIn(ts.url, 'qian.meihua', OWN_PASSWORD);
    expect((await as(coordAgain, 'POST', '/services', service({ socialWorkerId: B.id }))).body.error.code).toBe('error.not_linked');
  });
});

describe('the audit log', () => {
  it('names the link in users.create and users.update lines', async () => {
    const created = await auditOf('users.create', accountId);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ actorId: ADMIN_USERNAME, detail: { username: 'wang.liping', role: 'social_worker', socialWorkerId: A.id } });

    const made = await ok('POST', '/users', { username: 'sun.hao', displayName: '孙浩', role: 'social_worker', password: TEST_PASSWORD }, 201);
    const id = made.user.id as number;
    expect((await auditOf('users.create', id))[0]!.detail).not.toHaveProperty('socialWorkerId');
    await ok('PATCH', `/users/${id}`, { socialWorkerId: B.id });
    await ok('PATCH', `/users/${id}`, { socialWorkerId: null });
    const updates = await auditOf('users.update', id);
    expect(updates).toHaveLength(2);
    for (const line of updates) {
      expect(line).toMatchObject({ actorId: ADMIN_USERNAME, detail: { username: 'sun.hao' } });
      expect(line.detail.changed).toEqual(['socialWorkerId']);
    }
    // A refused link leaves no line.
    expect((await asAdmin('PATCH', `/users/${id}`, { socialWorkerId: foreignWorkerId })).status).toBe(400);
    expect(await auditOf('users.update', id)).toHaveLength(2);
  });
});
