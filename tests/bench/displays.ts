/**
 * Wall displays for the latency benchmark, run in their own process: `count` real
 * socket.io-client sockets that connect as public displays, subscribe (snapshot), then record
 * the instant each tagged event (`[b:<i>]` in its title) arrives in a batch, per display.
 * They also check the protocol's promise: every batch's `prev` is the seq the display last had,
 * and log every batch's `seq` with its receipt instant, so that changes which travel as fresh
 * views rather than entries (the other subjects) can be timed too: a change with seq S has
 * reached a display when a batch with `seq` ≥ S has.
 *
 * They subscribe as the wall does, for compressed batches (`encoding: 'deflate'`; `plain: true`
 * for plain JSON), and count the bytes of every message written to them after their subscribe
 * answer: text and binary WebSocket messages as they arrive.
 */
import { inflateRawSync } from 'node:zlib';
import { io as connect, type Socket } from 'socket.io-client';
import type { Batch, ClientToServerEvents, ServerToClientEvents, SubscribeResult } from '../../shared/protocol.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { clock, helperMain, round } from './lib.ts';

type S = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectJob {
  type: 'connect';
  /** A paired display's token: every bench display connects as that wall. */
  displayToken: string;
  url: string;
  count: number;
  maxEvents: number;
  /** Subscribe for plain JSON batches instead of compressed ones. */
  plain?: boolean;
}

export interface DisplaysResult {
  type: 'receipts';
  /** receipts[d * maxEvents + i] = when display d received event i (NaN: never). */
  receipts: Float64Array;
  duplicates: number;
  gaps: number;
  batches: number;
  disconnects: number;
  cpuShare: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Per display, the batches it took in arrival order: [seq₀, at₀, seq₁, at₁, …] (stale ones left out). */
  batchLog: Float64Array[];
  /** Bytes of the messages the displays received after their subscribe answers, all of them together. */
  wireBytes: number;
}

const TAG = /\[b:(\d+)\]$/;

helperMain(async () => {
  const job = await new Promise<ConnectJob>((resolve) => process.once('message', (m) => resolve(m as any)));
  const { count, maxEvents } = job;
  const receipts = new Float64Array(count * maxEvents).fill(NaN);
  const lastSeq = new Float64Array(count);
  const batchLog: number[][] = Array.from({ length: count }, () => []);
  let duplicates = 0;
  let gaps = 0;
  let batches = 0;
  let disconnects = 0;
  let wireBytes = 0;
  let counting = false;
  const sockets: S[] = [];

  const open = (d: number) =>
    new Promise<void>((resolve, reject) => {
      const s: S = connect(job.url, {
        transports: ['websocket'], forceNew: true, reconnection: false, auth: { displayToken: job.displayToken },
      });
      sockets.push(s);
      s.on('connect_error', reject);
      s.on('disconnect', () => disconnects++);
      s.io.engine.on('packet', (p: { type: string; data?: unknown }) => {
        if (!counting || p.type !== 'message') return;
        if (typeof p.data === 'string') wireBytes += Buffer.byteLength(p.data);
        else if (p.data instanceof ArrayBuffer || ArrayBuffer.isView(p.data)) wireBytes += p.data.byteLength;
      });
      s.on('batch:deflate', (frame: string) => onBatch(JSON.parse(inflateRawSync(Buffer.from(frame, 'base64')).toString('utf8')) as Batch));
      s.on('batch', (b: Batch) => onBatch(b));
      const onBatch = (b: Batch) => {
        const at = clock();
        batches++;
        // As the LiveClient reads them: a batch from before the snapshot is stale, one whose
        // `prev` is ahead of what the display has means something was lost.
        if (b.seq < lastSeq[d]!) return;
        if (b.prev > lastSeq[d]!) gaps++;
        lastSeq[d] = b.seq;
        batchLog[d]!.push(b.seq, at);
        for (const e of b.entries) {
          if (e.type !== 'event.reported') continue;
          const m = TAG.exec(e.event.title);
          if (!m) continue;
          const i = Number(m[1]);
          if (i >= maxEvents) continue;
          const k = d * maxEvents + i;
          if (!Number.isNaN(receipts[k]!)) duplicates++;
          else receipts[k] = at;
        }
      };
      s.once('connect', () => {
        s.timeout(30_000).emit('subscribe', { view: 'screen', ...(job.plain ? {} : { encoding: 'deflate' as const }) }, (err: Error | null, r: SubscribeResult) => {
          if (err) return reject(err);
          if (!r.ok || r.mode !== 'snapshot') return reject(new Error(`subscribe failed: ${JSON.stringify(r).slice(0, 200)}`));
          lastSeq[d] = r.snapshot.seq;
          resolve();
        });
      });
    });

  // Connect in small waves, as a room of displays coming up would.
  for (let d = 0; d < count; d += 20) {
    await Promise.all(Array.from({ length: Math.min(20, count - d) }, (_, k) => open(d + k)));
  }
  counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = clock();
  // How long this process's own event loop made arriving frames wait (its receive queue).
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.send!({ type: 'ready' });

  // Answer progress questions (receipts so far) until asked to collect.
  await new Promise<void>((resolve) => {
    const onMessage = (m: any) => {
      if (m?.type === 'progress') {
        let got = 0;
        for (let k = 0; k < receipts.length; k++) if (!Number.isNaN(receipts[k]!)) got++;
        process.send!({ type: 'progress', got, disconnects });
        return;
      }
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
  const du = process.cpuUsage(cpu0);
  const cpuShare = (du.user + du.system) / 1000 / (clock() - t0);
  loop.disable();
  const eventLoopDelayMs = { p50: round(loop.percentile(50) / 1e6, 1), p99: round(loop.percentile(99) / 1e6, 1), max: round(loop.max / 1e6, 1) };
  for (const s of sockets) {
    s.off('disconnect');
    s.close();
  }
  const result: DisplaysResult = {
    type: 'receipts', receipts, duplicates, gaps, batches, disconnects, cpuShare, eventLoopDelayMs,
    batchLog: batchLog.map((l) => Float64Array.from(l)), wireBytes,
  };
  process.send!(result, () => process.disconnect());
});
