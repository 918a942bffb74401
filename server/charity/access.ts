/**
 * Who may do what with charity resources: the role sets the service authorises with and the
 * routes declare (server/charity/routes.ts). A route lets a role reach the service, which is the
 * last word: a disbursement of money needs PAY, of goods RECEIVE, decided on the body. 'system'
 * is the demo seeder and the simulators, which act through the same service, never a route.
 */
import type { Role } from '../principal.ts';

/** Stock on hand, the fund's balances and the books: every member of staff. */
export const STAFF: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'system'];
/** Donors in full (names, phones), receipts, disbursements, ledger entries: the office, not the street. */
export const RECORDS: readonly Role[] = ['admin', 'dispatcher', 'social_worker', 'coordinator', 'system'];
/** Receive gifts and hand out goods. */
export const RECEIVE: readonly Role[] = ['admin', 'coordinator', 'social_worker', 'system'];
/** Pay money out of the fund: approved by the community, not by a caseworker alone. */
export const PAY: readonly Role[] = ['admin', 'coordinator', 'system'];
