/**
 * HTTP routes of the community register, mounted under /api/v1: `/register/grids` (what each of
 * one's grids holds), `/register/buildings`, `/register/households`, `/register/residents`
 * (list, add, read one, correct), `/register/import` (a sheet, `save: false` previews) and
 * `/register/import/template` (the sheet to fill in). Same rules as every subject: a bad body or
 * query is a 400 naming each field and writes nothing; another grid's record is a 404 to a grid
 * worker; a stale version a 409 naming who changed it and when. A resident's record, one or a
 * page of them, is a read of someone's record: the gate logs it (`reads`). The writes a tablet
 * makes are declared `idempotent` (docs/OFFLINE.md).
 */
import { Routes } from '../http/routes.ts';
import { ID, idParam, limitedBody, principal, timeZoneOf } from '../http/validate.ts';
import { sheetLocale, sheetResponse } from '../http/sheet.ts';
import {
  buildingView, buildingsAnswer, createBuildingBody, createHouseholdBody, createResidentBody, gridsAnswer, householdView, householdsAnswer,
  importAnswer, importRegisterBody, listBuildingsQuery, listHouseholdsQuery, listResidentsQuery, residentView, residentsAnswer, templateQuery,
  updateBuildingBody, updateHouseholdBody, updateResidentBody,
} from '../../shared/register.ts';
import { z } from 'zod';
import type { RecordRead } from '../http/routes.ts';
import { IMPORT, KEEP, READ } from './access.ts';
import { viewBuilding, viewHousehold, viewResident } from './record.ts';
import type { RegisterService } from './service.ts';
import { TEMPLATE_ROWS, templateColumns } from './sheets.ts';

/** A resident's record, and a page of them: every one is someone's. */
const ONE_RESIDENT: RecordRead = { targetType: 'residents', at: 'resident', personal: [] };
const RESIDENTS: RecordRead = { targetType: 'residents', at: 'items', personal: [] };

export function registerRoutes(svc: RegisterService): Routes {
  const r = new Routes();
  const limited = limitedBody();
  // A sheet of 2 MB, a third more as base64.
  const sheet = limitedBody(3 * 1024 * 1024);
  const tz = timeZoneOf(svc);

  r.get('/register/grids', { access: READ, response: gridsAnswer }, (c) => c.json({ items: svc.grids(principal(c)) }));

  // ---- buildings ------------------------------------------------------------------------------

  r.get('/register/buildings', { access: READ, query: listBuildingsQuery, response: buildingsAnswer }, (c) => {
    const page = svc.buildings.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((b) => viewBuilding(b, tz(c))), nextCursor: page.nextCursor });
  });

  r.post('/register/buildings', { access: KEEP, body: createBuildingBody, response: z.object({ building: buildingView }), idempotent: true }, limited,
    async (c) => c.json({ building: viewBuilding(await svc.buildings.add(principal(c), c.req.valid('json')), tz(c)) }, 201));

  r.get(`/register/buildings/:id${ID}`, { access: READ, response: z.object({ building: buildingView }) }, (c) =>
    c.json({ building: viewBuilding(svc.buildings.get(principal(c), idParam(c)), tz(c)) }));

  r.patch(`/register/buildings/:id${ID}`, { access: KEEP, body: updateBuildingBody, response: z.object({ building: buildingView }), idempotent: true },
    limited, async (c) => c.json({ building: viewBuilding(await svc.buildings.update(principal(c), idParam(c), c.req.valid('json')), tz(c)) }));

  // ---- households -----------------------------------------------------------------------------

  r.get('/register/households', { access: READ, query: listHouseholdsQuery, response: householdsAnswer }, (c) => {
    const page = svc.households.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((h) => viewHousehold(h, tz(c))), nextCursor: page.nextCursor });
  });

  r.post('/register/households', { access: KEEP, body: createHouseholdBody, response: z.object({ household: householdView }), idempotent: true },
    limited, async (c) => c.json({ household: viewHousehold(await svc.households.add(principal(c), c.req.valid('json')), tz(c)) }, 201));

  r.get(`/register/households/:id${ID}`, { access: READ, response: z.object({ household: householdView }) }, (c) =>
    c.json({ household: viewHousehold(svc.households.get(principal(c), idParam(c)), tz(c)) }));

  r.patch(`/register/households/:id${ID}`, { access: KEEP, body: updateHouseholdBody, response: z.object({ household: householdView }), idempotent: true },
    limited, async (c) => c.json({ household: viewHousehold(await svc.households.update(principal(c), idParam(c), c.req.valid('json')), tz(c)) }));

  // ---- residents ------------------------------------------------------------------------------

  r.get('/register/residents', { access: READ, reads: RESIDENTS, query: listResidentsQuery, response: residentsAnswer }, (c) => {
    const page = svc.residents.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((x) => viewResident(x, tz(c))), nextCursor: page.nextCursor });
  });

  r.post('/register/residents', { access: KEEP, body: createResidentBody, response: z.object({ resident: residentView }), idempotent: true },
    limited, async (c) => c.json({ resident: viewResident(await svc.residents.add(principal(c), c.req.valid('json')), tz(c), true) }, 201));

  r.get(`/register/residents/:id${ID}`, { access: READ, reads: ONE_RESIDENT, response: z.object({ resident: residentView }) }, (c) =>
    c.json({ resident: viewResident(svc.residents.get(principal(c), idParam(c)), tz(c), true) }));

  r.patch(`/register/residents/:id${ID}`, { access: KEEP, body: updateResidentBody, response: z.object({ resident: residentView }), idempotent: true },
    limited, async (c) => c.json({ resident: viewResident(await svc.residents.update(principal(c), idParam(c), c.req.valid('json')), tz(c), true) }));

  // ---- import ---------------------------------------------------------------------------------

  r.post('/register/import', { access: IMPORT, body: importRegisterBody, response: importAnswer }, sheet, async (c) => {
    const result = await svc.imports.import(principal(c), c.req.valid('json'));
    return c.json(result, result.saved ? 201 : 200);
  });

  r.get('/register/import/template', { access: IMPORT, query: templateQuery }, (c) => {
    const q = c.req.valid('query');
    const locale = sheetLocale(q.lang, c.req.header('accept-language'));
    const name = locale === 'en' ? 'register-template' : '实有人口登记模板';
    return sheetResponse({
      format: q.format, timeZone: tz(c), rows: TEMPLATE_ROWS, sheetName: locale === 'en' ? 'register' : '登记表',
      columns: templateColumns(locale), filename: `${name}.${q.format}`, asciiFilename: `register-template.${q.format}`,
    });
  });
  return r;
}
