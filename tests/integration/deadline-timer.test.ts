/**
 * The deadline timer on a server whose clock the test moves: reminders (催办) before a time
 * limit, overdue marking and escalation (督办) after it, and what the KPIs, the list and the
 * displays make of them. Shelving and extensions move the deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPhoto, get, openSocket, post, sampleReport, startServer, until, type TestServer, type TestSocket } from '../support/server.ts';
import type { Entry, EventView } from '../../shared/protocol.ts';
import { historyOf } from './db-state.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

let clock = Date.now();
let ts: TestServer;
let api: string;
let socket: TestSocket;
const entries: Entry[] = [];

beforeAll(async () => {
  // The server's own timer is slowed right down: the tests tick it when they choose.
  ts = await startServer({ now: () => clock, env: { TIMER_MS: '600000' } });
  api = `${ts.url}/api/v1`;
  socket = openSocket(ts.url, { reconnection: false });
  socket.on('batch', (b) => entries.push(...b.entries));
  const r = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
  expect(r.ok).toBe(true);
});
afterAll(async () => {
  socket?.close();
  await ts?.stop();
});

async function report(over: Record<string, unknown> = {}) {
  const r = await post(`${api}/events`, sampleReport(over));
  expect(r.status).toBe(201);
  return r.body.event as { id: number };
}

async function act(id: number, action: string, body: Record<string, unknown> = {}) {
  const r = await post(`${api}/events/${id}/${action}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.event;
}

const event = async (id: number) => (await get(`${api}/events/${id}`)).body;
const kpis = async () => (await get(`${api}/kpis`)).body;
const overdueIds = async () => ((await get(`${api}/events?overdue=true&limit=500`)).body.items as { id: number }[]).map((e) => e.id);
const heard = (id: number, type: Entry['type']) => entries.find((e) => e.event.id === id && e.type === type);

/** A report taken to dispatched at the current clock; environment/normal gives 72 hours to handle it. */
async function dispatchedEvent(title: string) {
  const e = await report({ title });
  await act(e.id, 'accept');
  const d = await act(e.id, 'dispatch', { assigneeId: 'W01' });
  expect(Date.parse(d.handleDueAt) - clock).toBe(72 * HOUR);
  return { id: e.id as number, dispatchedAt: clock, dueAt: Date.parse(d.handleDueAt) };
}

describe('the handling deadline', () => {
  let e: { id: number; dispatchedAt: number; dueAt: number };

  beforeAll(async () => {
    e = await dispatchedEvent('限时处置');
  });

  it('sends no reminder while more than a fifth of the window is left', async () => {
    clock = e.dispatchedAt + 0.79 * 72 * HOUR;
    await ts.app.events.deadlines.check();
    expect(historyOf(ts.app, e.id).map((l) => l.action)).toEqual(['report', 'accept', 'dispatch']);
    expect((await event(e.id)).event.remindedAt).toBeNull();
  });

  it('reminds once 80 % of the window is spent, in the history and on the displays', async () => {
    clock = e.dispatchedAt + 0.81 * 72 * HOUR;
    const before = (await event(e.id)).event.version;
    await ts.app.events.deadlines.check();
    const { event: now, history } = await event(e.id);
    expect(now).toMatchObject({ status: 'dispatched', overdue: false, version: before + 1 });
    expect(Date.parse(now.remindedAt)).toBe(clock);
    expect(history.at(-1)).toMatchObject({ action: 'remind', actor: 'system', fromStatus: 'dispatched', toStatus: 'dispatched', data: { dueAt: e.dueAt } });
    await until(() => !!heard(e.id, 'event.reminded'), 'the reminder on a display', 1_000);
    expect((heard(e.id, 'event.reminded')!.event as EventView).remindedAt).toBe(now.remindedAt);
  });

  it('does not remind twice for the same deadline', async () => {
    clock += HOUR;
    await ts.app.events.deadlines.check();
    expect(historyOf(ts.app, e.id).filter((l) => l.action === 'remind')).toHaveLength(1);
  });

  it('marks the event overdue past its deadline, escalates it, counts it and lists it', async () => {
    const k0 = (await kpis()).kpis.overdueNow;
    expect(await overdueIds()).not.toContain(e.id);
    clock = e.dueAt + MIN;
    await ts.app.events.deadlines.check();
    const { event: now, history } = await event(e.id);
    expect(now).toMatchObject({ status: 'dispatched', overdue: true });
    expect(Date.parse(now.escalatedAt)).toBe(clock);
    expect(history.at(-1)).toMatchObject({ action: 'escalate', actor: 'system', data: { dueAt: e.dueAt } });
    const k1 = await kpis();
    expect(k1.kpis.overdueNow).toBe(k0 + 1);
    expect(k1.grids.find((g: { gridId: string }) => g.gridId === 'G01').overdue).toBeGreaterThanOrEqual(1);
    expect(await overdueIds()).toContain(e.id);
    await until(() => !!heard(e.id, 'event.overdue'), 'the escalation on a display', 1_000);
    expect(heard(e.id, 'event.overdue')!.event.overdue).toBe(true);
  });

  it('escalates an overdue event only once', async () => {
    clock += 5 * HOUR;
    await ts.app.events.deadlines.check();
    expect(historyOf(ts.app, e.id).filter((l) => l.action === 'escalate')).toHaveLength(1);
  });

  it('clears overdue when the event is resolved late, and counts it as late', async () => {
    const k0 = (await kpis()).kpis.overdueNow;
    await act(e.id, 'start');
    const resolved = await act(e.id, 'resolve', { note: '已处理' });
    expect(resolved).toMatchObject({ overdue: false, onTime: false });
    expect((await kpis()).kpis.overdueNow).toBe(k0 - 1);
    expect(await overdueIds()).not.toContain(e.id);
    await addPhoto(api, e.id);
    await act(e.id, 'close');
    expect((await kpis()).kpis.onTimeRate).toBe(0);
  });
});

