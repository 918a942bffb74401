/**
 * HTTP routes for the community's reference data as admins keep it, mounted under /api/v1:
 * grid workers (`/community/workers`: list, add, edit, retire) and the imports of community
 * setup (`/community/grids/import` from GeoJSON, `/community/workers/import` from a CSV or XLSX
 * sheet; `save: false` previews). A bad body or file is a 400 naming the field, feature or row,
 * and writes nothing.
 */
import { Routes } from '../http/routes.ts';
import { limitedBody, principal } from '../http/validate.ts';
import { createGridWorkerBody, importGridsBody, importWorkersBody, updateGridWorkerBody } from '../../shared/community.ts';
import type { CommunityService } from './service.ts';
import { ADMINS } from './access.ts';

/** A grid worker's id in a path. */
const WORKER = '{[A-Za-z0-9_-]{1,32}}';

export function communityAdminRoutes(svc: CommunityService): Routes {
  const r = new Routes();
  const limited = limitedBody();
  // A city's grids as GeoJSON run to megabytes; a sheet to 1 MB, a third more as base64.
  const geoJson = limitedBody(8 * 1024 * 1024);
  const sheet = limitedBody(2 * 1024 * 1024);

  r.get('/community/workers', ADMINS, (c) => c.json({ items: svc.workers(principal(c)) }));

  r.post('/community/workers', { access: ADMINS, body: createGridWorkerBody }, limited, async (c) =>
    c.json({ worker: await svc.add(principal(c), c.req.valid('json')) }, 201));

  r.patch(`/community/workers/:workerId${WORKER}`, { access: ADMINS, body: updateGridWorkerBody }, limited, async (c) =>
    c.json({ worker: await svc.update(principal(c), c.req.param('workerId'), c.req.valid('json')) }));

  r.post('/community/grids/import', { access: ADMINS, body: importGridsBody }, geoJson, async (c) => {
    const result = await svc.importGrids(principal(c), c.req.valid('json'));
    return c.json(result, result.saved ? 201 : 200);
  });

  r.post('/community/workers/import', { access: ADMINS, body: importWorkersBody }, sheet, async (c) => {
    const result = await svc.importWorkers(principal(c), c.req.valid('json'));
    return c.json(result, result.saved ? 201 : 200);
  });
  return r;
}
