/**
 * Who may do what in the volunteer ledger: the role sets its aggregate services check and the
 * routes declare (server/volunteers/routes.ts). 'system', which no request carries, is the
 * demo's and the simulators' principal.
 */
import type { Role } from '../principal.ts';

/** Everyone on the staff: sees the registry, activities, records, points and the exchange. */
export const STAFF: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'system'];
/** Registers and changes volunteers, teams and activities, and records no-shows. */
export const MANAGE: readonly Role[] = ['admin', 'coordinator', 'social_worker', 'system'];
/** Signs volunteers up and checks them in and out: on site, a grid worker too. */
export const ON_SITE: readonly Role[] = [...MANAGE, 'grid_worker'];
/** Keeps the exchange (积分超市): its catalogue, its stock and the redemptions. */
export const CASHIER: readonly Role[] = ['admin', 'coordinator', 'system'];
/** A volunteer on their own phone (/me): their own record only, never a staff route. */
export const SELF: readonly Role[] = ['volunteer'];
