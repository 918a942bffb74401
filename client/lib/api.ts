/**
 * The one fetch client for `/api/v1`, for every surface: the console (a signed-in person), the
 * wall's pairing (a display without a token yet), and the clients to come.
 *
 * - JSON in and out. An error answer `{ error: { code, message, issues } }` (shared/errors.ts)
 *   becomes an `ApiError` with the i18n code, the field issues and, for a 429 or 503, the seconds
 *   to wait (from `Retry-After`); `result()` gives the same as `{ ok, data } | { ok, error }`.
 * - Writes (anything but GET/HEAD) carry `X-CSRF-Token` when the client holds the session's
 *   token (from `POST /auth/login` or `GET /auth/me`); a 403 `error.csrf` refreshes it once and
 *   retries.
 * - A write may carry an `Idempotency-Key` (`newIdempotencyKey()`): a client that retries a
 *   write after a timeout (a tablet on a poor network) sends the same key every time.
 * - A 401 other than a bad password means the session is gone: `onUnauthenticated` is called
 *   (the console shows its login) and the promise still rejects.
 *
 * @example
 *   const api = new Api({ onUnauthenticated: () => session.expire() });
 *   await api.me();
 *   await api.post('/users', { username: 'li', displayName: '李四', role: 'dispatcher', password });
 *   const r = await api.result<Answer>('POST', '/events', { body, idempotencyKey: key });
 *   if (!r.ok) show(r.error.issues);
 */
import type { FieldIssue } from '../../shared/errors.ts';
import { queryString, type Query } from './query.ts';

export type { FieldIssue, Query };
export { queryString };

/** A refused or failed request: its HTTP status (0 when the network failed) and i18n code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    /** Seconds to wait before trying again (429 and 503), when the server said. */
    readonly retryAfter: number | null = null,
    /** What else the answer said (a stale case's 409: `changedBy`, `changedAt`, `version`). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  /** The problem the server named for `field`, if any (`grids[0]` counts for `grids`). */
  problemWith(field: string): string | undefined {
    return this.issues.find((i) => i.field === field || i.field.startsWith(`${field}[`) || i.field.startsWith(`${field}.`))?.problem;
  }
}

/** The code a failure gets when the answer carries none: what a person can act on. */
function codeForStatus(status: number): string {
  if (status === 0) return 'error.network';
  if (status === 401) return 'error.unauthenticated';
  if (status === 403) return 'error.forbidden';
  if (status === 404) return 'error.not_found';
  if (status === 409) return 'error.conflict';
  if (status === 413) return 'error.payload_too_large';
  if (status === 429) return 'error.rate_limited';
  if (status === 503) return 'error.unavailable';
  if (status >= 500) return 'error.internal';
  return 'error.validation';
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : null;
}

/** A fresh key for one logical write; send the same one again on every retry of that write. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

function isIssue(v: unknown): v is FieldIssue {
  return !!v && typeof v === 'object' && typeof (v as FieldIssue).field === 'string' && typeof (v as FieldIssue).problem === 'string';
}

/** The ApiError for a response that is not ok, whatever its body. */
export async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON (a proxy's HTML page, an empty body): the status speaks for itself
  }
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  const code = typeof e?.code === 'string' && e.code ? e.code : codeForStatus(res.status);
  const message = typeof e?.message === 'string' ? e.message : `${res.status} ${res.statusText}`.trim();
  const issues = Array.isArray(e?.issues) ? e.issues.filter(isIssue) : [];
  const fromBody = typeof e?.retryAfter === 'number' && Number.isFinite(e.retryAfter) ? Math.ceil(e.retryAfter) : null;
  const { code: _c, message: _m, issues: _i, ...details } = e ?? {};
  return new ApiError(res.status, code, message, issues, retryAfterSeconds(res.headers.get('Retry-After')) ?? fromBody, details);
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Sent as `Idempotency-Key` on a write: the same key on every retry of one write. */
  idempotencyKey?: string;
}

/** An answer as a value: the data, or the refusal (never thrown). */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export interface ApiOptions {
  /** Where the API lives; `/api/v1` on the page's own origin by default. */
  base?: string;
  fetch?: typeof fetch;
  /** The session is gone (a 401 that is not a wrong password): show the login. */
  onUnauthenticated?: (error: ApiError) => void;
  /** Every refused request, after the above (a page may react to codes it cares about). */
  onError?: (error: ApiError) => void;
  /** Every answer, ok or not, before it is read (the wall reads the server's `Date` from it). */
  onResponse?: (res: Response) => void;
  /** A request that has not answered after this long fails as `error.network`. */
  timeoutMs?: number;
  /** The fetch cache mode (`no-store` for answers that must never come from a cache). */
  cache?: RequestCache;
}

