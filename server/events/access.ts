/**
 * Who may do what with grid events: the role sets the service authorises with (the last word)
 * and the routes declare (server/events/routes.ts), so a caller without the role is refused
 * before its body is read. 'system' is the deadline timer, the demo and the simulators, which
 * act through the same service, never a route.
 */
import type { Action } from '../../shared/lifecycle.ts';
import type { Role } from '../principal.ts';

/** Read events: every member of staff (a grid worker their grids'). */
export const READ: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'system'];
/** Report one: staff, and an integration's API key. */
export const REPORT: readonly Role[] = [...READ, 'integration'];
/** Bulk ingest (a 12345 platform's export, a sensor gateway). */
export const INGEST: readonly Role[] = ['admin', 'dispatcher', 'integration', 'system'];
/** The centre (受理 · 派遣 · 核查) decides. */
export const CENTRE: readonly Role[] = ['admin', 'dispatcher', 'system'];
/** Whoever handles on site starts, feeds back, sends back and asks for more time or to shelve. */
export const HANDLER: readonly Role[] = [...CENTRE, 'grid_worker'];

export const ACTION_ROLES: Readonly<Record<Action, readonly Role[]>> = {
  accept: CENTRE, reject: CENTRE, dispatch: CENTRE, return: CENTRE, close: CENTRE, review: CENTRE,
  approve_extension: CENTRE, deny_extension: CENTRE, approve_shelve: CENTRE, deny_shelve: CENTRE, unshelve: CENTRE,
  urge: CENTRE, supervise: CENTRE, merge: CENTRE,
  sign: HANDLER, start: HANDLER, resolve: HANDLER, send_back: HANDLER, request_extension: HANDLER, request_shelve: HANDLER,
};

/**
 * The roles an action's route lets through, from its path. An unknown action (`constructor`,
 * `__proto__` included: own keys only) lets readers reach the route, which answers 404.
 */
export const actionRoute = (params: Record<string, string>): readonly Role[] =>
  Object.hasOwn(ACTION_ROLES, params.action!) ? ACTION_ROLES[params.action as Action] : READ;
