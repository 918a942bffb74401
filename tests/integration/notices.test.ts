/**
 * The notice centre over real HTTP and real sockets: the person a case waits for is told — a case
 * dispatched to a grid worker's account, sent back to the dispatcher who dispatched it, a
 * reminder and supervision from the deadline timer, an extension decided for who asked — once,
 * live on their socket and kept until read; a refused change tells nobody; and nobody reads or
 * marks another person's notices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoticeAlert, NoticesRead } from '../../shared/protocol.ts';
import {
  createUser, logIn, openSocket, request, sampleReport, startServer, TEST_PASSWORD, until,
  type Credentials, type TestServer, type TestSocket,
} from '../support/server.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

let clock = Date.now();
let ts: TestServer;
let api: string;
let worker: Credentials;
let dispatcher: Credentials;
let other: Credentials;
let workerSocket: TestSocket;
const heard: NoticeAlert[] = [];
const readHeard: NoticesRead[] = [];
let g01Worker: string;

beforeAll(async () => {
  // The server's own timer is slowed right down: the tests tick it when they choose.
  ts = await startServer({ now: () => clock, env: { TIMER_MS: '600000' } });
  api = `${ts.url}/api/v1`;
  g01Worker = ts.app.directory.grids.get('G01')!.workerId!;
  await ts.app.auth.accounts.users.create(null, ts.app.directory.defaultCommunity()!.id, {
    username: 'wang-li', displayName: '王丽', role: 'grid_worker', grids: ['G01'], workerId: g01Worker,
    password: TEST_PASSWORD, mustChangePassword: false,
  });
  await createUser(ts.app, 'disp-a', 'dispatcher');
  await createUser(ts.app, 'disp-b', 'dispatcher');
  worker = await logIn(ts.url, 'wang-li', TEST_PASSWORD);
  dispatcher = await logIn(ts.url, 'disp-a', TEST_PASSWORD);
  other = await logIn(ts.url, 'disp-b', TEST_PASSWORD);
  // A socket that subscribes to nothing still hears its person's notices.
  workerSocket = openSocket(ts.url, { as: worker, reconnection: false });
  workerSocket.on('notice', (n) => heard.push(n));
  workerSocket.on('notice:read', (r) => readHeard.push(r));
  await new Promise<void>((resolve, reject) => (workerSocket.once('connect', () => resolve()), workerSocket.once('connect_error', reject)));
});
afterAll(async () => {
  workerSocket?.close();
  await ts?.stop();
});

const act = (id: number, action: string, body: Record<string, unknown>, as: Credentials) =>
  request(`${api}/events/${id}/${action}`, { method: 'POST', body, as });
const notices = async (as: Credentials, query = '') => {
  const r = await request(`${api}/notices${query}`, { as });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { items: any[]; nextCursor: string | null; unread: number };
};
const rows = () => (ts.app.db.prepare('SELECT COUNT(*) FROM notices').pluck().get() as number);

/** A report in G01, accepted by the dispatcher. */
async function acceptedCase(title: string) {
  const r = await request(`${api}/events`, { method: 'POST', body: sampleReport({ title, gridId: 'G01' }), as: dispatcher });
  expect(r.status).toBe(201);
  const e = r.body.event;
  expect((await act(e.id, 'accept', {}, dispatcher)).status).toBe(200);
  return e.id as number;
}

async function dispatchedCase(title: string) {
  const id = await acceptedCase(title);
  const d = await act(id, 'dispatch', { assigneeId: g01Worker }, dispatcher);
  expect(d.status, JSON.stringify(d.body)).toBe(200);
  return { id, version: d.body.event.version as number, handleDueAt: Date.parse(d.body.event.handleDueAt) };
}

