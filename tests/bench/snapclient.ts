/**
 * One wall display in its own process for the snapshot benchmark: subscribes with no `since`
 * again and again, and times each round trip from emit to the acknowledgement's arrival
 * (which includes socket.io decoding the snapshot on this side).
 */
import { io as connect } from 'socket.io-client';
import type { SubscribeResult } from '../../shared/protocol.ts';
import { clock, helperMain } from './lib.ts';

export interface SnapJob {
  type: 'snap';
  displayToken: string;
  url: string;
  warmup: number;
  repeats: number;
}

export interface SnapResult {
  type: 'snap-done';
  roundTripsMs: number[];
  bytes: number;
  events: number;
  recent: number;
}

helperMain(async () => {
  const job = await new Promise<SnapJob>((resolve) => process.once('message', (m) => resolve(m as any)));
  const open = async () => {
    const sock = connect(job.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { displayToken: job.displayToken } });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('connect_error', reject);
    });
    return sock;
  };
  let s = await open();
  const times: number[] = [];
  let last: SubscribeResult | null = null;
  for (let i = 0; i < job.warmup + job.repeats; i++) {
    // A socket may subscribe 10 times in 10 s (SUBSCRIBE_LIMIT): a fresh socket every 10, not timed.
    if (i > 0 && i % 10 === 0) {
      s.close();
      s = await open();
    }
    const t0 = clock();
    last = await s.timeout(60_000).emitWithAck('subscribe', { view: 'screen' });
    const ms = clock() - t0;
    if (!last?.ok || last.mode !== 'snapshot') throw new Error(`expected a snapshot, got ${JSON.stringify(last).slice(0, 200)}`);
    if (i >= job.warmup) times.push(ms);
  }
  s.close();
  const snap = last!.ok && last!.mode === 'snapshot' ? last!.snapshot : null;
  const result: SnapResult = {
    type: 'snap-done', roundTripsMs: times, bytes: Buffer.byteLength(JSON.stringify(last)),
    events: snap?.events.length ?? 0, recent: snap?.recent.length ?? 0,
  };
  process.send!(result, () => process.disconnect());
});
