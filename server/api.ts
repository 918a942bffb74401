/**
 * The HTTP surface: the JSON API under /api/v1 and the built client pages. Every body and
 * query is checked with the zod schemas in shared/; a bad one gets a 400 that names each field
 * and problem, and writes nothing.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { ACTIONS, STATUSES, allowedActions } from '../shared/lifecycle.ts';
import { actionParam, bulkIngestBody, listEventsQuery, reportEventBody, transitionBody } from '../shared/schemas.ts';
import { CATEGORIES, SOURCES, URGENCIES } from '../shared/taxonomy.ts';
import { isoInZone } from '../shared/time.ts';
import { DomainError } from './errors.ts';
import { jsonBodies, limitedBody, parse, readJson } from './http/validate.ts';
import { QueueClosedError } from './db/write-queue.ts';
import { RETRY_AFTER_S, StorageError, storageFault, type StorageHealth } from './db/storage.ts';
import type { Principal } from './principal.ts';
import type { Directory } from './kernel/community.ts';
import type { EventService, HistoryLine } from './events/service.ts';
import { projectEvent, type EventRecord, type ViewContext } from './events/record.ts';
import type { ReadModel } from './live/read-model.ts';
import type { VolunteerService } from './volunteers/service.ts';
import { volunteerRoutes } from './volunteers/routes.ts';
import type { OrgService } from './orgs/service.ts';
import type { CharityService } from './charity/service.ts';
import type { NeedService } from './needs/service.ts';
import { orgRoutes } from './orgs/routes.ts';
import { charityRoutes } from './charity/routes.ts';
import { needRoutes } from './needs/routes.ts';
import { authRoutes } from './auth/routes.ts';
import type { Auth } from './auth/index.ts';
import type { AuditEntry } from './auth/audit.ts';
import { authGate } from './auth/middleware.ts';
import { clientPages } from './http/pages.ts';
import { notFoundOrNotAllowed } from './http/not-allowed.ts';

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal;
  }
}

export interface HttpDeps {
  events: EventService;
  /** The volunteer ledger (/volunteers, /activities, /points, /exchange), when present. */
  volunteers?: VolunteerService;
  /** Organizations, projects and social work (/orgs, /projects, /social-workers, /cases, /services). */
  orgs?: OrgService;
  /** Charity resources (/charity/...). */
  charity?: CharityService;
  /** The three lists' needs and resources, matching and tasks (/needs, /resources, /tasks). */
  needs?: NeedService;
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
}

const MAX_BODY = 256 * 1024;
const MAX_BULK_BODY = 8 * 1024 * 1024;

/**
 * The security headers of every answer, fixed: exactly what Hono's `secureHeaders` sets with
 * our Content-Security-Policy and without Cross-Origin-Embedder-Policy (docs/SECURITY.md), as
 * tests/integration/security-headers.test.ts checks, but written once rather than worked out
 * and set on a WHATWG `Headers` for each answer (23 µs a request).
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
  ['Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
    "connect-src 'self'; font-src 'self'; worker-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"],
];

/**
 * Puts SECURITY_HEADERS on every answer. Under @hono/node-server they go on the Node response
 * before the route runs (no handler sets any of them), which costs a few `setHeader`s; elsewhere
 * (`app.request` in tests) on the answer after it.
 */
function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    if (outgoing) {
      for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
      return next();
    }
    await next();
    for (const [name, value] of SECURITY_HEADERS) c.res.headers.set(name, value);
  };
}

