/**
 * Writing a project row (项目清单): its number and its insert, in one place. Used inside a queue
 * write by OrgService.createProject and by NeedService when an accepted match becomes a project.
 */
import type { Db } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { projectCode } from '../../shared/orgs.ts';
import type { ProjectRecord } from './record.ts';

export class ProjectRows {
  #last;
  #insert;
  #org;
  #worker;

  constructor(db: Db) {
    this.#last = db.prepare("SELECT MAX(CAST(substr(code, 9) AS INTEGER)) AS n FROM projects WHERE code LIKE ?");
    this.#insert = db.prepare(
      `INSERT INTO projects (community_id, code, name, description, category, org_id, social_worker_id, funding, budget_cents,
                             starts_on, ends_on, target_services, target_beneficiaries, need_id, grid_id, status, created_by,
                             created_at, updated_at)
       VALUES (@communityId, @code, @name, @description, @category, @orgId, @socialWorkerId, @funding, @budgetCents,
               @startsOn, @endsOn, @targetServices, @targetBeneficiaries, @needId, @gridId, @status, @createdBy,
               @createdAt, @updatedAt)`,
    );
    this.#org = db.prepare('SELECT status FROM organizations WHERE id = ?');
    this.#worker = db.prepare('SELECT status FROM social_workers WHERE id = ?');
  }

  /** The next number of `year`: XM-2026-0001, 0002, … (the highest so far + 1). */
  nextCode(year: number): string {
    return projectCode(year, ((this.#last.get(`XM-${year}-%`) as { n: number | null }).n ?? 0) + 1);
  }

  /** Refuse (409) a lead that cannot take a project on: an organization not active, a social worker who left. */
  checkLeads(orgId: number | null, socialWorkerId: number | null) {
    const org = orgId === null ? undefined : (this.#org.get(orgId) as { status: string } | undefined);
    if (org && org.status !== 'active') {
      throw new DomainError(409, 'error.org_inactive', `organization ${orgId} is ${org.status}`, undefined, { status: org.status });
    }
    const worker = socialWorkerId === null ? undefined : (this.#worker.get(socialWorkerId) as { status: string } | undefined);
    if (worker?.status === 'left') {
      throw new DomainError(409, 'error.worker_inactive', `social worker ${socialWorkerId} has left`, undefined, { status: worker.status });
    }
  }

  insert(rec: Omit<ProjectRecord, 'id'>): number {
    return Number(this.#insert.run(rec).lastInsertRowid);
  }
}
