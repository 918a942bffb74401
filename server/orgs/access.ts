/**
 * Who may do what with organizations and social work: the role sets the aggregate services
 * authorise with and the routes declare (server/orgs/routes.ts), so a caller without the role
 * is refused before its body is read.
 * 'system' is the demo seeder and the simulators, which act through the same services.
 */
import { DomainError } from '../errors.ts';
import type { Principal, Role } from '../principal.ts';

/** Read the registry, projects, expenses and services. */
export const STAFF: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'system'];
/** Register and change organizations, social workers and projects; record project expenses. */
export const MANAGE: readonly Role[] = ['admin', 'coordinator', 'system'];
/** Open, close and read cases (the client's name and phone), record services. */
export const CASEWORK: readonly Role[] = ['admin', 'coordinator', 'social_worker', 'system'];
/** Enter a resident's rating of a service (回访): whoever made the follow-up call. */
export const RATE: readonly Role[] = STAFF;

/**
 * A social worker's account acts as its own social-worker record only: it records services and
 * keeps cases as that worker (not as a colleague, nor as an organization). Admins and
 * coordinators record for anyone. 403 naming what is wrong.
 */
export function actsAs(p: Principal, socialWorkerId: number | undefined): void {
  if (p.role !== 'social_worker') return;
  if (p.socialWorkerId === undefined) {
    throw new DomainError(403, 'error.not_linked', 'this account is not linked to a social worker record; an administrator links it in the console');
  }
  if (socialWorkerId !== p.socialWorkerId) {
    throw new DomainError(403, 'error.forbidden', `a social worker records as themselves (social worker ${p.socialWorkerId}) only`);
  }
}
