/**
 * One way to write a query string for every list and link: the API's list filters
 * (client/lib/api.ts) and a page's address (client/lib/routes.ts).
 */

export type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * The query string of `query` without its `?`: values in the order given, and nothing for an
 * empty value (null, undefined, `''`), so a list's unset filters leave the address clean.
 *
 * @example queryString({ actor: 'li', action: '', limit: 50 }) // 'actor=li&limit=50'
 */
export function queryString(query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  return params.toString();
}
