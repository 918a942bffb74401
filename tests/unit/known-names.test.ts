/**
 * The names a community knows: a real SQLite database, migrated from before the table existed, and
 * the triggers that keep it current whoever writes (here: plain SQL, as `npm run admin` or an
 * import would).
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../server/database.ts';
import { type Db } from '../../server/db/index.ts';
import { migrate } from '../../server/database.ts';
import { KnownNames } from '../../server/privacy/known-names.ts';

let db: Db | null = null;
afterEach(() => db?.close());

/** A database at schema `version`, with one community. */
function databaseAt(version: number): Db {
  const d = new Database(':memory:');
  for (const m of MIGRATIONS.filter((x) => x.version <= version)) {
    d.exec(m.sql);
    d.pragma(`user_version = ${m.version}`);
  }
  d.prepare("INSERT INTO meta (key, value) VALUES ('db_id', 'test')").run();
  d.prepare("INSERT INTO communities (id, name_zh, name_en, time_zone, center_lng, center_lat, created_at) VALUES ('c1', '桂花社区', 'Guihua', 'Asia/Shanghai', 120, 30, 0)").run();
  d.prepare("INSERT INTO communities (id, name_zh, name_en, time_zone, center_lng, center_lat, created_at) VALUES ('c2', '金秋社区', 'Jinqiu', 'Asia/Shanghai', 120, 30, 0)").run();
  return d;
}

const addWorker = (d: Db, id: string, name: string, community = 'c1') =>
  d.prepare('INSERT INTO workers (id, community_id, name) VALUES (?, ?, ?)').run(id, community, name);

describe('the names a community knows', () => {
  it('are read from the tables that already hold people when the database is upgraded', () => {
    db = databaseAt(6);
    addWorker(db, 'w1', '王丽萍');
    db.prepare(`INSERT INTO users (community_id, username, display_name, role, password_hash, created_at, updated_at, password_changed_at)
                VALUES ('c1', 'zhao', '赵敏', 'dispatcher', 'x', 0, 0, 0)`).run();
    migrate(db);
    const names = new KnownNames(db);
    expect(names.current('c1').apply('王丽萍和赵敏到场')).toBe('王**和赵*到场');
  });

  it('learn a person written by anyone, keep an old name after a rename, and stay within their community', () => {
    db = databaseAt(7);
    const names = new KnownNames(db);
    expect(names.current('c1').apply('沈丹到场')).toBe('沈丹到场');
    const before = names.generation('c1');
    addWorker(db, 'w2', '沈丹');
    names.refresh();
    expect(names.masker('c1').apply('沈丹到场')).toBe('沈*到场');
    expect(names.generation('c1')).toBeGreaterThan(before);
    db.prepare("UPDATE workers SET name = '沈丹丹' WHERE id = 'w2'").run();
    names.refresh();
    expect(names.masker('c1').apply('沈丹和沈丹丹')).toBe('沈*和沈**');
    // Another community's people are not this one's.
    addWorker(db, 'w3', '钱多多', 'c2');
    names.refresh();
    expect(names.masker('c1').apply('钱多多')).toBe('钱多多');
    expect(names.masker('c2').apply('钱多多')).toBe('钱**');
  });

  it('learn a name once, however often it is written', () => {
    db = databaseAt(7);
    for (let i = 0; i < 3; i++) addWorker(db, `w${i}`, '王丽萍');
    const count = () => (db!.prepare("SELECT COUNT(*) AS n FROM known_names WHERE name = '王丽萍'").get() as { n: number }).n;
    expect(count()).toBe(1);
    // INSERT OR REPLACE fires the trigger under its own conflict policy: still one row.
    db.prepare("INSERT OR REPLACE INTO workers (id, community_id, name) VALUES ('w0', 'c1', '王丽萍')").run();
    expect(count()).toBe(1);
  });
});
