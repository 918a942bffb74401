/**
 * The live protocol with real socket.io clients: snapshot, batches that name the seq before
 * them, replay since a seq, snapshot when replay is impossible, gap detection and resync,
 * heartbeats, and what a public wall display is never sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  get, openLive, openSocket, post, sampleReport, startServer, until, type TestServer, type TestSocket,
} from '../support/server.ts';
import { HEARTBEAT_MS, type Batch, type EventView, type Heartbeat, type SubscribeResult } from '../../shared/protocol.ts';
import type { SubscribeRequest } from '../../shared/schemas.ts';
import { REPLAY_LIMIT } from '../../server/live/socket.ts';
import { expectConverged, isConverged, journalHead, journalSeqsAfter, openEvents, versions } from './db-state.ts';

let ts: TestServer;
let api: string;
const closers: (() => void)[] = [];

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterEach(() => {
  for (const close of closers.splice(0)) close();
});
afterAll(async () => {
  await ts?.stop();
});

/** A raw socket that records every batch and heartbeat it is sent. */
function listen(url: string, opts: { display?: boolean } = {}) {
  const socket = openSocket(url, { ...opts, reconnection: false });
  closers.push(() => socket.close());
  const batches: Batch[] = [];
  const heartbeats: Heartbeat[] = [];
  socket.on('batch', (b) => batches.push(b));
  socket.on('heartbeat', (h) => heartbeats.push(h));
  return { socket, batches, heartbeats };
}

function live(url: string, opts: { display?: boolean } = {}) {
  const l = openLive(url, opts);
  closers.push(l.close);
  return l;
}

const subscribe = (socket: TestSocket, req: SubscribeRequest): Promise<SubscribeResult> =>
  socket.timeout(5_000).emitWithAck('subscribe', req);

async function snapshotOf(socket: TestSocket, req: SubscribeRequest = { view: 'screen' }) {
  const r = await subscribe(socket, req);
  if (!r.ok || r.mode !== 'snapshot') throw new Error(`expected a snapshot, got ${JSON.stringify(r).slice(0, 200)}`);
  return r.snapshot;
}

async function report(over: Record<string, unknown> = {}, url = api) {
  const r = await post(`${url}/events`, sampleReport(over));
  expect(r.status).toBe(201);
  return r.body.event as { id: number; code: string; version: number };
}