describe('a case dispatched to a grid worker', () => {
  it('tells their account once, on their socket within a second, and lists it first', async () => {
    const before = (await notices(worker)).unread;
    const heardBefore = heard.length;
    const id = await acceptedCase('桂花苑5幢路灯不亮');
    const sent = Date.now();
    expect((await act(id, 'dispatch', { assigneeId: g01Worker }, dispatcher)).status).toBe(200);
    await until(() => heard.length > heardBefore, 'the notice on the worker\'s socket', 1_000);
    const latency = Date.now() - sent;
    console.log(`notice latency (dispatch sent → notice on the worker's socket): ${latency} ms`);
    expect(latency).toBeLessThan(1_000);
    expect(heard.slice(heardBefore)).toHaveLength(1);
    const alert = heard.at(-1)!;
    expect(alert.notice).toMatchObject({ kind: 'dispatched', eventId: id, title: '桂花苑5幢路灯不亮', byName: 'disp-a', readAt: null });
    expect(alert.unread).toBe(before + 1);

    const list = await notices(worker);
    expect(list.unread).toBe(before + 1);
    expect(list.items[0]).toEqual(alert.notice);
    expect(list.items.filter((n) => n.eventId === id)).toHaveLength(1);
  });

  it('writes no notice when the dispatch is refused (a stale version, a status that does not allow it)', async () => {
    const { id } = await dispatchedCase('丹桂巷井盖松动');
    const count = rows();
    const heardBefore = heard.length;
    const stale = await act(id, 'dispatch', { assigneeId: g01Worker, expectedVersion: 1 }, dispatcher);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('error.version_conflict');
    const refused = await act(id, 'accept', {}, dispatcher);
    expect(refused.status).toBe(409);
    await new Promise((r) => setTimeout(r, 200));
    expect(rows()).toBe(count);
    expect(heard.length).toBe(heardBefore);
  });
});

describe('a case returned for rework (退回)', () => {
  it('tells the worker who resolved it, by the dispatcher\'s name', async () => {
    const { id } = await dispatchedCase('桂花苑8幢垃圾满溢');
    expect((await act(id, 'start', {}, worker)).status).toBe(200);
    expect((await act(id, 'resolve', { note: '已清运' }, worker)).status).toBe(200);
    const r = await act(id, 'return', { note: '现场仍有垃圾' }, dispatcher);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await notices(worker)).items[0]).toMatchObject({ kind: 'returned', eventId: id, byName: 'disp-a', note: '现场仍有垃圾' });
  });
});

describe('the centre chasing a case (催办)', () => {
  it('tells the worker, with what the centre wrote', async () => {
    const { id } = await dispatchedCase('桂花苑2幢楼道堆物');
    expect((await act(id, 'urge', { note: '请今天下班前处理' }, dispatcher)).status).toBe(200);
    expect((await notices(worker)).items[0]).toMatchObject({ kind: 'urged', eventId: id, byName: 'disp-a', note: '请今天下班前处理' });
  });
});

describe('a case sent back to the centre (回退)', () => {
  it('tells the dispatcher who dispatched it, and not every dispatcher', async () => {
    const { id } = await dispatchedCase('桂花苑2幢漏水');
    const others = (await notices(other)).unread;
    const admins = (await notices(ts.admin!)).unread;
    const r = await act(id, 'send_back', { note: '不在我的网格' }, worker);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const mine = await notices(dispatcher);
    expect(mine.items[0]).toMatchObject({ kind: 'sent_back', eventId: id, byName: '王丽' });
    expect((await notices(other)).unread).toBe(others);
    expect((await notices(ts.admin!)).unread).toBe(admins);
  });
});

describe('the deadline timer', () => {
  it('reminds (催办) the assignee when 80 % of the handling time is spent, then supervises (督办) them and the centre when it has passed', async () => {
    const { id, handleDueAt } = await dispatchedCase('桂花苑7幢电梯异响');
    const start = clock;
    try {
      clock = start + 0.85 * (handleDueAt - start);
      const heardBefore = heard.length;
      expect((await ts.app.events.deadlines.check()).reminded).toBeGreaterThanOrEqual(1);
      await until(() => heard.some((n, i) => i >= heardBefore && n.notice.eventId === id && n.notice.kind === 'reminded'), 'the reminder');
      const reminded = heard.find((n, i) => i >= heardBefore && n.notice.eventId === id)!.notice;
      expect(reminded.byName).toBeNull();
      expect(Date.parse(reminded.dueAt!)).toBe(handleDueAt);

      clock = handleDueAt + MIN;
      expect((await ts.app.events.deadlines.check()).overdue).toBeGreaterThanOrEqual(1);
      await until(() => heard.some((n) => n.notice.eventId === id && n.notice.kind === 'overdue'), 'the supervision notice');
      expect((await notices(dispatcher)).items.find((n) => n.eventId === id && n.kind === 'overdue')).toBeDefined();
      // Each once: the timer running again tells nobody anything new.
      await ts.app.events.deadlines.check();
      const mine = (await notices(worker, '?limit=100')).items.filter((n) => n.eventId === id);
      expect(mine.map((n) => n.kind)).toEqual(['overdue', 'reminded', 'dispatched']);
    } finally {
      clock = start + 2 * HOUR * 24 * 30; // later cases start on a clock past every deadline so far
    }
  });

  it('reminds the centre, not a worker, while the case waits to be dispatched', async () => {
    const id = await acceptedCase('桂花苑1幢门禁坏了');
    const e = (await request(`${api}/events/${id}`, { as: dispatcher })).body.event;
    const due = Date.parse(e.dispatchDueAt);
    const start = clock;
    clock = start + 0.9 * (due - start);
    await ts.app.events.deadlines.check();
    expect((await notices(dispatcher)).items[0]).toMatchObject({ kind: 'reminded', eventId: id });
    expect((await notices(worker, '?limit=100')).items.some((n) => n.eventId === id)).toBe(false);
    clock = due + HOUR;
    await ts.app.events.deadlines.check();
  });
});

