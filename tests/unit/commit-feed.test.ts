/**
 * The feed of committed changes (server/feed.ts), through a real write queue on a real SQLite
 * file: what committed reaches every subscriber once, in journal order, split by kind; a write
 * that rolled back reaches none; a subscriber that throws does not keep the commit from the
 * others (a wall would otherwise stop hearing of changes because a read model failed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db } from '../../server/db/index.ts';
import { openDatabase } from '../../server/database.ts';
import { WriteQueue } from '../../server/db/write-queue.ts';
import { JournalWriter, type SubjectChange } from '../../server/kernel/journal.ts';
import { CommitFeed, type Committed, type Effect } from '../../server/feed.ts';
import { systemPrincipal } from '../../server/principal.ts';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feed-'));
  db = openDatabase(path.join(dir, 'cerebellum.db'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function setup(errors: string[] = []) {
  const feed = new CommitFeed((_err, subscriber) => errors.push(subscriber));
  const queue = new WriteQueue<Effect>(db, (effects) => feed.deliver(effects));
  const journal = new JournalWriter(db);
  const p = systemPrincipal('guihua');
  const write = (n: number, fail = false) => queue.run((ctx) => {
    journal.write(ctx as never, p, 1_000 + n, { subject: 'volunteer', type: 'volunteer.registered', entity: 'volunteer', entityId: n });
    if (fail) throw new Error('refused');
    return n;
  });
  return { feed, queue, write };
}

describe('the feed of committed changes', () => {
  it('hands every subscriber each commit once, in journal order, and nothing of a write that rolled back', async () => {
    const { feed, write } = setup();
    const first: number[] = [];
    const second: number[] = [];
    const order: string[] = [];
    feed.subscribe('first', (c: Committed) => { order.push('first'); first.push(...c.subjects.map((s) => s.seq)); });
    feed.subscribe('second', (c: Committed) => { order.push('second'); second.push(...c.subjects.map((s) => s.seq)); });
    const results = await Promise.allSettled([write(1), write(2, true), write(3), write(4)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const seqs = (db.prepare('SELECT seq FROM journal ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
    expect(seqs).toHaveLength(3);
    expect(first).toEqual(seqs);
    expect(second).toEqual(seqs);
    expect(order).toEqual(['first', 'second']);
  });

  it('still hands the commit to the others when one subscriber throws, and says which one', async () => {
    const errors: string[] = [];
    const { feed, write } = setup(errors);
    const got: SubjectChange[] = [];
    feed.subscribe('broken read model', () => { throw new Error('boom'); });
    feed.subscribe('broadcaster', (c) => got.push(...c.subjects));
    await write(1);
    expect(got).toHaveLength(1);
    expect(errors).toEqual(['broken read model']);
  });
});
