/**
 * Who may change the community's reference data (grids, grid workers, the community itself):
 * admins. The service authorises with it and the routes declare it (server/community/routes.ts).
 */
import type { Role } from '../principal.ts';

export const ADMINS: readonly Role[] = ['admin'];
