/**
 * Who keeps and reads field logs: a grid worker logs their own patrols and visits in their grids;
 * the centre (admins, dispatchers) and social workers, who follow up visits, read them all.
 * The service authorises with these sets and the routes declare them.
 */
import type { Role } from '../principal.ts';

/** Log a patrol or a visit (an admin too, for a worker's paper log entered later). */
export const LOG: readonly Role[] = ['admin', 'grid_worker'];
/** Read field logs: a grid worker their own. */
export const READ: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker'];
