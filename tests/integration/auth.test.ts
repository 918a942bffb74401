/**
 * Accounts over HTTP and sockets: login, logout, who am I, password change, the first
 * administrator; bad credentials, rate limits per (account, address), CSRF, foreign origins,
 * expiry. Every refusal is a clear 401/403/429 that changes nothing.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import {
  ADMIN_USERNAME, TEST_PASSWORD, createUser, logIn, loginAs, openSocket, request, sampleReport, startServer, until,
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

const count = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;
const sessions = () => count('select count(*) n from sessions');

/** POST /auth/login from a given local address (127.0.0.x: every one is this machine). */
function loginFrom(
  address: string, username: string, password: string, cookie?: string,
): Promise<{ status: number; body: any; retryAfter?: string; device?: string }> {
  const url = new URL(`${api}/auth/login`);
  const data = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: address,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(cookie ? { cookie } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      const device = (res.headers['set-cookie'] ?? []).find((c) => c.startsWith('cb_device='))?.split(';')[0];
      res.on('end', () => resolve({
        status: res.statusCode!, body: text ? JSON.parse(text) : null,
        ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}),
        ...(device ? { device } : {}),
      }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** The message of the next connect_error (a refused handshake, or a refused reconnection). */
const refusal = (socket: TestSocket) => new Promise<string>((resolve) => socket.once('connect_error', (e) => resolve(e.message)));

/**
 * The server ends a socket ('io server disconnect', which socket.io does not retry by itself);
 * a client that tries again learns why from the refused handshake.
 */
async function ended(socket: TestSocket, disconnected: Promise<string>): Promise<string> {
  expect(await disconnected).toBe('io server disconnect');
  const why = refusal(socket);
  socket.connect();
  return why;
}
const disconnection = (socket: TestSocket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
const connected = (socket: TestSocket) => new Promise<void>((resolve, reject) => {
  socket.once('connect', () => resolve());
  socket.once('connect_error', (e) => reject(e));
});

async function auditOf(action: string) {
  const r = await request(`${api}/audit?action=${encodeURIComponent(action)}&limit=500`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items as { actorId: string | null; actorRole: string | null; action: string; targetType: string; targetId: string; detail: any; ip: string }[];
}

describe('logging in', () => {
  it('gives a session in an httpOnly, SameSite cookie and the CSRF token, and says who you are', async () => {
    await createUser(ts.app, 'wang.li', 'dispatcher');
    const res = await fetch(`${api}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'Wang.Li', password: TEST_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.user).toMatchObject({ username: 'wang.li', role: 'dispatcher', communityId: 'guihua', status: 'active', mustChangePassword: false });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^cb_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure'); // plain http here; https sets it
    expect(res.headers.get('cache-control')).toBe('no-store');

    const as = { cookie: cookie.split(';')[0]!, csrfToken: body.csrfToken } as Credentials;
    const me = await request(`${api}/auth/me`, { as });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: body.user, csrfToken: body.csrfToken });
    // Only the hash of the cookie is stored.
    expect(count('select count(*) n from sessions where id_hash = ?', as.cookie.split('=')[1])).toBe(0);
    expect((await auditOf('auth.login')).some((e) => e.actorId === 'wang.li' && e.actorRole === 'dispatcher')).toBe(true);
  });

  it('answers unknown users and wrong passwords alike with 401, and changes nothing', async () => {
    const before = { sessions: sessions(), users: count('select count(*) n from users'), rows: rowCounts(ts.app) };
    for (const [username, password] of [['nobody-here', TEST_PASSWORD], ['wang.li', 'wrong-password!'], [ADMIN_USERNAME, '']]) {
      const r = await request(`${api}/auth/login`, { method: 'POST', as: null, body: { username, password } });
      expect(r.status, JSON.stringify(r.body)).toBe(password ? 401 : 400);
      if (password) expect(r.body.error.code).toBe('error.bad_credentials');
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect({ sessions: sessions(), users: count('select count(*) n from users'), rows: rowCounts(ts.app) }).toEqual(before);
    const failed = await auditOf('auth.login_failed');
    expect(failed.map((e) => e.detail.username)).toEqual(expect.arrayContaining(['nobody-here', 'wang.li']));
    expect(failed.every((e) => e.actorId === null)).toBe(true);
    expect(JSON.stringify(failed)).not.toContain('wrong-password!');
  });

  it('refuses a disabled account with the same 401', async () => {
    const u = await createUser(ts.app, 'gone.away', 'coordinator');
    expect((await request(`${api}/users/${u.id}`, { method: 'PATCH', body: { status: 'disabled' } })).status).toBe(200);
    const r = await request(`${api}/auth/login`, { method: 'POST', as: null, body: { username: 'gone.away', password: TEST_PASSWORD } });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('error.bad_credentials');
  });

  it('answers every API route but the public ones with 401 without credentials', async () => {
    for (const path of ['/events', '/kpis', '/grids', '/users', '/auth/me', '/volunteers', '/audit']) {
      const r = await request(`${api}${path}`, { as: null });
      expect(r.status, path).toBe(401);
      expect(r.body.error.code).toBe('error.unauthenticated');
    }
    expect((await request(`${api}/health`, { as: null })).status).toBe(200);
    expect((await request(`${api}/auth/setup`, { as: null })).body).toEqual({ needed: false, community: true });
  });

  it('ends the session on logout: the cookie is cleared, then refused, and its sockets close', async () => {
    const me = await loginAs(ts.url, 'coordinator');
    const socket = openSocket(ts.url, { as: me });
    try {
      await connected(socket);
      const gone = disconnection(socket);
      const out = await request(`${api}/auth/logout`, { method: 'POST', as: me });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^cb_session=;.*Max-Age=0/);
      expect(await ended(socket, gone)).toBe('error.unauthenticated');
      const after = await request(`${api}/auth/me`, { as: me });
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('error.unauthenticated');
    } finally {
      socket.close();
    }
  });

  it('changes a password: the wrong current one is refused, every session ends and this browser gets a new one', async () => {
    const here = await loginAs(ts.url, 'social_worker');
    const there = await logIn(ts.url, here.username, TEST_PASSWORD);
    const socket = openSocket(ts.url, { as: there });
    try {
      await connected(socket);
      const wrong = await request(`${api}/auth/password`, { method: 'POST', as: here, body: { currentPassword: 'not-my-password', newPassword: 'a-new-password-1' } });
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe('error.wrong_password');
      const short = await request(`${api}/auth/password`, { method: 'POST', as: here, body: { currentPassword: TEST_PASSWORD, newPassword: 'short' } });
      expect(short.status).toBe(400);
      expect(short.body.error.issues[0].field).toBe('newPassword');

      const gone = disconnection(socket);
      const ok = await request(`${api}/auth/password`, { method: 'POST', as: here, body: { currentPassword: TEST_PASSWORD, newPassword: 'a-new-password-1' } });
      expect(ok.status).toBe(200);
      expect(await ended(socket, gone)).toBe('error.unauthenticated');
      expect((await request(`${api}/auth/me`, { as: there })).status).toBe(401);
      // A copy of this browser's old cookie is out too; the new cookie and CSRF token work.
      expect((await request(`${api}/auth/me`, { as: here })).status).toBe(401);
      const renewed = { ...here, cookie: ok.headers.get('set-cookie')!.split(';')[0]!, csrfToken: ok.body.csrfToken };
      expect(renewed.cookie).not.toBe(here.cookie);
      expect(renewed.csrfToken).not.toBe(here.csrfToken);
      expect((await request(`${api}/auth/me`, { as: renewed })).status).toBe(200);
      expect((await request(`${api}/auth/logout`, { method: 'POST', as: renewed })).status).toBe(204);
      expect((await request(`${api}/auth/login`, { method: 'POST', as: null, body: { username: here.username, password: TEST_PASSWORD } })).status).toBe(401);
      await logIn(ts.url, here.username, 'a-new-password-1');
      expect((await auditOf('auth.password')).some((e) => e.actorId === here.username)).toBe(true);
    } finally {
      socket.close();
    }
  });
});

describe('login rate limits', () => {
  it('stop one address guessing an account, while the account still logs in from another address', async () => {
    await createUser(ts.app, 'zhao.min', 'dispatcher');
    for (let i = 0; i < 5; i++) expect((await loginFrom('127.0.0.2', 'zhao.min', `guess-number-${i}`)).status).toBe(401);
    const blocked = await loginFrom('127.0.0.2', 'zhao.min', TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('error.rate_limited');
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(15 * 60);
    // The owner, elsewhere, is not locked out; the guesser can still log in as someone else.
    expect((await loginFrom('127.0.0.3', 'zhao.min', TEST_PASSWORD)).status).toBe(200);
    expect((await loginFrom('127.0.0.2', 'wang.li', TEST_PASSWORD)).status).toBe(200);
  });

  it('let people who logged in from a browser before in, while a guesser on their shared address is locked out', async () => {
    // The office network: everyone behind one address. Colleagues logged in here last week.
    await createUser(ts.app, 'chen.jing', 'coordinator');
    await createUser(ts.app, 'lu.fang', 'dispatcher');
    const chen = await loginFrom('127.0.0.8', 'chen.jing', TEST_PASSWORD);
    expect(chen.status).toBe(200);
    expect(chen.device).toMatch(/^cb_device=.{20,}/);
    // Someone on the same network guesses chen.jing's password and tries fifty other accounts.
    for (let i = 0; i < 5; i++) expect((await loginFrom('127.0.0.8', 'chen.jing', `guess-${i}-abcdef`)).status).toBe(401);
    for (let i = 0; i < 45; i++) expect((await loginFrom('127.0.0.8', `nobody-${i}`, 'some-password')).status).toBe(401);
    expect((await loginFrom('127.0.0.8', 'lu.fang', TEST_PASSWORD)).status).toBe(429);
    expect((await loginFrom('127.0.0.8', 'chen.jing', TEST_PASSWORD)).status).toBe(429);
    // chen.jing's own browser still gets in; it is no key for another account.
    expect((await loginFrom('127.0.0.8', 'chen.jing', TEST_PASSWORD, chen.device)).status).toBe(200);
    expect((await loginFrom('127.0.0.8', 'lu.fang', TEST_PASSWORD, chen.device)).status).toBe(429);
    // Guessing with a stolen device cookie has a limit of its own.
    for (let i = 0; i < 5; i++) expect((await loginFrom('127.0.0.9', 'chen.jing', `guess-${i}-ghijkl`, chen.device)).status).toBe(401);
    expect((await loginFrom('127.0.0.9', 'chen.jing', TEST_PASSWORD, chen.device)).status).toBe(429);
  });

  it('stop one address trying many accounts', async () => {
    for (let i = 0; i < 50; i++) expect((await loginFrom('127.0.0.4', `user-${i}`, 'some-password')).status).toBe(401);
    const r = await loginFrom('127.0.0.4', 'wang.li', TEST_PASSWORD);
    expect(r.status).toBe(429);
    expect((await loginFrom('127.0.0.5', 'wang.li', TEST_PASSWORD)).status).toBe(200);
  });
});

describe('CSRF', () => {
  it('refuses a write made with the session cookie but without the token, and writes nothing', async () => {
    const before = rowCounts(ts.app);
    const missing = await request(`${api}/events`, { method: 'POST', body: sampleReport(), noCsrf: true });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('error.csrf');
    const wrong = await request(`${api}/events`, { method: 'POST', body: sampleReport(), headers: { 'x-csrf-token': 'forged' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('error.csrf');
    await new Promise((r) => setTimeout(r, 60));
    expect(rowCounts(ts.app)).toEqual(before);
    // A read needs no token; the token makes the write go through.
    expect((await request(`${api}/events`, { noCsrf: true })).status).toBe(200);
    expect((await request(`${api}/events`, { method: 'POST', body: sampleReport() })).status).toBe(201);
  });

  it('asks a logout for the token too (a forged logout is a write)', async () => {
    const me = await loginAs(ts.url, 'dispatcher');
    expect((await request(`${api}/auth/logout`, { method: 'POST', as: me, noCsrf: true })).status).toBe(403);
    expect((await request(`${api}/auth/me`, { as: me })).status).toBe(200);
  });
});

describe('origins', () => {
  it('refuses requests from another site\'s page, and writes nothing', async () => {
    const before = rowCounts(ts.app);
    const r = await request(`${api}/events`, { method: 'POST', body: sampleReport(), headers: { origin: 'https://evil.example' } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('error.origin');
    const login = await request(`${api}/auth/login`, {
      method: 'POST', as: null, body: { username: ADMIN_USERNAME, password: TEST_PASSWORD }, headers: { origin: 'http://127.0.0.1:1' },
    });
    expect(login.status).toBe(403);
    expect(login.headers.get('set-cookie')).toBeNull();
    expect((await request(`${api}/events`, { headers: { origin: 'null' } })).status).toBe(403);
    expect(rowCounts(ts.app)).toEqual(before);
    // The server's own origin is welcome.
    expect((await request(`${api}/events`, { headers: { origin: ts.url } })).status).toBe(200);
  });

  it('refuses a socket handshake from another site, even with a valid session', async () => {
    const foreign = openSocket(ts.url, { reconnection: false, headers: { origin: 'https://evil.example' } });
    try {
      await expect(connected(foreign)).rejects.toThrow();
      expect(foreign.connected).toBe(false);
    } finally {
      foreign.close();
    }
    const own = openSocket(ts.url, { reconnection: false, headers: { origin: ts.url } });
    try {
      await connected(own);
    } finally {
      own.close();
    }
  });

  it('refuses a socket that brings neither a session nor a display token', async () => {
    const s = connect(ts.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { displayToken: 'cbd_not-a-token' } });
    try {
      expect(await refusal(s as TestSocket)).toBe('error.unauthenticated');
    } finally {
      s.close();
    }
  });
});

describe('users, managed by an admin', () => {
  it('creates a grid worker limited to grids of the community, who must change the password first', async () => {
    const bad = [
      [{ username: 'li.wei', displayName: '李伟', role: 'grid_worker', password: TEST_PASSWORD }, 'grids'],
      [{ username: 'li.wei', displayName: '李伟', role: 'grid_worker', grids: ['G99'], password: TEST_PASSWORD }, 'grids[0]'],
      [{ username: 'li.wei', displayName: '李伟', role: 'dispatcher', grids: ['G01'], password: TEST_PASSWORD }, 'grids'],
      [{ username: 'li.wei', displayName: '李伟', role: 'boss', password: TEST_PASSWORD }, 'role'],
      [{ username: 'li.wei', displayName: '李伟', role: 'dispatcher', password: 'short' }, 'password'],
      [{ username: 'x', displayName: '李伟', role: 'dispatcher', password: TEST_PASSWORD }, 'username'],
    ] as const;
    for (const [body, field] of bad) {
      const r = await request(`${api}/users`, { method: 'POST', body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
    const made = await request(`${api}/users`, { method: 'POST', body: { username: 'Li.Wei', displayName: '李伟', role: 'grid_worker', grids: ['G02', 'G02'], password: TEST_PASSWORD } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.user).toMatchObject({ username: 'li.wei', role: 'grid_worker', grids: ['G02'], mustChangePassword: true });
    const again = await request(`${api}/users`, { method: 'POST', body: { username: 'li.wei', displayName: '另一个', role: 'dispatcher', password: TEST_PASSWORD } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('error.username_taken');

    const liWei = await logIn(ts.url, 'li.wei', TEST_PASSWORD);
    const blocked = await request(`${api}/events`, { as: liWei });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('error.password_change_required');
    expect((await request(`${api}/auth/me`, { as: liWei })).body.user.mustChangePassword).toBe(true);
    const changed = await request(`${api}/auth/password`, { method: 'POST', as: liWei, body: { currentPassword: TEST_PASSWORD, newPassword: 'li-wei-own-password' } });
    expect(changed.status).toBe(200);
    expect(changed.body.user.mustChangePassword).toBe(false);
    const renewed = { ...liWei, cookie: changed.headers.get('set-cookie')!.split(';')[0]!, csrfToken: changed.body.csrfToken };
    expect((await request(`${api}/events`, { as: renewed })).status).toBe(200);
    const created = (await auditOf('users.create')).find((e) => e.detail.username === 'li.wei')!;
    expect(created).toMatchObject({ actorId: ADMIN_USERNAME, actorRole: 'admin', targetType: 'users', targetId: String(made.body.user.id) });
  });

  it('disables a user: their sessions end at once, sockets included', async () => {
    const them = await loginAs(ts.url, 'dispatcher');
    const socket = openSocket(ts.url, { as: them });
    try {
      await connected(socket);
      const id = (await request(`${api}/auth/me`, { as: them })).body.user.id;
      const gone = disconnection(socket);
      const r = await request(`${api}/users/${id}`, { method: 'PATCH', body: { status: 'disabled' } });
      expect(r.status).toBe(200);
      expect(r.body.user.status).toBe('disabled');
      expect(await ended(socket, gone)).toBe('error.unauthenticated');
      expect((await request(`${api}/auth/me`, { as: them })).status).toBe(401);
      const update = (await auditOf('users.update')).find((e) => e.targetId === String(id))!;
      expect(update.detail).toMatchObject({ changed: ['status'], status: 'disabled' });
    } finally {
      socket.close();
    }
  });

  it('sets a user\'s password: their sessions end and they must choose their own', async () => {
    const them = await loginAs(ts.url, 'coordinator');
    const id = (await request(`${api}/auth/me`, { as: them })).body.user.id;
    expect((await request(`${api}/users/${id}/password`, { method: 'POST', body: { password: 'given-by-admin-1' } })).status).toBe(204);
    expect((await request(`${api}/auth/me`, { as: them })).status).toBe(401);
    const back = await logIn(ts.url, them.username, 'given-by-admin-1');
    expect((await request(`${api}/kpis`, { as: back })).body.error.code).toBe('error.password_change_required');
  });

  it('never leaves the community without an active administrator', async () => {
    const admins = (await request(`${api}/users`)).body.items.filter((u: { role: string; status: string }) => u.role === 'admin' && u.status === 'active');
    expect(admins).toHaveLength(1);
    const me = admins[0].id;
    for (const body of [{ status: 'disabled' }, { role: 'dispatcher' }]) {
      const r = await request(`${api}/users/${me}`, { method: 'PATCH', body });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('error.last_admin');
    }
    expect((await request(`${api}/auth/me`)).body.user.role).toBe('admin');
  });

  it('lets nobody but an admin see or change users', async () => {
    const d = await loginAs(ts.url, 'dispatcher');
    expect((await request(`${api}/users`, { as: d })).status).toBe(403);
    const r = await request(`${api}/users`, { method: 'POST', as: d, body: { username: 'sneaky', displayName: 'x', role: 'admin', password: TEST_PASSWORD } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('error.forbidden');
    expect(count("select count(*) n from users where username = 'sneaky'")).toBe(0);
  });
});

describe('sockets', () => {
  it('limit subscribes to 10 in 10 seconds per socket, and other sockets carry on', async () => {
    const busy = openSocket(ts.url, { reconnection: false });
    const calm = openSocket(ts.url, { reconnection: false });
    try {
      const answers: string[] = [];
      for (let i = 0; i < 11; i++) {
        const r = await busy.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
        answers.push(r.ok ? 'ok' : r.error);
      }
      expect(answers).toEqual([...Array(10).fill('ok'), 'error.rate_limited']);
      expect((await calm.timeout(5_000).emitWithAck('subscribe', { view: 'screen' })).ok).toBe(true);
      expect(busy.connected).toBe(true);
    } finally {
      busy.close();
      calm.close();
    }
  });

  it('refuse a session that must change its password first', async () => {
    const u = await createUser(ts.app, 'must.change', 'dispatcher');
    const me = await logIn(ts.url, 'must.change', TEST_PASSWORD);
    await ts.app.auth.accounts.users.setPassword({ id: ADMIN_USERNAME, role: 'admin', communityId: 'guihua' }, u.id, TEST_PASSWORD, { ip: null });
    const again = await logIn(ts.url, 'must.change', TEST_PASSWORD);
    expect((await request(`${api}/auth/me`, { as: me })).status).toBe(401); // the old session ended
    const s = openSocket(ts.url, { as: again, reconnection: false });
    try {
      expect(await refusal(s)).toBe('error.password_change_required');
    } finally {
      s.close();
    }
  });
});

describe('behind a reverse proxy (TRUST_PROXY=1)', () => {
  let px: TestServer;
  beforeAll(async () => {
    px = await startServer({ env: { TRUST_PROXY: '1' } });
  });
  afterAll(() => px?.stop());

  const login = (address: string, password: string, proto = 'http') => request(`${px.url}/api/v1/auth/login`, {
    method: 'POST', as: null, body: { username: ADMIN_USERNAME, password },
    headers: { 'x-forwarded-for': `10.9.9.9, ${address}`, 'x-forwarded-proto': proto },
  });

  it('marks the cookie Secure when the proxy says the request came over https', async () => {
    expect((await login('203.0.113.1', TEST_PASSWORD, 'https')).headers.get('set-cookie')).toContain('Secure');
    expect((await login('203.0.113.1', TEST_PASSWORD, 'http')).headers.get('set-cookie')).not.toContain('Secure');
  });

  it('counts failed logins per client address, the last one the proxy adds', async () => {
    for (let i = 0; i < 5; i++) expect((await login('203.0.113.9', 'not-the-password')).status).toBe(401);
    expect((await login('203.0.113.9', TEST_PASSWORD)).status).toBe(429);
    expect((await login('203.0.113.10', TEST_PASSWORD)).status).toBe(200);
    const failed = px.app.db.prepare("select ip from audit_log where action = 'auth.login_failed'").all();
    expect(failed).toEqual(Array(5).fill({ ip: '203.0.113.9' }));
  });
});

describe('COOKIE_SECURE=1', () => {
  it('marks the cookie Secure even over plain http (TLS ends before the server, unsaid)', async () => {
    const sec = await startServer({ env: { COOKIE_SECURE: '1' }, admin: false });
    try {
      await createUser(sec.app, 'secure.one', 'dispatcher');
      const r = await request(`${sec.url}/api/v1/auth/login`, { method: 'POST', as: null, body: { username: 'secure.one', password: TEST_PASSWORD } });
      expect(r.headers.get('set-cookie')).toContain('Secure');
    } finally {
      await sec.stop();
    }
  });
});

describe('sessions that time out', () => {
  let clock = Date.now();
  let ls: TestServer;
  beforeAll(async () => {
    ls = await startServer({ authNow: () => clock });
  });
  afterAll(() => ls?.stop());

  it('slide with use, and end after 12 idle hours: 401, and the socket is closed', async () => {
    const me = await loginAs(ls.url, 'dispatcher');
    clock += 11 * 3_600_000;
    expect((await request(`${ls.url}/api/v1/auth/me`, { as: me })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50)); // the last-seen time is written in the next group commit
    clock += 11 * 3_600_000;
    expect((await request(`${ls.url}/api/v1/auth/me`, { as: me })).status).toBe(200);
    const socket = openSocket(ls.url, { as: me, reconnection: false });
    try {
      await connected(socket);
      await new Promise((r) => setTimeout(r, 50));
      clock += 12 * 3_600_000 + 1;
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect(ls.app.sweepAuth().sockets).toBeGreaterThanOrEqual(1);
      expect(await closed).toBe('io server disconnect');
      const r = await request(`${ls.url}/api/v1/auth/me`, { as: me });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('error.unauthenticated');
      expect(r.headers.get('set-cookie')).toMatch(/^cb_session=;/);
    } finally {
      socket.close();
    }
  });

  it('end after 7 days however busy, and a socket learns it at its next command', async () => {
    const me = await loginAs(ls.url, 'coordinator');
    const socket = openSocket(ls.url, { as: me, reconnection: false });
    try {
      await connected(socket);
      // A request every 10 hours keeps it from idling out, up to the 7th day (168 hours).
      for (let hours = 10; hours <= 170; hours += 10) {
        clock += 10 * 3_600_000;
        expect((await request(`${ls.url}/api/v1/auth/me`, { as: me })).status, `after ${hours} h`).toBe(hours < 168 ? 200 : 401);
        await new Promise((r) => setTimeout(r, 30));
      }
      const ack = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
      expect(ack).toEqual({ ok: false, error: 'error.unauthenticated' });
      await until(() => !socket.connected, 'the socket to be closed');
    } finally {
      socket.close();
    }
  });
});

describe('a server with no community installed yet', () => {
  it('says so, so the setup page asks for the community with the first administrator (tests/integration/community-setup.test.ts)', async () => {
    const bare = await startServer({ community: false });
    try {
      expect((await request(`${bare.url}/api/v1/auth/setup`, { as: null })).body).toEqual({ needed: true, community: false });
      expect(bare.app.auth.beginSetup()).toMatch(/.{20,}/);
    } finally {
      await bare.stop();
    }
  });
});

describe('the first administrator', () => {
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await startServer({ admin: false });
  });
  afterAll(() => fresh?.stop());

  it('is made once, with the one-time token from the start-up log', async () => {
    const url = `${fresh.url}/api/v1`;
    expect((await request(`${url}/auth/setup`, { as: null })).body).toEqual({ needed: true, community: true });
    expect((await request(`${url}/events`, { as: null })).status).toBe(401);
    const token = fresh.app.auth.beginSetup()!;
    const body = { username: 'chen.admin', displayName: '陈管理员', password: 'first-admin-password' };
    const wrong = await request(`${url}/auth/setup`, { method: 'POST', as: null, body: { ...body, token: 'guessed' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('error.setup_token');
    const ok = await request(`${url}/auth/setup`, { method: 'POST', as: null, body: { ...body, token } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.user).toMatchObject({ username: 'chen.admin', role: 'admin', communityId: 'guihua', mustChangePassword: false });
    expect(ok.headers.get('set-cookie')).toMatch(/^cb_session=/);
    const as = { cookie: ok.headers.get('set-cookie')!.split(';')[0]!, csrfToken: ok.body.csrfToken } as Credentials;
    expect((await request(`${url}/users`, { as })).body.items).toHaveLength(1);

    const twice = await request(`${url}/auth/setup`, { method: 'POST', as: null, body: { ...body, username: 'second', token } });
    expect(twice.status).toBe(403);
    expect(twice.body.error.code).toBe('error.setup_done');
    expect(fresh.app.auth.beginSetup()).toBeNull();
    expect((await request(`${url}/auth/setup`, { as: null })).body).toEqual({ needed: false, community: true });
    const audit = await request(`${url}/audit?action=auth.setup`, { as });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ actorId: 'chen.admin', actorRole: 'admin' });
  });
});
