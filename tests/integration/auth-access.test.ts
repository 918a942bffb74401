/**
 * Every HTTP route and every socket command, called with every role: the answer is an allow
 * (anything but 401/403: a 2xx, or a 400/404/409 about the request itself) or a deny (401 for
 * nobody, 403 for somebody) exactly as the table below says. The table is written from the
 * role sets each subject declares in its access.ts (server/events, volunteers, orgs, charity, needs, register) and of
 * accounts; the routes are read from the app itself, so a new route without a line here fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { ACTIONS, type Action } from '../../shared/lifecycle.ts';
import { routeKey } from '../../server/http/routes.ts';
import {
  apiKey, joinAsVolunteer, logIn, loginAs, openSocket, request, startServer, type Credentials, type TestServer, type TestSocket,
} from '../support/server.ts';

type Who = 'admin' | 'dispatcher' | 'grid_worker' | 'social_worker' | 'coordinator' | 'charity_keeper' | 'volunteer' | 'display' | 'integration' | 'anonymous';
const EVERYONE: Who[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper', 'volunteer', 'display', 'integration', 'anonymous'];
type Rule = 'public' | Who[];

// The role sets, as the services name them.
const PEOPLE: Who[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator'];
const ADMIN: Who[] = ['admin'];
const WALL: Who[] = [...PEOPLE, 'display'];
/** Grid events: the centre decides; whoever handles on site starts, feeds back, asks. */
const CENTRE: Who[] = ['admin', 'dispatcher'];
const HANDLER: Who[] = [...CENTRE, 'grid_worker'];
/** server/volunteers/access.ts: MANAGE, ON_SITE, CASHIER (STAFF reads). */
const V_MANAGE: Who[] = ['admin', 'coordinator', 'social_worker'];
const V_ON_SITE: Who[] = [...V_MANAGE, 'grid_worker'];
const V_CASHIER: Who[] = ['admin', 'coordinator'];
/** server/orgs/access.ts: MANAGE, CASEWORK (RATE and reads are STAFF). */
const O_MANAGE: Who[] = ['admin', 'coordinator'];
const O_CASEWORK: Who[] = ['admin', 'coordinator', 'social_worker'];
/** server/charity/access.ts: STAFF, RECORDS, RECEIVE (PAY ⊂ RECEIVE is decided on the body); the charity bookkeeper is in each. */
const C_STAFF: Who[] = [...PEOPLE, 'charity_keeper'];
const C_RECORDS: Who[] = ['admin', 'dispatcher', 'social_worker', 'coordinator', 'charity_keeper'];
const C_RECEIVE: Who[] = ['admin', 'coordinator', 'social_worker', 'charity_keeper'];
/** Signed in with a session of their own: staff and the charity bookkeeper. */
const SIGNED_IN: Who[] = [...PEOPLE, 'charity_keeper'];
/** server/needs/access.ts: COORDINATE, ON_SITE, RESOURCES (RAISE and reads are STAFF). */
const N_COORDINATE: Who[] = ['admin', 'dispatcher', 'coordinator', 'social_worker'];
const N_ON_SITE: Who[] = [...N_COORDINATE, 'grid_worker'];
const N_RESOURCES: Who[] = ['admin', 'coordinator', 'social_worker'];
/** server/register/access.ts: READ, KEEP (grid workers in their grids), IMPORT. */
const R_READ: Who[] = ['admin', 'grid_worker', 'dispatcher', 'social_worker'];
const R_KEEP: Who[] = ['admin', 'grid_worker'];
const R_IMPORT: Who[] = ['admin'];
/** A volunteer on their own phone (/me): their own record only (server/volunteers/access.ts SELF). */
const VOLUNTEER: Who[] = ['volunteer'];

const EVENT_ACTIONS: Record<Action, Who[]> = {
  accept: CENTRE, reject: CENTRE, dispatch: CENTRE, sign: HANDLER, send_back: HANDLER, start: HANDLER, resolve: HANDLER, return: CENTRE,
  close: CENTRE, review: CENTRE, request_extension: HANDLER, approve_extension: CENTRE, deny_extension: CENTRE,
  request_shelve: HANDLER, approve_shelve: CENTRE, deny_shelve: CENTRE, unshelve: CENTRE,
  urge: CENTRE, supervise: CENTRE, merge: CENTRE,
};

