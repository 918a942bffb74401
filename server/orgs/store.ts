/**
 * What the aggregates of organizations and social work share: their prepared statements
 * (prepared once, when the server starts), the row lookups and the checks of a reference a
 * body makes (an organization, a social worker, a project, a case, a need of this community),
 * the paging of a list and the journal row of a change. One store per database; the
 * aggregate services (organizations.ts, social-workers.ts, projects.ts, cases.ts, services.ts)
 * each take it, so one aggregate's write may read another's rows without reaching into it.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteContext } from '../db/write-queue.ts';
import type { JournalWriter, SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { invalidField } from '../kernel/rules.ts';
import { isoInZone } from '../../shared/time.ts';
import type { Principal } from '../principal.ts';
import type { FeedDraft, SubjectKind } from '../../shared/subjects.ts';
import type { OrgEntity, OrgEntryType } from '../../shared/orgs.ts';
import { CASEWORK } from './access.ts';
import {
  caseFromRow, orgFromRow, projectFromRow, workerFromRow, type CaseRecord, type OrgRecord, type ProjectRecord, type ServiceRecord,
  type SocialWorkerRecord,
} from './record.ts';

/** The statements, by name; the SQL is the reference for each (positional parameters). */
type Statements = Record<
  | 'org' | 'orgByName' | 'orgByRegistration' | 'insertOrg' | 'updateOrg' | 'orgStatus' | 'unfinishedProjectsOfOrg'
  | 'worker' | 'insertWorker' | 'workerStatus' | 'openCasesOf'
  | 'project' | 'projectStatus' | 'insertExpense' | 'expense' | 'need'
  | 'case' | 'lastCaseNo' | 'insertCase' | 'closeCase' | 'sessions'
  | 'service' | 'insertService' | 'rate' | 'summaryTotals' | 'summaryByGrid' | 'summaryByCategory' | 'summaryByKind',
  Statement
>;

export class OrgStore {
  readonly db: Db;
  readonly stmt: Statements;
  #journal: JournalWriter;

