/**
 * Field logs (巡查 · 走访): patrols and household visits as a grid worker's tablet sends them,
 * each one record, once (the routes take an Idempotency-Key). A grid worker logs in their own
 * grids and reads their own logs; the centre and social workers read everyone's. Nothing here
 * reaches a wall, and nothing is journalled: the logs change no figure a display shows. A patrol
 * lists the cases its worker reported in its grid while it ran, found by time.
 */
import type { Db } from '../db/index.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { FUTURE_SLACK_MS, authorise } from '../kernel/rules.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { isoInZone } from '../../shared/time.ts';
import type { FieldLogQuery, LogPatrolBody, LogVisitBody, PatrolView, VisitLogQuery, VisitView } from '../../shared/fieldwork.ts';
import { LOG, READ } from './access.ts';

export interface FieldworkDeps {
  db: Db;
  // Field logs publish nothing: each write says it changed something (`ctx.changed()`), so it has its audit line.
  queue: WriteQueue<any>;
  directory: Directory;
  now: () => number;
  /** The name people know an account by. */
  actorName: (username: string) => string | null;
  /** The register's household or resident (when it exists): its community and grid, for checking a visit's names. */
  registerPlace?: (kind: 'household' | 'resident', id: number) => { communityId: string; gridId: string | null } | null;
}

interface PatrolRow {
  id: number; community_id: string; grid_id: string; by: string; worker_id: string | null; started_at: number; ended_at: number;
  route: string; notes: string; summary: string; at: number;
}
interface VisitRow {
  id: number; community_id: string; grid_id: string; by: string; household_id: number | null; resident_id: number | null; address: string;
  kind: VisitView['kind']; visited_at: number; met: number; safety: VisitView['safety']; health: VisitView['health']; living: VisitView['living'];
  note: string; follow_up: number; at: number;
}

export class FieldworkService {
  #d: FieldworkDeps;
  #stmt;

