/**
 * The shape of a refusal on the wire, the same over HTTP and socket acks: an i18n code and,
 * for a 400, the fields at fault. The server builds them (server/errors.ts), every client reads
 * them (client/lib/api.ts, shared/live-client.ts).
 *
 * @example
 *   { "error": { "code": "error.validation", "message": "name: Required",
 *                "issues": [{ "field": "name", "problem": "Required" }] } }
 */
import type { MessageKey } from './i18n.ts';

/** One problem with one field of a request (`grids[0]`, `events[3].category`). */
export interface FieldIssue {
  field: string;
  problem: string;
  /** The problem's i18n key, where it has one (a refused character: `error.text_bidi`). */
  code?: MessageKey;
}

/** The body of every error answer of `/api/v1`. */
export interface ErrorBody {
  error: {
    code: string;
    message?: string;
    issues?: FieldIssue[];
    /** Seconds to wait before trying again (a rate limit), when the server knows. */
    retryAfter?: number;
  };
}
