/**
 * Who may call which route: one entry per route of /api/v1, checked before the route reads its
 * body, so a refused caller learns nothing from validation and nothing is written. The domain
 * services check the same role sets again (they are the last word, e.g. a money disbursement
 * needs more than goods); this table mirrors them, and a route without an entry is refused to
 * everyone, so a new route cannot go out open by mistake (a test walks every route).
 */
import type { Action } from '../../shared/lifecycle.ts';
import type { Role } from '../principal.ts';
import * as volunteers from '../volunteers/access.ts';
import * as needs from '../needs/access.ts';

export type Access = 'public' | readonly Role[] | ((params: Record<string, string>) => readonly Role[]);

/** People with an account. */
export const PEOPLE: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator'];
/**
 * A service's role set as a route rule: the people in it. 'system' (the demo's principal) never
 * comes over HTTP; a display or an integration is named in a rule on purpose, never inherited.
 *
 * @example const V_MANAGE = people(volunteers.MANAGE); // ['admin', 'coordinator', 'social_worker']
 */
export function people(roles: readonly Role[]): readonly Role[] {
  return roles.filter((r) => r !== 'system' && r !== 'display' && r !== 'integration');
}
const ADMIN: readonly Role[] = ['admin'];
/** A wall display reads its community's public, masked figures. */
const WALL: readonly Role[] = [...PEOPLE, 'display'];

// Grid events. The centre (受理 · 派遣 · 核查) takes the decisions; whoever handles on site
// starts, feeds back, sends back and asks for more time or to shelve.
const CENTRE: readonly Role[] = ['admin', 'dispatcher'];
const HANDLER: readonly Role[] = [...CENTRE, 'grid_worker'];
export const EVENT_ACTION_ROLES: Record<Action, readonly Role[]> = {
  accept: CENTRE, reject: CENTRE, dispatch: CENTRE, return: CENTRE, close: CENTRE, review: CENTRE,
  approve_extension: CENTRE, deny_extension: CENTRE, approve_shelve: CENTRE, deny_shelve: CENTRE, unshelve: CENTRE,
  start: HANDLER, resolve: HANDLER, send_back: HANDLER, request_extension: HANDLER, request_shelve: HANDLER,
};

// server/volunteers/access.ts
const V_MANAGE = people(volunteers.MANAGE);
const V_ON_SITE = people(volunteers.ON_SITE);
const V_CASHIER = people(volunteers.CASHIER);
// server/orgs/service.ts
const O_MANAGE: readonly Role[] = ['admin', 'coordinator'];
const O_CASEWORK: readonly Role[] = ['admin', 'coordinator', 'social_worker'];
// server/charity/service.ts (a disbursement of money needs PAY; of goods, RECEIVE: the service decides)
const C_RECORDS: readonly Role[] = ['admin', 'dispatcher', 'social_worker', 'coordinator'];
const C_RECEIVE: readonly Role[] = ['admin', 'coordinator', 'social_worker'];
// server/needs/access.ts
const N_COORDINATE = people(needs.COORDINATE);
const N_ON_SITE = people(needs.ON_SITE);
const N_RESOURCES = people(needs.RESOURCES);

