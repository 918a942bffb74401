/**
 * Test support: a real Cerebellum on port 0 over a real SQLite file in a temporary folder,
 * with the demo community installed, and real socket.io clients.
 *
 * Every server starts with an administrator logged in: `post`, `get` and `send` to that server
 * carry the admin's session cookie and CSRF token, and `openSocket` connects with the cookie
 * (staff) or a paired display's token (`display: true`). `loginAs`, `pairDisplay` and `apiKey`
 * give other credentials; `request` sends with exactly the credentials given.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { loadConfig } from '../../server/config.ts';
import { createCerebellum, type Cerebellum } from '../../server/app.ts';
import { installDemoCommunity, seedHistory } from '../../server/demo/seed.ts';
import { openDatabase } from '../../server/database.ts';
import { Directory } from '../../server/kernel/community.ts';
import { LiveClient } from '../../shared/live-client.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol.ts';
import type { UserRole } from '../../shared/auth.ts';
import type { Principal } from '../../server/principal.ts';

export interface TestServer {
  app: Cerebellum;
  url: string;
  dataDir: string;
  /** The logged-in administrator's credentials (null with `admin: false`). */
  admin: Credentials | null;
  /** A paired display's token, for `/screen#display=<token>` (null with `admin: false`). */
  displayToken: string | null;
  /** Stop the server, keeping its data folder (for restart tests). */
  stop(): Promise<void>;
}

/** A logged-in person: the cookie and CSRF token to send, and how they logged in. */
export interface Credentials {
  username: string;
  password: string;
  role: UserRole;
  /** `cb_session=…`, for a Cookie header. */
  cookie: string;
  csrfToken: string;
}

/** The password of every account the tests make (scrypt at SCRYPT_COST=1024 keeps them fast). */
export const TEST_PASSWORD = 'test-password-1234';
export const ADMIN_USERNAME = 'admin';

/** Per server origin, the app and the admin's credentials that `post`, `get` and `send` use. */
const servers = new Map<string, { app: Cerebellum; admin: Credentials | null }>();
/** Per server origin, the display token `openSocket(url, { display: true })` connects with. */
const displayTokens = new Map<string, string>();
const originOf = (url: string) => new URL(url).origin;

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-test-'));
}

export interface StartOptions {
  dataDir?: string;
  /** Days of demo history to seed on first start (0 for none). */
  historyDays?: number;
  /** Grid events a day in that history (default 30; the demo seeds 110). */
  perDay?: number;
  port?: number;
  env?: Record<string, string>;
  now?: () => number;
  /** The clock of sessions, tokens and rate limits (default: the wall clock). */
  authNow?: () => number;
  /** Create and log in the test administrator (default true); false starts with no account. */
  admin?: boolean;
  /** Install the demo community (default true); false starts a server with none (and no admin). */
  community?: boolean;
  /** Serve the client built in this folder (default: dist/client). */
  clientDir?: string;
}

/** Start a server with the demo community on a (new or given) data folder. */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const config = loadConfig({
    DATA_DIR: dataDir, PORT: String(opts.port ?? 0), HOST: '127.0.0.1', LOG_LEVEL: 'silent', BATCH_MS: '50', SCRYPT_COST: '1024',
    ...opts.env,
  }, []);
  const db = openDatabase(config.dbFile);
  const now = opts.now ?? Date.now;
  if ((opts.community ?? true) && installDemoCommunity(new Directory(db), now()) && (opts.historyDays ?? 0) > 0) {
    seedHistory(db, now(), { days: opts.historyDays, perDay: opts.perDay ?? 30 });
  }
  db.close();
  const app = createCerebellum({
    config, logger: pino({ level: 'silent' }), now,
    ...(opts.authNow ? { authNow: opts.authNow } : {}), ...(opts.clientDir ? { clientDir: opts.clientDir } : {}),
  });
  const port = await app.listen();
  const url = `http://127.0.0.1:${port}`;
  servers.set(originOf(url), { app, admin: null });
  let admin: Credentials | null = null;
  let displayToken: string | null = null;
  if ((opts.admin ?? true) && (opts.community ?? true)) {
    if (!app.auth.accounts.users.byUsername(ADMIN_USERNAME)) await createUser(app, ADMIN_USERNAME, 'admin');
    admin = await logIn(url, ADMIN_USERNAME, TEST_PASSWORD);
    servers.set(originOf(url), { app, admin });
    displayToken = pairDisplay(app).token;
  }
  if (displayToken) displayTokens.set(originOf(url), displayToken);
  else displayTokens.delete(originOf(url));
  return { app, url, dataDir, admin, displayToken, stop: () => app.close() };
}

