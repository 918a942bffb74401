/**
 * `npm run backup [-- <file>]`: an online backup of the database while the server runs
 * (SQLite's backup API: a consistent copy, WAL included). Default file:
 * `$DATA_DIR/backups/cerebellum-<time>.db`. The copy gets its own database id, so displays
 * that saw the live database never mistake a restored copy for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from './config.ts';
import { assignNewDatabaseId } from './db/index.ts';

const args = process.argv.slice(2);
try {
  const config = loadConfig(process.env, []);
  if (!fs.existsSync(config.dbFile)) throw new ConfigError(`No database at ${config.dbFile} (set DATA_DIR).`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = path.resolve(args[0] ?? path.join(config.DATA_DIR, 'backups', `cerebellum-${stamp}.db`));
  if (fs.existsSync(target)) throw new ConfigError(`${target} exists already; choose another file.`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const db = new Database(config.dbFile, { readonly: true });
  await db.backup(target);
  db.close();
  const copy = new Database(target);
  copy.pragma('journal_mode = DELETE');
  assignNewDatabaseId(copy);
  copy.close();
  console.log(`Backed up ${config.dbFile} to ${target}`);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
