/**
 * Who may do what on an incident's accounted-for board (server/emergency/board.ts). Knocking is
 * everyone's who is mobilised: the centre, grid workers (in their grids), social workers,
 * coordinators and volunteers on their phones. Only staff see residents (names, phones, needs),
 * and of those only the register's keepers (admins, a grid worker in their grids) see them
 * whatever the resident consented to; the others see a resident by consent, or by the incident's
 * override while it is active, logged (server/register/consent.ts).
 */
import type { Principal, Role } from '../principal.ts';

/** Read the board (a volunteer sees addresses and statuses, no residents), claim, release, knock. */
export const KNOCK: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'volunteer'];
/** Log a phone call's result: staff at a desk. */
export const CALL: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator'];
/** Issue and print the households' self-report links. */
export const LINKS: readonly Role[] = ['admin', 'dispatcher', 'grid_worker'];
/** Release a door someone else holds (a worker who went home). */
export const CENTRE: readonly Role[] = ['admin', 'dispatcher'];
/** People who may see residents at all. */
export const STAFF: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator'];

/** The register's keepers see a resident whatever their consent: an admin, a grid worker in their own grid. */
export const keepsRegister = (p: Principal, gridId: string): boolean =>
  p.role === 'admin' || (p.role === 'grid_worker' && (!p.grids || p.grids.includes(gridId)));
