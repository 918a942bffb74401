/**
 * The one API client every surface uses (client/lib/api.ts), for what the wall and the clients
 * to come need beyond the console: a refusal as a value, the same Idempotency-Key on every
 * retry of a write, a request that never answers given up in time, every answer seen (the wall
 * reads the server's clock from it).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api, ApiError, newIdempotencyKey, queryString } from '../../client/lib/api.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function recording(respond: (init: RequestInit) => Response | Promise<Response>) {
  const seen: RequestInit[] = [];
  const fetch = vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
    seen.push(init ?? {});
    return respond(init ?? {});
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, seen };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the API client', () => {
  it('gives a refusal as a value naming the field, so a form can show it without a try', async () => {
    const { fetch } = recording(() => json(400, { error: { code: 'error.validation', message: 'bad', issues: [{ field: 'grid', problem: 'is not a grid' }] } }));
    const r = await new Api({ fetch }).result<{ id: number }>('POST', '/events', { body: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('error.validation');
    expect(r.error.problemWith('grid')).toBe('is not a grid');

    const ok = await new Api({ fetch: recording(() => json(201, { id: 7 })).fetch }).result<{ id: number }>('POST', '/events', { body: {} });
    expect(ok).toEqual({ ok: true, data: { id: 7 } });
  });

  it('sends the same Idempotency-Key on every retry of one write, and none on reads', async () => {
    const { fetch, seen } = recording(() => json(503, { error: { code: 'error.unavailable' } }, { 'retry-after': '2' }));
    const api = new Api({ fetch });
    const key = newIdempotencyKey();
    for (let i = 0; i < 3; i++) {
      const r = await api.result('POST', '/events', { body: { n: 1 }, idempotencyKey: key });
      expect(r.ok || r.error.retryAfter).toBe(2);
    }
    await api.get('/events').catch(() => {});
    const keys = seen.map((init) => (init.headers as Record<string, string>)['Idempotency-Key']);
    expect(keys).toEqual([key, key, key, undefined]);
    expect(newIdempotencyKey()).not.toBe(key);
  });

  it('gives up on a server that never answers, as a network failure, after its time limit', async () => {
    vi.useFakeTimers();
    const { fetch } = recording((init) => new Promise<Response>((_, reject) => {
      init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    }));
    const pending = new Api({ fetch, timeoutMs: 10_000 }).get('/displays/pairing/p1').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const e = await pending;
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(0);
    expect((e as ApiError).code).toBe('error.network');
  });

  it('still lets the caller cancel a request with a time limit', async () => {
    const { fetch } = recording((init) => new Promise<Response>((_, reject) => {
      init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    }));
    const abort = new AbortController();
    const pending = new Api({ fetch, timeoutMs: 10_000 }).request('GET', '/x', { signal: abort.signal }).catch((e: unknown) => e);
    abort.abort();
    expect(((await pending) as Error).name).toBe('AbortError');
  });

  it('shows every answer, ok or refused, to whoever reads the server clock, and asks for no cache when told', async () => {
    const dates: string[] = [];
    let n = 0;
    const { fetch, seen } = recording(() => (n++ ? json(404, { error: { code: 'error.not_found' } }, { date: 'b' }) : json(200, {}, { date: 'a' })));
    const api = new Api({ fetch, cache: 'no-store', onResponse: (res) => dates.push(res.headers.get('date') ?? '') });
    await api.get('/x');
    await api.get('/y').catch(() => {});
    expect(dates).toEqual(['a', 'b']);
    expect(seen.every((init) => init.cache === 'no-store')).toBe(true);
  });

  it('writes one query string for lists and links, without the empty filters', () => {
    expect(queryString({ actor: 'li', action: '', cursor: null, limit: 50, open: true, to: undefined })).toBe('actor=li&limit=50&open=true');
    expect(queryString()).toBe('');
  });
});
