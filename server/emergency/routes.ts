/**
 * HTTP routes for incidents (server/emergency/incidents.ts), mounted under /api/v1: declare,
 * update and end (each takes an Idempotency-Key: a dispatcher's retry on a bad line declares
 * once), the active incident, the list, one with its steps, and which screens show it.
 */
import { Routes } from '../http/routes.ts';
import { ID, idParam, limitedBody, principal } from '../http/validate.ts';
import {
  activeIncidentAnswer, declareIncidentBody, endIncidentBody, incidentAnswer, incidentDetailAnswer, incidentListAnswer, incidentListQuery,
  incidentScreensAnswer, updateIncidentBody,
} from '../../shared/emergency.ts';
import { COMMAND, READ } from './access.ts';
import type { IncidentService } from './incidents.ts';

export function emergencyRoutes(svc: IncidentService): Routes {
  const r = new Routes();
  const limited = limitedBody(32 * 1024);

  r.post('/incidents', { access: COMMAND, body: declareIncidentBody, response: incidentAnswer, idempotent: true }, limited, async (c) =>
    c.json({ incident: await svc.declare(principal(c), c.req.valid('json')) }, 201));
  r.get('/incidents', { access: READ, query: incidentListQuery, response: incidentListAnswer }, (c) =>
    c.json({ items: svc.list(principal(c), c.req.valid('query')) }));
  r.get('/incidents/active', { access: READ, response: activeIncidentAnswer }, (c) => c.json({ incident: svc.activeView(principal(c)) }));
  r.get(`/incidents/:id${ID}`, { access: READ, response: incidentDetailAnswer }, (c) => c.json(svc.get(principal(c), idParam(c))));
  r.get(`/incidents/:id${ID}/screens`, { access: READ, response: incidentScreensAnswer }, (c) => c.json(svc.screens(principal(c), idParam(c))));
  r.post(`/incidents/:id${ID}/update`, { access: COMMAND, body: updateIncidentBody, response: incidentAnswer, idempotent: true }, limited, async (c) =>
    c.json({ incident: await svc.update(principal(c), idParam(c), c.req.valid('json')) }));
  r.post(`/incidents/:id${ID}/end`, { access: COMMAND, body: endIncidentBody, response: incidentAnswer, idempotent: true }, limited, async (c) =>
    c.json({ incident: await svc.end(principal(c), idParam(c), c.req.valid('json')) }));
  return r;
}
