/**
 * A display that loses its server, or its connection, ends with exactly the database's state:
 * nothing missed, nothing shown twice. Real server processes on one SQLite file, a real
 * socket.io client with reconnection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { addPhoto, openSocket, post, sampleReport, startServer, tempDataDir, until, type TestServer } from '../support/server.ts';
import { openDatabase } from '../../server/database.ts';
import { Directory } from '../../server/kernel/community.ts';
import { installDemoCommunity } from '../../server/demo/seed.ts';
import { sha256 } from '../../server/auth/crypto.ts';
import { LiveClient } from '../../shared/live-client.ts';
import { expectConverged, isConverged, journalHead, journalSeqsAfter } from './db-state.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function server(opts: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const ts = await startServer(opts);
  let stopped = false;
  const stop = ts.stop;
  ts.stop = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  cleanup.push(() => ts.stop());
  return ts;
}

/**
 * A display: a LiveClient on a reconnecting socket, recording how each (re)subscribe was
 * answered. Staff (the admin's session) unless given a display token.
 */
function display(url: string, displayToken?: string) {
  const socket = openSocket(url, displayToken ? { displayToken } : {});
  const answers: string[] = [];
  const client = new LiveClient(socket, {
    view: 'screen',
    onChange: (_s, why) => {
      if (why !== 'status' && why !== 'batch') answers.push(why);
    },
  });
  cleanup.push(() => socket.close());
  return { socket, client, answers };
}

async function report(ts: TestServer, title: string) {
  const r = await post(`${ts.url}/api/v1/events`, sampleReport({ title }));
  expect(r.status).toBe(201);
  return r.body.event as { id: number };
}

