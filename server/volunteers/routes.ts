/**
 * The volunteer ledger's HTTP routes, mounted under /api/v1 by `createHttpApp`:
 * `/volunteers`, `/activities`, `/points`, `/exchange`. Same rules as the grid-event API:
 * every body and query is checked with the zod schemas in shared/volunteers.ts, a bad one is a
 * 400 naming each field and writes nothing; a missing thing is a 404, a refused one a 409.
 * Errors are DomainErrors, answered by the parent app's error handler.
 */
import type { Context } from 'hono';
import { invalid } from '../errors.ts';
import { itemColumns, receiptColumns, sheetNames, viewDeskItem, viewMove, viewReceipt } from './exchange-desk.ts';
import { Routes } from '../http/routes.ts';
import { CASHIER, MANAGE, ON_SITE, STAFF } from './access.ts';
import { ID, idParam, limitedBody, principal, timeZoneOf } from '../http/validate.ts';
import type { VolunteerService } from './service.ts';
import { viewCertificate } from './certificates.ts';
import type { HistoryRecord } from './records.ts';
import { recordsColumns, recordsRows, recordsSheetName, registryColumns, registrySheetName, type RegistryRow } from './sheets.ts';
import { sheetLocale, sheetResponse } from '../http/sheet.ts';
import { actorOf, type AuditEntry } from '../auth/audit.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { DomainError, notFound } from '../errors.ts';
import { isoInZone, localDay } from '../../shared/time.ts';
import type { Principal } from '../principal.ts';
import { joinPath, type InviteAnswer } from '../../shared/me.ts';
import {
  viewActivity, viewDeskSignup, viewItem, viewLedgerLine, viewRedemption, viewServiceRecord, viewSignup, viewVolunteer,
  type VolunteerRecord,
} from './record.ts';
import {
  activityStatusBody, checkInBody, checkOutBody, createActivityBody, createExchangeItemBody, createTeamBody,
  leaderboardQuery, listActivitiesQuery, listRedemptionsQuery, listVolunteersQuery, pageQuery, participationBody,
  redeemBody, registerVolunteerBody, restockBody, updateVolunteerBody, volunteerStatusBody,
  checkInPath, checkoutBody, findVolunteerQuery, itemsExportQuery, listReceiptsQuery, receiptsExportQuery, stockMoveBody,
  updateExchangeItemBody, correctionBody, issueCertificateBody, volunteerExportQuery, recordsExportQuery, CERTIFICATE_NO,
  type CorrectionView, type HistoryRecordView,
  activitiesExportQuery, candidatesQuery, signupsExportQuery, updateActivityBody,
} from '../../shared/volunteers.ts';
import { zhCN as activitiesZh, en as activitiesEn } from '../../shared/i18n/console-activities.ts';
import { activityColumns, attendanceColumns } from './activity-sheets.ts';

export interface VolunteerRoutesDeps {
  volunteers: VolunteerService;
  /** Write an audit line soon (an export of people's records: `records.export`, as the case ledger's are). */
  auditSoon?: (entry: AuditEntry) => void;
  /** A grid's name, for the registry's sheet. */
  gridName?: (id: string) => { zh: string; en: string } | null;
  /** A one-time invitation for a volunteer's own account (server/auth/invitations.ts), when accounts are present. */
  invite?: (p: Principal, volunteerId: number, ip: string | null) => { token: string; expiresAt: number };
}

/** An `Idempotency-Key`: a client's own token (the console sends a UUID), as on a case's photos. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;

/** The request's Idempotency-Key, or null; a malformed one is a 400 naming it. */
function idempotencyKey(c: Context): string | null {
  const key = c.req.header('idempotency-key') ?? null;
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) throw invalid([{ field: 'Idempotency-Key', problem: 'must be 8 to 100 letters, digits or . _ : -' }]);
  return key;
}

/** Checks of a certificate number without an account: per address, as pairing requests are limited. */
export const VERIFY_LIMIT = { limit: 30, windowMs: 60_000 };

/** A volunteer's record names them: opening one, or a page of them, is a read of someone's record to log. */
const VOLUNTEER = ['name', 'phone'];

