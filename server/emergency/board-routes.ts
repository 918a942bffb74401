/**
 * HTTP routes of the accounted-for board (server/emergency/board.ts), mounted under /api/v1.
 * Every write from a tablet or a phone (a status, a claim, a release, a door done) takes an
 * Idempotency-Key: the outbox sends it again until it has the answer, and it applies once.
 * Issuing links does not: its answer holds the tokens, which must not be kept anywhere.
 *
 * The household's own link (`/safe/<token>`) needs no account: a wrong token is a 404 that
 * says nothing, and each address may try a few dozen a minute (as certificate checks).
 */
import type { Context } from 'hono';
import { Routes } from '../http/routes.ts';
import { ID, idParam, limitedBody, principal } from '../http/validate.ts';
import { DomainError, notFound } from '../errors.ts';
import { WALL } from '../principal.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import {
  boardAnswer, boardHouseholdAnswer, boardQuery, boardReportsAnswer, issueLinksBody, issuedLinksAnswer, knockDoneBody, linkStateAnswer,
  reportStatusBody, SAFE_TOKEN, selfReportBody, selfReportView,
} from '../../shared/emergency-board.ts';
import { KNOCK, LINKS } from './board-access.ts';
import type { BoardService } from './board.ts';

/** Self-reports without an account: per address, as certificate checks and pairing requests are limited. */
export const SAFE_LIMIT = { limit: 30, windowMs: 60_000 };

const householdParam = (c: Context) => Number(c.req.param('hid'));

export function boardRoutes(svc: BoardService): Routes {
  const r = new Routes();
  const small = limitedBody(8 * 1024);
  const safeLimit = new RateLimiter({ ...SAFE_LIMIT, now: () => Date.now() });
  const HOUSEHOLD = `/incidents/:id${ID}/households/:hid${ID}`;

  r.get(`/incidents/:id${ID}/board`, { access: KNOCK, query: boardQuery, response: boardAnswer }, (c) =>
    c.json(svc.board(principal(c), idParam(c), c.req.valid('query'))));
  // What a wall shows of it: per grid, guarded counts.
  r.get(`/incidents/:id${ID}/board/counts`, WALL, (c) => {
    const counts = svc.publicCounts(principal(c).communityId, idParam(c));
    if (!counts) throw notFound(`incident ${idParam(c)}`);
    return c.json(counts);
  });
  r.get(HOUSEHOLD, { access: KNOCK, response: boardReportsAnswer }, (c) => c.json(svc.household(principal(c), idParam(c), householdParam(c))));

  r.post(`${HOUSEHOLD}/status`, { access: KNOCK, body: reportStatusBody, response: boardHouseholdAnswer, idempotent: true }, small, async (c) =>
    c.json({ household: await svc.report(principal(c), idParam(c), householdParam(c), c.req.valid('json')) }));
  r.post(`${HOUSEHOLD}/claim`, { access: KNOCK, body: null, response: boardHouseholdAnswer, idempotent: true }, small, async (c) =>
    c.json({ household: await svc.claim(principal(c), idParam(c), householdParam(c)) }));
  r.post(`${HOUSEHOLD}/release`, { access: KNOCK, body: null, response: boardHouseholdAnswer, idempotent: true }, small, async (c) =>
    c.json({ household: await svc.release(principal(c), idParam(c), householdParam(c)) }));
  r.post(`${HOUSEHOLD}/done`, { access: KNOCK, body: knockDoneBody, response: boardHouseholdAnswer, idempotent: true }, small, async (c) =>
    c.json({ household: await svc.done(principal(c), idParam(c), householdParam(c), c.req.valid('json')) }));

  r.post(`/incidents/:id${ID}/links`, { access: LINKS, body: issueLinksBody, bodyOptional: true, response: issuedLinksAnswer }, small, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(await svc.issueLinks(principal(c), idParam(c), c.req.valid('json')), 201);
  });
  r.get(`/incidents/:id${ID}/links`, { access: LINKS, response: linkStateAnswer }, (c) => c.json(svc.links(principal(c), idParam(c))));

  /** The token checked for shape and the address for its rate; a bad one is the same 404 as an unknown one. */
  const token = (c: Context): string => {
    const ip = c.get('clientIp') ?? 'unknown';
    if (!safeLimit.take(ip)) {
      throw new DomainError(429, 'error.rate_limited', 'too many tries from this address; try again later', undefined,
        { retryAfter: Math.ceil(safeLimit.retryAfter(ip) / 1000) });
    }
    const t = c.req.param('token') ?? '';
    if (!SAFE_TOKEN.test(t)) throw notFound('link');
    c.header('Cache-Control', 'no-store');
    return t;
  };
  r.get('/safe/:token', { access: 'public', response: selfReportView }, (c) => {
    const view = svc.selfView(token(c));
    if (!view) throw notFound('link');
    return c.json(view);
  });
  r.post('/safe/:token', { access: 'public', body: selfReportBody, response: selfReportView }, small, async (c) => {
    const t = token(c);
    const view = await svc.selfReport(t, c.req.valid('json').status);
    if (!view) throw notFound('link');
    return c.json(view);
  });
  return r;
}
