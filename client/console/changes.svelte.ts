/**
 * What the desks hear of the five subjects: the server's `desk:changed` notes (server/live/
 * desks.ts), which arrive on the console's always-open socket (notices.svelte.ts). A page
 * follows the entities it shows and asks the server again when one changes — a colleague's
 * check-in, a redemption at the cashier, a donation arriving — with no reload and no polling:
 *
 *   $effect(() => changes.follow(['volunteer', 'signup'], () => load()));
 *
 * Notes close together come to one call (`SETTLE_MS`), so a busy check-in desk asks once, not
 * once per volunteer. `ids` lists the records that changed, or is null when the note was cut
 * short (take everything of those entities as changed). A page about one record passes `about`
 * and hears only the changes that concern it (a profile: its volunteer's sign-ups and points, by
 * the change's `refs`), so it does not ask again — and write a read to the audit log — for every
 * check-in in the community.
 */
import type { DeskChange, DeskChanged } from '../../shared/protocol.ts';

/** Notes closer together than this come to one call. */
export const SETTLE_MS = 150;
/** ...but a page that keeps hearing notes still asks at least this often: a busy desk never freezes. */
export const MAX_WAIT_MS = 1000;

type Listener = {
  entities: readonly string[];
  fn: (ids: number[] | null) => void;
  about?: (c: DeskChange) => boolean;
  ids: Set<number>;
  all: boolean;
  timer?: ReturnType<typeof setTimeout>;
  /** When the first note still waiting arrived (0: none waiting). */
  since: number;
};

class DeskChanges {
  /** The newest seq heard; 0 before any. */
  seq = $state(0);
  #listeners = new Set<Listener>();

  /** Call `fn` when records of any of `entities` change; the returned function stops it. */
  follow(entities: readonly string[], fn: (ids: number[] | null) => void, about?: (c: DeskChange) => boolean): () => void {
    const l: Listener = { entities, fn, about, ids: new Set(), all: false, since: 0 };
    this.#listeners.add(l);
    return () => {
      clearTimeout(l.timer);
      this.#listeners.delete(l);
    };
  }

  /** A note from the socket. */
  heard(note: DeskChanged): void {
    this.seq = Math.max(this.seq, note.seq);
    for (const l of this.#listeners) {
      if (!note.entities.some((e) => l.entities.includes(e))) continue;
      const mine = note.changes.filter((c) => l.entities.includes(c.entity) && (!l.about || l.about(c)));
      if (!mine.length && !note.truncated) continue;
      if (note.truncated) l.all = true;
      for (const c of mine) l.ids.add(c.id);
      clearTimeout(l.timer);
      const now = Date.now();
      if (!l.since) l.since = now;
      l.timer = setTimeout(() => {
        const ids = l.all ? null : [...l.ids];
        l.ids.clear();
        l.all = false;
        l.since = 0;
        if (this.#listeners.has(l)) l.fn(ids);
      }, Math.max(0, Math.min(SETTLE_MS, l.since + MAX_WAIT_MS - now)));
    }
  }
}

export const changes = new DeskChanges();
