/**
 * What a request no route answered gets: 405 with `Allow` when the path is known but not for
 * that method (`POST /screen`, `DELETE /api/v1/events`), else 404. JSON under /api/, text
 * elsewhere.
 *
 * Hono answers an unmatched method with its not-found handler and keeps no list of a path's
 * methods, so the list is built here once, from the app's routes, in Hono's own router: each
 * route is added for every method with its method as the "handler", and matching a path
 * returns the methods that have a route for it. Middleware (`use`) claims no method.
 *
 * The API's gate runs before this: a caller without credentials gets its 401 on any path of
 * /api/v1 that is not public, known or not, so only a caller who may use the API learns which
 * methods a path has (docs/SECURITY.md).
 */
import type { Context, Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';

const ALL = 'ALL';

/** The methods `app` routes for a path, HEAD with every GET, sorted; [] for an unknown path. */
export function allowedMethods(app: Hono): (path: string) => string[] {
  let router: TrieRouter<string> | null = null;
  return (path) => {
    if (!router) {
      router = new TrieRouter<string>();
      for (const r of app.routes) if (r.method !== ALL) router.add(ALL, r.path, r.method.toUpperCase());
    }
    const [matches] = router.match('GET', path) as [[string, unknown][]];
    const methods = new Set(matches.map(([m]) => m));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}

/** The not-found handler of the top-level app (only its handler runs, not a mounted app's). */
export function notFoundOrNotAllowed(app: Hono) {
  const allowed = allowedMethods(app);
  return function notFound(c: Context) {
    const methods = allowed(c.req.path);
    const api = c.req.path.startsWith('/api/');
    if (methods.length && !methods.includes(c.req.method)) {
      c.header('Allow', methods.join(', '));
      const message = `${c.req.method} is not allowed on ${c.req.path}; allowed: ${methods.join(', ')}`;
      return api ? c.json({ error: { code: 'error.method_not_allowed', message } }, 405) : c.text(message, 405);
    }
    return api
      ? c.json({ error: { code: 'error.not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404)
      : c.text('Not found', 404);
  };
}
