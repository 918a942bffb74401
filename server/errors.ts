/**
 * Errors a request can meet, each with its HTTP status and an i18n key. The HTTP layer and
 * socket acks turn them into `{ error: { code, message, issues? } }`.
 */
import type { FieldIssue } from '../shared/errors.ts';
import type { MessageKey } from '../shared/i18n.ts';

export type { FieldIssue };

export class DomainError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: MessageKey,
    message: string,
    readonly issues?: FieldIssue[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const invalid = (issues: FieldIssue[]) =>
  new DomainError(400, 'error.validation', issues.map((i) => `${i.field}: ${i.problem}`).join('; '), issues);

export const notFound = (what: string) => new DomainError(404, 'error.not_found', `${what} not found`);

/**
 * Field issues from a zod error, with paths like `events[3].category`. An unknown key is
 * named as the field itself (`events[3].priority: is not a known field`), not as its object.
 */
export function zodIssues(error: {
  issues: { code?: string; path: PropertyKey[]; message: string; keys?: string[]; params?: Record<string, unknown> }[];
}): FieldIssue[] {
  const name = (path: PropertyKey[]) =>
    path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || '(body)';
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' && i.keys?.length
      ? i.keys.map((k) => ({ field: name([...i.path, k]), problem: 'is not a known field' }))
      : [{ field: name(i.path), problem: i.message, ...(typeof i.params?.code === 'string' ? { code: i.params.code as MessageKey } : {}) }]);
}