/** Keys are `METHOD /path` as routed under /api/v1, parameter patterns left out. */
export const ROUTE_ACCESS: Record<string, Access> = {
  // reference data and health
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /taxonomy': [...WALL, 'integration'],
  'GET /community': PEOPLE,
  'GET /grids': WALL,
  'GET /workers': PEOPLE,
  'GET /kpis': WALL,

  // accounts
  'POST /auth/login': 'public',
  'POST /auth/logout': PEOPLE,
  'GET /auth/me': PEOPLE,
  'POST /auth/password': PEOPLE,
  'GET /auth/setup': 'public',
  'POST /auth/setup': 'public',
  'GET /users': ADMIN,
  'POST /users': ADMIN,
  'PATCH /users/:id': ADMIN,
  'POST /users/:id/password': ADMIN,

  // displays and keys
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

  // grid events
  'GET /events': PEOPLE,
  'POST /events': [...PEOPLE, 'integration'],
  'POST /events/ingest': ['admin', 'dispatcher', 'integration'],
  'GET /events/:id': PEOPLE,
  // Own keys only: `constructor` or `__proto__` as an action is no rule (the route answers 404).
  'POST /events/:id/:action': (params) => (Object.hasOwn(EVENT_ACTION_ROLES, params.action!) ? EVENT_ACTION_ROLES[params.action as Action] : PEOPLE),

  // volunteers, activities, points, the exchange
  'GET /volunteers': PEOPLE,
  'POST /volunteers': V_MANAGE,
  'GET /volunteers/teams': PEOPLE,
  'POST /volunteers/teams': V_MANAGE,
  'GET /volunteers/certificates/:no': PEOPLE,
  'GET /volunteers/:id': PEOPLE,
  'PATCH /volunteers/:id': V_MANAGE,
  'POST /volunteers/:id/status': V_MANAGE,
  'GET /volunteers/:id/records': PEOPLE,
  'GET /activities': PEOPLE,
  'POST /activities': V_MANAGE,
  'GET /activities/:id': PEOPLE,
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

  // organizations, social workers, projects, cases, services
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

  // charity
  'POST /charity/donations': C_RECEIVE,
  'GET /charity/donations': C_RECORDS,
  'GET /charity/donations/:id': C_RECORDS,
  'GET /charity/receipts/:no': C_RECORDS,
  'POST /charity/disbursements': C_RECEIVE,
  'GET /charity/disbursements': C_RECORDS,
  'GET /charity/disbursements/:id': C_RECORDS,
  'GET /charity/goods': PEOPLE,
  'GET /charity/goods/:id': PEOPLE,
  'GET /charity/goods/:id/movements': PEOPLE,
  'GET /charity/fund': PEOPLE,
  'GET /charity/fund/accounts/:id/entries': C_RECORDS,
  'GET /charity/books': PEOPLE,

  // needs, resources, tasks
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
};

/** Routes a user who must change their password may still call. */
export const PASSWORD_CHANGE_ROUTES: ReadonlySet<string> = new Set(['GET /auth/me', 'POST /auth/password', 'POST /auth/logout']);

/** Which answers are reads of people's records, and where the records sit in them. */
export interface RecordRead {
  targetType: 'events' | 'cases' | 'needs' | 'donations' | 'volunteers';
  /** The answer's key holding one record (`event`), or `items` for a page of them. */
  at: string;
  /** Only records carrying one of these are someone's (a need nobody in particular raised is not); every record when empty. */
  personal: readonly string[];
}

const REPORTER = ['reporterName', 'reporterPhone'];
const CLIENT = ['clientName', 'clientPhone'];
const RESIDENT = ['residentName', 'residentPhone'];
const DONOR = ['donorName', 'donorPhone'];
const VOLUNTEER = ['name', 'phone'];

/**
 * Staff reads of residents' records: opening one is logged as `records.read` (target: the
 * record), a page of them as one `records.list` line naming the records on it that carry
 * someone's name or phone (docs/SECURITY.md, "What is logged").
 */
export const RECORD_READS: Readonly<Record<string, RecordRead>> = {
  'GET /events/:id': { targetType: 'events', at: 'event', personal: [] },
  'GET /events': { targetType: 'events', at: 'items', personal: REPORTER },
  'GET /cases/:id': { targetType: 'cases', at: 'case', personal: [] },
  'GET /cases': { targetType: 'cases', at: 'items', personal: CLIENT },
  'GET /needs/:id': { targetType: 'needs', at: 'need', personal: RESIDENT },
  'GET /needs/:code': { targetType: 'needs', at: 'need', personal: RESIDENT },
  'GET /needs': { targetType: 'needs', at: 'items', personal: RESIDENT },
  'GET /charity/donations/:id': { targetType: 'donations', at: 'donation', personal: DONOR },
  'GET /charity/receipts/:no': { targetType: 'donations', at: 'donation', personal: DONOR },
  'GET /charity/donations': { targetType: 'donations', at: 'items', personal: DONOR },
  'GET /volunteers/:id': { targetType: 'volunteers', at: 'volunteer', personal: VOLUNTEER },
  'GET /volunteers': { targetType: 'volunteers', at: 'items', personal: VOLUNTEER },
};

/**
 * `/api/v1/needs/:id{[0-9]{1,12}}` → `/needs/:id`: a route's path as the table names it.
 *
 * @example routeKey('POST', '/api/v1/events/:id/:action') // 'POST /events/:id/:action'
 */
export function routeKey(method: string, path: string, base = '/api/v1'): string {
  let out = '';
  let depth = 0;
  for (const ch of path.startsWith(base) ? path.slice(base.length) : path) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (depth === 0) out += ch;
  }
  return `${method === 'HEAD' ? 'GET' : method} ${out || '/'}`;
}

/** The roles `access` allows for a route called with `params`; 'public' for anyone. */
export function rolesFor(access: Access, params: Record<string, string>): readonly Role[] | 'public' {
  return typeof access === 'function' ? access(params) : access;
}
