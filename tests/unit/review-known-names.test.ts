/**
 * Review findings on the names a community knows (server/privacy/schema.ts,
 * server/privacy/known-names.ts): plain SQL, as `npm run admin`, an import or the accounts
 * service (which writes outside the write queue) would.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db } from '../../server/db/index.ts';
import { migrate } from '../../server/database.ts';
import { KnownNames } from '../../server/privacy/known-names.ts';

let db: Db | null = null;
afterEach(() => db?.close());

function database(): Db {
  const d = new Database(':memory:');
  migrate(d);
  d.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('db_id', 'test')").run();
  d.prepare("INSERT INTO communities (id, name_zh, name_en, time_zone, center_lng, center_lat, created_at) VALUES ('c1', '桂花社区', 'Guihua', 'Asia/Shanghai', 120, 30, 0)").run();
  return d;
}

describe('the names a community knows, reviewed', () => {
  it('include a donor whose record is corrected from an enterprise to a person', () => {
    db = database();
    db.prepare(`INSERT INTO donations (community_id, receipt_no, donor_kind, donor_name, anonymous, kind, amount_cents, value_cents, received_at, recorded_at, recorded_by)
                VALUES ('c1', 'R1', 'enterprise', '黄蓉', 0, 'money', 100, 100, 0, 0, 'admin')`).run();
    db.prepare("UPDATE donations SET donor_kind = 'person' WHERE receipt_no = 'R1'").run();
    expect(new KnownNames(db).current('c1').apply('黄蓉送来慰问金')).toBe('黄*送来慰问金');
  });

  it('include a staff account created in the same turn of the event loop as an earlier projection', () => {
    db = database();
    const names = new KnownNames(db);
    expect(names.current('c1').apply('赵敏到场')).toBe('赵敏到场'); // not yet a person here
    // The accounts service writes users in its own transaction, outside the write queue, so
    // nothing calls refresh() after it; a snapshot answered in the same tick reads the old masker.
    db.prepare(`INSERT INTO users (community_id, username, display_name, role, password_hash, created_at, updated_at, password_changed_at)
                VALUES ('c1', 'zhao', '赵敏', 'dispatcher', 'x', 0, 0, 0)`).run();
    // The next projection pass (a batch, a snapshot) begins by catching up.
    expect(names.current('c1').apply('赵敏到场')).toBe('赵*到场');
  });
});
