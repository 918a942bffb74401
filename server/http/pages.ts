/**
 * The built client (dist/client) over HTTP: each surface is a page, its scripts and styles are
 * content-hashed assets, and any other file of the build is served by its path.
 *
 *   /screen, /console …   the page's index.html; `no-cache`: checked (ETag, 304) before each use
 *   /assets/<name-hash>.* kept for a year, `immutable`; a missing one is a 404 nobody keeps
 *   any other file         e.g. /screen/sw.js, /robots.txt: `no-cache`, like a page
 *
 * Everything goes out precompressed when the browser takes brotli or gzip (server/http/static-file.ts).
 * Every route here answers GET and HEAD only; another method gets 405 (server/http/not-allowed.ts).
 *
 * @example
 *   app.route('/', clientPages({ clientDir }));
 *   clientPages({ clientDir, pages: [...PAGES, { paths: ['/kiosk'], file: 'kiosk/index.html' }] });
 */
import path from 'node:path';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { fileInside, sendFile } from './static-file.ts';

/** A page of the client: the URL paths that show it and its file in the build. */
export interface PageRoute {
  /** Hono paths: `/screen`, `/console/*` (a page with its own routing). */
  paths: readonly string[];
  /** Relative to the client folder. */
  file: string;
}

export const PAGES: readonly PageRoute[] = [
  { paths: ['/screen', '/screen/'], file: 'screen/index.html' },
  // The console is one page with its own routing (/console/users, /console/setup#token …).
  { paths: ['/console', '/console/*'], file: 'console/index.html' },
  // A volunteer's own page on their phone (/me, /me/join#token, /me/check-in/<code> …).
  { paths: ['/me', '/me/*'], file: 'me/index.html' },
  // The grid worker's field app (/tablet, /tablet/tasks/<id>, /tablet/report, /tablet/sync).
  { paths: ['/tablet', '/tablet/*'], file: 'tablet/index.html' },
];

export interface PagesOptions {
  /** The built client (dist/client). */
  clientDir: string;
  /** The pages (default PAGES). */
  pages?: readonly PageRoute[];
  /** Where `/` goes (default /screen). */
  home?: string;
}

/** Vite names what it hashes `name-<8+ chars of base64url>.ext`; only those are kept for good. */
const HASHED = /-[\w-]{8,}\.[a-z0-9]+$/i;

export function clientPages(o: PagesOptions): Hono {
  const root = path.resolve(o.clientDir);
  const app = new Hono();

  const notBuilt = (c: Context) => {
    c.header('Cache-Control', 'no-store');
    return c.text('The client is not built yet: run `npm run build`.', 503);
  };

  for (const page of o.pages ?? PAGES) {
    const file = path.join(root, page.file);
    const servePage = async function servePage(c: Context) {
      return (await sendFile(c, file, 'revalidate')) ?? notBuilt(c);
    };
    for (const p of page.paths) app.get(p, servePage);
  }

  app.get('/', (c) => c.redirect(o.home ?? '/screen'));

  app.get('/assets/*', async function serveAsset(c) {
    const file = fileInside(root, c.req.path);
    const res = file && (await sendFile(c, file, HASHED.test(file) ? 'immutable' : 'revalidate'));
    if (res) return res;
    // An old page asking for an asset of an earlier build: say so, and let nobody keep the answer.
    c.header('Cache-Control', 'no-store');
    return c.text('Not found', 404);
  });

  // Any other file of the build, by its path (a middleware, so it claims no method for a path).
  app.use('*', async function serveClientFile(c, next) {
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && !c.req.path.startsWith('/api/')) {
      const file = fileInside(root, c.req.path);
      const res = file && (await sendFile(c, file, 'revalidate'));
      if (res) return res;
    }
    await next();
  } satisfies MiddlewareHandler);

  // Browsers ask for it on every page; the client has none yet.
  app.get('/favicon.ico', (c) => c.body(null, 204));

  return app;
}
