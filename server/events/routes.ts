/**
 * HTTP routes for grid events, mounted under /api/v1 by `createHttpApp`: list, report, bulk
 * ingest, read one with its history, and take an action (`POST /events/:id/dispatch`). Each
 * route declares its body or query (shared/schemas.ts) and its answer (shared/event-answers.ts);
 * a bad body or query is a 400 naming each field and writes nothing; an action the status does
 * not allow is a 409 naming the allowed ones. Staff get the full record and its allowed actions;
 * an integration's key, which only ingests, gets the event's id and case number.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ACTIONS } from '../../shared/lifecycle.ts';
import { actionParam, bulkIngestBody, listEventsQuery } from '../../shared/schemas.ts';
import { reportWithPhotosBody, transitionWithPhotosBody } from '../../shared/uploads.ts';
import { actionAnswer, assigneesAnswer, duplicatesAnswer, eventPageAnswer, eventWithHistoryAnswer, queueAnswer, reportAnswer } from '../../shared/event-answers.ts';
import { isoInZone } from '../../shared/time.ts';
import { DomainError } from '../errors.ts';
import { Routes } from '../http/routes.ts';
import { ID, limitedBody, principal } from '../http/validate.ts';
import { MAX_PHOTOS, MAX_PHOTO_BASE64, photoListAnswer, uploadPhotoAnswer, uploadPhotoBody } from '../../shared/photos.ts';
import { HANDLER } from './access.ts';
import type { PhotoRecord } from './photos.ts';
import { CENTRE, INGEST, READ, REPORT, actionRoute } from './access.ts';
import { queueQuery } from '../../shared/desk.ts';
import { exportQuery } from '../../shared/export.ts';
import { deskStatsAnswer, deskStatsQuery } from '../../shared/desk-stats.ts';
import { STATS } from './desk-stats.ts';
import { invalid } from '../errors.ts';
import { localDay } from '../../shared/time.ts';
import { actorOf, type AuditEntry } from '../auth/audit.ts';
import { sheetLocale, sheetResponse } from '../http/sheet.ts';
import { ledgerColumns, ledgerSheetName } from './ledger.ts';
import { projectEvent, type EventRecord, type ViewContext } from './record.ts';
import type { EventService, NamedHistoryLine } from './service.ts';

const MAX_BODY = 256 * 1024;
const MAX_BULK_BODY = 8 * 1024 * 1024;
/** A photo's body: its base64 text (5 MB decoded is 6.7 MB) and the JSON around it. */
const MAX_PHOTO_BODY = MAX_PHOTO_BASE64 + 4 * 1024;
/** An `Idempotency-Key`: a client's own token (the console sends a UUID). */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;

/** An event names its reporter: opening one, or a page of them, is a read of someone's record to log. */
const REPORTER = ['reporterName', 'reporterPhone'];

export interface EventRouteDeps {
  events: EventService;
  viewContext: (communityId: string) => ViewContext;
  /** Write an audit line soon (an export of people's records). */
  auditSoon: (entry: AuditEntry) => void;
  /** The names of a community's grids, for the ledger's grid column. */
  gridName: (id: string) => { zh: string; en: string } | null;
  now: () => number;
}

