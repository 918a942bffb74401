/**
 * A wall's "data late" banner measures age on the page's monotonic clock, not its wall clock:
 * the soak set a wall's clock back an hour and forward to midnight; with ages taken from
 * `Date.now()` the banner said "数据延迟 32400 秒" on a fresh stream, and a clock set back hid
 * a server that had gone quiet. Fake timers move `Date` and `performance.now` together as time
 * passes; `setSystemTime` moves `Date` alone, as a clock change does.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveClient, type LiveSocket } from '../../shared/live-client.ts';
import type { Heartbeat, Snapshot, SubscribeResult } from '../../shared/protocol.ts';

/** Just enough of a socket.io client: it is connected and answers every subscribe with a snapshot. */
function fakeSocket() {
  const handlers = new Map<string, (arg: unknown) => void>();
  const snapshot: Snapshot = {
    dbId: 'db1', seq: 5,
    community: { id: 'guihua', name: '桂花社区', timeZone: 'Asia/Shanghai' } as unknown as Snapshot['community'],
    grids: [], views: {} as Snapshot['views'], events: [], recent: [],
  };
  const socket = {
    connected: true,
    on(name: string, fn: (arg: unknown) => void) { handlers.set(name, fn); return socket; },
    timeout() {
      return {
        emit(_name: string, _req: unknown, ack: (err: Error | null, res: SubscribeResult) => void) {
          ack(null, { ok: true, mode: 'snapshot', snapshot });
        },
      };
    },
  };
  return {
    socket: socket as unknown as LiveSocket,
    heartbeat: (h: Heartbeat) => handlers.get('heartbeat')?.(h),
  };
}

const HOUR = 3_600_000;

describe("a wall's staleness does not follow its clock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'performance', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(Date.parse('2026-03-10T23:59:20+08:00'));
  });
  afterEach(() => { vi.useRealTimers(); });

  it('a clock moved forward nine hours does not make a fresh stream look late', () => {
    const s = fakeSocket();
    const client = new LiveClient(s.socket, { view: 'screen' });
    expect(client.state.dbId).toBe('db1');
    vi.advanceTimersByTime(5_000);
    s.heartbeat({ seq: 5, at: new Date().toISOString() });
    vi.setSystemTime(Date.now() + 9 * HOUR);
    vi.advanceTimersByTime(1_000);
    expect(client.staleSeconds()).toBe(0);
    expect(client.isStale()).toBe(false);
  });

  it('a clock set back an hour does not hide a server that has gone quiet', () => {
    const s = fakeSocket();
    const client = new LiveClient(s.socket, { view: 'screen' });
    vi.setSystemTime(Date.now() - HOUR);
    vi.advanceTimersByTime(20_000);
    expect(client.staleSeconds()).toBe(20);
    expect(client.isStale()).toBe(true);
  });
});
