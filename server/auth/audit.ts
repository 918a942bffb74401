/**
 * The audit log: who changed what, who read a resident's full record, who logged in or failed
 * to. Account and device changes write their line in the transaction of the change. Changes the
 * domain services make for an HTTP request are logged by `AuditedQueue`: the request's context
 * (who, from where, which route) travels with the write, and the line is written in the write's
 * own savepoint, so a change and its audit line commit together or not at all.
 */
import type { Db } from '../db/index.ts';
import { WriteQueue, type RunOptions, type WriteContext } from '../db/write-queue.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { AuditEntryView, AuditQuery } from '../../shared/auth.ts';
import { isoInZone } from '../../shared/time.ts';
import type { Principal, RouteAudit } from '../principal.ts';

export interface AuditEntry {
  communityId: string | null;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | number | null;
  detail?: Record<string, unknown> | null;
  ip?: string | null;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'targetId'>> {
  id: number;
  at: number;
  targetId: string | null;
}

/** The actor fields of an audit line for `p` (null for an anonymous request). */
export const actorOf = (p: Principal | null | undefined) => ({
  communityId: p?.communityId ?? null,
  actorId: p?.id ?? null,
  actorRole: p?.role ?? null,
});

export class Audit {
  #db: Db;
  #now: () => number;
  #insert;

  constructor(db: Db, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#insert = db.prepare(
      `INSERT INTO audit_log (at, community_id, actor_id, actor_role, action, target_type, target_id, detail, ip)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Write one line now (inside the caller's transaction, if it has one). */
  write(e: AuditEntry): void {
    this.#insert.run(
      this.#now(), e.communityId, e.actorId, e.actorRole, e.action, e.targetType ?? null,
      e.targetId === undefined || e.targetId === null ? null : String(e.targetId),
      e.detail ? JSON.stringify(e.detail) : null, e.ip ?? null,
    );
  }

  /** Newest first, for the admins of `communityId` (lines of no community, such as failed logins of unknown names, too). */
  list(communityId: string, q: AuditQuery): Page<AuditRecord> {
    const where = ['(community_id = @community OR community_id IS NULL)'];
    const params: Record<string, unknown> = { community: communityId, limit: q.limit + 1 };
    if (q.actor) (where.push('actor_id = @actor'), (params.actor = q.actor));
    if (q.action) (where.push('action = @action'), (params.action = q.action));
    if (q.targetType) (where.push('target_type = @targetType'), (params.targetType = q.targetType));
    if (q.from) (where.push('at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('at < @to'), (params.to = Date.parse(q.to)));
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db
      .prepare(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`)
      .all(params) as AuditRow[];
    return pageOf(rows.map(fromRow), q.limit);
  }
}

interface AuditRow {
  id: number; at: number; community_id: string | null; actor_id: string | null; actor_role: string | null; action: string;
  target_type: string | null; target_id: string | null; detail: string | null; ip: string | null;
}

const fromRow = (r: AuditRow): AuditRecord => ({
  id: r.id, at: r.at, communityId: r.community_id, actorId: r.actor_id, actorRole: r.actor_role, action: r.action,
  targetType: r.target_type, targetId: r.target_id, detail: r.detail ? JSON.parse(r.detail) : null, ip: r.ip,
});

export const viewAudit = (r: AuditRecord, timeZone: string): AuditEntryView => ({
  id: r.id, at: isoInZone(r.at, timeZone), actorId: r.actorId, actorRole: r.actorRole, action: r.action,
  targetType: r.targetType, targetId: r.targetId, detail: r.detail, ip: r.ip,
});

/**
 * The audit line of a write made through a route: the words of its path and, for a path ending
 * in an `:action` parameter, that action; the verb for a creation (`create`) or a PATCH
 * (`update`). The target is the path before the first parameter, and the id in the path.
 *
 * @example routeAudit('POST', '/events/:id/:action', { id: '12', action: 'dispatch' })
 *   // { action: 'events.dispatch', targetType: 'events', targetId: '12', detail: null }
 */
export function routeAudit(method: string, pattern: string, params: Record<string, string>): RouteAudit {
  const segments = pattern.split('/').filter(Boolean);
  const words: string[] = [];
  const target: string[] = [];
  let targetId: string | null = null;
  const detail: Record<string, string> = {};
  let seenParam = false;
  for (const seg of segments) {
    if (seg.startsWith(':')) {
      const name = seg.slice(1).replace(/\{.*$/, '');
      const value = params[name] ?? '';
      if (name === 'action') words.push(value);
      else if (!seenParam) targetId = value;
      else detail[name] = value;
      seenParam = true;
    } else {
      words.push(seg);
      if (!seenParam) target.push(seg);
    }
  }
  if (method === 'PATCH' || method === 'PUT') words.push('update');
  else if (method === 'DELETE') words.push('delete');
  else if (!seenParam) words.push('create');
  return {
    action: words.join('.'),
    targetType: target.join('.'),
    targetId,
    detail: Object.keys(detail).length ? detail : null,
  };
}

/** The id of what a write made or changed: `{ id }`, or one level down (`{ event: { id } }`). */
export function idOf(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.id === 'number' || typeof v.id === 'string') return String(v.id);
  for (const inner of Object.values(v)) {
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const id = (inner as Record<string, unknown>).id;
      if (typeof id === 'number' || typeof id === 'string') return String(id);
    }
  }
  return null;
}

