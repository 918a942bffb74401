/**
 * The displays of the fan-out benchmark (fanout.ts), in their own process: `count` real
 * socket.io clients that count the events they receive (one per `event`, or each entry of a
 * `batch` or of an inflated `batch:deflate` frame) and the bytes of every message as written on
 * the socket: text (JSON) and binary frames.
 */
import { inflateRawSync } from 'node:zlib';
import { io as connect, type Socket } from 'socket.io-client';
import { helperMain } from './lib.ts';

export interface FanoutCounts {
  events: number;
  bytes: number;
}

helperMain(async () => {
  const job = await new Promise<{ url: string; count: number }>((resolve) => process.once('message', (m) => resolve(m as any)));
  let events = 0;
  let bytes = 0;
  const sockets: Socket[] = [];
  const open = () => new Promise<void>((resolve, reject) => {
    const s = connect(job.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(s);
    // The frame as the server wrote it: socket.io's packet prefix aside, the JSON of the arguments.
    s.io.engine.on('packet', (p: { type: string; data?: unknown }) => {
      if (p.type !== 'message') return;
      if (typeof p.data === 'string') bytes += Buffer.byteLength(p.data);
      else if (p.data instanceof ArrayBuffer || ArrayBuffer.isView(p.data)) bytes += p.data.byteLength;
    });
    s.on('event', () => events++);
    s.on('batch', (b: { entries: unknown[] }) => (events += b.entries.length));
    s.on('batch:deflate', (f: string) => (events += (JSON.parse(inflateRawSync(Buffer.from(f, 'base64')).toString('utf8')) as { entries: unknown[] }).entries.length));
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  for (let d = 0; d < job.count; d += 20) await Promise.all(Array.from({ length: Math.min(20, job.count - d) }, open));
  process.send!({ type: 'ready' });
  process.on('message', (m: any) => {
    if (m?.type === 'reset') {
      events = bytes = 0;
      process.send!({ type: 'reset' });
    } else if (m?.type === 'counts') {
      process.send!({ type: 'counts', events, bytes } satisfies FanoutCounts & { type: string });
    } else if (m?.type === 'close') {
      for (const s of sockets) s.close();
      setTimeout(() => process.exit(0), 100);
    }
  });
});
