/**
 * The console's fetch client (client/lib/api.ts) against a fake fetch: what it sends (the
 * CSRF token on writes only) and what a refused request becomes (a typed error a form can
 * place on its fields; a 401 that sends the person to the login).
 */
import { describe, expect, it, vi } from 'vitest';
import { Api, ApiError, itemsOf, retryAfterSeconds } from '../../client/lib/api.ts';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Responder = (call: Call) => Response | Promise<Response>;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const ME = { user: { id: 1, username: 'admin', role: 'admin' }, csrfToken: 'csrf-1' };

/** A fake fetch that records each call and answers with `respond`. */
function fakeFetch(respond: Responder) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return respond(call);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

/** Routes by `METHOD path` (query left out); anything else is a 404. */
function routes(table: Record<string, Responder>): Responder {
  return (call) => {
    const path = new URL(call.url, 'http://console.test').pathname.replace(/^\/api\/v1/, '');
    const handler = table[`${call.method} ${path}`];
    return handler ? handler(call) : json(404, { error: { code: 'error.not_found', message: `no route ${path}` } });
  };
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected the request to fail');
}

describe('the console api client', () => {
  it('sends the CSRF token from /auth/me on writes, and never on reads', async () => {
    const { fetch, calls } = fakeFetch(routes({
      'GET /auth/me': () => json(200, ME),
      'GET /users': () => json(200, { items: [] }),
      'POST /users': () => json(201, { user: { id: 2 } }),
      'PATCH /users/2': () => json(200, { user: { id: 2 } }),
      'POST /auth/logout': () => new Response(null, { status: 204 }),
    }));
    const api = new Api({ fetch });
    await api.me();
    expect(api.csrfToken).toBe('csrf-1');

    await api.get('/users');
    await api.post('/users', { username: 'li' });
    await api.patch('/users/2', { displayName: '李华' });
    await expect(api.post('/auth/logout')).resolves.toBeUndefined();

    const byCall = calls.map((c) => [c.method, new URL(c.url, 'http://x').pathname, c.headers['X-CSRF-Token'] ?? null]);
    expect(byCall).toEqual([
      ['GET', '/api/v1/auth/me', null],
      ['GET', '/api/v1/users', null],
      ['POST', '/api/v1/users', 'csrf-1'],
      ['PATCH', '/api/v1/users/2', 'csrf-1'],
      ['POST', '/api/v1/auth/logout', 'csrf-1'],
    ]);
    expect(calls[2]!.headers['Content-Type']).toBe('application/json');
    expect(calls[2]!.body).toEqual({ username: 'li' });
  });

  it('leaves empty filters out of the query', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { items: [], nextCursor: null }));
    const api = new Api({ fetch });
    await api.get('/audit', { actor: 'admin', action: '', targetType: undefined, from: null, limit: 50 });
    expect(calls[0]!.url).toBe('/api/v1/audit?actor=admin&limit=50');
  });

  it('turns a 400 into an error that names each field and its problem', async () => {
    const { fetch } = fakeFetch(() => json(400, {
      error: {
        code: 'error.validation', message: 'password: at least 10 characters',
        issues: [{ field: 'password', problem: 'at least 10 characters' }, { field: 'grids[1]', problem: 'unknown grid' }],
      },
    }));
    const e = await failure(new Api({ fetch }).post('/users', {}));
    expect(e).toMatchObject({ status: 400, code: 'error.validation', message: 'password: at least 10 characters' });
    expect(e.issues).toHaveLength(2);
    expect(e.problemWith('password')).toBe('at least 10 characters');
    expect(e.problemWith('grids')).toBe('unknown grid');
    expect(e.problemWith('username')).toBeUndefined();
  });

  it('keeps the i18n code of a refusal (409 username taken, 403 wrong password)', async () => {
    const { fetch } = fakeFetch(routes({
      'POST /users': () => json(409, { error: { code: 'error.username_taken', message: 'taken' } }),
      'POST /auth/password': () => json(403, { error: { code: 'error.wrong_password', message: 'wrong' } }),
    }));
    const api = new Api({ fetch });
    await expect(failure(api.post('/users', {}))).resolves.toMatchObject({ status: 409, code: 'error.username_taken', issues: [] });
    await expect(failure(api.post('/auth/password', {}))).resolves.toMatchObject({ status: 403, code: 'error.wrong_password' });
  });

  it('reads the wait of a 429 from Retry-After', async () => {
    const { fetch } = fakeFetch(() => json(429, { error: { code: 'error.rate_limited', message: 'slow down' } }, { 'Retry-After': '754' }));
    const e = await failure(new Api({ fetch }).post('/auth/login', { username: 'a', password: 'b' }));
    expect(e).toMatchObject({ status: 429, code: 'error.rate_limited', retryAfter: 754 });
    expect(retryAfterSeconds('Wed, 21 Oct 2026 07:28:30 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(30);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
  });

  it('gives a code by status when the answer is not JSON (a proxy page), and one for a network failure', async () => {
    const proxy = fakeFetch(() => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    await expect(failure(new Api({ fetch: proxy.fetch }).get('/users'))).resolves.toMatchObject({ status: 502, code: 'error.internal' });
    const busy = fakeFetch(() => new Response('', { status: 503 }));
    await expect(failure(new Api({ fetch: busy.fetch }).get('/users'))).resolves.toMatchObject({ status: 503, code: 'error.unavailable' });
    const down = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(failure(new Api({ fetch: down.fetch }).get('/users'))).resolves.toMatchObject({ status: 0, code: 'error.network' });
  });

  it('sends the person to the login on a 401, but not for a wrong password typed at the login', async () => {
    const onUnauthenticated = vi.fn();
    const { fetch } = fakeFetch(routes({
      'GET /auth/me': () => json(200, ME),
      'GET /users': () => json(401, { error: { code: 'error.unauthenticated', message: 'log in' } }),
      'POST /auth/login': () => json(401, { error: { code: 'error.bad_credentials', message: 'no' } }),
    }));
    const api = new Api({ fetch, onUnauthenticated });
    await api.me();

    await failure(api.post('/auth/login', { username: 'x', password: 'y' }));
    expect(onUnauthenticated).not.toHaveBeenCalled();
    expect(api.csrfToken).toBe('csrf-1');

    const e = await failure(api.get('/users'));
    expect(e.code).toBe('error.unauthenticated');
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
    expect(onUnauthenticated).toHaveBeenCalledWith(e);
    expect(api.csrfToken).toBeNull();
  });

  it('fetches a fresh CSRF token once and retries when the server says the token is stale', async () => {
    let token = 'csrf-old';
    const { fetch, calls } = fakeFetch(routes({
      'GET /auth/me': () => json(200, { ...ME, csrfToken: token }),
      'POST /api-keys': (call) => call.headers['X-CSRF-Token'] === 'csrf-new'
        ? json(201, { apiKey: { id: 1 }, secret: 'cbk_x' })
        : json(403, { error: { code: 'error.csrf', message: 'bad token' } }),
    }));
    const api = new Api({ fetch });
    await api.me();
    token = 'csrf-new'; // the person signed in again in another tab
    await expect(api.post('/api-keys', { name: 'hotline' })).resolves.toEqual({ apiKey: { id: 1 }, secret: 'cbk_x' });
    expect(calls.map((c) => `${c.method} ${c.headers['X-CSRF-Token'] ?? '-'}`)).toEqual([
      'GET -', 'POST csrf-old', 'GET -', 'POST csrf-new',
    ]);
    expect(api.csrfToken).toBe('csrf-new');
  });

  it('gives up after one retry rather than looping on a CSRF refusal', async () => {
    const { fetch, calls } = fakeFetch(routes({
      'GET /auth/me': () => json(200, ME),
      'POST /users': () => json(403, { error: { code: 'error.csrf', message: 'bad token' } }),
    }));
    const e = await failure(new Api({ fetch }).post('/users', {}));
    expect(e.code).toBe('error.csrf');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2);
  });

  it('tells the onError hook about every refusal (the console reacts to a required password change)', async () => {
    const onError = vi.fn();
    const { fetch } = fakeFetch(() => json(403, { error: { code: 'error.password_change_required', message: 'change it' } }));
    await failure(new Api({ fetch, onError }).get('/users'));
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'error.password_change_required' }));
  });

  it('reads list answers with or without their items wrapper', () => {
    expect(itemsOf({ items: [1, 2] })).toEqual([1, 2]);
    expect(itemsOf([3])).toEqual([3]);
    expect(itemsOf(null)).toEqual([]);
  });
});
