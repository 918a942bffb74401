/**
 * Pairing a wall display, on fake timers against a fake server: a code is asked for and shown,
 * polled every 3 s with its secret, the token handed over once; an expired code is replaced by
 * itself; network trouble is retried with backoff and said; a reload resumes the same code.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PAIRING_KEY, POLL_MS, PairingFlow, formatPairingCode } from '../../client/lib/pairing.svelte.ts';
import { authFailure } from '../../client/lib/live.svelte.ts';

const T0 = Date.parse('2026-03-10T08:00:00+08:00');
const TEN_MIN = 600_000;

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

interface Call { method: string; url: string; secret: string | null }

/** A pairing server in memory: codes A00001, A00002 …; `paired` hands the token of a pairing over. */
function fakeServer() {
  const calls: Call[] = [];
  const pairings = new Map<string, { code: string; secret: string; expiresAt: number; token?: string }>();
  let n = 0;
  let down = false;
  let limited = 0;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', date: new Date(Date.now()).toUTCString(), ...headers } });
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const secret = new Headers(init?.headers).get('x-pairing-secret');
    calls.push({ method, url, secret });
    if (down) throw new TypeError('Failed to fetch');
    if (method === 'POST' && url === '/api/v1/displays/pairing') {
      if (limited > 0) { limited--; return json(429, { error: { code: 'error.rate_limited' } }, { 'retry-after': '20' }); }
      n++;
      const id = `p${n}`;
      const p = { code: `A0000${n}`, secret: `s${n}`, expiresAt: Date.now() + TEN_MIN };
      pairings.set(id, p);
      return json(201, { pairingId: id, code: p.code, secret: p.secret, expiresAt: new Date(p.expiresAt).toISOString() });
    }
    const m = /^\/api\/v1\/displays\/pairing\/(\w+)$/.exec(url);
    if (method === 'GET' && m) {
      const p = pairings.get(m[1]!);
      if (!p || p.secret !== secret || p.expiresAt <= Date.now()) return json(404, { error: { code: 'error.not_found' } });
      if (p.token) {
        const token = p.token;
        pairings.delete(m[1]!);
        return json(200, { status: 'paired', token, display: { id: 'd1', name: '大厅', communityId: 'guihua' } });
      }
      return json(200, { status: 'waiting', code: p.code, expiresAt: new Date(p.expiresAt).toISOString() });
    }
    return json(404, {});
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    calls,
    pairings,
    pair(id: string, token = 'cbd_' + 'x'.repeat(43)) { pairings.get(id)!.token = token; },
    setDown(v: boolean) { down = v; },
    limitNext(times: number) { limited = times; },
  };
}

