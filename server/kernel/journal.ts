/**
 * The journal's one writer. Every change of every subject appends its entry here, in the
 * transaction of the change: grid events (`writeEvent`, whose service publishes the event
 * before and after), the other subjects (`write`: volunteers, organizations, social work,
 * charity, needs, which also emits the `SubjectChange` published after commit) and the demo
 * seeder's back-dated history. Reading the journal back (replay, retention) is
 * `server/live/journal.ts`; what committed reaches its subscribers through `server/feed.ts`.
 *
 * Subject changes reach displays as fresh views in the next batch, never as raw records: the
 * views are aggregates and masked lines, the same for every audience.
 */
import type { Db } from '../db/index.ts';
import type { WriteContext } from '../db/write-queue.ts';
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
  /** The journal's entity and row id: what a desk that shows it asks for again (server/live/desks.ts). */
  entity: string;
  entityId: number;
  /** The records it belongs to, by id (`volunteerId`, `activityId` …, from its data): a page of one of them asks again. */
  refs: Record<string, number>;
  feed: FeedDraft | null;
}

/** The data keys that name a record an entry belongs to (a sign-up's volunteer and activity …). */
const REF_KEYS = ['volunteerId', 'activityId', 'needId', 'projectId', 'caseId', 'itemId', 'organizationId'] as const;

function refsOf(data: Record<string, unknown> | undefined): Record<string, number> {
  const refs: Record<string, number> = {};
  if (data) for (const k of REF_KEYS) if (typeof data[k] === 'number') refs[k] = data[k] as number;
  return refs;
}

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

/** Appends journal entries inside a write; its statements are prepared once. */
export class JournalWriter {
  #event;
  #subject;

  constructor(db: Db) {
    this.#event = db.prepare('INSERT INTO journal (at, community_id, type, event_id, action, from_status) VALUES (?, ?, ?, ?, ?, ?)');
    this.#subject = db.prepare(
      'INSERT INTO journal (at, community_id, type, entity, entity_id, from_status, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /**
   * A grid event's entry (which event, the action taken if any, the status it left); its seq.
   * The event service publishes the event itself. Positional: it runs once per grid-event write.
   */
  writeEvent(at: number, communityId: string, type: string, eventId: number, action: string | null, fromStatus: string | null): number {
    return Number(this.#event.run(at, communityId, type, eventId, action, fromStatus).lastInsertRowid);
  }

  /** Another subject's entry, emitted for after commit; its seq. */
  write(ctx: WriteContext<SubjectChange>, p: Principal, at: number, e: SubjectEntry): number {
    const feed = e.feed ?? null;
    const data = feed ? { ...e.data, feed } : (e.data ?? {});
    const seq = Number(this.#subject.run(at, p.communityId, e.type, e.entity, e.entityId, e.fromStatus ?? null, JSON.stringify(data)).lastInsertRowid);
    ctx.emit({ kind: 'subject', seq, at, communityId: p.communityId, subject: e.subject, type: e.type, entity: e.entity, entityId: e.entityId, refs: refsOf(e.data), feed });
    return seq;
  }

  /**
   * An entry of a kind that publishes its own change after commit (an incident: server/emergency),
   * not through the five subjects' views; its seq.
   */
  writeEntity(at: number, communityId: string, type: string, entity: string, entityId: number, data: Record<string, unknown>): number {
    return Number(this.#subject.run(at, communityId, type, entity, entityId, null, JSON.stringify(data)).lastInsertRowid);
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
