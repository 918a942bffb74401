/**
 * HTTP routes of an incident's timeline and after-action report (server/emergency/after-action.ts),
 * mounted under /api/v1. Every write takes an Idempotency-Key: a retry on a bad line adds one
 * objective, one action. The export is the timeline, the actions or the people figures (one row
 * a figure: call-outs and duty, each shelter, each item) as CSV or XLSX (server/http/sheet.ts),
 * logged as a records export.
 */
import type { Context } from 'hono';
import { Routes } from '../http/routes.ts';
import { ID, idParam, limitedBody, principal } from '../http/validate.ts';
import { sheetLocale, sheetResponse, type SheetColumn } from '../http/sheet.ts';
import { actorOf, type AuditEntry } from '../auth/audit.ts';
import { localDay } from '../../shared/time.ts';
import { fill, type Locale } from '../../shared/i18n.ts';
import * as words from '../../shared/i18n/console-after-action.ts';
import * as board from '../../shared/i18n/emergency-board.ts';
import * as incidentWords from '../../shared/i18n/console-emergency.ts';
import {
  actionAnswer, actionListAnswer, actionListQuery, actionStatusBody, afterActionAnswer, correctiveActionBody, objectiveAnswer, objectiveBody,
  rateObjectiveBody, reportExportQuery, timelineAnswer, timelineQuery, type CorrectiveActionView, type PeopleFigures, type TimelineEntry,
} from '../../shared/after-action.ts';
import { whatText, type Say } from '../../shared/after-action-text.ts';
import { READ } from './access.ts';
import { REPORT_READ, REVIEW, type AfterActionService } from './after-action.ts';

export interface AfterActionRouteDeps {
  auditSoon?: (entry: AuditEntry) => void;
  now: () => number;
  timeZoneOf: (communityId: string) => string;
  /** A grid's name in the export's language. */
  gridName?: (gridId: string, locale: Locale) => string;
}