/** Who may call each route (`METHOD /path` under /api/v1). */
const ROUTES: Record<string, Rule> = {
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /taxonomy': [...WALL, 'integration'],
  'GET /community': SIGNED_IN,
  'GET /grids': WALL,
  'GET /workers': PEOPLE,
  // Photos in resumable chunks (docs/OFFLINE.md): staff who keep records with photos.
  'GET /uploads/:sha': PEOPLE,
  'PUT /uploads/:sha': PEOPLE,
  // Field logs (server/fieldwork/access.ts): a grid worker logs; the centre and social workers read.
  'POST /patrols': ['admin', 'grid_worker'],
  'GET /patrols': ['admin', 'dispatcher', 'grid_worker', 'social_worker'],
  'GET /patrols/:id': ['admin', 'dispatcher', 'grid_worker', 'social_worker'],
  'POST /visits': ['admin', 'grid_worker'],
  'GET /visits': ['admin', 'dispatcher', 'grid_worker', 'social_worker'],
  'GET /visits/:id': ['admin', 'dispatcher', 'grid_worker', 'social_worker'],
  // Emergency incidents (server/emergency/access.ts): the centre commands; every member of staff reads.
  'POST /incidents': CENTRE,
  'GET /incidents': SIGNED_IN,
  'GET /incidents/active': SIGNED_IN,
  'GET /incidents/:id': SIGNED_IN,
  'GET /incidents/:id/screens': SIGNED_IN,
  'GET /incidents/:id/cap': SIGNED_IN,
  'GET /incidents/:id/cap/feed': SIGNED_IN,
  'POST /incidents/:id/update': CENTRE,
  'POST /incidents/:id/end': CENTRE,
  // An incident's accounted-for board (server/emergency/board-access.ts): everyone mobilised knocks, a wall reads guarded counts.
  'GET /incidents/:id/board': [...PEOPLE, 'volunteer'],
  'GET /incidents/:id/board/counts': WALL,
  'GET /incidents/:id/households/:hid': [...PEOPLE, 'volunteer'],
  'POST /incidents/:id/households/:hid/status': [...PEOPLE, 'volunteer'],
  'POST /incidents/:id/households/:hid/claim': [...PEOPLE, 'volunteer'],
  'POST /incidents/:id/households/:hid/release': [...PEOPLE, 'volunteer'],
  'POST /incidents/:id/households/:hid/done': [...PEOPLE, 'volunteer'],
  'POST /incidents/:id/links': HANDLER,
  'GET /incidents/:id/links': HANDLER,
  // An incident's timeline and after-action report (server/emergency/after-action.ts): staff read; those who took part rate and add actions.
  'GET /incidents/:id/timeline': PEOPLE,
  'GET /incidents/:id/report': PEOPLE,
  'GET /incidents/:id/report/export': PEOPLE,
  'POST /incidents/:id/objectives': PEOPLE,
  'POST /incidents/:id/objectives/:oid/rating': PEOPLE,
  'POST /incidents/:id/actions': PEOPLE,
  'GET /corrective-actions': SIGNED_IN,
  'POST /corrective-actions/:id/status': PEOPLE,
  // A household's own self-report link: no account.
  'GET /safe/:token': 'public',
  // An incident's people and places (server/emergency/people-access.ts): the centre and coordinators mobilise; shelter staff count and book.
  'POST /incidents/:id/callouts': ['admin', 'dispatcher', 'coordinator'],
  'GET /incidents/:id/people': SIGNED_IN,
  'GET /incidents/:id/people/counts': WALL,
  'GET /me/callouts': VOLUNTEER,
  'POST /me/callouts/:id/answer': VOLUNTEER,
  'POST /me/callouts/:id/duty': VOLUNTEER,
  'GET /shelters': SIGNED_IN,
  'POST /shelters': ['admin', 'dispatcher', 'coordinator'],
  'GET /shelters/:id': SIGNED_IN,
  'PATCH /shelters/:id': ['admin', 'dispatcher', 'coordinator'],
  'POST /shelters/:id/check-ins': PEOPLE,
  'GET /shelters/:id/supplies': SIGNED_IN,
  'POST /shelters/:id/supplies': PEOPLE,
  'POST /safe/:token': 'public',
  'GET /community/workers': ADMIN,
  'POST /community/workers': ADMIN,
  'PATCH /community/workers/:workerId': ADMIN,
  'POST /community/grids/import': ADMIN,
  'POST /community/workers/import': ADMIN,
  'GET /kpis': WALL,

  'POST /auth/login': 'public',
  'POST /auth/logout': [...SIGNED_IN, 'volunteer'],
  'GET /auth/me': [...SIGNED_IN, 'volunteer'],
  'POST /auth/invitation': 'public',
  'POST /auth/join': 'public',
  'GET /me/profile': VOLUNTEER,
  'GET /me/live': VOLUNTEER,
  'GET /me/activities': VOLUNTEER,
  'POST /me/activities/:id/signup': VOLUNTEER,
  'POST /me/activities/:id/cancel': VOLUNTEER,
  'POST /me/check-in': VOLUNTEER,
  'GET /me/records': VOLUNTEER,
  'GET /me/points': VOLUNTEER,
  'GET /me/redemptions': VOLUNTEER,
  'POST /auth/password': [...SIGNED_IN, 'volunteer'],
  'GET /auth/setup': 'public',
  'POST /auth/setup': 'public',
  'GET /users': ADMIN,
  'POST /users': ADMIN,
  'PATCH /users/:id': ADMIN,
  'POST /users/:id/password': ADMIN,
  'POST /displays/pairing': 'public',
  'GET /displays/pairing/:pairingId': 'public',
  'GET /displays': ADMIN,
  'POST /displays': ADMIN,
  'PATCH /displays/:id': ADMIN,
  'POST /displays/:id/revoke': ADMIN,
  'POST /displays/:id/reload': ADMIN,
  'GET /api-keys': ADMIN,
  'POST /api-keys': ADMIN,
  'POST /api-keys/:id/revoke': ADMIN,
  'GET /audit': ADMIN,

  'GET /events': PEOPLE,
  'POST /events': [...PEOPLE, 'integration'],
  'POST /events/ingest': ['admin', 'dispatcher', 'integration'],
  'GET /events/queue': PEOPLE,
  'GET /events/export': PEOPLE,
  'GET /events/stats': ['admin', 'dispatcher', 'coordinator'],
  'GET /events/:id': PEOPLE,
  'GET /events/:id/assignees': CENTRE,
  'GET /events/:id/duplicates': CENTRE,
  'GET /events/:id/photos': PEOPLE,
  'POST /events/:id/photos': HANDLER,
  'GET /events/:id/photos/:photoId': PEOPLE,
  'GET /notices': PEOPLE,
  'POST /notices/read-all': PEOPLE,
  'POST /notices/:id/read': PEOPLE,
  // 'POST /events/:id/:action': per action, EVENT_ACTIONS

  'GET /volunteers': PEOPLE,
  'POST /volunteers': V_MANAGE,
  'GET /volunteers/teams': PEOPLE,
  'POST /volunteers/teams': V_MANAGE,
  'GET /volunteers/certificates/:no': PEOPLE,
  'GET /volunteers/card/:code': PEOPLE,
  'GET /volunteers/:id': PEOPLE,
  'PATCH /volunteers/:id': V_MANAGE,
  'POST /volunteers/:id/status': V_MANAGE,
  'POST /volunteers/:id/invite': V_MANAGE,
  'GET /volunteers/:id/records': PEOPLE,
  'GET /volunteers/export': PEOPLE,
  'GET /volunteers/:id/records/export': PEOPLE,
  'POST /volunteers/:id/corrections': V_MANAGE,
  'POST /volunteers/:id/certificates': V_MANAGE,
  'GET /volunteers/:id/certificates': PEOPLE,
  'GET /volunteers/:id/certificates/:no': PEOPLE,
  'GET /verify/certificates/:no': 'public',
  'GET /activities': PEOPLE,
  'POST /activities': V_MANAGE,
  'GET /activities/:id': PEOPLE,
  'GET /activities/:id/check-in-code': V_ON_SITE,
  'GET /activities/export': PEOPLE,
  'PATCH /activities/:id': V_MANAGE,
  'GET /activities/:id/signups': PEOPLE,
  'GET /activities/:id/candidates': V_ON_SITE,
  'GET /activities/:id/export': PEOPLE,
  'POST /activities/:id/status': V_MANAGE,
  'POST /activities/:id/signups': V_ON_SITE,
  'POST /activities/:id/cancel-signup': V_ON_SITE,
  'POST /activities/:id/no-show': V_MANAGE,
  'POST /activities/:id/check-in': V_ON_SITE,
  'POST /activities/:id/check-out': V_ON_SITE,
  'GET /points/volunteers/:id': PEOPLE,
  'GET /points/volunteers/:id/entries': PEOPLE,
  'GET /points/leaderboard': PEOPLE,
  'GET /points/summary': PEOPLE,
  'GET /exchange/items': PEOPLE,
  'POST /exchange/items': V_CASHIER,
  'POST /exchange/items/:id/restock': V_CASHIER,
  'POST /exchange/redemptions': V_CASHIER,
  'GET /exchange/redemptions': PEOPLE,
  'GET /exchange/volunteers': V_CASHIER,
  'GET /exchange/desk/items': PEOPLE,
  'GET /exchange/items/export': PEOPLE,
  'PATCH /exchange/items/:id': V_CASHIER,
  'POST /exchange/items/:id/stock': V_CASHIER,
  'GET /exchange/items/:id/moves': PEOPLE,
  'POST /exchange/receipts': V_CASHIER,
  'GET /exchange/receipts': PEOPLE,
  'GET /exchange/receipts/export': PEOPLE,
  'GET /exchange/receipts/:id': PEOPLE,

  'GET /orgs': PEOPLE,
  'POST /orgs': O_MANAGE,
  'GET /orgs/:id': PEOPLE,
  'PATCH /orgs/:id': O_MANAGE,
  'POST /orgs/:id/status': O_MANAGE,
  'GET /social-workers': PEOPLE,
  'POST /social-workers': O_MANAGE,
  'GET /social-workers/:id': PEOPLE,
  'POST /social-workers/:id/status': O_MANAGE,
  'GET /projects': PEOPLE,
  'POST /projects': O_MANAGE,
  'GET /projects/:id': PEOPLE,
  'POST /projects/:id/status': O_MANAGE,
  'GET /projects/:id/expenses': PEOPLE,
  'POST /projects/:id/expenses': O_MANAGE,
  'GET /cases': O_CASEWORK,
  'POST /cases': O_CASEWORK,
  'GET /cases/:id': O_CASEWORK,
  'POST /cases/:id/close': O_CASEWORK,
  'GET /services': PEOPLE,
  'GET /services/summary': PEOPLE,
  'POST /services': O_CASEWORK,
  'GET /services/:id': PEOPLE,
  'POST /services/:id/rating': PEOPLE,
  'GET /orgs/export': PEOPLE,
  'GET /projects/export': PEOPLE,
  'GET /projects/:id/summary': PEOPLE,
  'GET /projects/:id/expenses/export': PEOPLE,
  'GET /cases/export': O_CASEWORK,
  'PATCH /cases/:id': O_CASEWORK,
  'GET /register/grids': R_READ,
  'GET /register/buildings': R_READ,
  'POST /register/buildings': R_KEEP,
  'GET /register/buildings/:id': R_READ,
  'PATCH /register/buildings/:id': R_KEEP,
  'GET /register/households': R_READ,
  'POST /register/households': R_KEEP,
  'GET /register/households/:id': R_READ,
  'PATCH /register/households/:id': R_KEEP,
  'GET /register/residents': R_READ,
  'POST /register/residents': R_KEEP,
  'GET /register/residents/:id': R_READ,
  'PATCH /register/residents/:id': R_KEEP,
  'POST /register/import': R_IMPORT,
  'GET /register/import/template': R_IMPORT,
  'GET /services/export': PEOPLE,
  'GET /planned-visits': O_CASEWORK,
  'POST /planned-visits': O_CASEWORK,
  'POST /planned-visits/:id/cancel': O_CASEWORK,

  'POST /charity/donations': C_RECEIVE,
  'GET /charity/donations': C_RECORDS,
  'GET /charity/donations/:id': C_RECORDS,
  'GET /charity/receipts/:no': C_RECORDS,
  'POST /charity/disbursements': C_RECEIVE,
  'GET /charity/disbursements': C_RECORDS,
  'GET /charity/disbursements/:id': C_RECORDS,
  'GET /charity/goods': C_STAFF,
  'GET /charity/goods/:id': C_STAFF,
  'GET /charity/goods/:id/movements': C_STAFF,
  'GET /charity/fund': C_STAFF,
  'GET /charity/fund/accounts/:id/entries': C_RECORDS,
  'GET /charity/books': C_STAFF,
  'GET /charity/targets': C_STAFF,
  'GET /charity/export': C_RECORDS,

  'GET /needs': PEOPLE,
  'POST /needs': PEOPLE,
  'GET /needs/:id': PEOPLE,
  'GET /needs/:code': PEOPLE,
  'GET /needs/:id/matches': PEOPLE,
  'POST /needs/:id/matches': N_COORDINATE,
  'POST /needs/:id/matches/:matchId/accept': N_COORDINATE,
  'POST /needs/:id/matches/:matchId/decline': N_COORDINATE,
  'POST /needs/:id/start': N_ON_SITE,
  'POST /needs/:id/meet': N_ON_SITE,
  'POST /needs/:id/rate': N_ON_SITE,
  'POST /needs/:id/close': N_COORDINATE,
  'GET /resources': PEOPLE,
  'POST /resources': N_RESOURCES,
  'GET /resources/:id': PEOPLE,
  'POST /resources/:id/status': N_RESOURCES,
  'GET /tasks': PEOPLE,
  'GET /tasks/:id': PEOPLE,
  'GET /needs/flow': PEOPLE,
  'GET /needs/export': PEOPLE,
  'GET /resources/export': PEOPLE,
  'GET /tasks/export': PEOPLE,
  'GET /needs/:id/history': PEOPLE,

  'GET /settings/loop': PEOPLE,
  'PUT /settings/loop': ADMIN,
  'GET /settings/loop/history': PEOPLE,
};
for (const action of ACTIONS) ROUTES[`POST /events/:id/${action}`] = EVENT_ACTIONS[action];

