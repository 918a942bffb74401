/**
 * Who may do what with charity resources: the role sets the service authorises with and the
 * routes declare (server/charity/routes.ts). A route lets a role reach the service, which is the
 * last word: a disbursement of money needs PAY, of goods RECEIVE, decided on the body. 'system'
 * is the demo seeder and the simulators, which act through the same service, never a route.
 */
import type { Role } from '../principal.ts';

/**
 * The charity bookkeeper (慈善专管员) is in every set here and in no other subject's: they
 * keep these books and read nothing else (no grid events, cases, users or residents' names).
 */
const KEEPER: Role = 'charity_keeper';

/** Stock on hand, the fund's balances, the books, the projects and needs to give to: every member of staff. */
export const STAFF: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', KEEPER, 'system'];
/** Donors in full (names, phones), receipts, disbursements, ledger entries: the office, not the street. */
export const RECORDS: readonly Role[] = ['admin', 'dispatcher', 'social_worker', 'coordinator', KEEPER, 'system'];
/** Receive gifts and hand out goods. */
export const RECEIVE: readonly Role[] = ['admin', 'coordinator', 'social_worker', KEEPER, 'system'];
/** Pay money out of the fund: approved by the community, not by a caseworker alone. */
export const PAY: readonly Role[] = ['admin', 'coordinator', KEEPER, 'system'];
