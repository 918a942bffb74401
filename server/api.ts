/**
 * The HTTP surface: the JSON API under /api/v1 and the built client pages. Each subject
 * declares its routes in its own folder (`routes.ts`: path, who may call it, body, query,
 * answer, handler); this file mounts them behind the gate, which checks every route's rule
 * before a body is read, and adds what belongs to no subject: health, readiness, the taxonomy
 * and the community's reference data. Every body and query is checked, before its handler
 * runs, with the zod schemas in shared/ its route declares; a bad one gets a 400 that names
 * each field and problem, and writes nothing.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { ACTIONS, STATUSES } from '../shared/lifecycle.ts';
import { CATEGORIES, SOURCES, URGENCIES } from '../shared/taxonomy.ts';
import { isoInZone } from '../shared/time.ts';
import { DomainError } from './errors.ts';
import { jsonBodies, principal } from './http/validate.ts';
import { Routes, accessTable } from './http/routes.ts';
import { securityHeaders } from './http/security-headers.ts';
import { answerErrors } from './http/errors.ts';
import { RETRY_AFTER_S, type StorageHealth } from './db/storage.ts';
import { PEOPLE, WALL, type Principal } from './principal.ts';
import type { Directory } from './kernel/community.ts';
import type { EventService } from './events/service.ts';
import type { ViewContext } from './events/record.ts';
import { eventRoutes } from './events/routes.ts';
import type { ReadModel } from './live/read-model.ts';
import type { NoticeService } from './notices/service.ts';
import { noticeRoutes } from './notices/routes.ts';
import type { VolunteerService } from './volunteers/service.ts';
import { volunteerRoutes } from './volunteers/routes.ts';
import { meRoutes } from './volunteers/me-routes.ts';
import type { MeLive } from './volunteers/me-live.ts';
import type { OrgService } from './orgs/service.ts';
import type { CharityService } from './charity/service.ts';
import type { NeedService } from './needs/service.ts';
import { orgRoutes } from './orgs/routes.ts';
import type { RegisterService } from './register/service.ts';
import { registerRoutes } from './register/routes.ts';
import { charityRoutes } from './charity/routes.ts';
import { needRoutes } from './needs/routes.ts';
import { authRoutes } from './auth/routes.ts';
import type { SettingsService } from './settings/service.ts';
import { settingsRoutes } from './settings/routes.ts';
import type { Auth, Credential } from './auth/index.ts';
import type { AuditEntry } from './auth/audit.ts';
import type { CommunityService } from './community/service.ts';
import { communityAdminRoutes } from './community/routes.ts';
import { authGate } from './auth/gate.ts';
import { uploadRoutes } from './uploads/routes.ts';
import { fieldworkRoutes } from './fieldwork/routes.ts';
import type { FieldworkService } from './fieldwork/service.ts';
import { emergencyRoutes } from './emergency/routes.ts';
import type { CapExport } from './emergency/cap.ts';
import type { IncidentService } from './emergency/incidents.ts';
import { boardRoutes } from './emergency/board-routes.ts';
import type { BoardService } from './emergency/board.ts';
import type { AfterActionService } from './emergency/after-action.ts';
import { afterActionRoutes } from './emergency/after-action-routes.ts';
import { peopleRoutes } from './emergency/people-routes.ts';
import type { PeopleService } from './emergency/people.ts';
import { safePage } from './emergency/safe-page.ts';
import type { Uploads } from './uploads/store.ts';
import { idempotentWrites, type IdempotentWritesOptions } from './http/idempotency.ts';
import { clientPages } from './http/pages.ts';
import { notFoundOrNotAllowed } from './http/not-allowed.ts';

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal;
    /** The Idempotency-Key handling of routes declared `idempotent` (server/http/idempotency.ts). */
    idempotentWrites: MiddlewareHandler;
    /** A body of bytes, read as the route declared (`body: 'bytes'`). */
    bytes: Uint8Array;
  }
}

