/**
 * HTTP routes for organizations, projects, social workers, cases and services, mounted under
 * /api/v1 by `createHttpApp`: `/orgs`, `/social-workers`, `/projects`, `/cases`, `/services`.
 * Same rules as the other APIs: every body and query is checked with the zod schemas of
 * shared/orgs.ts, a bad one is a 400 naming each field and writes nothing; a missing thing is a
 * 404, a refused change a 409 naming the current status. Errors are DomainErrors, answered by
 * the parent app's error handler.
 */
import type { Context } from 'hono';
import { Routes } from '../http/routes.ts';
import { ID, idParam, limitedBody, principal, timeZoneOf } from '../http/validate.ts';
import type { OrgService } from './service.ts';
import { CASEWORK, MANAGE, RATE, STAFF } from './access.ts';
import { viewCase, viewExpense, viewOrg, viewProject, viewService, viewWorker, type ProjectRecord } from './record.ts';
import { actorOf, type AuditEntry } from '../auth/audit.ts';
import { sheetLocale, sheetResponse, type SheetColumn } from '../http/sheet.ts';
import { localDay } from '../../shared/time.ts';
import type { Locale } from '../../shared/i18n.ts';
import * as orgsDesk from '../../shared/i18n/console-orgs.ts';
import {
  allPages, caseColumns, expenseColumns, orgColumns, projectColumns, projectSummary, serviceColumns, viewVisit, type SheetContext,
} from './desk.ts';
import {
  closeCaseBody, createProjectBody, listCasesQuery, listOrgsQuery, listProjectsQuery, listServicesQuery, listWorkersQuery,
  openCaseBody, orgStatusBody, pageQuery, projectStatusBody, rateServiceBody, recordExpenseBody, recordServiceBody,
  registerOrgBody, registerWorkerBody, serviceSummaryQuery, updateOrgBody, workerStatusBody,
  cancelVisitBody, exportCasesQuery, exportExpensesQuery, exportOrgsQuery, exportProjectsQuery, exportServicesQuery, listVisitsQuery,
  planVisitBody, updateCaseBody,
} from '../../shared/orgs.ts';

/** What the ledgers out need besides the service: the audit log, the clock. */
export interface OrgRouteDeps {
  /** Write an audit line soon (an export of people's records). */
  auditSoon: (entry: AuditEntry) => void;
  now: () => number;
}

/** A case names its client: opening one, or a page of them, is a read of someone's record to log. */
const CLIENT = ['clientName', 'clientPhone'];

