/**
 * HTTP routes for needs, resources, matching and tasks, mounted under /api/v1 by `createHttpApp`:
 * `/needs`, `/resources`, `/tasks`. Same rules as the other APIs: every body and query is
 * checked with the zod schemas in shared/needs.ts, a bad one is a 400 naming each field and
 * writes nothing; a missing thing is a 404, a refused change a 409 naming the status. Errors
 * are DomainErrors, answered by the parent app's error handler.
 */
import type { Context } from 'hono';
import { Routes } from '../http/routes.ts';
import { actorOf, type AuditEntry } from '../auth/audit.ts';
import { sheetLocale, sheetResponse, type SheetColumn } from '../http/sheet.ts';
import { localDay } from '../../shared/time.ts';
import type { SubjectViews } from '../../shared/subjects.ts';
import { allRows, listSheetName, listsByStatus, needColumns, needsByStatus, resourceColumns, taskColumns, type ListsSheetContext } from './ledger.ts';
import { COORDINATE, ON_SITE, RESOURCES, STAFF } from './access.ts';
import { ID, idParam, limitedBody, principal, timeZoneOf } from '../http/validate.ts';
import type { NeedService } from './service.ts';
import { viewMatch, viewNeed, viewResource, viewTask } from './record.ts';
import {
  acceptMatchBody, closeNeedBody, createResourceBody, declineMatchBody, listNeedsQuery, listResourcesQuery, listTasksQuery,
  needStepBody, needsExportQuery, proposeBody, raiseNeedBody, rateNeedBody, resourceStatusBody, resourcesExportQuery, tasksExportQuery,
  type NeedFlowView,
} from '../../shared/needs.ts';

/** A need may name the resident who raised it: opening one, or a page of them, is a read of someone's record to log. */
const RESIDENT = ['residentName', 'residentPhone'];

/** What the board's routes need besides the service: the wall's views, the audit log, the grids' names. */
export interface NeedRouteDeps {
  /** The community's five-subject views, the very ones the wall's snapshot carries. */
  subjectViews?: (communityId: string) => SubjectViews | undefined;
  auditSoon?: (entry: AuditEntry) => void;
  gridName?: (id: string) => { zh: string; en: string } | null;
}

