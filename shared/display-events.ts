/**
 * Which grid events a display holds: one rule for the server's snapshot and the client's trim,
 * so a display that started from a snapshot and one that followed batches for hours hold the
 * same set (docs/PROTOCOL.md, "Which events a display holds").
 *
 * A display holds open events and those finished since the community's local midnight, at most
 * `DISPLAY_EVENT_LIMIT` of them, best first:
 *   1. open before finished;
 *   2. among open ones, overdue (督办) before the rest;
 *   3. then the most recently changed first (ties: the higher id).
 * When a community has more, a display holds the best `DISPLAY_EVENT_LIMIT` and says it is
 * partial: the KPIs count every open event, the map shows the ones held.
 */

/**
 * How many events a display holds: far above a community's normal load (the demo community
 * keeps ~150 open; a large one a few hundred), so only a flood (a typhoon's night) makes a
 * display partial. Each is ~0.25 kB of JSON to a public display (~0.8 kB to staff): a full
 * public snapshot is ~0.75 MB.
 */
export const DISPLAY_EVENT_LIMIT = 3_000;

/** What the rule reads of an event, as milliseconds whatever the side. */
export interface DisplayRank {
  id: number;
  open: boolean;
  overdue: boolean;
  changedAt: number;
}

/** Best first: open, then overdue, then most recently changed, then the higher id. */
export function compareForDisplay(a: DisplayRank, b: DisplayRank): number {
  return Number(b.open) - Number(a.open) || Number(b.overdue) - Number(a.overdue) || b.changedAt - a.changedAt || b.id - a.id;
}

/** The events a display holds, best first: the `limit` best of `events` by `rank`. */
export function selectForDisplay<T>(events: Iterable<T>, rank: (e: T) => DisplayRank, limit = DISPLAY_EVENT_LIMIT): T[] {
  const ranked = [...events].map((e) => ({ e, r: rank(e) }));
  ranked.sort((x, y) => compareForDisplay(x.r, y.r));
  return ranked.slice(0, limit).map((x) => x.e);
}
