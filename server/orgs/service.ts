/**
 * Organizations and social work (社会组织 · 社会工作者): the registry of organizations, the
 * service projects they run (项目清单), social workers, their cases (个案) and the services
 * organizations and social workers deliver.
 *
 * Shaped like VolunteerService: authorise with the Principal, validate, then do the work as
 * one write in the group-commit queue, where the state rows, the journal entry and the service
 * metrics are written together or not at all. Checks made inside a write (a status, a budget,
 * a case still open) hold when it commits, because the queue runs writes one after another.
 *
 * Every service recorded adds to the hourly metrics of its provider's subject ('social_worker'
 * or 'org') at the hour it ended (services, beneficiaries, minutes, and the rating when there
 * is one) and puts a masked line on the wall's feed. A case's client is staff-only: the name
 * and phone are in the cases table and its API, never in the journal nor in a feed line.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { ProjectRows } from './projects.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { feedText, type SubjectChange, type JournalWriter } from '../kernel/journal.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { DomainError, notFound } from '../errors.ts';
import { authorise, instantFrom, invalidField, requireGrid, ownRow } from '../kernel/rules.ts';
import type { Principal, Role } from '../principal.ts';
import { maskName } from '../../shared/mask.ts';
import { countText, guardCount, singlesOut } from '../../shared/disclosure.ts';
import { isoInZone, localDay, wallTime } from '../../shared/time.ts';
import { monthOf, monthRange } from '../../shared/volunteers.ts';
import { serviceCategoryZh, type FeedDraft, type ServiceCategory, type SubjectKind } from '../../shared/subjects.ts';
import {
  EXPENSE_FUNDING, ORG_TRANSITIONS, PROJECT_TRANSITIONS, WORKER_TRANSITIONS, caseCode,
  type CloseCaseBody, type CreateProjectBody, type ListCasesQuery, type ListOrgsQuery, type ListProjectsQuery,
  type ListServicesQuery, type ListWorkersQuery, type OpenCaseBody, type OrgEntity, type OrgEntryType, type OrgStatusBody,
  type PageQuery, type ProjectStatusBody, type RateServiceBody, type RecordExpenseBody, type RecordServiceBody,
  type RegisterOrgBody, type RegisterWorkerBody, type ServiceSummary, type ServiceSummaryQuery,
  type UpdateOrgBody, type WorkerStatusBody,
} from '../../shared/orgs.ts';
import {
  caseFromRow, expenseFromRow, orgFromRow, projectFromRow, serviceFromRow, serviceMinutes, workerFromRow,
  type CaseRecord, type ExpenseRecord, type OrgRecord, type ProjectRecord, type ProjectTally, type ServiceRecord,
  type SocialWorkerRecord,
} from './record.ts';
import { chargeProject } from './spending.ts';

// Who may do what. Accounts arrive later; today HTTP requests act as the admin.
/** Read the registry, projects and services. */
const STAFF: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'system'];
/** Register and change organizations, social workers and projects; record project expenses. */
const MANAGE: readonly Role[] = ['admin', 'coordinator', 'system'];
/** Open, close and read cases (the client's name and phone), record services. */
const CASEWORK: readonly Role[] = ['admin', 'coordinator', 'social_worker', 'system'];
/** Enter a resident's rating of a service (回访): whoever made the follow-up call. */
const RATE: readonly Role[] = STAFF;

export class OrgService {
  #db: Db;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;
  #metrics: Metrics;
  #journal: JournalWriter;
  #stmt;
  #projects: ProjectRows;