const communityOf = (app: Cerebellum) => app.directory.defaultCommunity()!.id;

/** An account made through the service (no password change asked), for the default community. */
export async function createUser(app: Cerebellum, username: string, role: UserRole, grids?: string[]) {
  return app.auth.accounts.users.create(null, communityOf(app), {
    username, displayName: username, role, password: TEST_PASSWORD, mustChangePassword: false,
    ...(role === 'grid_worker' ? { grids: grids ?? ['G01'] } : {}),
  });
}

/** Log in over HTTP; throws unless it worked. */
export async function logIn(url: string, username: string, password: string): Promise<Credentials> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const body = (await res.json().catch(() => null)) as { csrfToken: string; user: { role: UserRole } } | null;
  if (res.status !== 200 || !body) throw new Error(`login as ${username} failed: ${res.status} ${JSON.stringify(body)}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { username, password, role: body.user.role, cookie, csrfToken: body.csrfToken };
}

let userSeq = 0;
/**
 * A new account with `role` on the server at `url`, logged in. Grid workers get grid G01
 * unless `grids` says otherwise.
 */
export async function loginAs(url: string, role: UserRole, grids?: string[]): Promise<Credentials> {
  const entry = servers.get(originOf(url));
  if (!entry) throw new Error(`no test server at ${url}`);
  const username = `${role.replace('_', '-')}-${process.pid}-${++userSeq}`;
  await createUser(entry.app, username, role, grids);
  return logIn(url, username, TEST_PASSWORD);
}

/** The test administrator as a principal, for calling services directly. */
export const adminPrincipal = (app: Cerebellum): Principal => ({ id: ADMIN_USERNAME, role: 'admin', communityId: communityOf(app) });

/** A display paired through the service: its record and its token. */
export function pairDisplay(app: Cerebellum, name = '服务中心大屏') {
  return app.auth.displays.createPaired(communityOf(app), name, ADMIN_USERNAME);
}

/** An integration API key made through the service: its record and the key (`cbk_…`). */
export function apiKey(app: Cerebellum, name = '12345热线') {
  const { key, secret } = app.auth.apiKeys.create(adminPrincipal(app), name, { ip: null });
  return { key, secret };
}

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SocketOptions {
  /** Connect as a wall display (the server's paired display, or `displayToken`). */
  display?: boolean;
  reconnection?: boolean;
  /** Connect as this display token (implies display). */
  displayToken?: string;
  /** Connect with these credentials' session cookie instead of the admin's; null: none at all. */
  as?: Credentials | null;
  /** Headers for the handshake (an Origin, say). */
  headers?: Record<string, string>;
}

/**
 * A real socket.io client: staff with the test admin's session cookie, or with `display` a
 * public wall display (the server's paired display).
 */
export function openSocket(url: string, opts: SocketOptions = {}): TestSocket {
  const entry = servers.get(originOf(url));
  let token = opts.displayToken;
  if (!token && opts.display) {
    token = displayTokens.get(originOf(url));
    if (!token && entry) displayTokens.set(originOf(url), (token = pairDisplay(entry.app).token));
  }
  const creds = opts.as === undefined ? entry?.admin ?? null : opts.as;
  const headers: Record<string, string> = { ...opts.headers };
  if (!token && creds) headers.cookie = creds.cookie;
  return connect(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: opts.reconnection ?? true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 300,
    ...(token ? { auth: { displayToken: token } } : {}),
    extraHeaders: headers,
  });
}

/** A LiveClient on a real socket, with a promise for its first snapshot. */
export function openLive(url: string, opts: SocketOptions = {}) {
  const socket = openSocket(url, opts);
  const client = new LiveClient(socket, { view: 'screen' });
  return { socket, client, close: () => socket.close() };
}

/** Wait until `check` holds, polling; fails with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface RequestOptions {
  method?: string;
  /** JSON (a string is sent as is). */
  body?: unknown;
  /** Send these credentials' cookie and CSRF token; null sends none. Default: the server's admin. */
  as?: Credentials | null;
  /** Leave out the CSRF header even with a cookie. */
  noCsrf?: boolean;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** Send a request with exactly the credentials asked for (by default, the server's admin). */
export async function request(url: string, o: RequestOptions = {}): Promise<Answer> {
  const creds = o.as === undefined ? servers.get(originOf(url))?.admin ?? null : o.as;
  const headers: Record<string, string> = {};
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (creds) {
    headers.cookie = creds.cookie;
    if (!o.noCsrf) headers['x-csrf-token'] = creds.csrfToken;
  }
  Object.assign(headers, o.headers);
  const res = await fetch(url, {
    method: o.method ?? 'GET', headers,
    ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
  });
  return { status: res.status, body: await res.json().catch(() => null), headers: res.headers };
}

/**
 * Send a request from another local address (127.0.0.2, 127.0.0.3 …: every one is this
 * machine), without credentials unless given in `o.headers`: for limits kept per address.
 */
export function requestFrom(address: string, url: string, o: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const u = new URL(url);
  const data = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method: o.method ?? 'GET', localAddress: address,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}), ...o.headers },
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let body: any = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch { /* not JSON */ }
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode!, body, headers });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** POST JSON as the server's admin and return status and parsed body. */
export async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await request(url, { method: 'POST', body });
  return { status: r.status, body: r.body };
}

export async function get(url: string): Promise<{ status: number; body: any }> {
  const r = await request(url);
  return { status: r.status, body: r.body };
}

/** Any method, as the server's admin. */
export async function send(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await request(url, { method, body });
  return { status: r.status, body: r.body };
}

/** A valid report for the demo community. */
export const sampleReport = (over: Record<string, unknown> = {}) => ({
  category: 'environment', subcategory: 'garbage', urgency: 'normal', source: 'resident',
  title: '桂花苑3幢楼下垃圾堆放', description: '住户王建国反映，电话13812345678，垃圾两天未清运。',
  gridId: 'G01', address: '桂花苑3幢2单元501室', reporterName: '王建国', reporterPhone: '13812345678',
  ...over,
});

/** The photo the tests attach to a case (a 96×64 PNG of a bin by a wall). */
export const SITE_PHOTO = fs.readFileSync(path.join(import.meta.dirname, '../fixtures/site-photo.png'));

/**
 * Add SITE_PHOTO to event `eventId` through `api` (`<url>/api/v1`), as the admin unless `as`
 * says: what closing a case whose category needs evidence (environment, facilities, fire by
 * default) asks for. Throws unless it was stored.
 */
export async function addPhoto(api: string, eventId: number, as?: Credentials): Promise<void> {
  const r = await request(`${api}/events/${eventId}/photos`, {
    method: 'POST', body: { name: 'site.png', type: 'image/png', data: SITE_PHOTO.toString('base64') }, ...(as ? { as } : {}),
  });
  if (r.status !== 201) throw new Error(`adding a photo to event ${eventId}: ${r.status} ${JSON.stringify(r.body)}`);
}

let volunteerSeq = 0;
/**
 * A volunteer on their phone: registered by the server's admin, invited from their record,
 * joined with TEST_PASSWORD through the invitation (as /me/join does) and logged in.
 */
export async function joinAsVolunteer(url: string, name = '志愿者'): Promise<Credentials & { volunteerId: number }> {
  const api = `${url}/api/v1`;
  const phone = `139${String(process.pid % 10_000).padStart(4, '0')}${String(++volunteerSeq).padStart(4, '0')}`;
  const reg = await request(`${api}/volunteers`, { method: 'POST', body: { name, phone } });
  if (reg.status !== 201) throw new Error(`register volunteer: ${reg.status} ${JSON.stringify(reg.body)}`);
  const volunteerId = reg.body.volunteer.id as number;
  const inv = await request(`${api}/volunteers/${volunteerId}/invite`, { method: 'POST' });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${JSON.stringify(inv.body)}`);
  const token = String(inv.body.path).split('#')[1]!;
  const res = await fetch(`${api}/auth/join`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: TEST_PASSWORD }),
  });
  const body = (await res.json()) as { csrfToken: string; user: { username: string; role: UserRole } };
  if (res.status !== 201) throw new Error(`join: ${res.status} ${JSON.stringify(body)}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { username: body.user.username, password: TEST_PASSWORD, role: body.user.role, cookie, csrfToken: body.csrfToken, volunteerId };
}