describe('the dispatch deadline', () => {
  it('reminds an accepted event that waits for dispatch, then marks it overdue', async () => {
    const e = await report({ title: '待派遣' });
    const accepted = await act(e.id, 'accept');
    const start = clock;
    const due = Date.parse(accepted.dispatchDueAt);
    expect(due - start).toBe(120 * MIN);
    clock = start + 100 * MIN;
    await ts.app.events.deadlines.check();
    clock = due + MIN;
    await ts.app.events.deadlines.check();
    expect(historyOf(ts.app, e.id).map((l) => l.action)).toEqual(['report', 'accept', 'remind', 'escalate']);
    expect(await overdueIds()).toContain(e.id);
    // Dispatching starts the handling clock afresh: no longer overdue.
    const d = await act(e.id, 'dispatch', { assigneeId: 'W02' });
    expect(d.overdue).toBe(false);
    expect(await overdueIds()).not.toContain(e.id);
  });
});

describe('moving the deadline', () => {
  it('adds exactly the time spent shelved, and runs no timer while shelved', async () => {
    const e = await dispatchedEvent('挂账');
    await act(e.id, 'request_shelve', { note: '需业委会表决' });
    await act(e.id, 'approve_shelve');
    clock += 100 * HOUR; // well past the original deadline
    await ts.app.events.deadlines.check();
    expect(historyOf(ts.app, e.id).map((l) => l.action)).toEqual(['report', 'accept', 'dispatch', 'request_shelve', 'approve_shelve']);
    expect(await overdueIds()).not.toContain(e.id);
    const back = await act(e.id, 'unshelve');
    expect(back).toMatchObject({ status: 'dispatched', overdue: false });
    expect(Date.parse(back.handleDueAt)).toBe(e.dueAt + 100 * HOUR);
    expect(back.dueAt).toBe(back.handleDueAt);
  });

  it('takes an overdue event out of overdue when an extension is approved', async () => {
    const e = await dispatchedEvent('延期');
    clock = e.dueAt + HOUR;
    await ts.app.events.deadlines.check();
    expect((await event(e.id)).event.overdue).toBe(true);
    const k0 = (await kpis()).kpis.overdueNow;
    await act(e.id, 'request_extension', { hours: 24, note: '等待配件' });
    const approved = await act(e.id, 'approve_extension');
    expect(approved.overdue).toBe(false);
    expect(Date.parse(approved.handleDueAt)).toBe(e.dueAt + 24 * HOUR);
    expect((await kpis()).kpis.overdueNow).toBe(k0 - 1);
    expect(await overdueIds()).not.toContain(e.id);
    // The new deadline gets its own reminder and, once passed, its own escalation.
    clock = e.dueAt + 23 * HOUR;
    await ts.app.events.deadlines.check();
    clock = e.dueAt + 25 * HOUR;
    await ts.app.events.deadlines.check();
    expect(historyOf(ts.app, e.id).map((l) => l.action).slice(3)).toEqual(['escalate', 'request_extension', 'approve_extension', 'remind', 'escalate']);
    expect(await overdueIds()).toContain(e.id);
  });
});

describe('the timer is no conflict for someone who acted on the case as it was', () => {
  it('takes an action sent with the version before a reminder or an escalation, and still refuses one after a person\'s change', async () => {
    const e = await dispatchedEvent('离线签收');
    // The grid worker's tablet loaded the case, then lost its signal.
    const seen = (await event(e.id)).event.version;
    clock = e.dispatchedAt + 0.81 * 72 * HOUR;
    await ts.app.events.deadlines.check();
    expect((await event(e.id)).event.version).toBe(seen + 1);
    const signed = await post(`${api}/events/${e.id}/sign`, { expectedVersion: seen });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.event.version).toBe(seen + 2);

    // Signed, then offline again past the deadline: escalated meanwhile.
    clock = e.dueAt + HOUR;
    await ts.app.events.deadlines.check();
    const started = await post(`${api}/events/${e.id}/start`, { expectedVersion: seen + 2 });
    expect(started.status, JSON.stringify(started.body)).toBe(200);

    // A person's change in between is a conflict, as it always was, even with a reminder after it.
    await act(e.id, 'request_extension', { hours: 24, note: '等待配件' });
    const stale = await post(`${api}/events/${e.id}/resolve`, { expectedVersion: started.body.event.version, note: '已清理' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.version_conflict', action: 'request_extension' });
    expect((await event(e.id)).event.status).toBe('in_progress');
  });
});