describe('a request decided', () => {
  it('tells the worker who asked for more time that it was granted, and how many hours', async () => {
    const { id } = await dispatchedCase('桂花苑4幢外墙脱落');
    expect((await act(id, 'request_extension', { hours: 8, note: '等脚手架' }, worker)).status).toBe(200);
    const heardBefore = heard.length;
    expect((await act(id, 'approve_extension', {}, dispatcher)).status).toBe(200);
    await until(() => heard.length > heardBefore, 'the decision');
    expect(heard.at(-1)!.notice).toMatchObject({ kind: 'extension_approved', eventId: id, hours: 8, byName: 'disp-a' });
  });

  it('tells the worker their request to shelve was refused', async () => {
    const { id } = await dispatchedCase('桂花苑6幢违章搭建');
    expect((await act(id, 'request_shelve', { note: '需城管联合执法' }, worker)).status).toBe(200);
    expect((await act(id, 'deny_shelve', { note: '先走访' }, dispatcher)).status).toBe(200);
    expect((await notices(worker)).items[0]).toMatchObject({ kind: 'shelve_denied', eventId: id, hours: null });
  });
});

describe('a person\'s own notices', () => {
  it('are nobody else\'s: another person lists none of them and gets a 404 marking one', async () => {
    const theirs = (await notices(worker)).items[0];
    expect((await notices(other, '?limit=100')).items.some((n) => n.id === theirs.id)).toBe(false);
    const r = await request(`${api}/notices/${theirs.id}/read`, { method: 'POST', as: other });
    expect(r.status).toBe(404);
    expect((await notices(worker)).items[0].readAt).toBeNull();
  });

  it('are marked read one at a time, then all at once, the unread count following on every socket', async () => {
    const list = await notices(worker, '?unread=true');
    expect(list.unread).toBeGreaterThan(1);
    const one = list.items[0];
    const r = await request(`${api}/notices/${one.id}/read`, { method: 'POST', as: worker });
    expect(r.status).toBe(200);
    expect(r.body.unread).toBe(list.unread - 1);
    await until(() => readHeard.some((x) => Array.isArray(x.ids) && x.ids.includes(one.id)), 'notice:read');
    // Again is no change.
    expect((await request(`${api}/notices/${one.id}/read`, { method: 'POST', as: worker })).body.unread).toBe(list.unread - 1);
    const after = await notices(worker);
    expect(after.items.find((n) => n.id === one.id).readAt).not.toBeNull();
    expect((await notices(worker, '?unread=true&limit=100')).items.some((n) => n.id === one.id)).toBe(false);

    const all = await request(`${api}/notices/read-all`, { method: 'POST', as: worker });
    expect(all.status).toBe(200);
    expect(all.body.unread).toBe(0);
    await until(() => readHeard.some((x) => x.ids === 'all'), 'notice:read all');
    expect((await notices(worker)).unread).toBe(0);
    expect((await notices(worker, '?unread=true')).items).toEqual([]);
  });

  it('come in pages, newest first', async () => {
    const first = await notices(worker, '?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.items[0].id).toBeGreaterThan(first.items[1].id);
    const next = await notices(worker, `?limit=2&cursor=${first.nextCursor}`);
    expect(next.items[0].id).toBeLessThan(first.items[1].id);
  });

  it('refuses a bad query, naming the field', async () => {
    for (const [q, field] of [['?limit=0', 'limit'], ['?unread=maybe', 'unread'], ['?cursor=abc', 'cursor'], ['?colour=red', '']] as const) {
      const r = await request(`${api}/notices${q}`, { as: worker });
      expect(r.status, q).toBe(400);
      if (field) expect(r.body.error.issues.map((i: { field: string }) => i.field), q).toContain(field);
    }
    expect((await request(`${api}/notices/999999/read`, { method: 'POST', as: worker })).status).toBe(404);
  });

  it('belong to people: a display is not let in', async () => {
    const r = await request(`${api}/notices`, { as: null, headers: { authorization: `Bearer ${ts.displayToken}` } });
    expect(r.status).toBe(403);
  });
});
