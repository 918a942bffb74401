/**
 * The feed of committed changes: where a change goes after commit. The write queue hands every
 * commit group's changes here, in journal order and never for a write that rolled back; the
 * feed delivers them to its subscribers in the order they subscribed. Today: the names the
 * wall must mask, the five-subject read model, the grid-event read model and the broadcaster
 * (server/app.ts subscribes them); webhooks, exports and other nodes subscribe the same way.
 *
 *   service → JournalWriter (in the write's transaction) → COMMIT → CommitFeed → subscribers
 */
import type { EventChange } from './events/service.ts';
import type { SubjectChange } from './kernel/journal.ts';
import type { IncidentChange } from './emergency/incidents.ts';
import type { BoardChange } from './emergency/board.ts';
import type { PeopleChange } from './emergency/people.ts';

/** What one committed write produced: grid-event changes, other subjects' changes, incidents' steps and board changes, in seq order. */
export type Effect = EventChange | SubjectChange | IncidentChange | BoardChange | PeopleChange;

export const isSubjectChange = (e: Effect): e is SubjectChange => (e as SubjectChange).kind === 'subject';
export const isIncidentChange = (e: Effect): e is IncidentChange => (e as IncidentChange).kind === 'incident';
export const isBoardChange = (e: Effect): e is BoardChange => (e as BoardChange).kind === 'board';
export const isPeopleChange = (e: Effect): e is PeopleChange => (e as PeopleChange).kind === 'people';

/** One commit group's changes, split once by kind for every subscriber; each list in seq order. */
export interface Committed {
  events: EventChange[];
  subjects: SubjectChange[];
  /** Incidents declared, updated or ended (server/emergency). */
  incidents: IncidentChange[];
  /** Households of an incident's accounted-for board that changed (server/emergency/board.ts). */
  boards: BoardChange[];
  /** An incident's call-outs, duties, shelters and supplies that changed (server/emergency/people.ts). */
  people: PeopleChange[];
}

export type FeedSubscriber = (committed: Committed) => void;

export class CommitFeed {
  #subscribers: { name: string; deliver: FeedSubscriber }[] = [];
  #onError: (error: unknown, subscriber: string) => void;

  /** `onError`: a subscriber threw; the others still get the commit. */
  constructor(onError: (error: unknown, subscriber: string) => void) {
    this.#onError = onError;
  }

  /** Deliver every commit from now on to `deliver`, after the subscribers before it; `name` is for the log. */
  subscribe(name: string, deliver: FeedSubscriber): void {
    this.#subscribers.push({ name, deliver });
  }

  /** A commit group's changes (the write queue's `onCommit`). */
  deliver(effects: readonly Effect[]): void {
    const committed: Committed = { events: [], subjects: [], incidents: [], boards: [], people: [] };
    for (const e of effects) {
      if (isSubjectChange(e)) committed.subjects.push(e);
      else if (isIncidentChange(e)) committed.incidents.push(e);
      else if (isBoardChange(e)) committed.boards.push(e);
      else if (isPeopleChange(e)) committed.people.push(e);
      else committed.events.push(e);
    }
    for (const s of this.#subscribers) {
      try {
        s.deliver(committed);
      } catch (err) {
        this.#onError(err, s.name);
      }
    }
  }
}
