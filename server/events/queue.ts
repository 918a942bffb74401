/**
 * The dispatcher's queue (shared/desk.ts): the open cases of a community — and the closed ones
 * waiting for their call-back — sorted into the desk's tabs, filtered and counted. Open cases
 * are few (hundreds) beside the history (a million), and `events_status (community_id, status)`
 * finds them, so the queue is read whole and cut in memory: one query answers the tab and
 * every tab's count under the same filters. The desk's other reads sit here too: the case list
 * (`GET /events`, with the filters the desk numbers' lists use), the workers to dispatch to, the
 * open cases a new report may duplicate.
 */
import type { Db } from '../db/index.ts';
import {
  CALLBACK_WINDOW_MS, caseLight, nextDue, QUEUE_TABS,
  type DuplicateCandidate, type Light, type QueueQuery, type QueueTab,
} from '../../shared/desk.ts';
import type { DuplicateRule } from '../../shared/loop-settings.ts';
import type { AssigneeSuggestion } from '../../shared/desk.ts';
import type { ListEventsQuery } from '../../shared/schemas.ts';
import type { WorkerRecord } from '../kernel/community.ts';
import { caseWhere } from './filter.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { Status } from '../../shared/lifecycle.ts';
import { isoInZone } from '../../shared/time.ts';
import type { Principal } from '../principal.ts';
import { fromRow, type EventRecord, type EventRow } from './record.ts';

export interface QueuePage {
  items: { event: EventRecord; light: Light | null }[];
  counts: Record<QueueTab, number>;
  truncated: boolean;
}

export class EventQueue {
  #open;
  #load;

  #similar;
  #timeZone: (communityId: string) => string;

  #db: Db;

