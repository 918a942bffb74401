/**
 * Reading and checking request bodies and queries: a bad one becomes a 400 that names each
 * field and problem, before anything is written.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { DomainError, zodIssues } from '../errors.ts';

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
