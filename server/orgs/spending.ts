/**
 * What a project has spent (projects.spent_cents). It moves only inside a write that records
 * why: an expense entered here (government-purchased and self-funded projects) or a money
 * disbursement of the charity books (community-fund and donor projects). Both go through
 * `chargeProject`, so a project never spends beyond its budget, nor before it started or after
 * it was called off, and `spent_cents` always equals Σ project_expenses + Σ money disbursements.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/index.ts';
import { DomainError, invalid } from '../errors.ts';
import type { ProjectStatus } from '../../shared/orgs.ts';

/** A project may be charged while it runs, while it is paused, and after it ends (the last invoices). */
export const SPENDING_STATUSES: readonly ProjectStatus[] = ['active', 'suspended', 'completed'];

const statements = new WeakMap<Db, { get: Statement; add: Statement }>();

/**
 * Add `amountCents` to a project's spending. Call it inside the queue write that records the
 * expense or the disbursement; a refusal throws before anything is written:
 * 400 (no such project in the community, named as `field`), 409 `error.project_not_active`
 * (planned or cancelled), 409 `error.over_budget` (it would pass the budget).
 *
 * @returns the project's spending after the charge.
 */
export function chargeProject(db: Db, communityId: string, projectId: number, amountCents: number, at: number, field = 'projectId'): number {
  let s = statements.get(db);
  if (!s) {
    s = {
      get: db.prepare('SELECT community_id, status, budget_cents, spent_cents FROM projects WHERE id = ?'),
      add: db.prepare('UPDATE projects SET spent_cents = spent_cents + ?, updated_at = ? WHERE id = ? AND spent_cents + ? <= budget_cents'),
    };
    statements.set(db, s);
  }
  const p = s.get.get(projectId) as { community_id: string; status: ProjectStatus; budget_cents: number; spent_cents: number } | undefined;
  if (!p || p.community_id !== communityId) throw invalid([{ field, problem: `no project ${projectId} in this community` }]);
  if (!SPENDING_STATUSES.includes(p.status)) {
    throw new DomainError(409, 'error.project_not_active', `the project is ${p.status}; it can spend once it is active`,
      undefined, { status: p.status });
  }
  if (!Number.isInteger(amountCents) || amountCents <= 0) throw invalid([{ field: 'amountCents', problem: 'must be a positive whole number of fen' }]);
  // The guard in the WHERE clause is the budget check restated where it cannot race.
  if (s.add.run(amountCents, at, projectId, amountCents).changes !== 1) {
    throw new DomainError(409, 'error.over_budget',
      `the project has spent ${p.spent_cents} of ${p.budget_cents} fen; ${amountCents} more would pass its budget`,
      undefined, { budgetCents: p.budget_cents, spentCents: p.spent_cents, remainingCents: p.budget_cents - p.spent_cents });
  }
  return p.spent_cents + amountCents;
}
