/**
 * The security headers of every answer (docs/SECURITY.md), set the cheap way.
 */
import type { MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';

/**
 * The security headers of every answer, fixed: exactly what Hono's `secureHeaders` sets with
 * our Content-Security-Policy and without Cross-Origin-Embedder-Policy (docs/SECURITY.md), as
 * tests/integration/security-headers.test.ts checks, but written once rather than worked out
 * and set on a WHATWG `Headers` for each answer (23 µs a request).
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
  ['Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
    "connect-src 'self'; font-src 'self'; worker-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"],
];

/**
 * Puts SECURITY_HEADERS on every answer. Under @hono/node-server they go on the Node response
 * before the route runs, which costs a few `setHeader`s; elsewhere (`app.request` in tests) on the
 * answer after it. A route may set one of its own (the self-report page's Referrer-Policy): it wins.
 */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    if (outgoing) {
      for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
      return next();
    }
    await next();
    // As under Node, where the route's own header is written over the one set before it.
    for (const [name, value] of SECURITY_HEADERS) if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  };
}
