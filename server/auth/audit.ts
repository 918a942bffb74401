/**
 * The audit log: who changed what, who read a resident's full record, who logged in or failed
 * to. Account and device changes write their line in the transaction of the change. Changes the
 * domain services make for an HTTP request are logged by `AuditedQueue`: the request's context
 * (who, from where, which route) travels with the write, and the line is written in the write's
 * own savepoint, so a change and its audit line commit together or not at all.
 */
import type { Db } from '../db/index.ts';
import { WriteQueue, type WriteContext } from '../db/write-queue.ts';
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

/**
 * The group-commit queue with the audit log in it: a write queued while an HTTP request is
 * being answered writes that request's audit line in its own savepoint, after the work.
 */
export class AuditedQueue<E> extends WriteQueue<E> {
  #audit: Audit | null = null;

  /** Start logging (the audit log is built after the queue). */
  useAudit(audit: Audit) {
    this.#audit = audit;
  }

  override run<T>(work: (ctx: WriteContext<E>) => T, by?: Principal): Promise<T> {
    const req = by?.request;
    const what = this.#audit && req ? req.describe() : null;
    if (!what || !req) return super.run(work);
    const audit = this.#audit!;
    return super.run((ctx) => {
      let changed = false;
      const value = work({ emit: (effect) => ((changed = true), ctx.emit(effect)) });
      // Every change journals (and so emits); a write that emitted nothing changed nothing — a
      // report whose externalId was already in — and gets no line claiming it did.
      if (!changed) return value;
      audit.write({
        ...actorOf(by), action: what.action, targetType: what.targetType,
        targetId: what.targetId ?? idOf(value), detail: what.detail, ip: req.ip,
      });
      return value;
    });
  }

  /** Queue a write that logs nothing of its own (an audit line itself, a last-seen time). */
  runQuiet<T>(work: (ctx: WriteContext<E>) => T): Promise<T> {
    return super.run(work);
  }
}
