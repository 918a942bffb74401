/**
 * HTTP routes for field logs (server/fieldwork/service.ts), mounted under /api/v1: log a patrol
 * or a visit (each takes an Idempotency-Key: the tablet's outbox sends it again until it has
 * the answer), list them and read one. Reading visits, which speak of residents, is logged.
 */
import { Routes } from '../http/routes.ts';
import { ID, idParam, limitedBody, principal } from '../http/validate.ts';
import {
  fieldLogQuery, logPatrolBody, logVisitBody, patrolAnswer, patrolListAnswer, visitAnswer, visitListAnswer, visitLogQuery,
} from '../../shared/fieldwork.ts';
import { LOG, READ } from './access.ts';
import type { FieldworkService } from './service.ts';

/** A visit speaks of a household and its residents: every one is someone's. */
const VISITS = { targetType: 'visits', personal: [] } as const;

export function fieldworkRoutes(svc: FieldworkService): Routes {
  const r = new Routes();
  const limited = limitedBody(128 * 1024);

  r.post('/patrols', { access: LOG, body: logPatrolBody, response: patrolAnswer, idempotent: true }, limited, async (c) =>
    c.json({ patrol: await svc.logPatrol(principal(c), c.req.valid('json')) }, 201));
  r.get('/patrols', { access: READ, query: fieldLogQuery, response: patrolListAnswer }, (c) =>
    c.json({ items: svc.patrols(principal(c), c.req.valid('query')) }));
  r.get(`/patrols/:id${ID}`, { access: READ, response: patrolAnswer }, (c) => c.json({ patrol: svc.patrol(principal(c), idParam(c)) }));

  r.post('/visits', { access: LOG, body: logVisitBody, response: visitAnswer, idempotent: true }, limited, async (c) =>
    c.json({ visit: await svc.logVisit(principal(c), c.req.valid('json')) }, 201));
  r.get('/visits', { access: READ, query: visitLogQuery, response: visitListAnswer, reads: { ...VISITS, at: 'items' } }, (c) =>
    c.json({ items: svc.visits(principal(c), c.req.valid('query')) }));
  r.get(`/visits/:id${ID}`, { access: READ, response: visitAnswer, reads: { ...VISITS, at: 'visit' } }, (c) =>
    c.json({ visit: svc.visit(principal(c), idParam(c)) }));
  return r;
}
