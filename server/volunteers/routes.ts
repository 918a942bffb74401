/**
 * The volunteer ledger's HTTP routes, mounted under /api/v1 by `createHttpApp`:
 * `/volunteers`, `/activities`, `/points`, `/exchange`. Same rules as the grid-event API:
 * every body and query is checked with the zod schemas in shared/volunteers.ts, a bad one is a
 * 400 naming each field and writes nothing; a missing thing is a 404, a refused one a 409.
 * Errors are DomainErrors, answered by the parent app's error handler.
 */
import type { Context } from 'hono';
import { Routes } from '../http/routes.ts';
import { CASHIER, MANAGE, ON_SITE, STAFF } from './access.ts';
import { ID, idParam, limitedBody, principal, timeZoneOf } from '../http/validate.ts';
import type { VolunteerService } from './service.ts';
import type { Principal } from '../principal.ts';
import { isoInZone } from '../../shared/time.ts';
import { joinPath, type InviteAnswer } from '../../shared/me.ts';
import {
  viewActivity, viewItem, viewLedgerLine, viewRedemption, viewServiceRecord, viewSignup, viewVolunteer,
  type VolunteerRecord,
} from './record.ts';
import {
  activityStatusBody, checkInBody, checkOutBody, createActivityBody, createExchangeItemBody, createTeamBody,
  leaderboardQuery, listActivitiesQuery, listRedemptionsQuery, listVolunteersQuery, pageQuery, participationBody,
  redeemBody, registerVolunteerBody, restockBody, updateVolunteerBody, volunteerStatusBody,
  checkInPath,
} from '../../shared/volunteers.ts';

export interface VolunteerRoutesDeps {
  volunteers: VolunteerService;
  /** A one-time invitation for a volunteer's own account (server/auth/invitations.ts), when accounts are present. */
  invite?: (p: Principal, volunteerId: number, ip: string | null) => { token: string; expiresAt: number };
}

/** A volunteer's record names them: opening one, or a page of them, is a read of someone's record to log. */
const VOLUNTEER = ['name', 'phone'];

