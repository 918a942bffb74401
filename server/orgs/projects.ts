/**
 * Service projects (项目清单) and what they spend: `ProjectService` registers a project, moves
 * it through PROJECT_TRANSITIONS, counts what was done under it and records the expenses of a
 * government-purchased or self-funded one (spending.ts keeps `spent_cents` within the budget).
 * `ProjectRows` writes a project row (its number and its insert) for this service and for
 * NeedService, when an accepted match becomes a project.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/index.ts';
import type { Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { authorise, invalidField, ownRow, requireGrid } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { countText, guardCount } from '../../shared/disclosure.ts';
import { localDay, wallTime } from '../../shared/time.ts';
import {
  EXPENSE_FUNDING, PROJECT_TRANSITIONS, projectCode,
  type CreateProjectBody, type ListProjectsQuery, type PageQuery, type ProjectStatusBody, type RecordExpenseBody,
} from '../../shared/orgs.ts';
import { MANAGE, STAFF } from './access.ts';
import { orgName, projectTitle } from './feed-lines.ts';
import { expenseFromRow, projectFromRow, type ExpenseRecord, type ProjectRecord, type ProjectTally } from './record.ts';
import { chargeProject } from './spending.ts';
import { allowed, requireActiveOrg, type OrgStore } from './store.ts';

/** Projects and their expenses: `orgs.projects.create(...)`, `.setStatus`, `.get`, `.list`, `.tallies`, `.recordExpense`, `.expenses`. */
export class ProjectService {
  #store: OrgStore;
  #rows: ProjectRows;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;

  constructor(deps: SubjectServiceDeps, store: OrgStore) {
    this.#store = store;
    this.#rows = new ProjectRows(deps.db);
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
  }