/** Who may open a socket at all: people (for their notices and the desks' notes) and displays. */
const HANDSHAKE: Who[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper', 'volunteer', 'display'];

/** Socket commands (ClientToServerEvents) and who may send them; the rest are refused (`error.forbidden`). */
const SOCKET_COMMANDS: Record<string, Who[]> = {
  subscribe: ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'display'],
  // Emergency mode: a wall (or a staff member's tablet) acknowledges the incident it shows.
  'incident:ack': ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper', 'display'],
};
/** What each command is sent: an allowed call is answered ok, or refused for the request itself (nothing by that id), never `error.forbidden`. */
const SOCKET_SAMPLES: Record<string, unknown> = { subscribe: { view: 'screen' }, 'incident:ack': { id: 999_999, version: 1 } };

/** A value for each path parameter: things that do not exist, so an allowed call is a 404, never a change. */
const SAMPLE: Record<string, string> = {
  id: '999999', sha: 'f'.repeat(64), matchId: '999999', code: 'XQ-2026-999999', no: 'NONE-0001', pairingId: 'no-such-pairing',
};

let ts: TestServer;
const people: Partial<Record<Who, Credentials>> = {};
let displayToken: string;
let integrationKey: string;

beforeAll(async () => {
  ts = await startServer();
  people.admin = ts.admin!;
  for (const role of ['dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper'] as const) people[role] = await loginAs(ts.url, role);
  // A volunteer's account names their volunteer record: made as a volunteer makes it, by invitation.
  people.volunteer = await joinAsVolunteer(ts.url);
  displayToken = ts.displayToken!;
  integrationKey = apiKey(ts.app).secret;
});
afterAll(async () => {
  await ts?.stop();
});

