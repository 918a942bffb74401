/**
 * 8. Fan-out: the same stream of grid events to the same room of displays, sent the ways the
 * broadcaster sends it (one batch per 100 ms carrying the entries and the views: compressed
 * once into a `batch:deflate` frame that the room shares, as the wall asks; or as plain `batch`
 * JSON, as a client that asks for no encoding gets it) and the naive way (one emit per event),
 * in one run. The figure we steer by is the server CPU per delivered event of each, and the
 * ratio naive ÷ compressed; the bytes each display receives per second (as written on the
 * socket: text and binary frames) come with it. A plain socket.io server with the app's options
 * in this process; the displays are real socket.io clients in a forked process
 * (fanout-clients.ts), so their decoding is not counted, but the server's compression is. The
 * payloads are real: a demo community's events as a public display receives them, and its views.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { startServer } from '../support/server.ts';
import { deflateBatch } from '../../server/live/broadcaster.ts';
import { displayEvent } from '../../server/events/record.ts';
import type { Batch, BatchViews, Entry, PublicEventView } from '../../shared/protocol.ts';
import { clock, forkHelper, nextMessage, round, send, sleep, waitExit } from './lib.ts';
import type { FanoutCounts } from './fanout-clients.ts';

export interface FanoutOptions {
  displays: number;
  rate: number;
  durationMs: number;
  batchMs: number;
}

type Mode = 'naive' | 'plain' | 'deflate';

interface ModeResult {
  events: number;
  delivered: number;
  serverCpuMs: number;
  /** Of which in the kernel (writing to the sockets). */
  serverSystemMs: number;
  /** Server CPU per delivered event, microseconds. */
  cpuPerDeliveredUs: number;
  bytesPerDisplayPerSec: number;
  emits: number;
}

export async function benchFanout(o: FanoutOptions) {
  // Real payloads: a demo community's events as the public audience gets them, and its views.
  const app = await startServer({ historyDays: 7, admin: false });
  const communityId = app.app.directory.defaultCommunity()!.id;
  const ctx = { timeZone: app.app.directory.timeZoneOf(communityId), workerName: app.app.directory.workerName };
  const views = app.app.model.currentEvents(communityId).map((e) => displayEvent(e, 'public', ctx) as PublicEventView);
  const full = app.app.model.views(communityId, Date.now());
  const { subjects, ...rest } = full;
  // What a batch of a grid-event stream carries beside its entries: the views, and of the
  // subjects only the community's glance (the part a grid event moves).
  const batchViews: BatchViews = { ...rest, ...(subjects ? { subjects: { glance: subjects.glance } } : {}) };
  await app.stop();
  if (!views.length) throw new Error('no events to send');

  const httpServer = http.createServer();
  const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 64 * 1024, pingInterval: 10_000, pingTimeout: 10_000, transports: ['websocket'] });
  io.on('connection', (s) => void s.join('room'));
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const clients = forkHelper('./fanout-clients.ts');
  const ready = nextMessage(clients, 'ready', 120_000);
  send(clients, { type: 'connect', url, count: o.displays });
  await ready;
  await sleep(300);

  let seq = 0;
  const entry = (i: number): Entry => ({ seq: ++seq, at: new Date().toISOString(), type: 'event.reported', event: views[i % views.length]! });

  const run = async (mode: Mode): Promise<ModeResult> => {
    send(clients, { type: 'reset' });
    await nextMessage(clients, 'reset');
    const total = Math.round((o.rate * o.durationMs) / 1000);
    let sent = 0;
    let emits = 0;
    let pending: Entry[] = [];
    let prev = seq;
    const cpu0 = process.cpuUsage();
    const t0 = clock();
    // The events become due at the rate; a 10 ms tick hands them out.
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((clock() - t0) / 1000) * o.rate));
      for (; sent < due; sent++) {
        const e = entry(sent);
        if (mode === 'naive') {
          io.to('room').emit('event', e);
          emits++;
        } else pending.push(e);
      }
    }, 10);
    const flush = mode !== 'naive' ? setInterval(() => {
      if (!pending.length) return;
      const entries = pending;
      pending = [];
      const batch: Batch = { prev, seq: entries[entries.length - 1]!.seq, entries, views: batchViews };
      if (mode === 'plain') io.to('room').emit('batch', batch);
      else io.to('room').emit('batch:deflate', deflateBatch(batch));
      prev = entries[entries.length - 1]!.seq;
      emits++;
    }, o.batchMs) : null;
    while (sent < total) await sleep(20);
    clearInterval(tick);
    if (flush) {
      await sleep(o.batchMs + 20);
      clearInterval(flush);
    }
    const du = process.cpuUsage(cpu0);
    const wallMs = clock() - t0;
    // Wait for the displays to take in everything (or give up after 30 s).
    let counts: FanoutCounts = { events: 0, bytes: 0 };
    for (const start = clock(); clock() - start < 30_000;) {
      const p = nextMessage<FanoutCounts>(clients, 'counts');
      send(clients, { type: 'counts' });
      counts = await p;
      if (counts.events >= total * o.displays) break;
      await sleep(200);
    }
    const cpuMs = (du.user + du.system) / 1000;
    return {
      events: total, delivered: counts.events, serverCpuMs: round(cpuMs, 0), serverSystemMs: round(du.system / 1000, 0),
      cpuPerDeliveredUs: round((cpuMs * 1000) / Math.max(1, counts.events), 2),
      bytesPerDisplayPerSec: round(counts.bytes / o.displays / (wallMs / 1000), 0),
      emits,
    };
  };

  // Alternate, twice each, and keep the better (less disturbed) run of each mode.
  const runs: Record<Mode, ModeResult[]> = { deflate: [], naive: [], plain: [] };
  for (let round = 0; round < 2; round++) for (const mode of ['deflate', 'naive', 'plain'] as const) runs[mode].push(await run(mode));
  const best = (rs: ModeResult[]) => rs.reduce((a, b) => (b.cpuPerDeliveredUs < a.cpuPerDeliveredUs ? b : a));
  const deflate = best(runs.deflate);
  const plain = best(runs.plain);
  const naive = best(runs.naive);
  send(clients, { type: 'close' });
  await waitExit(clients);
  io.close();
  return {
    displays: o.displays, rate: o.rate, durationMs: o.durationMs, batchMs: o.batchMs,
    /** Batched as the wall takes it (compressed); batched as plain JSON; one emit per event. */
    deflate, plain, naive, runs,
    /** How many times less server CPU per delivered event batching costs, as the wall takes it (compressed). */
    cpuRatio: round(naive.cpuPerDeliveredUs / deflate.cpuPerDeliveredUs, 1),
    /** The same for plain batches. */
    cpuRatioPlain: round(naive.cpuPerDeliveredUs / plain.cpuPerDeliveredUs, 1),
  };
}
