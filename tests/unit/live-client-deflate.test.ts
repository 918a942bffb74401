/**
 * The reference client with compressed batches (docs/PROTOCOL.md, "Encodings"): inflating is
 * asynchronous, yet batches and the heartbeats behind them are handled strictly in arrival
 * order; a frame that does not inflate is a lost batch; a server that does not know encodings
 * gets a plain subscribe at once.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LiveClient, type LiveSocket } from '../../shared/live-client.ts';
import type { Batch, Heartbeat, Snapshot, SubscribeResult } from '../../shared/protocol.ts';
import type { SubscribeRequest } from '../../shared/schemas.ts';

const views = { kpis: { openNow: 0 }, trend: [], categories: [], grids: [], asOf: '2026-03-10T10:00:00.000+08:00' } as unknown as Snapshot['views'];

/** Just enough of a socket.io client: connected, answering each subscribe with `answer(req)`. */
function fakeSocket(answer: (req: SubscribeRequest) => SubscribeResult) {
  const handlers = new Map<string, (arg: unknown) => void>();
  const requests: SubscribeRequest[] = [];
  const socket = {
    connected: true,
    on(name: string, fn: (arg: unknown) => void) { handlers.set(name, fn); return socket; },
    off(name: string) { handlers.delete(name); return socket; },
    timeout() {
      return {
        emit(_name: string, req: SubscribeRequest, ack: (err: Error | null, res: SubscribeResult) => void) {
          requests.push(req);
          ack(null, answer(req));
        },
      };
    },
  };
  return {
    socket: socket as unknown as LiveSocket,
    requests,
    frame: (b: Batch | string) => handlers.get('batch:deflate')?.(deflateRawSync(typeof b === 'string' ? b : JSON.stringify(b)).toString('base64')),
    heartbeat: (h: Heartbeat) => handlers.get('heartbeat')?.(h),
  };
}

const snapshot = (seq: number): SubscribeResult => ({
  ok: true, mode: 'snapshot',
  snapshot: {
    dbId: 'db1', seq, community: { id: 'guihua', name: { zh: '桂花社区', en: 'Guihua' }, timeZone: 'Asia/Shanghai', center: [0, 0] },
    grids: [], views, events: [], recent: [],
  },
});

const entry = (seq: number, title: string) => ({
  seq, at: '2026-03-10T10:00:00.000+08:00', type: 'event.reported' as const,
  event: { id: seq, code: `20260310${String(seq).padStart(6, '0')}`, gridId: 'G01', category: 'environment', status: 'reported' as const,
    title, lat: null, lng: null, overdue: false, closedAt: null, updatedAt: '2026-03-10T10:00:00.000+08:00', version: 1 },
});

/** Let the platform's DecompressionStream finish what is queued. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
};

describe('a wall taking compressed batches', () => {
  it('asks for them at subscribe', () => {
    const s = fakeSocket(() => snapshot(5));
    new LiveClient(s.socket, { view: 'screen', audience: 'public', encoding: 'deflate' });
    expect(s.requests[0]).toMatchObject({ view: 'screen', audience: 'public', encoding: 'deflate' });
  });

  it('handles a heartbeat that arrives while the batch before it is inflating after that batch, not as a gap', async () => {
    const s = fakeSocket(() => snapshot(5));
    const client = new LiveClient(s.socket, { view: 'screen', encoding: 'deflate' });
    // A long batch and a short one back to back, then the heartbeat naming the last seq.
    const long = Array.from({ length: 300 }, (_, i) => entry(6 + i, `楼道堆物 ${i} ${'长'.repeat(200)}`));
    s.frame({ prev: 5, seq: 305, entries: long, views });
    s.frame({ prev: 305, seq: 306, entries: [entry(306, '路灯')], views });
    s.heartbeat({ seq: 306, at: '2026-03-10T10:00:01.000+08:00' });
    await settle();
    expect(client.state.resyncs).toBe(0);
    expect(client.state.seq).toBe(306);
    expect(client.state.stream.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 306 - i));
    expect(s.requests).toHaveLength(1);
  });

  it('resyncs on a frame that does not inflate to a batch, as on a lost one', async () => {
    const s = fakeSocket(() => snapshot(5));
    const client = new LiveClient(s.socket, { view: 'screen', encoding: 'deflate' });
    s.frame('{"prev": 5, "seq": 6, "entr');
    await settle();
    expect(client.state.resyncs).toBe(1);
    expect(s.requests).toHaveLength(2);
    expect(s.requests[1]).toMatchObject({ since: 5, dbId: 'db1', encoding: 'deflate' });
  });

  it('keeps taking frames after one it could not apply, and asks again for the one it lost', async () => {
    let head = 5;
    const s = fakeSocket(() => snapshot(head));
    let fail = true;
    const client = new LiveClient(s.socket, {
      view: 'screen', encoding: 'deflate',
      onChange: (_state, why) => {
        if (why === 'batch' && fail) {
          fail = false;
          throw new Error('a panel failed to draw');
        }
      },
    });
    head = 6;
    s.frame({ prev: 5, seq: 6, entries: [entry(6, '楼道堆物')], views });
    await settle();
    expect(client.state.resyncs).toBe(1);
    s.frame({ prev: 6, seq: 7, entries: [entry(7, '路灯不亮')], views });
    s.frame({ prev: 7, seq: 8, entries: [entry(8, '井盖缺失')], views });
    s.heartbeat({ seq: 8, at: '2026-03-10T10:00:02.000+08:00' });
    await settle();
    expect(client.state.seq).toBe(8);
    expect(client.state.stream.map((e) => e.seq).slice(0, 2)).toEqual([8, 7]);
    expect(client.state.resyncs).toBe(1);
  });

  it('drops a frame still inflating when it subscribes again: the answer covers it', async () => {
    const s = fakeSocket(() => snapshot(5));
    const client = new LiveClient(s.socket, { view: 'screen', encoding: 'deflate' });
    s.frame({ prev: 5, seq: 6, entries: [entry(6, '旧的')], views });
    void client.subscribe(); // answered at once, with a snapshot at seq 5 (the fake always answers one)
    await settle();
    expect(client.state.seq).toBe(5);
    expect(client.state.stream).toEqual([]);
  });

  it('subscribes again without an encoding, at once, when the server does not know it', () => {
    const s = fakeSocket((req) => req.encoding
      ? { ok: false, error: 'error.validation', issues: [{ field: 'encoding', problem: 'Unrecognized key' }] }
      : snapshot(7));
    const client = new LiveClient(s.socket, { view: 'screen', encoding: 'deflate' });
    expect(s.requests.map((r) => r.encoding)).toEqual(['deflate', undefined]);
    expect(client.state.seq).toBe(7);
    expect(client.state.error).toBe(null);
  });
});
