/**
 * The grid-event API over real HTTP and a real SQLite file: reporting, listing, the closed
 * loop of an event's lifecycle, bulk ingest and the KPIs it feeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPhoto, get, post, sampleReport, startServer, type TestServer } from '../support/server.ts';
import { DEMO_COMMUNITY, randomPointIn } from '../../server/demo/community.ts';
import { seededRandom } from '../../server/demo/seed.ts';
import { historyOf, rowCounts } from './db-state.ts';

const HOUR = 3_600_000;

let ts: TestServer;
let api: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

async function report(over: Record<string, unknown> = {}) {
  const r = await post(`${api}/events`, sampleReport(over));
  expect(r.status).toBe(201);
  return r.body.event;
}

async function act(id: number, action: string, body: Record<string, unknown> = {}) {
  const r = await post(`${api}/events/${id}/${action}`, body);
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body.event;
}

describe('reporting an event', () => {
  it('answers 201 with the stored event, a dated code and the actions that come next', async () => {
    const before = Date.now();
    const r = await post(`${api}/events`, sampleReport());
    expect(r.status).toBe(201);
    expect(r.body.created).toBe(true);
    const e = r.body.event;
    expect(e).toMatchObject({
      status: 'reported', category: 'environment', subcategory: 'garbage', urgency: 'normal', source: 'resident',
      gridId: 'G01', title: '桂花苑3幢楼下垃圾堆放', reporterName: '王建国', reporterPhone: '13812345678',
      address: '桂花苑3幢2单元501室', version: 1, overdue: false, assigneeId: null, allowedActions: ['accept', 'reject', 'merge'],
    });
    expect(e.reportedAt).toMatch(/\+08:00$/);
    const at = Date.parse(e.reportedAt);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    // The code is the local (Asia/Shanghai) date of the report followed by the id.
    expect(e.code).toBe(`${e.reportedAt.slice(0, 10).replaceAll('-', '')}${String(e.id).padStart(6, '0')}`);
  });

  it('keeps the report in the database with a history line saying who reported it', async () => {
    const e = await report();
    const r = await get(`${api}/events/${e.id}`);
    expect(r.status).toBe(200);
    expect(r.body.event).toMatchObject({ id: e.id, code: e.code, status: 'reported', version: 1 });
    expect(r.body.history).toHaveLength(1);
    expect(r.body.history[0]).toMatchObject({ action: 'report', fromStatus: null, toStatus: 'reported', actor: 'admin', actorRole: 'admin' });
    expect(r.body.history[0].at).toMatch(/\+08:00$/);
    const row = ts.app.db.prepare('select status, title, reporter_phone from events where id = ?').get(e.id);
    expect(row).toEqual({ status: 'reported', title: '桂花苑3幢楼下垃圾堆放', reporter_phone: '13812345678' });
  });

  it('finds an event by its code as well as by its id', async () => {
    const e = await report();
    const r = await get(`${api}/events/${e.code}`);
    expect(r.status).toBe(200);
    expect(r.body.event.id).toBe(e.id);
  });

  it('places a report that has only a map pin in the grid that contains the pin', async () => {
    const g05 = DEMO_COMMUNITY.grids.find((g) => g.id === 'G05')!;
    const [lng, lat] = randomPointIn(g05, seededRandom(7));
    const e = await report({ gridId: undefined, address: undefined, lat, lng });
    expect(e.gridId).toBe('G05');
    expect(e).toMatchObject({ lat, lng });
  });

  it('answers a repeated external id with the first event instead of a second one', async () => {
    const first = await report({ source: 'hotline', externalId: '12345-20260301-0001' });
    const before = rowCounts(ts.app);
    const again = await post(`${api}/events`, sampleReport({ source: 'hotline', externalId: '12345-20260301-0001', title: '重复推送' }));
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(again.body.event.id).toBe(first.id);
    expect(again.body.event.title).toBe(first.title);
    expect(rowCounts(ts.app)).toEqual(before);
  });
});

describe('listing events', () => {
  // A server of its own, so each filter's answer can be stated exactly; its clock is ours to move.
  let ls: TestServer;
  let lapi: string;
  let clock = Date.now();
  const ids: Record<string, number> = {};

  const list = async (query: Record<string, string>) => {
    const r = await get(`${lapi}/events?${new URLSearchParams(query)}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { items: { id: number }[]; nextCursor: string | null };
  };
  const idsOf = async (query: Record<string, string>) => (await list(query)).items.map((e) => e.id).sort((a, b) => a - b);
  const sorted = (...names: string[]) => names.map((n) => ids[n]!).sort((a, b) => a - b);

  beforeAll(async () => {
    ls = await startServer({ now: () => clock, env: { TIMER_MS: '600000' } });
    lapi = `${ls.url}/api/v1`;
    const fixtures: [string, Record<string, unknown>][] = [
      // 08:00, 09:00, 10:00 and 11:00 Beijing time on 1 March 2026, given in different offsets.
      ['rubbish', { category: 'environment', subcategory: 'garbage', gridId: 'G01', reportedAt: '2026-03-01T08:00:00+08:00' }],
      ['lamp', { category: 'facilities', subcategory: 'streetlight', gridId: 'G02', reportedAt: '2026-03-01T01:00:00Z' }],
      ['exit', { category: 'fire', subcategory: 'blocked_exit', gridId: 'G02', reportedAt: '2026-02-28T21:00:00-05:00' }],
      ['noise', { category: 'security', subcategory: 'noise', gridId: 'G03', reportedAt: '2026-03-01T11:00:00+08:00' }],
    ];
    for (const [name, over] of fixtures) {
      const r = await post(`${lapi}/events`, sampleReport(over));
      expect(r.status).toBe(201);
      ids[name] = r.body.event.id;
    }
    // The fire exit is accepted and left undispatched past its 60-minute limit: overdue.
    expect((await post(`${lapi}/events/${ids.exit}/accept`, {})).status).toBe(200);
    expect((await post(`${lapi}/events/${ids.lamp}/accept`, {})).status).toBe(200);
    expect((await post(`${lapi}/events/${ids.lamp}/dispatch`, { assigneeId: 'W02' })).status).toBe(200);
    clock += 2 * HOUR;
    await ls.app.events.deadlines.check();
  });
  afterAll(async () => {
    await ls?.stop();
  });

  it('lists every event newest first when no filter is given', async () => {
    const page = await list({});
    expect(page.items.map((e) => e.id)).toEqual([ids.noise, ids.exit, ids.lamp, ids.rubbish]);
    expect(page.nextCursor).toBeNull();
  });

  it('filters by one status or several', async () => {
    expect(await idsOf({ status: 'reported' })).toEqual(sorted('rubbish', 'noise'));
    expect(await idsOf({ status: 'accepted,dispatched' })).toEqual(sorted('lamp', 'exit'));
    expect(await idsOf({ status: 'closed' })).toEqual([]);
  });

  it('filters by category', async () => {
    expect(await idsOf({ category: 'fire' })).toEqual(sorted('exit'));
    expect(await idsOf({ category: 'environment,security' })).toEqual(sorted('rubbish', 'noise'));
  });

  it('filters by grid', async () => {
    expect(await idsOf({ grid: 'G02' })).toEqual(sorted('lamp', 'exit'));
    expect(await idsOf({ grid: 'G01,G03' })).toEqual(sorted('rubbish', 'noise'));
  });

  it('filters overdue events from those still in time', async () => {
    expect(await idsOf({ overdue: 'true' })).toEqual(sorted('exit'));
    expect(await idsOf({ overdue: 'false' })).toEqual(sorted('rubbish', 'lamp', 'noise'));
  });

  it('filters by a time range given in any offset, from inclusive and to exclusive', async () => {
    // 09:00 to 11:00 Beijing time, said three ways.
    expect(await idsOf({ from: '2026-03-01T09:00:00+08:00', to: '2026-03-01T11:00:00+08:00' })).toEqual(sorted('lamp', 'exit'));
    expect(await idsOf({ from: '2026-03-01T01:00:00Z', to: '2026-03-01T03:00:00Z' })).toEqual(sorted('lamp', 'exit'));
    expect(await idsOf({ from: '2026-02-28T20:00:00-05:00', to: '2026-02-28T22:00:00-05:00' })).toEqual(sorted('lamp', 'exit'));
    expect(await idsOf({ from: '2026-03-01T10:30:00+08:00' })).toEqual(sorted('noise'));
    expect(await idsOf({ to: '2026-03-01T09:00:00+08:00' })).toEqual(sorted('rubbish'));
  });

  it('combines filters', async () => {
    expect(await idsOf({ grid: 'G02', status: 'dispatched' })).toEqual(sorted('lamp'));
    expect(await idsOf({ grid: 'G02', category: 'environment' })).toEqual([]);
  });

  it('pages through every event with a cursor, without overlap, ending with a null cursor', async () => {
    for (let i = 0; i < 7; i++) expect((await post(`${lapi}/events`, sampleReport({ title: `分页 ${i}` }))).status).toBe(201);
    const all = (await list({ limit: '500' })).items.map((e) => e.id);
    expect(all).toHaveLength(11);
    const seen: number[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: number }[]; nextCursor: string | null } = await list({ limit: '3', ...(cursor ? { cursor } : {}) });
      pages.push(page.items.length);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([3, 3, 3, 2]);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('says there is no next page when the last page is exactly full', async () => {
    const page = await list({ limit: '11' });
    expect(page.items).toHaveLength(11);
    expect(page.nextCursor).toBeNull();
  });

  it('pages a filtered list by the same filter', async () => {
    const first = await list({ grid: 'G01', limit: '4' });
    expect(first.items).toHaveLength(4);
    const second = await list({ grid: 'G01', limit: '4', cursor: first.nextCursor! });
    const third = second.nextCursor ? await list({ grid: 'G01', limit: '4', cursor: second.nextCursor }) : { items: [], nextCursor: null };
    const got = [...first.items, ...second.items, ...third.items].map((e) => e.id);
    expect(third.nextCursor).toBeNull();
    expect(got.sort((a, b) => a - b)).toEqual(await idsOf({ grid: 'G01', limit: '500' }));
    expect(got).toHaveLength(8); // the rubbish report and the seven paging ones
  });
});

describe('the lifecycle through HTTP', () => {
  it('takes an event from report to the reporter’s review, keeping who, when and why at each step', async () => {
    const e = await report();
    const accepted = await act(e.id, 'accept', { note: '属实，立案' });
    expect(accepted).toMatchObject({ status: 'accepted', version: 2, allowedActions: ['dispatch', 'request_extension', 'request_shelve'] });
    expect(accepted.acceptedAt).not.toBeNull();
    expect(Date.parse(accepted.dispatchDueAt) - Date.parse(accepted.acceptedAt)).toBe(120 * 60_000);

    const dispatched = await act(e.id, 'dispatch', { assigneeId: 'W01' });
    expect(dispatched).toMatchObject({ status: 'dispatched', version: 3, assigneeId: 'W01', assigneeName: '王丽萍' });
    expect(Date.parse(dispatched.handleDueAt) - Date.parse(dispatched.dispatchedAt)).toBe(72 * HOUR);
    expect(dispatched.dueAt).toBe(dispatched.handleDueAt);

    expect(await act(e.id, 'start')).toMatchObject({ status: 'in_progress', version: 4 });
    const resolved = await act(e.id, 'resolve', { note: '已联系环卫清运' });
    expect(resolved).toMatchObject({ status: 'resolved', version: 5, onTime: true, dueAt: null, allowedActions: ['close', 'return'] });
    // Closing a rubbish case needs a photo of the spot (the loop settings' evidence rule).
    await addPhoto(api, e.id);
    const closed = await act(e.id, 'close', { note: '现场核查已清理' });
    expect(closed).toMatchObject({ status: 'closed', version: 6, allowedActions: ['review'] });
    expect(closed.closedAt).not.toBeNull();
    const reviewed = await act(e.id, 'review', { satisfaction: 5, note: '满意' });
    expect(reviewed).toMatchObject({ status: 'reviewed', version: 7, satisfaction: 5, allowedActions: [] });

    const r = await get(`${api}/events/${e.id}`);
    expect(r.body.event).toMatchObject({ status: 'reviewed', version: 7, satisfaction: 5 });
    const h = r.body.history as { action: string; fromStatus: string | null; toStatus: string; actor: string; note: string | null; data: unknown }[];
    expect(h.map((l) => [l.action, l.fromStatus, l.toStatus])).toEqual([
      ['report', null, 'reported'],
      ['accept', 'reported', 'accepted'],
      ['dispatch', 'accepted', 'dispatched'],
      ['start', 'dispatched', 'in_progress'],
      ['resolve', 'in_progress', 'resolved'],
      ['photo', 'resolved', 'resolved'],
      ['close', 'resolved', 'closed'],
      ['review', 'closed', 'reviewed'],
    ]);
    expect(h.every((l) => l.actor === 'admin')).toBe(true);
    expect(h[1]!.note).toBe('属实，立案');
    expect(h[2]!.data).toEqual({ assigneeId: 'W01', assigneeName: '王丽萍' });
    expect(h[4]!.note).toBe('已联系环卫清运');
    expect(h[7]!.data).toEqual({ satisfaction: 5 });
  });

  it('returns a resolution that failed verification and dispatches it again on the same clock', async () => {
    const e = await report();
    await act(e.id, 'accept');
    const first = await act(e.id, 'dispatch', { assigneeId: 'W01' });
    await act(e.id, 'start');
    await act(e.id, 'resolve', { note: '已清理' });
    const returned = await act(e.id, 'return', { note: '核查仍有垃圾' });
    expect(returned).toMatchObject({ status: 'returned', resolvedAt: null, onTime: null, allowedActions: ['dispatch', 'request_extension', 'request_shelve'] });
    expect(returned.dueAt).toBe(first.handleDueAt);
    const again = await act(e.id, 'dispatch', { assigneeId: 'W02' });
    expect(again).toMatchObject({ status: 'dispatched', assigneeId: 'W02', assigneeName: '陈建军' });
    // The handling clock started at the first dispatch and keeps running.
    expect(again.dispatchedAt).toBe(first.dispatchedAt);
    expect(again.handleDueAt).toBe(first.handleDueAt);
    expect(historyOf(ts.app, e.id).map((l) => l.action)).toEqual(['report', 'accept', 'dispatch', 'start', 'resolve', 'return', 'dispatch']);
  });

  it('sends a dispatched event back to the centre for dispatch to someone else', async () => {
    const e = await report();
    await act(e.id, 'accept');
    await act(e.id, 'dispatch', { assigneeId: 'W01' });
    const back = await act(e.id, 'send_back', { note: '不属于本网格' });
    expect(back).toMatchObject({ status: 'returned', assigneeId: null, assigneeName: null });
    expect(await act(e.id, 'dispatch', { assigneeId: 'W03' })).toMatchObject({ status: 'dispatched', assigneeId: 'W03' });
  });

  it('rejects a report that is not a matter for the centre, and finishes it', async () => {
    const e = await report();
    const rejected = await act(e.id, 'reject', { note: '重复上报' });
    expect(rejected).toMatchObject({ status: 'rejected', allowedActions: [] });
  });

  it('moves the deadline by the hours of an approved extension, and only once approved', async () => {
    const e = await report();
    await act(e.id, 'accept');
    const dispatched = await act(e.id, 'dispatch', { assigneeId: 'W01' });
    const asked = await act(e.id, 'request_extension', { hours: 24, note: '需等待配件' });
    expect(asked.pending).toMatchObject({ kind: 'extension', hours: 24, by: 'admin', note: '需等待配件' });
    expect(asked.handleDueAt).toBe(dispatched.handleDueAt);
    expect(asked.allowedActions).toEqual(['approve_extension', 'deny_extension']);
    const approved = await act(e.id, 'approve_extension');
    expect(approved.pending).toBeNull();
    expect(Date.parse(approved.handleDueAt) - Date.parse(dispatched.handleDueAt)).toBe(24 * HOUR);
    expect(approved.dueAt).toBe(approved.handleDueAt);
    expect(approved.status).toBe('dispatched');
  });

  it('leaves the deadline alone when an extension is denied', async () => {
    const e = await report();
    await act(e.id, 'accept');
    const dispatched = await act(e.id, 'dispatch', { assigneeId: 'W01' });
    await act(e.id, 'request_extension', { hours: 12, note: '需等待配件' });
    const denied = await act(e.id, 'deny_extension', { note: '时限内可完成' });
    expect(denied).toMatchObject({ pending: null, handleDueAt: dispatched.handleDueAt });
  });

  it('shelves an event with approval, stopping its clock, and unshelves it back where it was', async () => {
    const e = await report();
    await act(e.id, 'accept');
    await act(e.id, 'dispatch', { assigneeId: 'W01' });
    const asked = await act(e.id, 'request_shelve', { note: '需业委会表决' });
    expect(asked).toMatchObject({ status: 'dispatched', pending: { kind: 'shelve', note: '需业委会表决' } });
    const shelved = await act(e.id, 'approve_shelve');
    expect(shelved).toMatchObject({ status: 'shelved', pending: null, dueAt: null, allowedActions: ['unshelve'] });
    const back = await act(e.id, 'unshelve');
    expect(back).toMatchObject({ status: 'dispatched', assigneeId: 'W01' });
    expect(Date.parse(back.handleDueAt)).toBeGreaterThanOrEqual(Date.parse(shelved.handleDueAt));
    expect(historyOf(ts.app, e.id).map((l) => l.action)).toEqual(['report', 'accept', 'dispatch', 'request_shelve', 'approve_shelve', 'unshelve']);
  });

  it('refuses an illegal transition with 409 naming the allowed actions, and changes nothing', async () => {
    const e = await report();
    const before = rowCounts(ts.app);
    const r = await post(`${api}/events/${e.id}/close`, { note: '直接结案' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('error.transition_not_allowed');
    expect(r.body.error.message).toContain('reported');
    expect(r.body.error.message).toContain('accept');
    expect(r.body.error.message).toContain('reject');
    expect(r.body.error.allowed).toEqual(['accept', 'reject', 'merge']);
    const after = await get(`${api}/events/${e.id}`);
    expect(after.body.event).toMatchObject({ status: 'reported', version: 1 });
    expect(after.body.history).toHaveLength(1);
    expect(rowCounts(ts.app)).toEqual(before);
  });

  it('refuses any action but review on a closed event, and every action on a reviewed one', async () => {
    const e = await report();
    await act(e.id, 'accept');
    await act(e.id, 'dispatch', { assigneeId: 'W01' });
    await act(e.id, 'start');
    await act(e.id, 'resolve', { note: '已处理' });
    await addPhoto(api, e.id);
    await act(e.id, 'close');
    const reopen = await post(`${api}/events/${e.id}/dispatch`, { assigneeId: 'W01' });
    expect(reopen.status).toBe(409);
    expect(reopen.body.error.allowed).toEqual(['review']);
    await act(e.id, 'review', { satisfaction: 4 });
    const again = await post(`${api}/events/${e.id}/review`, { satisfaction: 1 });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/allowed: none/);
    expect((await get(`${api}/events/${e.id}`)).body.event).toMatchObject({ status: 'reviewed', satisfaction: 4 });
  });

  it('refuses a transition made against a stale version with 409, and accepts the current one', async () => {
    const e = await report();
    const before = rowCounts(ts.app);
    const stale = await post(`${api}/events/${e.id}/accept`, { expectedVersion: 7 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.version_conflict', version: 1 });
    expect(rowCounts(ts.app)).toEqual(before);
    expect((await get(`${api}/events/${e.id}`)).body.event).toMatchObject({ status: 'reported', version: 1 });
    expect(await act(e.id, 'accept', { expectedVersion: 1 })).toMatchObject({ status: 'accepted', version: 2 });
  });

  it('lets only one of two dispatchers acting on the same version win', async () => {
    const e = await report();
    const [a, b] = await Promise.all([
      post(`${api}/events/${e.id}/accept`, { expectedVersion: 1, note: 'A' }),
      post(`${api}/events/${e.id}/reject`, { expectedVersion: 1, note: 'B' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(historyOf(ts.app, e.id)).toHaveLength(2);
  });
});

describe('bulk ingest', () => {
  const batch = (prefix: string, n: number) => ({
    events: Array.from({ length: n }, (_, i) => sampleReport({
      source: 'sensor', externalId: `${prefix}-${i}`, title: `传感器告警 ${i}`, gridId: `G0${(i % 9) + 1}`,
    })),
  });

  it('creates every event of a batch and answers with their ids and codes', async () => {
    const before = rowCounts(ts.app);
    const r = await post(`${api}/events/ingest`, batch('iot-a', 25));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ created: 25, duplicates: 0 });
    expect(r.body.items).toHaveLength(25);
    expect(r.body.items.map((i: { externalId: string }) => i.externalId)).toEqual(Array.from({ length: 25 }, (_, i) => `iot-a-${i}`));
    expect(rowCounts(ts.app)).toEqual({ events: before.events + 25, history: before.history + 25, journal: before.journal + 25 });
    const one = await get(`${api}/events/${r.body.items[3].id}`);
    expect(one.body.event).toMatchObject({ source: 'sensor', title: '传感器告警 3', gridId: 'G04' });
  });

  it('creates nothing when the same batch is sent again, counting every item as a duplicate', async () => {
    const first = await post(`${api}/events/ingest`, batch('iot-b', 10));
    expect(first.body.created).toBe(10);
    const before = rowCounts(ts.app);
    const again = await post(`${api}/events/ingest`, batch('iot-b', 10));
    expect(again.status).toBeLessThan(300);
    expect(again.body).toMatchObject({ created: 0, duplicates: 10 });
    expect(again.body.items.map((i: { id: number }) => i.id)).toEqual(first.body.items.map((i: { id: number }) => i.id));
    expect(rowCounts(ts.app)).toEqual(before);
  });

  it('creates only the new items of a batch that overlaps an earlier one', async () => {
    await post(`${api}/events/ingest`, batch('iot-c', 4));
    const before = rowCounts(ts.app);
    const r = await post(`${api}/events/ingest`, batch('iot-c', 6));
    expect(r.body).toMatchObject({ created: 2, duplicates: 4 });
    expect(rowCounts(ts.app).events).toBe(before.events + 2);
  });
});

describe('KPIs', () => {
  it('count a new report and a close as they happen', async () => {
    const k0 = (await get(`${api}/kpis`)).body.kpis;
    const e = await report();
    const k1 = (await get(`${api}/kpis`)).body.kpis;
    expect(k1.reportedToday).toBe(k0.reportedToday + 1);
    expect(k1.openNow).toBe(k0.openNow + 1);
    expect(k1.closedToday).toBe(k0.closedToday);

    await act(e.id, 'accept');
    await act(e.id, 'dispatch', { assigneeId: 'W01' });
    await act(e.id, 'start');
    await act(e.id, 'resolve', { note: '已处理' });
    await addPhoto(api, e.id);
    await act(e.id, 'close');
    const k2 = (await get(`${api}/kpis`)).body.kpis;
    expect(k2.closedToday).toBe(k0.closedToday + 1);
    expect(k2.openNow).toBe(k0.openNow);
    expect(k2.closureRate).toBeGreaterThan(0);
    expect(k2.onTimeRate).toBe(1);
    expect(k2.avgHandleMinutes).not.toBeNull();
  });

  it('match what the database holds', async () => {
    const v = (await get(`${api}/kpis`)).body;
    const open = ts.app.db.prepare("select count(*) n from events where status not in ('rejected', 'closed', 'reviewed')").get() as { n: number };
    expect(v.kpis.openNow).toBe(open.n);
    const reported = ts.app.db.prepare('select count(*) n from events').get() as { n: number };
    expect(v.kpis.reportedToday).toBe(reported.n);
    expect(v.asOf).toMatch(/\+08:00$/);
    const envOpen = ts.app.db.prepare("select count(*) n from events where category = 'environment' and status not in ('rejected', 'closed', 'reviewed')").get() as { n: number };
    expect(v.categories.find((c: { code: string }) => c.code === 'environment').open).toBe(envOpen.n);
  });
});
