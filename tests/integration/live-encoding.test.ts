/**
 * Compressed batches (docs/PROTOCOL.md, "Encodings") with a real server and real socket.io
 * clients: a wall that asks for `deflate` ends exactly where a plain one does, through a burst
 * and a lost batch; every wall of a room gets the same frame from one compression; and what a
 * public frame holds, inflated, is as masked as the plain batch.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSocket, post, sampleReport, startServer, until, type TestServer, type TestSocket } from '../support/server.ts';
import { LiveClient } from '../../shared/live-client.ts';
import type { Batch, Entry, SubscribeResult } from '../../shared/protocol.ts';
import type { SubscribeRequest } from '../../shared/schemas.ts';
import { expectConverged, isConverged } from './db-state.ts';

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

async function report(over: Record<string, unknown> = {}) {
  const r = await post(`${api}/events`, sampleReport(over));
  expect(r.status).toBe(201);
  return r.body.event as { id: number };
}

const subscribe = (socket: TestSocket, req: SubscribeRequest): Promise<SubscribeResult> =>
  socket.timeout(5_000).emitWithAck('subscribe', req);

const inflate = (frame: string) => inflateRawSync(Buffer.from(frame, 'base64')).toString('utf8');

/** A raw socket subscribed in `encoding`, recording every batch as it arrived: frames as sent, and inflated. */
async function listen(opts: { display?: boolean; encoding?: 'deflate' } = {}) {
  const socket = openSocket(ts.url, { display: opts.display ?? true, reconnection: false });
  closers.push(() => socket.close());
  const frames: string[] = [];
  const batches: Batch[] = [];
  socket.on('batch', (b) => batches.push(b));
  socket.on('batch:deflate', (frame) => {
    frames.push(frame);
    batches.push(JSON.parse(inflate(frame)) as Batch);
  });
  const r = await subscribe(socket, { view: 'screen', ...(opts.encoding ? { encoding: opts.encoding } : {}) });
  if (!r.ok) throw new Error(`subscribe refused: ${JSON.stringify(r)}`);
  return { socket, frames, batches };
}

/** A LiveClient as the wall runs it (public), in the given encoding, noting every entry it applies, in order. */
function wall(encoding?: 'deflate') {
  const socket = openSocket(ts.url, { display: true, reconnection: false });
  const applied: Entry[] = [];
  let last = 0;
  const client = new LiveClient(socket, {
    view: 'screen', audience: 'public', ...(encoding ? { encoding } : {}),
    onChange: (state, why) => {
      if (why === 'status') return;
      if (why !== 'snapshot') for (const e of state.stream.filter((x) => x.seq > last).reverse()) applied.push(e);
      last = state.seq;
    },
  });
  closers.push(() => {
    client.close();
    socket.close();
  });
  return { socket, client, applied };
}

/** Make a socket miss the next batch of `event`, as if it were lost on the way. */
function loseNext(socket: TestSocket, event: 'batch' | 'batch:deflate') {
  const theirs = socket.listeners(event);
  let lost = 0;
  socket.off(event);
  socket.on(event, () => {
    lost++;
    socket.off(event);
    for (const l of theirs) socket.on(event, l as never);
  });
  return () => lost;
}