  constructor(db: Db, journal: JournalWriter) {
    this.db = db;
    this.#journal = journal;
    this.stmt = {
      org: db.prepare('SELECT * FROM organizations WHERE id = ?'),
      orgByName: db.prepare('SELECT id FROM organizations WHERE community_id = ? AND name = ?'),
      orgByRegistration: db.prepare('SELECT id FROM organizations WHERE community_id = ? AND registration_no = ?'),
      insertOrg: db.prepare(
        `INSERT INTO organizations (community_id, name, kind, registration_no, contact_name, contact_phone, categories, status,
                                    registered_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
      ),
      updateOrg: db.prepare('UPDATE organizations SET contact_name = ?, contact_phone = ?, categories = ?, updated_at = ?, updated_by = ? WHERE id = ?'),
      orgStatus: db.prepare('UPDATE organizations SET status = ?, updated_at = ?, updated_by = ? WHERE id = ?'),
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
      closeCase: db.prepare("UPDATE cases SET status = 'closed', closed_at = ?, updated_at = ?, outcome = ?, updated_by = ? WHERE id = ?"),
      sessions: db.prepare('SELECT COUNT(*) AS n, MAX(ended_at) AS last FROM services WHERE case_id = ?'),
      service: db.prepare('SELECT * FROM services WHERE id = ?'),
      insertService: db.prepare(
        `INSERT INTO services (community_id, provider_kind, social_worker_id, org_id, project_id, case_id, need_id, kind, category,
                               grid_id, content, beneficiaries, populations, started_at, ended_at, satisfaction, recorded_by,
                               recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      rate: db.prepare('UPDATE services SET satisfaction = ? WHERE id = ? AND satisfaction IS NULL'),
      summaryTotals: db.prepare(
        `SELECT COUNT(*) AS services, COALESCE(SUM(beneficiaries), 0) AS beneficiaries,
                COALESCE(SUM(ROUND((ended_at - started_at) / 60000.0)), 0) AS minutes,
                COUNT(satisfaction) AS rated, AVG(satisfaction) AS satisfaction ${SUMMARY_WINDOW}`,
      ),
      summaryByGrid: db.prepare(summaryBy('grid_id', 'gridId')),
      summaryByCategory: db.prepare(summaryBy('category', 'category')),
      summaryByKind: db.prepare(summaryBy('kind', 'kind')),
    };
  }

  /** Insert the service `rec`; the new id. */
  insertService(rec: Omit<ServiceRecord, 'id'>): number {
    return Number(this.stmt.insertService.run(rec.communityId, rec.providerKind, rec.socialWorkerId, rec.orgId, rec.projectId, rec.caseId,
      rec.needId, rec.kind, rec.category, rec.gridId, rec.content, rec.beneficiaries, JSON.stringify(rec.populations), rec.startedAt,
      rec.endedAt, rec.satisfaction, rec.recordedBy, rec.recordedAt).lastInsertRowid);
  }

  // ---- rows by id, for a write that has already checked the reference ---------------------

  /** The organization `id` (it exists: the caller holds a row that names it). */
  orgRow(id: number): OrgRecord {
    return orgFromRow(this.stmt.org.get(id));
  }

  /** The social worker `id` (it exists). */
  workerRow(id: number): SocialWorkerRecord {
    return workerFromRow(this.stmt.worker.get(id));
  }

  /** The case `id` (it exists). */
  caseRow(id: number): CaseRecord {
    return caseFromRow(this.stmt.case.get(id));
  }

  /** Sessions (services) recorded under a case, and when the last one ended. */
  sessions(caseId: number): { n: number; last: number | null } {
    return this.stmt.sessions.get(caseId) as { n: number; last: number | null };
  }

  // ---- references named in a body: unknown is a 400 on that field, not a 404 ---------------

  /** An organization named in a body's `field`. */
  orgRef(p: Principal, id: number, field: string): OrgRecord {
    const row = this.stmt.org.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField(field, `no organization ${id} in this community`);
    return orgFromRow(row);
  }

  /** A social worker's employer (`orgId`): it may be suspended, not deregistered (409). */
  employer(p: Principal, id: number): OrgRecord {
    const o = this.orgRef(p, id, 'orgId');
    if (o.status === 'deregistered') {
      throw new DomainError(409, 'error.org_inactive', `organization ${o.id} is deregistered`, undefined, { status: o.status });
    }
    return o;
  }

  /** A social worker named in a body's `field`. */
  workerRef(p: Principal, id: number, field: string): SocialWorkerRecord {
    const row = this.stmt.worker.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField(field, `no social worker ${id} in this community`);
    return workerFromRow(row);
  }

  /** A project named in a body (`projectId`). */
  projectRef(p: Principal, id: number): ProjectRecord {
    const row = this.stmt.project.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField('projectId', `no project ${id} in this community`);
    return projectFromRow(row);
  }

  /** A case named in a body (`caseId`); another worker's is "no case" to a social worker, as in `cases.get`. */
  caseRef(p: Principal, id: number): CaseRecord {
    const row = this.stmt.case.get(id) as { community_id: string; social_worker_id: number } | undefined;
    if (!row || row.community_id !== p.communityId || (p.role === 'social_worker' && row.social_worker_id !== p.socialWorkerId)) {
      invalidField('caseId', `no case ${id} in this community`);
    }
    return caseFromRow(row);
  }

  /** A need named in a body (`needId`), of this community. */
  needRef(p: Principal, id: number): void {
    const row = this.stmt.need.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField('needId', `no need ${id} in this community`);
  }

  /** Whether `p` may read the case `caseId` (and so its sessions: their notes are about the client). */
  mayReadCase(p: Principal, caseId: number): boolean {
    if (!CASEWORK.includes(p.role)) return false;
    if (p.role !== 'social_worker') return true;
    return (this.stmt.case.get(caseId) as { social_worker_id: number } | undefined)?.social_worker_id === p.socialWorkerId;
  }

  // ---- lists and the journal -----------------------------------------------------------------

  /** A page of `table`, newest first; the cursor is the last id of the previous page. */
  page<T extends { id: number }>(table: string, where: string[], params: Record<string, unknown>, q: { limit: number; cursor?: string | undefined },
    map: (row: unknown) => T): Page<T> {
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.db.prepare(`SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(map), q.limit);
  }

  /**
   * A 409 `error.version_conflict` when the record changed since the form was opened
   * (`expected`, the `updatedAt` it showed): who changed it (their display name) and when, so
   * the desk says so instead of overwriting silently.
   */
  sameVersion(what: string, rec: { updatedAt: number; updatedBy?: string | null }, expected: string | undefined, tz: string): void {
    if (expected === undefined || Date.parse(expected) === rec.updatedAt) return;
    const by = rec.updatedBy ?? null;
    const changedBy = by === null ? null : ((this.db.prepare('SELECT display_name FROM users WHERE username = ?').pluck().get(by) as string | undefined) ?? by);
    const changedAt = isoInZone(rec.updatedAt, tz);
    throw new DomainError(409, 'error.version_conflict', `${what} was changed${changedBy ? ` by ${changedBy}` : ''} at ${changedAt}; reload it`,
      undefined, { changedBy, changedAt });
  }

  /** The journal row of a change (and its feed line, if any), inside the write that makes it. */
  write(
    ctx: WriteContext<SubjectChange>, p: Principal, at: number, subject: SubjectKind, type: OrgEntryType, entity: OrgEntity, entityId: number,
    data: Record<string, unknown>, fromStatus: string | null = null, feed: FeedDraft | null = null,
  ): void {
    this.#journal.write(ctx, p, at, { subject, type, entity, entityId, data, fromStatus, feed });
  }
}

/** The services of a summary: a community's that ended in [from, to) (parameters: community, from, to). */
const SUMMARY_WINDOW = 'FROM services WHERE community_id = ? AND ended_at >= ? AND ended_at < ?';

/** A summary's services and people served by `col`, as `key`, most services first. */
function summaryBy(col: string, key: string): string {
  return `SELECT ${col} AS ${key}, COUNT(*) AS services, COALESCE(SUM(beneficiaries), 0) AS beneficiaries ${SUMMARY_WINDOW}
           GROUP BY ${col} ORDER BY services DESC, ${col}`;
}

/** A 409 naming the statuses `from` may go to, unless `to` is one of them (`next`). */
export function allowed<S extends string>(next: readonly S[], from: S, to: S, what: string): void {
  if (!next.includes(to)) {
    throw new DomainError(409, 'error.transition_not_allowed', `cannot make ${what} that is ${from} ${to}; allowed: ${next.join(', ') || 'none'}`,
      undefined, { status: from, allowed: next });
  }
}

/** A 409 unless the organization is active (it runs a project, it delivers a service). */
export function requireActiveOrg(o: OrgRecord): void {
  if (o.status !== 'active') {
    throw new DomainError(409, 'error.org_inactive', `organization ${o.id} is ${o.status}`, undefined, { status: o.status });
  }
}
