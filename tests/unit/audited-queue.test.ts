/**
 * The audit line shared by one actor's writes in one commit group (server/auth/audit.ts): it
 * names exactly the writes that committed, whatever their neighbours did.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../server/db/index.ts';
import { openDatabase } from '../../server/database.ts';
import { Audit, AuditedQueue, idRuns, routeAudit } from '../../server/auth/audit.ts';
import type { WriteContext } from '../../server/db/write-queue.ts';
import type { Principal } from '../../server/principal.ts';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-aq-'));
  db = openDatabase(path.join(dir, 'cerebellum.db'));
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const key: Principal = {
  id: 'api_key:7', role: 'integration', communityId: 'guihua',
  request: { ip: '10.0.0.7', describe: () => routeAudit('POST', '/notes', {}) },
};

function note(body: string) {
  return (ctx: WriteContext<string>) => {
    const id = Number(db.prepare('INSERT INTO notes (body) VALUES (?)').run(body).lastInsertRowid);
    ctx.emit(body);
    return { id };
  };
}

function queue() {
  const q = new AuditedQueue<string>(db, () => {});
  q.useAudit(new Audit(db, Date.now));
  return q;
}

const lines = () => (db.prepare('SELECT actor_id, action, target_id, detail FROM audit_log ORDER BY id').all() as
  { actor_id: string; action: string; target_id: string | null; detail: string | null }[])
  .map((l) => ({ ...l, detail: l.detail ? JSON.parse(l.detail) : null }));

describe('the shared audit line', () => {
  it('names the writes of one group that committed, not the one that rolled back', async () => {
    const q = queue();
    const r = await Promise.allSettled([
      q.runAs(key, note('a')),
      q.runAs(key, (ctx) => (note('b')(ctx), (() => { throw new Error('no'); })())),
      q.runAs(key, note('c')),
    ]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const ids = r.flatMap((x) => (x.status === 'fulfilled' ? [String(x.value.id)] : []));
    expect(lines()).toEqual([{ actor_id: 'api_key:7', action: 'notes.create', target_id: null, detail: { count: 2, ids: idRuns(ids) } }]);
  });

  it('leaves nothing of a group the disk refused, and one true line when its writes go round again', async () => {
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages + 3}`);
    const q = queue();
    const r = await Promise.allSettled([q.runAs(key, note('before')), q.runAs(key, note('x'.repeat(200_000))), q.runAs(key, note('after'))]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const ids = (db.prepare('SELECT id FROM notes ORDER BY id').pluck().all() as number[]).map(String);
    expect(ids).toHaveLength(2);
    expect(lines()).toEqual([{ actor_id: 'api_key:7', action: 'notes.create', target_id: null, detail: { count: 2, ids: idRuns(ids) } }]);
  });

  it('logs a bulk write (run bare) in the shared line, and leaves no line or row of one that failed half-way', async () => {
    const q = queue();
    let runs = 0;
    const bulk = (bodies: string[], fail = false) => (ctx: WriteContext<string>) => {
      const ids = bodies.map((b) => note(b)(ctx).id);
      if (fail) throw new Error('a bug after the rows');
      return { ids };
    };
    const r = await Promise.allSettled([
      q.runAs(key, (ctx) => (runs++, note('a')(ctx))),
      q.runAs(key, bulk(['x1', 'x2'], true), { bare: true }),
      q.runAs(key, bulk(['b1', 'b2']), { bare: true }),
    ]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The failed bare write took its group down with it: its neighbours went round again.
    expect(runs).toBe(2);
    expect(db.prepare('SELECT body FROM notes ORDER BY id').pluck().all()).toEqual(['a', 'b1', 'b2']);
    const ids = (db.prepare('SELECT id FROM notes ORDER BY id').pluck().all() as number[]).map(String);
    expect(lines()).toEqual([{ actor_id: 'api_key:7', action: 'notes.create', target_id: null, detail: { count: 3, ids: idRuns(ids) } }]);
  });

  it('keeps one line per write for a lone write and for writes naming their target in the path', async () => {
    const q = queue();
    await q.runAs(key, note('alone'));
    const dispatch: Principal = { ...key, request: { ip: null, describe: () => routeAudit('POST', '/notes/:id/:action', { id: '1', action: 'pin' }) } };
    await Promise.all([q.runAs(dispatch, note('p1')), q.runAs(dispatch, note('p2'))]);
    expect(lines().map((l) => [l.action, l.target_id, l.detail])).toEqual([
      ['notes.create', '1', null], ['notes.pin', '1', null], ['notes.pin', '1', null],
    ]);
  });
});

describe('idRuns', () => {
  it('writes ids that follow each other as one run', () => {
    expect(idRuns(['101', '102', '103', '105', 'x', '7', '8'])).toEqual(['101-103', '105', 'x', '7-8']);
    expect(idRuns([])).toEqual([]);
  });
});
