/**
 * Reading the journal back: replay for displays that reconnect, and retention. Entries are
 * appended by the one writer, server/kernel/journal.ts, in the transaction of each change.
 */
import type { Db } from '../db/index.ts';
import type { EventChange } from '../events/service.ts';
import { fromRow, type EventRow } from '../events/record.ts';

/** Grid-event entries with their event as it is now (rows of other subjects have no event). */
const SELECT_ENTRIES = 'SELECT j.seq, j.at, j.type, j.action, j.from_status, e.* FROM journal j JOIN events e ON e.id = j.event_id';

type JournalRow = EventRow & { seq: number; at: number; type: string; action: string | null; from_status: string | null };

function changeFromRow(r: JournalRow): EventChange {
  return {
    seq: r.seq, at: r.at, type: r.type as EventChange['type'],
    ...(r.action ? { action: r.action as EventChange['action'] } : {}),
    ...(r.from_status ? { from: r.from_status as EventChange['from'] } : {}),
    before: null, after: fromRow(r),
  };
}

/** A community's latest `limit` grid-event entries, newest first (the stream a display starts with). */
export function latestChanges(db: Db, communityId: string, limit: number): EventChange[] {
  const rows = db.prepare(`${SELECT_ENTRIES} WHERE j.community_id = ? ORDER BY j.seq DESC LIMIT ?`).all(communityId, limit) as JournalRow[];
  return rows.map(changeFromRow);
}

export class JournalReader {
  #db: Db;
  #since;

  constructor(db: Db) {
    this.#db = db;
    this.#since = db.prepare(`${SELECT_ENTRIES} WHERE j.community_id = ? AND j.seq > ? ORDER BY j.seq LIMIT ?`);
  }

  /**
   * A community's entries after `seq`, oldest first, each with the event as it is now (so a
   * replaying display converges on the database's current state). Null when more than `limit`
   * entries would be needed or when entries after `seq` were pruned: the caller sends a
   * snapshot instead.
   */
  since(communityId: string, seq: number, limit: number): EventChange[] | null {
    if (seq < this.prunedThrough()) return null;
    const rows = this.#since.all(communityId, seq, limit + 1) as JournalRow[];
    if (rows.length > limit) return null;
    return rows.map(changeFromRow);
  }

  head(): number {
    return (this.#db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM journal').get() as { s: number }).s;
  }

  /** The highest seq ever pruned: replay from before it is impossible. */
  prunedThrough(): number {
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'journal_pruned_through'").get() as { value: string } | undefined;
    return row ? Number(row.value) : 0;
  }

  /** Drop entries older than `before` (epoch ms), keeping at least the newest one. */
  prune(before: number): number {
    return this.#db.transaction(() => {
      const last = this.#db
        .prepare('SELECT MAX(seq) AS s FROM journal WHERE at < ? AND seq < (SELECT MAX(seq) FROM journal)')
        .get(before) as { s: number | null };
      if (last.s === null) return 0;
      const r = this.#db.prepare('DELETE FROM journal WHERE seq <= ?').run(last.s);
      this.#db
        .prepare("INSERT INTO meta (key, value) VALUES ('journal_pruned_through', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .run(String(last.s));
      return r.changes;
    }).immediate();
  }
}