/** The signed-in person and the CSRF token of their session (`/auth/me`, `/auth/login`). */
export interface SessionAnswer<U> {
  user: U;
  csrfToken: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** 401 codes that are an answer about credentials typed just now, not an ended session. */
const CREDENTIAL_CODES = new Set(['error.bad_credentials', 'error.rate_limited']);

export class Api {
  /** The session's CSRF token, sent on every write. */
  csrfToken: string | null = null;
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #onUnauthenticated: ((error: ApiError) => void) | undefined;
  readonly #onError: ((error: ApiError) => void) | undefined;
  readonly #onResponse: ((res: Response) => void) | undefined;
  readonly #timeoutMs: number | undefined;
  readonly #cache: RequestCache | undefined;

  constructor(opts: ApiOptions = {}) {
    this.#base = (opts.base ?? '/api/v1').replace(/\/$/, '');
    // Bound: `fetch` called as a method of another object throws "Illegal invocation".
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#onUnauthenticated = opts.onUnauthenticated;
    this.#onError = opts.onError;
    this.#onResponse = opts.onResponse;
    this.#timeoutMs = opts.timeoutMs;
    this.#cache = opts.cache;
  }

  /** The URL of `path` under the API with the query's non-empty values. */
  url(path: string, query?: Query): string {
    const qs = queryString(query);
    return `${this.#base}${path.startsWith('/') ? path : `/${path}`}${qs ? `?${qs}` : ''}`;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    if (!this.#timeoutMs) return this.#request<T>(method, path, opts);
    // Our own deadline covers the body too, and fails as a network error; the caller's signal
    // still aborts as an AbortError. (Linked by hand: AbortSignal.any is newer than some kiosks.)
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    const callerAborted = () => deadline.abort(opts.signal?.reason);
    if (opts.signal?.aborted) callerAborted();
    opts.signal?.addEventListener('abort', callerAborted, { once: true });
    try {
      return await this.#request<T>(method, path, { ...opts, signal: deadline.signal });
    } catch (e) {
      if (deadline.signal.aborted && !opts.signal?.aborted) throw new ApiError(0, 'error.network', `no answer in ${this.#timeoutMs} ms`);
      throw e;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', callerAborted);
    }
  }

  async #request<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const res = await this.#send(method, path, opts);
    if (res.ok) return this.#read<T>(res);
    let error = await errorFrom(res);
    if (error.status === 403 && error.code === 'error.csrf' && !SAFE_METHODS.has(method)) {
      // The token went stale (another tab signed in again): fetch the current one, try once more.
      const refreshed = await this.me().then(() => null, (e: unknown) => e);
      if (refreshed === null) {
        const again = await this.#send(method, path, opts);
        if (again.ok) return this.#read<T>(again);
        error = await errorFrom(again);
      } else if (refreshed instanceof ApiError && refreshed.status === 401) {
        error = refreshed;
      }
    }
    if (error.status === 401 && !CREDENTIAL_CODES.has(error.code)) {
      this.csrfToken = null;
      this.#onUnauthenticated?.(error);
    }
    this.#onError?.(error);
    throw error;
  }

  /** `request()` as a value: `{ ok: true, data }` or `{ ok: false, error }` (other throws still throw). */
  async result<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResult<T>> {
    try {
      return { ok: true, data: await this.request<T>(method, path, opts) };
    } catch (e) {
      if (e instanceof ApiError) return { ok: false, error: e };
      throw e;
    }
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query, signal });
  }

  post<T = void>(path: string, body?: unknown, opts: Pick<RequestOptions, 'idempotencyKey' | 'headers'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body: body ?? {} });
  }

  patch<T = void>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }

  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** `GET /auth/me`: who is signed in; keeps the session's CSRF token for writes. */
  async me<U>(): Promise<SessionAnswer<U>> {
    const res = await this.#send('GET', '/auth/me', {});
    if (!res.ok) {
      const error = await errorFrom(res);
      if (error.status === 401) this.csrfToken = null;
      throw error;
    }
    const answer = await this.#read<SessionAnswer<U>>(res);
    this.csrfToken = answer.csrfToken;
    return answer;
  }

  async #send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    const init: RequestInit = { method, headers, credentials: 'same-origin' };
    if (this.#cache) init.cache = this.#cache;
    if (!SAFE_METHODS.has(method)) {
      if (this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
      if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
      if (opts.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(opts.body);
      }
    }
    if (opts.signal) init.signal = opts.signal;
    try {
      const res = await this.#fetch(this.url(path, opts.query), init);
      this.#onResponse?.(res);
      return res;
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'error.network', e instanceof Error ? e.message : String(e));
    }
  }

  async #read<T>(res: Response): Promise<T> {
    if (res.status === 204 || res.status === 205) return undefined as T;
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'error.bad_json', 'the server answered with something that is not JSON');
    }
  }
}

/** The rows of a list answer: `{ items: [...] }` (or a bare array). */
export function itemsOf<T>(answer: { items: T[] } | T[] | null | undefined): T[] {
  if (Array.isArray(answer)) return answer;
  return answer?.items ?? [];
}