async function act(id: number, action: string, body: Record<string, unknown> = {}, url = api) {
  const r = await post(`${url}/events/${id}/${action}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.event;
}

const carrying = (batches: Batch[], id: number, version?: number) =>
  batches.find((b) => b.entries.some((x) => x.event.id === id && (version === undefined || x.event.version === version)));

/** Make a LiveClient miss the next batch, as if it were lost on the way. */
async function missNextBatch(socket: TestSocket, write: () => Promise<unknown>) {
  const theirs = socket.listeners('batch');
  socket.off('batch');
  let lost = 0;
  socket.on('batch', () => lost++);
  await write();
  await until(() => lost > 0, 'the batch that is lost');
  socket.off('batch');
  for (const l of theirs) socket.on('batch', l);
}

describe('subscribing', () => {
  it('gives a fresh subscriber a snapshot of the database as it is now', async () => {
    const e = await report();
    const { socket } = listen(ts.url);
    const snap = await snapshotOf(socket);
    expect(snap.dbId).toBe(ts.app.dbId);
    expect(snap.seq).toBe(journalHead(ts.app));
    expect(snap.community.id).toBe('guihua');
    expect(snap.grids).toHaveLength(10);
    expect(snap.events.find((x) => x.id === e.id)).toMatchObject({ status: 'reported', version: 1 });
    expect(new Set(snap.events.map((x) => x.id))).toEqual(new Set(openEvents(ts.app).keys()));
    expect(snap.views.kpis.openNow).toBe(openEvents(ts.app).size);
    expect(snap.recent[0]).toMatchObject({ seq: snap.seq, type: 'event.reported', event: { id: e.id } });
  });

  it('refuses a subscription it cannot read, naming the field, and keeps the socket', async () => {
    const { socket } = listen(ts.url);
    const bad = await subscribe(socket, { view: 'wall' } as unknown as SubscribeRequest);
    expect(bad).toMatchObject({ ok: false, error: 'error.validation' });
    expect(bad.ok === false && bad.issues?.map((i) => i.field)).toContain('view');
    const elsewhere = await subscribe(socket, { view: 'screen', community: 'nowhere' });
    expect(elsewhere).toMatchObject({ ok: false, error: 'error.not_found' });
    expect((await subscribe(socket, { view: 'screen' })).ok).toBe(true);
  });
});

describe('batches', () => {
  it('bring an event reported over HTTP within a second, naming the seq sent before them', async () => {
    const { socket, batches } = listen(ts.url);
    const snap = await snapshotOf(socket);
    const t0 = Date.now();
    const e = await report();
    await until(() => !!carrying(batches, e.id), 'the batch with the report', 1_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    const b = carrying(batches, e.id)!;
    expect(b.prev).toBe(snap.seq);
    expect(b.seq).toBe(snap.seq + 1);
    expect(b.seq).toBe(journalHead(ts.app));
    expect(b.entries).toHaveLength(1);
    expect(b.entries[0]).toMatchObject({ seq: b.seq, type: 'event.reported', event: { id: e.id, status: 'reported', version: 1 } });
    expect(b.views.kpis.openNow).toBe(openEvents(ts.app).size);

    await act(e.id, 'accept', { note: '立案' });
    await until(() => !!carrying(batches, e.id, 2), 'the batch with the acceptance', 1_000);
    const next = carrying(batches, e.id, 2)!;
    expect(next.prev).toBe(b.seq);
    expect(next.seq).toBe(b.seq + 1);
    expect(next.entries[0]).toMatchObject({ type: 'event.transitioned', action: 'accept', from: 'reported', event: { status: 'accepted' } });
  });

  it('chain without a gap through a burst of writes, each entry once and in seq order', async () => {
    const { socket, batches } = listen(ts.url);
    const snap = await snapshotOf(socket);
    const made = await Promise.all(Array.from({ length: 30 }, (_, i) => report({ title: `并发上报 ${i}` })));
    await until(() => made.every((e) => carrying(batches, e.id)), 'every report of the burst');
    let prev = snap.seq;
    for (const b of batches) {
      expect(b.prev).toBe(prev);
      prev = b.seq;
    }
    const seqs = batches.flatMap((b) => b.entries.map((x) => x.seq));
    expect(seqs).toEqual(journalSeqsAfter(ts.app, snap.seq));
  });
});

describe('replay', () => {
  it('gives a client that reconnects with its seq exactly the entries it missed, in order', async () => {
    const first = listen(ts.url);
    const snap = await snapshotOf(first.socket);
    first.socket.close();
    const a = await report({ title: '断线期间 A' });
    const b = await report({ title: '断线期间 B' });
    await act(a.id, 'accept');

    const again = listen(ts.url);
    const r = await subscribe(again.socket, { view: 'screen', since: snap.seq, dbId: snap.dbId });
    if (!r.ok || r.mode !== 'replay') throw new Error(`expected a replay, got ${JSON.stringify(r).slice(0, 200)}`);
    expect(r.dbId).toBe(ts.app.dbId);
    expect(r.seq).toBe(journalHead(ts.app));
    const seqs = r.entries.map((x) => x.seq);
    expect(seqs).toEqual(journalSeqsAfter(ts.app, snap.seq));
    expect(seqs).toHaveLength(3);
    expect(r.entries.map((x) => [x.type, x.event.id])).toEqual([['event.reported', a.id], ['event.reported', b.id], ['event.transitioned', a.id]]);
    // Each entry carries the event as it is now, so the client lands on the current state.
    const v = versions(ts.app);
    for (const x of r.entries) expect(x.event.version).toBe(v.get(x.event.id));
    expect(r.views.kpis.openNow).toBe(openEvents(ts.app).size);
  });

  it('gives a client that is up to date an empty replay', async () => {
    const { socket } = listen(ts.url);
    const head = journalHead(ts.app);
    const r = await subscribe(socket, { view: 'screen', since: head, dbId: ts.app.dbId });
    expect(r).toMatchObject({ ok: true, mode: 'replay', seq: head, entries: [] });
  });

  it('gives a snapshot, not a replay, to a client whose seq came from another database', async () => {
    const { socket } = listen(ts.url);
    const r = await subscribe(socket, { view: 'screen', since: journalHead(ts.app), dbId: 'a-database-restored-elsewhere' });
    expect(r).toMatchObject({ ok: true, mode: 'snapshot', snapshot: { dbId: ts.app.dbId, seq: journalHead(ts.app) } });
  });

  it('gives a snapshot to a client that claims a seq the database has not reached', async () => {
    const { socket } = listen(ts.url);
    const r = await subscribe(socket, { view: 'screen', since: journalHead(ts.app) + 50, dbId: ts.app.dbId });
    expect(r).toMatchObject({ ok: true, mode: 'snapshot', snapshot: { seq: journalHead(ts.app) } });
  });

  describe('when the client is too far behind', () => {
    // A server of its own: thousands of open events would crowd the others' snapshots.
    let far: TestServer;
    beforeAll(async () => {
      far = await startServer();
    });
    afterAll(async () => {
      await far?.stop();
    });

    it('gives a snapshot when the entries it missed were pruned', async () => {
      const { socket } = listen(far.url);
      const snap = await snapshotOf(socket);
      for (let i = 0; i < 3; i++) await report({ title: `清理前 ${i}` }, `${far.url}/api/v1`);
      expect(far.app.journal.prune(Date.now() + 1_000)).toBe(2);
      const r = await subscribe(socket, { view: 'screen', since: snap.seq, dbId: snap.dbId });
      expect(r).toMatchObject({ ok: true, mode: 'snapshot', snapshot: { seq: journalHead(far.app) } });
    });

    it(`gives a snapshot when more than ${REPLAY_LIMIT} entries were missed, and a replay just under`, async () => {
      const { socket } = listen(far.url);
      const since = journalHead(far.app);
      let n = 0;
      while (n <= REPLAY_LIMIT) {
        const size = Math.min(1_000, REPLAY_LIMIT + 1 - n);
        const events = Array.from({ length: size }, (_, i) => sampleReport({ source: 'sensor', externalId: `far-${n + i}`, title: `告警 ${n + i}` }));
        const r = await post(`${far.url}/api/v1/events/ingest`, { events });
        expect(r.body.created).toBe(size);
        n += size;
      }
      const behind = await subscribe(socket, { view: 'screen', since, dbId: far.app.dbId });
      expect(behind.ok && behind.mode).toBe('snapshot');
      const head = journalHead(far.app);
      const near = await subscribe(socket, { view: 'screen', since: head - REPLAY_LIMIT, dbId: far.app.dbId });
      expect(near.ok && near.mode).toBe('replay');
      expect(near.ok && near.mode === 'replay' && near.entries.length).toBe(REPLAY_LIMIT);
    });
  });
});

describe('the live client', () => {
  it('starts from a snapshot and follows the database', async () => {
    const { client } = live(ts.url);
    await until(() => client.state.dbId !== null, 'the first snapshot');
    const e = await report();
    await act(e.id, 'accept');
    await until(() => client.state.events.get(e.id)?.version === 2, 'the acceptance');
    await until(() => isConverged(client, ts.app), 'the database state');
    expectConverged(client, ts.app);
    expect(client.state.resyncs).toBe(0);
  });

  it('notices a lost batch from the next one, resyncs and ends with exactly the database state', async () => {
    const { socket, client } = live(ts.url);
    await until(() => isConverged(client, ts.app), 'the first snapshot');
    const resyncs = client.state.resyncs;
    let missed = 0;
    await missNextBatch(socket, async () => (missed = (await report({ title: '丢失的批次' })).id));
    expect(client.state.events.has(missed)).toBe(false);

    const next = await report({ title: '下一批次' });
    await until(() => client.state.resyncs > resyncs, 'a resync');
    await until(() => isConverged(client, ts.app), 'the database state');
    expectConverged(client, ts.app);
    expect(client.state.events.has(missed)).toBe(true);
    expect(client.state.events.has(next.id)).toBe(true);
  });

  it('resyncs on a batch whose prev is ahead of its seq, and never takes the seq it was told', async () => {
    const { socket, client } = live(ts.url);
    await until(() => isConverged(client, ts.app), 'the first snapshot');
    const s = client.state;
    const resyncs = s.resyncs;
    const fake: Batch = { prev: s.seq + 100, seq: s.seq + 101, entries: [], views: s.views! };
    for (const deliver of socket.listeners('batch')) deliver(fake);
    expect(s.resyncs).toBe(resyncs + 1);
    await until(() => isConverged(client, ts.app), 'the database state');
    expectConverged(client, ts.app);
    expect(s.seq).toBe(journalHead(ts.app));
  });

  it('applies the batches right behind a resubscription, each entry once and without a needless resync', async () => {
    const { client } = live(ts.url);
    await until(() => isConverged(client, ts.app), 'the first snapshot');
    const resyncs = client.state.resyncs;
    for (let round = 0; round < 8; round++) {
      // Resubscribe while writes are in flight: their entries come in the replay, in batches, or both.
      const writes = Array.from({ length: 5 }, (_, i) => report({ title: `重叠 ${round}-${i}` }));
      await Promise.all([...writes, client.subscribe()]);
      await new Promise((r) => setTimeout(r, 30));
      await Promise.all(Array.from({ length: 3 }, (_, i) => report({ title: `其后 ${round}-${i}` })));
      await until(() => isConverged(client, ts.app), `the database state in round ${round}`);
      expectConverged(client, ts.app);
    }
    expect(client.state.resyncs, 'no batch after a subscribe answer was dropped').toBe(resyncs);
  });
});

describe('heartbeats', () => {
  // Both watch the same next heartbeat, so the file waits for one interval, not two.
  let quiet: ReturnType<typeof openSocket>;
  const heartbeats: Heartbeat[] = [];
  let lagging: ReturnType<typeof openLive>;
  let missed = 0;
  let resyncsBefore = 0;

  beforeAll(async () => {
    quiet = openSocket(ts.url, { reconnection: false });
    quiet.on('heartbeat', (h) => heartbeats.push(h));
    await snapshotOf(quiet);
    lagging = openLive(ts.url);
    await until(() => isConverged(lagging.client, ts.app), 'the first snapshot');
    resyncsBefore = lagging.client.state.resyncs;
    await missNextBatch(lagging.socket, async () => (missed = (await report({ title: '最后一批丢失' })).id));
    expect(lagging.client.state.events.has(missed)).toBe(false);
  });
  afterAll(() => {
    quiet?.close();
    lagging?.close();
  });

  it('reach a quiet subscriber with the seq last sent to it', async () => {
    await until(() => heartbeats.length > 0, 'a heartbeat', HEARTBEAT_MS + 1_500);
    expect(heartbeats[0]!.seq).toBe(journalHead(ts.app));
    expect(heartbeats[0]!.at).toMatch(/\+08:00$/);
  });

  it('let a client that lost the last batch catch up with no further writes', async () => {
    const { client } = lagging;
    await until(() => client.state.resyncs > resyncsBefore && isConverged(client, ts.app), 'a resync from a heartbeat', HEARTBEAT_MS + 2_000);
    expectConverged(client, ts.app);
    expect(client.state.events.get(missed)?.title).toBe('最后一批丢失');
  });
});

describe('privacy on a public display', () => {
  const PHONE = '13812345678';
  const ID = '330106199001011234';
  const LANDLINE = '0571-88886666';

  /** Every string in a payload except the database id (random, so it may hold a digit run). */
  function strings(value: unknown, out: string[] = []): string[] {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) for (const v of value) strings(v, out);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (k !== 'dbId') strings(v, out);
    }
    return out;
  }

  function expectNothingPersonal(payload: unknown) {
    const json = JSON.stringify(payload);
    expect(json).not.toContain(PHONE);
    expect(json).not.toContain(ID);
    expect(json).not.toContain('88886666');
    expect(json).not.toContain('501室');
    expect(json).not.toMatch(/"reporter(Name|Phone)"/);
    for (const s of strings(payload)) {
      expect(s).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
      expect(s).not.toMatch(/(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/);
    }
  }

  it('sends a display no reporter and no phone or ID number, while staff get the reporter', async () => {
    const display = listen(ts.url, { display: true });
    const staff = listen(ts.url);
    await snapshotOf(display.socket);
    await snapshotOf(staff.socket);

    const e = await report({
      title: `${PHONE}反映楼道堆物`,
      description: `住户王建国（身份证${ID}）来电，手机${PHONE}，座机${LANDLINE}。`,
      reporterName: '王建国', reporterPhone: PHONE, address: '桂花苑3幢2单元501室',
    });
    await act(e.id, 'accept');
    await act(e.id, 'dispatch', { assigneeId: 'W01' });
    await act(e.id, 'request_extension', { hours: 8, note: `请回电王建国 ${PHONE}` });
    for (const l of [display, staff]) await until(() => !!carrying(l.batches, e.id, 4), 'the extension request');

    const fresh = listen(ts.url, { display: true });
    const snap = await snapshotOf(fresh.socket);
    expectNothingPersonal(display.batches);
    expectNothingPersonal(snap);

    const shown = snap.events.find((x) => x.id === e.id)!;
    expect(shown.title).toContain('138****5678');
    // A wall receives what it draws: no address, assignee or pending request at all.
    for (const field of ['address', 'assigneeId', 'assigneeName', 'pending', 'description']) expect(shown).not.toHaveProperty(field);
    expect(snap.grids.find((g) => g.id === 'G01')!.workerName).toBe('王**');

    const staffView = carrying(staff.batches, e.id, 1)!.entries.find((x) => x.event.id === e.id)!.event;
    expect(staffView).toMatchObject({ reporterName: '王建国', reporterPhone: PHONE, address: '桂花苑3幢2单元501室' });
    const staffSnap = await snapshotOf(staff.socket);
    expect(staffSnap.events.find((x) => x.id === e.id)).toMatchObject({ reporterName: '王建国', reporterPhone: PHONE });
    // The API (staff) keeps the full record.
    expect((await get(`${api}/events/${e.id}`)).body.event.description).toContain(ID);
  });

  it('masks names and numbers however they are written in free text, in snapshot, batches and replay', async () => {
    const REPORTER = '赵德明';
    const WORKER = '王丽萍'; // W01, the worker of grid G01
    const GROUPED_ID = '110105 1949 1231 002X';
    const SPACED_MOBILE = '1371 234 5678';
    const LOCAL_LINE = '87654321';
    // What must never reach a display, compared with separators taken out of what it is sent.
    // 王建国 is the reporter of every sample report, written into each one's description.
    const forbidden = [REPORTER, WORKER, '王建国', '11010519491231002X', '13712345678', LOCAL_LINE, '501室'];
    const expectNoResident = (payload: unknown) => {
      for (const s of strings(payload)) {
        const compact = s.replace(/[\s.\-_/]/g, '');
        for (const f of forbidden) expect(compact, s).not.toContain(f);
      }
    };

    const display = listen(ts.url, { display: true });
    const staff = listen(ts.url);
    const before = await snapshotOf(display.socket);
    await snapshotOf(staff.socket);
    const e = await report({
      title: `${REPORTER}家门口积水`,
      description: `${REPORTER}来电，手机${SPACED_MOBILE}，座机${LOCAL_LINE}，身份证${GROUPED_ID}；网格员${WORKER}已到场。`,
      reporterName: REPORTER, reporterPhone: '13712345678', address: '桂花苑 501室 (独居老人)',
    });
    await act(e.id, 'accept');
    await act(e.id, 'dispatch', { assigneeId: 'W01' });
    await act(e.id, 'request_extension', { hours: 8, note: `${WORKER}请回电${REPORTER} 137.1234.5678，证件110105-19491231-002X，座机8765-4321` });
    for (const l of [display, staff]) await until(() => !!carrying(l.batches, e.id, 4), 'the extension request');

    const snap = await snapshotOf(listen(ts.url, { display: true }).socket);
    const replay = await subscribe(listen(ts.url, { display: true }).socket, { view: 'screen', since: before.seq, dbId: before.dbId });
    if (!replay.ok || replay.mode !== 'replay') throw new Error(`expected a replay, got ${JSON.stringify(replay).slice(0, 200)}`);
    expect(replay.entries.filter((x) => x.event.id === e.id)).toHaveLength(4);
    for (const payload of [display.batches, snap, replay]) {
      expectNoResident(payload);
      expectNothingPersonal(payload);
    }

    const shown = snap.events.find((x) => x.id === e.id)!;
    expect(shown.title).toBe('赵**家门口积水');
    // The description, where residents' stories are typed, never reaches a wall.
    expect(shown).not.toHaveProperty('description');
    // Nor the request's note and the address: a wall never shows them (PublicEventView).
    expect(shown).not.toHaveProperty('pending');
    expect(shown).not.toHaveProperty('address');

    // Staff still get everything as it was written.
    const staffView = carrying(staff.batches, e.id, 4)!.entries.find((x) => x.event.id === e.id && x.event.version === 4)!.event as EventView;
    expect(staffView).toMatchObject({ reporterName: REPORTER, title: `${REPORTER}家门口积水`, address: '桂花苑 501室 (独居老人)' });
    for (const f of [REPORTER, WORKER, GROUPED_ID, SPACED_MOBILE, LOCAL_LINE]) expect(staffView.description).toContain(f);
    expect(staffView.pending?.note).toContain(WORKER);
  });

  it('keeps a display LiveClient free of personal data through snapshot and batches', async () => {
    const { client } = live(ts.url, { display: true });
    await until(() => client.state.dbId !== null, 'the first snapshot');
    const e = await report({ description: `联系人电话 ${PHONE}，身份证 ${ID}` });
    await until(() => client.state.events.has(e.id), 'the report');
    expectNothingPersonal({ events: [...client.state.events.values()], stream: client.state.stream, grids: client.state.grids });
  });
});