/** The routes; the parent sets the principal (`c.get('principal')`) before they run. */
export function volunteerRoutes({ volunteers: svc, auditSoon, gridName, invite }: VolunteerRoutesDeps): Routes {
  const r = new Routes();
  const limited = limitedBody();
  const verifyLimit = new RateLimiter({ ...VERIFY_LIMIT, now: () => Date.now() });

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

  // The registry as a sheet, with the list's filters; audited as the case ledger's export is.
  r.get('/volunteers/export', { access: STAFF, query: volunteerExportQuery }, (c) => {
    const p = principal(c);
    const { format, lang, ...filters } = c.req.valid('query');
    const locale = sheetLocale(lang, c.req.header('accept-language'));
    const total = svc.registry.count(p, filters);
    auditSoon?.({ ...actorOf(p), action: 'records.export', targetType: 'volunteers', detail: { format, ...filters, rows: total }, ip: p.request?.ip ?? null });
    const teams = new Map(svc.teams.list(p).map((t) => [t.id, t.name]));
    const zone = tz(c);
    function* rows(): Generator<RegistryRow> {
      for (const v of svc.registry.all(p, filters)) {
        const g = v.gridId ? gridName?.(v.gridId) : null;
        yield {
          v, team: v.teamId ? (teams.get(v.teamId) ?? null) : null, grid: g ? (locale === 'en' ? g.en : g.zh) : v.gridId,
          hours: svc.registry.totals(p, v.id).hours, balance: svc.points.balance(p, v.id),
        };
      }
    }
    const day = localDay(svc.now(), zone).replaceAll('-', '');
    const sheetName = registrySheetName(locale);
    return sheetResponse({
      format, timeZone: zone, rows: rows(), sheetName, columns: registryColumns(locale),
      filename: `${locale === 'en' ? 'volunteers' : sheetName}-${day}.${format}`, asciiFilename: `volunteers-${day}.${format}`,
    });
  });

  r.get('/volunteers/teams', STAFF, (c) => c.json({ items: svc.teams.list(principal(c)) }));

  r.post('/volunteers/teams', { access: MANAGE, body: createTeamBody }, limited, async (c) => {
    const team = await svc.teams.create(principal(c), c.req.valid('json'));
    return c.json({ team }, 201);
  });

  r.get('/volunteers/certificates/:no', STAFF, (c) =>
    c.json({ certificate: viewServiceRecord(svc.records.certificate(principal(c), c.req.param('no')), tz(c)) }));

  // The check-in desk's scan: a volunteer by the card code on their card (志愿者证号).
  r.get('/volunteers/card/:code', { access: STAFF, reads: { targetType: 'volunteers', at: 'volunteer', personal: VOLUNTEER } }, (c) => {
    const v = svc.registry.byCard(principal(c), c.req.param('code'));
    return c.json({ volunteer: volunteerViews(c, [v])[0] });
  });

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

  // A volunteer's records, each with its corrections and what it nets to.
  r.get(`/volunteers/:id${ID}/records`, { access: STAFF, query: pageQuery }, (c) => {
    const page = svc.records.history(principal(c), idParam(c), c.req.valid('query'));
    return c.json({ items: page.items.map((x) => historyView(x, tz(c))), nextCursor: page.nextCursor });
  });

  r.get(`/volunteers/:id${ID}/records/export`, { access: STAFF, query: recordsExportQuery }, (c) => {
    const p = principal(c);
    const id = idParam(c);
    const { format, lang } = c.req.valid('query');
    const v = svc.registry.get(p, id);
    const records = svc.records.all(p, id);
    const locale = sheetLocale(lang, c.req.header('accept-language'));
    auditSoon?.({ ...actorOf(p), action: 'records.export', targetType: 'volunteers', targetId: String(id), detail: { format, rows: records.length }, ip: p.request?.ip ?? null });
    const zone = tz(c);
    const day = localDay(svc.now(), zone).replaceAll('-', '');
    const sheetName = recordsSheetName(locale);
    return sheetResponse({
      format, timeZone: zone, rows: recordsRows(records, (a) => svc.records.actorName(a)), sheetName, columns: recordsColumns(locale),
      filename: `${sheetName}-${v.name}-${day}.${format}`, asciiFilename: `service-records-${id}-${day}.${format}`,
    });
  });

  // A correction: a new entry with its reason, never an edit of the record.
  r.post(`/volunteers/:id${ID}/corrections`, { access: MANAGE, body: correctionBody }, limited, async (c) => {
    const p = principal(c);
    const correction = await svc.records.correct(p, idParam(c), c.req.valid('json'));
    const v = svc.registry.get(p, correction.volunteerId);
    return c.json({
      correction: correctionView(correction, tz(c)), volunteer: volunteerViews(c, [v])[0], totals: svc.registry.totals(p, v.id),
    }, 201);
  });

  r.post(`/volunteers/:id${ID}/certificates`, { access: MANAGE, body: issueCertificateBody }, limited, async (c) => {
    const cert = await svc.certificates.issue(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ certificate: viewCertificate(cert, tz(c)) }, 201);
  });

  // A read of the volunteer's record (their name and ID number are on every certificate): audited as one.
  r.get(`/volunteers/:id${ID}/certificates`, { access: STAFF, reads: { targetType: 'volunteers', at: 'volunteer', personal: ['name'] } }, (c) => {
    const v = svc.registry.get(principal(c), idParam(c));
    return c.json({ volunteer: { id: v.id, name: v.name }, items: svc.certificates.list(principal(c), v.id).map((x) => viewCertificate(x, tz(c))) });
  });

  r.get(`/volunteers/:id${ID}/certificates/:no`, { access: STAFF, reads: { targetType: 'volunteers', at: 'certificate', personal: ['volunteerName'] } }, (c) =>
    c.json({ certificate: viewCertificate(svc.certificates.get(principal(c), idParam(c), c.req.param('no')), tz(c)) }));

  // Anyone holding a certificate may check its number: the name masked, no phone, no ID.
  r.get('/verify/certificates/:no', 'public', (c) => {
    const ip = c.get('clientIp') ?? 'unknown';
    if (!verifyLimit.take(ip)) {
      throw new DomainError(429, 'error.rate_limited', 'too many certificate checks from this address; try again later', undefined,
        { retryAfter: Math.ceil(verifyLimit.retryAfter(ip) / 1000) });
    }
    const no = c.req.param('no');
    if (!CERTIFICATE_NO.test(no)) throw notFound(`certificate ${no}`);
    c.header('Cache-Control', 'no-store');
    return c.json({ certificate: svc.certificates.verify(no) });
  });

  // ---- activities -----------------------------------------------------------------------

  r.get('/activities', { access: STAFF, query: listActivitiesQuery }, (c) => {
    const page = svc.activities.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((a) => viewActivity(a, svc.activities.taken(a.id), tz(c))), nextCursor: page.nextCursor });
  });

  // The activities list out, under the list's filters (audited: it names who organises what, not people).
  r.get('/activities/export', { access: STAFF, query: activitiesExportQuery }, (c) => {
    const q = c.req.valid('query');
    const p = principal(c);
    const rows = svc.activities.all(p, q);
    const { format, lang, ...filters } = q;
    auditSoon?.({ ...actorOf(p), action: 'records.export', targetType: 'activities', detail: { format, ...filters, rows: rows.length }, ip: p.request?.ip ?? null });
    const locale = sheetLocale(lang, c.req.header('accept-language'));
    const day = localDay(Date.now(), tz(c)).replaceAll('-', '');
    const sheetName = (locale === 'en' ? activitiesEn : activitiesZh)['console.activities.sheet.activities'];
    return sheetResponse({
      format, timeZone: tz(c), sheetName, filename: `${sheetName}-${day}.${format}`, asciiFilename: `activities-${day}.${format}`,
      rows: rows.map((a) => ({ activity: a, taken: svc.activities.taken(a.id) })), columns: activityColumns(locale, (id) => gridName?.(id)?.zh ?? null),
    });
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

  r.patch(`/activities/:id${ID}`, { access: MANAGE, body: updateActivityBody }, limited, async (c) => {
    const a = await svc.activities.update(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ activity: viewActivity(a, svc.activities.taken(a.id), tz(c)) });
  });

  // The activity's desk: its sign-ups with each volunteer's name, phone and card code (a read of people's records).
  r.get(`/activities/:id${ID}/signups`, { access: STAFF, reads: { targetType: 'volunteers', at: 'items', personal: ['volunteerName'] } }, (c) => {
    const rows = svc.signups.deskList(principal(c), idParam(c));
    return c.json({ items: rows.map((row) => viewDeskSignup(row, tz(c))) });
  });

  // Volunteers to sign up: by card code, name or phone (a read of people's records).
  r.get(`/activities/:id${ID}/candidates`, { access: ON_SITE, query: candidatesQuery, reads: { targetType: 'volunteers', at: 'items', personal: VOLUNTEER } }, (c) => {
    const found = svc.signups.candidates(principal(c), idParam(c), c.req.valid('query').q);
    const views = volunteerViews(c, found.map((f) => f.volunteer));
    return c.json({ items: views.map((v, i) => ({ ...v, signup: found[i]!.signup })) });
  });

  // One activity's sign-ups and attendance out, with the hours and points each earned (audited).
  r.get(`/activities/:id${ID}/export`, { access: STAFF, query: signupsExportQuery }, (c) => {
    const q = c.req.valid('query');
    const p = principal(c);
    const a = svc.activities.get(p, idParam(c));
    const rows = svc.signups.attendance(p, a.id, q.status ?? null);
    const { format, lang, ...filters } = q;
    auditSoon?.({ ...actorOf(p), action: 'records.export', targetType: 'volunteers', targetId: a.id, detail: { format, activityId: a.id, ...filters, rows: rows.length }, ip: p.request?.ip ?? null });
    const locale = sheetLocale(lang, c.req.header('accept-language'));
    const sheetName = (locale === 'en' ? activitiesEn : activitiesZh)['console.activities.sheet.signups'];
    return sheetResponse({
      format, timeZone: tz(c), sheetName, filename: `${sheetName}-${a.id}.${format}`, asciiFilename: `attendance-${a.id}.${format}`,
      rows, columns: attendanceColumns(locale, a),
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
    return c.json({ signup: viewSignup(s, tz(c)), repeated: s.repeated === true });
  });

  r.post(`/activities/:id${ID}/check-out`, { access: ON_SITE, body: checkOutBody }, limited, async (c) => {
    const out = await svc.signups.checkOut(principal(c), idParam(c), c.req.valid('json'));
    return c.json({
      signup: viewSignup(out.signup, tz(c)),
      record: out.record ? viewServiceRecord(out.record, tz(c)) : null,
      balance: out.balance,
      repeated: out.repeated === true,
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

  // ---- the exchange desk (积分超市工作台): the till, receipts, stock movements, exports ---------

  const nameOf = (id: string) => svc.exchange.nameOf(id);
  const audited = (c: Context, targetType: string, detail: Record<string, unknown>) => {
    const p = principal(c);
    auditSoon?.({ ...actorOf(p), action: 'records.export', targetType, detail, ip: p.request?.ip ?? null });
  };

  r.get('/exchange/volunteers', { access: CASHIER, reads: { targetType: 'volunteers', at: 'items', personal: VOLUNTEER }, query: findVolunteerQuery }, (c) =>
    c.json({ items: svc.exchange.find(principal(c), c.req.valid('query').q) }));

  r.get('/exchange/desk/items', STAFF, (c) => c.json({ items: svc.exchange.deskItems(principal(c)).map((i) => viewDeskItem(i, nameOf, tz(c))) }));

  r.get('/exchange/items/export', { access: STAFF, query: itemsExportQuery }, (c) => {
    const { format, lang } = c.req.valid('query');
    const items = svc.exchange.deskItems(principal(c));
    audited(c, 'exchange_items', { format, rows: items.length });
    const locale = sheetLocale(lang, c.req.header('accept-language'));
    const day = localDay(svc.now(), tz(c)).replaceAll('-', '');
    const name = sheetNames(locale).items;
    return sheetResponse({
      format, timeZone: tz(c), rows: items, sheetName: name, columns: itemColumns(locale),
      filename: `${locale === 'en' ? 'exchange-items' : name}-${day}.${format}`, asciiFilename: `exchange-items-${day}.${format}`,
    });
  });

  r.patch(`/exchange/items/:id${ID}`, { access: CASHIER, body: updateExchangeItemBody }, limited, async (c) => {
    const item = await svc.exchange.updateItem(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ item: viewDeskItem(item, nameOf, tz(c)) });
  });

  // A stock-in or correction; a retry with the same Idempotency-Key answers the first movement (200).
  r.post(`/exchange/items/:id${ID}/stock`, { access: CASHIER, body: stockMoveBody }, limited, async (c) => {
    const out = await svc.exchange.moveStock(principal(c), idParam(c), c.req.valid('json'), idempotencyKey(c));
    return c.json({ item: viewDeskItem(out.item, nameOf, tz(c)), move: viewMove(out.move, nameOf, tz(c)), created: out.created }, out.created ? 201 : 200);
  });

  r.get(`/exchange/items/:id${ID}/moves`, STAFF, (c) =>
    c.json({ items: svc.exchange.moves(principal(c), idParam(c)).map((m) => viewMove(m, nameOf, tz(c))) }));

  // A checkout at the till; a retry with the same Idempotency-Key answers the first receipt (200, created: false).
  r.post('/exchange/receipts', { access: CASHIER, body: checkoutBody }, limited, async (c) => {
    const { receipt, created } = await svc.exchange.checkout(principal(c), c.req.valid('json'), idempotencyKey(c));
    return c.json({ receipt: viewReceipt(receipt, nameOf, tz(c)), created }, created ? 201 : 200);
  });

  r.get('/exchange/receipts', { access: STAFF, reads: { targetType: 'volunteers', at: 'items', personal: ['volunteerName'] }, query: listReceiptsQuery }, (c) => {
    const page = svc.exchange.receipts(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((x) => viewReceipt(x, nameOf, tz(c))), nextCursor: page.nextCursor });
  });

  r.get('/exchange/receipts/export', { access: STAFF, query: receiptsExportQuery }, (c) => {
    const { format, lang, ...filters } = c.req.valid('query');
    const out = svc.exchange.receiptRows(principal(c), filters);
    audited(c, 'exchange_receipts', { format, ...filters, rows: out.total });
    const locale = sheetLocale(lang, c.req.header('accept-language'));
    const day = localDay(svc.now(), tz(c)).replaceAll('-', '');
    const name = sheetNames(locale).receipts;
    return sheetResponse({
      format, timeZone: tz(c), rows: out.rows, sheetName: name, columns: receiptColumns(locale),
      filename: `${locale === 'en' ? 'redemptions' : name}-${day}.${format}`, asciiFilename: `redemptions-${day}.${format}`,
    });
  });

  r.get(`/exchange/receipts/:id${ID}`, { access: STAFF, reads: { targetType: 'volunteers', at: 'receipt', personal: ['volunteerName'] } }, (c) =>
    c.json({ receipt: viewReceipt(svc.exchange.receipt(principal(c), idParam(c)), nameOf, tz(c)) }));

  function correctionView(x: HistoryRecord['corrections'][number], zone: string, certificateNo = ''): CorrectionView {
    return {
      id: x.id, recordId: x.recordId, certificateNo, hours: x.hours, points: x.points, reason: x.reason, note: x.note,
      at: isoInZone(x.at, zone), actor: x.actor, actorName: svc.records.actorName(x.actor),
    };
  }

  function historyView(x: HistoryRecord, zone: string): HistoryRecordView {
    return {
      ...viewServiceRecord(x, zone), netHours: x.netHours, netPoints: x.netPoints,
      corrections: x.corrections.map((k) => correctionView(k, zone, x.certificateNo)),
    };
  }

  return r;
}
