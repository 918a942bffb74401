/**
 * HTTP routes for accounts, paired displays, API keys and the audit log, mounted under /api/v1
 * by `createHttpApp`: `/auth/*`, `/users`, `/displays`, `/api-keys`, `/audit`. The gate in front
 * (server/auth/gate.ts) has already checked the origin, the credentials, the route's
 * access rule and the CSRF token; these routes declare their bodies (shared/auth.ts), checked
 * before they run, and answer.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { Routes } from '../http/routes.ts';
import { ADMIN, PEOPLE, type Role } from '../principal.ts';
import { ID, idParam, limitedBody, principal } from '../http/validate.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import type { Auth } from './index.ts';
import type { Credential } from './index.ts';
import type { NewSession, RequestInfo } from './account-record.ts';
import { viewAudit } from './audit.ts';
import { getCookie } from 'hono/cookie';
import { deviceCookie, isHttps, sessionCookie } from './gate.ts';
import { DEVICE_COOKIE } from './guards.ts';
import {
  auditQuery, changePasswordBody, createApiKeyBody, createUserBody, loginBody, pairDisplayBody, renameDisplayBody,
  setPasswordBody, setupBody, updateUserBody, type SessionView,
} from '../../shared/auth.ts';
import { invitationBody, joinBody } from '../../shared/me.ts';

export interface AuthRouteDeps {
  auth: Auth;
  /** COOKIE_SECURE: 'auto' sets Secure when the request came over https. */
  cookieSecure: 'auto' | boolean;
  trustProxy: boolean;
  sessionMaxMs: number;
  timeZoneOf: (communityId: string) => string;
}

/** Why the users page makes no volunteer accounts. */
const VOLUNTEER_BY_INVITATION = 'a volunteer’s account is made by the volunteer, from an invitation on their volunteer record';

