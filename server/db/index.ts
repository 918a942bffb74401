/**
 * Opening the SQLite database: WAL with synchronous=FULL, set on every open and checked,
 * because a reopened WAL database silently runs at NORMAL unless told, and NORMAL can lose
 * acknowledged writes on power loss.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** One step of the schema: applied once, in its own transaction, in version order. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The migration rebuilds a table others reference (SQLite cannot change a CHECK in place):
   * foreign keys are off while it runs and checked whole before it commits, SQLite's own
   * procedure (https://www.sqlite.org/lang_altertable.html#otheralter).
   */
  rebuildsTables?: boolean;
}

export interface OpenOptions {
  /**
   * How long a statement waits, synchronously, for a lock another connection holds, once the
   * migrations have run (they wait 5 s). The server gives a short one: its write queue waits for
   * a lock on timers instead (server/db/write-queue.ts). Command-line tools keep 5 s.
   */
  busyTimeoutMs?: number;
}

/**
 * Open (creating if need be) a SQLite file, make it durable and bring its schema up to
 * `migrations`. Cerebellum's own schema is server/database.ts's `openDatabase`.
 */
export function openSqlite(file: string, migrations: readonly Migration[], opts: OpenOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Keep the WAL from growing without bound between checkpoints.
  db.pragma('journal_size_limit = 67108864');
  assertDurable(db, file);
  applyMigrations(db, migrations);
  if (opts.busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs))}`);
  return db;
}

function assertDurable(db: Db, file: string) {
  const mode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
  const sync = Number(db.pragma('synchronous', { simple: true }));
  if (file !== ':memory:' && mode !== 'wal') throw new Error(`SQLite journal_mode is ${mode}, expected wal`);
  // 2 = FULL
  if (sync !== 2) throw new Error(`SQLite synchronous is ${sync}, expected 2 (FULL)`);
}

export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Apply every migration newer than the database's `user_version`, each in its own transaction. */
export function applyMigrations(db: Db, migrations: readonly Migration[]) {
  const current = schemaVersion(db);
  for (const m of migrations) {
    if (m.version <= current) continue;
    if (m.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (m.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length) throw new Error(`migration ${m.version} broke ${broken.length} foreign keys`);
        }
        db.pragma(`user_version = ${m.version}`);
        if (m.version === 1) {
          db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('db_id', randomUUID());
        }
      })();
    } finally {
      if (m.rebuildsTables) db.pragma('foreign_keys = ON');
    }
  }
}

/** A random id fixed when the database was created: a restored or replaced file has another. */
export function databaseId(db: Db): string {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'db_id'").get() as { value: string } | undefined;
  if (!row) throw new Error('database has no db_id');
  return row.value;
}

/**
 * Give a database a new identity. A backup gets one, and so does a restored file: its seqs
 * and event ids will be reused by new writes, and displays must not take them for the ones
 * they saw before (they compare ids, then take a snapshot).
 */
export function assignNewDatabaseId(db: Db): string {
  const id = randomUUID();
  db.prepare("INSERT INTO meta (key, value) VALUES ('db_id', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(id);
  return id;
}
