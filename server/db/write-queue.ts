/**
 * Group commit. Writes are queued and, on the next turn of the event loop, run together in one
 * SQLite transaction, each inside its own savepoint: one write that fails rolls back alone,
 * the rest commit together with one fsync. A write queued `bare` (bulk ingest: it checked
 * everything before it was queued) runs without a savepoint: if it throws anyway, the whole group
 * rolls back, it fails, and the others go round again first in line, as after a full disk. A caller's promise settles only after the commit,
 * so an acknowledged write is durable. What each write produced (its journal entries) is
 * handed to `onCommit` after the commit, in order, and never for a write that rolled back.
 *
 * A group begins with BEGIN IMMEDIATE, so it takes the write lock before it reads anything and
 * SQLite's busy timeout applies (a deferred transaction that read first is refused the upgrade at
 * once). The connection's busy timeout is short (better-sqlite3 waits synchronously, and a long
 * wait would freeze sockets and timers): while another process holds the lock, the group stays
 * queued and tries again on a timer, with backoff, and a write that waited `lockWaitMs` is
 * refused whole with a StorageError (503 `error.db_busy`). A full disk refuses the write that
 * needed the room with 503 `error.storage_full`. Both are told to `health`.
 */
import type { Db } from './index.ts';
import type { Principal } from '../principal.ts';
import { isBusy, storageFault, type StorageHealth } from './storage.ts';

export interface WriteContext<E> {
  /** Record something to publish once the transaction commits. */
  emit(effect: E): void;
  /**
   * Say the write changed something though it publishes nothing (a setting saved): the audit
   * log, which skips writes that changed nothing, then logs it.
   */
  changed(): void;
}

/** How a write runs in its group. */
export interface RunOptions {
  /**
   * No savepoint of its own. For a write of many rows whose checks all ran before it was queued,
   * so it fails only as the storage does: a savepoint held open over its rows makes SQLite copy
   * every page each INSERT touches into the savepoint's journal (a temporary file past 64 KiB),
   * which made the inserts of a request of 500 reports ~50 % dearer (docs/PERFORMANCE.md).
   */
  bare?: boolean;
}

interface Job<E> {
  work: (ctx: WriteContext<E>) => unknown;
  bare?: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** When it first found the write lock taken (epoch ms). */
  waitingSince?: number;
}

/** Writes after shutdown began: the HTTP layer answers 503 so clients retry elsewhere or later. */
export class QueueClosedError extends Error {
  constructor() {
    super('the server is shutting down');
  }
}

export interface WriteQueueOptions {
  /** Longest a write waits for a write lock another connection holds before it is refused (default 5000 ms). */
  lockWaitMs?: number;
  /** Told of storage faults and of commits: /health, and one log line per episode. */
  health?: StorageHealth;
}

/** Between tries for a taken write lock: 25 ms, doubling, at most 250 ms. */
const LOCK_RETRY_MIN_MS = 25;
const LOCK_RETRY_MAX_MS = 250;

export interface WriteQueueStats {
  commits: number;
  writes: number;
  largestGroup: number;
}

export class WriteQueue<E> {
  readonly stats: WriteQueueStats = { commits: 0, writes: 0, largestGroup: 0 };
  #db: Db;
  #queue: Job<E>[] = [];
  #scheduled = false;
  #onCommit: (effects: E[]) => void;
  #savepoint: (job: Job<E>, ctx: WriteContext<E>) => unknown;
  #closed = false;
  #lockWaitMs: number;
  #health: StorageHealth | null;
  /** The timer of the next try while another connection holds the write lock. */
  #retry: NodeJS.Timeout | null = null;
  #lockTries = 0;

  #onCommitError: (error: unknown) => void;

  constructor(
    db: Db, onCommit: (effects: E[]) => void, onCommitError: (error: unknown) => void = (e) => console.error(e),
    options: WriteQueueOptions = {},
  ) {
    this.#db = db;
    this.#onCommit = onCommit;
    this.#onCommitError = onCommitError;
    this.#lockWaitMs = options.lockWaitMs ?? 5_000;
    this.#health = options.health ?? null;
    // Called inside the outer transaction, better-sqlite3 runs this as a SAVEPOINT.
    this.#savepoint = db.transaction((job: Job<E>, ctx: WriteContext<E>) => job.work(ctx));
  }

  /**
   * Queue a write made for `by` (the principal of the request): an audited queue logs who made
   * it in the same transaction (server/auth/audit.ts); this one ignores it.
   */
  runAs<T>(by: Principal, work: (ctx: WriteContext<E>) => T, options?: RunOptions): Promise<T> {
    return this.run(work, by, options);
  }

