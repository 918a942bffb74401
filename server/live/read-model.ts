/**
 * Live read models, kept in memory and updated incrementally from committed changes: the open
 * events, today's finished ones, the latest stream entries and hourly counters for 31 days.
 * At start they are rebuilt from the database by reading open events and the 31-day window
 * only, so a snapshot costs O(size of the view), never a scan of history.
 */
import type { Db } from '../db/index.ts';
import { isOpen, STATUSES } from '../../shared/lifecycle.ts';
import { CATEGORIES } from '../../shared/taxonomy.ts';
import type { CategoryCount, Entry, GridRank, Kpis, TrendPoint, Views } from '../../shared/protocol.ts';
import { STREAM_LIMIT } from '../../shared/protocol.ts';
import { selectForDisplay } from '../../shared/display-events.ts';
import { DAY_MS, HOUR_MS, hourOf, isoInZone, startOfLocalDay } from '../../shared/time.ts';
import type { EventChange } from '../events/service.ts';
import { fromRow, type EventRecord, type EventRow } from '../events/record.ts';
import type { Directory } from '../kernel/community.ts';
import { latestChanges } from './journal.ts';
import type { SubjectStats } from './subjects.ts';

export const WINDOW_DAYS = 30;
/** Counters are kept a day longer than the window so the window can slide. */
const KEEP_MS = (WINDOW_DAYS + 1) * DAY_MS;

interface Counters {
  reported: number;
  accepted: number;
  closed: number;
  onTime: number;
  late: number;
  handleMs: number;
  satSum: number;
  satN: number;
}

const zero = (): Counters => ({ reported: 0, accepted: 0, closed: 0, onTime: 0, late: 0, handleMs: 0, satSum: 0, satN: 0 });

/** total += c, one line per field of Counters (a loop over Object.keys costs twice as much). */
function add(total: Counters, c: Counters) {
  total.reported += c.reported;
  total.accepted += c.accepted;
  total.closed += c.closed;
  total.onTime += c.onTime;
  total.late += c.late;
  total.handleMs += c.handleMs;
  total.satSum += c.satSum;
  total.satN += c.satN;
}

class CommunityModel {
  readonly open = new Map<number, EventRecord>();
  readonly finished = new Map<number, EventRecord>();
  recent: EventChange[] = [];
  /** hour start → key ('*', 'g:<grid>', 'c:<category>') → counters */
  readonly hours = new Map<number, Map<string, Counters>>();

  constructor(readonly id: string, readonly timeZone: string) {}

  bump(at: number, e: EventRecord, f: (c: Counters) => void) {
    const h = hourOf(at);
    let bucket = this.hours.get(h);
    if (!bucket) this.hours.set(h, (bucket = new Map()));
    for (const key of ['*', `c:${e.category}`, ...(e.gridId ? [`g:${e.gridId}`] : [])]) {
      let c = bucket.get(key);
      if (!c) bucket.set(key, (c = zero()));
      f(c);
    }
  }

  /** Sum the counters of `key` over hours in [from, to). */
  sum(key: string, from: number, to: number): Counters {
    const total = zero();
    for (const [h, bucket] of this.hours) {
      if (h < from || h >= to) continue;
      const c = bucket.get(key);
      if (c) add(total, c);
    }
    return total;
  }

  /** Sum the counters of every key over hours in [from, to), in one pass. */
  sumAll(from: number, to: number): Map<string, Counters> {
    const totals = new Map<string, Counters>();
    for (const [h, bucket] of this.hours) {
      if (h < from || h >= to) continue;
      for (const [key, c] of bucket) {
        let t = totals.get(key);
        if (!t) totals.set(key, (t = zero()));
        add(t, c);
      }
    }
    return totals;
  }

  prune(now: number) {
    for (const h of this.hours.keys()) if (h < now - KEEP_MS) this.hours.delete(h);
    const today = startOfLocalDay(now, this.timeZone);
    for (const [id, e] of this.finished) if ((e.closedAt ?? e.updatedAt) < today) this.finished.delete(id);
  }
}

