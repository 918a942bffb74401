/**
 * The gate in front of /api/v1: refuse foreign origins, find who is asking (session cookie,
 * display token, API key), check the route's access rule and, for a write made with the
 * cookie, the CSRF token; then run the route with the request's audit context, and log staff
 * reads of a resident's full record.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { DomainError } from '../errors.ts';
import type { Principal } from '../principal.ts';
import type { Auth, Credential } from './index.ts';
import { actorOf, routeAudit, type AuditEntry } from './audit.ts';
import { DEVICE_COOKIE, SESSION_COOKIE, csrfOk, originAllowed } from './guards.ts';
import { DEVICE_DAYS } from './lockout.ts';
import { rolesFor, routeKey, type AccessTable, type RecordRead } from '../http/routes.ts';

declare module 'hono' {
  interface ContextVariableMap {
    credential: Credential | undefined;
    clientIp: string | null;
  }
}

/** Routes a user who must change their password may still call. */
const PASSWORD_CHANGE_ROUTES: ReadonlySet<string> = new Set(['GET /auth/me', 'POST /auth/password', 'POST /auth/logout']);

export interface GateOptions {
  auth: Auth;
  /** ALLOWED_ORIGINS */
  allowedOrigins: readonly string[];
  /** TRUST_PROXY: the address and scheme come from X-Forwarded-For / -Proto. */
  trustProxy: boolean;
  /** Write an audit line soon (a read: it need not hold up the answer). */
  auditSoon: (entry: AuditEntry) => void;
  /** Where the API is mounted. */
  base?: string;
  /** Every route's rule, as the subjects declared them (server/http/routes.ts). */
  table: AccessTable;
}

/** The route a request will be answered by: its table key and its path parameters. */
export interface MatchedRoute {
  key: string;
  pattern: string;
  params: Record<string, string>;
}

/** The first handler route (not a middleware) matching the request, if any. */
export function matchedRoute(c: Context, base = '/api/v1'): MatchedRoute | null {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  const route = matchedRoutes(c).find((r) => r.method === method);
  if (!route) return null;
  const key = routeKey(method, route.path, base);
  const pattern = key.slice(key.indexOf(' ') + 1);
  const params: Record<string, string> = {};
  const want = pattern.split('/');
  const got = c.req.path.slice(base.length).split('/');
  want.forEach((seg, i) => {
    if (seg.startsWith(':')) {
      try {
        params[seg.slice(1)] = decodeURIComponent(got[i] ?? '');
      } catch {
        params[seg.slice(1)] = got[i] ?? '';
      }
    }
  });
  return { key, pattern, params };
}

/** The client's address: the socket's, or behind a trusted proxy the last X-Forwarded-For hop. */
export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (hops.length) return hops[hops.length - 1]!;
  }
  try {
    const a = getConnInfo(c).remote.address;
    return a ? a.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '') : null;
  } catch {
    return null;
  }
}

export function isHttps(c: Context, trustProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return trustProxy && (c.req.header('x-forwarded-proto') ?? '').split(',')[0]!.trim() === 'https';
}

/** Set (or with null, clear) the session cookie: httpOnly, SameSite=Lax, Secure over https. */
export function sessionCookie(c: Context, value: string | null, o: { secure: boolean; maxAgeMs: number }) {
  setCookie(c, SESSION_COOKIE, value ?? '', {
    httpOnly: true, sameSite: 'Lax', path: '/', secure: o.secure, maxAge: value === null ? 0 : Math.floor(o.maxAgeMs / 1000),
  });
}

/** Set the login-device cookie: httpOnly, sent only to the login route's folder, for DEVICE_DAYS. */
export function deviceCookie(c: Context, value: string, o: { secure: boolean }) {
  setCookie(c, DEVICE_COOKIE, value, {
    httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth', secure: o.secure, maxAge: DEVICE_DAYS * 86_400,
  });
}

export function authGate(o: GateOptions): MiddlewareHandler {
  const base = o.base ?? '/api/v1';
  return async function authGate(c, next) {
    const ip = clientIp(c, o.trustProxy);
    c.set('clientIp', ip);
    if (!originAllowed(c.req.header('origin'), c.req.header('host'), o.allowedOrigins)) {
      throw new DomainError(403, 'error.origin', `requests from ${c.req.header('origin')} are not accepted`);
    }
    const route = matchedRoute(c, base);
    const access = route ? o.table.access[route.key] : undefined;
    const who = o.auth.authenticate({ authorization: c.req.header('authorization'), cookie: c.req.header('cookie') });
    if (who && !who.ok && who.staleCookie) c.header('Set-Cookie', `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`);
    const principal: Principal | null = who?.ok ? who.principal : null;
    if (who?.ok) {
      c.set('principal', who.principal);
      c.set('credential', who.credential);
    }
    if (access !== 'public') {
      if (!who?.ok) {
        const error = who?.error === 'error.revoked' ? 'error.revoked' : 'error.unauthenticated';
        throw new DomainError(401, error, error === 'error.revoked' ? 'this token has been revoked' : 'log in first');
      }
      const cred = who.credential;
      if (cred.kind === 'session') {
        if (!csrfOk(c.req.method, cred.session.csrfToken, c.req.header('x-csrf-token'))) {
          throw new DomainError(403, 'error.csrf', 'send the X-CSRF-Token header given by login or GET /auth/me');
        }
        if (cred.user.mustChangePassword && !(route && PASSWORD_CHANGE_ROUTES.has(route.key))) {
          throw new DomainError(403, 'error.password_change_required', 'change your password first (POST /auth/password)');
        }
      }
      // A path no route answers falls through to the 404; a route without a rule is closed.
      if (route) {
        const roles = access ? rolesFor(access, route.params) : [];
        if (roles !== 'public' && !roles.includes(who.principal.role)) {
          throw new DomainError(403, 'error.forbidden', `a ${who.principal.role} may not ${route.key}`);
        }
      }
    }
    const method = c.req.method;
    if (principal) {
      // A principal of its own for this request, carrying what its writes are audited as.
      c.set('principal', {
        ...principal, request: {
          ip, describe: () => (route && method !== 'GET' && method !== 'HEAD' ? routeAudit(method, route.pattern, route.params) : null),
        },
      });
    }
    await next();
    const read = route && o.table.reads[route.key];
    if (read && principal && c.res.status === 200) await auditRead(c, read, principal, ip, o);
  };
}

/** Log a staff read of people's records: one record (`records.read`) or a page of them (`records.list`, naming those that are someone's). */
async function auditRead(c: Context, read: RecordRead, p: Principal, ip: string | null, o: GateOptions) {
  let body: any;
  try {
    body = await c.res.clone().json();
  } catch {
    return;
  }
  const found = body?.[read.at];
  const someones = (r: any) => r && typeof r === 'object' && (!read.personal.length || read.personal.some((f) => r[f]));
  if (read.at !== 'items') {
    if (someones(found)) o.auditSoon({ ...actorOf(p), action: 'records.read', targetType: read.targetType, targetId: found.id ?? null, ip });
    return;
  }
  const ids = Array.isArray(found) ? found.filter(someones).map((r: any) => r.id) : [];
  if (ids.length) {
    o.auditSoon({ ...actorOf(p), action: 'records.list', targetType: read.targetType, detail: { ids, query: c.req.query() }, ip });
  }
}
