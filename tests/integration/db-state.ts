/**
 * What the database says, read straight from the SQLite file of a test server: the yardstick
 * every integration test holds the API and the live clients against.
 */
import { expect } from 'vitest';
import type { Cerebellum } from '../../server/app.ts';
import { isOpen, type Status } from '../../shared/lifecycle.ts';
import type { LiveClient } from '../../shared/live-client.ts';

export const COMMUNITY = 'guihua';

const count = (app: Cerebellum, sql: string, ...args: unknown[]) => (app.db.prepare(sql).get(...args) as { n: number }).n;

/** Rows in the tables a write touches. */
export function rowCounts(app: Cerebellum) {
  return {
    events: count(app, 'select count(*) n from events'),
    history: count(app, 'select count(*) n from event_history'),
    journal: count(app, 'select count(*) n from journal'),
  };
}

export function journalHead(app: Cerebellum): number {
  return app.journal.head();
}

/** The journal's seqs after `since`, oldest first. */
export function journalSeqsAfter(app: Cerebellum, since: number): number[] {
  return (app.db.prepare('select seq from journal where community_id = ? and seq > ? order by seq').all(COMMUNITY, since) as { seq: number }[])
    .map((r) => r.seq);
}

/** The newest `n` journal seqs, newest first. */
export function latestSeqs(app: Cerebellum, n: number): number[] {
  return (app.db.prepare('select seq from journal where community_id = ? order by seq desc limit ?').all(COMMUNITY, n) as { seq: number }[])
    .map((r) => r.seq);
}

/** Every event's version by id. */
export function versions(app: Cerebellum): Map<number, number> {
  const rows = app.db.prepare('select id, version from events').all() as { id: number; version: number }[];
  return new Map(rows.map((r) => [r.id, r.version]));
}

/** Open events (id → version), as the database has them. */
export function openEvents(app: Cerebellum): Map<number, number> {
  const rows = app.db.prepare('select id, version, status from events where community_id = ?').all(COMMUNITY) as {
    id: number; version: number; status: Status;
  }[];
  return new Map(rows.filter((r) => isOpen(r.status)).map((r) => [r.id, r.version]));
}

export function historyOf(app: Cerebellum, eventId: number): { action: string }[] {
  return app.db.prepare('select action from event_history where event_id = ? order by id').all(eventId) as { action: string }[];
}

/** The client holds exactly what the database holds: same open events at the same versions, same seq. */
export function isConverged(client: LiveClient, app: Cerebellum): boolean {
  const s = client.state;
  if (s.seq !== journalHead(app)) return false;
  const db = openEvents(app);
  const mine = [...s.events.values()].filter((e) => isOpen(e.status));
  if (mine.length !== db.size) return false;
  return mine.every((e) => db.get(e.id) === e.version);
}

/** Assert convergence field by field, so a failure says what differs. */
export function expectConverged(client: LiveClient, app: Cerebellum) {
  const s = client.state;
  expect(s.seq).toBe(journalHead(app));
  const mine = new Map([...s.events.values()].filter((e) => isOpen(e.status)).map((e) => [e.id, e.version]));
  expect(mine).toEqual(openEvents(app));
  const all = versions(app);
  for (const e of s.events.values()) expect(e.version, `event ${e.id}`).toBe(all.get(e.id));
  const seqs = s.stream.map((e) => e.seq);
  expect(new Set(seqs).size, 'no journal entry shown twice').toBe(seqs.length);
  expect(seqs, 'the stream is the journal, newest first').toEqual(latestSeqs(app, seqs.length));
}