  constructor(deps: SubjectServiceDeps) {
    this.#db = deps.db;
    this.#projects = new ProjectRows(deps.db);
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
    this.#metrics = deps.metrics;
    this.#journal = deps.journal;
    const db = deps.db;
    this.#stmt = {
      org: db.prepare('SELECT * FROM organizations WHERE id = ?'),
      orgByName: db.prepare('SELECT id FROM organizations WHERE community_id = ? AND name = ?'),
      orgByRegistration: db.prepare('SELECT id FROM organizations WHERE community_id = ? AND registration_no = ?'),
      insertOrg: db.prepare(
        `INSERT INTO organizations (community_id, name, kind, registration_no, contact_name, contact_phone, categories, status,
                                    registered_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
      ),
      updateOrg: db.prepare('UPDATE organizations SET contact_name = ?, contact_phone = ?, categories = ?, updated_at = ? WHERE id = ?'),
      orgStatus: db.prepare('UPDATE organizations SET status = ?, updated_at = ? WHERE id = ?'),
      unfinishedProjectsOfOrg: db.prepare(
        "SELECT COUNT(*) AS n FROM projects WHERE org_id = ? AND status IN ('planned', 'active', 'suspended')",
      ),
      worker: db.prepare('SELECT * FROM social_workers WHERE id = ?'),
      insertWorker: db.prepare(
        `INSERT INTO social_workers (community_id, name, phone, org_id, qualification, grids, status, joined_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
      ),
      workerStatus: db.prepare('UPDATE social_workers SET status = ?, updated_at = ? WHERE id = ?'),
      openCasesOf: db.prepare("SELECT COUNT(*) AS n FROM cases WHERE social_worker_id = ? AND status = 'open'"),
      project: db.prepare('SELECT * FROM projects WHERE id = ?'),
      projectStatus: db.prepare('UPDATE projects SET status = ?, updated_at = ? WHERE id = ?'),
      insertExpense: db.prepare(
        'INSERT INTO project_expenses (project_id, amount_cents, purpose, spent_on, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      expense: db.prepare('SELECT * FROM project_expenses WHERE id = ?'),
      need: db.prepare('SELECT community_id FROM needs WHERE id = ?'),
      case: db.prepare('SELECT * FROM cases WHERE id = ?'),
      lastCaseNo: db.prepare("SELECT MAX(CAST(substr(code, 9) AS INTEGER)) AS n FROM cases WHERE code LIKE ?"),
      insertCase: db.prepare(
        `INSERT INTO cases (community_id, code, social_worker_id, category, client_name, client_phone, populations, grid_id, need_id,
                            status, opened_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
      ),
      closeCase: db.prepare("UPDATE cases SET status = 'closed', closed_at = ?, updated_at = ? WHERE id = ?"),
      sessions: db.prepare('SELECT COUNT(*) AS n, MAX(ended_at) AS last FROM services WHERE case_id = ?'),
      service: db.prepare('SELECT * FROM services WHERE id = ?'),
      insertService: db.prepare(
        `INSERT INTO services (community_id, provider_kind, social_worker_id, org_id, project_id, case_id, need_id, kind, category,
                               grid_id, content, beneficiaries, populations, started_at, ended_at, satisfaction, recorded_by,
                               recorded_at)
         VALUES (@communityId, @providerKind, @socialWorkerId, @orgId, @projectId, @caseId, @needId, @kind, @category,
                 @gridId, @content, @beneficiaries, @populations, @startedAt, @endedAt, @satisfaction, @recordedBy,
                 @recordedAt)`,
      ),
      rate: db.prepare('UPDATE services SET satisfaction = ? WHERE id = ? AND satisfaction IS NULL'),
    };
  }

  timeZoneOf(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }

  // ---- organizations ---------------------------------------------------------------------

  /** Register an organization (active). Its name and its registration number are unique in the community. */
  async registerOrg(p: Principal, body: RegisterOrgBody): Promise<OrgRecord> {
    authorise(p, MANAGE, 'register organizations');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const dup = (this.#stmt.orgByName.get(p.communityId, body.name)
        ?? (body.registrationNo ? this.#stmt.orgByRegistration.get(p.communityId, body.registrationNo) : undefined)) as { id: number } | undefined;
      if (dup) {
        throw new DomainError(409, 'error.org_exists', `an organization with this name or registration number is registered (${dup.id})`,
          undefined, { orgId: dup.id });
      }
      const id = Number(this.#stmt.insertOrg.run(p.communityId, body.name, body.kind, body.registrationNo ?? null, body.contactName,
        body.contactPhone, JSON.stringify(body.categories), now, now).lastInsertRowid);
      this.#write(ctx, p, now, 'org', 'org.registered', 'organization', id, { kind: body.kind, categories: body.categories }, null,
        { subject: 'org', key: 'feed.org.registered', params: { name: feedText(body.name, [body.contactName]) }, gridId: null });
      return this.#orgRow(id);
    });
  }

  /**
   * Change the contact or the categories served. A deregistered organization is kept as it was.
   * A change to what is there already writes nothing (no journal, no audit line, same updatedAt).
   */
  async updateOrg(p: Principal, orgId: number, body: UpdateOrgBody): Promise<OrgRecord> {
    authorise(p, MANAGE, 'change organizations');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const o = this.org(p, orgId);
      if (o.status === 'deregistered') {
        throw new DomainError(409, 'error.org_inactive', `organization ${o.id} is deregistered`, undefined, { status: o.status });
      }
      const next = {
        contactName: body.contactName ?? o.contactName,
        contactPhone: body.contactPhone ?? o.contactPhone,
        categories: body.categories ?? o.categories,
      };
      if (isDeepStrictEqual(next, { contactName: o.contactName, contactPhone: o.contactPhone, categories: o.categories })) return o;
      this.#stmt.updateOrg.run(next.contactName, next.contactPhone, JSON.stringify(next.categories), now, o.id);
      this.#write(ctx, p, now, 'org', 'org.updated', 'organization', o.id, { fields: Object.keys(body) });
      return { ...o, ...next, updatedAt: now };
    });
  }

  /**
   * Suspend, reactivate or deregister (ORG_TRANSITIONS). Deregistering is refused while the
   * organization still has a project planned, running or paused. Setting the status it has
   * changes nothing.
   */
  async setOrgStatus(p: Principal, orgId: number, body: OrgStatusBody): Promise<OrgRecord> {
    authorise(p, MANAGE, 'change organizations');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const o = this.org(p, orgId);
      if (o.status === body.status) return o;
      allowed(ORG_TRANSITIONS[o.status], o.status, body.status, 'an organization');
      if (body.status === 'deregistered') {
        const n = (this.#stmt.unfinishedProjectsOfOrg.get(o.id) as { n: number }).n;
        if (n > 0) {
          throw new DomainError(409, 'error.org_has_projects', `organization ${o.id} has ${n} unfinished project(s); complete or cancel them first`,
            undefined, { status: o.status, projects: n });
        }
      }
      this.#stmt.orgStatus.run(body.status, now, o.id);
      this.#write(ctx, p, now, 'org', 'org.status_changed', 'organization', o.id,
        { status: body.status, note: feedText(body.note ?? '', [o.contactName]) || null }, o.status);
      return { ...o, status: body.status, updatedAt: now };
    });
  }

  org(p: Principal, id: number): OrgRecord {
    authorise(p, STAFF, 'see organizations');
    return orgFromRow(ownRow(p, this.#stmt.org.get(id), `organization ${id}`));
  }

  /** Newest first; the cursor is the id of the last organization of the previous page. */
  listOrgs(p: Principal, q: ListOrgsQuery): Page<OrgRecord> {
    authorise(p, STAFF, 'see organizations');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.kind) (where.push('kind = @kind'), (params.kind = q.kind));
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.category) (where.push('EXISTS (SELECT 1 FROM json_each(categories) WHERE value = @category)'), (params.category = q.category));
    return this.#page('organizations', where, params, q, orgFromRow);
  }

  // ---- social workers ----------------------------------------------------------------------

  async registerWorker(p: Principal, body: RegisterWorkerBody): Promise<SocialWorkerRecord> {
    authorise(p, MANAGE, 'register social workers');
    for (const [i, g] of body.grids.entries()) requireGrid(this.#dir, p, g, `grids[${i}]`);
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      if (body.orgId !== undefined) this.#employer(p, body.orgId);
      const id = Number(this.#stmt.insertWorker.run(p.communityId, body.name, body.phone, body.orgId ?? null, body.qualification,
        JSON.stringify(body.grids), now, now).lastInsertRowid);
      this.#write(ctx, p, now, 'social_worker', 'social_worker.registered', 'social_worker', id,
        { orgId: body.orgId ?? null, qualification: body.qualification, grids: body.grids });
      return this.#workerRow(id);
    });
  }

  /** On leave, back, or left (WORKER_TRANSITIONS); leaving is refused while they hold open cases. */
  async setWorkerStatus(p: Principal, workerId: number, body: WorkerStatusBody): Promise<SocialWorkerRecord> {
    authorise(p, MANAGE, 'change social workers');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const w = this.worker(p, workerId);
      if (w.status === body.status) return w;
      allowed(WORKER_TRANSITIONS[w.status], w.status, body.status, 'a social worker');
      if (body.status === 'left') {
        const n = (this.#stmt.openCasesOf.get(w.id) as { n: number }).n;
        if (n > 0) {
          throw new DomainError(409, 'error.worker_has_cases', `social worker ${w.id} holds ${n} open case(s); close them first`,
            undefined, { status: w.status, openCases: n });
        }
      }
      this.#stmt.workerStatus.run(body.status, now, w.id);
      this.#write(ctx, p, now, 'social_worker', 'social_worker.status_changed', 'social_worker', w.id,
        { status: body.status, note: feedText(body.note ?? '', [w.name]) || null }, w.status);
      return { ...w, status: body.status, updatedAt: now };
    });
  }

  worker(p: Principal, id: number): SocialWorkerRecord {
    authorise(p, STAFF, 'see social workers');
    return workerFromRow(ownRow(p, this.#stmt.worker.get(id), `social worker ${id}`));
  }

  listWorkers(p: Principal, q: ListWorkersQuery): Page<SocialWorkerRecord> {
    authorise(p, STAFF, 'see social workers');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.org !== undefined) (where.push('org_id = @org'), (params.org = q.org));
    if (q.grid) (where.push('EXISTS (SELECT 1 FROM json_each(grids) WHERE value = @grid)'), (params.grid = q.grid));
    return this.#page('social_workers', where, params, q, workerFromRow);
  }

  // ---- projects ------------------------------------------------------------------------------

  /**
   * Register a project (项目清单) with the next number of the year, `XM-2026-0001`. The running
   * organization must be active; a lead social worker must not have left.
   */
  async createProject(p: Principal, body: CreateProjectBody): Promise<ProjectRecord> {
    authorise(p, MANAGE, 'create projects');
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const org = body.orgId !== undefined ? this.#orgRef(p, body.orgId, 'orgId') : null;
      if (org) requireActiveOrg(org);
      const lead = body.socialWorkerId !== undefined ? this.#workerRef(p, body.socialWorkerId, 'socialWorkerId') : null;
      if (lead?.status === 'left') {
        throw new DomainError(409, 'error.worker_inactive', `social worker ${lead.id} has left`, undefined, { status: lead.status });
      }
      if (body.needId !== undefined) this.#need(p, body.needId);
      const year = wallTime(now, this.timeZoneOf(p)).year;
      const rec: Omit<ProjectRecord, 'id'> = {
        communityId: p.communityId, code: this.#projects.nextCode(year), name: body.name, description: body.description, category: body.category,
        orgId: org?.id ?? null, socialWorkerId: lead?.id ?? null, funding: body.funding, budgetCents: body.budgetCents, spentCents: 0,
        startsOn: body.startsOn, endsOn: body.endsOn, targetServices: body.targetServices ?? null,
        targetBeneficiaries: body.targetBeneficiaries ?? null, needId: body.needId ?? null, gridId: body.gridId ?? null,
        status: body.status, createdBy: p.id, createdAt: now, updatedAt: now,
      };
      const id = this.#projects.insert(rec);
      this.#write(ctx, p, now, 'org', 'project.created', 'project', id,
        { code: rec.code, status: rec.status, funding: rec.funding, budgetCents: rec.budgetCents, orgId: rec.orgId }, null,
        { subject: 'org', key: rec.status === 'active' ? 'feed.project.started' : 'feed.project.created',
          params: { name: this.#projectTitle(rec, org, lead), org: org ? feedText(org.name, [org.contactName]) : '' }, gridId: rec.gridId });
      return { id, ...rec };
    });
  }

  /**
   * Start, pause, complete or cancel (PROJECT_TRANSITIONS). Starting needs its organization
   * active. Completed and cancelled are final.
   */
  async setProjectStatus(p: Principal, projectId: number, body: ProjectStatusBody): Promise<ProjectRecord> {
    authorise(p, MANAGE, 'change projects');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const pr = this.project(p, projectId);
      if (pr.status === body.status) return pr;
      allowed(PROJECT_TRANSITIONS[pr.status], pr.status, body.status, 'a project');
      const org = pr.orgId !== null ? orgFromRow(this.#stmt.org.get(pr.orgId)) : null;
      if (body.status === 'active' && org) requireActiveOrg(org);
      this.#stmt.projectStatus.run(body.status, now, pr.id);
      const feedKey = body.status === 'active' ? 'feed.project.started' : body.status === 'completed' ? 'feed.project.completed' : null;
      const tally = this.tallies([pr.id]).get(pr.id)!;
      const lead = pr.socialWorkerId !== null ? workerFromRow(this.#stmt.worker.get(pr.socialWorkerId)) : null;
      this.#write(ctx, p, now, 'org', 'project.status_changed', 'project', pr.id,
        { status: body.status, note: feedText(body.note ?? '', [org?.contactName, lead?.name]) || null }, pr.status,
        feedKey ? {
          subject: 'org', key: feedKey, gridId: pr.gridId,
          params: { name: this.#projectTitle(pr, org, lead), org: org ? feedText(org.name, [org.contactName]) : '', services: tally.services,
            // A project's name often says whom it serves: its people reached follow the small-numbers rule, as on its card.
            beneficiaries: countText(guardCount(tally.beneficiaries)) },
        } : null);
      return { ...pr, status: body.status, updatedAt: now };
    });
  }

  project(p: Principal, id: number): ProjectRecord {
    authorise(p, STAFF, 'see projects');
    return projectFromRow(ownRow(p, this.#stmt.project.get(id), `project ${id}`));
  }

  listProjects(p: Principal, q: ListProjectsQuery): Page<ProjectRecord> {
    authorise(p, STAFF, 'see projects');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.org !== undefined) (where.push('org_id = @org'), (params.org = q.org));
    if (q.worker !== undefined) (where.push('social_worker_id = @worker'), (params.worker = q.worker));
    if (q.funding) (where.push('funding = @funding'), (params.funding = q.funding));
    if (q.category) (where.push('category = @category'), (params.category = q.category));
    return this.#page('projects', where, params, q, projectFromRow);
  }

  /** Services done and people served under each project, counted from the services recorded. */
  tallies(projectIds: number[]): Map<number, ProjectTally> {
    const out = new Map<number, ProjectTally>(projectIds.map((id) => [id, { services: 0, beneficiaries: 0 }]));
    if (!projectIds.length) return out;
    const rows = this.#db.prepare(
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
      const pr = this.project(p, projectId);
      if (!EXPENSE_FUNDING.includes(pr.funding)) {
        throw new DomainError(409, 'error.expense_not_allowed',
          `project ${pr.code} is funded by ${pr.funding}; its money is paid out through the charity books`, undefined, { funding: pr.funding });
      }
      const today = localDay(now, this.timeZoneOf(p));
      const spentOn = body.spentOn ?? today;
      if (spentOn > today) invalidField('spentOn', 'is in the future');
      const spent = chargeProject(this.#db, p.communityId, pr.id, body.amountCents, now);
      const id = Number(this.#stmt.insertExpense.run(pr.id, body.amountCents, body.purpose, spentOn, p.id, now).lastInsertRowid);
      this.#write(ctx, p, now, 'org', 'project.expense_recorded', 'project_expense', id,
        { projectId: pr.id, amountCents: body.amountCents, spentOn, spentCents: spent });
      return { expense: expenseFromRow(this.#stmt.expense.get(id)), project: { ...pr, spentCents: spent, updatedAt: now } };
    });
  }

  expenses(p: Principal, projectId: number, q: PageQuery): Page<ExpenseRecord> {
    this.project(p, projectId);
    const where = ['project_id = @project'];
    return this.#page('project_expenses', where, { project: projectId, limit: q.limit + 1 }, q, expenseFromRow);
  }

  // ---- cases ---------------------------------------------------------------------------------

  /** Open a case (个案) for a client, held by an active social worker; numbered `GA-2026-0001`. */
  async openCase(p: Principal, body: OpenCaseBody): Promise<CaseRecord> {
    authorise(p, CASEWORK, 'open cases');
    actsAs(p, body.socialWorkerId);
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const openedAt = instantFrom('openedAt', body.openedAt, now);
      const w = this.#workerRef(p, body.socialWorkerId, 'socialWorkerId');
      if (w.status !== 'active') {
        throw new DomainError(409, 'error.worker_inactive', `social worker ${w.id} is ${w.status}`, undefined, { status: w.status });
      }
      if (body.needId !== undefined) this.#need(p, body.needId);
      const year = wallTime(openedAt, this.timeZoneOf(p)).year;
      const n = ((this.#stmt.lastCaseNo.get(`GA-${year}-%`) as { n: number | null }).n ?? 0) + 1;
      const code = caseCode(year, n);
      const id = Number(this.#stmt.insertCase.run(p.communityId, code, w.id, body.category, body.clientName, body.clientPhone ?? null,
        JSON.stringify(body.populations), body.gridId ?? null, body.needId ?? null, openedAt, now).lastInsertRowid);
      // The journal and the feed name the social worker and the category, never the client.
      this.#write(ctx, p, now, 'social_worker', 'case.opened', 'case', id,
        { code, socialWorkerId: w.id, category: body.category, gridId: body.gridId ?? null, openedAt }, null,
        // A case is one client: no grid on the wall either (shared/disclosure.ts).
        { subject: 'social_worker', key: 'feed.case.opened', params: { name: maskName(w.name) ?? '', ...categoryParams(body.category) }, gridId: null });
      return this.#caseRow(id);
    });
  }

  /** Close a case; not before it was opened nor before its last session. */
  async closeCase(p: Principal, caseId: number, body: CloseCaseBody): Promise<CaseRecord> {
    authorise(p, CASEWORK, 'close cases');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const c = this.case(p, caseId);
      actsAs(p, c.socialWorkerId);
      if (c.status !== 'open') {
        throw new DomainError(409, 'error.transition_not_allowed', `case ${c.code} is ${c.status}`, undefined, { status: c.status, allowed: [] });
      }
      const closedAt = instantFrom('closedAt', body.closedAt, now);
      if (closedAt < c.openedAt) invalidField('closedAt', 'is before the case was opened');
      const last = (this.#stmt.sessions.get(c.id) as { last: number | null }).last;
      if (last !== null && closedAt < last) invalidField('closedAt', 'is before the case’s last session ended');
      this.#stmt.closeCase.run(closedAt, now, c.id);
      const w = workerFromRow(this.#stmt.worker.get(c.socialWorkerId));
      this.#write(ctx, p, now, 'social_worker', 'case.closed', 'case', c.id,
        { code: c.code, closedAt, note: feedText(body.note ?? '', [c.clientName, w.name]) || null }, c.status,
        { subject: 'social_worker', key: 'feed.case.closed', params: { name: maskName(w.name) ?? '', ...categoryParams(c.category) }, gridId: null });
      return { ...c, status: 'closed', closedAt, updatedAt: now };
    });
  }

  /**
   * A case with its client: social workers, coordinators and admins only, and a social worker
   * only their own (a client's file is their caseworker's).
   */
  case(p: Principal, id: number): CaseRecord {
    authorise(p, CASEWORK, 'see cases');
    const c = caseFromRow(ownRow(p, this.#stmt.case.get(id), `case ${id}`));
    if (p.role === 'social_worker' && c.socialWorkerId !== p.socialWorkerId) throw notFound(`case ${id}`);
    return c;
  }

  listCases(p: Principal, q: ListCasesQuery): Page<CaseRecord> {
    authorise(p, CASEWORK, 'see cases');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.worker !== undefined) (where.push('social_worker_id = @worker'), (params.worker = q.worker));
    // A social worker's own cases only (none while their account names no record).
    if (p.role === 'social_worker') (where.push('social_worker_id = @self'), (params.self = p.socialWorkerId ?? -1));
    return this.#page('cases', where, params, q, caseFromRow);
  }

  /** Sessions (services) recorded under a case. */
  sessionsOf(caseId: number): number {
    return (this.#stmt.sessions.get(caseId) as { n: number }).n;
  }

  // ---- services ------------------------------------------------------------------------------

  /**
   * Record a service delivered by a social worker or an organization, optionally under a
   * project, a case or a need. It may be back-dated (paper records), never in the future. In
   * the same write: the metrics of the provider's subject at the hour it ended, the journal and
   * a masked feed line ("社工 王* 入户走访 · 生活照料 · 服务 3 人").
   *
   * Refused with 409: a provider that has left or is not active, a project not active, a case
   * closed before the service ended. With 400: a project whose period does not cover the day,
   * a case of another social worker, a category that neither the body, the case nor the
   * project gives.
   */
  async recordService(p: Principal, body: RecordServiceBody): Promise<ServiceRecord> {
    authorise(p, CASEWORK, 'record services');
    actsAs(p, body.socialWorkerId);
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const startedAt = Date.parse(body.startedAt);
      const endedAt = instantFrom('endedAt', body.endedAt, now);

      let worker: SocialWorkerRecord | null = null;
      let org: OrgRecord | null = null;
      if (body.socialWorkerId !== undefined) {
        worker = this.#workerRef(p, body.socialWorkerId, 'socialWorkerId');
        if (worker.status === 'left') {
          throw new DomainError(409, 'error.worker_inactive', `social worker ${worker.id} has left`, undefined, { status: worker.status });
        }
      } else {
        org = this.#orgRef(p, body.orgId!, 'orgId');
        requireActiveOrg(org);
      }

      let kase: CaseRecord | null = null;
      if (body.caseId !== undefined) {
        kase = this.#caseRef(p, body.caseId);
        if (!worker) invalidField('caseId', 'a case is a social worker’s; record the session under its social worker');
        if (kase.socialWorkerId !== worker.id) invalidField('caseId', `is held by another social worker (${kase.socialWorkerId})`);
        if (endedAt < kase.openedAt) invalidField('endedAt', 'is before the case was opened');
        if (kase.status === 'closed' && endedAt > kase.closedAt!) {
          throw new DomainError(409, 'error.case_closed', `case ${kase.code} was closed before this service ended`, undefined, { status: kase.status });
        }
      }

      let project: ProjectRecord | null = null;
      if (body.projectId !== undefined) {
        project = this.#projectRef(p, body.projectId);
        if (project.status !== 'active') {
          throw new DomainError(409, 'error.project_not_active', `project ${project.code} is ${project.status}`, undefined, { status: project.status });
        }
        const day = localDay(endedAt, this.timeZoneOf(p));
        if (day < project.startsOn || day > project.endsOn) {
          invalidField('endedAt', `is outside the project’s period ${project.startsOn} – ${project.endsOn}`);
        }
        if (org && project.orgId !== null && project.orgId !== org.id) invalidField('projectId', `is run by another organization (${project.orgId})`);
      }
      if (body.needId !== undefined) this.#need(p, body.needId);

      const category = body.category ?? kase?.category ?? project?.category;
      if (!category) invalidField('category', 'required (neither a case nor a project gives one)');
      const gridId = body.gridId ?? kase?.gridId ?? project?.gridId ?? (worker?.grids.length === 1 ? worker.grids[0]! : null);

      const rec: Omit<ServiceRecord, 'id'> = {
        communityId: p.communityId, providerKind: worker ? 'social_worker' : 'org', socialWorkerId: worker?.id ?? null,
        orgId: org?.id ?? project?.orgId ?? null, projectId: project?.id ?? null, caseId: kase?.id ?? null, needId: body.needId ?? null,
        kind: body.kind, category, gridId, content: body.content, beneficiaries: body.beneficiaries, populations: body.populations,
        startedAt, endedAt, satisfaction: body.satisfaction ?? null, recordedBy: p.id, recordedAt: now,
      };
      const id = Number(this.#stmt.insertService.run({ ...rec, populations: JSON.stringify(rec.populations) }).lastInsertRowid);
      const subject: SubjectKind = rec.providerKind;
      // Counted community-wide when it could single someone out (shared/disclosure.ts): no grid to read off a ticking count.
      this.#metrics.bump(p.communityId, endedAt, subject, guarded(rec) ? null : gridId, {
        services: 1, beneficiaries: rec.beneficiaries, serviceMinutes: serviceMinutes(rec),
        ...(rec.satisfaction !== null ? { satisfaction: rec.satisfaction } : {}),
      });
      this.#write(ctx, p, now, subject, 'service.recorded', 'service', id,
        { providerKind: rec.providerKind, socialWorkerId: rec.socialWorkerId, orgId: rec.orgId, projectId: rec.projectId, caseId: rec.caseId,
          needId: rec.needId, kind: rec.kind, category, gridId, beneficiaries: rec.beneficiaries, minutes: serviceMinutes(rec), endedAt,
          satisfaction: rec.satisfaction }, null,
        { subject, key: `feed.service.${rec.providerKind}.${rec.kind}`, gridId: guarded(rec) ? null : gridId,
          params: { name: this.#providerName(worker, org), ...categoryParams(category), count: guarded(rec) ? countText(guardCount(rec.beneficiaries)) : rec.beneficiaries } });
      return { id, ...rec };
    });
  }

  /**
   * A resident's rating of a service (1–5), entered after the follow-up call (回访). Once: a
   * service already rated is a 409. The rating is added to the metrics at the hour the service
   * ended, where its other figures are.
   */
  async rateService(p: Principal, serviceId: number, body: RateServiceBody): Promise<ServiceRecord> {
    authorise(p, RATE, 'rate services');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const s = this.service(p, serviceId);
      if (s.satisfaction !== null || this.#stmt.rate.run(body.satisfaction, s.id).changes !== 1) {
        throw new DomainError(409, 'error.service_already_rated', `service ${s.id} is rated ${s.satisfaction}`, undefined, { satisfaction: s.satisfaction });
      }
      this.#metrics.bump(p.communityId, s.endedAt, s.providerKind, guarded(s) ? null : s.gridId, { satisfaction: body.satisfaction });
      const worker = s.socialWorkerId !== null ? workerFromRow(this.#stmt.worker.get(s.socialWorkerId)) : null;
      const org = s.providerKind === 'org' ? orgFromRow(this.#stmt.org.get(s.orgId)) : null;
      this.#write(ctx, p, now, s.providerKind, 'service.rated', 'service', s.id, { satisfaction: body.satisfaction }, null,
        { subject: s.providerKind, key: `feed.service.rated.${s.providerKind}`, gridId: guarded(s) ? null : s.gridId,
          params: { name: this.#providerName(worker, org), ...categoryParams(s.category), satisfaction: body.satisfaction } });
      return { ...s, satisfaction: body.satisfaction };
    });
  }

  /** A service; a case's session only to whom may read the case (its notes are about the client). */
  service(p: Principal, id: number): ServiceRecord {
    authorise(p, STAFF, 'see services');
    const s = serviceFromRow(ownRow(p, this.#stmt.service.get(id), `service ${id}`));
    if (s.caseId !== null && !this.#mayReadCase(p, s.caseId)) throw notFound(`service ${id}`);
    return s;
  }

  #mayReadCase(p: Principal, caseId: number): boolean {
    if (!CASEWORK.includes(p.role)) return false;
    if (p.role !== 'social_worker') return true;
    return (this.#stmt.case.get(caseId) as { social_worker_id: number } | undefined)?.social_worker_id === p.socialWorkerId;
  }

  /** Newest recorded first; filters by provider, project, case, kind, grid and when they ended. */
  listServices(p: Principal, q: ListServicesQuery): Page<ServiceRecord> {
    authorise(p, STAFF, 'see services');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.worker !== undefined) (where.push('social_worker_id = @worker'), (params.worker = q.worker));
    if (q.org !== undefined) (where.push('org_id = @org'), (params.org = q.org));
    if (q.project !== undefined) (where.push('project_id = @project'), (params.project = q.project));
    if (q.case !== undefined) (where.push('case_id = @case'), (params.case = q.case));
    if (q.kind) (where.push('kind = @kind'), (params.kind = q.kind));
    if (q.grid) (where.push('grid_id = @grid'), (params.grid = q.grid));
    if (q.from) (where.push('ended_at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('ended_at < @to'), (params.to = Date.parse(q.to)));
    // Case sessions only to whom may read the case (see `service`).
    if (!CASEWORK.includes(p.role)) where.push('case_id IS NULL');
    else if (p.role === 'social_worker') {
      where.push('(case_id IS NULL OR case_id IN (SELECT id FROM cases WHERE social_worker_id = @self))');
      params.self = p.socialWorkerId ?? -1;
    }
    return this.#page('services', where, params, q, serviceFromRow);
  }

  /** Services that ended in [from, to) — this month by default — in total and by grid, category and kind. */
  summary(p: Principal, q: ServiceSummaryQuery): ServiceSummary {
    authorise(p, STAFF, 'see services');
    const tz = this.timeZoneOf(p);
    const now = this.#now();
    const from = q.from ? Date.parse(q.from) : monthRange(monthOf(now, tz), tz).start;
    const to = q.to ? Date.parse(q.to) : now + 1;
    if (to <= from) invalidField('to', 'must be after from');
    const args = [p.communityId, from, to];
    const window = 'FROM services WHERE community_id = ? AND ended_at >= ? AND ended_at < ?';
    const t = this.#db.prepare(
      `SELECT COUNT(*) AS services, COALESCE(SUM(beneficiaries), 0) AS beneficiaries,
              COALESCE(SUM(ROUND((ended_at - started_at) / 60000.0)), 0) AS minutes,
              COUNT(satisfaction) AS rated, AVG(satisfaction) AS satisfaction ${window}`,
    ).get(...args) as ServiceSummary['totals'];
    const by = <K extends string>(col: string, key: K) =>
      this.#db.prepare(`SELECT ${col} AS ${key}, COUNT(*) AS services, COALESCE(SUM(beneficiaries), 0) AS beneficiaries ${window}
                         GROUP BY ${col} ORDER BY services DESC, ${col}`).all(...args);
    return {
      from: isoInZone(from, tz), to: isoInZone(to, tz),
      totals: { ...t, minutes: Number(t.minutes) },
      byGrid: by('grid_id', 'gridId') as ServiceSummary['byGrid'],
      byCategory: by('category', 'category') as ServiceSummary['byCategory'],
      byKind: by('kind', 'kind') as ServiceSummary['byKind'],
    };
  }

  // ---- internals ---------------------------------------------------------------------------

  #orgRow(id: number): OrgRecord {
    return orgFromRow(this.#stmt.org.get(id));
  }

  #workerRow(id: number): SocialWorkerRecord {
    return workerFromRow(this.#stmt.worker.get(id));
  }

  #caseRow(id: number): CaseRecord {
    return caseFromRow(this.#stmt.case.get(id));
  }

  /** An organization named in a body: unknown is a 400 on that field, not a 404. */
  #orgRef(p: Principal, id: number, field: string): OrgRecord {
    const row = this.#stmt.org.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField(field, `no organization ${id} in this community`);
    return orgFromRow(row);
  }

  #employer(p: Principal, id: number): OrgRecord {
    const o = this.#orgRef(p, id, 'orgId');
    if (o.status === 'deregistered') {
      throw new DomainError(409, 'error.org_inactive', `organization ${o.id} is deregistered`, undefined, { status: o.status });
    }
    return o;
  }

  #workerRef(p: Principal, id: number, field: string): SocialWorkerRecord {
    const row = this.#stmt.worker.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField(field, `no social worker ${id} in this community`);
    return workerFromRow(row);
  }

  #projectRef(p: Principal, id: number): ProjectRecord {
    const row = this.#stmt.project.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField('projectId', `no project ${id} in this community`);
    return projectFromRow(row);
  }

  /** A case named in a body; another worker's is "no case" to a social worker, as in `case`. */
  #caseRef(p: Principal, id: number): CaseRecord {
    const row = this.#stmt.case.get(id) as { community_id: string; social_worker_id: number } | undefined;
    if (!row || row.community_id !== p.communityId || (p.role === 'social_worker' && row.social_worker_id !== p.socialWorkerId)) {
      invalidField('caseId', `no case ${id} in this community`);
    }
    return caseFromRow(row);
  }

  #need(p: Principal, id: number) {
    const row = this.#stmt.need.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField('needId', `no need ${id} in this community`);
  }

  /** Who delivered a service, as a feed line may name them: a masked person, an organization's name. */
  #providerName(worker: SocialWorkerRecord | null, org: OrgRecord | null): string {
    if (worker) return maskName(worker.name) ?? '';
    return org ? feedText(org.name, [org.contactName]) : '';
  }

  /** A project's name for the feed, with the people it names masked. */
  #projectTitle(pr: Pick<ProjectRecord, 'name'>, org: OrgRecord | null, lead: SocialWorkerRecord | null): string {
    return feedText(pr.name, [org?.contactName, lead?.name]);
  }

  /** A page of `table`, newest first; the cursor is the last id of the previous page. */
  #page<T extends { id: number }>(table: string, where: string[], params: Record<string, unknown>, q: { limit: number; cursor?: string | undefined },
    map: (row: unknown) => T): Page<T> {
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db.prepare(`SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(map), q.limit);
  }

  #write(
    ctx: WriteContext<SubjectChange>, p: Principal, at: number, subject: SubjectKind, type: OrgEntryType, entity: OrgEntity, entityId: number,
    data: Record<string, unknown>, fromStatus: string | null = null, feed: FeedDraft | null = null,
  ) {
    this.#journal.write(ctx, p, at, { subject, type, entity, entityId, data, fromStatus, feed });
  }
}

/**
 * A social worker's account acts as its own social-worker record only: it records services and
 * keeps cases as that worker (not as a colleague, nor as an organization). Admins and
 * coordinators record for anyone. 403 naming what is wrong.
 */
function actsAs(p: Principal, socialWorkerId: number | undefined): void {
  if (p.role !== 'social_worker') return;
  if (p.socialWorkerId === undefined) {
    throw new DomainError(403, 'error.not_linked', 'this account is not linked to a social worker record; an administrator links it in the console');
  }
  if (socialWorkerId !== p.socialWorkerId) {
    throw new DomainError(403, 'error.forbidden', `a social worker records as themselves (social worker ${p.socialWorkerId}) only`);
  }
}

/**
 * A service that could single out a key population's resident, or a session of a case (one
 * client): its feed line has no grid and its count of people shows as "<3" (shared/disclosure.ts).
 */
function guarded(s: Pick<ServiceRecord, 'populations' | 'caseId' | 'beneficiaries'>): boolean {
  return s.caseId !== null || singlesOut(s.populations, s.beneficiaries);
}

/** The category's label for a feed line (data, in Chinese, as the wall shows it) and its code for other languages. */
function categoryParams(code: ServiceCategory): { category: string; categoryCode: ServiceCategory } {
  return { category: serviceCategoryZh(code), categoryCode: code };
}

function allowed<S extends string>(next: readonly S[], from: S, to: S, what: string) {
  if (!next.includes(to)) {
    throw new DomainError(409, 'error.transition_not_allowed', `cannot make ${what} that is ${from} ${to}; allowed: ${next.join(', ') || 'none'}`,
      undefined, { status: from, allowed: next });
  }
}

function requireActiveOrg(o: OrgRecord) {
  if (o.status !== 'active') {
    throw new DomainError(409, 'error.org_inactive', `organization ${o.id} is ${o.status}`, undefined, { status: o.status });
  }
}
