/**
 * The wall's device token: a paired display keeps it in localStorage for good (a kiosk must
 * survive restarts and power cuts without anyone logging in), and forgets it only when the
 * server says it is no longer valid (revoked, or the database it came from is gone).
 *
 * A ready link `/screen#display=<token>` (demo mode, tests) hands a token over once: the page
 * stores it and takes it out of the address bar, so it is not left in history or screenshots.
 */

export const TOKEN_KEY = 'cerebellum.displayToken';

/** The slice of `Storage` used here, so tests can pass a Map-backed one. */
export type TokenStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** localStorage, or null when the browser refuses it (some kiosk profiles do). */
function defaultStorage(): TokenStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** A token kept only for this page load when storage is refused: the wall still works until a reload. */
let memoryToken: string | null = null;

/** Display tokens are `cbd_` plus 43 base64url characters; anything unlike a token is ignored. */
export function isDisplayToken(v: string | null | undefined): v is string {
  return !!v && /^[A-Za-z0-9_-]{16,200}$/.test(v);
}

export function readDisplayToken(storage: TokenStorage | null = defaultStorage()): string | null {
  try {
    const v = storage?.getItem(TOKEN_KEY) ?? null;
    if (isDisplayToken(v)) return v;
  } catch {
    // storage refused: fall back to this load's token
  }
  return memoryToken;
}

export function storeDisplayToken(token: string, storage: TokenStorage | null = defaultStorage()): void {
  memoryToken = token;
  try {
    storage?.setItem(TOKEN_KEY, token);
  } catch {
    // not kept across reloads; the display will ask to be paired again after one
  }
}

export function forgetDisplayToken(storage: TokenStorage | null = defaultStorage()): void {
  memoryToken = null;
  try {
    storage?.removeItem(TOKEN_KEY);
  } catch {
    // nothing kept to forget
  }
}

/** The parts of `location` and `history` that adopting a token from the URL touches. */
export interface UrlAccess {
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  replace(url: string): void;
}

function defaultUrl(): UrlAccess {
  return {
    get pathname() { return location.pathname; },
    get search() { return location.search; },
    get hash() { return location.hash; },
    replace: (url) => history.replaceState(history.state, '', url),
  };
}

/**
 * Take a token from `#display=<token>` (other hash parameters are kept), store it, and remove
 * it from the address bar. Returns the token adopted, or null when the URL carried none.
 *
 * @example
 * // /screen?scene=events#display=cbd_abc…  →  stored, URL becomes /screen?scene=events
 * adoptDisplayTokenFromUrl();
 */
export function adoptDisplayTokenFromUrl(url: UrlAccess = defaultUrl(), storage: TokenStorage | null = defaultStorage()): string | null {
  const hash = url.hash.replace(/^#/, '');
  if (!hash) return null;
  const params = new URLSearchParams(hash);
  if (!params.has('display')) return null;
  const token = params.get('display')?.trim() ?? '';
  params.delete('display');
  const rest = params.toString();
  url.replace(`${url.pathname}${url.search}${rest ? `#${rest}` : ''}`);
  if (!isDisplayToken(token)) return null;
  storeDisplayToken(token, storage);
  return token;
}

/** Forget this load's in-memory token (tests). */
export function resetMemoryToken(): void {
  memoryToken = null;
}
