/**
 * Migration 2 rebuilds the journal so it can name subjects other than grid events. A database
 * from before keeps every entry, and a seq is never handed out twice, even one whose entry was
 * deleted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { schemaVersion } from '../../server/db/index.ts';
import { migrate } from '../../server/database.ts';
import { MIGRATIONS } from '../../server/database.ts';

let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-mig-'));
  db = new Database(path.join(dir, 'old.db'));
  // A database as version 1 left it.
  db.exec(MIGRATIONS.find((m) => m.version === 1)!.sql);
  db.pragma('user_version = 1');
  db.prepare("INSERT INTO meta (key, value) VALUES ('db_id', 'old')").run();
  db.prepare("INSERT INTO communities VALUES ('c1', '社区', 'Community', 'Asia/Shanghai', 120, 30, 0)").run();
  const j = db.prepare("INSERT INTO journal (at, community_id, type, event_id, action, from_status) VALUES (?, 'c1', ?, ?, ?, ?)");
  for (let i = 1; i <= 5; i++) j.run(i * 1000, i === 1 ? 'event.reported' : 'event.transitioned', i, i === 1 ? null : 'accept', i === 1 ? null : 'reported');
  db.prepare('DELETE FROM journal WHERE seq >= 4').run();
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migration 2', () => {
  it('keeps every journal entry as it was', () => {
    const before = db.prepare('SELECT seq, at, community_id, type, event_id, action, from_status FROM journal ORDER BY seq').all();
    migrate(db);
    expect(schemaVersion(db)).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    expect(db.prepare('SELECT seq, at, community_id, type, event_id, action, from_status FROM journal ORDER BY seq').all()).toEqual(before);
    expect(db.prepare('SELECT COUNT(*) AS n FROM journal WHERE entity IS NOT NULL').get()).toEqual({ n: 0 });
  });

  it('never hands out a seq twice, even one whose entry was deleted', () => {
    migrate(db);
    const r = db.prepare("INSERT INTO journal (at, community_id, type, entity, entity_id) VALUES (9000, 'c1', 'volunteer.registered', 'volunteer', 1)").run();
    expect(Number(r.lastInsertRowid)).toBe(6);
  });

  it('makes an entry name either a grid event or another entity, never both or neither', () => {
    migrate(db);
    const insert = (eventId: number | null, entity: string | null) =>
      db.prepare("INSERT INTO journal (at, community_id, type, event_id, entity, entity_id) VALUES (1, 'c1', 't', ?, ?, 1)").run(eventId, entity);
    expect(() => insert(7, null)).not.toThrow();
    expect(() => insert(null, 'volunteer')).not.toThrow();
    expect(() => insert(7, 'volunteer')).toThrow(/CHECK/);
    expect(() => insert(null, null)).toThrow(/CHECK/);
  });

  it('keeps the journal indexes replay and retention use', () => {
    migrate(db);
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'journal'").all() as { name: string }[])
      .map((r) => r.name).sort();
    expect(names).toEqual(['journal_at', 'journal_community', 'journal_entity']);
  });
});
