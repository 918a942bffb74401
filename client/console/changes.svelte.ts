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
 * short (take everything of those entities as changed).
 */
import type { DeskChanged } from '../../shared/protocol.ts';

/** Notes closer together than this come to one call. */
export const SETTLE_MS = 150;

type Listener = { entities: readonly string[]; fn: (ids: number[] | null) => void; ids: Set<number>; all: boolean; timer?: ReturnType<typeof setTimeout> };

class DeskChanges {
  /** The newest seq heard; 0 before any. */
  seq = $state(0);
  #listeners = new Set<Listener>();

  /** Call `fn` when records of any of `entities` change; the returned function stops it. */
  follow(entities: readonly string[], fn: (ids: number[] | null) => void): () => void {
    const l: Listener = { entities, fn, ids: new Set(), all: false };
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
      if (note.truncated) l.all = true;
      for (const c of note.changes) if (l.entities.includes(c.entity)) l.ids.add(c.id);
      clearTimeout(l.timer);
      l.timer = setTimeout(() => {
        const ids = l.all ? null : [...l.ids];
        l.ids.clear();
        l.all = false;
        if (this.#listeners.has(l)) l.fn(ids);
      }, SETTLE_MS);
    }
  }
}

export const changes = new DeskChanges();
