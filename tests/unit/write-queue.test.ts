import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { databaseId, openDatabase, schemaVersion } from '../../server/db/index.ts';
import type { Db } from '../../server/db/index.ts';
import { WriteQueue } from '../../server/db/write-queue.ts';
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
