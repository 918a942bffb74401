/**
 * `npm run restore -- <backup file>`: put a backup in place of the database. Stop the server
 * first. The current database is kept beside it as `cerebellum.db.before-restore-<time>`, and
 * the restored one gets a new database id, so every display takes a fresh snapshot instead of
 * replaying seqs that now mean something else.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from './config.ts';
import { assignNewDatabaseId } from './db/index.ts';
import { openDatabase } from './database.ts';

const [source] = process.argv.slice(2);
try {
  if (!source) throw new ConfigError('Usage: npm run restore -- <backup file>');
  const config = loadConfig(process.env, []);
  const from = path.resolve(source);
  if (!fs.existsSync(from)) throw new ConfigError(`No backup at ${from}.`);
  const check = new Database(from, { readonly: true });
  const ok = check.pragma('quick_check', { simple: true });
  const hasMeta = check.prepare("SELECT 1 FROM sqlite_master WHERE name = 'meta'").get();
  check.close();
  if (ok !== 'ok' || !hasMeta) throw new ConfigError(`${from} is not a Cerebellum database (quick_check: ${String(ok)}).`);
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
  if (fs.existsSync(config.dbFile)) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    // Checkpoint the WAL into the file so the kept copy is complete.
    const live = new Database(config.dbFile);
    live.pragma('wal_checkpoint(TRUNCATE)');
    live.close();
    fs.renameSync(config.dbFile, `${config.dbFile}.before-restore-${stamp}`);
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(config.dbFile + suffix, { force: true });
  fs.copyFileSync(from, config.dbFile);
  const db = openDatabase(config.dbFile);
  const id = assignNewDatabaseId(db);
  db.close();
  console.log(`Restored ${from} to ${config.dbFile} (database id ${id}). Start the server.`);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