/** The routes; the parent sets the principal (`c.get('principal')`) before they run. */
export function needRoutes(svc: NeedService, deps: NeedRouteDeps = {}): Routes {
  const r = new Routes();
  const limited = limitedBody();

  const tz = timeZoneOf(svc);
  const needView = (c: Context, n: Parameters<typeof viewNeed>[0]) => viewNeed(n, svc.now(), tz(c));

  // ---- needs ---------------------------------------------------------------------------------

  r.get('/needs', { access: STAFF, reads: { targetType: 'needs', at: 'items', personal: RESIDENT }, query: listNeedsQuery }, (c) => {
    const page = svc.lifecycle.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((n) => needView(c, n)), nextCursor: page.nextCursor });
  });

  r.post('/needs', { access: STAFF, body: raiseNeedBody, idempotent: true }, limited, async (c) => {
    const n = await svc.lifecycle.raise(principal(c), c.req.valid('json'));
    return c.json({ need: needView(c, n) }, 201);
  });

  /**
   * The board's flow figures: the needs' figures and the linkage flow (Sankey) taken from the
   * wall's own subject views, so the board and the wall cannot disagree; and the counts per status.
   */
  r.get('/needs/flow', STAFF, (c) => {
    const p = principal(c);
    const views = deps.subjectViews?.(p.communityId);
    const out: NeedFlowView = {
      needs: views?.needs ?? { raisedToday: 0, metToday: 0, open: 0, overdue: 0, avgResponseHours: null, daily: [], byCategory: [] },
      linkage: views?.linkage ?? { nodes: [], links: [] },
      byStatus: needsByStatus(svc.db, p),
      ...listsByStatus(svc.db, p),
    };
    return c.json(out);
  });

  // ---- the ledgers out: every row under the list's filters, CSV or XLSX; the file is audited here ----

  const sheet = <T>(c: Context, list: 'needs' | 'resources' | 'tasks', q: { format: 'csv' | 'xlsx'; lang?: 'zh-CN' | 'en' },
    filters: Record<string, unknown>, rows: T[], columns: (ctx: ListsSheetContext) => SheetColumn<T>[]) => {
    const p = principal(c);
    deps.auditSoon?.({ ...actorOf(p), action: 'records.export', targetType: list, detail: { format: q.format, ...filters, rows: rows.length }, ip: p.request?.ip ?? null });
    const locale = sheetLocale(q.lang, c.req.header('accept-language'));
    const timeZone = tz(c);
    const day = localDay(svc.now(), timeZone).replaceAll('-', '');
    const sheetName = listSheetName(locale, list);
    return sheetResponse({
      format: q.format, timeZone, rows, sheetName,
      filename: `${locale === 'en' ? list : sheetName}-${day}.${q.format}`, asciiFilename: `${list}-${day}.${q.format}`,
      columns: columns({ locale, gridName: deps.gridName ?? (() => null), now: svc.now() }),
    });
  };

  r.get('/needs/export', { access: STAFF, query: needsExportQuery }, (c) => {
    const { format, lang, ...filters } = c.req.valid('query');
    const rows = allRows((limit) => svc.lifecycle.list(principal(c), { ...filters, limit }), 'status');
    return sheet(c, 'needs', { format, lang }, filters, rows, needColumns);
  });

  r.get('/resources/export', { access: STAFF, query: resourcesExportQuery }, (c) => {
    const { format, lang, ...filters } = c.req.valid('query');
    const rows = allRows((limit) => svc.resources.list(principal(c), { ...filters, limit }), 'status');
    return sheet(c, 'resources', { format, lang }, filters, rows, resourceColumns);
  });

  r.get('/tasks/export', { access: STAFF, query: tasksExportQuery }, (c) => {
    const { format, lang, ...filters } = c.req.valid('query');
    const rows = allRows((limit) => svc.tasks.list(principal(c), { ...filters, limit }), 'status');
    return sheet(c, 'tasks', { format, lang }, filters, rows, taskColumns);
  });

  /** A need's history: every step, its matches' declines and its project, naming who. */
  r.get(`/needs/:id${ID}/history`, STAFF, (c) => {
    const n = svc.lifecycle.get(principal(c), idParam(c));
    return c.json({ items: svc.history(n.id, tz(c)) });
  });

  /** A need with its matches, its task or project: by id or by code (XQ-2026-0001). */
  const detail = (c: Context, idOrCode: string) => {
    const n = svc.lifecycle.get(principal(c), idOrCode);
    const task = svc.tasks.ofNeed(principal(c), n.id);
    return c.json({
      need: needView(c, n),
      matches: svc.matches.list(principal(c), n.id).map((m) => viewMatch(m, tz(c))),
      task: task ? viewTask(task, tz(c)) : null,
      project: svc.lifecycle.projectOf(principal(c), n.id),
    });
  };
  r.get(`/needs/:id${ID}`, { access: STAFF, reads: { targetType: 'needs', at: 'need', personal: RESIDENT } }, (c) => detail(c, c.req.param('id')));
  r.get('/needs/:code{XQ-[0-9]{4}-[0-9]{1,9}}', { access: STAFF, reads: { targetType: 'needs', at: 'need', personal: RESIDENT } }, (c) => detail(c, c.req.param('code')));

  r.get(`/needs/:id${ID}/matches`, STAFF, (c) => c.json({ items: svc.matches.list(principal(c), idParam(c)).map((m) => viewMatch(m, tz(c))) }));

  /** Propose resources (matching); an empty body proposes up to 5. */
  r.post(`/needs/:id${ID}/matches`, { access: COORDINATE, body: proposeBody, bodyOptional: true }, limited, async (c) => {
    const items = await svc.matches.propose(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ items: items.map((m) => viewMatch(m, tz(c))) });
  });

  r.post(`/needs/:id${ID}/matches/:matchId${ID}/accept`, { access: COORDINATE, body: acceptMatchBody, bodyOptional: true }, limited, async (c) => {
    const out = await svc.matches.accept(principal(c), idParam(c), idParam(c, 'matchId'), c.req.valid('json'));
    return c.json({
      need: needView(c, out.need), match: viewMatch(out.match, tz(c)),
      task: out.task ? viewTask(out.task, tz(c)) : null, project: out.project,
    });
  });

  r.post(`/needs/:id${ID}/matches/:matchId${ID}/decline`, { access: COORDINATE, body: declineMatchBody, bodyOptional: true }, limited, async (c) => {
    const m = await svc.matches.decline(principal(c), idParam(c), idParam(c, 'matchId'), c.req.valid('json'));
    return c.json({ match: viewMatch(m, tz(c)) });
  });

  r.post(`/needs/:id${ID}/start`, { access: ON_SITE, body: needStepBody, bodyOptional: true }, limited, async (c) => {
    const n = await svc.lifecycle.start(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ need: needView(c, n) });
  });

  r.post(`/needs/:id${ID}/meet`, { access: ON_SITE, body: needStepBody, bodyOptional: true }, limited, async (c) => {
    const n = await svc.lifecycle.meet(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ need: needView(c, n) });
  });

  r.post(`/needs/:id${ID}/rate`, { access: ON_SITE, body: rateNeedBody }, limited, async (c) => {
    const n = await svc.lifecycle.rate(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ need: needView(c, n) });
  });

  r.post(`/needs/:id${ID}/close`, { access: COORDINATE, body: closeNeedBody }, limited, async (c) => {
    const n = await svc.lifecycle.close(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ need: needView(c, n) });
  });

  // ---- resources -------------------------------------------------------------------------------

  r.get('/resources', { access: STAFF, query: listResourcesQuery }, (c) => {
    const page = svc.resources.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((x) => viewResource(x, tz(c))), nextCursor: page.nextCursor });
  });

  r.post('/resources', { access: RESOURCES, body: createResourceBody }, limited, async (c) => {
    const x = await svc.resources.create(principal(c), c.req.valid('json'));
    return c.json({ resource: viewResource(x, tz(c)) }, 201);
  });

  r.get(`/resources/:id${ID}`, STAFF, (c) => c.json({ resource: viewResource(svc.resources.get(principal(c), idParam(c)), tz(c)) }));

  r.post(`/resources/:id${ID}/status`, { access: RESOURCES, body: resourceStatusBody }, limited, async (c) => {
    const x = await svc.resources.setStatus(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ resource: viewResource(x, tz(c)) });
  });

  // ---- tasks -----------------------------------------------------------------------------------

  r.get('/tasks', { access: STAFF, query: listTasksQuery }, (c) => {
    const page = svc.tasks.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((t) => viewTask(t, tz(c))), nextCursor: page.nextCursor });
  });

  r.get(`/tasks/:id${ID}`, STAFF, (c) => c.json({ task: viewTask(svc.tasks.get(principal(c), idParam(c)), tz(c)) }));

  return r;
}
