/**
 * The route table's entries for organizations and social work are the role sets the org
 * services authorise with (server/orgs/access.ts), people only: a change to who may do
 * something is made once, and the demo's 'system' principal never becomes a caller of a route.
 */
import { describe, expect, it } from 'vitest';
import { ROUTE_ACCESS, people } from '../../server/auth/policy.ts';
import { CASEWORK, MANAGE, RATE, STAFF } from '../../server/orgs/access.ts';
import type { Role } from '../../server/principal.ts';

/** Each org route and the set its service method checks. */
const ORG_ROUTES: Record<string, readonly Role[]> = {
  'GET /orgs': STAFF, 'POST /orgs': MANAGE, 'GET /orgs/:id': STAFF, 'PATCH /orgs/:id': MANAGE, 'POST /orgs/:id/status': MANAGE,
  'GET /social-workers': STAFF, 'POST /social-workers': MANAGE, 'GET /social-workers/:id': STAFF, 'POST /social-workers/:id/status': MANAGE,
  'GET /projects': STAFF, 'POST /projects': MANAGE, 'GET /projects/:id': STAFF, 'POST /projects/:id/status': MANAGE,
  'GET /projects/:id/expenses': STAFF, 'POST /projects/:id/expenses': MANAGE,
  'GET /cases': CASEWORK, 'POST /cases': CASEWORK, 'GET /cases/:id': CASEWORK, 'POST /cases/:id/close': CASEWORK,
  'GET /services': STAFF, 'GET /services/summary': STAFF, 'POST /services': CASEWORK, 'GET /services/:id': STAFF,
  'POST /services/:id/rating': RATE,
};

describe('who may call the organization routes', () => {
  it('lets through the people the org services let through, and never the system principal', () => {
    for (const [route, roles] of Object.entries(ORG_ROUTES)) {
      const entry = ROUTE_ACCESS[route];
      expect(entry, route).toEqual(roles.filter((r) => r !== 'system'));
      expect(entry, route).not.toContain('system');
    }
  });

  it('keeps the sets the route table held before they were shared', () => {
    expect(people(MANAGE)).toEqual(['admin', 'coordinator']);
    expect(people(CASEWORK)).toEqual(['admin', 'coordinator', 'social_worker']);
    expect(people(STAFF)).toEqual(['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator']);
    expect(people(RATE)).toEqual(people(STAFF));
  });
});
