/**
 * Group commit. Writes are queued and, on the next turn of the event loop, run together in one
 * SQLite transaction, each inside its own savepoint: one write that fails rolls back alone,
 * the rest commit together with one fsync. A caller's promise settles only after the commit,
 * so an acknowledged write is durable. What each write produced (its journal entries) is
 * handed to `onCommit` after the commit, in order, and never for a write that rolled back.
 */
import type { Db } from './index.ts';
import type { Principal } from '../principal.ts';

export interface WriteContext<E> {
  /** Record something to publish once the transaction commits. */
  emit(effect: E): void;
}

interface Job<E> {
  work: (ctx: WriteContext<E>) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Writes after shutdown began: the HTTP layer answers 503 so clients retry elsewhere or later. */
export class QueueClosedError extends Error {
  constructor() {
    super('the server is shutting down');
  }
}

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

  #onCommitError: (error: unknown) => void;

  constructor(db: Db, onCommit: (effects: E[]) => void, onCommitError: (error: unknown) => void = (e) => console.error(e)) {
    this.#db = db;
    this.#onCommit = onCommit;
    this.#onCommitError = onCommitError;
    // Called inside the outer transaction, better-sqlite3 runs this as a SAVEPOINT.
    this.#savepoint = db.transaction((job: Job<E>, ctx: WriteContext<E>) => job.work(ctx));
  }

  /**
   * Queue a write made for `by` (the principal of the request): an audited queue logs who made
   * it in the same transaction (server/auth/audit.ts); this one ignores it.
   */
  runAs<T>(by: Principal, work: (ctx: WriteContext<E>) => T): Promise<T> {
    return this.run(work, by);
  }

  /** Queue a write; resolves with its result after the group it joins has committed. */
  run<T>(work: (ctx: WriteContext<E>) => T, _by?: Principal): Promise<T> {
    if (this.#closed) return Promise.reject(new QueueClosedError());
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commit everything queued so far, now. */
  flush() {
    this.#scheduled = false;
    const jobs = this.#queue.splice(0);
    if (!jobs.length) return;
    const outcomes: ({ ok: true; value: unknown; effects: E[] } | { ok: false; error: unknown })[] = [];
    let culprit = -1;
    try {
      this.#db.transaction(() => {
        for (const [i, job] of jobs.entries()) {
          const effects: E[] = [];
          try {
            const value = this.#savepoint(job, { emit: (e) => effects.push(e) });
            outcomes.push({ ok: true, value, effects });
          } catch (error) {
            outcomes.push({ ok: false, error });
            if (!this.#db.inTransaction) {
              // Some errors (SQLITE_FULL, IOERR, NOMEM, BUSY) make SQLite roll back the whole
              // transaction, not just the savepoint. Running on would commit the rest outside
              // any group: stop here.
              culprit = i;
              throw error;
            }
          }
        }
      })();
    } catch (error) {
      if (culprit >= 0) {
        // Nothing of the group was written. The write that broke it fails; the others go
        // round again, first in line.
        jobs[culprit]!.reject(error);
        this.#queue.unshift(...jobs.filter((_, i) => i !== culprit));
        if (this.#queue.length && !this.#scheduled) {
          this.#scheduled = true;
          setImmediate(() => this.flush());
        }
        return;
      }
      // The commit itself failed (disk full, I/O error): nothing of this group was written.
      for (const job of jobs) job.reject(error);
      return;
    }
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
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  }

  /** Commit what is queued and refuse further writes. */
  close() {
    this.flush();
    this.#closed = true;
  }
}
