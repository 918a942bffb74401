/**
 * Where the console is: one page per path under `/console` (history API, so links can be
 * opened in a new tab and the back button works). The server answers every `/console/*` path
 * with the same page. `/console/setup#<token>` keeps its token in the fragment, which never
 * reaches a server log.
 */

export const BASE = '/console';

export const PAGES = ['home', 'users', 'displays', 'api-keys', 'audit', 'password', 'setup'] as const;
export type PageName = (typeof PAGES)[number] | 'not-found';

/** The page a path shows: `/console` is home, `/console/users` users, anything else not found. */
export function pageOf(pathname: string): PageName {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : null;
  if (rest === null) return 'not-found';
  const name = rest.replace(/^\/+|\/+$/g, '');
  if (name === '') return 'home';
  return (PAGES as readonly string[]).includes(name) ? (name as PageName) : 'not-found';
}

/** The path of a page (`href('users')` → `/console/users`), with an optional query. */
export function href(page: Exclude<PageName, 'not-found'>, query?: Record<string, string | undefined>): string {
  const path = page === 'home' ? BASE : `${BASE}/${page}`;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

class Router {
  path = $state(location.pathname);
  search = $state(location.search);
  page = $derived(pageOf(this.path));
  query = $derived(new URLSearchParams(this.search));

  #started = false;

  start() {
    if (this.#started) return;
    this.#started = true;
    window.addEventListener('popstate', () => this.#sync());
  }

  /** Go to a console path; `replace` for redirects that should not be a step back. */
  go(to: string, opts: { replace?: boolean } = {}) {
    const url = new URL(to, location.href);
    if (url.origin !== location.origin) {
      location.assign(url.href);
      return;
    }
    const next = url.pathname + url.search + url.hash;
    if (next !== location.pathname + location.search + location.hash) {
      if (opts.replace) history.replaceState(null, '', next);
      else history.pushState(null, '', next);
    }
    this.#sync();
  }

  /**
   * Clicks on links inside the console stay in the page. Modified clicks (new tab), links to
   * other surfaces (`/screen`), downloads and targeted links are left to the browser.
   */
  onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !(url.pathname === BASE || url.pathname.startsWith(`${BASE}/`))) return;
    e.preventDefault();
    this.go(url.pathname + url.search + url.hash);
  };

  #sync() {
    this.path = location.pathname;
    this.search = location.search;
  }
}

export const router = new Router();