/** Let the fake fetch's promises settle (through the API client's few awaits). */
const settle = async () => {
  for (let i = 0; i < 40; i++) await Promise.resolve();
};
const advance = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
};

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('pairing a display', () => {
  it('shows a code, polls every 3 s with its secret, and hands the token over once', async () => {
    const server = fakeServer();
    const storage = new MemoryStorage();
    const onPaired = vi.fn();
    const flow = new PairingFlow({ onPaired, fetch: server.fetch, storage });
    flow.start();
    await settle();
    expect(flow.phase).toBe('waiting');
    expect(flow.code).toBe('A00001');
    expect(flow.remainingMs).toBe(TEN_MIN);

    await advance(POLL_MS);
    await advance(POLL_MS);
    const polls = server.calls.filter((c) => c.method === 'GET');
    expect(polls).toHaveLength(2);
    expect(polls.every((c) => c.url === '/api/v1/displays/pairing/p1' && c.secret === 's1')).toBe(true);
    expect(onPaired).not.toHaveBeenCalled();

    server.pair('p1');
    await advance(POLL_MS);
    expect(onPaired).toHaveBeenCalledTimes(1);
    expect(onPaired.mock.calls[0]![0]).toBe('cbd_' + 'x'.repeat(43));
    expect(onPaired.mock.calls[0]![1]).toMatchObject({ name: '大厅' });
    expect(flow.phase).toBe('paired');
    // Nothing left running, and no pending pairing kept.
    expect(vi.getTimerCount()).toBe(0);
    expect(storage.getItem(PAIRING_KEY)).toBeNull();
    await advance(60_000);
    expect(server.calls.filter((c) => c.method === 'GET')).toHaveLength(3);
  });

  it('replaces an expired code by itself, without anyone touching the wall', async () => {
    const server = fakeServer();
    const flow = new PairingFlow({ onPaired: vi.fn(), fetch: server.fetch, storage: new MemoryStorage() });
    flow.start();
    await settle();
    expect(flow.code).toBe('A00001');
    await advance(TEN_MIN - 1_000);
    expect(flow.remainingMs).toBeLessThanOrEqual(1_000);
    await advance(2_000);
    expect(flow.code).toBe('A00002');
    expect(flow.phase).toBe('waiting');
    expect(flow.remainingMs).toBeGreaterThan(TEN_MIN - 3_000);
    // An hour of waiting: a new code every ten minutes, and still one poll and one ticker pending.
    await advance(3_600_000);
    expect(flow.code).toBe('A00008');
    expect(vi.getTimerCount()).toBe(2);
    flow.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('asks for a new code when the server no longer knows the pairing (404)', async () => {
    const server = fakeServer();
    const flow = new PairingFlow({ onPaired: vi.fn(), fetch: server.fetch, storage: new MemoryStorage() });
    flow.start();
    await settle();
    server.pairings.clear(); // the server restarted on a fresh database
    await advance(POLL_MS);
    expect(flow.code).toBe('A00002');
    expect(flow.problem).toBeNull();
    flow.stop();
  });

  it('keeps retrying with backoff while the server is unreachable, says so, and recovers', async () => {
    const server = fakeServer();
    server.setDown(true);
    const flow = new PairingFlow({ onPaired: vi.fn(), fetch: server.fetch, storage: new MemoryStorage() });
    flow.start();
    await settle();
    expect(flow.phase).toBe('retrying');
    expect(flow.problem).toBe('network');
    expect(flow.code).toBeNull();
    expect(flow.retryInS).toBe(1);
    // 1, 2, 4, 8, 16, 30, 30 … seconds between attempts.
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = server.calls.length;
      const start = Date.now();
      while (server.calls.length === before) await advance(250);
      times.push(Math.round((Date.now() - start) / 1000));
    }
    expect(times).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
    expect(flow.failures).toBe(9);

    server.setDown(false);
    await advance(30_000);
    expect(flow.problem).toBeNull();
    expect(flow.phase).toBe('waiting');
    expect(flow.code).toBe('A00001');
    flow.stop();
  });

  it('keeps a valid code on the wall through a network blip', async () => {
    const server = fakeServer();
    const flow = new PairingFlow({ onPaired: vi.fn(), fetch: server.fetch, storage: new MemoryStorage() });
    flow.start();
    await settle();
    server.setDown(true);
    await advance(POLL_MS);
    expect(flow.problem).toBe('network');
    expect(flow.code).toBe('A00001');
    server.setDown(false);
    await advance(1_000);
    expect(flow.problem).toBeNull();
    expect(flow.code).toBe('A00001');
    flow.stop();
  });

  it('waits out a rate limit for as long as the server says', async () => {
    const server = fakeServer();
    server.limitNext(1);
    const flow = new PairingFlow({ onPaired: vi.fn(), fetch: server.fetch, storage: new MemoryStorage() });
    flow.start();
    await settle();
    expect(flow.problem).toBe('limited');
    expect(flow.retryInS).toBe(20);
    await advance(19_000);
    expect(server.calls).toHaveLength(1);
    await advance(1_000);
    expect(flow.code).toBe('A00001');
    flow.stop();
  });

  it('comes back after a reload with the same code, and picks up a token granted meanwhile', async () => {
    const server = fakeServer();
    const storage = new MemoryStorage();
    const first = new PairingFlow({ onPaired: vi.fn(), fetch: server.fetch, storage });
    first.start();
    await settle();
    first.stop(); // the power goes
    server.pair('p1'); // the admin finishes typing the code meanwhile
    await advance(20_000);

    const onPaired = vi.fn();
    const second = new PairingFlow({ onPaired, fetch: server.fetch, storage });
    second.start();
    expect(second.code).toBe('A00001');
    await settle();
    expect(onPaired).toHaveBeenCalledTimes(1);
    expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('ignores a kept pairing that has expired', async () => {
    const server = fakeServer();
    const storage = new MemoryStorage();
    storage.setItem(PAIRING_KEY, JSON.stringify({ pairingId: 'old', code: 'ZZZ999', secret: 's', expiresAt: T0 - 1 }));
    const flow = new PairingFlow({ onPaired: vi.fn(), fetch: server.fetch, storage });
    flow.start();
    await settle();
    expect(flow.code).toBe('A00001');
    expect(server.calls.map((c) => c.method)).toEqual(['POST']);
    flow.stop();
  });

  it('counts down by the server’s clock when the display’s clock is wrong', async () => {
    const server = fakeServer();
    // The kiosk's clock runs an hour behind the server's.
    const flow = new PairingFlow({ onPaired: vi.fn(), fetch: server.fetch, storage: null, now: () => Date.now() - 3_600_000 });
    flow.start();
    await settle();
    expect(flow.remainingMs).toBe(TEN_MIN);
    await advance(60_000);
    expect(flow.remainingMs).toBe(TEN_MIN - 60_000);
    flow.stop();
  });
});

describe('the pairing code on the wall', () => {
  it('is shown in two groups of three', () => {
    expect(formatPairingCode('ABC123')).toBe('ABC-123');
    expect(formatPairingCode('abc-123')).toBe('ABC-123');
    expect(formatPairingCode('ABCD')).toBe('ABCD');
  });
});

describe('a refused token', () => {
  it('is told apart from a failure worth retrying', () => {
    expect(authFailure('error.unauthenticated')).toBe('error.unauthenticated');
    expect(authFailure('error.revoked')).toBe('error.revoked');
    for (const other of ['websocket error', 'timeout', 'xhr poll error', 'error.internal', 'error.forbidden', '', undefined, null]) {
      expect(authFailure(other)).toBeNull();
    }
  });
});
