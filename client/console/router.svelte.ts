/**
 * Where the console is: one page per path under `/console` (history API, so links can be
 * opened in a new tab and the back button works). The server answers every `/console/*` path
 * with the same page. `/console/setup#<token>` keeps its token in the fragment, which never
 * reaches a server log.
 */
import { BASE, routes } from './routes.ts';

export { BASE, href, pageOf, type PageName, type PlainPage } from './routes.ts';

class Router {
  path = $state(location.pathname);
  search = $state(location.search);
  route = $derived(routes.match(this.path));
  page = $derived(this.route.page);
  /** The path's parameters (`id` of `/console/events/:id`), decoded. */
  params = $derived(this.route.params);
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
