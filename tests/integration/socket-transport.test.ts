/**
 * What docs/PROTOCOL.md promises another vendor about the socket itself: the limits the server
 * announces at the handshake, that a message over 64 KiB or a malformed packet closes the
 * connection, that `view: 'events'` is answered like `'screen'`, and what a subscribe for
 * another community gets.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSocket, post, sampleReport, startServer, type TestServer, type TestSocket } from '../support/server.ts';
import { SOCKET_LIMITS } from '../../server/live/socket.ts';

let ts: TestServer;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  ts = await startServer();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await ts?.stop();
});

async function display(): Promise<TestSocket> {
  const s = openSocket(ts.url, { display: true, reconnection: false });
  sockets.push(s);
  if (!s.connected) await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

/** Why the socket was closed, or 'still connected' after `ms`. */
const closedWithin = (s: TestSocket, ms: number) =>
  new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('still connected'), ms);
    s.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });

describe('the socket a display connects', () => {
  it('is told the ping interval, ping timeout and largest message the document states', async () => {
    const res = await fetch(`${ts.url}/socket.io/?EIO=4&transport=polling`);
    const open = JSON.parse((await res.text()).replace(/^0/, '')) as Record<string, number>;
    expect(open).toMatchObject({
      pingInterval: SOCKET_LIMITS.pingInterval,
      pingTimeout: SOCKET_LIMITS.pingTimeout,
      maxPayload: SOCKET_LIMITS.maxHttpBufferSize,
    });
    expect(SOCKET_LIMITS).toEqual({ maxHttpBufferSize: 64 * 1024, pingInterval: 10_000, pingTimeout: 10_000 });
  });

  it('is closed, with no answer, by a message over 64 KiB; a large one under it gets an answer', async () => {
    const under = await display();
    const answer = await under.timeout(5_000).emitWithAck('subscribe', { view: 'screen', dbId: 'x'.repeat(60 * 1024) });
    expect(answer).toMatchObject({ ok: false, error: 'error.validation', issues: [{ field: 'dbId' }] });
    expect(under.connected).toBe(true);

    const over = await display();
    let answered = false;
    over.emit('subscribe', { view: 'screen', dbId: 'x'.repeat(65 * 1024) }, () => (answered = true));
    expect(await closedWithin(over, 3_000)).toBe('transport close');
    expect(answered).toBe(false);
  });

  it('is closed by a malformed packet', async () => {
    const s = await display();
    // An EVENT packet whose JSON never ends, written below socket.io's encoder.
    (s.io.engine as unknown as { write(data: string): void }).write('2["subscribe",{"view":"screen"');
    expect(await closedWithin(s, 3_000)).toBe('transport close');
  });

  it("answers view 'events' exactly as view 'screen'", async () => {
    expect((await post(`${ts.url}/api/v1/events`, sampleReport())).status).toBe(201);
    const s = await display();
    const screen = await s.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
    const events = await s.timeout(5_000).emitWithAck('subscribe', { view: 'events' });
    if (!screen.ok || screen.mode !== 'snapshot' || !events.ok || events.mode !== 'snapshot') throw new Error('expected two snapshots');
    const { views: a, ...restA } = screen.snapshot;
    const { views: b, ...restB } = events.snapshot;
    expect(restA.events.length).toBeGreaterThan(0);
    expect(restB).toEqual(restA);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  });

  it('refuses another community than its own, naming the field, and stays connected', async () => {
    const s = await display();
    const r = await s.timeout(5_000).emitWithAck('subscribe', { view: 'screen', community: 'elsewhere' });
    expect(r).toEqual({ ok: false, error: 'error.not_found', issues: [{ field: 'community', problem: 'no community elsewhere for you' }] });
    expect(s.connected).toBe(true);
    const own = await s.timeout(5_000).emitWithAck('subscribe', { view: 'screen', community: ts.app.directory.defaultCommunity()!.id });
    expect(own.ok).toBe(true);
  });
});
