/**
 * A volunteer's phone hears when their own records change — a check-out at the desk, points
 * redeemed at the till, a correction — and asks again, with no reload and no polling. After each
 * commit the feed hands the five subjects' changes here; a change belongs to a volunteer when it
 * is their record or names them (`refs.volunteerId`). The phone listens with Server-Sent Events
 * (`GET /api/v1/me/live`, me-routes.ts): EventSource is built into every browser and reconnects by
 * itself, so the phone page carries no socket client (docs/PERFORMANCE.md, its size).
 *
 * Nothing but a seq goes to the phone: it reads its own figures from `/me/...` as before.
 */
import type { SubjectChange } from '../kernel/journal.ts';

export class MeLive {
  #listeners = new Map<number, Set<(seq: number) => void>>();
  #closers = new Set<() => void>();

  /** Call `fn` with the newest seq whenever the volunteer's records change; the returned function stops it. */
  follow(volunteerId: number, fn: (seq: number) => void): () => void {
    let set = this.#listeners.get(volunteerId);
    if (!set) this.#listeners.set(volunteerId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size) this.#listeners.delete(volunteerId);
    };
  }

  /** One commit group's subject changes (the feed's subscriber). */
  publish(changes: readonly SubjectChange[]): void {
    if (!this.#listeners.size) return;
    const newest = new Map<number, number>();
    for (const c of changes) {
      const v = c.entity === 'volunteer' ? c.entityId : c.refs.volunteerId;
      if (v !== undefined && this.#listeners.has(v)) newest.set(v, Math.max(newest.get(v) ?? 0, c.seq));
    }
    for (const [v, seq] of newest) for (const fn of this.#listeners.get(v) ?? []) fn(seq);
  }

  /** A stream to end when the server stops: the returned function forgets it. */
  onClose(end: () => void): () => void {
    this.#closers.add(end);
    return () => this.#closers.delete(end);
  }

  /** End every open stream (the server is stopping: an open stream would hold it up). */
  close(): void {
    for (const end of [...this.#closers]) end();
    this.#closers.clear();
  }

  /** How many phones are listening (for the tests). */
  get streams(): number {
    return this.#closers.size;
  }
}