export function afterActionRoutes(svc: AfterActionService, deps: AfterActionRouteDeps): Routes {
  const r = new Routes();
  const small = limitedBody(16 * 1024);
  const objectiveParam = (c: Context) => Number(c.req.param('oid'));

  r.get(`/incidents/:id${ID}/timeline`, { access: REPORT_READ, query: timelineQuery, response: timelineAnswer }, (c) =>
    c.json(svc.timeline(principal(c), idParam(c), c.req.valid('query'))));
  r.get(`/incidents/:id${ID}/report`, { access: REPORT_READ, response: afterActionAnswer }, (c) => c.json(svc.report(principal(c), idParam(c))));

  r.post(`/incidents/:id${ID}/objectives`, { access: REVIEW, body: objectiveBody, response: objectiveAnswer, idempotent: true }, small, async (c) =>
    c.json({ objective: await svc.addObjective(principal(c), idParam(c), c.req.valid('json')) }, 201));
  r.post(`/incidents/:id${ID}/objectives/:oid${ID}/rating`, { access: REVIEW, body: rateObjectiveBody, response: objectiveAnswer, idempotent: true }, small,
    async (c) => c.json({ objective: await svc.rateObjective(principal(c), idParam(c), objectiveParam(c), c.req.valid('json')) }));
  r.post(`/incidents/:id${ID}/actions`, { access: REVIEW, body: correctiveActionBody, response: actionAnswer, idempotent: true }, small, async (c) =>
    c.json({ action: await svc.addAction(principal(c), idParam(c), c.req.valid('json')) }, 201));

  r.get('/corrective-actions', { access: READ, query: actionListQuery, response: actionListAnswer }, (c) =>
    c.json({ items: svc.actions(principal(c), c.req.valid('query')) }));
  r.post(`/corrective-actions/:id${ID}/status`, { access: REVIEW, body: actionStatusBody, response: actionAnswer, idempotent: true }, small, async (c) =>
    c.json({ action: await svc.setActionStatus(principal(c), idParam(c), c.req.valid('json')) }));

  r.get(`/incidents/:id${ID}/report/export`, { access: REPORT_READ, query: reportExportQuery }, (c) => {
    const p = principal(c);
    const id = idParam(c);
    const { format, what, lang } = c.req.valid('query');
    const locale = sheetLocale(lang, c.req.header('accept-language'));
    const t = { ...(locale === 'en' ? board.en : board.zhCN), ...(locale === 'en' ? incidentWords.en : incidentWords.zhCN), ...(locale === 'en' ? words.en : words.zhCN) } as Record<string, string>;
    const zone = deps.timeZoneOf(p.communityId);
    const day = localDay(deps.now(), zone).replaceAll('-', '');
    deps.auditSoon?.({ ...actorOf(p), action: 'records.export', targetType: `incident_${what}`, targetId: id, detail: { format }, ip: p.request?.ip ?? null });
    const sheetName = t[`console.aar.sheet.${what}`]!;
    const file = { filename: `${sheetName}-${id}-${day}.${format}`, asciiFilename: `incident-${id}-${what}-${day}.${format}`, sheetName, format, timeZone: zone };
    if (what === 'actions') {
      const rows = svc.report(p, id).actions;
      return sheetResponse<CorrectiveActionView>({ ...file, rows, columns: actionColumns(t) });
    }
    if (what === 'people') {
      const people = svc.report(p, id).figures.people;
      return sheetResponse<FigureRow>({ ...file, rows: people ? peopleRows(people, t) : [], columns: figureColumns(t) });
    }
    const all = svc.timeline(p, id, { offset: 0, limit: Number.MAX_SAFE_INTEGER });
    const gridName = (g: string) => deps.gridName?.(g, locale) ?? g;
    return sheetResponse<TimelineEntry>({ ...file, rows: all.items, columns: timelineColumns(t, gridName) });
  });
  return r;
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

function timelineColumns(t: Record<string, string>, gridName: (id: string) => string): SheetColumn<TimelineEntry>[] {
  return [
    { header: t['console.aar.at']!, kind: 'instant', width: 20, value: (e) => ms(e.at) },
    { header: t['console.aar.kindLabel']!, kind: 'text', width: 12, value: (e) => t[`console.aar.kind.${e.kind}`] ?? e.kind },
    { header: t['console.aar.who']!, kind: 'text', width: 14, value: (e) => (e.who === 'self' ? t['console.aar.self']! : e.whoName ?? t['console.aar.system']!) },
    { header: t['console.aar.what']!, kind: 'text', width: 48, value: (e) => whatText(e, say(t), gridName) },
    { header: t['console.aar.grid']!, kind: 'text', width: 8, value: (e) => e.gridId },
    { header: t['console.aar.address']!, kind: 'text', width: 24, value: (e) => e.address },
  ];
}

function actionColumns(t: Record<string, string>): SheetColumn<CorrectiveActionView>[] {
  return [
    { header: t['console.aar.action']!, kind: 'text', width: 30, value: (a) => a.title },
    { header: t['console.aar.owner']!, kind: 'text', width: 12, value: (a) => a.ownerName },
    { header: t['console.aar.dueDate']!, kind: 'text', width: 12, value: (a) => a.dueDate },
    { header: t['console.aar.check']!, kind: 'text', width: 30, value: (a) => a.check },
    { header: t['console.aar.status']!, kind: 'text', width: 10, value: (a) => t[`console.aar.status.${a.status}`]! + (a.overdue ? ` · ${t['console.aar.overdue']}` : '') },
    { header: t['console.aar.checkNote']!, kind: 'text', width: 30, value: (a) => a.checkNote },
    { header: t['console.aar.closed']!, kind: 'instant', width: 20, value: (a) => ms(a.closedAt) },
  ];
}

/** The catalogue of the export's language as whatText's lookup. */
const say = (t: Record<string, string>): Say => (key, params) => (t[key] === undefined ? null : fill(t[key], params));

/** One figure of the people sheet: which section, of what (a shelter, a shelter's item), its name, its value. */
interface FigureRow { section: string; subject: string; figure: string; value: number | null; unit: string; at: string | null; flag: string }

function figureColumns(t: Record<string, string>): SheetColumn<FigureRow>[] {
  return [
    { header: t['console.aar.section']!, kind: 'text', width: 14, value: (r) => r.section },
    { header: t['console.aar.subject']!, kind: 'text', width: 24, value: (r) => r.subject },
    { header: t['console.aar.figure']!, kind: 'text', width: 18, value: (r) => r.figure },
    { header: t['console.aar.value']!, kind: 'number', width: 10, value: (r) => r.value },
    { header: t['console.aar.unit']!, kind: 'text', width: 8, value: (r) => r.unit },
    { header: t['console.aar.at']!, kind: 'instant', width: 20, value: (r) => ms(r.at) },
    { header: t['console.aar.flag']!, kind: 'text', width: 12, value: (r) => r.flag },
  ];
}

/** The people figures, one row a figure: the call-outs and duty, then each shelter, then each shelter's items. */
export function peopleRows(f: PeopleFigures, t: Record<string, string>): FigureRow[] {
  const m = f.mobilisation;
  const unit = (u: string) => t[`console.aar.unit.${u}`]!;
  const row = (section: string, subject: string, figure: string, value: number | null, u: string, at: string | null = null, flag = '') =>
    ({ section: t[section]!, subject, figure: t[figure]!, value, unit: u, at, flag });
  const mob = (figure: string, value: number | null, u: string, at: string | null = null, flag = '') => row('console.aar.mobilisation', '', figure, value, u, at, flag);
  return [
    mob('console.aar.callouts', m.callouts, unit('callouts')),
    mob('console.aar.asked', m.asked, unit('people')),
    mob('console.aar.accepted', m.accepted, unit('people')),
    mob('console.aar.declined', m.declined, unit('people')),
    mob('console.aar.noAnswer', m.noAnswer, unit('people')),
    mob('console.aar.firstAccepted', m.firstAcceptedMinutes, unit('minutes'), null, m.firstAcceptedMinutes === null && m.callouts ? t['console.aar.noneAccepted']! : ''),
    mob('console.aar.onDutyPeak', m.onDutyPeak, unit('people'), m.onDutyPeakAt),
    mob('console.aar.dutyHours', m.dutyHours, unit('hours')),
    ...f.shelters.flatMap((s) => [
      row('console.aar.shelters', s.name, 'console.aar.capacity', s.capacity, unit('people')),
      row('console.aar.shelters', s.name, 'console.aar.peak', s.peak, unit('people'), s.peakAt),
      row('console.aar.shelters', s.name, 'console.aar.checkedIn', s.checkedIn, unit('people')),
      row('console.aar.shelters', s.name, 'console.aar.householdsIn', s.households, unit('households')),
      row('console.aar.shelters', s.name, 'console.aar.presentAtEnd', s.presentAtEnd, unit('people')),
    ]),
    ...f.supplies.flatMap((i) => [
      row('console.aar.supplies', `${i.shelterName} · ${i.item}`, 'console.aar.received', i.received, i.unit),
      row('console.aar.supplies', `${i.shelterName} · ${i.item}`, 'console.aar.issued', i.issued, i.unit),
      row('console.aar.supplies', `${i.shelterName} · ${i.item}`, 'console.aar.onHandAtEnd', i.onHandAtEnd, i.unit, null, i.low ? t['console.aar.low']! : ''),
    ]),
  ];
}
