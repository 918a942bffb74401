/**
 * Who may do what with the community register: the role sets the aggregate services authorise
 * with and the routes declare (server/register/routes.ts), so a caller without the role is
 * refused before its body is read. A grid worker's reach is their own grids (`inScope`): another
 * grid's building, household or resident is "not found" to them, and a write into another grid
 * is a 403. 'system' is the demo seeder, which writes through the same services.
 */
import { DomainError } from '../errors.ts';
import type { Principal, Role } from '../principal.ts';

/** Read the register: the people who keep it, and the dispatchers and social workers who serve its residents. */
export const READ: readonly Role[] = ['admin', 'grid_worker', 'dispatcher', 'social_worker', 'system'];
/** Add and correct buildings, households and residents: grid workers in their grids, admins everywhere. */
export const KEEP: readonly Role[] = ['admin', 'grid_worker', 'system'];
/** Import a sheet of the register, download its template. */
export const IMPORT: readonly Role[] = ['admin', 'system'];

/** Within a grid worker's grids (everyone else's scope is the whole community). */
export function inScope(p: Principal, gridId: string): boolean {
  return !p.grids || p.grids.includes(gridId);
}

/** A 403 unless `gridId` is within the principal's grids. */
export function requireInScope(p: Principal, gridId: string): void {
  if (!inScope(p, gridId)) throw new DomainError(403, 'error.forbidden', `grid ${gridId} is not one of yours`);
}