/** The routes the app serves under /api/v1, as table keys (each event action on its own). */
function appRoutes(): { key: string; path: string }[] {
  const seen = new Map<string, string>();
  for (const r of ts.app.http.routes) {
    if (r.method === 'ALL' || !r.path.startsWith('/api/v1/')) continue;
    const key = routeKey(r.method, r.path);
    if (key === 'POST /events/:id/:action') {
      for (const a of ACTIONS) seen.set(`POST /events/:id/${a}`, `/api/v1/events/:id/${a}`);
    } else seen.set(key, key.slice(key.indexOf(' ') + 1));
  }
  return [...seen].map(([key, path]) => ({ key, path: path.replace(/^\/api\/v1/, '') }));
}

async function call(who: Who, method: string, path: string) {
  const url = `${ts.url}/api/v1${path.replace(/:(\w+)/g, (_, name: string) => SAMPLE[name] ?? '999999')}`;
  const body = method === 'GET' ? undefined : {};
  if (who === 'anonymous') return request(url, { method, body, as: null });
  if (who === 'display') return request(url, { method, body, as: null, headers: { authorization: `Bearer ${displayToken}` } });
  if (who === 'integration') return request(url, { method, body, as: null, headers: { authorization: `Bearer ${integrationKey}` } });
  // A logout would end the session the next calls use: it gets a session of its own.
  const creds = method === 'POST' && path === '/auth/logout' ? await logIn(ts.url, people[who]!.username, people[who]!.password) : people[who]!;
  return request(url, { method, body, as: creds });
}

