/**
 * The dispatcher's desk over real HTTP: the queue's tabs and counts as a case moves through the
 * loop, whom to dispatch to, the grid worker's sign-for (签收) and "my tasks", a stale action
 * answered with who changed the case, and a grid worker kept off a colleague's case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, logIn, request, sampleReport, startServer, TEST_PASSWORD, type Credentials, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;
let worker: Credentials;
let colleague: Credentials;
let g01Worker: string;
let otherWorker: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  g01Worker = ts.app.directory.grids.get('G01')!.workerId!;
  otherWorker = [...ts.app.directory.workers.values()].find((w) => w.id !== g01Worker)!.id;
  await ts.app.auth.accounts.users.create(null, ts.app.directory.defaultCommunity()!.id, {
    username: 'wang-li', displayName: '王丽', role: 'grid_worker', grids: ['G01'], workerId: g01Worker,
    password: TEST_PASSWORD, mustChangePassword: false,
  });
  // A colleague who also works G01 but is another grid-worker record.
  await ts.app.auth.accounts.users.create(null, ts.app.directory.defaultCommunity()!.id, {
    username: 'zhao-qiang', displayName: '赵强', role: 'grid_worker', grids: ['G01'], workerId: otherWorker,
    password: TEST_PASSWORD, mustChangePassword: false,
  });
  await createUser(ts.app, 'disp-a', 'dispatcher');
  worker = await logIn(ts.url, 'wang-li', TEST_PASSWORD);
  colleague = await logIn(ts.url, 'zhao-qiang', TEST_PASSWORD);
});
afterAll(async () => {
  await ts?.stop();
});

const queue = async (tab: string, as?: Credentials, extra = '') => {
  const r = await request(`${api}/events/queue?tab=${tab}${extra}`, as ? { as } : {});
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { items: any[]; counts: Record<string, number>; truncated: boolean };
};
const act = async (id: number, action: string, body: Record<string, unknown> = {}, as?: Credentials) =>
  request(`${api}/events/${id}/${action}`, { method: 'POST', body, ...(as ? { as } : {}) });

describe('the queue', () => {
  it('shows a new report under triage, then under dispatch once accepted, with every tab counted', async () => {
    const before = await queue('triage');
    const r = await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '桂花苑5幢路灯不亮', gridId: 'G01', address: '桂花苑5幢' }) });
    expect(r.status).toBe(201);
    const e = r.body.event;
    const triage = await queue('triage');
    expect(triage.counts.triage).toBe(before.counts.triage! + 1);
    expect(triage.items.map((i) => i.id)).toContain(e.id);
    expect(triage.items.find((i) => i.id === e.id).allowedActions).toEqual(['accept', 'reject', 'merge']);
    // The queue's rows name no reporter (no read of someone's record to log at every refresh); the case does.
    expect(triage.items.find((i) => i.id === e.id)).not.toHaveProperty('reporterPhone');
    expect((await request(`${api}/events/${e.id}`)).body.event.reporterPhone).toBe('13812345678');

    expect((await act(e.id, 'accept', { expectedVersion: 1 })).status).toBe(200);
    const after = await queue('dispatch');
    expect(after.counts.triage).toBe(before.counts.triage);
    const row = after.items.find((i) => i.id === e.id);
    expect(row).toMatchObject({ status: 'accepted', light: 'green' });
  });

  it('finds a case by its number or by a word of its address, and says which tab is empty under a filter', async () => {
    const r = await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '丹桂巷井盖松动', address: '丹桂巷12号旁', gridId: 'G01' }) });
    const e = r.body.event;
    expect((await queue('open', undefined, `&q=${e.code}`)).items.map((i) => i.id)).toEqual([e.id]);
    expect((await queue('open', undefined, `&q=${encodeURIComponent('丹桂巷')}`)).items.map((i) => i.id)).toContain(e.id);
    const none = await queue('open', undefined, `&q=${encodeURIComponent('不存在的地址')}`);
    expect(none.items).toEqual([]);
    expect(Object.values(none.counts).every((n) => n === 0)).toBe(true);
  });

  it('writes no audit line when the desk asks for its queue again, as it does at every change', async () => {
    await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '桂花苑4幢井盖破损', gridId: 'G01' }) });
    const lines = () => (ts.app.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    await new Promise((r) => setTimeout(r, 300));
    const before = lines();
    for (let i = 0; i < 5; i++) await queue('open');
    // A read's line is written soon after its answer: give it the time.
    await new Promise((r) => setTimeout(r, 300));
    expect(lines()).toBe(before);
  });

  it('lists for a call-back (回访) the closed cases someone reported and can be called about, not a patrol’s', async () => {
    const closeOne = async (over: Record<string, unknown>) => {
      const e = (await request(`${api}/events`, { method: 'POST', body: sampleReport({ category: 'livelihood', subcategory: undefined, gridId: 'G01', ...over }) })).body.event;
      for (const [a, b] of [['accept', {}], ['dispatch', { assigneeId: g01Worker }], ['start', {}], ['resolve', { note: '已处理' }], ['close', {}]] as const) {
        const r = await act(e.id, a, b);
        expect(r.status, `${a}: ${JSON.stringify(r.body)}`).toBe(200);
      }
      return e;
    };
    const resident = await closeOne({ title: '独居老人求助', source: 'resident', reporterPhone: '13700002222' });
    const patrol = await closeOne({ title: '巡查发现路灯不亮', source: 'patrol', reporterPhone: undefined, reporterName: undefined, description: '' });
    const ids = (await queue('callback')).items.map((i) => i.id);
    expect(ids).toContain(resident.id);
    expect(ids).not.toContain(patrol.id);
  });

  it('refuses a tab that does not exist, naming the field', async () => {
    const r = await request(`${api}/events/queue?tab=everything`);
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].field).toBe('tab');
  });
});

describe('dispatching, signing for and working a case', () => {
  it('suggests the grid’s own worker first, dispatches, and lets only that worker sign for it', async () => {
    const e = (await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '桂花苑2幢楼道堆物', gridId: 'G01' }) })).body.event;
    await act(e.id, 'accept');
    const s = await request(`${api}/events/${e.id}/assignees`);
    expect(s.status).toBe(200);
    expect(s.body.items[0]).toMatchObject({ id: g01Worker, sameGrid: true, hasAccount: true });
    expect(s.body.items.filter((w: any) => w.sameGrid)).toHaveLength(1);

    const dispatched = (await act(e.id, 'dispatch', { assigneeId: g01Worker })).body.event;
    expect(dispatched.signedAt).toBeNull();
    expect(Date.parse(dispatched.signDueAt) - Date.parse(dispatched.assignedAt)).toBe(2 * 3_600_000);
    expect((await queue('sign')).items.map((i) => i.id)).toContain(e.id);

    // The assignee sees it in "my tasks" and may sign for it; the colleague on the same grid sees it but may not.
    const mine = await queue('mine', worker);
    const task = mine.items.find((i) => i.id === e.id);
    expect(task.allowedActions).toContain('sign');
    expect((await queue('mine', colleague)).items.map((i) => i.id)).not.toContain(e.id);
    const theirs = (await queue('open', colleague)).items.find((i) => i.id === e.id);
    expect(theirs.allowedActions).toEqual([]);
    const refused = await act(e.id, 'sign', {}, colleague);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('error.not_assignee');

    const signed = await act(e.id, 'sign', { expectedVersion: dispatched.version }, worker);
    expect(signed.status).toBe(200);
    expect(signed.body.event.signedAt).not.toBeNull();
    expect(signed.body.event.allowedActions).not.toContain('sign');
    expect((await queue('sign')).items.map((i) => i.id)).not.toContain(e.id);

    const history = (await request(`${api}/events/${e.id}`)).body.history;
    expect(history.at(-1)).toMatchObject({ action: 'sign', actorName: '王丽' });
  });

  it('refuses a stale action with 409 naming who changed the case and when', async () => {
    const e = (await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '桂花苑7幢噪音扰民', gridId: 'G01' }) })).body.event;
    const dispA = await logIn(ts.url, 'disp-a', TEST_PASSWORD);
    expect((await act(e.id, 'accept', { expectedVersion: 1 }, dispA)).status).toBe(200);
    // The admin's desk still shows version 1.
    const stale = await act(e.id, 'reject', { expectedVersion: 1, note: '重复' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.version_conflict', version: 2, changedBy: 'disp-a', action: 'accept' });
    expect(stale.body.error.changedAt).toMatch(/\+08:00$/);
    expect((await request(`${api}/events/${e.id}`)).body.event.status).toBe('accepted');
  });
});

describe('duplicates at triage, reasons and the centre chasing a case', () => {
  const place = { lat: 30.2895, lng: 120.1175 };
  it('suggests an open case of the same category nearby and merges the new report into it, keeping its reporter', async () => {
    const first = (await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '桂花苑1幢门口垃圾堆放', gridId: 'G01', ...place }) })).body.event;
    await act(first.id, 'accept');
    // 60 m away, same category, an hour later: the same pile.
    const again = (await request(`${api}/events`, {
      method: 'POST', body: sampleReport({ title: '1幢门口又堆了垃圾', gridId: 'G01', lat: place.lat + 0.0005, lng: place.lng, reporterName: '刘芳', reporterPhone: '13700001111' }),
    })).body.event;
    // Another category at the same place is not a duplicate.
    const other = (await request(`${api}/events`, { method: 'POST', body: sampleReport({ category: 'security', subcategory: undefined, title: '1幢门口有可疑人员', gridId: 'G01', ...place }) })).body.event;
    const d = await request(`${api}/events/${again.id}/duplicates`);
    expect(d.status).toBe(200);
    // The one with a place nearby first; the grid's other open reports without a place after it.
    expect(d.body.items[0].id).toBe(first.id);
    expect(d.body.items.map((i: any) => i.id)).not.toContain(other.id);
    expect(d.body.items.slice(1).every((i: any) => i.distanceM === null)).toBe(true);
    expect(d.body.items[0].distanceM).toBeGreaterThan(40);
    expect(d.body.items[0].distanceM).toBeLessThan(80);
    expect((await queue('triage')).items.find((i) => i.id === again.id).allowedActions).toContain('merge');

    const merged = await act(again.id, 'merge', { targetId: first.id, note: '同一处垃圾' });
    expect(merged.status).toBe(200);
    expect(merged.body.event).toMatchObject({ status: 'merged', duplicateOf: first.id, allowedActions: [] });
    const target = (await request(`${api}/events/${first.id}`)).body;
    expect(target.merged).toEqual([expect.objectContaining({ id: again.id, reporterName: '刘芳', reporterPhone: '13700001111' })]);
    expect(target.history.at(-1)).toMatchObject({ action: 'absorb', data: { sourceId: again.id, sourceCode: again.code } });
    expect((await queue('triage')).items.map((i) => i.id)).not.toContain(again.id);
  });

  it('refuses to merge into itself, into a finished case or without a target, and changes nothing', async () => {
    const a = (await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '路灯不亮', gridId: 'G01' }) })).body.event;
    const closed = (await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '旧案', gridId: 'G01' }) })).body.event;
    await act(closed.id, 'reject', { note: '不属实', reason: 'false_report' });
    for (const [body, field] of [[{}, 'targetId'], [{ targetId: a.id }, 'targetId'], [{ targetId: closed.id }, 'targetId'], [{ targetId: 99_999_999 }, 'targetId']] as const) {
      const r = await act(a.id, 'merge', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.issues[0].field).toBe(field);
    }
    expect((await request(`${api}/events/${a.id}`)).body.event).toMatchObject({ status: 'reported', version: 1 });
  });

  it('keeps the reason code of a rejection, a send-back and a failed verification, and refuses one that does not fit', async () => {
    const e = (await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '楼道堆物', gridId: 'G01' }) })).body.event;
    const wrong = await act(e.id, 'reject', { note: '不属实', reason: 'not_fixed' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.issues[0]).toMatchObject({ field: 'reason' });
    expect((await act(e.id, 'accept', { reason: 'other' })).status).toBe(400);
    await act(e.id, 'accept');
    await act(e.id, 'dispatch', { assigneeId: g01Worker });
    expect((await act(e.id, 'send_back', { note: '不是本网格的', reason: 'not_my_grid' }, worker)).status).toBe(200);
    const h = (await request(`${api}/events/${e.id}`)).body.history;
    expect(h.at(-1)).toMatchObject({ action: 'send_back', data: { reason: 'not_my_grid' } });
  });

  it('lets the centre urge a case before its deadline and supervise it after, with a note in its history', async () => {
    const e = (await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '井盖缺失', gridId: 'G01' }) })).body.event;
    await act(e.id, 'accept');
    const d = (await act(e.id, 'dispatch', { assigneeId: g01Worker })).body.event;
    expect(d.allowedActions).toContain('urge');
    expect(d.allowedActions).not.toContain('supervise');
    const urged = (await act(e.id, 'urge', { note: '请今天下班前处理' })).body.event;
    expect(urged).toMatchObject({ status: 'dispatched', remindedAt: expect.any(String) });
    // The worker sees no urge button: it is the centre's.
    expect((await queue('mine', worker)).items.find((i) => i.id === e.id).allowedActions).not.toContain('urge');
    // Supervision (督办) is for a case past its deadline.
    expect((await act(e.id, 'supervise', { note: '已超期' })).status).toBe(409);
    const h = (await request(`${api}/events/${e.id}`)).body.history;
    expect(h.at(-1)).toMatchObject({ action: 'urge', note: '请今天下班前处理', fromStatus: 'dispatched', toStatus: 'dispatched' });
  });
});
