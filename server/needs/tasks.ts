/**
 * Tasks (任务): what accepting a match gives a provider that takes the need on alone (a
 * volunteer, a team, a donor, the community, a social worker for a need of few people). A task
 * is made by `MatchService.accept` and ends with its need (done when it is met, cancelled when
 * it is closed); here it is read.
 */
import { pageOf, type Page } from '../db/page.ts';
import { notFound } from '../errors.ts';
import { authorise, ownRow } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { ListTasksQuery } from '../../shared/needs.ts';
import { STAFF } from './access.ts';
import { taskFromRow, type TaskRecord } from './record.ts';
import { inScope, type NeedParts, type NeedStore } from './store.ts';

/** Tasks: one by id, a need's, and the list. */
export class TaskService {
  #store: NeedStore;

  constructor(parts: NeedParts) {
    this.#store = parts.store;
  }

  /** A task of the principal's community; a grid worker finds only the tasks of their grids' needs. */
  get(p: Principal, id: number): TaskRecord {
    authorise(p, STAFF, 'see tasks');
    const t = taskFromRow(ownRow(p, this.#store.stmt.task.get(id), `task ${id}`));
    // A grid worker: only the tasks of their grids' needs.
    if (p.grids && !inScope(p, (this.#store.stmt.need.get(t.needId) as { grid_id: string | null } | undefined)?.grid_id ?? null)) {
      throw notFound(`task ${id}`);
    }
    return t;
  }

  /** The need's task, if accepting its match made one. */
  ofNeed(p: Principal, needId: number): TaskRecord | null {
    const n = this.#store.need(p, needId);
    const row = this.#store.stmt.taskOf.get(n.id);
    return row ? taskFromRow(row) : null;
  }

  /** Newest first. */
  list(p: Principal, q: ListTasksQuery): Page<TaskRecord> {
    authorise(p, STAFF, 'see tasks');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.assignee) (where.push('assignee_kind = @assignee'), (params.assignee = q.assignee));
    if (q.need !== undefined) (where.push('need_id = @need'), (params.need = q.need));
    if (p.grids) {
      where.push('need_id IN (SELECT id FROM needs WHERE grid_id IN (SELECT value FROM json_each(@scope)))');
      params.scope = JSON.stringify(p.grids);
    }
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#store.db.prepare(`SELECT * FROM tasks WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(taskFromRow), q.limit);
  }
}