async function act(ts: TestServer, id: number, action: string, body: Record<string, unknown> = {}) {
  const r = await post(`${ts.url}/api/v1/events/${id}/${action}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

const portOf = (ts: TestServer) => Number(new URL(ts.url).port);

describe('a server restart', () => {
  it('leaves a reconnecting display with exactly the database state, nothing missed and nothing doubled', async () => {
    const first = await server();
    const { socket, client, answers } = display(first.url);
    const a = await report(first, '重启前 A');
    const b = await report(first, '重启前 B');
    await act(first, a.id, 'accept');
    await until(() => isConverged(client, first.app), 'the display to catch up before the restart');
    const seqBefore = client.state.seq;
    const dbId = client.state.dbId;

    await first.stop();
    await until(() => !socket.connected, 'the display to notice the server is gone');

    const second = await server({ dataDir: first.dataDir, port: portOf(first) });
    expect(second.app.dbId).toBe(dbId);
    // Written before the display is back: these come to it by replay.
    const c = await report(second, '重启后 C');
    await act(second, b.id, 'accept');
    await act(second, a.id, 'dispatch', { assigneeId: 'W01' });
    await until(() => socket.connected, 'the display to reconnect');
    // Written after it is back: these come in batches.
    const d = await report(second, '重启后 D');
    await act(second, c.id, 'reject', { note: '重复' });

    await until(() => isConverged(client, second.app), 'the display to reach the database state');
    expectConverged(client, second.app);
    expect(client.state.seq).toBe(journalHead(second.app));
    expect(journalSeqsAfter(second.app, seqBefore)).toHaveLength(5);
    expect(client.state.events.get(a.id)).toMatchObject({ status: 'dispatched', assigneeId: 'W01' });
    expect(client.state.events.get(b.id)).toMatchObject({ status: 'accepted' });
    expect(client.state.events.get(d.id)).toMatchObject({ status: 'reported' });
    expect(client.state.events.get(c.id)).toMatchObject({ status: 'rejected' });
    // The same database: it came back by replay, not by starting over.
    expect(answers).toEqual(['snapshot', 'replay']);
    expect(client.state.views?.kpis.openNow).toBe(3);
  });

  it('keeps every write acknowledged before the stop', async () => {
    const first = await server();
    const written = await Promise.all(Array.from({ length: 20 }, (_, i) => report(first, `停机前 ${i}`)));
    const head = journalHead(first.app);
    await first.stop();
    const second = await server({ dataDir: first.dataDir });
    expect(journalHead(second.app)).toBe(head);
    const ids = (second.app.db.prepare('select id from events order by id').all() as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual(written.map((e) => e.id).sort((x, y) => x - y));
    // And new ids continue after the old ones.
    const next = await report(second, '重启后');
    expect(next.id).toBe(Math.max(...ids) + 1);
  });

  it('starts a display over from a snapshot when the server comes back with another database', async () => {
    const first = await server();
    // A paired wall: its token must stand in the other database too (as after a restore of
    // a backup that has the display), so the display row goes with it.
    const { socket, client, answers } = display(first.url, first.displayToken!);
    const old = await report(first, '旧库事件');
    await until(() => isConverged(client, first.app), 'the first database state');
    const row = first.app.db.prepare('select * from displays where token_hash = ?').get(sha256(first.displayToken!)) as Record<string, unknown>;
    await first.stop();
    await until(() => !socket.connected, 'the display to notice the server is gone');

    const dataDir = tempDataDir();
    const db = openDatabase(path.join(dataDir, 'cerebellum.db'));
    installDemoCommunity(new Directory(db), Date.now());
    db.prepare(`insert into displays (${Object.keys(row).join(', ')}) values (${Object.keys(row).map((k) => '@' + k).join(', ')})`).run(row);
    db.close();
    const replaced = await server({ port: portOf(first), dataDir });
    expect(replaced.app.dbId).not.toBe(first.app.dbId);
    const fresh = await report(replaced, '新库事件');
    await until(() => client.state.dbId === replaced.app.dbId && isConverged(client, replaced.app), 'the new database state');
    expectConverged(client, replaced.app);
    expect(client.state.events.has(fresh.id)).toBe(true);
    // The new database numbers its events from 1 again: the old event is gone, not mixed in.
    expect(client.state.events.get(old.id)?.title).toBe('新库事件');
    expect(answers).toEqual(['snapshot', 'snapshot']);
  });
});

describe('the numbers after a restart', () => {
  it('are rebuilt from the database exactly as they were', async () => {
    let clock = Date.now();
    const first = await server({ now: () => clock, env: { TIMER_MS: '600000' } });
    const events = await Promise.all(Array.from({ length: 6 }, (_, i) => report(first, `统计 ${i}`)));
    for (const e of events.slice(0, 4)) {
      await act(first, e.id, 'accept');
      await act(first, e.id, 'dispatch', { assigneeId: 'W03' });
    }
    await act(first, events[0]!.id, 'start');
    await act(first, events[0]!.id, 'resolve', { note: '已处理' });
    await addPhoto(`${first.url}/api/v1`, events[0]!.id);
    await act(first, events[0]!.id, 'close');
    await act(first, events[0]!.id, 'review', { satisfaction: 4 });
    await act(first, events[5]!.id, 'reject', { note: '重复' });
    clock += 73 * 3_600_000;
    await first.app.events.deadlines.check();
    await act(first, events[1]!.id, 'start');
    await act(first, events[1]!.id, 'resolve', { note: '超期处理' });
    await addPhoto(`${first.url}/api/v1`, events[1]!.id);
    await act(first, events[1]!.id, 'close');
    const before = first.app.model.views('guihua', clock);
    // Which events a snapshot carries, at which versions (events reported in the same instant have no set order).
    const carried = (app: TestServer['app']) => app.model.currentEvents('guihua').map((e) => [e.id, e.version]).sort((x, y) => x[0]! - y[0]!);
    const snapBefore = carried(first.app);
    expect(before.kpis).toMatchObject({ overdueNow: 2, openNow: 3 });
    await first.stop();

    const second = await server({ dataDir: first.dataDir, now: () => clock, env: { TIMER_MS: '600000' } });
    expect(second.app.model.views('guihua', clock)).toEqual(before);
    expect(carried(second.app)).toEqual(snapBefore);
  });

  it('still refresh on a quiet display when the day turns', async () => {
    // 23:00 in Beijing; the display shows today's count, then midnight passes with no new event.
    const evening = new Date();
    let clock = Date.parse(`${new Date(evening.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)}T23:00:00+08:00`);
    if (clock > Date.now()) clock -= 86_400_000;
    const first = await server({ now: () => clock, env: { TIMER_MS: '600000' } });
    const { socket, client, answers } = display(first.url);
    await report(first, '晚间上报 1');
    await report(first, '晚间上报 2');
    await until(() => isConverged(client, first.app), 'the display to catch up');
    expect(client.state.views?.kpis.reportedToday).toBe(2);
    await first.stop();
    await until(() => !socket.connected, 'the display to notice the server is gone');

    const second = await server({ dataDir: first.dataDir, port: portOf(first), now: () => clock, env: { TIMER_MS: '600000' } });
    await until(() => answers.length === 2 && isConverged(client, second.app), 'the display to come back');
    expect(answers).toEqual(['snapshot', 'replay']);
    clock += 90 * 60_000; // 00:30 the next day
    second.app.broadcaster.refreshViews();
    await until(() => client.state.views?.kpis.reportedToday === 0, 'the display to show the new day', 2_000);
    expect(client.state.views?.kpis.openNow).toBe(2);
  });
});

describe('a dropped connection', () => {
  it('replays to a display exactly the writes made while it was away', async () => {
    const ts = await server();
    const { socket, client, answers } = display(ts.url);
    await report(ts, '断线前');
    await until(() => isConverged(client, ts.app), 'the display to catch up');
    const seqBefore = client.state.seq;

    socket.disconnect();
    const away = [await report(ts, '断线中 1'), await report(ts, '断线中 2')];
    await act(ts, away[0]!.id, 'accept');
    expect(client.state.seq).toBe(seqBefore);
    socket.connect();

    await until(() => isConverged(client, ts.app), 'the display to catch up again');
    expectConverged(client, ts.app);
    expect(answers).toEqual(['snapshot', 'replay']);
    // The stream shows the three missed entries once each, newest first, above what it had.
    expect(client.state.stream.slice(0, 3).map((e) => e.seq)).toEqual(journalSeqsAfter(ts.app, seqBefore).reverse());
    expect(client.state.stream[3]!.seq).toBe(seqBefore);
  });

  it('brings a display that reconnects repeatedly under steady writes to the database state', async () => {
    const ts = await server();
    const { socket, client } = display(ts.url);
    await until(() => client.state.dbId !== null, 'the first snapshot');
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) await report(ts, `持续写入 ${i}`);
    })();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 60));
      socket.disconnect();
      await new Promise((r) => setTimeout(r, 40));
      socket.connect();
    }
    await new Promise((r) => setTimeout(r, 100));
    writing = false;
    await writer;
    await until(() => isConverged(client, ts.app), 'the database state');
    expectConverged(client, ts.app);
  });
});
