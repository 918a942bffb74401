/**
 * Who is asking. Every HTTP request and every socket carries a principal: a person (their
 * username, role, community and, for grid workers, grids), a paired display (`display:<id>`),
 * an integration's API key (`api_key:<id>`), or the system itself (timers, the demo). It comes
 * from server/auth (session cookie, display token, API key); handlers only read it.
 */
import type { Audience } from '../shared/schemas.ts';

export const ROLES = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper', 'volunteer', 'display', 'integration', 'system'] as const;
export type Role = (typeof ROLES)[number];

/** People with an account (not a display, an integration's key or the system itself). */
export const PEOPLE: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator'];
/** Users, devices, keys and the audit log. */
export const ADMIN: readonly Role[] = ['admin'];
/** A wall display reads its community's public, masked figures, as people may. */
export const WALL: readonly Role[] = [...PEOPLE, 'display'];

export interface Principal {
  id: string;
  role: Role;
  communityId: string;
  /** For grid workers: the grids they may see and act on. Undefined means the whole community. */
  grids?: string[];
  /**
   * For a social worker's account: the social-worker record it is. They record services and
   * keep cases as that worker only, and read only their own cases.
   */
  socialWorkerId?: number;
  /** For a grid worker's account: the grid-worker record it is; cases dispatched to it are theirs to sign for and handle. */
  workerId?: string;
  /** For a volunteer's account: the volunteer record it is; under /me they read and act on it alone. */
  volunteerId?: number;
  /** The HTTP request this principal acts in (set by the gate): its writes are audited with it. */
  request?: RequestContext;
}

/**
 * The audience a principal's live payloads are projected for. Live rooms are per community,
 * not per grid: a principal limited to some grids would see other grids' personal data in the
 * staff room, so it gets the public (masked) view.
 */
export function audienceOf(p: Principal): Audience {
  return p.role === 'display' || p.grids !== undefined ? 'public' : 'staff';
}

export const systemPrincipal = (communityId: string, id = 'system'): Principal => ({ id, role: 'system', communityId });

/** What an HTTP request's writes are logged as. */
export interface RouteAudit {
  action: string;
  targetType: string;
  targetId: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * The HTTP request a principal acts in: the gate puts it on the request's principal
 * (`Principal.request`), and the services hand the principal to the write queue (`runAs`), so
 * the audit line is written in the write's own transaction. (An AsyncLocalStorage did this
 * before; on Node 20 its promise hooks cost a third of the ingest rate.)
 */
export interface RequestContext {
  ip: string | null;
  /** What a write queued now is logged as; null for writes not to be logged this way. */
  describe(): RouteAudit | null;
  /** The request's Idempotency-Key, met by its write inside the write's savepoint (server/http/idempotency.ts). */
  once?: WriteOnce;
}

/**
 * A keyed write's claim, called by the write queue inside the write's savepoint: `begin` before
 * the work (the first write's result to return instead of writing, or null to write), `done`
 * after it (claim the key with this result). A route declared idempotent makes one write.
 */
export interface WriteOnce {
  begin(): { result: unknown } | null;
  done(result: unknown): void;
}
