/**
 * Migration 22 rebuilds the projects table so venture philanthropy (公益创投) can fund a project.
 * A database from before keeps every project with its id, what points at it still does, and
 * foreign keys are enforced afterwards as before.
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

const addProject = (code: string, funding: string) =>
  db.prepare(`INSERT INTO projects (community_id, code, name, category, org_id, funding, budget_cents, starts_on, ends_on, status, created_by, created_at, updated_at)
              VALUES ('c1', ?, '助老餐桌', 'daily_care', 1, ?, 100000, '2026-01-01', '2026-12-31', 'active', 'system', 0, 0)`).run(code, funding);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-mig22-'));
  db = new Database(path.join(dir, 'old.db'));
  db.pragma('foreign_keys = ON');
  applyMigrations(db, MIGRATIONS.filter((m) => m.version <= 21));
  db.prepare("INSERT INTO communities (id, name_zh, name_en, time_zone, center_lng, center_lat, created_at) VALUES ('c1', '社区', 'Community', 'Asia/Shanghai', 120, 30, 0)").run();
  db.prepare(`INSERT INTO organizations (id, community_id, name, kind, contact_name, contact_phone, status, registered_at, updated_at)
              VALUES (1, 'c1', '桂花社工站', 'social_org', '李', '13800000000', 'active', 0, 0)`).run();
  addProject('XM-1', 'government');
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migration 22', () => {
  it('keeps every project and lets venture philanthropy fund one', () => {
    expect(() => addProject('XM-2', 'venture')).toThrow(/CHECK/);
    migrate(db);
    expect(schemaVersion(db)).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    expect(db.prepare('SELECT id, code, funding FROM projects').all()).toEqual([{ id: 1, code: 'XM-1', funding: 'government' }]);
    expect(() => addProject('XM-2', 'venture')).not.toThrow();
    expect(() => addProject('XM-3', 'lottery')).toThrow(/CHECK/);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() => db.prepare(`INSERT INTO projects (community_id, code, name, category, org_id, funding, budget_cents, starts_on, ends_on, status, created_by, created_at, updated_at)
      VALUES ('c1', 'XM-4', 'x', 'daily_care', 99, 'self', 0, '2026-01-01', '2026-01-02', 'active', 's', 0, 0)`).run()).toThrow(/FOREIGN KEY/);
  });
});