export interface HttpDeps {
  events: EventService;
  /** The notice centre (/notices), when present. */
  notices?: NoticeService;
  /** The volunteer ledger (/volunteers, /activities, /points, /exchange), when present. */
  volunteers?: VolunteerService;
  /** A volunteer's phone's live line (/me/live), when present. */
  meLive?: MeLive<Credential>;
  /** Organizations, projects and social work (/orgs, /projects, /social-workers, /cases, /services). */
  orgs?: OrgService;
  /** Charity resources (/charity/...). */
  charity?: CharityService;
  /** The community register: buildings, households, residents, the import (/register/...). */
  register?: RegisterService;
  /** The three lists' needs and resources, matching and tasks (/needs, /resources, /tasks). */
  needs?: NeedService;
  /** Grid workers and the imports of community setup, kept by admins (/community/...). */
  community?: CommunityService;
  /** The loop's settings (/settings/loop). */
  settings?: SettingsService;
  /** A grid worker's patrols and visits (/patrols, /visits). */
  fieldwork?: FieldworkService;
  /** Emergency incidents: declared, updated, ended; which screens show them (/incidents). */
  incidents?: IncidentService;
  /** An incident's steps as CAP 1.2 messages (/incidents/:id/cap, /incidents/:id/cap/feed). */
  cap?: CapExport;
  /** An incident's accounted-for board and door-knock tasks (/incidents/:id/board …), and the households' own links (/safe/<token>). */
  board?: BoardService;
  /** An incident's timeline and after-action report; corrective actions across incidents (/corrective-actions). */
  afterAction?: AfterActionService;
  /** An incident's call-outs, duties, shelters and supplies (/incidents/:id/callouts, /me/callouts, /shelters …). */
  people?: PeopleService;
  /** Photos received in resumable chunks (/uploads/<sha256>), for records that name them by hash. */
  uploads?: Uploads;
  directory: Directory;
  model: ReadModel;
  dbId: string;
  now: () => number;
  logger: Logger;
  viewContext: (communityId: string) => ViewContext;
  /** Accounts, sessions, displays, API keys, the audit log. */
  auth: Auth;
  /** How the gate treats requests: ALLOWED_ORIGINS, TRUST_PROXY, COOKIE_SECURE, the session's length. */
  security: { allowedOrigins: readonly string[]; trustProxy: boolean; cookieSecure: 'auto' | boolean; sessionMaxMs: number };
  /** Write an audit line soon, in a group commit (staff reads). */
  auditSoon: (entry: AuditEntry) => void;
  /** The built client (dist/client); pages are served from here. */
  clientDir: string;
  /** Whether the database takes writes: /health, /ready, and faults met outside the write queue. */
  storage: StorageHealth;
  /** The first outcomes of keyed writes (routes declared `idempotent`), and how to keep an answer. */
  idempotency?: IdempotentWritesOptions;
}

/** What belongs to no subject: health and readiness, the taxonomy, the community's reference data and figures. */
function communityRoutes(deps: HttpDeps): Routes {
  const r = new Routes();
  /** The asking principal's community, or for an anonymous request (health) the default one. */
  const communityOf = (c: { get(key: 'principal'): Principal | undefined }): string | undefined =>
    c.get('principal')?.communityId ?? deps.directory.defaultCommunity()?.id;

  // Liveness: 200 while the process answers. `ok` and `storage` say whether writes are taken
  // (`busy`: another program holds the database's write lock; `full`: no room left).
  r.get('/health', 'public', (c) => {
    const tz = deps.directory.timeZoneOf(communityOf(c) ?? '');
    const { storage, since } = deps.storage.state;
    return c.json({
      ok: storage === 'ok', storage, ...(since !== null ? { storageSince: isoInZone(since, tz) } : {}),
      seq: deps.model.head, dbId: deps.dbId, time: isoInZone(deps.now(), tz),
    });
  });

  // Readiness: 503 (with Retry-After) while writes are refused, so a balancer sends them elsewhere.
  r.get('/ready', 'public', (c) => {
    const { storage, since } = deps.storage.state;
    if (storage === 'ok') return c.json({ ready: true, storage });
    c.header('Retry-After', String(RETRY_AFTER_S[storage]));
    const tz = deps.directory.timeZoneOf(communityOf(c) ?? '');
    return c.json({ ready: false, storage, storageSince: isoInZone(since ?? deps.now(), tz) }, 503);
  });

  r.get('/taxonomy', [...WALL, 'integration'], (c) =>
    c.json({ categories: CATEGORIES, urgencies: URGENCIES, sources: SOURCES, statuses: STATUSES, actions: ACTIONS }));

  // The community's name, grids and time zone (no one's record): the charity bookkeeper's receipts name it.
  r.get('/community', [...PEOPLE, 'charity_keeper'], (c) => {
    const id = principal(c).communityId;
    const community = deps.directory.communities.get(id);
    if (!community) throw new DomainError(404, 'error.not_found', `community ${id} not found`);
    return c.json({ ...community, grids: deps.directory.gridInfos(id) });
  });

  r.get('/grids', WALL, (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json(deps.directory.geoJson(principal(c).communityId));
  });

  r.get('/workers', PEOPLE, (c) => {
    const id = principal(c).communityId;
    return c.json({ items: [...deps.directory.workers.values()].filter((w) => w.communityId === id) });
  });

  r.get('/kpis', WALL, (c) => c.json(deps.model.views(principal(c).communityId, deps.now())));
  return r;
}