/** The routes; the parent sets the principal (`c.get('principal')`) before they run. */
export function volunteerRoutes({ volunteers: svc, invite }: VolunteerRoutesDeps): Routes {
  const r = new Routes();
  const limited = limitedBody();

  const tz = timeZoneOf(svc);
  const volunteerViews = (c: Context, list: VolunteerRecord[]) => {
    const balances = svc.points.balances(list.map((v) => v.id));
    return list.map((v) => viewVolunteer(v, balances.get(v.id) ?? 0, tz(c)));
  };

  // ---- volunteers -----------------------------------------------------------------------

  r.get('/volunteers', { access: STAFF, reads: { targetType: 'volunteers', at: 'items', personal: VOLUNTEER }, query: listVolunteersQuery }, (c) => {
    const page = svc.registry.list(principal(c), c.req.valid('query'));
    return c.json({ items: volunteerViews(c, page.items), nextCursor: page.nextCursor });
  });

  r.post('/volunteers', { access: MANAGE, body: registerVolunteerBody }, limited, async (c) => {
    const v = await svc.registry.register(principal(c), c.req.valid('json'));
    return c.json({ volunteer: viewVolunteer(v, 0, tz(c)) }, 201);
  });

  r.get('/volunteers/teams', STAFF, (c) => c.json({ items: svc.teams.list(principal(c)) }));

  r.post('/volunteers/teams', { access: MANAGE, body: createTeamBody }, limited, async (c) => {
    const team = await svc.teams.create(principal(c), c.req.valid('json'));
    return c.json({ team }, 201);
  });

  r.get('/volunteers/certificates/:no', STAFF, (c) =>
    c.json({ certificate: viewServiceRecord(svc.records.certificate(principal(c), c.req.param('no')), tz(c)) }));

  r.get(`/volunteers/:id${ID}`, { access: STAFF, reads: { targetType: 'volunteers', at: 'volunteer', personal: VOLUNTEER } }, (c) => {
    const v = svc.registry.get(principal(c), idParam(c));
    return c.json({ volunteer: volunteerViews(c, [v])[0], totals: svc.registry.totals(principal(c), v.id) });
  });

  r.patch(`/volunteers/:id${ID}`, { access: MANAGE, body: updateVolunteerBody }, limited, async (c) => {
    const v = await svc.registry.update(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ volunteer: volunteerViews(c, [v])[0] });
  });

  r.post(`/volunteers/:id${ID}/status`, { access: MANAGE, body: volunteerStatusBody }, limited, async (c) => {
    const v = await svc.registry.setStatus(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ volunteer: volunteerViews(c, [v])[0] });
  });

  // A link for the volunteer's phone (/me/join#token), shown once to the coordinator to copy or show as a QR code.
  if (invite) {
    r.post(`/volunteers/:id${ID}/invite`, { access: MANAGE, body: null }, limited, (c) => {
      const v = svc.registry.get(principal(c), idParam(c));
      const { token, expiresAt } = invite(principal(c), v.id, c.get('clientIp') ?? null);
      c.header('Cache-Control', 'no-store');
      const answer: InviteAnswer = { path: joinPath(token), expiresAt: isoInZone(expiresAt, tz(c)) };
      return c.json(answer, 201);
    });
  }

  r.get(`/volunteers/:id${ID}/records`, { access: STAFF, query: pageQuery }, (c) => {
    const page = svc.records.list(principal(c), idParam(c), c.req.valid('query'));
    return c.json({ items: page.items.map((x) => viewServiceRecord(x, tz(c))), nextCursor: page.nextCursor });
  });

  // ---- activities -----------------------------------------------------------------------

  r.get('/activities', { access: STAFF, query: listActivitiesQuery }, (c) => {
    const page = svc.activities.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((a) => viewActivity(a, svc.activities.taken(a.id), tz(c))), nextCursor: page.nextCursor });
  });

  r.post('/activities', { access: MANAGE, body: createActivityBody }, limited, async (c) => {
    const a = await svc.activities.create(principal(c), c.req.valid('json'));
    return c.json({ activity: viewActivity(a, 0, tz(c)) }, 201);
  });

  r.get(`/activities/:id${ID}`, STAFF, (c) => {
    const a = svc.activities.get(principal(c), idParam(c));
    return c.json({
      activity: viewActivity(a, svc.activities.taken(a.id), tz(c)),
      signups: svc.signups.list(principal(c), a.id).map((s) => viewSignup(s, tz(c))),
    });
  });

  // The activity's QR code at the desk: a volunteer's phone opens `path` and checks in with the code.
  r.get(`/activities/:id${ID}/check-in-code`, ON_SITE, (c) => {
    const a = svc.activities.get(principal(c), idParam(c));
    return c.json({ code: a.checkInCode, path: checkInPath(a.checkInCode) });
  });

  r.post(`/activities/:id${ID}/status`, { access: MANAGE, body: activityStatusBody }, limited, async (c) => {
    const a = await svc.activities.setStatus(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ activity: viewActivity(a, svc.activities.taken(a.id), tz(c)) });
  });

  r.post(`/activities/:id${ID}/signups`, { access: ON_SITE, body: participationBody }, limited, async (c) => {
    const s = await svc.signups.signUp(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ signup: viewSignup(s, tz(c)) }, 201);
  });

  r.post(`/activities/:id${ID}/cancel-signup`, { access: ON_SITE, body: participationBody }, limited, async (c) => {
    const s = await svc.signups.cancel(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ signup: viewSignup(s, tz(c)) });
  });

  r.post(`/activities/:id${ID}/no-show`, { access: MANAGE, body: participationBody }, limited, async (c) => {
    const s = await svc.signups.markNoShow(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ signup: viewSignup(s, tz(c)) });
  });

  r.post(`/activities/:id${ID}/check-in`, { access: ON_SITE, body: checkInBody }, limited, async (c) => {
    const s = await svc.signups.checkIn(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ signup: viewSignup(s, tz(c)) });
  });

  r.post(`/activities/:id${ID}/check-out`, { access: ON_SITE, body: checkOutBody }, limited, async (c) => {
    const out = await svc.signups.checkOut(principal(c), idParam(c), c.req.valid('json'));
    return c.json({
      signup: viewSignup(out.signup, tz(c)),
      record: out.record ? viewServiceRecord(out.record, tz(c)) : null,
      balance: out.balance,
    });
  });

  // ---- points -----------------------------------------------------------------------------

  r.get(`/points/volunteers/:id${ID}`, STAFF, (c) => {
    const id = idParam(c);
    return c.json({ volunteerId: id, balance: svc.points.balance(principal(c), id), totals: svc.registry.totals(principal(c), id) });
  });

  r.get(`/points/volunteers/:id${ID}/entries`, { access: STAFF, query: pageQuery }, (c) => {
    const page = svc.points.ledger(principal(c), idParam(c), c.req.valid('query'));
    return c.json({ items: page.items.map((l) => viewLedgerLine(l, tz(c))), nextCursor: page.nextCursor });
  });

  r.get('/points/leaderboard', { access: STAFF, query: leaderboardQuery }, (c) => c.json(svc.points.leaderboard(principal(c), c.req.valid('query'))));

  r.get('/points/summary', STAFF, (c) => c.json(svc.points.summary(principal(c))));

  // ---- the exchange ---------------------------------------------------------------------

  r.get('/exchange/items', STAFF, (c) => c.json({ items: svc.exchange.items(principal(c)).map(viewItem) }));

  r.post('/exchange/items', { access: CASHIER, body: createExchangeItemBody }, limited, async (c) => {
    const item = await svc.exchange.addItem(principal(c), c.req.valid('json'));
    return c.json({ item: viewItem(item) }, 201);
  });

  r.post(`/exchange/items/:id${ID}/restock`, { access: CASHIER, body: restockBody }, limited, async (c) => {
    const item = await svc.exchange.restock(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ item: viewItem(item) });
  });

  r.post('/exchange/redemptions', { access: CASHIER, body: redeemBody }, limited, async (c) => {
    const out = await svc.exchange.redeem(principal(c), c.req.valid('json'));
    return c.json({ redemption: viewRedemption(out.redemption, tz(c)), item: viewItem(out.item), balance: out.balance }, 201);
  });

  r.get('/exchange/redemptions', { access: STAFF, query: listRedemptionsQuery }, (c) => {
    const page = svc.exchange.redemptions(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((x) => viewRedemption(x, tz(c))), nextCursor: page.nextCursor });
  });

  return r;
}
