/**
 * Who may do what with an incident: the centre (admins, dispatchers) declares, updates and ends
 * it; every member of staff reads it (a grid worker's tablet, a social worker's desk show it).
 * The service authorises with these sets and the routes declare them.
 */
import type { Role } from '../principal.ts';

/** Declare, update and end an incident. */
export const COMMAND: readonly Role[] = ['admin', 'dispatcher'];
/** Read incidents, their steps and which screens show them. */
export const READ: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper'];
