/** HTTP routes for organizations, projects, social workers, cases and services, mounted under /api/v1 by `createHttpApp`. */
import { Hono } from 'hono';
import type { OrgService } from '../orgs/service.ts';

export function orgRoutes(_svc: OrgService): Hono {
  const r = new Hono();
  return r;
}
