/**
 * Paths of a surface as data: a table of named patterns under the surface's base
 * (`/console`), each pattern a path whose `:name` segments are parameters. Pure, so the console
 * (client/console/routes.ts) and the surfaces to come share it and the tests read it without a
 * browser.
 *
 * @example
 *   const routes = routeTable('/console', { home: '/', users: '/users', event: '/events/:id' });
 *   routes.match('/console/events/42');         // { page: 'event', params: { id: '42' } }
 *   routes.href('event', { id: '42' }, { tab: 'log' }); // '/console/events/42?tab=log'
 *   routes.href('users');                        // '/console/users'
 */
import { queryString, type Query } from './query.ts';

/** The parameter names of a pattern: `'/events/:id/steps/:step'` → `'id' | 'step'`. */
export type ParamNames<P extends string> = P extends `${string}:${infer N}/${infer Rest}`
  ? N | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer N}`
    ? N
    : never;

export type ParamsOf<P extends string> = { [K in ParamNames<P>]: string };

/** `href`'s arguments after the page: the parameters when the pattern has any, then the query. */
export type HrefArgs<P extends string> = [ParamNames<P>] extends [never]
  ? [query?: Query]
  : [params: ParamsOf<P>, query?: Query];

export interface Match<Name extends string> {
  page: Name | 'not-found';
  params: Record<string, string>;
}

const segments = (path: string) => path.replace(/^\/+|\/+$/g, '').split('/').filter((s, i, all) => s !== '' || all.length > 1);

/**
 * The parameters of `path` if it fits `pattern` (both relative to the base), else null. A
 * parameter is one whole, non-empty segment, percent-decoded; slashes at either end do not count.
 */
export function matchPattern(pattern: string, path: string): Record<string, string> | null {
  const want = segments(pattern);
  const got = segments(path);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (!g) return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null; // a malformed escape (`%E0%A4%A`) names nothing
      }
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

/** `pattern` with its parameters filled in, each percent-encoded (a `/` in an id stays in its segment). */
export function fillPattern(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined || v === '') throw new Error(`the path ${pattern} needs its parameter ${name}`);
    return encodeURIComponent(v);
  });
}

export function routeTable<const R extends Record<string, string>>(base: string, routes: R) {
  type Name = keyof R & string;
  const names = Object.keys(routes) as Name[];
  return {
    base,
    routes,
    /** The page a path shows and its parameters; `not-found` for a path outside the base or the table. */
    match(pathname: string): Match<Name> {
      const rest = pathname.startsWith(base) ? pathname.slice(base.length) : null;
      if (rest !== null) {
        for (const page of names) {
          const params = matchPattern(routes[page]!, rest);
          if (params) return { page, params };
        }
      }
      return { page: 'not-found', params: {} };
    },
    /** The path of a page with its parameters and an optional query (empty values left out). */
    href<P extends Name>(page: P, ...args: HrefArgs<R[P]>): string {
      const pattern = routes[page]!;
      const hasParams = pattern.includes(':');
      const params = (hasParams ? args[0] : undefined) as Record<string, string> | undefined;
      const query = (hasParams ? args[1] : args[0]) as Query | undefined;
      const tail = fillPattern(pattern, params).replace(/^\/+|\/+$/g, '');
      const path = tail ? `${base}/${tail}` : base;
      const qs = queryString(query);
      return qs ? `${path}?${qs}` : path;
    },
  };
}
