/**
 * Who is asking. Every HTTP request and every socket carries a principal from the start, so
 * accounts and roles plug in here without touching the handlers.
 */
import type { Audience } from '../shared/schemas.ts';

export const ROLES = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'display', 'integration', 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  id: string;
  role: Role;
  communityId: string;
  /** For grid workers: the grids they may see and act on. Undefined means the whole community. */
  grids?: string[];
}

/** The audience a principal's live payloads are projected for. */
export function audienceOf(p: Principal): Audience {
  return p.role === 'display' ? 'public' : 'staff';
}

export const systemPrincipal = (communityId: string, id = 'system'): Principal => ({ id, role: 'system', communityId });
