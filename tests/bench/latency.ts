/**
 * 2. End-to-end latency: from the API acknowledgement of a report to its receipt by every one
 * of `displays` connected wall displays, at a fixed rate. The server runs in this process; the
 * displays (in `displayProcs` processes) and the load generator are forked, so neither shares
 * the server's thread. Both stamp times with the shared clock of lib.ts.
 *
 * With `alongside` (the mixed load of mixed.ts) other streams run in the server process during
 * the window, and the changes they name are timed too: from their instant to each display's
 * receipt of a batch whose `seq` covers them (subject changes travel as fresh views).
 */
import fs from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { apiKey, startServer, type TestServer } from '../support/server.ts';
import type { DisplaysResult } from './displays.ts';
import type { RateJob, RateResult } from './loadgen.ts';
import { clock, forkHelper, nextMessage, round, send, sleep, summarize, waitExit, watchServer } from './lib.ts';

export interface LatencyOptions {
  displays: number;
  displayProcs: number;
  rate: number;
  durationMs: number;
  /**
   * Start the server on this data folder (it is deleted afterwards) instead of a fresh demo
   * community with 30 days of grid-event history.
   */
  dataDir?: string;
  /** Other streams, started once the displays are subscribed and stopped after the last acknowledgement. */
  alongside?: (server: TestServer) => Promise<Alongside>;
  /** The displays take plain JSON batches (by default they ask for compressed ones, as the wall does). */
  plain?: boolean;
}

/** Changes to time to the displays: parallel arrays of seq and the instant each counts from. */
export interface TimedChanges {
  seq: Float64Array;
  at: Float64Array;
}

export interface Alongside {
  /** Stop, wait for what is in flight, and report. */
  stop(): Promise<{ timed: TimedChanges; summary: Record<string, unknown> }>;
}

/**
 * For every display × change, the time from the change's instant to the display's receipt of
 * the first batch whose seq is at least the change's (`logs`: per display, [seq, at, …] in
 * arrival order, seqs non-decreasing). Missing: no such batch arrived.
 */
export function coverLatency(logs: Float64Array[], changes: TimedChanges) {
  const lat: number[] = [];
  let missing = 0;
  for (const log of logs) {
    const n = log.length / 2;
    for (let c = 0; c < changes.seq.length; c++) {
      const s = changes.seq[c]!;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (log[2 * mid]! >= s) hi = mid;
        else lo = mid + 1;
      }
      if (lo === n) missing++;
      else lat.push(log[2 * lo + 1]! - changes.at[c]!);
    }
  }
  const x = summarize(lat);
  return {
    changes: changes.seq.length, pairs: changes.seq.length * logs.length, missing,
    p50: round(x.p50, 1), p95: round(x.p95, 1), p99: round(x.p99, 1), max: round(x.max, 1),
  };
}

