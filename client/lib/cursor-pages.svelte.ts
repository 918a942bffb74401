/**
 * Page by page through a list the server pages with a cursor (`?cursor=…` → `nextCursor`):
 * the cursor of every page seen so far, so "previous" goes back without the server knowing
 * pages, and a new set of filters starts again at the first page.
 *
 * @example
 *   const pages = new CursorPages();
 *   const answer = await api.get('/audit', { ...filters, cursor: pages.cursorOf(i) });
 *   pages.arrived(i, answer.nextCursor);
 */
export class CursorPages {
  /** The page shown, from 0. */
  index = $state(0);
  /** The server said there is more after the page shown. */
  hasNext = $state(false);
  /** The cursor of each page seen so far; the first page has none. */
  #cursors: (string | null)[] = [null];

  /** Forget the cursors (new filters): the next page to arrive is the first. */
  reset() {
    this.#cursors = [null];
  }

  /** The cursor to ask for page `index` with (none for the first page). */
  cursorOf(index: number): string | undefined {
    return this.#cursors[index] ?? undefined;
  }

  /** Page `index` came, with the server's cursor for the next one (null at the end). */
  arrived(index: number, nextCursor: string | null | undefined) {
    this.index = index;
    this.hasNext = !!nextCursor;
    if (nextCursor) this.#cursors[index + 1] = nextCursor;
    this.#cursors.length = Math.min(this.#cursors.length, index + 2);
  }
}
