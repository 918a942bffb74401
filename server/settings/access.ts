/**
 * Who may read and change the loop's settings: every member of staff reads them (the desk
 * shows deadlines and the evidence rule by them); only admins save. The routes declare these
 * (server/settings/routes.ts) and the service authorises with them.
 */
import { ADMIN, PEOPLE, type Role } from '../principal.ts';

/** Read the settings and their history. */
export const READ: readonly Role[] = PEOPLE;
/** Save a new version. */
export const WRITE: readonly Role[] = ADMIN;