export async function benchLatency(o: LatencyOptions) {
  // Production batching (100 ms) and a community with 30 days of history, as a wall sees it.
  const server = await startServer(o.dataDir ? { env: { BATCH_MS: '100' }, dataDir: o.dataDir } : { env: { BATCH_MS: '100' }, historyDays: 30 });
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
      send(p.child, { type: 'connect', url: server.url, count: p.count, maxEvents: total, displayToken: server.displayToken!, plain: o.plain ?? false });
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
  // Every 10th batch's size as plain JSON (UTF-8), the subject views' share of it, and its
  // compressed frame's. A compressed batch is inflated here to read it, after its emit is
  // timed (in the server's CPU figure: ~0.1 ms a batch).
  const batchBytes: number[] = [];
  const subjectBytes: number[] = [];
  const frameBytes: number[] = [];
  let emits = 0;
  const io = server.app.io;
  const to = io.to.bind(io);
  (io as any).to = (room: string) => {
    const op = to(room);
    const emit = op.emit.bind(op);
    (op as any).emit = (event: string, arg: any) => {
      if (event !== 'batch' && event !== 'batch:deflate') return (emit as any)(event, arg);
      const a = clock();
      const r = (emit as any)(event, arg);
      emitCost.push(clock() - a);
      const json = event === 'batch' ? null : inflateRawSync(Buffer.from(arg as string, 'base64')).toString('utf8');
      const payload = json === null ? arg : JSON.parse(json);
      if (emits++ % 10 === 0) {
        batchBytes.push(json === null ? Buffer.byteLength(JSON.stringify(payload)) : Buffer.byteLength(json));
        if (json !== null) frameBytes.push((arg as string).length);
        if (payload.views?.subjects) subjectBytes.push(Buffer.byteLength(JSON.stringify(payload.views.subjects)));
      }
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
  // The other streams start before the window (their warm-up is theirs to choose).
  const alongside = o.alongside ? await o.alongside(server) : null;
  // What the subject views cost the server in the window: recomputes (a change made them stale,
  // or they were a minute old) and SubjectStats.apply on each commit with subject changes.
  const subjects = server.app.subjects;
  const originalViews = subjects.views;
  const originalApply = subjects.apply;
  const recomputeMs: number[] = [];
  const applyMs: number[] = [];
  // Each commit with subject changes: its last seq and the instant (its writers resolve next).
  const commitSeq: number[] = [];
  const commitAt: number[] = [];
  let viewCalls = 0;
  (subjects as any).views = function (...args: Parameters<typeof originalViews>) {
    const before = subjects.computed;
    const a = performance.now();
    const r = originalViews.apply(subjects, args);
    viewCalls++;
    if (subjects.computed !== before) recomputeMs.push(performance.now() - a);
    return r;
  };
  (subjects as any).apply = function (...args: Parameters<typeof originalApply>) {
    const changes = args[0];
    commitSeq.push(changes[changes.length - 1]!.seq);
    commitAt.push(clock());
    const a = performance.now();
    originalApply.apply(subjects, args);
    applyMs.push(performance.now() - a);
  };
  const sentBefore = server.app.broadcaster.sent;
  const watch = watchServer(server.app.queue);
  const cpu0 = process.cpuUsage();
  const w0 = clock();
  const gen = forkHelper('./loadgen.ts');
  const genDone = nextMessage<RateResult>(gen, 'done', o.durationMs + 120_000);
  send(gen, { type: 'rate', port, rate: o.rate, durationMs: o.durationMs, connections: 64, seed: 300, apiKey: apiKey(server.app).secret } satisfies RateJob);
  const acked = await genDone;
  await waitExit(gen);
  // Server CPU, event loop and commits over the load window only.
  const du = process.cpuUsage(cpu0);
  const watched = watch.stop();
  httpServer.off('request', onRequest);
  (subjects as any).views = originalViews;
  (subjects as any).apply = originalApply;
  const along = alongside ? await alongside.stop() : null;
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
  const logs = results.flatMap((r) => r.res.batchLog);
  const subjectChanges = along ? coverLatency(logs, along.timed) : null;
  const subjectCommits = commitSeq.length ? coverLatency(logs, { seq: Float64Array.from(commitSeq), at: Float64Array.from(commitAt) }) : null;
  const rc = summarize(recomputeMs);
  const ap = summarize(applyMs);
  const bb = summarize(batchBytes);
  const sb = summarize(subjectBytes);
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
    /** Sampled batches (every 10th): bytes of JSON, and of the subject views inside. */
    batchBytes: { n: bb.n, p50: bb.p50, max: bb.max, subjectViewsP50: sb.p50 },
    /**
     * What one display receives per second in the window, as the displays counted it on the wire
     * (every message after the subscribe answer, in their encoding), over the window's length.
     */
    wireBytesPerDisplayPerSec: round(results.reduce((a, r) => a + r.res.wireBytes, 0) / o.displays / (wallMs / 1000), 0),
    encoding: o.plain ? 'plain' : 'deflate',
    /** The same in plain JSON: the sampled batches' JSON bytes × 10 over the window's length. */
    bytesPerDisplayPerSec: round((batchBytes.reduce((a, b) => a + b, 0) * 10) / (wallMs / 1000), 0),
    /** Sampled compressed frames (every 10th batch), bytes, when the displays took them. */
    frameBytes: frameBytes.length ? { n: frameBytes.length, p50: summarize(frameBytes).p50 } : null,
    /** Server time of the subject views in the window. */
    subjectViews: {
      calls: viewCalls,
      recomputes: rc.n, recomputeMs: { p50: round(rc.p50, 2), p99: round(rc.p99, 2), max: round(rc.max, 2), total: round(rc.mean * rc.n || 0, 0) },
      applies: ap.n, applyMs: { p50: round(ap.p50, 2), p99: round(ap.p99, 2), max: round(ap.max, 2), total: round(ap.mean * ap.n || 0, 0) },
    },
    /** The direct subject writes of `alongside`, from their resolve to each display's covering batch. */
    subjectChanges,
    /** Every commit with subject changes in the window (simulators' too), from the commit to each display's covering batch. */
    subjectCommits,
    alongside: along?.summary ?? null,
  };
}
