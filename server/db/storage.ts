/**
 * When the database cannot take a write: another process holds its write lock (a CLI writer, a
 * migration, `sqlite3` left open), or the disk (or `max_page_count`) is full. Such a write is
 * refused whole, nothing of it written, with a 503 the client can retry (`Retry-After`) and a
 * code of its own, never a 500. `StorageHealth` keeps the state for `/api/v1/health` and
 * `/api/v1/ready` and logs each episode once, when it starts and when writes succeed again.
 */
import Database from 'better-sqlite3';
import { DomainError } from '../errors.ts';

export type StorageFault = 'busy' | 'full';

/** Seconds a client is told to wait: a lock is usually released soon; a full disk needs a person. */
export const RETRY_AFTER_S: Record<StorageFault, number> = { busy: 2, full: 30 };

/** A write refused for a storage fault: 503 with `error.db_busy` or `error.storage_full` and `Retry-After`. */
export class StorageError extends DomainError {
  constructor(readonly fault: StorageFault, override readonly cause?: unknown) {
    super(
      503,
      fault === 'busy' ? 'error.db_busy' : 'error.storage_full',
      fault === 'busy'
        ? 'the database is locked by another program; nothing was written, try again'
        : 'the database or its disk is full; nothing was written',
      undefined,
      { retryAfter: RETRY_AFTER_S[fault] },
    );
  }
}

/** Whether `error` is SQLite failing to get a lock another connection holds. */
export const isBusy = (error: unknown): boolean =>
  error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');

/**
 * The StorageError `error` amounts to, or null when it is no storage fault. SQLITE_BUSY (and
 * BUSY_SNAPSHOT, a read transaction that cannot become a write) is a lock; SQLITE_FULL is a full
 * disk or database (SQLite reports ENOSPC as SQLITE_FULL).
 */
export function storageFault(error: unknown): StorageError | null {
  if (error instanceof StorageError) return error;
  if (!(error instanceof Database.SqliteError)) return null;
  if (error.code.startsWith('SQLITE_BUSY')) return new StorageError('busy', error);
  if (error.code === 'SQLITE_FULL') return new StorageError('full', error);
  return null;
}

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface StorageState {
  /** `ok`, or what refuses (or delays) writes now. */
  storage: 'ok' | StorageFault;
  /** Since when (epoch ms), when not ok. */
  since: number | null;
}

/**
 * Whether writes go through, told by whoever meets a fault (`fault`) and by every group commit
 * (`committed`). An episode starts at the first fault and ends once a write has committed after
 * the last fault and `settleMs` passed without another: a database at its size limit still
 * takes the writes that fit in free pages, and should not log a pair of lines for every one
 * that does not.
 */
export class StorageHealth {
  #log: Log;
  #now: () => number;
  #settleMs: number;
  #fault: StorageFault | null = null;
  #since = 0;
  #lastFault = 0;
  #committedSince = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(log: Log, opts: { now?: () => number; settleMs?: number } = {}) {
    this.#log = log;
    this.#now = opts.now ?? Date.now;
    this.#settleMs = opts.settleMs ?? 3_000;
  }

  /** A write met `kind` (refused, or waiting for the lock). Logged once per episode. */
  fault(kind: StorageFault, error?: unknown): void {
    const now = this.#now();
    if (this.#fault !== kind) {
      this.#fault = kind;
      this.#since = now;
      if (kind === 'full') {
        this.#log.error({ err: error, storage: kind }, 'the database or its disk is full: writes are refused (503 error.storage_full) until there is room');
      } else {
        this.#log.warn({ storage: kind }, 'the database is locked by another program: writes wait for it, then are refused (503 error.db_busy)');
      }
    }
    this.#lastFault = now;
    this.#committedSince = false;
  }

  /** A group of writes committed. */
  committed(): void {
    if (this.#fault === null) return;
    this.#committedSince = true;
    this.#settle();
  }

  /** The state now, for /health and /ready. */
  get state(): StorageState {
    this.#settle();
    return this.#fault ? { storage: this.#fault, since: this.#since } : { storage: 'ok', since: null };
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #settle() {
    if (this.#fault === null || !this.#committedSince) return;
    const wait = this.#lastFault + this.#settleMs - this.#now();
    if (wait > 0) {
      // Check again then: the end of the episode is logged even if no write comes after it.
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.#settle();
      }, wait).unref();
      return;
    }
    this.#log.info({ storage: this.#fault, ms: this.#now() - this.#since }, 'writes succeed again');
    this.#fault = null;
  }
}
