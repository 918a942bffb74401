/**
 * Pairing a wall display: ask the server for a short code (`POST /api/v1/displays/pairing`),
 * show it until an admin enters it in the console, and poll (`GET …/pairing/:id` with the
 * pairing's secret) every 3 s until the server hands over the device token.
 *
 * An unattended wall never gives up and never goes blank: an expired code is replaced by itself,
 * network and server errors are retried with backoff (1 s, 2 s, 4 s … 30 s) and said on screen,
 * a rate limit is waited out. The pending pairing is kept in storage, so a display that loses
 * power while an admin is typing its code comes back with the same code — and picks up its
 * token if the admin finished meanwhile.
 *
 * Times come from the server (`expiresAt`), corrected by the skew between the server's `Date`
 * header and the display's own clock: kiosk clocks are often wrong.
 */
import { Api, ApiError } from './api.ts';
import type { TokenStorage } from './display-token.ts';

export const PAIRING_KEY = 'cerebellum.pairing';
export const POLL_MS = 3_000;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** When the server limits us without saying for how long. */
const LIMITED_DEFAULT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** A display clock within this of the server's is left alone (the `Date` header has whole seconds). */
const SKEW_TOLERANCE_MS = 2_000;

/** What a paired display learns about itself (the rest of the server's answer is ignored). */
export interface PairedDisplay {
  id?: string;
  name?: string;
  communityId?: string;
}

interface Pending {
  pairingId: string;
  code: string;
  secret: string;
  /** Server epoch ms. */
  expiresAt: number;
}

/**
 * `requesting`: asking for a code (none shown yet, or the old one expired);
 * `waiting`: a code is on screen; `retrying`: the last call failed (see `problem`), trying again
 * in `retryInS`; `paired`: done, the token went to `onPaired`.
 */
export type PairingPhase = 'requesting' | 'waiting' | 'retrying' | 'paired';
export type PairingProblem = 'network' | 'server' | 'limited';

export interface PairingOptions {
  onPaired: (token: string, display: PairedDisplay) => void;
  fetch?: typeof fetch;
  /** Where the pending pairing is kept across reloads; null to keep nothing. */
  storage?: TokenStorage | null;
  now?: () => number;
  base?: string;
}

/** `ABC123` → `ABC-123`; any other shape is shown as the server sent it. */
export function formatPairingCode(code: string): string {
  const bare = code.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  return bare.length === 6 ? `${bare.slice(0, 3)}-${bare.slice(3)}` : code;
}

function defaultStorage(): TokenStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function isPending(v: unknown): v is Pending {
  const p = v as Partial<Pending> | null;
  return !!p && typeof p.pairingId === 'string' && typeof p.code === 'string'
    && typeof p.secret === 'string' && typeof p.expiresAt === 'number' && Number.isFinite(p.expiresAt);
}

export class PairingFlow {
  phase = $state<PairingPhase>('requesting');
  /** The code as the server sent it (what an admin types), or null while there is none to show. */
  code = $state<string | null>(null);
  /** Milliseconds until the code expires, by the server's clock. */
  remainingMs = $state(0);
  /** Why the last call failed, while retrying. */
  problem = $state<PairingProblem | null>(null);
  /** Seconds until the next attempt, while retrying. */
  retryInS = $state(0);
  /** Failed calls in a row. */
  failures = $state(0);
  /** The last code expired (or the server forgot it) and a new one is on its way. */
  renewing = $state(false);

  #opts: PairingOptions;
  #api: Api;
  #storage: TokenStorage | null;
  #now: () => number;
  #pending: Pending | null = null;
  /** Server clock minus ours, from the `Date` header. */
  #skewMs = 0;
  #backoffMs = BACKOFF_MIN_MS;
  #retryAt = 0;
  /** The one pending step: the next poll, request or retry. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  /** Bumped by stop(): answers to calls made before it are dropped. */
  #generation = 0;
  #running = false;