/** The routes; the parent sets the principal (`c.get('principal')`) before they run. */
export function orgRoutes(svc: OrgService, deps: OrgRouteDeps | null = null): Routes {
  const r = new Routes();
  const limited = limitedBody();

  /**
   * A ledger out (台账导出) as CSV or XLSX, streamed, headed in the asked language, logged in the
   * audit with its filters (the gate's read audit reads JSON answers; a file is logged here).
   */
  const PAGE = 500;
  const sheet = <T>(c: Context, what: 'orgs' | 'projects' | 'expenses' | 'cases' | 'services',
    q: { format: 'csv' | 'xlsx'; lang?: Locale | undefined } & Record<string, unknown>,
    rows: Iterable<T>, columns: (ctx: SheetContext) => SheetColumn<T>[]) => {
    const p = principal(c);
    const { format, lang, ...filters } = q;
    deps?.auditSoon({ ...actorOf(p), action: 'records.export', targetType: what, detail: { format, ...filters }, ip: p.request?.ip ?? null });
    const locale = sheetLocale(lang, c.req.header('accept-language'));
    const zone = tz(c);
    const day = localDay(deps?.now() ?? Date.now(), zone).replaceAll('-', '');
    const sheetName = (locale === 'en' ? orgsDesk.en : orgsDesk.zhCN)[`console.orgs.sheet.${what}`];
    const names = new Map<string, string | null>();
    const cached = (key: string, read: () => string | null) => (names.has(key) ? names.get(key)! : (names.set(key, read()), names.get(key)!));
    const ctx: SheetContext = {
      locale,
      orgName: (id) => (id === null ? null : cached(`o${id}`, () => svc.store.orgRow(id).name)),
      workerName: (id) => (id === null ? null : cached(`w${id}`, () => svc.store.workerRow(id).name)),
      projectCode: (id) => (id === null ? null : cached(`p${id}`, () => svc.projects.get(p, id).code)),
    };
    return sheetResponse({
      format, timeZone: zone, rows, sheetName, columns: columns(ctx),
      filename: `${locale === 'en' ? what : sheetName}-${day}.${format}`, asciiFilename: `${what}-${day}.${format}`,
    });
  };

  const tz = timeZoneOf(svc);
  const projectViews = (c: Context, list: ProjectRecord[]) => {
    const tallies = svc.projects.tallies(list.map((p) => p.id));
    return list.map((p) => viewProject(p, tallies.get(p.id)!, tz(c)));
  };

  // ---- organizations ----------------------------------------------------------------------

  r.get('/orgs', { access: STAFF, query: listOrgsQuery }, (c) => {
    const page = svc.organizations.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((o) => viewOrg(o, tz(c))), nextCursor: page.nextCursor });
  });

  r.post('/orgs', { access: MANAGE, body: registerOrgBody }, limited, async (c) => {
    const o = await svc.organizations.register(principal(c), c.req.valid('json'));
    return c.json({ organization: viewOrg(o, tz(c)) }, 201);
  });

  r.get('/orgs/export', { access: STAFF, query: exportOrgsQuery }, (c) => {
    const q = c.req.valid('query');
    const p = principal(c);
    const rows = allPages((cursor) => svc.organizations.list(p, { ...q, limit: PAGE, cursor }));
    return sheet(c, 'orgs', q, rows, orgColumns);
  });

  r.get(`/orgs/:id${ID}`, STAFF, (c) => {
    const o = svc.organizations.get(principal(c), idParam(c));
    const projects = svc.projects.list(principal(c), { org: o.id, limit: 100 }).items;
    const workers = svc.socialWorkers.list(principal(c), { org: o.id, limit: 100 }).items;
    return c.json({ organization: viewOrg(o, tz(c)), projects: projectViews(c, projects), socialWorkers: workers.map((w) => viewWorker(w, tz(c))) });
  });

  r.patch(`/orgs/:id${ID}`, { access: MANAGE, body: updateOrgBody }, limited, async (c) => {
    const o = await svc.organizations.update(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ organization: viewOrg(o, tz(c)) });
  });

  r.post(`/orgs/:id${ID}/status`, { access: MANAGE, body: orgStatusBody }, limited, async (c) => {
    const o = await svc.organizations.setStatus(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ organization: viewOrg(o, tz(c)) });
  });

  // ---- social workers ---------------------------------------------------------------------

  r.get('/social-workers', { access: STAFF, query: listWorkersQuery }, (c) => {
    const page = svc.socialWorkers.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((w) => viewWorker(w, tz(c))), nextCursor: page.nextCursor });
  });

  r.post('/social-workers', { access: MANAGE, body: registerWorkerBody }, limited, async (c) => {
    const w = await svc.socialWorkers.register(principal(c), c.req.valid('json'));
    return c.json({ socialWorker: viewWorker(w, tz(c)) }, 201);
  });

  r.get(`/social-workers/:id${ID}`, STAFF, (c) => c.json({ socialWorker: viewWorker(svc.socialWorkers.get(principal(c), idParam(c)), tz(c)) }));

  r.post(`/social-workers/:id${ID}/status`, { access: MANAGE, body: workerStatusBody }, limited, async (c) => {
    const w = await svc.socialWorkers.setStatus(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ socialWorker: viewWorker(w, tz(c)) });
  });

  // ---- projects ---------------------------------------------------------------------------

  r.get('/projects', { access: STAFF, query: listProjectsQuery }, (c) => {
    const page = svc.projects.list(principal(c), c.req.valid('query'));
    return c.json({ items: projectViews(c, page.items), nextCursor: page.nextCursor });
  });

  r.post('/projects', { access: MANAGE, body: createProjectBody }, limited, async (c) => {
    const p = await svc.projects.create(principal(c), c.req.valid('json'));
    return c.json({ project: projectViews(c, [p])[0] }, 201);
  });

  r.get('/projects/export', { access: STAFF, query: exportProjectsQuery }, (c) => {
    const q = c.req.valid('query');
    const p = principal(c);
    const all = [...allPages((cursor) => svc.projects.list(p, { ...q, limit: PAGE, cursor }))];
    const tallies = svc.projects.tallies(all.map((x) => x.id));
    return sheet(c, 'projects', q, all, (ctx) => projectColumns(ctx, (id) => tallies.get(id)!));
  });

  // The project page: what it delivered, to whom, how it was rated, what it spent and what remains.
  r.get(`/projects/:id${ID}/summary`, STAFF, (c) => {
    const pr = svc.projects.get(principal(c), idParam(c));
    return c.json({ project: projectViews(c, [pr])[0], summary: projectSummary(svc.store, pr) });
  });

  r.get(`/projects/:id${ID}/expenses/export`, { access: STAFF, query: exportExpensesQuery }, (c) => {
    const q = c.req.valid('query');
    const p = principal(c);
    const id = idParam(c);
    svc.projects.get(p, id);
    const rows = allPages((cursor) => svc.projects.expenses(p, id, { limit: PAGE, cursor }));
    return sheet(c, 'expenses', { ...q, project: id }, rows, expenseColumns);
  });

  r.get(`/projects/:id${ID}`, STAFF, (c) => c.json({ project: projectViews(c, [svc.projects.get(principal(c), idParam(c))])[0] }));

  r.post(`/projects/:id${ID}/status`, { access: MANAGE, body: projectStatusBody }, limited, async (c) => {
    const p = await svc.projects.setStatus(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ project: projectViews(c, [p])[0] });
  });

  r.get(`/projects/:id${ID}/expenses`, { access: STAFF, query: pageQuery }, (c) => {
    const page = svc.projects.expenses(principal(c), idParam(c), c.req.valid('query'));
    return c.json({ items: page.items.map((e) => viewExpense(e, tz(c))), nextCursor: page.nextCursor });
  });

  r.post(`/projects/:id${ID}/expenses`, { access: MANAGE, body: recordExpenseBody }, limited, async (c) => {
    const out = await svc.projects.recordExpense(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ expense: viewExpense(out.expense, tz(c)), project: projectViews(c, [out.project])[0] }, 201);
  });

  // ---- cases ------------------------------------------------------------------------------

  r.get('/cases', { access: CASEWORK, reads: { targetType: 'cases', at: 'items', personal: CLIENT }, query: listCasesQuery }, (c) => {
    const page = svc.cases.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((k) => viewCase(k, svc.cases.sessionsOf(k.id), tz(c))), nextCursor: page.nextCursor });
  });

  // Cases with their clients, as the list shows them to this person (a social worker their own).
  r.get('/cases/export', { access: CASEWORK, query: exportCasesQuery }, (c) => {
    const q = c.req.valid('query');
    const p = principal(c);
    const rows = allPages((cursor) => svc.cases.list(p, { ...q, limit: PAGE, cursor }));
    return sheet(c, 'cases', q, rows, (ctx) => caseColumns(ctx, (id) => svc.cases.sessionsOf(id)));
  });

  r.post('/cases', { access: CASEWORK, body: openCaseBody }, limited, async (c) => {
    const k = await svc.cases.open(principal(c), c.req.valid('json'));
    return c.json({ case: viewCase(k, 0, tz(c)) }, 201);
  });

  r.get(`/cases/:id${ID}`, { access: CASEWORK, reads: { targetType: 'cases', at: 'case', personal: [] } }, (c) => {
    const k = svc.cases.get(principal(c), idParam(c));
    return c.json({ case: viewCase(k, svc.cases.sessionsOf(k.id), tz(c)) });
  });

  // A case's goals (个案目标), replaced whole; a colleague's change meanwhile is a 409 naming them.
  r.patch(`/cases/:id${ID}`, { access: CASEWORK, body: updateCaseBody }, limited, async (c) => {
    const k = await svc.cases.updateGoals(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ case: viewCase(k, svc.cases.sessionsOf(k.id), tz(c)) });
  });

  r.post(`/cases/:id${ID}/close`, { access: CASEWORK, body: closeCaseBody, bodyOptional: true }, limited, async (c) => {
    const k = await svc.cases.close(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ case: viewCase(k, svc.cases.sessionsOf(k.id), tz(c)) });
  });

  // ---- services ---------------------------------------------------------------------------

  r.get('/services', { access: STAFF, query: listServicesQuery }, (c) => {
    const page = svc.services.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((s) => viewService(s, tz(c))), nextCursor: page.nextCursor });
  });

  r.get('/services/export', { access: STAFF, query: exportServicesQuery }, (c) => {
    const q = c.req.valid('query');
    const p = principal(c);
    const rows = allPages((cursor) => svc.services.list(p, { ...q, limit: PAGE, cursor }));
    return sheet(c, 'services', q, rows, serviceColumns);
  });

  r.get('/services/summary', { access: STAFF, query: serviceSummaryQuery }, (c) => c.json(svc.services.summary(principal(c), c.req.valid('query'))));

  r.post('/services', { access: CASEWORK, body: recordServiceBody }, limited, async (c) => {
    const s = await svc.services.record(principal(c), c.req.valid('json'));
    return c.json({ service: viewService(s, tz(c)) }, 201);
  });

  r.get(`/services/:id${ID}`, STAFF, (c) => c.json({ service: viewService(svc.services.get(principal(c), idParam(c)), tz(c)) }));

  r.post(`/services/:id${ID}/rating`, { access: RATE, body: rateServiceBody }, limited, async (c) => {
    const s = await svc.services.rate(principal(c), idParam(c), c.req.valid('json'));
    return c.json({ service: viewService(s, tz(c)) });
  });

  // ---- planned visits (走访计划): the social worker's schedule ----------------------------

  r.get('/planned-visits', { access: CASEWORK, query: listVisitsQuery }, (c) => {
    const out = svc.visits.day(principal(c), c.req.valid('query'));
    return c.json({ day: out.day, items: out.items.map((v) => viewVisit(v, tz(c))) });
  });

  r.post('/planned-visits', { access: CASEWORK, body: planVisitBody }, limited, async (c) => {
    const v = await svc.visits.plan(principal(c), c.req.valid('json'));
    return c.json({ visit: viewVisit(v, tz(c)) }, 201);
  });

  r.post(`/planned-visits/:id${ID}/cancel`, { access: CASEWORK, body: cancelVisitBody, bodyOptional: true }, limited, async (c) => {
    const v = await svc.visits.cancel(principal(c), idParam(c));
    return c.json({ visit: viewVisit(v, tz(c)) });
  });

  return r;
}
