/**
 * Social workers (社会工作者): register (with their grids and, optionally, their employing
 * organization), on leave, back, or left, read. Leaving is refused while they hold open cases.
 */
import type { Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { authorise, ownRow, requireGrid } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { WORKER_TRANSITIONS, type ListWorkersQuery, type RegisterWorkerBody, type WorkerStatusBody } from '../../shared/orgs.ts';
import { MANAGE, STAFF } from './access.ts';
import { workerFromRow, type SocialWorkerRecord } from './record.ts';
import { allowed, type OrgStore } from './store.ts';

/** Social workers: `orgs.socialWorkers.register(...)`, `.setStatus`, `.get`, `.list`. */
export class SocialWorkerService {
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

  /** Register a social worker (active); an employer named must not be deregistered. */
  async register(p: Principal, body: RegisterWorkerBody): Promise<SocialWorkerRecord> {
    authorise(p, MANAGE, 'register social workers');
    for (const [i, g] of body.grids.entries()) requireGrid(this.#dir, p, g, `grids[${i}]`);
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      if (body.orgId !== undefined) this.#store.employer(p, body.orgId);
      const id = Number(this.#store.stmt.insertWorker.run(p.communityId, body.name, body.phone, body.orgId ?? null, body.qualification,
        JSON.stringify(body.grids), now, now).lastInsertRowid);
      this.#store.write(ctx, p, now, 'social_worker', 'social_worker.registered', 'social_worker', id,
        { orgId: body.orgId ?? null, qualification: body.qualification, grids: body.grids });
      return this.#store.workerRow(id);
    });
  }

  /** On leave, back, or left (WORKER_TRANSITIONS); leaving is refused while they hold open cases. */
  async setStatus(p: Principal, workerId: number, body: WorkerStatusBody): Promise<SocialWorkerRecord> {
    authorise(p, MANAGE, 'change social workers');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const w = this.get(p, workerId);
      if (w.status === body.status) return w;
      allowed(WORKER_TRANSITIONS[w.status], w.status, body.status, 'a social worker');
      if (body.status === 'left') {
        const n = (this.#store.stmt.openCasesOf.get(w.id) as { n: number }).n;
        if (n > 0) {
          throw new DomainError(409, 'error.worker_has_cases', `social worker ${w.id} holds ${n} open case(s); close them first`,
            undefined, { status: w.status, openCases: n });
        }
      }
      this.#store.stmt.workerStatus.run(body.status, now, w.id);
      this.#store.write(ctx, p, now, 'social_worker', 'social_worker.status_changed', 'social_worker', w.id,
        { status: body.status, note: feedText(body.note ?? '', [w.name]) || null }, w.status);
      return { ...w, status: body.status, updatedAt: now };
    });
  }

  /** A social worker of the principal's community; 404 otherwise. */
  get(p: Principal, id: number): SocialWorkerRecord {
    authorise(p, STAFF, 'see social workers');
    return workerFromRow(ownRow(p, this.#store.stmt.worker.get(id), `social worker ${id}`));
  }

  /** Newest first; filters by status, employer and grid. */
  list(p: Principal, q: ListWorkersQuery): Page<SocialWorkerRecord> {
    authorise(p, STAFF, 'see social workers');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.org !== undefined) (where.push('org_id = @org'), (params.org = q.org));
    if (q.grid) (where.push('EXISTS (SELECT 1 FROM json_each(grids) WHERE value = @grid)'), (params.grid = q.grid));
    return this.#store.page('social_workers', where, params, q, workerFromRow);
  }
}
