/**
 * Load a part of the page that the build split off (a scene, the chart engine) when it is first
 * needed. If it cannot be fetched, the server is down or was updated since the page loaded (an
 * update removes the old build's files): wait until the page's address answers again, then
 * reload, which brings the current build. A wall never reloads into an error page, and the
 * returned promise never settles in that case.
 */
let reloading: Promise<never> | null = null;

export function loadChunk<T>(load: () => Promise<T>): Promise<T> {
  return load().catch((err: unknown) => {
    console.warn(`[screen] a part of the page did not load (${String(err)}): reloading once the server answers`);
    return (reloading ??= reloadWhenServed());
  });
}

async function reloadWhenServed(): Promise<never> {
  for (let delay = 1000; ; delay = Math.min(delay * 2, 30_000)) {
    try {
      const res = await fetch(location.pathname, { method: 'HEAD', cache: 'no-store' });
      if (res.ok) break;
    } catch {
      // still unreachable
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  location.reload();
  return new Promise<never>(() => {});
}