describe('the access table', () => {
  it('has a line for every route the app serves, and none for a route it does not', () => {
    const served = appRoutes().map((r) => r.key).sort();
    expect(served.length).toBeGreaterThan(100);
    expect(Object.keys(ROUTES).sort()).toEqual(served);
  });
});

describe('every route, with every role', () => {
  it.each(EVERYONE)('answers %s as the table says', async (who) => {
    const wrong: string[] = [];
    for (const { key } of appRoutes()) {
      const [method, path] = key.split(' ') as [string, string];
      const rule = ROUTES[key]!;
      const allowed = rule === 'public' || rule.includes(who);
      const r = await call(who, method, path);
      const denied = r.status === 401 || r.status === 403;
      const expected = allowed ? 'allow' : who === 'anonymous' ? '401' : '403';
      const got = !denied ? 'allow' : String(r.status);
      if (got !== expected || r.status >= 500) wrong.push(`${key}: expected ${expected}, got ${r.status} ${JSON.stringify(r.body?.error ?? '')}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('every socket command, with every role', () => {
  function socketOf(who: Who): TestSocket {
    if (who === 'display') return openSocket(ts.url, { displayToken, reconnection: false });
    if (who === 'integration') {
      // An API key is for ingest: neither as a token nor as a header does it open a socket.
      return connect(ts.url, {
        transports: ['websocket'], forceNew: true, reconnection: false, auth: { displayToken: integrationKey },
        extraHeaders: { authorization: `Bearer ${integrationKey}` },
      }) as TestSocket;
    }
    if (who === 'anonymous') return openSocket(ts.url, { as: null, reconnection: false });
    return openSocket(ts.url, { as: people[who]!, reconnection: false });
  }

  it('listens for no command the table does not name', async () => {
    const s = socketOf('admin');
    try {
      await new Promise<void>((resolve, reject) => (s.once('connect', () => resolve()), s.once('connect_error', reject)));
      const server = ts.app.io.sockets.sockets.get(s.id!)!;
      const reserved = new Set(['error', 'disconnect', 'disconnecting']); // socket.io's own
      const commands = server.eventNames().filter((e): e is string => typeof e === 'string' && !reserved.has(e));
      expect(commands.sort()).toEqual(Object.keys(SOCKET_COMMANDS).sort());
    } finally {
      s.close();
    }
  });

  it.each(EVERYONE)('answers %s as the table says', async (who) => {
    const s = socketOf(who);
    try {
      const handshake = await new Promise<string>((resolve) => {
        s.once('connect', () => resolve('connected'));
        s.once('connect_error', (e) => resolve(e.message));
      });
      if (!HANDSHAKE.includes(who)) {
        expect(handshake).toBe('error.unauthenticated');
        return;
      }
      expect(handshake).toBe('connected');
      for (const [command, roles] of Object.entries(SOCKET_COMMANDS)) {
        const ack = await s.timeout(5_000).emitWithAck(command as 'subscribe', SOCKET_SAMPLES[command] as { view: 'screen' });
        if (roles.includes(who)) expect(ack.ok || ack.error === 'error.not_found', JSON.stringify(ack)).toBe(true);
        else expect(ack, command).toMatchObject({ ok: false, error: 'error.forbidden' });
      }
    } finally {
      s.close();
    }
  });
});
