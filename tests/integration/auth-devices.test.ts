/**
 * Paired wall displays and integration API keys, end to end; grid workers kept to their grids;
 * and the audit log: who changed what, who read a resident's full record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscribeResult } from '../../shared/protocol.ts';
import {
  ADMIN_USERNAME, apiKey, loginAs, openSocket, post, request, requestFrom, sampleReport, startServer, until,
  type Credentials, type TestServer, type TestSocket,
} from '../support/server.ts';
import { rowCounts } from './db-state.ts';

let ts: TestServer;
let api: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const connected = (socket: TestSocket) => new Promise<void>((resolve, reject) => {
  socket.once('connect', () => resolve());
  socket.once('connect_error', (e) => reject(e));
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

type AuditLine = { id: number; at: string; actorId: string | null; actorRole: string | null; action: string; targetType: string | null; targetId: string | null; detail: any; ip: string | null };
async function audit(query = ''): Promise<AuditLine[]> {
  const r = await request(`${api}/audit?limit=500${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
}

describe('pairing a wall display', () => {
  it('goes from a code on the wall to a token, a public live view, a reload and a revocation', async () => {
    // 1. The wall asks for a code (no login).
    const start = await request(`${api}/displays/pairing`, { method: 'POST', as: null });
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const { pairingId, code, secret } = start.body;
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{3}$/);
    expect(start.body.expiresAt).toMatch(/\+08:00$/);
    expect((await request(`${api}/displays/pairing/${pairingId}`, { as: null })).status).toBe(404); // no secret, no answer
    const waiting = await request(`${api}/displays/pairing/${pairingId}`, { as: null, headers: { 'x-pairing-secret': secret } });
    expect(waiting.body).toMatchObject({ status: 'waiting', code });

    // 2. An admin types it in (any case, no dash) and names the display.
    expect((await request(`${api}/displays`, { method: 'POST', body: { code: 'ZZZ-ZZZ', name: '大厅' } })).status).toBe(404);
    const paired = await request(`${api}/displays`, { method: 'POST', body: { code: code.replace('-', '').toLowerCase(), name: '一楼大厅' } });
    expect(paired.status, JSON.stringify(paired.body)).toBe(201);
    expect(paired.body.display).toMatchObject({ name: '一楼大厅', communityId: 'guihua', revokedAt: null, online: false });
    const id = paired.body.display.id;
    const reused = await request(`${api}/displays`, { method: 'POST', body: { code, name: '又一块' } });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('error.pairing_expired');
    // The database never holds a usable token: a copy of it taken now (a backup) pairs nothing.
    const dump = JSON.stringify([ts.app.db.prepare('select * from displays').all(), ts.app.db.prepare('select * from display_pairings').all()]);
    expect(dump).not.toContain(secret);
    // A HEAD does not take the one-time answer.
    expect((await request(`${api}/displays/pairing/${pairingId}`, { method: 'HEAD', as: null, headers: { 'x-pairing-secret': secret } })).status).toBe(405);

    // 3. The wall fetches its token, exactly once.
    const got = await request(`${api}/displays/pairing/${pairingId}`, { as: null, headers: { 'x-pairing-secret': secret } });
    expect(got.body).toMatchObject({ status: 'paired', display: { id, name: '一楼大厅' } });
    const token: string = got.body.token;
    expect(token).toMatch(/^cbd_[A-Za-z0-9_-]{43}$/);
    expect((await request(`${api}/displays/pairing/${pairingId}`, { as: null, headers: { 'x-pairing-secret': secret } })).status).toBe(404);
    expect(JSON.stringify(ts.app.db.prepare('select * from displays').all())).not.toContain(token);

    // 4. The token reads the public view: masked live data, the map, the figures; nothing else.
    await post(`${api}/events`, sampleReport());
    const socket = openSocket(ts.url, { displayToken: token, reconnection: false });
    try {
      await connected(socket);
      const r: SubscribeResult = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
      expect(r.ok).toBe(true);
      expect(JSON.stringify(r)).not.toContain('13812345678');
      expect(JSON.stringify(r)).not.toContain('王建国');
      for (const path of ['/grids', '/kpis', '/taxonomy', '/health']) {
        expect((await request(`${api}${path}`, { as: null, headers: bearer(token) })).status, path).toBe(200);
      }
      for (const path of ['/events', '/workers', '/community', '/volunteers', '/users', '/auth/me', '/displays']) {
        const denied = await request(`${api}${path}`, { as: null, headers: bearer(token) });
        expect(denied.status, path).toBe(403);
        expect(denied.body.error.code).toBe('error.forbidden');
      }
      const before = rowCounts(ts.app);
      expect((await request(`${api}/events`, { method: 'POST', as: null, body: sampleReport(), headers: bearer(token) })).status).toBe(403);
      expect(rowCounts(ts.app)).toEqual(before);

      // 5. The admin sees it online, and can make it reload.
      const listed = (await request(`${api}/displays`)).body.items.find((d: { id: number }) => d.id === id);
      expect(listed).toMatchObject({ online: true, revokedAt: null });
      expect(listed.lastSeenAt).toMatch(/\+08:00$/);
      const reloaded = new Promise<void>((resolve) => socket.once('screen:reload', () => resolve()));
      expect((await request(`${api}/displays/${id}/reload`, { method: 'POST' })).status).toBe(204);
      await reloaded;

      // 6. Revoked: the socket goes at once, the token is refused everywhere.
      const gone = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      const revoked = await request(`${api}/displays/${id}/revoke`, { method: 'POST' });
      expect(revoked.status).toBe(200);
      expect(revoked.body.display.revokedAt).toMatch(/\+08:00$/);
      expect(revoked.body.display.online).toBe(false);
      expect(await gone).toBe('io server disconnect');
      const why = new Promise<string>((resolve) => socket.once('connect_error', (e) => resolve(e.message)));
      socket.connect();
      expect(await why).toBe('error.revoked');
      const http = await request(`${api}/grids`, { as: null, headers: bearer(token) });
      expect(http.status).toBe(401);
      expect(http.body.error.code).toBe('error.revoked');
      expect((await request(`${api}/displays/${id}/reload`, { method: 'POST' })).status).toBe(409);
    } finally {
      socket.close();
    }

    const lines = await audit('&targetType=displays');
    const mine = lines.filter((l) => l.targetId === String(id)).map((l) => [l.action, l.actorId]);
    expect(mine).toEqual([['displays.revoke', ADMIN_USERNAME], ['displays.reload', ADMIN_USERNAME], ['displays.pair', ADMIN_USERNAME]]);
  });

  it('lets an admin rename a display, and nobody else manage displays', async () => {
    const { display } = ts.app.auth.displays.createPaired('guihua', '旧名字', ADMIN_USERNAME);
    const r = await request(`${api}/displays/${display.id}`, { method: 'PATCH', body: { name: '二楼会议室' } });
    expect(r.status).toBe(200);
    expect(r.body.display.name).toBe('二楼会议室');
    const d = await loginAs(ts.url, 'dispatcher');
    expect((await request(`${api}/displays`, { as: d })).status).toBe(403);
    expect((await request(`${api}/displays/${display.id}/revoke`, { method: 'POST', as: d })).status).toBe(403);
    expect((await request(`${api}/displays`)).body.items.find((x: { id: number }) => x.id === display.id).revokedAt).toBeNull();
  });

  it('limits pairing requests per address', async () => {
    for (let i = 0; i < 10; i++) expect((await requestFrom('127.0.0.6', `${api}/displays/pairing`, { method: 'POST' })).status).toBe(201);
    const r = await requestFrom('127.0.0.6', `${api}/displays/pairing`, { method: 'POST' });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await requestFrom('127.0.0.7', `${api}/displays/pairing`, { method: 'POST' })).status).toBe(201);
  });

  describe('when a code runs out', () => {
    let clock = Date.now();
    let ls: TestServer;
    beforeAll(async () => {
      ls = await startServer({ authNow: () => clock });
    });
    afterAll(() => ls?.stop());

    it('is refused after 10 minutes, and the wall is told to start over', async () => {
      const start = await request(`${ls.url}/api/v1/displays/pairing`, { method: 'POST', as: null });
      clock += 10 * 60_000 + 1;
      const late = await request(`${ls.url}/api/v1/displays`, { method: 'POST', body: { code: start.body.code, name: '迟到的屏' } });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('error.pairing_expired');
      const poll = await request(`${ls.url}/api/v1/displays/pairing/${start.body.pairingId}`, { as: null, headers: { 'x-pairing-secret': start.body.secret } });
      expect(poll.status).toBe(404);
      expect(ls.app.db.prepare('select count(*) n from displays where name = ?').get('迟到的屏')).toEqual({ n: 0 });
    });
  });
});

describe('integration API keys', () => {
  it('are shown once, stored hashed, and let a system ingest events and do nothing else', async () => {
    const made = await request(`${api}/api-keys`, { method: 'POST', body: { name: '12345热线' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const secret: string = made.body.secret;
    expect(secret).toMatch(/^cbk_[A-Za-z0-9_-]{43}$/);
    expect(made.body.apiKey).toMatchObject({ name: '12345热线', prefix: secret.slice(0, 8), scopes: ['ingest'], revokedAt: null, createdBy: ADMIN_USERNAME });
    const listed = await request(`${api}/api-keys`);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(ts.app.db.prepare('select * from api_keys').all())).not.toContain(secret);

    const key = bearer(secret);
    const one = await request(`${api}/events`, { method: 'POST', as: null, headers: key, body: sampleReport({ source: 'hotline', externalId: 'HL-1' }) });
    expect(one.status, JSON.stringify(one.body)).toBe(201);
    const bulk = await request(`${api}/events/ingest`, {
      method: 'POST', as: null, headers: key,
      body: { events: [sampleReport({ source: 'hotline', externalId: 'HL-2' }), sampleReport({ source: 'sensor', externalId: 'S-1' })] },
    });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(201);
    expect(bulk.body.created).toBe(2);
    const history = ts.app.events.history(one.body.event.id);
    expect(history[0]).toMatchObject({ actor: `api_key:${made.body.apiKey.id}`, actorRole: 'integration' });

    for (const path of ['/events', `/events/${one.body.event.id}`, '/kpis', '/grids', '/workers', '/volunteers', '/users', '/audit', '/auth/me']) {
      const r = await request(`${api}${path}`, { as: null, headers: key });
      expect(r.status, path).toBe(403);
      expect(r.body.error.code).toBe('error.forbidden');
    }
    const before = rowCounts(ts.app);
    for (const path of [`/events/${one.body.event.id}/accept`, '/needs', '/api-keys', '/charity/donations']) {
      expect((await request(`${api}${path}`, { method: 'POST', as: null, headers: key, body: {} })).status, path).toBe(403);
    }
    expect(rowCounts(ts.app)).toEqual(before);
    expect((await request(`${api}/taxonomy`, { as: null, headers: key })).status).toBe(200);
    expect((await request(`${api}/health`, { as: null, headers: key })).status).toBe(200);

    // Revoked: refused with 401, and nothing is written.
    expect((await request(`${api}/api-keys/${made.body.apiKey.id}/revoke`, { method: 'POST' })).body.apiKey.revokedAt).toMatch(/\+08:00$/);
    const after = await request(`${api}/events`, { method: 'POST', as: null, headers: key, body: sampleReport({ externalId: 'HL-3' }) });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('error.revoked');
    expect(rowCounts(ts.app)).toEqual(before);
    const unknown = await request(`${api}/events`, { method: 'POST', as: null, headers: bearer('cbk_' + 'x'.repeat(43)), body: sampleReport() });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('error.unauthenticated');

    const lines = await audit('&targetType=api_keys');
    expect(lines.filter((l) => l.targetId === String(made.body.apiKey.id)).map((l) => l.action)).toEqual(['api_keys.revoke', 'api_keys.create']);
    const created = (await audit(`&actor=api_key:${made.body.apiKey.id}`)).map((l) => [l.action, l.targetType, l.actorRole]);
    expect(created).toEqual([
      ['events.ingest.create', 'events.ingest', 'integration'],
      ['events.create', 'events', 'integration'],
    ]);
  });

  it('are made and revoked by admins only', async () => {
    const c = await loginAs(ts.url, 'coordinator');
    expect((await request(`${api}/api-keys`, { method: 'POST', as: c, body: { name: '传感器' } })).status).toBe(403);
    const { key } = apiKey(ts.app);
    expect((await request(`${api}/api-keys/${key.id}/revoke`, { method: 'POST', as: c })).status).toBe(403);
    expect(ts.app.auth.apiKeys.list('guihua').find((k) => k.id === key.id)!.revokedAt).toBeNull();
  });
});

describe('a grid worker', () => {
  let worker: Credentials;
  let mine: number;
  let theirs: number;

  beforeAll(async () => {
    mine = (await post(`${api}/events`, sampleReport({ gridId: 'G01', title: '一网格的事' }))).body.event.id;
    theirs = (await post(`${api}/events`, sampleReport({ gridId: 'G02', title: '二网格的事' }))).body.event.id;
    for (const id of [mine, theirs]) {
      expect((await post(`${api}/events/${id}/accept`, {})).status).toBe(200);
      expect((await post(`${api}/events/${id}/dispatch`, { assigneeId: 'W01' })).status).toBe(200);
    }
    worker = await loginAs(ts.url, 'grid_worker', ['G01']);
  });

  it('lists, reads and handles only the events of their grids', async () => {
    const list = await request(`${api}/events?limit=500`, { as: worker });
    expect(list.status).toBe(200);
    const grids = new Set(list.body.items.map((e: { gridId: string }) => e.gridId));
    expect([...grids]).toEqual(['G01']);
    expect((await request(`${api}/events/${mine}`, { as: worker })).status).toBe(200);
    expect((await request(`${api}/events/${theirs}`, { as: worker })).status).toBe(404);
    expect((await request(`${api}/events/${theirs}/start`, { method: 'POST', as: worker, body: {} })).status).toBe(404);
    const started = await request(`${api}/events/${mine}/start`, { method: 'POST', as: worker, body: {} });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(ts.app.events.history(mine).at(-1)).toMatchObject({ action: 'start', actor: worker.username, actorRole: 'grid_worker' });
  });

  it('cannot take the centre\'s decisions, nor report into another grid', async () => {
    const accept = await request(`${api}/events/${mine}/close`, { method: 'POST', as: worker, body: {} });
    expect(accept.status).toBe(403);
    expect(accept.body.error.code).toBe('error.forbidden');
    const elsewhere = await request(`${api}/events`, { method: 'POST', as: worker, body: sampleReport({ gridId: 'G02' }) });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.issues[0]).toEqual({ field: 'gridId', problem: 'outside your grids' });
  });

  it('gets the masked live view, since live rooms hold every grid', async () => {
    const socket = openSocket(ts.url, { as: worker, reconnection: false });
    try {
      const r: SubscribeResult = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
      expect(r.ok).toBe(true);
      expect(JSON.stringify(r)).toContain('二网格的事');
      expect(JSON.stringify(r)).not.toContain('13812345678');
    } finally {
      socket.close();
    }
  });
});

describe('the audit log', () => {
  it('records every change made over HTTP with who, what and the target, and nothing for a refused one', async () => {
    const r = await post(`${api}/events`, sampleReport({ title: '审计测试' }));
    const id = String(r.body.event.id);
    expect((await post(`${api}/events/${id}/accept`, {})).status).toBe(200);
    const bad = await post(`${api}/events/${id}/dispatch`, { assigneeId: 'NOBODY' });
    expect(bad.status).toBe(400);
    const team = await post(`${api}/volunteers/teams`, { name: '审计服务队' });
    expect(team.status).toBe(201);
    const lines = (await audit(`&targetType=events`)).filter((l) => l.targetId === id);
    expect(lines.map((l) => l.action)).toEqual(['events.accept', 'events.create']);
    for (const l of lines) expect(l).toMatchObject({ actorId: ADMIN_USERNAME, actorRole: 'admin', ip: '127.0.0.1' });
    const teamLine = (await audit('&action=volunteers.teams.create'))[0]!;
    expect(teamLine).toMatchObject({ targetType: 'volunteers.teams', targetId: String(team.body.team.id), actorId: ADMIN_USERNAME });
    // Each audit line is written with its change: as many event lines as event writes.
    const writes = ts.app.db.prepare("select count(*) n from audit_log where target_type = 'events' and target_id = ?").get(id);
    expect(writes).toEqual({ n: 2 });
  });

  it('records staff reads of a resident\'s full record: an event, a case, a need with a resident', async () => {
    const e = (await post(`${api}/events`, sampleReport())).body.event;
    const withResident = (await post(`${api}/needs`, {
      title: '独居老人家中水管漏水', category: 'repair', raisedByKind: 'resident', residentName: '王建国', residentPhone: '13812345678', gridId: 'G01',
    })).body.need;
    const anonymous = (await post(`${api}/needs`, { title: '楼道灯不亮', category: 'repair', raisedByKind: 'grid_worker', gridId: 'G01' })).body.need;
    const sw = (await post(`${api}/social-workers`, { name: '王丽萍', phone: '13800001111', grids: ['G01'] })).body.socialWorker;
    const k = (await post(`${api}/cases`, { socialWorkerId: sw.id, category: 'legal', clientName: '冯德明' })).body.case;
    const reader = await loginAs(ts.url, 'social_worker');
    // The reader is the case's social worker: only they (and the office) may open it.
    const readerId = (await request(`${api}/auth/me`, { as: reader })).body.user.id;
    expect((await request(`${api}/users/${readerId}`, { method: 'PATCH', body: { socialWorkerId: sw.id } })).status).toBe(200);
    for (const path of [`/events/${e.id}`, `/events/${e.code}`, `/needs/${withResident.id}`, `/needs/${anonymous.id}`, `/cases/${k.id}`]) {
      expect((await request(`${api}${path}`, { as: reader })).status, path).toBe(200);
    }
    expect((await request(`${api}/events/999999`, { as: reader })).status).toBe(404);
    await until(() => (ts.app.db.prepare("select count(*) n from audit_log where action = 'records.read' and actor_id = ?").get(reader.username) as { n: number }).n >= 4, 'the reads to be logged');
    const reads = (await audit(`&action=records.read&actor=${reader.username}`)).map((l) => [l.targetType, l.targetId]);
    expect(reads).toEqual([
      ['cases', String(k.id)], ['needs', String(withResident.id)], ['events', String(e.id)], ['events', String(e.id)],
    ]);
  });

  it('filters by actor, action, target and time, newest first, a page at a time', async () => {
    const all = await audit();
    expect(all.length).toBeGreaterThan(5);
    expect(all.map((l) => l.id)).toEqual([...all.map((l) => l.id)].sort((a, b) => b - a));
    const first = await request(`${api}/audit?limit=2`);
    expect(first.body.items).toHaveLength(2);
    const next = await request(`${api}/audit?limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body.items[0].id).toBeLessThan(first.body.items[1].id);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await request(`${api}/audit?from=${encodeURIComponent(future)}`)).body.items).toEqual([]);
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await request(`${api}/audit?to=${encodeURIComponent(past)}`)).body.items).toEqual([]);
    expect((await audit(`&action=auth.login&actor=${ADMIN_USERNAME}`)).every((l) => l.action === 'auth.login' && l.actorId === ADMIN_USERNAME)).toBe(true);
    const bad = await request(`${api}/audit?limit=0&since=yesterday`);
    expect(bad.status).toBe(400);
    const d = await loginAs(ts.url, 'dispatcher');
    expect((await request(`${api}/audit`, { as: d })).status).toBe(403);
  });
});
