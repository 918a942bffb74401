/**
 * Which events a display holds when a community has more open events than a display keeps
 * (a flood): a wall that started from a snapshot and a wall that followed every batch hold the
 * same set, every overdue (督办) event is in it however old, and both say they are partial.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, openLive, post, sampleReport, startServer, until, type TestServer } from '../support/server.ts';
import { DISPLAY_EVENT_LIMIT } from '../../shared/display-events.ts';
import { isOpen } from '../../shared/lifecycle.ts';

const HOUR = 3_600_000;
let clock = Date.parse('2026-03-10T09:00:00+08:00');
let ts: TestServer;
let api: string;

beforeAll(async () => {
  ts = await startServer({ now: () => clock, env: { TIMER_MS: '600000' } });
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

async function act(id: number, action: string, body: Record<string, unknown> = {}) {
  const r = await post(`${api}/events/${id}/${action}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** `n` reports at once through the bulk intake, as a hotline would send them. */
async function ingest(n: number, tag: string) {
  for (let from = 0; from < n; from += 1_000) {
    const events = Array.from({ length: Math.min(1_000, n - from) }, (_, i) => ({
      category: 'environment', title: `${tag}${from + i}`, gridId: `G0${1 + ((from + i) % 9)}`, source: 'hotline',
      externalId: `${tag}-${from + i}`,
    }));
    const r = await post(`${api}/events/ingest`, { events });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(201);
  }
}

describe('a community with more open events than a display holds', () => {
  it('gives a wall from a snapshot and a wall that followed the batches the same events, every overdue one among them', async () => {
    const follower = openLive(ts.url, { display: true });
    try {
      await until(() => !!follower.client.state.views, 'the first snapshot');
      // The oldest events of all: dispatched, then left to go overdue.
      const late: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await post(`${api}/events`, sampleReport({ title: `早已超期${i}` }));
        late.push(r.body.event.id);
        await act(r.body.event.id, 'accept');
        await act(r.body.event.id, 'dispatch', { assigneeId: 'W01' });
      }
      clock += 80 * HOUR;
      await ts.app.events.deadlines.check();
      // Then a flood, well over the bound, reported after them.
      clock += HOUR;
      await ingest(DISPLAY_EVENT_LIMIT + 400, 'flood');
      // Some old reports of the flood change late: the latest changed rank above newer reports.
      const page = (await get(`${api}/events?limit=5&status=reported`)).body.items as { id: number }[];
      clock += HOUR;
      for (const e of page) await act(e.id, 'accept');

      const head = ts.app.model.head;
      await until(() => follower.client.state.seq >= head, 'the follower to catch up', 30_000);
      const fresh = openLive(ts.url, { display: true });
      try {
        await until(() => fresh.client.state.seq >= head, 'a fresh snapshot', 30_000);
        const open = (ts.app.db.prepare("SELECT COUNT(*) AS n FROM events WHERE status NOT IN ('closed', 'rejected', 'reviewed')").get() as { n: number }).n;
        expect(open).toBeGreaterThan(DISPLAY_EVENT_LIMIT);
        const a = follower.client.state;
        const b = fresh.client.state;
        expect(a.views!.kpis.openNow).toBe(open);
        expect(a.events.size).toBe(DISPLAY_EVENT_LIMIT);
        expect([...a.events.keys()].sort((x, y) => x - y)).toEqual([...b.events.keys()].sort((x, y) => x - y));
        expect(a.partial && b.partial).toBe(true);
        // Every overdue event is held, though they are the oldest of all.
        const overdue = (ts.app.db.prepare('SELECT id FROM events WHERE overdue = 1').all() as { id: number }[]).map((r) => r.id);
        expect(overdue.sort()).toEqual([...late].sort());
        for (const id of overdue) {
          expect(a.events.get(id)?.overdue, `overdue ${id} on the follower`).toBe(true);
          expect(b.events.get(id)?.overdue, `overdue ${id} on the fresh wall`).toBe(true);
        }
        // The late changes are held; the oldest untouched reports of the flood are not.
        for (const e of page) expect(a.events.has(e.id)).toBe(true);
        expect([...a.events.values()].every((e) => isOpen(e.status))).toBe(true);
      } finally {
        fresh.close();
      }
    } finally {
      follower.close();
    }
  }, 120_000);

  it('says so no longer once the flood is worked down', async () => {
    const wall = openLive(ts.url, { display: true });
    try {
      await until(() => !!wall.client.state.views, 'a snapshot');
      expect(wall.client.state.partial).toBe(true);
      const ids = (ts.app.db.prepare("SELECT id FROM events WHERE status = 'reported' ORDER BY id LIMIT 500").all() as { id: number }[]).map((r) => r.id);
      for (const id of ids) await act(id, 'reject', { note: '重复上报' });
      await until(() => wall.client.state.seq >= ts.app.model.head, 'the rejections on the wall', 30_000);
      const open = (ts.app.db.prepare("SELECT COUNT(*) AS n FROM events WHERE status NOT IN ('closed', 'rejected', 'reviewed')").get() as { n: number }).n;
      expect(open).toBeLessThanOrEqual(DISPLAY_EVENT_LIMIT);
      // The events it had no room for come back (a fresh snapshot), and it is whole again.
      const heldOpen = () => [...wall.client.state.events.values()].filter((e) => isOpen(e.status)).length;
      await until(() => heldOpen() === open, 'every open event on the wall', 30_000);
      expect(wall.client.state.partial).toBe(false);
    } finally {
      wall.close();
    }
  }, 120_000);
});
