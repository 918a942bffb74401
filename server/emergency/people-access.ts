/**
 * Who may do what with an incident's people and places (server/emergency/people.ts). The
 * centre and the volunteer coordinators call volunteers out and open shelters; whoever works at
 * a shelter's door (grid workers, social workers too) counts people in and out and books its
 * supplies; every member of staff reads; a volunteer answers their own call-outs on their phone.
 */
import type { Role } from '../principal.ts';

/** Call volunteers out, open and change shelters. */
export const MOBILISE: readonly Role[] = ['admin', 'dispatcher', 'coordinator'];
/** Count people in and out of a shelter, book its supplies in and out. */
export const AT_SHELTER: readonly Role[] = ['admin', 'dispatcher', 'coordinator', 'grid_worker', 'social_worker'];
/** Read call-outs, answers, who is on duty, shelters and supplies. */
export const READ: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper'];
/** A volunteer on their own phone: their own call-outs only. */
export const SELF: readonly Role[] = ['volunteer'];
