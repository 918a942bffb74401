/**
 * Who may do what with the three lists (needs, resources, matching): the role sets the
 * aggregate services check and the routes declare (server/needs/routes.ts). 'system', which no
 * request carries, is the demo's and the simulators' principal.
 */
import type { Role } from '../principal.ts';

/** Everyone on the staff: sees needs, resources, matches and tasks. */
export const STAFF: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'system'];
/** Anyone on the staff may raise a need they heard of. */
export const RAISE: readonly Role[] = STAFF;
/** Matching, accepting, declining and closing: the people who run the linkage. */
export const COORDINATE: readonly Role[] = ['admin', 'dispatcher', 'coordinator', 'social_worker', 'system'];
/** Starting, meeting and rating (the return visit, 回访) happen on site too. */
export const ON_SITE: readonly Role[] = [...COORDINATE, 'grid_worker'];
/** The resource list is kept by the station. */
export const RESOURCES: readonly Role[] = ['admin', 'coordinator', 'social_worker', 'system'];
