/**
 * HTTP routes of an incident's people and places (server/emergency/people.ts), under /api/v1.
 * Every write a client may send again takes an Idempotency-Key and applies once: a call-out, a
 * volunteer's answer and duty from their phone, a shelter opened, people counted in or out,
 * supplies booked. A wall reads the counts (`GET /incidents/:id/people/counts`), no names.
 */
import { Routes } from '../http/routes.ts';
import { ID, idParam, limitedBody, principal } from '../http/validate.ts';
import { notFound } from '../errors.ts';
import { WALL } from '../principal.ts';
import {
  calloutAnswer, calloutAnswerBody, calloutBody, dutyBody, meCalloutAnswer, meCalloutsAnswer, peopleAnswer, publicPeople, shelterAnswer,
  shelterBody, shelterCheckInBody, shelterListAnswer, shelterListQuery, shelterPatchBody, suppliesAnswer, supplyMoveAnswer, supplyMoveBody,
} from '../../shared/emergency-people.ts';
import { AT_SHELTER, MOBILISE, READ, SELF } from './people-access.ts';
import type { PeopleService } from './people.ts';

export function peopleRoutes(svc: PeopleService): Routes {
  const r = new Routes();
  const small = limitedBody(8 * 1024);

  r.post(`/incidents/:id${ID}/callouts`, { access: MOBILISE, body: calloutBody, response: calloutAnswer, idempotent: true }, small, async (c) =>
    c.json({ callout: await svc.callOut(principal(c), idParam(c), c.req.valid('json')) }, 201));
  r.get(`/incidents/:id${ID}/people`, { access: READ, response: peopleAnswer }, (c) => c.json(svc.people(principal(c), idParam(c))));
  r.get(`/incidents/:id${ID}/people/counts`, { access: WALL, response: publicPeople }, (c) => {
    const counts = svc.publicCounts(principal(c).communityId, idParam(c));
    if (!counts) throw notFound(`incident ${idParam(c)}`);
    return c.json(counts);
  });

  r.get('/me/callouts', { access: SELF, response: meCalloutsAnswer }, (c) => c.json({ items: svc.mine(principal(c)) }));
  r.post(`/me/callouts/:id${ID}/answer`, { access: SELF, body: calloutAnswerBody, response: meCalloutAnswer, idempotent: true }, small, async (c) =>
    c.json({ callout: await svc.answer(principal(c), idParam(c), c.req.valid('json')) }));
  r.post(`/me/callouts/:id${ID}/duty`, { access: SELF, body: dutyBody, response: meCalloutAnswer, idempotent: true }, small, async (c) =>
    c.json({ callout: await svc.duty(principal(c), idParam(c), c.req.valid('json')) }));

  r.get('/shelters', { access: READ, query: shelterListQuery, response: shelterListAnswer }, (c) =>
    c.json({ items: svc.shelters(principal(c), c.req.valid('query').incident) }));
  r.post('/shelters', { access: MOBILISE, body: shelterBody, response: shelterAnswer, idempotent: true }, small, async (c) =>
    c.json({ shelter: await svc.createShelter(principal(c), c.req.valid('json')) }, 201));
  r.get(`/shelters/:id${ID}`, { access: READ, response: shelterAnswer }, (c) => c.json({ shelter: svc.shelter(principal(c), idParam(c)) }));
  r.patch(`/shelters/:id${ID}`, { access: MOBILISE, body: shelterPatchBody, response: shelterAnswer, idempotent: true }, small, async (c) =>
    c.json({ shelter: await svc.changeShelter(principal(c), idParam(c), c.req.valid('json')) }));
  r.post(`/shelters/:id${ID}/check-ins`, { access: AT_SHELTER, body: shelterCheckInBody, response: shelterAnswer, idempotent: true }, small, async (c) =>
    c.json({ shelter: await svc.checkIn(principal(c), idParam(c), c.req.valid('json')) }, 201));
  r.get(`/shelters/:id${ID}/supplies`, { access: READ, response: suppliesAnswer }, (c) => c.json(svc.supplies(principal(c), idParam(c))));
  r.post(`/shelters/:id${ID}/supplies`, { access: AT_SHELTER, body: supplyMoveBody, response: supplyMoveAnswer, idempotent: true }, small, async (c) =>
    c.json(await svc.moveSupply(principal(c), idParam(c), c.req.valid('json')), 201));
  return r;
}
