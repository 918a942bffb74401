/**
 * HTTP routes for incidents (server/emergency/incidents.ts), mounted under /api/v1: declare,
 * update and end (each takes an Idempotency-Key: a dispatcher's retry on a bad line declares
 * once), the active incident, the list, one with its steps, and which screens show it.
 */
import type { Context } from 'hono';
import { Routes } from '../http/routes.ts';
import { contentDisposition } from '../http/sheet.ts';
import { ID, idParam, limitedBody, principal } from '../http/validate.ts';
import {
  activeIncidentAnswer, declareIncidentBody, endIncidentBody, incidentAnswer, incidentDetailAnswer, incidentListAnswer, incidentListQuery,
  incidentCapQuery, incidentScreensAnswer, updateIncidentBody,
} from '../../shared/emergency.ts';
import { COMMAND, READ } from './access.ts';
import { ATOM_MEDIA_TYPE, CAP_MEDIA_TYPE, type CapExport } from './cap.ts';
import type { IncidentService } from './incidents.ts';

/** An XML document to download: its type, its name, never cached (staff read it signed in). */
const xmlFile = (c: Context, type: string, file: { xml: string; filename: string }) =>
  c.body(file.xml, 200, { 'content-type': type, 'content-disposition': contentDisposition(file.filename, file.filename), 'cache-control': 'no-store' });

export function emergencyRoutes(svc: IncidentService, cap?: CapExport): Routes {
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
  if (cap) {
    r.get(`/incidents/:id${ID}/cap`, { access: READ, query: incidentCapQuery }, (c) =>
      xmlFile(c, CAP_MEDIA_TYPE, cap.message(principal(c), idParam(c), c.req.valid('query').version)));
    r.get(`/incidents/:id${ID}/cap/feed`, { access: READ }, (c) => {
      const id = idParam(c);
      const messages = c.req.path.replace(/\/feed$/, '');
      return xmlFile(c, ATOM_MEDIA_TYPE, cap.feed(principal(c), id, { self: c.req.path, one: (v) => `${messages}?version=${v}` }));
    });
  }
  return r;
}