/** The routes; the gate sets principal, credential and clientIp before they run. */
export function authRoutes(deps: AuthRouteDeps): Routes {
  const { auth } = deps;
  const { displays, apiKeys } = auth;
  const { users, sessions, setup, invitations } = auth.accounts;
  const r = new Routes();
  const small = limitedBody(16 * 1024);

  // Answers here may hold secrets (a session, a key, a display token): never cached.
  const noStore: MiddlewareHandler = async function noStore(c, next) {
    await next();
    c.header('Cache-Control', 'no-store');
  };
  for (const path of ['/auth/*', '/users', '/users/*', '/displays', '/displays/*', '/api-keys', '/api-keys/*', '/audit']) r.use(path, noStore);

  const info = (c: Context): RequestInfo => ({ ip: c.get('clientIp') ?? null, userAgent: c.req.header('user-agent') ?? null });
  const session = (c: Context): Extract<Credential, { kind: 'session' }> => {
    const cred = c.get('credential');
    if (cred?.kind !== 'session') throw new DomainError(403, 'error.forbidden', 'only a person logged in may do this');
    return cred;
  };
  const startSession = (c: Context, s: NewSession, status: 200 | 201): Response => {
    const secure = deps.cookieSecure === 'auto' ? isHttps(c, deps.trustProxy) : deps.cookieSecure;
    sessionCookie(c, s.secret, { secure, maxAgeMs: deps.sessionMaxMs });
    if (s.deviceToken) deviceCookie(c, s.deviceToken, { secure });
    const body: SessionView = { user: users.view(s.user), csrfToken: s.csrfToken };
    return c.json(body, status);
  };

  // ---- sessions ------------------------------------------------------------------------------

  /**
   * Who keeps a session of their own (reads it, changes its password, logs out): staff, the
   * charity bookkeeper, and a volunteer on their phone (who reads nothing else of the staff's).
   */
  const SIGNED_IN: readonly Role[] = [...PEOPLE, 'charity_keeper', 'volunteer'];

  r.post('/auth/login', { access: 'public', body: loginBody }, small, async (c) => {
    const s = await sessions.login(c.req.valid('json'), { ...info(c), deviceToken: getCookie(c, DEVICE_COOKIE) ?? null });
    // A new session replaces the one this browser held (another user's, or an old one of ours).
    const prior = c.get('credential');
    if (prior?.kind === 'session') sessions.logout(prior.user, prior.session, info(c));
    return startSession(c, s, 200);
  });

  r.post('/auth/logout', { access: SIGNED_IN, body: null }, small, (c) => {
    const s = session(c);
    sessions.logout(s.user, s.session, info(c));
    sessionCookie(c, null, { secure: false, maxAgeMs: 0 });
    return c.body(null, 204);
  });

  r.get('/auth/me', SIGNED_IN, (c) => {
    const s = session(c);
    const body: SessionView = { user: users.view(s.user), csrfToken: s.session.csrfToken };
    return c.json(body);
  });

  r.post('/auth/password', { access: SIGNED_IN, body: changePasswordBody }, small, async (c) => {
    const s = session(c);
    return startSession(c, await sessions.changePassword(s.user, s.session, c.req.valid('json'), info(c)), 200);
  });

  // `community: false` before any community is installed: there is nothing to set up yet.
  r.get('/auth/setup', 'public', (c) => c.json({ needed: setup.needed(), community: setup.communityInstalled() }));

  r.post('/auth/setup', { access: 'public', body: setupBody }, small, async (c) =>
    startSession(c, await setup.finish(c.req.valid('json'), info(c)), 201));

  // A volunteer's invitation (server/auth/invitations.ts): read it, then use it to make the account.
  r.post('/auth/invitation', { access: 'public', body: invitationBody }, small, (c) =>
    c.json({ invitation: invitations.read(c.req.valid('json').token, info(c)) }));

  r.post('/auth/join', { access: 'public', body: joinBody }, small, async (c) => {
    const s = await invitations.join(c.req.valid('json'), info(c));
    const prior = c.get('credential');
    if (prior?.kind === 'session') sessions.logout(prior.user, prior.session, info(c));
    return startSession(c, s, 201);
  });

  // ---- users ---------------------------------------------------------------------------------

  r.get('/users', ADMIN, (c) => c.json({ items: users.list(principal(c).communityId).map((u) => users.view(u)) }));

  r.post('/users', { access: ADMIN, body: createUserBody }, small, async (c) => {
    const p = principal(c);
    const body = c.req.valid('json');
    if (body.role === 'volunteer') throw invalid([{ field: 'role', problem: VOLUNTEER_BY_INVITATION }]);
    const u = await users.create(p, p.communityId, body, info(c));
    return c.json({ user: users.view(u) }, 201);
  });

  r.patch(`/users/:id${ID}`, { access: ADMIN, body: updateUserBody }, small, async (c) => {
    const body = c.req.valid('json');
    if (body.role === 'volunteer') throw invalid([{ field: 'role', problem: VOLUNTEER_BY_INVITATION }]);
    const u = users.update(principal(c), idParam(c), body, info(c));
    return c.json({ user: users.view(u) });
  });

  r.post(`/users/:id${ID}/password`, { access: ADMIN, body: setPasswordBody }, small, async (c) => {
    await users.setPassword(principal(c), idParam(c), c.req.valid('json').password, info(c));
    return c.body(null, 204);
  });

  // ---- displays --------------------------------------------------------------------------------

  r.post('/displays/pairing', { access: 'public', body: null }, small, (c) => c.json(displays.startPairing(info(c)), 201));

  r.get('/displays/pairing/:pairingId{[A-Za-z0-9_-]{1,64}}', 'public', (c) => {
    // Only a GET may take the one-time answer (Hono routes HEAD here too).
    if (c.req.method !== 'GET') return c.body(null, 405, { Allow: 'GET' });
    const status = displays.pairingStatus(c.req.param('pairingId'), c.req.header('x-pairing-secret'));
    if (!status) throw notFound('pairing (expired, fetched already, or not yours)');
    return c.json(status);
  });

  r.get('/displays', ADMIN, (c) => c.json({ items: displays.list(principal(c).communityId).map((d) => displays.view(d)) }));

  r.post('/displays', { access: ADMIN, body: pairDisplayBody }, small, async (c) => {
    const body = c.req.valid('json');
    return c.json({ display: displays.view(displays.pair(principal(c), body.code, body.name, info(c))) }, 201);
  });

  r.patch(`/displays/:id${ID}`, { access: ADMIN, body: renameDisplayBody }, small, async (c) => {
    const body = c.req.valid('json');
    return c.json({ display: displays.view(displays.rename(principal(c), idParam(c), body.name, info(c))) });
  });

  r.post(`/displays/:id${ID}/revoke`, { access: ADMIN, body: null }, small, (c) =>
    c.json({ display: displays.view(displays.revoke(principal(c), idParam(c), info(c))) }));

  r.post(`/displays/:id${ID}/reload`, { access: ADMIN, body: null }, small, (c) => {
    displays.reload(principal(c), idParam(c), info(c));
    return c.body(null, 204);
  });

  // ---- API keys ------------------------------------------------------------------------------

  r.get('/api-keys', ADMIN, (c) => c.json({ items: apiKeys.list(principal(c).communityId).map((k) => apiKeys.view(k)) }));

  r.post('/api-keys', { access: ADMIN, body: createApiKeyBody }, small, async (c) => {
    const body = c.req.valid('json');
    const { key, secret } = apiKeys.create(principal(c), body.name, info(c));
    return c.json({ apiKey: apiKeys.view(key), secret }, 201);
  });

  r.post(`/api-keys/:id${ID}/revoke`, { access: ADMIN, body: null }, small, (c) =>
    c.json({ apiKey: apiKeys.view(apiKeys.revoke(principal(c), idParam(c), info(c))) }));

  // ---- the audit log ---------------------------------------------------------------------------

  r.get('/audit', { access: ADMIN, query: auditQuery }, (c) => {
    const p = principal(c);
    const page = auth.audit.list(p.communityId, c.req.valid('query'));
    const tz = deps.timeZoneOf(p.communityId);
    return c.json({ items: page.items.map((e) => viewAudit(e, tz)), nextCursor: page.nextCursor });
  });

  return r;
}