/** The routes; the gate sets the principal (`c.get('principal')`) before they run. */
export function eventRoutes({ events, viewContext, auditSoon, gridName, now }: EventRouteDeps): Routes {
  const r = new Routes();
  const ctxOf = (c: Context) => viewContext(principal(c).communityId);
  const view = (c: Context, e: EventRecord) => ({ ...projectEvent(e, 'staff', ctxOf(c)), allowedActions: events.allowedFor(principal(c), e) });

  r.get('/events', {
    access: READ, reads: { targetType: 'events', at: 'items', personal: REPORTER }, query: listEventsQuery, response: eventPageAnswer,
  }, (c) => {
    const page = events.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((e) => view(c, e)), nextCursor: page.nextCursor });
  });

  // The desk's queue (before `/events/:id`, which would take `queue` for an id).
  // Its rows carry no reporter (the desk shows none; the case page does, and that read is
  // logged): a queue asked again at every change of a busy day writes no audit line each time.
  r.get('/events/queue', { access: READ, query: queueQuery, response: queueAnswer }, (c) => {
    const q = c.req.valid('query');
    const page = events.queue(principal(c), q);
    const items = page.items.map(({ event, light }) => {
      const { reporterName: _n, reporterPhone: _p, ...rest } = view(c, event);
      return { ...rest, light };
    });
    return c.json({ tab: q.tab, items, counts: page.counts, truncated: page.truncated });
  });

  // The desk's numbers (运行看板), each with the list query of the cases behind it.
  r.get('/events/stats', { access: STATS, query: deskStatsQuery, response: deskStatsAnswer }, (c) => {
    const q = c.req.valid('query');
    if (q.grid && !gridName(q.grid)) throw invalid([{ field: 'grid', problem: `no grid ${q.grid} in this community` }]);
    return c.json(events.stats.figures(principal(c), q, now()));
  });

  // The ledger out (shared/export.ts): the queue's tab or the history, as CSV or XLSX, streamed.
  // The gate's read audit reads a JSON answer; a file is logged here, with its filters and size.
  r.get('/events/export', { access: READ, query: exportQuery }, (c) => {
    const q = c.req.valid('query');
    const p = principal(c);
    const ledger = events.ledger(p, q);
    const { format, lang, ...filters } = q;
    auditSoon({ ...actorOf(p), action: 'records.export', targetType: 'events', detail: { format, ...filters, rows: ledger.total }, ip: p.request?.ip ?? null });
    const locale = sheetLocale(lang, c.req.header('accept-language'));
    const ctx = ctxOf(c);
    const day = localDay(now(), ctx.timeZone).replaceAll('-', '');
    const sheetName = ledgerSheetName(locale);
    return sheetResponse({
      format, timeZone: ctx.timeZone, rows: ledger.rows, sheetName,
      filename: `${locale === 'en' ? 'cases' : sheetName}-${day}.${format}`, asciiFilename: `cases-${day}.${format}`,
      columns: ledgerColumns({ locale, gridName, workerName: ctx.workerName }),
    });
  });

  // A report; from the tablet with its photos named by hash and an Idempotency-Key (docs/OFFLINE.md).
  r.post('/events', { access: REPORT, body: reportWithPhotosBody, response: reportAnswer, idempotent: true }, limitedBody(MAX_BODY), async (c) => {
    const { event, created, readable, photos } = await events.report(principal(c), c.req.valid('json'));
    const withPhotos = photos ? { photos } : {};
    // An integration key, which only ingests, is told the event's id and case number (what it
    // quotes back), as is anyone told of an event they may not read.
    if (!readable) return c.json({ event: { id: event.id, code: event.code, externalId: event.externalId }, created, ...withPhotos }, created ? 201 : 200);
    return c.json({ event: view(c, event), created, ...withPhotos }, created ? 201 : 200);
  });

  r.post('/events/ingest', { access: INGEST, body: bulkIngestBody }, limitedBody(MAX_BULK_BODY), async (c) => {
    const out = await events.ingest(principal(c), c.req.valid('json').events);
    const items = out.events.map((e) => ({ id: e.id, code: e.code, externalId: e.externalId }));
    return c.json({ created: out.created, duplicates: out.duplicates, items }, out.created ? 201 : 200);
  });

  r.get('/events/:id', { access: READ, reads: { targetType: 'events', at: 'event', personal: [] }, response: eventWithHistoryAnswer }, (c) => {
    const e = events.get(principal(c), c.req.param('id'));
    const tz = ctxOf(c).timeZone;
    const history = events.history(e.id).map((h: NamedHistoryLine) => ({ ...h, at: isoInZone(h.at, tz) }));
    const merged = events.mergedInto(e.id).map((m) => ({
      id: m.id, code: m.code, reporterName: m.reporterName, reporterPhone: m.reporterPhone, source: m.source, reportedAt: isoInZone(m.reportedAt, tz),
    }));
    return c.json({ event: view(c, e), history, merged });
  });

  r.get('/events/:id/duplicates', { access: CENTRE, response: duplicatesAnswer }, (c) =>
    c.json({ items: events.duplicates(principal(c), c.req.param('id')) }));

  r.get('/events/:id/assignees', { access: CENTRE, response: assigneesAnswer }, (c) => c.json({ items: events.assignees(principal(c), c.req.param('id')) }));

  // Photos on a case (server/events/photos.ts): before `/events/:id/:action`, which would take `photos` for an action.
  const photoView = (c: Context, p: PhotoRecord) => ({
    ...p, byName: events.nameOf(p.by), at: isoInZone(p.at, ctxOf(c).timeZone), url: `/api/v1/events/${p.eventId}/photos/${p.id}`,
  });
  r.get('/events/:id/photos', { access: READ, response: photoListAnswer }, (c) => {
    const e = events.get(principal(c), c.req.param('id'));
    return c.json({
      items: events.photos.of(e.id).map((p) => photoView(c, p)), evidenceRequired: events.evidenceRequired(e),
      canAdd: events.photos.mayAdd(principal(c), e), max: MAX_PHOTOS,
    });
  });
  r.post('/events/:id/photos', { access: HANDLER, body: uploadPhotoBody, response: uploadPhotoAnswer }, limitedBody(MAX_PHOTO_BODY), async (c) => {
    const key = c.req.header('idempotency-key') ?? null;
    if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
      throw invalid([{ field: 'Idempotency-Key', problem: 'must be 8 to 100 letters, digits or . _ : -' }]);
    }
    const e = events.get(principal(c), c.req.param('id'));
    const { photo, created } = await events.photos.add(principal(c), e, c.req.valid('json'), key);
    return c.json({ photo: photoView(c, photo), created }, created ? 201 : 200);
  });
  r.get(`/events/:id/photos/:photoId${ID}`, { access: READ }, async (c) => {
    const e = events.get(principal(c), c.req.param('id'));
    const { photo, bytes } = await events.photos.read(e, Number(c.req.param('photoId')));
    return c.body(new Uint8Array(bytes), 200, {
      'Content-Type': photo.type,
      'Content-Length': String(bytes.length),
      'Cache-Control': 'private, max-age=86400',
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': `inline; filename="photo-${photo.id}.${photo.type.slice(6).replace('jpeg', 'jpg')}"; filename*=UTF-8''${encodeURIComponent(photo.name)}`,
    });
  });

  // An unknown action is a 404 before its body is read.
  const knownAction: MiddlewareHandler = async function knownAction(c, next) {
    if (!actionParam.safeParse(c.req.param('action')).success) {
      throw new DomainError(404, 'error.not_found', `no action ${c.req.param('action')}; actions are ${ACTIONS.join(', ')}`);
    }
    await next();
  };
  r.post('/events/:id/:action', { access: actionRoute, body: transitionWithPhotosBody, bodyOptional: true, response: actionAnswer, idempotent: true },
    limitedBody(MAX_BODY), knownAction, async (c) => {
      const { event, photos } = await events.transitionWithPhotos(principal(c), c.req.param('id'), actionParam.parse(c.req.param('action')), c.req.valid('json'));
      return c.json({ event: view(c, event), ...(photos ? { photos } : {}) });
    });

  return r;
}
