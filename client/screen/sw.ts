/**
 * The wall's service worker (served at `/screen-sw.js`, scope `/screen`): after one load, a
 * wall that boots before the server (a power cut, the mini-PC up first) still gets its page —
 * the shell then says it is connecting and comes up by itself when the server answers — instead
 * of Chromium's error page, which nobody at the wall will reload.
 *
 * - The page (`/screen`, any query): network first, so a deploy is seen at once; the copy kept
 *   is used only when the network fails.
 * - Built assets (`/assets/…`, content-hashed, never changed): cache first, kept as fetched.
 * - Everything else (the API, socket.io, grids): not touched.
 *
 * At install it keeps the page and the assets the page names. When a new page differs from the
 * one kept (a deploy), assets the new page does not name are dropped: the cache holds about one
 * build. A new worker takes over at once and deletes the caches of older versions.
 *
 * Service workers run only on a secure origin (https, or localhost): a wall on plain http at
 * an intranet address needs https, or Chromium's `--unsafely-treat-insecure-origin-as-secure`.
 *
 * Written by hand (about 100 lines) rather than with Workbox: the rules are these three, and
 * the hashed file names of the build are known only at run time from the page.
 */

// Only the slice of the service-worker API used here: the project compiles with the DOM
// library, whose types and the WebWorker library's cannot be loaded together.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface WorkerScope {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
}

const worker = self as unknown as WorkerScope;

/** Bump when these rules change: older caches are deleted on activation. */
const VERSION = 1;
const CACHE = `cerebellum-screen-v${VERSION}`;
const PAGE = '/screen';

/** The built assets a page names (its script, preloads and styles). */
function assetsOf(html: string): string[] {
  return [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"?#]+)"/g)].map((m) => m[1]!))];
}

const isPage = (url: URL) => url.pathname === PAGE || url.pathname === `${PAGE}/`;

async function keepPage(cache: Cache, res: Response): Promise<void> {
  const html = await res.clone().text();
  const kept = await cache.match(PAGE);
  const before = kept ? await kept.text() : null;
  await cache.put(PAGE, res);
  if (before === html) return;
  // A new build: keep only what it names; fonts and later chunks come back as they are fetched.
  const wanted = new Set(assetsOf(html).map((a) => new URL(a, location.origin).href));
  for (const req of await cache.keys()) {
    if (new URL(req.url).pathname.startsWith('/assets/') && !wanted.has(req.url)) await cache.delete(req);
  }
}

worker.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const res = await fetch(PAGE, { cache: 'no-store', credentials: 'same-origin' });
    if (res.ok) {
      const html = await res.clone().text();
      await keepPage(cache, res);
      await cache.addAll(assetsOf(html));
    }
    await worker.skipWaiting();
  })());
});

worker.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('cerebellum-screen-') && name !== CACHE) await caches.delete(name);
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
      try {
        const res = await fetch(req);
        if (res.ok) await keepPage(cache, res.clone());
        return res;
      } catch (err) {
        const kept = await cache.match(PAGE);
        if (kept) return kept;
        throw err;
      }
    })());
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      const kept = await cache.match(req);
      if (kept) return kept;
      const res = await fetch(req);
      if (res.ok) await cache.put(req, res.clone());
      return res;
    })());
  }
});