  constructor(opts: PairingOptions) {
    this.#opts = opts;
    this.#storage = opts.storage === undefined ? defaultStorage() : opts.storage;
    this.#now = opts.now ?? Date.now;
    this.#api = new Api({
      ...(opts.base ? { base: opts.base } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      timeoutMs: REQUEST_TIMEOUT_MS,
      cache: 'no-store',
      onResponse: (res) => this.#readClock(res),
    });
  }

  /** Resume a pairing kept from before a reload, or ask for a new code. */
  start() {
    if (this.#running) return;
    this.#running = true;
    this.phase = 'requesting';
    this.#ticker = setInterval(() => this.#tick(), 1000);
    const kept = this.#loadPending();
    if (kept && kept.expiresAt > this.#serverNow()) {
      this.#show(kept);
      void this.#poll();
    } else {
      this.#savePending(null);
      void this.#request();
    }
  }

  stop() {
    this.#running = false;
    this.#generation++;
    clearTimeout(this.#timer);
    clearInterval(this.#ticker);
    this.#timer = undefined;
    this.#ticker = undefined;
  }

  #serverNow() {
    return this.#now() + this.#skewMs;
  }

  #schedule(ms: number, step: () => Promise<void>) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void step(), ms);
  }

  async #request() {
    const gen = this.#generation;
    this.phase = this.problem ? 'retrying' : 'requesting';
    try {
      const body = await this.#api.post<unknown>('/displays/pairing', {});
      if (gen !== this.#generation) return;
      const b = (body ?? {}) as { pairingId?: unknown; code?: unknown; secret?: unknown; expiresAt?: unknown };
      const pending = {
        pairingId: String(b.pairingId ?? ''), code: String(b.code ?? ''), secret: String(b.secret ?? ''),
        expiresAt: typeof b.expiresAt === 'string' ? Date.parse(b.expiresAt) : Number(b.expiresAt),
      };
      if (!pending.pairingId || !pending.code || !pending.secret || !Number.isFinite(pending.expiresAt)) {
        throw new ApiError(502, 'error.bad_json', 'the pairing answer lacks its code or secret');
      }
      this.#succeeded();
      this.#savePending(pending);
      this.#show(pending);
      this.#schedule(POLL_MS, () => this.#poll());
    } catch (err) {
      if (gen !== this.#generation) return;
      this.#failed(err, () => this.#request());
    }
  }

  async #poll() {
    const gen = this.#generation;
    const pending = this.#pending;
    if (!pending) return this.#request();
    if (pending.expiresAt <= this.#serverNow()) return this.#renew();
    try {
      const body = await this.#api.request<unknown>('GET', `/displays/pairing/${encodeURIComponent(pending.pairingId)}`, {
        headers: { 'x-pairing-secret': pending.secret },
      });
      if (gen !== this.#generation) return;
      this.#succeeded();
      const b = (body ?? {}) as { status?: unknown; token?: unknown; display?: unknown; code?: unknown; expiresAt?: unknown };
      if (b.status === 'paired' && typeof b.token === 'string' && b.token) {
        this.#savePending(null);
        this.#pending = null;
        this.phase = 'paired';
        this.stop();
        this.#opts.onPaired(b.token, (b.display ?? {}) as PairedDisplay);
        return;
      }
      // Still waiting: the server's word on the code and its expiry wins over ours.
      const expiresAt = typeof b.expiresAt === 'string' ? Date.parse(b.expiresAt) : NaN;
      if (Number.isFinite(expiresAt) || typeof b.code === 'string') {
        const next = {
          ...pending,
          ...(typeof b.code === 'string' && b.code ? { code: b.code } : {}),
          ...(Number.isFinite(expiresAt) ? { expiresAt } : {}),
        };
        this.#savePending(next);
        this.#show(next);
      }
      this.#schedule(POLL_MS, () => this.#poll());
    } catch (err) {
      if (gen !== this.#generation) return;
      if (err instanceof ApiError && (err.status === 404 || err.status === 410)) {
        // Expired or unknown (the server restarted on another database): a new code at once.
        this.#succeeded();
        return this.#renew();
      }
      this.#failed(err, () => this.#poll());
    }
  }

  /** The code is gone: take it off the screen and ask for another. */
  #renew() {
    this.#pending = null;
    this.#savePending(null);
    this.code = null;
    this.remainingMs = 0;
    this.renewing = true;
    return this.#request();
  }

  #show(p: Pending) {
    this.#pending = p;
    this.renewing = false;
    this.code = p.code;
    this.remainingMs = Math.max(0, p.expiresAt - this.#serverNow());
    if (!this.problem) this.phase = 'waiting';
  }

  #succeeded() {
    this.problem = null;
    this.failures = 0;
    this.retryInS = 0;
    this.#backoffMs = BACKOFF_MIN_MS;
    this.phase = this.#pending ? 'waiting' : 'requesting';
  }

  #failed(err: unknown, again: () => Promise<void>) {
    this.failures++;
    let wait: number;
    // An ApiError of status 0 is the network (no answer, or none in time); any other, the server's.
    const status = err instanceof ApiError ? err.status : 0;
    if (status === 429) {
      this.problem = 'limited';
      const retryAfter = (err as ApiError).retryAfter;
      wait = retryAfter ? retryAfter * 1000 : LIMITED_DEFAULT_MS;
    } else {
      this.problem = status ? 'server' : 'network';
      wait = this.#backoffMs;
      this.#backoffMs = Math.min(this.#backoffMs * 2, BACKOFF_MAX_MS);
    }
    if (!status) console.warn(`[screen] pairing: ${String(err)}; retrying in ${wait / 1000} s`);
    this.phase = 'retrying';
    this.#retryAt = this.#now() + wait;
    this.retryInS = Math.ceil(wait / 1000);
    this.#schedule(wait, again);
  }

  #tick() {
    if (this.phase === 'retrying') this.retryInS = Math.max(0, Math.ceil((this.#retryAt - this.#now()) / 1000));
    const p = this.#pending;
    if (!p) return;
    this.remainingMs = Math.max(0, p.expiresAt - this.#serverNow());
    if (this.remainingMs > 0) return;
    if (this.phase === 'waiting') {
      // Expired on screen: a new code now rather than at the next poll.
      clearTimeout(this.#timer);
      void this.#renew();
    } else {
      // Retrying: an expired code is no use to anyone reading the wall; the retry asks for a new one.
      this.code = null;
      this.renewing = true;
    }
  }

  /** `Date` has whole seconds: only a display clock that is clearly wrong is corrected. */
  #readClock(res: Response) {
    const date = Date.parse(res.headers.get('date') ?? '');
    if (!Number.isFinite(date)) return;
    const skew = date - this.#now();
    this.#skewMs = Math.abs(skew) > SKEW_TOLERANCE_MS ? skew : 0;
  }

  #loadPending(): Pending | null {
    try {
      const raw = this.#storage?.getItem(PAIRING_KEY);
      const v: unknown = raw ? JSON.parse(raw) : null;
      return isPending(v) ? v : null;
    } catch {
      return null;
    }
  }

  #savePending(p: Pending | null) {
    try {
      if (p) this.#storage?.setItem(PAIRING_KEY, JSON.stringify(p));
      else this.#storage?.removeItem(PAIRING_KEY);
    } catch {
      // not kept: a reload asks for a new code
    }
  }
}
