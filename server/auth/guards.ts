/**
 * The pure checks in front of every request: is the Origin the server's own (or one allowed),
 * and does a write authenticated by the session cookie carry the session's CSRF token.
 */
import { sameSecret } from './crypto.ts';

/**
 * Whether a request's `Origin` may talk to this server. No Origin (curl, an integration, a
 * same-origin GET, socket.io-client in Node) passes: CSRF and cross-site WebSockets come from
 * browsers, and browsers always send it then. `Origin: null` (sandboxed frames, file://) never
 * passes. The server's own origin is the one whose host is the request's `Host`.
 *
 * @example originAllowed('https://cockpit.example', 'cockpit.example', []) // true
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined || origin === '') return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin === 'null') return false;
  if (allowed.includes(url.origin)) return true;
  return host !== undefined && url.host === host.toLowerCase();
}

/** Methods that change nothing, and so need no CSRF token. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request authenticated by the session cookie may go on: a safe method, or the
 * `X-CSRF-Token` header equal to the session's token.
 */
export function csrfOk(method: string, sessionToken: string, header: string | undefined): boolean {
  if (SAFE.has(method.toUpperCase())) return true;
  return header !== undefined && header !== '' && sameSecret(header, sessionToken);
}

/** The cookie that carries the session. */
export const SESSION_COOKIE = 'cb_session';
/** A browser that logged in as someone before (login rate limits count it on its own). */
export const DEVICE_COOKIE = 'cb_device';

/** The value of cookie `name` in a `Cookie` header, if there. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
