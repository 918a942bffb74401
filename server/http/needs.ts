/** HTTP routes for needs, resources, matching and tasks, mounted under /api/v1 by `createHttpApp`. */
import { Hono } from 'hono';
import type { NeedService } from '../needs/service.ts';

export function needRoutes(_svc: NeedService): Hono {
  const r = new Hono();
  return r;
}
