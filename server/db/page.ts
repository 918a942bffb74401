/**
 * Keyset pages, newest first: a list reads `limit + 1` rows below the cursor; the extra row only
 * says there is a next page, whose cursor is the last kept item's id.
 */

/** One page of a list and the cursor of the next, null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The page in `rows`, read with `LIMIT limit + 1`: its first `limit` items, and the next cursor
 * (`cursorOf` the last of them, by default its `id`) when there were more.
 *
 * @example return pageOf(rows.map(needFromRow), q.limit);
 */
export function pageOf<T extends { id: number }>(rows: T[], limit: number): Page<T>;
export function pageOf<T>(rows: T[], limit: number, cursorOf: (item: T) => number): Page<T>;
export function pageOf<T>(rows: T[], limit: number, cursorOf = (item: T) => (item as { id: number }).id): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? String(cursorOf(items[items.length - 1]!)) : null };
}
