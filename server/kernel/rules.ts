/**
 * The checks every subject service (volunteers, organizations, needs, charity) makes the same
 * way: who may act, a field refused with a 400, a grid named in a body, an instant a body may carry.
 */
import type { Directory } from './community.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import type { Principal, Role } from '../principal.ts';

/** Instants further ahead than this are refused: clocks drift, but not by hours. */
export const FUTURE_SLACK_MS = 5 * 60_000;

/**
 * A 403 unless the principal's role is one of `roles`; `what` completes "a dispatcher may not …".
 *
 * @example authorise(p, MANAGE, 'register volunteers');
 */
export function authorise(p: Principal, roles: readonly Role[], what: string): void {
  if (!roles.includes(p.role)) throw new DomainError(403, 'error.forbidden', `a ${p.role} may not ${what}`);
}

/**
 * The row, if it belongs to the principal's community; otherwise (none, or another community's)
 * a 404 naming `what`: a community never learns what another holds.
 *
 * @example return orgFromRow(ownRow(p, this.#stmt.org.get(id), `organization ${id}`));
 */
export function ownRow(p: Principal, row: unknown, what: string): { community_id: string } {
  const r = row as { community_id: string } | undefined;
  if (!r || r.community_id !== p.communityId) throw notFound(what);
  return r;
}

/** A 400 naming one field and its problem. */
export function invalidField(field: string, problem: string): never {
  throw invalid([{ field, problem }]);
}

/** A 400 on `field` unless `gridId` is a grid of the principal's community. */
export function requireGrid(dir: Directory, p: Principal, gridId: string, field: string): void {
  const g = dir.grids.get(gridId);
  if (!g || g.communityId !== p.communityId) invalidField(field, `no grid ${gridId} in this community`);
}

/**
 * The instant `at` (ISO, from a body's `field`), or `now` when the body gives none; a 400 on
 * `field` when it lies more than FUTURE_SLACK_MS ahead of now.
 *
 * @example const closedAt = instantFrom('closedAt', body.closedAt, now);
 */
export function instantFrom(field: string, at: string | undefined, now: number): number {
  if (at === undefined) return now;
  const ms = Date.parse(at);
  if (ms > now + FUTURE_SLACK_MS) invalidField(field, 'is in the future');
  return ms;
}
