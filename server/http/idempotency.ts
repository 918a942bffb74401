/**
 * Exactly once for retried writes (docs/OFFLINE.md §1, IETF draft-ietf-httpapi-idempotency-key-header).
 * A route declared `idempotent` takes an `Idempotency-Key`; the first outcome per (principal,
 * key) is kept and a retry is answered with it, never applied again.
 *
 * How it stays exact across a crash: the key is claimed **inside the write's own savepoint**
 * (`WriteOnce`, called by the write queue: server/auth/audit.ts), with the write's result, so
 * there is never a write without its key nor a key without its write. After the commit the
 * answer itself is kept too, and a retry gets it back byte for byte with
 * `Idempotency-Replayed: true`. If the server died between the commit and keeping the answer,
 * the retry runs the route again: its write finds the key claimed and returns the first
 * write's result instead of writing, and the route answers from that.
 *
 * Retries that arrive while the first is still running wait for it (in this process; one
 * process owns the database). A key sent with another request (method, path or body) is a 422;
 * a refused request (4xx) claims nothing, so its retry is checked afresh.
 *
 * Written here rather than taken from a library: the claim has to live in our own write
 * transaction, which no HTTP-level idempotency middleware can reach.
 */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '../db/index.ts';
import { DomainError, invalid } from '../errors.ts';
import type { WriteOnce } from '../principal.ts';
import { principal } from './validate.ts';

/** Migration 23: the first outcome of each keyed write. */
export const IDEMPOTENCY_SQL = `
  CREATE TABLE idempotency_keys (
    owner TEXT NOT NULL,              -- the principal's id (a username, api_key:<id>)
    key TEXT NOT NULL,                -- the client's Idempotency-Key
    fingerprint TEXT NOT NULL,        -- SHA-256 of the method, the path and the body
    result TEXT NOT NULL,             -- the write's own result, as JSON: what a retry's write returns
    status INTEGER,                   -- the answer sent, once kept after the commit
    answer TEXT,
    content_type TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (owner, key)
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_keys_at ON idempotency_keys(at);
`;

/** A key: 8 to 100 letters, digits or `. _ : -` (the tablet sends a UUID). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;
/** How long an outcome is kept: a shift is a day; a tablet left in a drawer for weeks still gets its receipts. */
export const KEEP_MS = 30 * 24 * 3_600_000;
/** Answers larger than this are not kept (the retry then runs the route again, as after a crash). */
const MAX_ANSWER = 256 * 1024;

interface KeptRow {
  fingerprint: string;
  result: string;
  status: number | null;
  answer: string | null;
  content_type: string | null;
}

/** The statements behind the keys. */
export class IdempotencyStore {
  #get;
  #claim;
  #keep;
  #purge;

  constructor(db: Db, readonly now: () => number) {
    this.#get = db.prepare<[string, string], KeptRow>('SELECT fingerprint, result, status, answer, content_type FROM idempotency_keys WHERE owner = ? AND key = ?');
    this.#claim = db.prepare('INSERT INTO idempotency_keys (owner, key, fingerprint, result, at) VALUES (?, ?, ?, ?, ?)');
    this.#keep = db.prepare('UPDATE idempotency_keys SET status = ?, answer = ?, content_type = ? WHERE owner = ? AND key = ?');
    this.#purge = db.prepare('DELETE FROM idempotency_keys WHERE at < ?');
  }

  get(owner: string, key: string): KeptRow | undefined {
    return this.#get.get(owner, key);
  }

  claim(owner: string, key: string, fingerprint: string, result: unknown): void {
    this.#claim.run(owner, key, fingerprint, JSON.stringify(result ?? null), this.now());
  }

  keep(owner: string, key: string, status: number, answer: string, contentType: string | null): void {
    this.#keep.run(status, answer, contentType, owner, key);
  }

  /** Forget outcomes older than KEEP_MS; how many went. */
  purge(): number {
    return this.#purge.run(this.now() - KEEP_MS).changes;
  }
}

const reused = () => new DomainError(422, 'error.idempotency_key_reused', 'this Idempotency-Key was sent before with another request',
  [{ field: 'Idempotency-Key', problem: 'was used for another request' }]);

/** One request's key, as its write meets it inside the write's savepoint. */
class KeyedWrite implements WriteOnce {
  /** Set when this request's write found the key claimed and returned the first result. */
  replayed = false;
  /** Set when this request's write claimed the key (it stands once the group commits). */
  claimed = false;

  constructor(readonly store: IdempotencyStore, readonly owner: string, readonly key: string, readonly fingerprint: string) {}

  begin(): { result: unknown } | null {
    const row = this.store.get(this.owner, this.key);
    if (!row) return null;
    if (row.fingerprint !== this.fingerprint) throw reused();
    this.replayed = true;
    return { result: JSON.parse(row.result) };
  }

  done(result: unknown): void {
    this.store.claim(this.owner, this.key, this.fingerprint, result);
    this.claimed = true;
  }
}

export interface IdempotentWritesOptions {
  store: IdempotencyStore;
  /** Run a small write in the next group commit (keeping an answer). */
  write: (work: () => void) => Promise<unknown>;
}

/**
 * The middleware an idempotent route runs just before its handler (after its body was read and
 * checked): without a key it does nothing; with one it replays, waits, or lets the route run
 * with the key on the principal's request (`request.once`), where the write queue finds it.
 */
export function idempotentWrites({ store, write }: IdempotentWritesOptions): MiddlewareHandler {
  /** Requests still running, by owner and key: a retry waits for its first. */
  const running = new Map<string, Promise<void>>();
  return async function idempotentWrite(c, next) {
    const key = c.req.header('idempotency-key');
    if (key === undefined) return next();
    if (!IDEMPOTENCY_KEY.test(key)) throw invalid([{ field: 'Idempotency-Key', problem: 'must be 8 to 100 letters, digits or . _ : -' }]);
    const p = principal(c);
    const slot = `${p.id}\u0000${key}`;
    const fingerprint = await fingerprintOf(c);
    for (let first = running.get(slot); first; first = running.get(slot)) await first;
    const kept = store.get(p.id, key);
    if (kept && kept.fingerprint !== fingerprint) throw reused();
    if (kept?.status != null && kept.answer !== null) {
      return c.body(kept.answer, kept.status as 200, {
        'Idempotency-Replayed': 'true', ...(kept.content_type ? { 'Content-Type': kept.content_type } : {}),
      });
    }
    let finished!: () => void;
    running.set(slot, new Promise<void>((resolve) => (finished = resolve)));
    try {
      const once = new KeyedWrite(store, p.id, key, fingerprint);
      c.set('principal', { ...p, request: p.request ? { ...p.request, once } : { ip: null, describe: () => null, once } });
      await next();
      if (once.replayed) c.header('Idempotency-Replayed', 'true');
      const status = c.res.status;
      if ((once.claimed || once.replayed) && status >= 200 && status < 300) {
        const answer = await c.res.clone().text();
        if (answer.length <= MAX_ANSWER) {
          await write(() => store.keep(p.id, key, status, answer, c.res.headers.get('content-type')));
        }
      }
    } finally {
      running.delete(slot);
      finished();
    }
  };
}

/** The request as a key's fingerprint: method, path (with its query) and the body's bytes. */
async function fingerprintOf(c: Context): Promise<string> {
  const url = new URL(c.req.url);
  const hash = createHash('sha256').update(`${c.req.method} ${url.pathname}${url.search}\n`);
  const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
  if (hasBody) hash.update(new Uint8Array(await c.req.arrayBuffer()));
  return hash.digest('hex');
}