describe('compressed batches', () => {
  it('bring a wall to exactly what a plain wall holds, in the same order, through a burst, a lost batch and its resync', async () => {
    const plain = wall();
    const packed = wall('deflate');
    await until(() => plain.client.state.dbId !== null && packed.client.state.dbId !== null, 'both snapshots');

    const burst = (n: number, tag: string) => Promise.all(Array.from({ length: n }, (_, i) => report({ title: `${tag} ${i}` })));
    // Bursts small enough that a resync's replay (at most the 50 entries a stream keeps, which is
    // what `applied` reads) never hides an entry.
    await burst(20, '楼道堆物');
    const lostPlain = loseNext(plain.socket, 'batch');
    const lostPacked = loseNext(packed.socket, 'batch:deflate');
    await report({ title: '丢失的批次' });
    await until(() => lostPlain() > 0 && lostPacked() > 0, 'the lost batches');
    await burst(20, '路灯不亮');

    for (const w of [plain, packed]) {
      await until(() => w.client.state.resyncs > 0 && isConverged(w.client, ts.app), 'the resync and the last batch');
      expectConverged(w.client, ts.app);
    }
    const p = plain.client.state;
    const z = packed.client.state;
    expect(z.seq).toBe(p.seq);
    expect(z.stream).toEqual(p.stream);
    expect([...z.events.entries()].sort((a, b) => a[0] - b[0])).toEqual([...p.events.entries()].sort((a, b) => a[0] - b[0]));
    // Every one of the 41 reports applied once, strictly in order, the same in both encodings.
    for (const w of [plain, packed]) {
      const seqs = w.applied.map((e) => e.seq);
      expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
      expect(seqs).toHaveLength(41);
    }
    const key = (e: Entry) => `${e.seq}:${e.event.id}:${e.event.version}:${e.event.title}`;
    expect(packed.applied.map(key)).toEqual(plain.applied.map(key));
  }, 30_000);

  it('are compressed once per batch: every wall of the room gets the byte-identical frame', async () => {
    const walls = await Promise.all([1, 2, 3].map(() => listen({ encoding: 'deflate' })));
    const plain = await listen();
    const compressed = ts.app.broadcaster.compressed;
    const sent = ts.app.broadcaster.sent;
    for (let i = 0; i < 5; i++) {
      await report({ title: `积水 ${i}` });
      await until(() => walls.every((w) => w.frames.length > i), `frame ${i}`);
    }
    await until(() => plain.batches.length >= walls[0]!.frames.length, 'the plain batches');

    const n = walls[0]!.frames.length;
    expect(n).toBeGreaterThanOrEqual(5);
    for (const w of walls.slice(1)) {
      expect(w.frames).toHaveLength(n);
      w.frames.forEach((f, i) => expect(f, `frame ${i}`).toBe(walls[0]!.frames[i]!));
    }
    // One compression per batch for the three of them (no other room asked for deflate).
    expect(ts.app.broadcaster.compressed - compressed).toBe(n);
    expect(ts.app.broadcaster.sent - sent).toBe(n);
    // Inflated, each frame is the very batch a plain wall got.
    expect(walls[0]!.batches).toEqual(plain.batches.slice(0, n));
  });

  it('hold, inflated, no name, phone or description a public wall must not see, while a staff frame does', async () => {
    const REPORTER = '赵德明';
    const WORKER = '王丽萍'; // W01, the worker of grid G01
    const display = await listen({ encoding: 'deflate' });
    const staff = await listen({ display: false, encoding: 'deflate' });
    const e = await report({
      title: `${REPORTER}家门口积水`, description: `${REPORTER}来电，网格员${WORKER}已到场，手机13712345678。`,
      reporterName: REPORTER, reporterPhone: '13712345678', address: '桂花苑 501室',
    });
    const accepted = await post(`${api}/events/${e.id}/accept`, {});
    expect(accepted.status).toBe(200);
    const dispatched = await post(`${api}/events/${e.id}/dispatch`, { assigneeId: 'W01' });
    expect(dispatched.status).toBe(200);
    const holds = (l: { batches: Batch[] }, version: number) => l.batches.some((b) => b.entries.some((x) => x.event.id === e.id && x.event.version === version));
    await until(() => holds(display, 3) && holds(staff, 3), 'the dispatch in both rooms');

    const toWall = display.frames.map(inflate).join('\n');
    expect(toWall).toContain('赵**家门口积水');
    for (const secret of [REPORTER, WORKER, '王建国', '13712345678', '501室', '来电']) expect(toWall, secret).not.toContain(secret);
    // The same check on the staff frames finds them: it does look inside the frames.
    const toStaff = staff.frames.map(inflate).join('\n');
    for (const secret of [REPORTER, WORKER, '13712345678', '501室']) expect(toStaff, secret).toContain(secret);
  });

  it('leave heartbeats plain, naming the seq of the last frame, in the room of compressed walls too', async () => {
    const packed = await listen({ encoding: 'deflate' });
    const beats: { seq: number }[] = [];
    packed.socket.on('heartbeat', (h) => beats.push(h));
    await report({ title: '心跳之前' });
    await until(() => packed.batches.length > 0, 'the frame');
    ts.app.broadcaster.beat();
    await until(() => beats.length > 0, 'the heartbeat');
    expect(beats[0]!.seq).toBe(packed.batches.at(-1)!.seq);
  });

  it('leave a plain wall exactly as it was: plain JSON batches, no frames', async () => {
    const plain = await listen();
    const frames: unknown[] = [];
    plain.socket.on('batch:deflate', (f) => frames.push(f));
    await report({ title: '旧大屏' });
    await until(() => plain.batches.some((b) => b.entries.some((x) => x.event.title === '旧大屏')), 'the batch');
    expect(frames).toEqual([]);
  });

  it('refuses an encoding it does not know, naming the field', async () => {
    const socket = openSocket(ts.url, { display: true, reconnection: false });
    closers.push(() => socket.close());
    const r = await subscribe(socket, { view: 'screen', encoding: 'brotli' } as unknown as SubscribeRequest);
    expect(r).toMatchObject({ ok: false, error: 'error.validation', issues: [expect.objectContaining({ field: 'encoding' })] });
  });
});
