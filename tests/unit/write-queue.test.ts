import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { databaseId, schemaVersion } from '../../server/db/index.ts';
import { openDatabase } from '../../server/database.ts';
import type { Db } from '../../server/db/index.ts';
import { QueueClosedError, WriteQueue } from '../../server/db/write-queue.ts';
import { StorageError, StorageHealth } from '../../server/db/storage.ts';
import type { WriteContext } from '../../server/db/write-queue.ts';

let dir: string;
let file: string;
let db: Db;
let reader: Database.Database;
const opened: { close(): unknown }[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-wq-'));
  file = path.join(dir, 'nested', 'cerebellum.db');
  db = openDatabase(file);
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)');
  // A second connection, as another process (or a restarted one) would see the file.
  reader = new Database(file, { readonly: true });
  opened.push(reader, db);
});

afterEach(() => {
  for (const c of opened.splice(0)) c.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const bodiesSeenBy = (conn: Database.Database) =>
  (conn.prepare('SELECT body FROM notes ORDER BY id').all() as { body: string }[]).map((r) => r.body);

function insert(body: string) {
  return (ctx: WriteContext<string>) => {
    const { lastInsertRowid } = db.prepare('INSERT INTO notes (body) VALUES (?)').run(body);
    ctx.emit(`added ${body}`);
    return Number(lastInsertRowid);
  };
}

describe('group commit', () => {
  it('commits writes queued in the same tick in one transaction', async () => {
    const q = new WriteQueue<string>(db, () => {});
    const ids = await Promise.all(Array.from({ length: 25 }, (_, i) => q.run(insert(`note ${i}`))));
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(q.stats).toEqual({ commits: 1, writes: 25, largestGroup: 25 });
    expect(bodiesSeenBy(reader)).toHaveLength(25);
  });

  it('commits writes from different ticks separately', async () => {
    const q = new WriteQueue<string>(db, () => {});
    await q.run(insert('first'));
    await q.run(insert('second'));
    expect(q.stats.commits).toBe(2);
    expect(q.stats.largestGroup).toBe(1);
  });

  it('resolves each write with what its work returned', async () => {
    const q = new WriteQueue<string>(db, () => {});
    const [a, b] = await Promise.all([q.run(() => 'a'), q.run(() => ({ count: 2 }))]);
    expect(a).toBe('a');
    expect(b).toEqual({ count: 2 });
  });

  it('rolls back a failing write alone, while the others in its group commit', async () => {
    const q = new WriteQueue<string>(db, () => {});
    const before = q.run(insert('before'));
    const failing = q.run((ctx) => {
      insert('half-done')(ctx);
      throw new Error('invalid transition');
    });
    const duplicate = q.run(insert('before')); // violates UNIQUE
    const after = q.run(insert('after'));
    const results = await Promise.allSettled([before, failing, duplicate, after]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('invalid transition');
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(bodiesSeenBy(reader)).toEqual(['before', 'after']);
    expect(q.stats.commits).toBe(1);
  });

  it('commits a bare write (bulk ingest) in the group with the others, and publishes what it produced in order', async () => {
    const published: string[][] = [];
    const q = new WriteQueue<string>(db, (effects) => published.push(effects));
    const bulk = (ctx: WriteContext<string>) => ['b1', 'b2', 'b3'].map((b) => insert(b)(ctx));
    const ids = await Promise.all([q.run(insert('a')), q.run(bulk, undefined, { bare: true }), q.run(insert('c'))]);
    expect(ids).toEqual([1, [2, 3, 4], 5]);
    expect(bodiesSeenBy(reader)).toEqual(['a', 'b1', 'b2', 'b3', 'c']);
    expect(published).toEqual([['added a', 'added b1', 'added b2', 'added b3', 'added c']]);
    expect(q.stats.commits).toBe(1);
  });

  it('leaves nothing of a bare write that fails half-way, fails it alone and commits its neighbours in a later group', async () => {
    const published: string[][] = [];
    const q = new WriteQueue<string>(db, (effects) => published.push(effects));
    let runs = 0;
    const before = q.run((ctx) => (runs++, insert('before')(ctx)));
    const failing = q.run((ctx) => {
      insert('half 1')(ctx);
      insert('half 2')(ctx);
      throw new Error('a bug after two rows');
    }, undefined, { bare: true });
    const after = q.run(insert('after'));
    const results = await Promise.allSettled([before, failing, after]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('a bug after two rows');
    expect(bodiesSeenBy(reader)).toEqual(['before', 'after']);
    expect(published).toEqual([['added before', 'added after']]);
    // No savepoint to roll back to: the group was rolled back and the neighbour went round again.
    expect(runs).toBe(2);
    // The same with the bare write failing on a constraint: nothing of it stays either.
    const dup = q.run((ctx) => ['fresh', 'before'].map((b) => insert(b)(ctx)), undefined, { bare: true });
    await expect(dup).rejects.toThrow(/UNIQUE/);
    expect(bodiesSeenBy(reader)).toEqual(['before', 'after']);
  });

  it('publishes what the committed writes produced, in order, and nothing from a write that rolled back', async () => {
    const published: string[][] = [];
    const q = new WriteQueue<string>(db, (effects) => published.push(effects));
    await Promise.allSettled([
      q.run((ctx) => { ctx.emit('a1'); ctx.emit('a2'); }),
      q.run((ctx) => { ctx.emit('b1'); throw new Error('no'); }),
      q.run((ctx) => { ctx.emit('c1'); }),
      q.run(insert('d')),
    ]);
    expect(published).toEqual([['a1', 'a2', 'c1', 'added d']]);
  });

  it('publishes nothing when every write of a group rolled back', async () => {
    const published: string[][] = [];
    const q = new WriteQueue<string>(db, (effects) => published.push(effects));
    await expect(q.run((ctx) => { ctx.emit('x'); throw new Error('no'); })).rejects.toThrow('no');
    expect(published).toEqual([]);
  });

  it('publishes once per group, with each group after the one before', async () => {
    const published: string[][] = [];
    const q = new WriteQueue<string>(db, (effects) => published.push(effects));
    await Promise.all([q.run(insert('1')), q.run(insert('2'))]);
    await q.run(insert('3'));
    expect(published).toEqual([['added 1', 'added 2'], ['added 3']]);
  });

  it('has published a write’s effects by the time its caller hears it succeeded', async () => {
    const published: string[] = [];
    const q = new WriteQueue<string>(db, (effects) => published.push(...effects));
    await q.run(insert('x'));
    expect(published).toEqual(['added x']);
  });

  it('acknowledges a write only once another connection can read it', async () => {
    const q = new WriteQueue<string>(db, () => {});
    let seenDuringWork: string[] | null = null;
    const acked = q.run((ctx) => {
      insert('durable')(ctx);
      seenDuringWork = bodiesSeenBy(reader);
    });
    expect(bodiesSeenBy(reader)).toEqual([]);
    const seenOnAck = await acked.then(() => bodiesSeenBy(reader));
    expect(seenDuringWork).toEqual([]);
    expect(seenOnAck).toEqual(['durable']);
  });

  it('keeps the acknowledged data after the database is closed and reopened', async () => {
    const q = new WriteQueue<string>(db, () => {});
    await q.run(insert('kept'));
    opened.splice(opened.indexOf(db), 1);
    db.close();
    const again = openDatabase(file);
    opened.push(again);
    expect(bodiesSeenBy(again)).toEqual(['kept']);
  });

  it('refuses the whole group and writes nothing when the commit itself fails', async () => {
    // A deferred foreign key is checked only at COMMIT: one way to make the commit fail.
    db.exec(`
      CREATE TABLE parents (id INTEGER PRIMARY KEY);
      CREATE TABLE children (id INTEGER PRIMARY KEY,
        parent_id INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED);
    `);
    const published: string[][] = [];
    const q = new WriteQueue<string>(db, (effects) => published.push(effects));
    const ok = q.run(insert('innocent'));
    const orphan = q.run(() => db.prepare('INSERT INTO children (parent_id) VALUES (99)').run());
    const results = await Promise.allSettled([ok, orphan]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(bodiesSeenBy(reader)).toEqual([]);
    expect(published).toEqual([]);
    expect(q.stats.commits).toBe(0);
    // The queue still works afterwards.
    await q.run(insert('later'));
    expect(bodiesSeenBy(reader)).toEqual(['later']);
  });

  it('fails only the write that filled the disk, and commits its neighbours in a later group', async () => {
    // SQLITE_FULL rolls back the whole transaction, not just the savepoint: the writes after it
    // must not be committed outside the group, nor reported as failed when they were written.
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages + 3}`);
    const published: string[] = [];
    const q = new WriteQueue<string>(db, (effects) => published.push(...effects));
    const results = await Promise.allSettled([q.run(insert('before')), q.run(insert('x'.repeat(200_000))), q.run(insert('after'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/full/);
    expect(bodiesSeenBy(reader)).toEqual(['before', 'after']);
    expect(published).toEqual(['added before', 'added after']);
  });

  it('commits at once on flush, without waiting for the next tick', async () => {
    const q = new WriteQueue<string>(db, () => {});
    const p = q.run(insert('now'));
    q.flush();
    expect(bodiesSeenBy(reader)).toEqual(['now']);
    await p;
    expect(q.stats.commits).toBe(1);
  });

  it('commits what is queued on close, then refuses further writes', async () => {
    const q = new WriteQueue<string>(db, () => {});
    const queued = q.run(insert('last'));
    q.close();
    await expect(queued).resolves.toBe(1);
    expect(bodiesSeenBy(reader)).toEqual(['last']);
    await expect(q.run(insert('too late'))).rejects.toThrow(/shutting down/);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A log that keeps its lines. */
function memoryLog() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, log: { warn: at('warn'), error: at('error'), info: at('info') } };
}

describe('a write lock held by another connection', () => {
  let other: Database.Database;
  beforeEach(() => {
    // The server's connection waits only briefly itself; the queue waits on timers.
    db.pragma('busy_timeout = 20');
    other = new Database(file);
    opened.unshift(other);
    other.exec('BEGIN IMMEDIATE');
  });

  it('keeps the writes queued while the lock is held, with the event loop free, and commits them once it is released', async () => {
    const q = new WriteQueue<string>(db, () => {}, undefined, { lockWaitMs: 5_000 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const writes = Promise.all([q.run(insert('a')), q.run(insert('b'))]);
    await sleep(300);
    const late = q.run(insert('c')); // joins the waiting group
    await sleep(100);
    expect(bodiesSeenBy(reader)).toEqual([]);
    other.exec('COMMIT');
    expect(await writes).toEqual([1, 2]);
    expect(await late).toBe(3);
    clearInterval(ticker);
    // 400 ms locked: a 10 ms timer ran all along (a synchronous busy wait would have stopped it).
    expect(ticks).toBeGreaterThan(15);
    expect(bodiesSeenBy(reader)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a write that waited lockWaitMs with 503 error.db_busy, and writes nothing of it', async () => {
    const q = new WriteQueue<string>(db, () => {}, undefined, { lockWaitMs: 200 });
    const started = Date.now();
    const results = await Promise.allSettled([q.run(insert('a')), q.run(insert('b'))]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason;
      expect(e).toBeInstanceOf(StorageError);
      expect({ status: e.status, code: e.code, retryAfter: e.extra.retryAfter }).toEqual({ status: 503, code: 'error.db_busy', retryAfter: 2 });
    }
    other.exec('COMMIT');
    await sleep(300);
    expect(bodiesSeenBy(reader)).toEqual([]);
    // Nothing was left queued behind the callers' backs; the queue works once the lock is free.
    await q.run(insert('after'));
    expect(bodiesSeenBy(reader)).toEqual(['after']);
  });

  it('refuses writes still waiting for the lock when it closes, writing none of them', async () => {
    const q = new WriteQueue<string>(db, () => {}, undefined, { lockWaitMs: 5_000 });
    const waiting = q.run(insert('a'));
    await sleep(50);
    q.close();
    await expect(waiting).rejects.toBeInstanceOf(QueueClosedError);
    other.exec('COMMIT');
    expect(bodiesSeenBy(reader)).toEqual([]);
  });

  it('tells the health the lock is taken, once, and that writes succeed again after it is released', async () => {
    const { lines, log } = memoryLog();
    const health = new StorageHealth(log, { settleMs: 50 });
    const q = new WriteQueue<string>(db, () => {}, undefined, { lockWaitMs: 5_000, health });
    const write = q.run(insert('a'));
    await sleep(200);
    expect(health.state.storage).toBe('busy');
    other.exec('COMMIT');
    await write;
    await sleep(100);
    expect(health.state).toEqual({ storage: 'ok', since: null });
    expect(lines.map((l) => `${l.level} ${(l.obj as { storage?: string }).storage}`)).toEqual(['warn busy', 'info busy']);
    health.close();
  });
});

describe('a full database', () => {
  it('refuses every write that needs room with 503 error.storage_full and commits none of them, without re-running the group for ever', async () => {
    const { lines, log } = memoryLog();
    const health = new StorageHealth(log, { settleMs: 50 });
    const q = new WriteQueue<string>(db, () => {}, undefined, { health });
    await q.run(insert('fits'));
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => q.run(insert(`${i}`.repeat(20_000)))));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason;
      expect(e).toBeInstanceOf(StorageError);
      expect({ status: e.status, code: e.code, retryAfter: e.extra.retryAfter }).toEqual({ status: 503, code: 'error.storage_full', retryAfter: 30 });
    }
    expect(bodiesSeenBy(reader)).toEqual(['fits']);
    expect(q.stats.commits).toBe(1);
    expect(health.state.storage).toBe('full');
    // Twenty refusals, one line.
    expect(lines.map((l) => l.level)).toEqual(['error']);
    db.pragma('max_page_count = 1073741823');
    await q.run(insert('room again'));
    await sleep(100);
    expect(health.state.storage).toBe('ok');
    expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
    health.close();
  });
});

describe('storage health', () => {
  it('ends an episode only once a write committed and no fault came for a while', async () => {
    const { lines, log } = memoryLog();
    let t = 1_000;
    const health = new StorageHealth(log, { now: () => t, settleMs: 3_000 });
    health.fault('full');
    health.committed(); // a small write fit in a free page
    t += 1_000;
    health.fault('full'); // the next big one did not
    health.committed();
    t += 2_000;
    expect(health.state).toEqual({ storage: 'full', since: 1_000 });
    t += 1_000;
    expect(health.state).toEqual({ storage: 'ok', since: null });
    expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
    expect(lines[1]!.obj).toEqual({ storage: 'full', ms: 4_000 });
    health.close();
  });

  it('stays in its state while no write has committed since the fault', () => {
    const { log } = memoryLog();
    let t = 0;
    const health = new StorageHealth(log, { now: () => t, settleMs: 10 });
    health.fault('busy');
    t += 60_000;
    expect(health.state.storage).toBe('busy');
    health.close();
  });
});

describe('opening the database', () => {
  const pragmas = (conn: Db) => ({
    journal: String(conn.pragma('journal_mode', { simple: true })).toLowerCase(),
    synchronous: Number(conn.pragma('synchronous', { simple: true })),
    foreignKeys: Number(conn.pragma('foreign_keys', { simple: true })),
  });

  it('runs in WAL mode with synchronous=FULL', () => {
    expect(pragmas(db)).toEqual({ journal: 'wal', synchronous: 2, foreignKeys: 1 });
  });

  it('sets synchronous=FULL again on reopen, where SQLite would silently use NORMAL', () => {
    opened.splice(opened.indexOf(db), 1);
    db.close();
    const plain = new Database(file);
    expect(Number(plain.pragma('synchronous', { simple: true }))).not.toBe(2);
    plain.close();
    const again = openDatabase(file);
    opened.push(again);
    expect(pragmas(again)).toEqual({ journal: 'wal', synchronous: 2, foreignKeys: 1 });
  });

  it('creates the data folder, applies the migrations and keeps its id across reopen', () => {
    expect(fs.existsSync(file)).toBe(true);
    expect(schemaVersion(db)).toBeGreaterThan(0);
    const id = databaseId(db);
    const version = schemaVersion(db);
    opened.splice(opened.indexOf(db), 1);
    db.close();
    const again = openDatabase(file);
    opened.push(again);
    expect(databaseId(again)).toBe(id);
    expect(schemaVersion(again)).toBe(version);
  });

  it('gives a new database a new id', () => {
    const other = openDatabase(path.join(dir, 'other.db'));
    opened.push(other);
    expect(databaseId(other)).not.toBe(databaseId(db));
  });
});