/** The ids of what a write made, for its audit line: an `ids` list it returns, else `idOf`. */
export function idsOf(value: unknown): string[] {
  const ids = value && typeof value === 'object' ? (value as { ids?: unknown }).ids : undefined;
  if (Array.isArray(ids)) return ids.filter((v) => typeof v === 'number' || typeof v === 'string').map(String);
  const id = idOf(value);
  return id === null ? [] : [id];
}

/**
 * Ids as short runs for an audit line's detail: `['101-164', '170']`. Ids made in one group
 * mostly follow each other, so a burst of 500 reports is one run, not 500 numbers.
 */
export function idRuns(ids: readonly string[]): string[] {
  const runs: string[] = [];
  let from: number | null = null;
  let to = 0;
  const close = () => from !== null && runs.push(from === to ? String(from) : `${from}-${to}`);
  for (const id of ids) {
    const n = /^\d{1,15}$/.test(id) ? Number(id) : NaN;
    if (from !== null && n === to + 1) {
      to = n;
      continue;
    }
    close();
    if (Number.isNaN(n)) {
      from = null;
      runs.push(id);
    } else from = to = n;
  }
  close();
  return runs;
}

/** The writes of one actor through one route in one group: they share one audit line. */
interface SharedLine {
  entry: AuditEntry;
  writes: number;
  ids: string[];
}

/**
 * The group-commit queue with the audit log in it: a write queued while an HTTP request is
 * being answered is logged as that request's route, by the request's principal, in the
 * transaction of the write.
 *
 * A write whose target is named in its path (`events/123/dispatch`) writes its line in its own
 * savepoint, after the work. Writes that make something (`POST /events`: the target is what
 * they return) share a line: the writes of one actor through one route, from one address, in
 * one group, are logged in one line written after the group's last write, before COMMIT, with
 * the ids of what they made (`detail.ids`, as runs, and `detail.count`). A write that failed
 * (its savepoint rolled back) is not in it; a group that fails whole leaves neither its writes
 * nor its lines. A group holding one such write logs it as before: its id as the target.
 */
export class AuditedQueue<E> extends WriteQueue<E> {
  #audit: Audit | null = null;
  /** The lines of the group being written (null between groups). */
  #shared: Map<string, SharedLine> | null = null;

  /** Start logging (the audit log is built after the queue). */
  useAudit(audit: Audit) {
    this.#audit = audit;
  }

  override run<T>(work: (ctx: WriteContext<E>) => T, by?: Principal, options?: RunOptions): Promise<T> {
    const req = by?.request;
    const once = options?.bare ? undefined : req?.once;
    // A keyed write (server/http/idempotency.ts): claimed in its own savepoint, or, when its key
    // was claimed before, the first write's result returned and nothing written or logged.
    if (once) {
      const inner = work;
      work = (ctx) => {
        const first = once.begin();
        if (first) return first.result as T;
        const value = inner(ctx);
        once.done(value);
        return value;
      };
    }
    const what = this.#audit && req ? req.describe() : null;
    if (!what || !req) return super.run(work, undefined, options);
    const audit = this.#audit!;
    return super.run((ctx) => {
      let changed = false;
      const value = work({ emit: (effect) => ((changed = true), ctx.emit(effect)), changed: () => void (changed = true) });
      // Every change journals (and so emits); a write that emitted nothing changed nothing — a
      // report whose externalId was already in — and gets no line claiming it did.
      if (!changed) return value;
      const entry: AuditEntry = {
        ...actorOf(by), action: what.action, targetType: what.targetType, targetId: what.targetId, detail: what.detail, ip: req.ip,
      };
      const shared = this.#shared;
      if (what.targetId !== null || !shared) {
        audit.write({ ...entry, targetId: what.targetId ?? idOf(value) });
        return value;
      }
      // Noted now, written by `inGroup` once the group's writes are done: this savepoint ends
      // here, so a write that reaches this line is one that stands.
      const key = `${entry.actorId}\u0000${entry.action}\u0000${entry.ip}\u0000${what.detail ? JSON.stringify(what.detail) : ''}`;
      let line = shared.get(key);
      if (!line) shared.set(key, (line = { entry, writes: 0, ids: [] }));
      line.writes++;
      for (const id of idsOf(value)) line.ids.push(id);
      return value;
    }, undefined, options);
  }

  protected override inGroup(writeAll: () => void): void {
    const shared = new Map<string, SharedLine>();
    this.#shared = shared;
    try {
      writeAll();
    } finally {
      this.#shared = null;
    }
    for (const { entry, writes, ids } of shared.values()) {
      if (writes === 1 && ids.length <= 1) this.#audit!.write({ ...entry, targetId: ids[0] ?? null });
      else this.#audit!.write({ ...entry, detail: { ...entry.detail, count: Math.max(ids.length, writes), ids: idRuns(ids) } });
    }
  }

  /** Queue a write that logs nothing of its own (an audit line itself, a last-seen time). */
  runQuiet<T>(work: (ctx: WriteContext<E>) => T): Promise<T> {
    return super.run(work);
  }
}
