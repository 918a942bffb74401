/**
 * The desk's live line: one socket for the queue and the case page, following the community's
 * grid events as the person's audience receives them. Pages do not read the entries: `head`
 * (the newest seq heard) changes whenever any case changes, and a page that shows cases asks
 * the server again — the server's queue is the one truth of tabs, counts and lights.
 */
import { LiveStore } from '../lib/live.svelte.ts';

class DeskLive {
  readonly #live = new LiveStore();
  #users = 0;

  /** The newest journal entry heard; 0 before the first snapshot. */
  head = $derived(this.#live.stream[0]?.seq ?? 0);
  /** The ids of the cases the newest entries were about, newest first. */
  touched = $derived(this.#live.stream.slice(0, 20).map((e) => e.event.id));
  /** Connected and hearing: the desk's "live" mark. */
  live = $derived(this.#live.ready && this.#live.connected && !this.#live.stale);

  /** Follow the stream while a desk page is open; the returned function lets go (the last one closes the socket). */
  use(): () => void {
    if (this.#users++ === 0) this.#live.start({ view: 'events', audience: 'staff' });
    return () => {
      if (--this.#users === 0) this.#live.stop();
    };
  }
}

export const desk = new DeskLive();
