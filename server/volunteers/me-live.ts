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

/** An open stream: how to end it, the socket rooms of the session it was opened with, and that session. */
interface Stream<C> {
  end: () => void;
  rooms: readonly string[];
  credential: C;
}

export class MeLive<C = unknown> {
  #listeners = new Map<number, Set<(seq: number) => void>>();
  #streams = new Set<Stream<C>>();

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

  /** Tell a volunteer's phone something of theirs changed outside the five subjects (a call-out: server/live/people.ts). */
  tell(volunteerId: number, seq: number): void {
    for (const fn of this.#listeners.get(volunteerId) ?? []) fn(seq);
  }

  /**
   * An open stream, opened with `credential` whose sockets share `rooms` (server/auth/live.ts): it
   * ends when the server stops, and when its session ends (logout, a password change, an admin
   * disabling the account, expiry) as the session's sockets do. The returned function forgets it.
   */
  opened(end: () => void, rooms: readonly string[], credential: C): () => void {
    const s: Stream<C> = { end, rooms, credential };
    this.#streams.add(s);
    return () => this.#streams.delete(s);
  }

  /** End the streams of a room's sessions (where the session's sockets are disconnected). */
  endRoom(room: string): void {
    for (const s of [...this.#streams]) if (s.rooms.includes(room)) this.#end(s);
  }

  /** End the streams whose session is no longer valid (the sweep that closes expired sockets); how many. */
  recheck(valid: (credential: C) => boolean): number {
    let ended = 0;
    for (const s of [...this.#streams]) if (!valid(s.credential)) (this.#end(s), ended++);
    return ended;
  }

  /** End every open stream (the server is stopping: an open stream would hold it up). */
  close(): void {
    for (const s of [...this.#streams]) this.#end(s);
  }

  /** How many phones are listening (for the tests). */
  get streams(): number {
    return this.#streams.size;
  }

  #end(s: Stream<C>): void {
    this.#streams.delete(s);
    s.end();
  }
}