  /** Queue a write; resolves with its result after the group it joins has committed. */
  run<T>(work: (ctx: WriteContext<E>) => T, _by?: Principal, options?: RunOptions): Promise<T> {
    if (this.#closed) return Promise.reject(new QueueClosedError());
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (v: unknown) => void, reject, bare: options?.bare === true });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * The body of each group's transaction: `writeAll` runs the group's writes, each in its
   * savepoint. A subclass may wrap it to write, after the last write and before COMMIT, what the
   * group's writes share (server/auth/audit.ts: one audit line per actor and route); whatever it
   * throws rolls the whole group back, as a commit that failed.
   */
  protected inGroup(writeAll: () => void): void {
    writeAll();
  }

  /** Commit everything queued so far, now. */
  flush() {
    this.#scheduled = false;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    const jobs = this.#queue.splice(0);
    if (!jobs.length) return;
    const outcomes: ({ ok: true; value: unknown; effects: E[] } | { ok: false; error: unknown })[] = [];
    let culprit = -1;
    let began = false;
    try {
      this.#db.transaction(() => {
        began = true;
        this.inGroup(() => {
          for (const [i, job] of jobs.entries()) {
            const effects: E[] = [];
            const ctx: WriteContext<E> = { emit: (e) => effects.push(e), changed: () => {} };
            try {
              const value = job.bare ? job.work(ctx) : this.#savepoint(job, ctx);
              outcomes.push({ ok: true, value, effects });
            } catch (error) {
              outcomes.push({ ok: false, error });
              if (job.bare || !this.#db.inTransaction) {
                // Some errors (SQLITE_FULL, IOERR, NOMEM, BUSY) make SQLite roll back the whole
                // transaction, not just the savepoint. Running on would commit the rest outside
                // any group: stop here. A bare write has no savepoint to roll back to: what it
                // wrote goes with the group's rollback.
                culprit = i;
                throw error;
              }
            }
          }
        });
      }).immediate();
    } catch (error) {
      if (!began && isBusy(error)) {
        this.#waitForLock(jobs, error);
        return;
      }
      this.#lockTries = 0;
      const fault = storageFault(error);
      if (fault) this.#health?.fault(fault.fault, error);
      if (culprit >= 0) {
        // Nothing of the group was written. The write that broke it fails; the others go
        // round again, first in line. (A full disk fails one write per round: no endless loop.)
        jobs[culprit]!.reject(fault ?? error);
        this.#queue.unshift(...jobs.filter((_, i) => i !== culprit));
        if (this.#queue.length && !this.#scheduled) {
          this.#scheduled = true;
          setImmediate(() => this.flush());
        }
        return;
      }
      // The commit itself failed (disk full, I/O error): nothing of this group was written.
      for (const job of jobs) job.reject(fault ?? error);
      return;
    }
    this.#lockTries = 0;
    this.#health?.committed();
    this.stats.commits++;
    this.stats.writes += jobs.length;
    this.stats.largestGroup = Math.max(this.stats.largestGroup, jobs.length);
    const committed: E[] = [];
    for (const o of outcomes) if (o.ok) committed.push(...o.effects);
    if (committed.length) {
      try {
        this.#onCommit(committed);
      } catch (error) {
        // The data is committed whatever a listener does: callers still get their answer.
        this.#onCommitError(error);
      }
    }
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) return job.resolve(o.value);
      const fault = storageFault(o.error);
      if (fault) this.#health?.fault(fault.fault, o.error);
      job.reject(fault ?? o.error);
    });
  }

  /**
   * BEGIN IMMEDIATE found the write lock taken (after the connection's short busy timeout):
   * nothing ran. The writes that have waited `lockWaitMs` are refused; the others stay first in
   * line for a try on a timer, so the event loop runs meanwhile.
   */
  #waitForLock(jobs: Job<E>[], error: unknown) {
    const now = Date.now();
    this.#health?.fault('busy', error);
    const refused: Job<E>[] = [];
    const waiting: Job<E>[] = [];
    for (const job of jobs) {
      job.waitingSince ??= now;
      (now - job.waitingSince >= this.#lockWaitMs ? refused : waiting).push(job);
    }
    this.#queue.unshift(...waiting);
    if (refused.length) {
      const refusal = storageFault(error)!;
      for (const job of refused) job.reject(refusal);
    }
    if (!this.#queue.length || this.#closed) return;
    const delay = Math.min(LOCK_RETRY_MAX_MS, LOCK_RETRY_MIN_MS * 2 ** this.#lockTries++);
    // New writes join the queue and wait for this try rather than each knocking at the lock.
    this.#scheduled = true;
    this.#retry = setTimeout(() => this.flush(), delay);
  }

  /**
   * Commit what is queued and refuse further writes. Writes still waiting for a lock another
   * program holds are refused (QueueClosedError: 503), nothing of them written.
   */
  close() {
    // A culprit's neighbours go round again; each round shrinks the queue or waits for the lock.
    while (this.#queue.length && !this.#retry) this.flush();
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    for (const job of this.#queue.splice(0)) job.reject(new QueueClosedError());
  }
}
