/**
 * 2. End-to-end latency: from the API acknowledgement of a report to its receipt by every one
 * of `displays` connected wall displays, at a fixed rate. The server runs in this process; the
 * displays (in `displayProcs` processes) and the load generator are forked, so neither shares
 * the server's thread. Both stamp times with the shared clock of lib.ts.
 */
import fs from 'node:fs';
import { startServer } from '../support/server.ts';
import type { DisplaysResult } from './displays.ts';
import type { RateJob, RateResult } from './loadgen.ts';
import { clock, forkHelper, nextMessage, round, send, sleep, summarize, waitExit, watchServer } from './lib.ts';

export interface LatencyOptions {
  displays: number;
  displayProcs: number;
  rate: number;
  durationMs: number;
}

export async function benchLatency(o: LatencyOptions) {
  // Production batching (100 ms) and a community with 30 days of history, as a wall sees it.
  const server = await startServer({ env: { BATCH_MS: '100' }, historyDays: 30 });
  const port = Number(new URL(server.url).port);
  const total = Math.round((o.rate * o.durationMs) / 1000);

  const per = Math.ceil(o.displays / o.displayProcs);
  const procs = Array.from({ length: o.displayProcs }, (_, k) => ({
    child: forkHelper('./displays.ts'),
    count: Math.min(per, o.displays - k * per),
  }));
  const t0 = clock();
  await Promise.all(
    procs.map(async (p) => {
      const ready = nextMessage(p.child, 'ready', 120_000);
      send(p.child, { type: 'connect', url: server.url, count: p.count, maxEvents: total });
      await ready;
    }),
  );
  const connectMs = clock() - t0;
  console.log(`  ${o.displays} displays connected and subscribed in ${round(connectMs, 0)} ms`);
  await sleep(500);

  // Where the time goes: note when the server emits each batch to the displays' room, by
  // wrapping io.to (the broadcaster's fan-out calls it for every emit). The emit itself is
  // synchronous: it encodes once and queues the frame on every socket.
  const emitAt = new Float64Array(total).fill(NaN);
  const emitCost: number[] = [];
  const io = server.app.io;
  const to = io.to.bind(io);
  (io as any).to = (room: string) => {
    const op = to(room);
    const emit = op.emit.bind(op);
    (op as any).emit = (event: string, payload: any) => {
      if (event !== 'batch') return (emit as any)(event, payload);
      const a = clock();
      const r = (emit as any)(event, payload);
      emitCost.push(clock() - a);
      for (const e of payload.entries ?? []) {
        const m = /\[b:(\d+)\]$/.exec(e.event?.title ?? '');
        if (m && Number(m[1]) < total) emitAt[Number(m[1])] = a;
      }
      return r;
    };
    return op;
  };
  // Server-side time of each HTTP request, from its arrival to the end of its answer.
  const httpMs: number[] = [];
  const httpServer = server.app.io.httpServer as import('node:http').Server;
  const onRequest = (_req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const t = clock();
    res.once('finish', () => httpMs.push(clock() - t));
  };
  httpServer.on('request', onRequest);
  const sentBefore = server.app.broadcaster.sent;
  const watch = watchServer(server.app.queue);
  const cpu0 = process.cpuUsage();
  const w0 = clock();
  const gen = forkHelper('./loadgen.ts');
  const genDone = nextMessage<RateResult>(gen, 'done', o.durationMs + 120_000);
  send(gen, { type: 'rate', port, rate: o.rate, durationMs: o.durationMs, connections: 64, seed: 300 } satisfies RateJob);
  const acked = await genDone;
  await waitExit(gen);
  // Server CPU, event loop and commits over the load window only.
  const du = process.cpuUsage(cpu0);
  const watched = watch.stop();
  httpServer.off('request', onRequest);
  const httpServerSide = summarize(httpMs);
  const wallMs = clock() - w0;
  // The last reports go out with the next batch, at most BATCH_MS later. Displays that fell
  // behind are still working through their backlog: wait until every acknowledged event has
  // reached every display still connected, or until nothing has moved for 5 s (at most 60 s).
  const acks = acked.acks.filter((a) => !Number.isNaN(a)).length;
  let waitedMs = 0;
  {
    const w0 = clock();
    let last = -1;
    let still = clock();
    for (;;) {
      await sleep(500);
      const p = await Promise.all(procs.map(async (pr) => {
        const r = nextMessage<{ got: number; disconnects: number }>(pr.child, 'progress', 30_000);
        send(pr.child, { type: 'progress' });
        return r;
      }));
      const got = p.reduce((a, x) => a + x.got, 0);
      const gone = p.reduce((a, x) => a + x.disconnects, 0);
      if (got >= acks * (o.displays - gone)) break;
      if (got !== last) (last = got), (still = clock());
      if (clock() - still > 5_000 || clock() - w0 > 60_000) break;
    }
    waitedMs = clock() - w0;
  }
  const batchesSent = server.app.broadcaster.sent - sentBefore;

  const results = await Promise.all(
    procs.map(async (p) => {
      const r = nextMessage<DisplaysResult>(p.child, 'receipts', 60_000);
      send(p.child, { type: 'collect' });
      const res = await r;
      await waitExit(p.child);
      return { res, count: p.count };
    }),
  );
  await server.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });

  // Every display × every acknowledged event.
  const lat = new Float64Array(o.displays * total);
  let n = 0;
  let missing = 0;
  let duplicates = 0;
  let gaps = 0;
  let batches = 0;
  let disconnects = 0;
  const spread: number[] = [];
  // ack → emit (waiting for the batch window; negative when the batch left before the HTTP
  // answer reached the load generator) and emit → receipt (network and the display's decoding).
  const wait: number[] = [];
  const delivery = new Float64Array(o.displays * total);
  let nd = 0;
  const firstReceipt = new Float64Array(total).fill(Infinity);
  const lastReceipt = new Float64Array(total).fill(-Infinity);
  for (const { res, count } of results) {
    duplicates += res.duplicates;
    gaps += res.gaps;
    batches += res.batches;
    disconnects += res.disconnects;
    for (let d = 0; d < count; d++) {
      for (let i = 0; i < total; i++) {
        const ack = acked.acks[i]!;
        if (Number.isNaN(ack)) continue;
        const r = res.receipts[d * total + i]!;
        if (Number.isNaN(r)) {
          missing++;
          continue;
        }
        lat[n++] = r - ack;
        if (!Number.isNaN(emitAt[i]!)) delivery[nd++] = r - emitAt[i]!;
        if (r < firstReceipt[i]!) firstReceipt[i] = r;
        if (r > lastReceipt[i]!) lastReceipt[i] = r;
      }
    }
  }
  for (let i = 0; i < total; i++) {
    if (Number.isFinite(firstReceipt[i]!)) spread.push(lastReceipt[i]! - firstReceipt[i]!);
    if (!Number.isNaN(emitAt[i]!) && !Number.isNaN(acked.acks[i]!)) wait.push(emitAt[i]! - acked.acks[i]!);
  }
  const w = summarize(wait);
  const dl = summarize(delivery.subarray(0, nd));
  const ec = summarize(emitCost);
  const s = summarize(lat.subarray(0, n));
  const fan = summarize(spread);
  return {
    displays: o.displays,
    displayProcesses: o.displayProcs,
    rate: o.rate,
    durationMs: o.durationMs,
    sent: acked.sent,
    acknowledged: acks,
    httpErrors: acked.errors,
    expectedReceipts: acks * o.displays,
    receipts: n,
    missing,
    duplicates,
    gaps,
    disconnects,
    latencyMs: {
      min: round(s.min, 1), p50: round(s.p50, 1), p95: round(s.p95, 1), p99: round(s.p99, 1), max: round(s.max, 1), mean: round(s.mean, 1),
    },
    /** Per event: server emit minus ack. */
    ackToEmitMs: { p50: round(w.p50, 1), p99: round(w.p99, 1), max: round(w.max, 1) },
    /** Per receipt: receipt minus server emit. */
    emitToReceiptMs: { p50: round(dl.p50, 1), p99: round(dl.p99, 1), max: round(dl.max, 1) },
    /** Server time in one emit call (encode + queue on every socket of the room). */
    emitCallMs: { p50: round(ec.p50, 2), p99: round(ec.p99, 2), max: round(ec.max, 2), n: ec.n },
    /** Per event, last display's receipt minus the first's: the fan-out (and the display processes' own queue). */
    fanoutSpreadMs: { p50: round(fan.p50, 1), p99: round(fan.p99, 1), max: round(fan.max, 1) },
    requestLatencyMs: { p50: round(acked.latencyMs.p50, 2), p99: round(acked.latencyMs.p99, 2) },
    /** The same requests timed inside the server (arrival to end of answer). */
    requestServerSideMs: { p50: round(httpServerSide.p50, 2), p99: round(httpServerSide.p99, 2), max: round(httpServerSide.max, 2) },
    maxSendLagMs: round(acked.maxSendLagMs, 1),
    maxQueuedMs: round(acked.maxQueuedMs, 1),
    reopenedConnections: acked.connectionsOpened,
    httpStatuses: acked.statuses,
    batchesSentPerRoom: batchesSent,
    batchesReceivedPerDisplay: round(batches / o.displays, 1),
    serverCpu: round((du.user + du.system) / 1000 / wallMs, 2),
    ...watched,
    displaysCpu: results.map((r) => round(r.res.cpuShare, 2)),
    displaysEventLoopDelayMs: results.map((r) => r.res.eventLoopDelayMs),
    loadgenCpu: round(acked.cpuShare, 2),
    connectMs: round(connectMs, 0),
    /** How long after the last acknowledgement the displays took to receive everything. */
    drainMs: round(waitedMs, 0),
  };
}