/** Apply the counter deltas of one change (or of an event's whole past, with `before` null and `replay`). */
function count(m: CommunityModel, before: EventRecord | null, after: EventRecord, since: number) {
  if (!before && after.reportedAt >= since) m.bump(after.reportedAt, after, (c) => c.reported++);
  if (after.acceptedAt !== null && before?.acceptedAt == null && after.acceptedAt >= since) {
    m.bump(after.acceptedAt, after, (c) => c.accepted++);
  }
  const nowClosed = after.status === 'closed' || after.status === 'reviewed';
  const wasClosed = before?.status === 'closed' || before?.status === 'reviewed';
  if (nowClosed && !wasClosed && after.closedAt !== null && after.closedAt >= since) {
    m.bump(after.closedAt, after, (c) => {
      c.closed++;
      if (after.onTime === true) c.onTime++;
      else if (after.onTime === false) c.late++;
      c.handleMs += after.closedAt! - after.reportedAt;
    });
  }
  if (after.satisfaction !== null && before?.satisfaction == null && after.reviewedAt !== null && after.reviewedAt >= since) {
    m.bump(after.reviewedAt, after, (c) => {
      c.satSum += after.satisfaction!;
      c.satN++;
    });
  }
}

export class ReadModel {
  head = 0;
  readonly #models = new Map<string, CommunityModel>();
  #dir: Directory;
  #subjects: SubjectStats | undefined;

  /** `subjects` adds the five-subject views to every `views()`; without it they are absent (tests of events alone). */
  constructor(dir: Directory, subjects?: SubjectStats) {
    this.#dir = dir;
    this.#subjects = subjects;
  }

  /** A change of another subject committed with this seq: the head moves past it. */
  advance(seq: number) {
    this.head = Math.max(this.head, seq);
  }

