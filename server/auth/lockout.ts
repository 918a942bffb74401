/**
 * Who may try a password now: failed logins are limited per (account, address) and per address,
 * so someone guessing cannot lock one person out from everywhere. A browser that logged in as a
 * person before (its `cb_device` cookie, OWASP's "device cookie") is counted on its own instead:
 * someone guessing from the same office network cannot lock out the people who work there. Its
 * own failures are limited alike. The counts are in memory (rate-limit.ts); the devices are rows.
 */
import { DomainError } from '../errors.ts';
import { newSecret, sha256 } from './crypto.ts';
import { RateLimiter, loginKeys } from './rate-limit.ts';
import type { UserRecord } from './account-record.ts';
import type { AccountParts, AccountStore } from './account-store.ts';

/** Failed logins allowed per (account, address), per address and per known device, in `windowMs`. */
export const LOGIN_LIMITS = { account: 5, address: 50, device: 5, windowMs: 15 * 60_000 };
/** How long a browser that logged in stays known as that person's device. */
export const DEVICE_DAYS = 180;

/** An attempt counted as failed before its (slow) password check; `succeeded()` takes it back. */
export interface Attempt {
  succeeded(): void;
}

/** The failed-login limits and the login devices that are counted apart. */
export class Lockout {
  readonly failures: { account: RateLimiter; address: RateLimiter; device: RateLimiter };
  #store: AccountStore;
  #now: () => number;

  constructor(parts: Pick<AccountParts, 'store' | 'now'>) {
    this.#store = parts.store;
    this.#now = parts.now;
    const windowMs = LOGIN_LIMITS.windowMs;
    this.failures = {
      account: new RateLimiter({ limit: LOGIN_LIMITS.account, windowMs, now: parts.now }),
      address: new RateLimiter({ limit: LOGIN_LIMITS.address, windowMs, now: parts.now }),
      device: new RateLimiter({ limit: LOGIN_LIMITS.device, windowMs, now: parts.now }),
    };
  }

  /** A 429 with Retry-After while `retryAfterMs` is positive. */
  check(retryAfterMs: number): void {
    if (retryAfterMs > 0) {
      throw new DomainError(429, 'error.rate_limited', 'too many failed attempts; try again later', undefined,
        { retryAfter: Math.ceil(retryAfterMs / 1000) });
    }
  }

  /**
   * A login of `username` from `ip`, or from the known device `device` (its hash). A 429 when
   * over a limit; else counted as a failure before the slow check, so a burst of parallel
   * guesses cannot all pass the limit while the first are still hashing. On success the
   * account's (or the device's) failures are cleared and this attempt is taken back from the address.
   */
  login(username: string, ip: string, device: string | null): Attempt {
    const keys = loginKeys(username, ip);
    const limits: [RateLimiter, string][] = device
      ? [[this.failures.device, device]]
      : [[this.failures.account, keys.account], [this.failures.address, keys.address]];
    this.check(Math.max(...limits.map(([l, k]) => l.retryAfter(k))));
    for (const [l, k] of limits) l.hit(k);
    return {
      succeeded: () => {
        if (device) this.failures.device.reset(device);
        else (this.failures.account.reset(keys.account), this.failures.address.forgive(keys.address));
      },
    };
  }

  /** A logged-in person's current password, checked before they change it: counted per (account, address), as a login. */
  passwordCheck(username: string, ip: string): Attempt {
    const keys = loginKeys(username, ip);
    this.check(this.failures.account.retryAfter(keys.account));
    this.failures.account.hit(keys.account);
    return { succeeded: () => this.failures.account.forgive(keys.account) };
  }

  /** The hash of `token` if it is a device `user` logged in from within DEVICE_DAYS; else null. */
  knownDevice(token: string | null | undefined, user: UserRecord | null): string | null {
    if (!token || !user || token.length > 100) return null;
    const hash = sha256(token);
    const row = this.#store.stmt.device.get(hash) as { user_id: number; last_used_at: number } | undefined;
    return row && row.user_id === user.id && row.last_used_at > this.#now() - DEVICE_DAYS * 86_400_000 ? hash : null;
  }

  /**
   * `user` logged in at `now`: from the known device `device` (its last use moves), or from a
   * new one, whose cookie value is returned (only its hash is kept). Inside the login's transaction.
   */
  loggedIn(device: string | null, user: UserRecord, now: number): string | undefined {
    if (device) {
      this.#store.stmt.deviceUsed.run(now, device);
      return undefined;
    }
    const token = newSecret();
    this.#store.stmt.newDevice.run(sha256(token), user.id, now, now);
    return token;
  }

  /** Forget the devices unused for DEVICE_DAYS. */
  sweep(now: number): void {
    this.#store.stmt.oldDevices.run(now - DEVICE_DAYS * 86_400_000);
  }
}
