/**
 * Changes of the subjects other than grid events (volunteers, organizations, social work,
 * charity, needs). Each is journaled in the transaction of the change, like a grid event's, and
 * after commit it marks the community's subject views stale and may add a line to the wall's
 * feed. Displays receive them as fresh views in the next batch, never as raw records: the
 * views are aggregates and masked lines, the same for every audience.
 */
import type { Db } from '../db/index.ts';
import type { WriteContext } from '../db/write-queue.ts';
import type { Change } from '../events/service.ts';
import type { Principal } from '../principal.ts';
import { nameMasker, scrubText } from '../../shared/mask.ts';
import type { FeedDraft, SubjectKind } from '../../shared/subjects.ts';

export interface SubjectChange {
  kind: 'subject';
  seq: number;
  at: number;
  communityId: string;
  subject: SubjectKind;
  type: string;
  feed: FeedDraft | null;
}

/** What one committed write produced: grid-event changes and subject changes, in seq order. */
export type Effect = Change | SubjectChange;

export const isSubjectChange = (e: Effect): e is SubjectChange => (e as SubjectChange).kind === 'subject';

export interface SubjectEntry {
  subject: SubjectKind;
  /** e.g. 'donation.received'; the journal's type. */
  type: string;
  /** The journal's entity and row id. */
  entity: string;
  entityId: number;
  data?: Record<string, unknown>;
  fromStatus?: string | null;
  /** A line for the wall's feed, already masked (see `feedText`). */
  feed?: FeedDraft | null;
}

/**
 * Appends subject entries to the journal inside a write and emits them for after commit. One
 * per service; the statement is prepared once.
 */
export class SubjectJournal {
  #insert;

  constructor(db: Db) {
    this.#insert = db.prepare(
      'INSERT INTO journal (at, community_id, type, entity, entity_id, from_status, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  write(ctx: WriteContext<Effect>, p: Principal, at: number, e: SubjectEntry): number {
    const feed = e.feed ?? null;
    const data = feed ? { ...e.data, feed } : (e.data ?? {});
    const seq = Number(this.#insert.run(at, p.communityId, e.type, e.entity, e.entityId, e.fromStatus ?? null, JSON.stringify(data)).lastInsertRowid);
    ctx.emit({ kind: 'subject', seq, at, communityId: p.communityId, subject: e.subject, type: e.type, feed });
    return seq;
  }
}

/**
 * Free text for a public feed line: phone and ID numbers scrubbed, and any of `names` (the
 * people the record names: a resident, a donor, a volunteer) masked where they appear.
 */
export function feedText(text: string, names: readonly (string | null | undefined)[] = []): string {
  const known = names.filter((n): n is string => !!n && n.length > 1);
  const scrubbed = scrubText(text);
  return known.length ? nameMasker(known).apply(scrubbed) : scrubbed;
}
