/**
 * Reading and checking requests before anything is written: the body's size, media type and
 * JSON, bodies and queries against their schemas (a bad one is a 400 that names each field and
 * problem), the path's ids and the principal the API's middleware set.
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

/** `application/json`, alone or with `charset=utf-8` (JSON is UTF-8: RFC 8259). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p || /^charset="?utf-8"?$/.test(p));
}

/**
 * A middleware refusing a request that carries a body (POST, PUT, PATCH, DELETE with a
 * `Content-Length` above 0 or a chunked body) whose `Content-Type` is not JSON, with a 415
 * (`error.unsupported_media_type`), before the body is read. A form or a `text/plain` body is
 * what a page on another site can send without asking first (a CORS "simple request"); a
 * request with no body (`POST /events/1/accept`) needs no type.
 */
export function jsonBodies(o: { raw?: (path: string) => boolean } = {}): MiddlewareHandler {
  return async function jsonBodies(c, next) {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || o.raw?.(c.req.path)) return next();
    const length = c.req.header('content-length');
    const hasBody = c.req.header('transfer-encoding') !== undefined || (length !== undefined && Number(length) !== 0);
    if (hasBody && !isJsonMediaType(c.req.header('content-type'))) {
      c.header('Connection', 'close'); // the body is left unread: see limitedBody
      throw new DomainError(415, 'error.unsupported_media_type',
        `the request body must be JSON (Content-Type: application/json), not ${c.req.header('content-type') ?? 'untyped'}`,
        [{ field: '(body)', problem: 'must be sent as application/json' }]);
    }
    return next();
  };
}

/** Nesting deeper than this is refused before parsing; the deepest body the API takes has 3 levels. */
export const MAX_JSON_DEPTH = 32;
/**
 * Values in arrays and objects (counted by their commas and brackets) beyond this are refused
 * before parsing: the largest body the API takes, 1,000 events to ingest, has about 15,000.
 */
export const MAX_JSON_ITEMS = 100_000;

/**
 * What is wrong with the shape of JSON `text` before it is parsed, or null: nesting deeper
 * than `maxDepth`, or more than `maxItems` values. One pass that skips strings with `indexOf`
 * (0.3 ms for 8 MB of ASCII, 6 ms for 5.5 MB of Chinese), stopping at the first excess, so 8 MB
 * of `[[[[…` or of `{},{},…` costs nothing: parsed, either held the event loop for 2–3 s
 * (docs/PERFORMANCE.md). Malformed JSON is left to JSON.parse.
 */
export function jsonShapeProblem(text: string, maxDepth = MAX_JSON_DEPTH, maxItems = MAX_JSON_ITEMS): string | null {
  let depth = 0;
  let items = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      // To the closing quote: the next quote not escaped by an odd run of backslashes.
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) return null;
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
      }
      i = end;
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > maxDepth) return `is nested more than ${maxDepth} levels deep`;
      if (++items > maxItems) return `has more than ${maxItems} values`;
    } else if (ch === 0x5d || ch === 0x7d) {
      depth--;
    } else if (ch === 0x2c) {
      if (++items > maxItems) return `has more than ${maxItems} values`;
    }
  }
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The body as JSON; an empty body is `{}` when `optional`, else a 400. Bytes that are not UTF-8
 * are a 400 (decoding would put U+FFFD in their place unseen), and so is JSON nested or
 * repeated past `jsonShapeProblem`'s limits, refused before it is parsed.
 */
export async function readJson(c: Context, optional = false): Promise<unknown> {
  const bytes = await c.req.arrayBuffer();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new DomainError(400, 'error.bad_json', 'the request body is not valid UTF-8', [{ field: '(body)', problem: 'not valid UTF-8' }]);
  }
  if (!text.trim()) {
    if (optional) return {};
    throw new DomainError(400, 'error.bad_json', 'the request body is empty; send a JSON object', [{ field: '(body)', problem: 'required' }]);
  }
  const shape = jsonShapeProblem(text);
  if (shape) throw new DomainError(400, 'error.json_too_complex', `the request body ${shape}`, [{ field: '(body)', problem: shape }]);
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
