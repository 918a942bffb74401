/**
 * Cases (个案): a social worker's file on one client, numbered `GA-2026-0001`. The client's name
 * and phone are staff-only: they are in the cases table and its API, never in the journal nor
 * in a feed line (which names the masked social worker and the category, and no grid).
 */
import type { Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import { DomainError, notFound } from '../errors.ts';
import { authorise, instantFrom, invalidField, ownRow, requireGrid } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { maskName } from '../../shared/mask.ts';
import { wallTime } from '../../shared/time.ts';
import { caseCode, type UpdateCaseBody, type CloseCaseBody, type ListCasesQuery, type OpenCaseBody } from '../../shared/orgs.ts';
import { CASEWORK, actsAs } from './access.ts';
import { categoryParams } from './feed-lines.ts';
import { caseFromRow, type CaseRecord } from './record.ts';
import type { OrgStore } from './store.ts';

/** Cases: `orgs.cases.open(...)`, `.close`, `.get`, `.list`, `.sessionsOf`. */
export class CaseService {
  #store: OrgStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;

  constructor(deps: SubjectServiceDeps, store: OrgStore) {
    this.#store = store;
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
  }

  /** Open a case (个案) for a client, held by an active social worker; numbered `GA-2026-0001`. */
  async open(p: Principal, body: OpenCaseBody): Promise<CaseRecord> {
    authorise(p, CASEWORK, 'open cases');
    actsAs(p, body.socialWorkerId);
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt } = this.#store;
      const openedAt = instantFrom('openedAt', body.openedAt, now);
      const w = this.#store.workerRef(p, body.socialWorkerId, 'socialWorkerId');
      if (w.status !== 'active') {
        throw new DomainError(409, 'error.worker_inactive', `social worker ${w.id} is ${w.status}`, undefined, { status: w.status });
      }
      if (body.needId !== undefined) this.#store.needRef(p, body.needId);
      const year = wallTime(openedAt, this.#dir.timeZoneOf(p.communityId)).year;
      const n = ((stmt.lastCaseNo.get(`GA-${year}-%`) as { n: number | null }).n ?? 0) + 1;
      const code = caseCode(year, n);
      const id = Number(stmt.insertCase.run(p.communityId, code, w.id, body.category, body.clientName, body.clientPhone ?? null,
        JSON.stringify(body.populations), body.gridId ?? null, body.needId ?? null, openedAt, now).lastInsertRowid);
      // The journal and the feed name the social worker and the category, never the client.
      this.#store.write(ctx, p, now, 'social_worker', 'case.opened', 'case', id,
        { code, socialWorkerId: w.id, category: body.category, gridId: body.gridId ?? null, openedAt }, null,
        // A case is one client: no grid on the wall either (shared/disclosure.ts).
        { subject: 'social_worker', key: 'feed.case.opened', params: { name: maskName(w.name) ?? '', ...categoryParams(body.category) }, gridId: null });
      return this.#store.caseRow(id);
    });
  }

  /** Close a case; not before it was opened nor before its last session. */
  async close(p: Principal, caseId: number, body: CloseCaseBody): Promise<CaseRecord> {
    authorise(p, CASEWORK, 'close cases');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const c = this.get(p, caseId);
      actsAs(p, c.socialWorkerId);
      if (c.status !== 'open') {
        throw new DomainError(409, 'error.transition_not_allowed', `case ${c.code} is ${c.status}`, undefined, { status: c.status, allowed: [] });
      }
      const closedAt = instantFrom('closedAt', body.closedAt, now);
      if (closedAt < c.openedAt) invalidField('closedAt', 'is before the case was opened');
      const last = this.#store.sessions(c.id).last;
      if (last !== null && closedAt < last) invalidField('closedAt', 'is before the case’s last session ended');
      this.#store.stmt.closeCase.run(closedAt, now, body.outcome ?? null, p.id, c.id);
      const w = this.#store.workerRow(c.socialWorkerId);
      this.#store.write(ctx, p, now, 'social_worker', 'case.closed', 'case', c.id,
        { code: c.code, closedAt, outcome: body.outcome ?? null, note: feedText(body.note ?? '', [c.clientName, w.name]) || null }, c.status,
        { subject: 'social_worker', key: 'feed.case.closed', params: { name: maskName(w.name) ?? '', ...categoryParams(c.category) }, gridId: null });
      return { ...c, status: 'closed', closedAt, updatedAt: now, outcome: body.outcome ?? null, updatedBy: p.id };
    });
  }

  /**
   * Replace a case's goals (个案目标), by its social worker (or a coordinator, an admin). A closed
   * case keeps its plan as it was (409). `expectedUpdatedAt` from the form: a colleague's change
   * meanwhile is a 409 naming them. The journal says how many goals and how many met, never
   * their text (it may name the client).
   */
  async updateGoals(p: Principal, caseId: number, body: UpdateCaseBody): Promise<CaseRecord> {
    authorise(p, CASEWORK, 'change cases');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const c = this.get(p, caseId);
      actsAs(p, c.socialWorkerId);
      this.#store.sameVersion(`case ${c.code}`, c, body.expectedUpdatedAt, this.#dir.timeZoneOf(p.communityId));
      if (c.status !== 'open') {
        throw new DomainError(409, 'error.transition_not_allowed', `case ${c.code} is ${c.status}`, undefined, { status: c.status, allowed: [] });
      }
      this.#store.db.prepare('UPDATE cases SET goals = ?, updated_at = ?, updated_by = ? WHERE id = ?').run(JSON.stringify(body.goals), now, p.id, c.id);
      this.#store.write(ctx, p, now, 'social_worker', 'case.updated', 'case', c.id,
        { code: c.code, goals: body.goals.length, met: body.goals.filter((g) => g.done).length });
      return { ...c, goals: body.goals, updatedAt: now, updatedBy: p.id };
    });
  }

  /**
   * A case with its client: social workers, coordinators and admins only, and a social worker
   * only their own (a client's file is their caseworker's).
   */
  get(p: Principal, id: number): CaseRecord {
    authorise(p, CASEWORK, 'see cases');
    const c = caseFromRow(ownRow(p, this.#store.stmt.case.get(id), `case ${id}`));
    if (p.role === 'social_worker' && c.socialWorkerId !== p.socialWorkerId) throw notFound(`case ${id}`);
    return c;
  }

  /** Newest first; filters by status and social worker. A social worker sees their own cases only. */
  list(p: Principal, q: ListCasesQuery): Page<CaseRecord> {
    authorise(p, CASEWORK, 'see cases');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.worker !== undefined) (where.push('social_worker_id = @worker'), (params.worker = q.worker));
    // A social worker's own cases only (none while their account names no record).
    if (p.role === 'social_worker') (where.push('social_worker_id = @self'), (params.self = p.socialWorkerId ?? -1));
    return this.#store.page('cases', where, params, q, caseFromRow);
  }

  /** Sessions (services) recorded under a case. */
  sessionsOf(caseId: number): number {
    return this.#store.sessions(caseId).n;
  }
}