  constructor(db: Db, timeZone: (communityId: string) => string) {
    this.#db = db;
    this.#timeZone = timeZone;
    this.#similar = db.prepare(
      `SELECT * FROM events WHERE community_id = ? AND category = ? AND id != ? AND reported_at BETWEEN ? AND ?
         AND status IN ('reported', 'accepted', 'dispatched', 'in_progress', 'resolved', 'returned', 'shelved')`,
    );
    this.#open = db.prepare(
      `SELECT * FROM events WHERE community_id = ?
         AND (status IN ('reported', 'accepted', 'dispatched', 'in_progress', 'resolved', 'returned', 'shelved')
              OR (status = 'closed' AND closed_at > ?))`,
    );
    this.#load = db.prepare(
      `SELECT assignee_id AS id, COUNT(*) AS n FROM events
        WHERE community_id = ? AND status IN ('dispatched', 'in_progress') AND assignee_id IS NOT NULL GROUP BY assignee_id`,
    );
  }

  /** The tab `q.tab` of the principal's queue at `now`, with every tab's count. */
  page(p: Principal, q: QueueQuery, now: number): QueuePage {
    const needle = q.q?.toLowerCase() || null;
    const rows = (this.#open.all(p.communityId, now - CALLBACK_WINDOW_MS) as EventRow[]).filter((r) =>
      (!p.grids || (r.grid_id !== null && p.grids.includes(r.grid_id)))
      && (!q.category || q.category.includes(r.category))
      && (!q.grid || (r.grid_id !== null && q.grid.includes(r.grid_id)))
      && (!q.source || q.source.includes(r.source as never))
      && (!q.urgency || q.urgency.includes(r.urgency as never))
      && (!needle || matches(r, needle)));
    const counts = Object.fromEntries(QUEUE_TABS.map((t) => [t, 0])) as Record<QueueTab, number>;
    const picked: { event: EventRecord; light: Light | null; due: number | null }[] = [];
    for (const r of rows) {
      const e = fromRow(r);
      const light = caseLight(e, now);
      for (const t of tabsOf(e, light, p)) {
        counts[t]++;
        if (t === q.tab) picked.push({ event: e, light, due: nextDue(e) });
      }
    }
    picked.sort(q.sort === 'newest'
      ? (a, b) => b.event.reportedAt - a.event.reportedAt || b.event.id - a.event.id
      : (a, b) => (a.due ?? Infinity) - (b.due ?? Infinity) || a.event.reportedAt - b.event.reportedAt || a.event.id - b.event.id);
    return { items: picked.slice(0, q.limit).map(({ event, light }) => ({ event, light })), counts, truncated: picked.length > q.limit };
  }

  /** Open cases of `e`'s category that may be the same matter (`rule`), nearest first, at most 10. */
  candidates(p: Principal, e: EventRecord, rule: DuplicateRule): DuplicateCandidate[] {
    const windowMs = rule.windowHours * 3_600_000;
    const rows = this.#similar.all(e.communityId, e.category, e.id, e.reportedAt - windowMs, e.reportedAt + windowMs) as EventRow[];
    const tz = this.#timeZone(e.communityId);
    const out: DuplicateCandidate[] = [];
    for (const r of rows) {
      if (p.grids && (r.grid_id === null || !p.grids.includes(r.grid_id))) continue;
      const placed = e.lat !== null && e.lng !== null && r.lat !== null && r.lng !== null;
      const distanceM = placed ? Math.round(metresBetween(e.lat!, e.lng!, r.lat!, r.lng!)) : null;
      if (placed ? distanceM! > rule.radiusM : r.grid_id === null || r.grid_id !== e.gridId) continue;
      out.push({ id: r.id, code: r.code, title: r.title, status: r.status as Status, address: r.address, reportedAt: isoInZone(r.reported_at, tz), distanceM });
    }
    // Placed ones nearest first; those known only by their grid after them, newest first.
    const far = (c: DuplicateCandidate) => c.distanceM ?? Number.MAX_SAFE_INTEGER;
    return out.sort((a, b) => far(a) - far(b) || b.id - a.id).slice(0, 10);
  }

  /** Whom to send `e` to, best first: its grid's own worker, then by cases open now, fewest first. */
  rankAssignees(e: EventRecord, workers: readonly WorkerRecord[], accounts: ReadonlySet<string>): AssigneeSuggestion[] {
    const load = this.openLoad(e.communityId);
    return workers
      .map((w) => ({
        id: w.id, name: w.name, gridId: w.gridId, sameGrid: w.gridId !== null && w.gridId === e.gridId,
        openCases: load.get(w.id) ?? 0, hasAccount: accounts.has(w.id),
      }))
      .sort((a, b) => Number(b.sameGrid) - Number(a.sameGrid) || a.openCases - b.openCases || a.id.localeCompare(b.id));
  }

  /** `GET /events`: newest first under the query's filters; the cursor is the id of the last event of the previous page. */
  list(principal: Principal, q: ListEventsQuery): Page<EventRecord> {
    const { where, params } = caseWhere(principal, q);
    params.limit = q.limit + 1;
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db
      .prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`)
      .all(params) as EventRow[];
    return pageOf(rows.map(fromRow), q.limit);
  }

  /** Cases dispatched to each worker and not yet resolved, by worker id. */
  openLoad(communityId: string): Map<string, number> {
    return new Map((this.#load.all(communityId) as { id: string; n: number }[]).map((r) => [r.id, r.n]));
  }
}

function matches(r: EventRow, needle: string): boolean {
  return r.code.includes(needle) || r.title.toLowerCase().includes(needle) || r.description.toLowerCase().includes(needle)
    || (r.address?.toLowerCase().includes(needle) ?? false) || (r.reporter_phone?.includes(needle) ?? false);
}

const callable = (e: EventRecord) => e.reporterPhone !== null || e.source === 'resident' || e.source === 'hotline';

/** The tabs a case shows in. */
function tabsOf(e: EventRecord, light: Light | null, p: Principal): QueueTab[] {
  const tabs: QueueTab[] = [];
  // 回访 is a call to whoever reported it: a resident, a hotline caller, anyone who left a phone
  // (a patrol's or a sensor's closed case has nobody to call).
  if (e.status === 'closed') return e.reviewedAt === null && callable(e) ? ['callback'] : [];
  tabs.push('open');
  if (e.status === 'reported') tabs.push('triage');
  if ((e.status === 'accepted' || e.status === 'returned') && !e.pending) tabs.push('dispatch');
  if (e.status === 'dispatched' && !e.signedAt) tabs.push('sign');
  if (light === 'red') tabs.push('overdue');
  else if (light === 'amber') tabs.push('due_soon');
  if (e.pending) tabs.push('requests');
  if (e.status === 'resolved') tabs.push('verify');
  if (p.workerId && e.assigneeId === p.workerId && (e.status === 'dispatched' || e.status === 'in_progress')) tabs.push('mine');
  return tabs;
}

/** Metres between two WGS-84 points (haversine; a community is small enough for a sphere). */
function metresBetween(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2
    + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(a));
}
