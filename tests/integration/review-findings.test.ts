/**
 * Review findings (names in free text on public walls): each test is a leak the wall must not show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocket, post, startServer, type TestServer } from '../support/server.ts';
import type { SubscribeResult } from '../../shared/protocol.ts';

let ts: TestServer;
let api: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
}, 60_000);
afterAll(async () => {
  await ts?.stop();
});

async function ok(path: string, body: unknown, status = 201) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

async function wallSnapshot(): Promise<Extract<SubscribeResult, { mode: 'snapshot' }>> {
  const s = openSocket(ts.url, { display: true, reconnection: false });
  try {
    const r: SubscribeResult = await s.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
    if (!r.ok || r.mode !== 'snapshot') throw new Error(JSON.stringify(r));
    return r;
  } finally {
    s.close();
  }
}

describe('a person the community holds only as a resource provider', () => {
  it('is masked on the wall when staff type their name into an event title', async () => {
    // A private donor offering a resource: the name is typed (no record), and the needs
    // service itself treats it as a person's (publicProvider masks it in the feed).
    await ok('/resources', { providerKind: 'donor', providerName: '郭靖', title: '轮椅借用', category: 'repair', capacity: 1 });
    const e = (await ok('/events', { category: 'environment', title: '郭靖捐的轮椅已送到', gridId: 'G01', source: 'hotline' })).event;
    await new Promise((r) => setTimeout(r, 50));
    const snap = await wallSnapshot();
    const onWall = snap.snapshot.events.find((x) => x.id === e.id)!;
    expect(onWall.title).toBe('郭*捐的轮椅已送到');
    expect(JSON.stringify(snap)).not.toContain('郭靖');
  });
});