  constructor(deps: FieldworkDeps) {
    this.#d = deps;
    const db = deps.db;
    this.#stmt = {
      insertPatrol: db.prepare(
        `INSERT INTO patrols (community_id, grid_id, by, worker_id, started_at, ended_at, route, notes, summary, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      patrol: db.prepare<[number], PatrolRow>('SELECT * FROM patrols WHERE id = ?'),
      insertVisit: db.prepare(
        `INSERT INTO visits (community_id, grid_id, by, worker_id, household_id, resident_id, address, kind, visited_at, met, safety, health, living, note, follow_up, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      visit: db.prepare<[number], VisitRow>('SELECT * FROM visits WHERE id = ?'),
      // The cases a worker reported in a grid between two instants (their history's first line names them).
      eventsDuring: db.prepare<[string, string, number, number, string], { id: number; code: string; title: string; status: string }>(
        `SELECT e.id, e.code, e.title, e.status FROM events e
          WHERE e.community_id = ? AND e.grid_id = ? AND e.reported_at BETWEEN ? AND ?
            AND EXISTS (SELECT 1 FROM event_history h WHERE h.event_id = e.id AND h.action = 'report' AND h.actor = ?)
          ORDER BY e.reported_at`,
      ),
    };
  }

  /** Log a patrol that has ended. */
  async logPatrol(p: Principal, body: LogPatrolBody): Promise<PatrolView> {
    authorise(p, LOG, 'log patrols');
    this.#inMyGrids(p, body.gridId);
    const startedAt = Date.parse(body.startedAt);
    const endedAt = Date.parse(body.endedAt);
    this.#notFuture('endedAt', endedAt);
    const id = await this.#d.queue.runAs(p, (ctx) => {
      const id = Number(this.#stmt.insertPatrol.run(
        p.communityId, body.gridId, p.id, p.workerId ?? null, startedAt, endedAt, body.route,
        JSON.stringify(body.notes.map((n) => ({ at: Date.parse(n.at), text: n.text }))), body.summary, this.#d.now(),
      ).lastInsertRowid);
      ctx.changed();
      return id;
    });
    return this.patrol(p, id);
  }

  /** Log a visit to a household. */
  async logVisit(p: Principal, body: LogVisitBody): Promise<VisitView> {
    authorise(p, LOG, 'log visits');
    this.#inMyGrids(p, body.gridId);
    const visitedAt = Date.parse(body.visitedAt);
    this.#notFuture('visitedAt', visitedAt);
    for (const [kind, id] of [['household', body.householdId], ['resident', body.residentId]] as const) {
      if (id === undefined || !this.#d.registerPlace) continue;
      const place = this.#d.registerPlace(kind, id);
      if (!place || place.communityId !== p.communityId) throw invalid([{ field: `${kind}Id`, problem: `no ${kind} ${id} in this community` }]);
      if (place.gridId && place.gridId !== body.gridId) throw invalid([{ field: `${kind}Id`, problem: `is in grid ${place.gridId}, not ${body.gridId}` }]);
    }
    const id = await this.#d.queue.runAs(p, (ctx) => {
      const id = Number(this.#stmt.insertVisit.run(
        p.communityId, body.gridId, p.id, p.workerId ?? null, body.householdId ?? null, body.residentId ?? null, body.address, body.kind,
        visitedAt, body.met ? 1 : 0, body.safety, body.health, body.living, body.note, body.followUp ? 1 : 0, this.#d.now(),
      ).lastInsertRowid);
      ctx.changed();
      return id;
    });
    return this.visit(p, id);
  }

  patrol(p: Principal, id: number): PatrolView {
    authorise(p, READ, 'read patrols');
    const row = this.#stmt.patrol.get(id);
    if (!row || !this.#readable(p, row)) throw notFound(`patrol ${id}`);
    return this.#patrolView(row);
  }

  visit(p: Principal, id: number): VisitView {
    authorise(p, READ, 'read visits');
    const row = this.#stmt.visit.get(id);
    if (!row || !this.#readable(p, row)) throw notFound(`visit ${id}`);
    return this.#visitView(row);
  }

  patrols(p: Principal, q: FieldLogQuery): PatrolView[] {
    authorise(p, READ, 'read patrols');
    const { sql, args } = this.#where(p, q, 'started_at');
    const rows = this.#d.db.prepare(`SELECT * FROM patrols WHERE ${sql} ORDER BY started_at DESC, id DESC LIMIT ?`).all(...args, q.limit) as PatrolRow[];
    return rows.map((r) => this.#patrolView(r));
  }

  /** Visits newest first; with `attention`, only those that need someone to act (shared/fieldwork.ts needsAttention). */
  visits(p: Principal, q: VisitLogQuery): VisitView[] {
    authorise(p, READ, 'read visits');
    const where = this.#where(p, q, 'visited_at');
    const sql = q.attention ? `${where.sql} AND (follow_up = 1 OR safety = 'danger' OR health = 'poor')` : where.sql;
    const { args } = where;
    const rows = this.#d.db.prepare(`SELECT * FROM visits WHERE ${sql} ORDER BY visited_at DESC, id DESC LIMIT ?`).all(...args, q.limit) as VisitRow[];
    return rows.map((r) => this.#visitView(r));
  }

  /** A grid worker sees their own logs; the centre and social workers everyone's in the community. */
  #readable(p: Principal, row: { community_id: string; by: string }): boolean {
    return row.community_id === p.communityId && (p.role !== 'grid_worker' || row.by === p.id);
  }

  #where(p: Principal, q: FieldLogQuery, at: string): { sql: string; args: unknown[] } {
    const where = ['community_id = ?'];
    const args: unknown[] = [p.communityId];
    if (p.role === 'grid_worker') (where.push('by = ?'), args.push(p.id));
    else if (q.by) (where.push('by = ?'), args.push(q.by));
    if (q.grid) (where.push('grid_id = ?'), args.push(q.grid));
    if (q.from) (where.push(`${at} >= ?`), args.push(Date.parse(q.from)));
    if (q.to) (where.push(`${at} < ?`), args.push(Date.parse(q.to)));
    return { sql: where.join(' AND '), args };
  }

  #inMyGrids(p: Principal, gridId: string): void {
    const g = this.#d.directory.grids.get(gridId);
    if (!g || g.communityId !== p.communityId) throw invalid([{ field: 'gridId', problem: `no grid ${gridId} in this community` }]);
    if (p.grids && !p.grids.includes(gridId)) throw new DomainError(403, 'error.forbidden', `grid ${gridId} is not one of yours`);
  }

  #notFuture(field: string, at: number): void {
    if (at > this.#d.now() + FUTURE_SLACK_MS) throw invalid([{ field, problem: 'is in the future' }]);
  }

  #patrolView(r: PatrolRow): PatrolView {
    const tz = this.#d.directory.timeZoneOf(r.community_id);
    const notes = JSON.parse(r.notes) as { at: number; text: string }[];
    return {
      id: r.id, gridId: r.grid_id, by: r.by, byName: this.#d.actorName(r.by) ?? r.by, workerId: r.worker_id,
      startedAt: isoInZone(r.started_at, tz), endedAt: isoInZone(r.ended_at, tz), minutes: Math.round((r.ended_at - r.started_at) / 60_000),
      route: r.route, notes: notes.map((n) => ({ at: isoInZone(n.at, tz), text: n.text })), summary: r.summary,
      events: this.#stmt.eventsDuring.all(r.community_id, r.grid_id, r.started_at, r.ended_at, r.by),
      loggedAt: isoInZone(r.at, tz),
    };
  }

  #visitView(r: VisitRow): VisitView {
    const tz = this.#d.directory.timeZoneOf(r.community_id);
    return {
      id: r.id, gridId: r.grid_id, by: r.by, byName: this.#d.actorName(r.by) ?? r.by, householdId: r.household_id, residentId: r.resident_id,
      address: r.address, kind: r.kind, visitedAt: isoInZone(r.visited_at, tz), met: r.met === 1, safety: r.safety, health: r.health,
      living: r.living, note: r.note, followUp: r.follow_up === 1, loggedAt: isoInZone(r.at, tz),
    };
  }
}
