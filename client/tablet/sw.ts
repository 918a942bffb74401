/**
 * The field app's service worker (served at `/tablet-sw.js`, scope `/tablet`): a grid worker
 * who reloads the app in a basement gets the app, their tasks (kept in IndexedDB by the page)
 * and the grid map, not the browser's error page.
 *
 * - The page (`/tablet`, `/tablet/…`: one page with its own routing): network first, so a deploy
 *   is seen at once; the kept copy when the network fails or does not answer within 4 s (a
 *   stairwell's one bar of signal must not hold the app hostage).
 * - Built assets (`/assets/…`, content-hashed) and the app's icons and manifest: cache first.
 * - The grids GeoJSON (`GET /api/v1/grids`): network first, the kept copy offline.
 * - Everything else, and every write, is not touched: the outbox sends writes itself, in the
 *   foreground (never Background Sync, which iPad Safari lacks).
 *
 * An update waits: a new worker does not skip waiting by itself; the page tells it to once the
 * outbox holds nothing unsent, or when the worker accepts (client/tablet/updates.svelte.ts).
 * Written by hand like the wall's (client/screen/sw.ts), for the same reasons.
 */

// Only the slice of the service-worker API used here (the project compiles with the DOM library).
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface MessageEventLike extends ExtendableEvent {
  readonly data: unknown;
}
interface WorkerScope {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  addEventListener(type: 'message', fn: (e: MessageEventLike) => void): void;
}

const worker = self as unknown as WorkerScope;

/** Bump when these rules change: older caches are deleted on activation. */
const VERSION = 1;
const CACHE = `cerebellum-tablet-v${VERSION}`;
const PAGE = '/tablet';
const GRIDS = '/api/v1/grids';
const SHELL = ['/tablet-manifest.webmanifest', '/tablet-icon-192.png', '/tablet-icon-512.png', '/tablet-apple-touch-icon.png'];
const PAGE_WAIT_MS = 4_000;

function assetsOf(html: string): string[] {
  return [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"?#]+)"/g)].map((m) => m[1]!))];
}

const isPage = (url: URL) => url.pathname === PAGE || url.pathname.startsWith(`${PAGE}/`);

async function keepPage(cache: Cache, res: Response): Promise<void> {
  const html = await res.clone().text();
  const kept = await cache.match(PAGE);
  const before = kept ? await kept.text() : null;
  await cache.put(PAGE, res);
  if (before === html) return;
  // A new build: fetch what it names now (the next offline start needs it), drop what it does not.
  const wanted = assetsOf(html);
  await cache.addAll(wanted).catch(() => {});
  const keep = new Set(wanted.map((a) => new URL(a, location.origin).href));
  for (const req of await cache.keys()) {
    if (new URL(req.url).pathname.startsWith('/assets/') && !keep.has(req.url)) await cache.delete(req);
  }
}

/** The network's answer, or a throw when it fails or is slower than `ms` (it still lands in `late`). */
function withinTime(p: Promise<Response>, ms: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('slow network')), ms);
    p.then((r) => (clearTimeout(timer), resolve(r)), (e) => (clearTimeout(timer), reject(e)));
  });
}

worker.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const res = await fetch(PAGE, { cache: 'no-store', credentials: 'same-origin' });
    if (res.ok) await keepPage(cache, res);
    await cache.addAll(SHELL).catch(() => {});
  })());
});

worker.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') event.waitUntil(worker.skipWaiting());
});

worker.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('cerebellum-tablet-') && name !== CACHE) await caches.delete(name);
    }
    await worker.clients.claim();
  })());
});

worker.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (req.mode === 'navigate' && isPage(url)) {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      const net = fetch(req).then(async (res) => {
        if (res.ok) await keepPage(cache, res.clone());
        return res;
      });
      try {
        return await withinTime(net, PAGE_WAIT_MS);
      } catch (err) {
        const kept = await cache.match(PAGE);
        if (kept) return kept;
        return net.catch(() => Promise.reject(err));
      }
    })());
  } else if (url.pathname.startsWith('/assets/') || SHELL.includes(url.pathname)) {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      const kept = await cache.match(req);
      if (kept) return kept;
      const res = await fetch(req);
      if (res.ok) await cache.put(req, res.clone());
      return res;
    })());
  } else if (url.pathname === GRIDS) {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        if (res.ok) await cache.put(GRIDS, res.clone());
        return res;
      } catch (err) {
        const kept = await cache.match(GRIDS);
        if (kept) return kept;
        throw err;
      }
    })());
  }
});

// A module, so its names do not meet the wall's worker's in the type checker's global scope.
export {};