  #model(communityId: string): CommunityModel {
    let m = this.#models.get(communityId);
    if (!m) {
      const tz = this.#dir.timeZoneOf(communityId);
      this.#models.set(communityId, (m = new CommunityModel(communityId, tz)));
    }
    return m;
  }

  /** Rebuild everything from the database: open events, the counter window, the latest entries. */
  rebuild(db: Db, now: number) {
    this.#models.clear();
    this.head = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM journal').get() as { s: number }).s;
    const since = now - KEEP_MS;
    const open = STATUSES.filter((s) => isOpen(s));
    const openRows = db
      // community_id lets SQLite use events_status (community_id, status) instead of a scan.
      .prepare(`SELECT * FROM events WHERE community_id IN (SELECT id FROM communities) AND status IN (${open.map(() => '?').join(', ')})`)
      .all(...open) as EventRow[];
    for (const r of openRows) {
      const e = fromRow(r);
      this.#model(e.communityId).open.set(e.id, e);
    }
    const windowRows = db
      .prepare(
        `SELECT * FROM events WHERE id IN (
           SELECT id FROM events WHERE reported_at >= @since
           UNION SELECT id FROM events WHERE accepted_at >= @since
           UNION SELECT id FROM events WHERE closed_at >= @since
           UNION SELECT id FROM events WHERE reviewed_at >= @since)`,
      )
      .all({ since }) as EventRow[];
    // Local midnight once per community, not once per row: it costs several ICU calls.
    const todayOf = new Map<CommunityModel, number>();
    for (const r of windowRows) {
      const e = fromRow(r);
      const m = this.#model(e.communityId);
      count(m, null, e, since);
      if (isOpen(e.status)) continue;
      let today = todayOf.get(m);
      if (today === undefined) todayOf.set(m, (today = startOfLocalDay(now, m.timeZone)));
      if ((e.closedAt ?? e.updatedAt) >= today) m.finished.set(e.id, e);
    }
    for (const c of this.#dir.communities.values()) {
      const m = this.#model(c.id);
      m.recent = latestChanges(db, c.id, STREAM_LIMIT);
      m.prune(now);
    }
  }

  /** Apply committed changes, in seq order. */
  apply(changes: EventChange[]) {
    for (const ch of changes) {
      const e = ch.after;
      const m = this.#model(e.communityId);
      count(m, ch.before, e, -Infinity);
      if (isOpen(e.status)) m.open.set(e.id, e);
      else {
        m.open.delete(e.id);
        m.finished.set(e.id, e);
      }
      m.recent.unshift(ch);
      if (m.recent.length > STREAM_LIMIT) m.recent.length = STREAM_LIMIT;
      this.head = Math.max(this.head, ch.seq);
    }
  }

  /** The aggregates a display shows, computed from the counters at `now`. */
  views(communityId: string, now: number): Views {
    const m = this.#model(communityId);
    m.prune(now);
    const tz = m.timeZone;
    const today = startOfLocalDay(now, tz);
    const end = hourOf(now) + HOUR_MS;
    const windowStart = now - WINDOW_DAYS * DAY_MS;
    const todayAll = m.sum('*', hourOf(today), end);
    // One pass over the window's hours and one over the open events, rather than one per
    // category and per grid: this runs on every broadcast, and with thousands of open events
    // the per-key filters cost tens of milliseconds (docs/PERFORMANCE.md).
    const win = m.sumAll(windowStart, end);
    const sumOf = (key: string) => win.get(key) ?? zero();
    const all = sumOf('*');
    let overdueNow = 0;
    const openByCategory = new Map<string, number>();
    const openByGrid = new Map<string, { open: number; overdue: number }>();
    for (const e of m.open.values()) {
      if (e.overdue) overdueNow++;
      openByCategory.set(e.category, (openByCategory.get(e.category) ?? 0) + 1);
      if (e.gridId === null) continue;
      let g = openByGrid.get(e.gridId);
      if (!g) openByGrid.set(e.gridId, (g = { open: 0, overdue: 0 }));
      g.open++;
      if (e.overdue) g.overdue++;
    }
    const kpis: Kpis = {
      reportedToday: todayAll.reported,
      closedToday: todayAll.closed,
      overdueNow,
      openNow: m.open.size,
      closureRate: all.accepted ? Math.min(1, all.closed / all.accepted) : null,
      onTimeRate: all.onTime + all.late ? all.onTime / (all.onTime + all.late) : null,
      avgHandleMinutes: all.closed ? all.handleMs / all.closed / 60_000 : null,
      satisfaction: all.satN ? all.satSum / all.satN : null,
    };
    const trend: TrendPoint[] = [];
    for (let h = end - 24 * HOUR_MS; h < end; h += HOUR_MS) {
      const c = m.hours.get(h)?.get('*');
      trend.push({ hour: isoInZone(h, tz), reported: c?.reported ?? 0, closed: c?.closed ?? 0 });
    }
    const categories: CategoryCount[] = CATEGORIES.map((cat) => ({
      code: cat.code,
      reported: sumOf(`c:${cat.code}`).reported,
      open: openByCategory.get(cat.code) ?? 0,
    }));
    const grids: GridRank[] = this.#dir.gridsOf(communityId).map((g) => {
      const c = sumOf(`g:${g.id}`);
      const mine = openByGrid.get(g.id);
      return {
        gridId: g.id, reported: c.reported, resolved: c.closed,
        onTimeRate: c.onTime + c.late ? c.onTime / (c.onTime + c.late) : null,
        open: mine?.open ?? 0, overdue: mine?.overdue ?? 0,
      };
    });
    grids.sort((a, b) => (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1) || b.resolved - a.resolved);
    return {
      kpis, trend, categories, grids, asOf: isoInZone(now, tz),
      ...(this.#subjects ? { subjects: this.#subjects.views(communityId, now, kpis) } : {}),
    };
  }

  /** The events a display holds (open, then today's finished), best first by the one rule of shared/display-events.ts. */
  currentEvents(communityId: string): EventRecord[] {
    const m = this.#model(communityId);
    return selectForDisplay([...m.open.values(), ...m.finished.values()], displayRank);
  }

  recent(communityId: string): EventChange[] {
    return this.#model(communityId).recent;
  }

  openCount(communityId: string): number {
    return this.#model(communityId).open.size;
  }
}

/** What the display rule reads of an event the server holds. */
const displayRank = (e: EventRecord) => ({ id: e.id, open: isOpen(e.status), overdue: e.overdue, changedAt: e.updatedAt });

export type { Entry };
