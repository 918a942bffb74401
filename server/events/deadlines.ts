/**
 * The deadline timer (server/app.ts runs it every TIMER_MS): reminds (催办) the events whose
 * running window is spent but for the community's reminder share (80 % spent by default;
 * the loop's settings say another) and marks overdue, with a supervision record (督办), those past
 * their deadline. One write for all it finds, journaled like any change.
 */
import type { WriteQueue } from '../db/write-queue.ts';
import { REMIND_AT_REMAINING, reminderTime, runningDeadline } from '../../shared/lifecycle.ts';
import type { EventChange, EventStore } from './store.ts';

export class DeadlineTimer {
  #queue: WriteQueue<EventChange>;
  #store: EventStore;
  #now: () => number;
  #remindAt: (communityId: string) => number;

  /** `remindAt`: the share of a window left when a community's reminder goes out (its loop settings). */
  constructor(queue: WriteQueue<EventChange>, store: EventStore, now: () => number, remindAt: (communityId: string) => number = () => REMIND_AT_REMAINING) {
    this.#queue = queue;
    this.#store = store;
    this.#now = now;
    this.#remindAt = remindAt;
  }

  /** Remind and mark overdue what is due now; how many of each. */
  check(): Promise<{ reminded: number; overdue: number }> {
    const store = this.#store;
    return this.#queue.run((ctx) => {
      const now = this.#now();
      let reminded = 0;
      let overdue = 0;
      // Overdue events have had their reminder and their escalation: only the others are read.
      for (const before of store.clocked()) {
        const due = runningDeadline(before);
        if (due === null) continue;
        if (now > due && !before.overdue) {
          const after = { ...before, overdue: true, escalatedAt: now, version: before.version + 1, updatedAt: now };
          store.update(after);
          store.addHistory(after.id, now, 'escalate', before.status, after.status, 'system', 'system', null, JSON.stringify({ dueAt: due }));
          store.record(ctx, now, 'event.overdue', before, after);
          overdue++;
        } else if (now <= due && before.remindedDue !== due) {
          const at = reminderTime(before, this.#remindAt(before.communityId));
          if (at === null || now < at) continue;
          const after = { ...before, remindedAt: now, remindedDue: due, version: before.version + 1, updatedAt: now };
          store.update(after);
          store.addHistory(after.id, now, 'remind', before.status, after.status, 'system', 'system', null, JSON.stringify({ dueAt: due }));
          store.record(ctx, now, 'event.reminded', before, after);
          reminded++;
        }
      }
      return { reminded, overdue };
    });
  }
}
