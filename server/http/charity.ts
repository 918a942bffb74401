/** HTTP routes for donations, the community fund, goods and disbursements, mounted under /api/v1 by `createHttpApp`. */
import { Hono } from 'hono';
import type { CharityService } from '../charity/service.ts';

export function charityRoutes(_svc: CharityService): Hono {
  const r = new Hono();
  return r;
}