  /**
   * Register a project (项目清单) with the next number of the year, `XM-2026-0001`. The running
   * organization must be active; a lead social worker must not have left.
   */
  async create(p: Principal, body: CreateProjectBody): Promise<ProjectRecord> {
    authorise(p, MANAGE, 'create projects');
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const org = body.orgId !== undefined ? this.#store.orgRef(p, body.orgId, 'orgId') : null;
      if (org) requireActiveOrg(org);
      const lead = body.socialWorkerId !== undefined ? this.#store.workerRef(p, body.socialWorkerId, 'socialWorkerId') : null;
      if (lead?.status === 'left') {
        throw new DomainError(409, 'error.worker_inactive', `social worker ${lead.id} has left`, undefined, { status: lead.status });
      }
      if (body.needId !== undefined) this.#store.needRef(p, body.needId);
      const year = wallTime(now, this.#dir.timeZoneOf(p.communityId)).year;
      const rec: Omit<ProjectRecord, 'id'> = {
        communityId: p.communityId, code: this.#rows.nextCode(year), name: body.name, description: body.description, category: body.category,
        orgId: org?.id ?? null, socialWorkerId: lead?.id ?? null, funding: body.funding, budgetCents: body.budgetCents, spentCents: 0,
        startsOn: body.startsOn, endsOn: body.endsOn, targetServices: body.targetServices ?? null,
        targetBeneficiaries: body.targetBeneficiaries ?? null, needId: body.needId ?? null, gridId: body.gridId ?? null,
        status: body.status, createdBy: p.id, createdAt: now, updatedAt: now,
      };
      const id = this.#rows.insert(rec);
      this.#store.write(ctx, p, now, 'org', 'project.created', 'project', id,
        { code: rec.code, status: rec.status, funding: rec.funding, budgetCents: rec.budgetCents, orgId: rec.orgId }, null,
        { subject: 'org', key: rec.status === 'active' ? 'feed.project.started' : 'feed.project.created',
          params: { name: projectTitle(rec, org, lead), org: org ? orgName(org) : '' }, gridId: rec.gridId });
      return { id, ...rec };
    });
  }

  /**
   * Start, pause, complete or cancel (PROJECT_TRANSITIONS). Starting needs its organization
   * active. Completed and cancelled are final.
   */
  async setStatus(p: Principal, projectId: number, body: ProjectStatusBody): Promise<ProjectRecord> {
    authorise(p, MANAGE, 'change projects');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const pr = this.get(p, projectId);
      if (pr.status === body.status) return pr;
      allowed(PROJECT_TRANSITIONS[pr.status], pr.status, body.status, 'a project');
      const org = pr.orgId !== null ? this.#store.orgRow(pr.orgId) : null;
      if (body.status === 'active' && org) requireActiveOrg(org);
      this.#store.stmt.projectStatus.run(body.status, now, pr.id);
      const feedKey = body.status === 'active' ? 'feed.project.started' : body.status === 'completed' ? 'feed.project.completed' : null;
      const tally = this.tallies([pr.id]).get(pr.id)!;
      const lead = pr.socialWorkerId !== null ? this.#store.workerRow(pr.socialWorkerId) : null;
      this.#store.write(ctx, p, now, 'org', 'project.status_changed', 'project', pr.id,
        { status: body.status, note: feedText(body.note ?? '', [org?.contactName, lead?.name]) || null }, pr.status,
        feedKey ? {
          subject: 'org', key: feedKey, gridId: pr.gridId,
          params: { name: projectTitle(pr, org, lead), org: org ? orgName(org) : '', services: tally.services,
            // A project's name often says whom it serves: its people reached follow the small-numbers rule, as on its card.
            beneficiaries: countText(guardCount(tally.beneficiaries)) },
        } : null);
      return { ...pr, status: body.status, updatedAt: now };
    });
  }

  /** A project of the principal's community; 404 otherwise. */
  get(p: Principal, id: number): ProjectRecord {
    authorise(p, STAFF, 'see projects');
    return projectFromRow(ownRow(p, this.#store.stmt.project.get(id), `project ${id}`));
  }

  /** Newest first; filters by status, organization, lead, funding and category. */
  list(p: Principal, q: ListProjectsQuery): Page<ProjectRecord> {
    authorise(p, STAFF, 'see projects');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.org !== undefined) (where.push('org_id = @org'), (params.org = q.org));
    if (q.worker !== undefined) (where.push('social_worker_id = @worker'), (params.worker = q.worker));
    if (q.funding) (where.push('funding = @funding'), (params.funding = q.funding));
    if (q.category) (where.push('category = @category'), (params.category = q.category));
    return this.#store.page('projects', where, params, q, projectFromRow);
  }

  /** Services done and people served under each project, counted from the services recorded. */
  tallies(projectIds: number[]): Map<number, ProjectTally> {
    const out = new Map<number, ProjectTally>(projectIds.map((id) => [id, { services: 0, beneficiaries: 0 }]));
    if (!projectIds.length) return out;
    const rows = this.#store.db.prepare(
      `SELECT project_id AS id, COUNT(*) AS services, COALESCE(SUM(beneficiaries), 0) AS beneficiaries FROM services
        WHERE project_id IN (${projectIds.map(() => '?').join(', ')}) GROUP BY project_id`,
    ).all(...projectIds) as ({ id: number } & ProjectTally)[];
    for (const r of rows) out.set(r.id, { services: r.services, beneficiaries: r.beneficiaries });
    return out;
  }

  /**
   * Enter what a government-purchased or self-funded project spent. Refused (409) for a project
   * funded by the community fund or donors (it spends through the charity books), before it
   * starts or once cancelled, and past its budget; a day in the future is a 400.
   */
  async recordExpense(p: Principal, projectId: number, body: RecordExpenseBody): Promise<{ expense: ExpenseRecord; project: ProjectRecord }> {
    authorise(p, MANAGE, 'record project expenses');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const pr = this.get(p, projectId);
      if (!EXPENSE_FUNDING.includes(pr.funding)) {
        throw new DomainError(409, 'error.expense_not_allowed',
          `project ${pr.code} is funded by ${pr.funding}; its money is paid out through the charity books`, undefined, { funding: pr.funding });
      }
      const today = localDay(now, this.#dir.timeZoneOf(p.communityId));
      const spentOn = body.spentOn ?? today;
      if (spentOn > today) invalidField('spentOn', 'is in the future');
      const spent = chargeProject(this.#store.db, p.communityId, pr.id, body.amountCents, now);
      const id = Number(this.#store.stmt.insertExpense.run(pr.id, body.amountCents, body.purpose, spentOn, p.id, now).lastInsertRowid);
      this.#store.write(ctx, p, now, 'org', 'project.expense_recorded', 'project_expense', id,
        { projectId: pr.id, amountCents: body.amountCents, spentOn, spentCents: spent });
      return { expense: expenseFromRow(this.#store.stmt.expense.get(id)), project: { ...pr, spentCents: spent, updatedAt: now } };
    });
  }

  /** A project's expenses, newest first (whoever may see the project). */
  expenses(p: Principal, projectId: number, q: PageQuery): Page<ExpenseRecord> {
    this.get(p, projectId);
    const where = ['project_id = @project'];
    return this.#store.page('project_expenses', where, { project: projectId, limit: q.limit + 1 }, q, expenseFromRow);
  }
}

/**
 * Writing a project row (项目清单): its number and its insert, in one place. Used inside a queue
 * write by ProjectService.create and by NeedService when an accepted match becomes a project.
 */
export class ProjectRows {
  #last: Statement;
  #insert: Statement;
  #org: Statement;
  #worker: Statement;

  constructor(db: Db) {
    this.#last = db.prepare("SELECT MAX(CAST(substr(code, 9) AS INTEGER)) AS n FROM projects WHERE code LIKE ?");
    this.#insert = db.prepare(
      `INSERT INTO projects (community_id, code, name, description, category, org_id, social_worker_id, funding, budget_cents,
                             starts_on, ends_on, target_services, target_beneficiaries, need_id, grid_id, status, created_by,
                             created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

  /** Insert the project `rec` (its spending starts at 0); the new id. */
  insert(rec: Omit<ProjectRecord, 'id'>): number {
    return Number(this.#insert.run(rec.communityId, rec.code, rec.name, rec.description, rec.category, rec.orgId, rec.socialWorkerId,
      rec.funding, rec.budgetCents, rec.startsOn, rec.endsOn, rec.targetServices, rec.targetBeneficiaries, rec.needId, rec.gridId,
      rec.status, rec.createdBy, rec.createdAt, rec.updatedAt).lastInsertRowid);
  }
}
