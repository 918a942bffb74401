/**
 * Counting attempts per key in a sliding window, in memory: "5 failed logins per (account,
 * address) in 15 minutes", "10 pairing requests per address in 10 minutes". Keys are what make
 * a limit fair: one client hammering one account cannot lock that account for everyone else.
 *
 * Per process: behind a load balancer with several nodes each node counts its own (the limits
 * are then at most n times looser), which is acceptable for throttling guessers.
 */
export interface RateLimit {
  /** Attempts allowed in a window. */
  limit: number;
  windowMs: number;
}

export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  #hits = new Map<string, number[]>();
  #now: () => number;
  #maxKeys: number;

  constructor(opts: RateLimit & { now?: () => number; maxKeys?: number }) {
    if (!(opts.limit >= 1) || !(opts.windowMs > 0)) throw new Error('a rate limit needs a limit of at least 1 and a window');
    this.limit = opts.limit;
    this.windowMs = opts.windowMs;
    this.#now = opts.now ?? Date.now;
    this.#maxKeys = opts.maxKeys ?? 100_000;
  }

  #recent(key: string, now: number): number[] {
    const list = this.#hits.get(key);
    if (!list) return [];
    while (list.length && list[0]! <= now - this.windowMs) list.shift();
    if (!list.length) this.#hits.delete(key);
    return list;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfter(key: string): number {
    const now = this.#now();
    const list = this.#recent(key, now);
    return list.length >= this.limit ? list[list.length - this.limit]! + this.windowMs - now : 0;
  }

  /** Count one attempt for `key`. */
  hit(key: string): void {
    const now = this.#now();
    const list = this.#recent(key, now);
    if (!list.length) {
      if (this.#hits.size >= this.#maxKeys) this.prune();
      this.#hits.set(key, list);
    }
    list.push(now);
    // Only the newest `limit` attempts decide anything.
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
  }

  /** Count an attempt and say whether it was within the limit (for things limited on every try). */
  take(key: string): boolean {
    if (this.retryAfter(key) > 0) return false;
    this.hit(key);
    return true;
  }

  /** Take back the newest attempt of `key` (counted before its outcome was known, and it went well). */
  forgive(key: string): void {
    const list = this.#hits.get(key);
    list?.pop();
    if (list && !list.length) this.#hits.delete(key);
  }

  /** Forget `key` (a successful login clears its failures). */
  reset(key: string): void {
    this.#hits.delete(key);
  }

  /** Drop the keys whose window has passed; when still full, the oldest keys. */
  prune(): void {
    const now = this.#now();
    for (const key of [...this.#hits.keys()]) this.#recent(key, now);
    if (this.#hits.size >= this.#maxKeys) {
      const drop = this.#hits.size - Math.floor(this.#maxKeys * 0.9);
      let i = 0;
      for (const key of this.#hits.keys()) {
        if (i++ >= drop) break;
        this.#hits.delete(key);
      }
    }
  }

  get size(): number {
    return this.#hits.size;
  }
}

/** The keys of the login limits: per (account, address), and per address alone. */
export const loginKeys = (username: string, ip: string) => ({
  account: `${username.trim().toLowerCase()}|${ip}`,
  address: ip,
});
