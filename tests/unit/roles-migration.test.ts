/**
 * Migration 15 rebuilds the users table for two more roles (SQLite cannot change a CHECK in
 * place). A database from before keeps every account with its id, its sessions still point at
 * it, foreign keys are enforced afterwards as before, and a new name still reaches the known
 * names the wall masks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations, schemaVersion } from '../../server/db/index.ts';
import { MIGRATIONS, migrate } from '../../server/database.ts';

let dir: string;
let db: Database.Database;

const addUser = (username: string, role: string, name = '李四') =>
  db.prepare(`INSERT INTO users (community_id, username, display_name, role, grids, password_hash, created_at, updated_at, password_changed_at)
              VALUES ('c1', ?, ?, ?, '[]', 'x', 1, 1, 1)`).run(username, name, role);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-mig15-'));
  db = new Database(path.join(dir, 'old.db'));
  db.pragma('foreign_keys = ON');
  applyMigrations(db, MIGRATIONS.filter((m) => m.version <= 14));
  db.prepare("INSERT INTO communities (id, name_zh, name_en, time_zone, center_lng, center_lat, created_at) VALUES ('c1', '社区', 'Community', 'Asia/Shanghai', 120, 30, 0)").run();
  addUser('wang', 'dispatcher', '王芳');
  db.prepare("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('h1', 1, 't', 1, 1, 9)").run();
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migration 15', () => {
  it('keeps every account and session, and lets a charity bookkeeper and a volunteer in', () => {
    expect(() => addUser('cash', 'charity_keeper')).toThrow(/CHECK/);
    migrate(db);
    expect(schemaVersion(db)).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    expect(db.prepare('SELECT id, username, role FROM users').all()).toEqual([{ id: 1, username: 'wang', role: 'dispatcher' }]);
    expect(db.prepare('SELECT user_id FROM sessions').all()).toEqual([{ user_id: 1 }]);
    expect(() => addUser('cash', 'charity_keeper')).not.toThrow();
    expect(() => addUser('vol', 'volunteer')).not.toThrow();
    expect(() => addUser('boss', 'mayor')).toThrow(/CHECK/);
  });

  it('still refuses a session for nobody, and still learns a new person\'s name for the wall to mask', () => {
    migrate(db);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() => db.prepare("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('h2', 99, 't', 1, 1, 9)").run())
      .toThrow(/FOREIGN KEY/);
    addUser('ouyang', 'coordinator', '欧阳娜娜');
    expect(db.prepare("SELECT COUNT(*) AS n FROM known_names WHERE name = '欧阳娜娜'").get()).toEqual({ n: 1 });
  });
});