/** Every subject's routes, as `createHttpApp` mounts them (tests walk their declarations). */
export function apiRoutes(deps: HttpDeps): Routes[] {
  return [
    communityRoutes(deps),
    eventRoutes({
      events: deps.events, viewContext: deps.viewContext, auditSoon: deps.auditSoon, now: deps.now,
      gridName: (id) => deps.directory.grids.get(id)?.name ?? null,
    }),
    ...(deps.volunteers ? [
      volunteerRoutes({
        volunteers: deps.volunteers, auditSoon: deps.auditSoon, gridName: (id) => deps.directory.grids.get(id)?.name ?? null,
        invite: (p, id, ip) => deps.auth.accounts.invitations.invite(p, id, { ip }),
      }),
      meRoutes(deps.volunteers, deps.meLive, (c) => deps.auth.roomsOf(c)),
    ] : []),
    ...(deps.orgs ? [orgRoutes(deps.orgs, { auditSoon: deps.auditSoon, now: deps.now })] : []),
    ...(deps.charity ? [charityRoutes(deps.charity, deps.auditSoon)] : []),
    ...(deps.register ? [registerRoutes(deps.register)] : []),
    ...(deps.needs ? [needRoutes(deps.needs, {
      subjectViews: (id) => deps.model.views(id, deps.now()).subjects, auditSoon: deps.auditSoon,
      gridName: (id) => deps.directory.grids.get(id)?.name ?? null,
    })] : []),
    ...(deps.notices ? [noticeRoutes(deps.notices)] : []),
    ...(deps.community ? [communityAdminRoutes(deps.community)] : []),
    ...(deps.settings ? [settingsRoutes(deps.settings)] : []),
    ...(deps.uploads ? [uploadRoutes(deps.uploads)] : []),
    ...(deps.fieldwork ? [fieldworkRoutes(deps.fieldwork)] : []),
    ...(deps.incidents ? [emergencyRoutes(deps.incidents, deps.cap)] : []),
    ...(deps.board ? [boardRoutes(deps.board)] : []),
    ...(deps.afterAction ? [afterActionRoutes(deps.afterAction, {
      auditSoon: deps.auditSoon, now: deps.now, timeZoneOf: (id) => deps.directory.timeZoneOf(id),
      gridName: (id, locale) => { const name = deps.directory.grids.get(id)?.name; return name ? (locale === 'en' ? name.en : name.zh) : id; },
    })] : []),
    ...(deps.people ? [peopleRoutes(deps.people)] : []),
    authRoutes({
      auth: deps.auth, cookieSecure: deps.security.cookieSecure, trustProxy: deps.security.trustProxy,
      sessionMaxMs: deps.security.sessionMaxMs, timeZoneOf: (id) => deps.directory.timeZoneOf(id),
    }),
  ];
}

export function createHttpApp(deps: HttpDeps) {
  const app = new Hono();
  app.use('*', securityHeaders());
  app.onError(answerErrors(deps));

  const subjects = apiRoutes(deps);
  const declared = accessTable(subjects.flatMap((r) => r.declared));

  const api = new Hono();
  // Origin, credentials, the route's rule as its subject declared it, CSRF: before any route.
  api.use('*', authGate({
    auth: deps.auth, allowedOrigins: deps.security.allowedOrigins, trustProxy: deps.security.trustProxy,
    auditSoon: deps.auditSoon,
    table: declared,
  }));
  // A body that is not JSON: 415, before any route reads it (a photo's chunks are bytes).
  api.use('*', jsonBodies({ raw: (path) => path.startsWith('/api/v1/uploads/') }));
  if (deps.idempotency) {
    const once = idempotentWrites(deps.idempotency);
    api.use('*', async function provideIdempotency(c, next) {
      c.set('idempotentWrites', once);
      await next();
    });
  }
  for (const r of subjects) api.route('/', r.app);
  app.route('/api/v1', api);

  // A household's self-report page: plain HTML from the server, for any phone (server/emergency/safe-page.ts).
  if (deps.board) app.route('/', safePage({ board: deps.board, allowedOrigins: deps.security.allowedOrigins, trustProxy: deps.security.trustProxy }));
  app.route('/', clientPages({ clientDir: deps.clientDir }));
  // Only the top-level app's notFound runs (a mounted app's is ignored): 405 for a known path, else 404.
  app.notFound(notFoundOrNotAllowed(app));

  return app;
}
