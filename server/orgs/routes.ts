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
import {
  closeCaseBody, createProjectBody, listCasesQuery, listOrgsQuery, listProjectsQuery, listServicesQuery, listWorkersQuery,
  openCaseBody, orgStatusBody, pageQuery, projectStatusBody, rateServiceBody, recordExpenseBody, recordServiceBody,
  registerOrgBody, registerWorkerBody, serviceSummaryQuery, updateOrgBody, workerStatusBody,
} from '../../shared/orgs.ts';

/** A case names its client: opening one, or a page of them, is a read of someone's record to log. */
const CLIENT = ['clientName', 'clientPhone'];

/** The routes; the parent sets the principal (`c.get('principal')`) before they run. */
export function orgRoutes(svc: OrgService): Routes {
  const r = new Routes();
  const limited = limitedBody();

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

  r.post('/cases', { access: CASEWORK, body: openCaseBody }, limited, async (c) => {
    const k = await svc.cases.open(principal(c), c.req.valid('json'));
    return c.json({ case: viewCase(k, 0, tz(c)) }, 201);
  });

  r.get(`/cases/:id${ID}`, { access: CASEWORK, reads: { targetType: 'cases', at: 'case', personal: [] } }, (c) => {
    const k = svc.cases.get(principal(c), idParam(c));
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

  return r;
}