export function createHttpApp(deps: HttpDeps) {
  const app = new Hono();

  app.use('*', securityHeaders());

  app.onError((error, c) => {
    let err: Error = error;
    // A lock held elsewhere or a full disk, met by a write made outside the write queue
    // (accounts, sessions): a 503 to retry, as the queue's own refusals are, never a 500.
    const fault = err instanceof StorageError ? null : storageFault(err);
    if (fault) {
      deps.storage.fault(fault.fault, err);
      err = fault;
    }
    if (err instanceof DomainError) {
      if ((err.status === 429 || err.status === 503) && typeof err.extra?.retryAfter === 'number') c.header('Retry-After', String(err.extra.retryAfter));
      return c.json({ error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}), ...err.extra } }, err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code = status === 413 ? 'error.payload_too_large' : 'error.validation';
      return c.json({ error: { code, message: err.message || 'request refused' } }, status);
    }
    if (err instanceof QueueClosedError) {
      c.header('Retry-After', '5');
      return c.json({ error: { code: 'error.unavailable', message: err.message } }, 503);
    }
    deps.logger.error({ err, path: c.req.path }, 'request failed');
    return c.json({ error: { code: 'error.internal', message: 'internal server error' } }, 500);
  });

  const api = new Hono();

  // Origin, credentials, the route's access rule (server/auth/policy.ts), CSRF: before any route.
  api.use('*', authGate({
    auth: deps.auth, allowedOrigins: deps.security.allowedOrigins, trustProxy: deps.security.trustProxy,
    auditSoon: deps.auditSoon,
  }));
  // A body that is not JSON: 415, before any route reads it.
  api.use('*', jsonBodies());

  const ctxOf = (c: Context) => deps.viewContext(c.get('principal').communityId);
  /** The asking principal's community, or for an anonymous request (health) the default one. */
  const communityOf = (c: Context): string | undefined => c.get('principal')?.communityId ?? deps.directory.defaultCommunity()?.id;
  const view = (c: Context, e: EventRecord) => ({
    ...projectEvent(e, 'staff', ctxOf(c)),
    allowedActions: allowedActions(e),
  });

  // Liveness: 200 while the process answers. `ok` and `storage` say whether writes are taken
  // (`busy`: another program holds the database's write lock; `full`: no room left).
  api.get('/health', (c) => {
    const tz = deps.directory.timeZoneOf(communityOf(c) ?? '');
    const { storage, since } = deps.storage.state;
    return c.json({
      ok: storage === 'ok', storage, ...(since !== null ? { storageSince: isoInZone(since, tz) } : {}),
      seq: deps.model.head, dbId: deps.dbId, time: isoInZone(deps.now(), tz),
    });
  });

  // Readiness: 503 (with Retry-After) while writes are refused, so a balancer sends them elsewhere.
  api.get('/ready', (c) => {
    const { storage, since } = deps.storage.state;
    if (storage === 'ok') return c.json({ ready: true, storage });
    c.header('Retry-After', String(RETRY_AFTER_S[storage]));
    const tz = deps.directory.timeZoneOf(communityOf(c) ?? '');
    return c.json({ ready: false, storage, storageSince: isoInZone(since ?? deps.now(), tz) }, 503);
  });

  api.get('/taxonomy', (c) =>
    c.json({ categories: CATEGORIES, urgencies: URGENCIES, sources: SOURCES, statuses: STATUSES, actions: ACTIONS }));

  api.get('/community', (c) => {
    const id = c.get('principal').communityId;
    const community = deps.directory.communities.get(id);
    if (!community) throw new DomainError(404, 'error.not_found', `community ${id} not found`);
    return c.json({ ...community, grids: deps.directory.gridInfos(id) });
  });

  api.get('/grids', (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json(deps.directory.geoJson(c.get('principal').communityId));
  });

  api.get('/workers', (c) => {
    const id = c.get('principal').communityId;
    return c.json({ items: [...deps.directory.workers.values()].filter((w) => w.communityId === id) });
  });

  api.get('/kpis', (c) => c.json(deps.model.views(c.get('principal').communityId, deps.now())));

  api.get('/events', (c) => {
    const q = parse(listEventsQuery, c.req.query());
    const page = deps.events.list(c.get('principal'), q);
    return c.json({ items: page.items.map((e) => view(c, e)), nextCursor: page.nextCursor });
  });

  api.post('/events', limitedBody(MAX_BODY), async (c) => {
    const body = parse(reportEventBody, await readJson(c));
    const { event, created, readable } = await deps.events.report(c.get('principal'), body);
    // An integration key, which only ingests, is told the event's id and case number (what it
    // quotes back), as is anyone told of an event they may not read.
    if (!readable) return c.json({ event: { id: event.id, code: event.code, externalId: event.externalId }, created }, created ? 201 : 200);
    return c.json({ event: view(c, event), created }, created ? 201 : 200);
  });

  api.post('/events/ingest', limitedBody(MAX_BULK_BODY), async (c) => {
    const body = parse(bulkIngestBody, await readJson(c));
    const r = await deps.events.ingest(c.get('principal'), body.events);
    const items = r.events.map((e) => ({ id: e.id, code: e.code, externalId: e.externalId }));
    return c.json({ created: r.created, duplicates: r.duplicates, items }, r.created ? 201 : 200);
  });

  api.get('/events/:id', (c) => {
    const e = deps.events.get(c.get('principal'), c.req.param('id'));
    const tz = ctxOf(c).timeZone;
    const history = deps.events.history(e.id).map((h: HistoryLine) => ({ ...h, at: isoInZone(h.at, tz) }));
    return c.json({ event: view(c, e), history });
  });

  api.post('/events/:id/:action', limitedBody(MAX_BODY), async (c) => {
    const action = actionParam.safeParse(c.req.param('action'));
    if (!action.success) {
      throw new DomainError(404, 'error.not_found', `no action ${c.req.param('action')}; actions are ${ACTIONS.join(', ')}`);
    }
    const raw = await readJson(c, true);
    const body = parse(transitionBody, raw);
    const e = await deps.events.transition(c.get('principal'), c.req.param('id'), action.data, body);
    return c.json({ event: view(c, e) });
  });

  if (deps.volunteers) api.route('/', volunteerRoutes({ volunteers: deps.volunteers }));
  if (deps.orgs) api.route('/', orgRoutes(deps.orgs));
  if (deps.charity) api.route('/', charityRoutes(deps.charity));
  if (deps.needs) api.route('/', needRoutes(deps.needs));
  api.route('/', authRoutes({
    auth: deps.auth, cookieSecure: deps.security.cookieSecure, trustProxy: deps.security.trustProxy,
    sessionMaxMs: deps.security.sessionMaxMs, timeZoneOf: (id) => deps.directory.timeZoneOf(id),
  }));

  app.route('/api/v1', api);

  app.route('/', clientPages({ clientDir: deps.clientDir }));
  // Only the top-level app's notFound runs (a mounted app's is ignored): 405 for a known path, else 404.
  app.notFound(notFoundOrNotAllowed(app));

  return app;
}
