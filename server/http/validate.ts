/**
 * Reading and checking requests before anything is written: the body's size and JSON, bodies
 * and queries against their schemas (a bad one is a 400 that names each field and problem), the
 * path's ids and the principal the API's middleware set.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { DomainError, zodIssues } from '../errors.ts';
import type { Principal } from '../principal.ts';

/** A numeric id in a path (`/orgs/:id${ID}`); anything else falls through to the API's 404. */
export const ID = '{[0-9]{1,12}}';

/**
 * A middleware refusing a body larger than `maxBytes` with a 413 (`error.payload_too_large`).
 *
 * @example r.post('/needs', limitedBody(), async (c) => …);
 */
export function limitedBody(maxBytes = 64 * 1024): MiddlewareHandler {
  const tooLarge = (c: Context): never => {
    // The unread rest of the body is dropped with the connection: say so, or a client
    // reusing this keep-alive connection for its next request finds it closed under it.
    c.header('Connection', 'close');
    throw new DomainError(413, 'error.payload_too_large', `the request body is larger than ${maxBytes} bytes`);
  };
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  // With a declared Content-Length, hono's bodyLimit only compares the header, but it reads
  // `c.req.raw.body` first, which makes @hono/node-server build a full web Request and body
  // stream for every request (~0.2 ms each; docs/PERFORMANCE.md). Compare the header here;
  // a chunked body still goes through bodyLimit, which counts its bytes.
  return async function limitedBody(c, next) {
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    if (Number.parseInt(length, 10) > maxBytes) tooLarge(c);
    await next();
  };
}

/** Who is asking: set by the API's principal middleware before any route runs. */
export const principal = (c: Context): Principal => c.get('principal');

/** A reader of the asking principal's community time zone, from a service that knows it. */
export const timeZoneOf = (svc: { timeZoneOf(p: Principal): string }) => (c: Context): string => svc.timeZoneOf(principal(c));

/** The numeric path parameter `name` (matched with ID). */
export const idParam = (c: Context, name = 'id'): number => Number(c.req.param(name));

/** The body as JSON; an empty body is `{}` when `optional`, else a 400. */
export async function readJson(c: Context, optional = false): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) {
    if (optional) return {};
    throw new DomainError(400, 'error.bad_json', 'the request body is empty; send a JSON object', [{ field: '(body)', problem: 'required' }]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError(400, 'error.bad_json', 'the request body is not valid JSON', [{ field: '(body)', problem: 'not valid JSON' }]);
  }
}

/** `value` checked against `schema`, or a 400 naming every bad field. */
export function parse<S extends z.ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = zodIssues(r.error);
    throw new DomainError(400, 'error.validation', issues.map((i) => `${i.field}: ${i.problem}`).join('; '), issues);
  }
  return r.data;
}
