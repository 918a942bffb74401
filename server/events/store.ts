/**
 * The grid events' statements, prepared once, and the one way a change is recorded: the row,
 * its history line and its journal entry in the write's transaction, the change emitted for after
 * commit. The service (reports, transitions), the deadline timer and the demo's back-dated history
 * all write through it, so an event row is inserted in one place.
 */
import type { Db } from '../db/index.ts';
import type { WriteContext } from '../db/write-queue.ts';
import type { JournalWriter } from '../kernel/journal.ts';
import type { Action } from '../../shared/lifecycle.ts';
import type { EntryType, Notice } from '../../shared/protocol.ts';
import { EVENT_COLUMNS, fromRow, toParams, type EventRecord, type EventRow } from './record.ts';

/** What one committed change publishes: its journal entry and the event before and after. */
export interface EventChange {
  seq: number;
  at: number;
  type: EntryType;
  action?: Action;
  from?: EventRecord['status'];
  before: EventRecord | null;
  after: EventRecord;
  /** The notices the change wrote in its transaction (server/notices), sent to their people after commit. */
  notices?: { userId: number; notice: Notice }[];
}

/** Told of every change in the write's transaction, before it is emitted: what it writes commits or rolls back with the change. */
export type InTransaction = (change: EventChange) => void;

/** One line of an event's history: who took which action, when, with which note. */
export interface HistoryLine {
  id: number;
  at: number;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  actor: string;
  actorRole: string;
  note: string | null;
  data: Record<string, unknown> | null;
}

/** The columns a report sets, in the order `insertReport` binds them; the others start as NULL. */
const REPORT_COLUMNS = [
  'id', 'code', 'community_id', 'grid_id', 'category', 'subcategory', 'urgency', 'source', 'title', 'description', 'address',
  'lat', 'lng', 'reporter_name', 'reporter_phone', 'external_id', 'reported_at', 'updated_at',
] as const;

/** A report's history data, `{"source":"hotline"}`: one string per source, made once. */
const SOURCE_DATA = new Map<string, string>();
export function sourceData(source: string): string {
  let data = SOURCE_DATA.get(source);
  if (data === undefined) SOURCE_DATA.set(source, (data = JSON.stringify({ source })));
  return data;
}

export class EventStore {
  #journal: JournalWriter;
  #nextId: number;
  #stmt;
  #inTransaction: InTransaction | null;

  /** `inTransaction`: told of each change as it is recorded (the notice centre writes its notices there). */
  constructor(db: Db, journal: JournalWriter, inTransaction: InTransaction | null = null) {
    this.#journal = journal;
    this.#inTransaction = inTransaction;
    this.#nextId = (db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM events').get() as { n: number }).n;
    const cols = EVENT_COLUMNS;
    this.#stmt = {
      // A new report: its own columns bound by position (no object of named parameters per
      // report on the ingest path), the lifecycle's starting values written as literals.
      report: db.prepare(
        `INSERT INTO events (${REPORT_COLUMNS.join(', ')}, status, version, overdue)
         VALUES (${REPORT_COLUMNS.map(() => '?').join(', ')}, 'reported', 1, 0)`,
      ),
      // A whole event at once (the demo's history, made in one transaction of its own).
      insert: db.prepare(`INSERT INTO events (${cols.join(', ')}) VALUES (${cols.map((k) => '@' + k).join(', ')})`),
      update: db.prepare(`UPDATE events SET ${cols.filter((c) => c !== 'id').map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`),
      byId: db.prepare('SELECT * FROM events WHERE id = ?'),
      byCode: db.prepare('SELECT * FROM events WHERE code = ?'),
      byExternal: db.prepare('SELECT * FROM events WHERE community_id = ? AND source = ? AND external_id = ?'),
      history: db.prepare(
        `INSERT INTO event_history (event_id, at, action, from_status, to_status, actor, actor_role, note, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      historyOf: db.prepare('SELECT * FROM event_history WHERE event_id = ? ORDER BY id'),
      mergedInto: db.prepare('SELECT * FROM events WHERE duplicate_of = ? ORDER BY id'),
      // The community_id term lets SQLite use events_status (community_id, status); without it
      // this scans the whole table, every TIMER_MS (docs/PERFORMANCE.md).
      clocked: db.prepare(
        `SELECT * FROM events WHERE community_id IN (SELECT id FROM communities)
           AND status IN ('accepted', 'returned', 'dispatched', 'in_progress') AND overdue = 0`,
      ),
    };
  }

  /** The id the next new event takes (ids are handed out in memory: one writer). */
  takeId(): number {
    return this.#nextId++;
  }

  byId(id: number): EventRow | undefined {
    return this.#stmt.byId.get(id) as EventRow | undefined;
  }

  byCode(code: string): EventRow | undefined {
    return this.#stmt.byCode.get(code) as EventRow | undefined;
  }

  byExternal(communityId: string, source: string, externalId: string): EventRecord | null {
    const row = this.#stmt.byExternal.get(communityId, source, externalId) as EventRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** Open events whose deadline is running and not yet passed: what the deadline timer reads. */
  clocked(): EventRecord[] {
    return (this.#stmt.clocked.all() as EventRow[]).map(fromRow);
  }

  /** A new report's row (status reported, version 1), `e` as the service built it. */
  insertReport(e: EventRecord): void {
    this.#stmt.report.run(
      e.id, e.code, e.communityId, e.gridId, e.category, e.subcategory, e.urgency, e.source, e.title, e.description, e.address,
      e.lat, e.lng, e.reporterName, e.reporterPhone, e.externalId, e.reportedAt, e.updatedAt,
    );
  }

  /** A whole event row as it stands (the demo's back-dated history). */
  insert(e: EventRecord): void {
    this.#stmt.insert.run(toParams(e));
  }

  update(e: EventRecord): void {
    this.#stmt.update.run(toParams(e));
  }

  /** Append a line to an event's history. */
  addHistory(eventId: number, at: number, action: string, from: string | null, to: string, actor: string, actorRole: string,
    note: string | null, data: string | null): void {
    this.#stmt.history.run(eventId, at, action, from, to, actor, actorRole, note, data);
  }

  history(eventId: number): HistoryLine[] {
    return (this.#stmt.historyOf.all(eventId) as any[]).map((r) => ({
      id: r.id, at: r.at, action: r.action, fromStatus: r.from_status, toStatus: r.to_status, actor: r.actor,
      actorRole: r.actor_role, note: r.note, data: r.data ? JSON.parse(r.data) : null,
    }));
  }

  /** The reports merged into a case. */
  mergedInto(eventId: number): EventRecord[] {
    return (this.#stmt.mergedInto.all(eventId) as EventRow[]).map(fromRow);
  }

  /** Append the change to the journal, tell `inTransaction` of it, and emit it for after commit. */
  record(ctx: WriteContext<EventChange>, at: number, type: EntryType, before: EventRecord | null, after: EventRecord, action?: Action): void {
    const seq = this.#journal.writeEvent(at, after.communityId, type, after.id, action ?? null, before?.status ?? null);
    const change: EventChange = {
      seq, at, type, ...(action ? { action } : {}),
      ...(before ? { from: before.status } : {}), before, after,
    };
    this.#inTransaction?.(change);
    ctx.emit(change);
  }
}
