/**
 * A list on the wall shown a page at a time, turning by itself every `ms` while there is more
 * than one page (the grid ranking, today's activities). Call it while a component initialises:
 * its timer lives and dies with the component.
 */
export function pager(o: { count: () => number; size: () => number; ms: () => number }) {
  let raw = $state(0);
  const pages = $derived(Math.max(1, Math.ceil(o.count() / o.size())));
  const page = $derived(Math.min(raw, pages - 1));
  $effect(() => {
    if (pages <= 1) {
      raw = 0;
      return;
    }
    const timer = setInterval(() => {
      raw = (raw + 1) % pages;
    }, o.ms());
    return () => clearInterval(timer);
  });
  return {
    get pages() {
      return pages;
    },
    get page() {
      return page;
    },
    /** The index of the first row of the page shown. */
    get start() {
      return page * o.size();
    },
  };
}
