/**
 * The desk's numbers (运行看板) over real HTTP at a controlled clock: six cases walked through
 * the loop minute by minute, then every figure checked exactly — the intake, p50/p90 by nearest
 * rank, the on-time rate by grid and worker, the returns by reason, grid and worker — and each
 * figure's `cases` listing exactly the cases behind it through `GET /events`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPhoto, loginAs, request, sampleReport, startServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-11-20T08:00:00+08:00');
const MIN = 60_000;
let clock = T0;
const at = (minutes: number) => (clock = T0 + minutes * MIN);

let ts: TestServer;
let api: string;
const id: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', number> = { A: 0, B: 0, C: 0, D: 0, E: 0, F: 0 };

async function report(over: Record<string, unknown>): Promise<number> {
  const r = await request(`${api}/events`, { method: 'POST', body: sampleReport(over) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.event.id;
}
async function act(minute: number, eventId: number, action: string, body: Record<string, unknown> = {}) {
  at(minute);
  const r = await request(`${api}/events/${eventId}/${action}`, { method: 'POST', body });
  expect(r.status, `${action} at m${minute}: ${JSON.stringify(r.body)}`).toBe(200);
}

beforeAll(async () => {
  ts = await startServer({ now: () => clock, env: { TIMER_MS: '600000' } });
  api = `${ts.url}/api/v1`;
  at(0);
  id.A = await report({ source: 'resident', gridId: 'G01' });
  id.B = await report({ source: 'hotline', gridId: 'G02', urgency: 'critical' }); // 4 h to handle
  id.C = await report({ source: 'patrol', gridId: 'G01', category: 'facilities', subcategory: undefined });
  id.D = await report({ source: 'resident', gridId: 'G02' });
  id.E = await report({ source: 'resident', gridId: 'G01' });
  id.F = await report({ source: 'hotline', gridId: 'G01' });
  const { A, B, C, D, E, F } = id;
  await act(5, E, 'reject', { note: '与已立案件重复', reason: 'duplicate' });
  await act(10, A, 'accept');
  await act(15, F, 'accept');
  await act(20, D, 'accept');
  await act(25, F, 'dispatch', { assigneeId: 'W01' });
  await act(30, B, 'accept');
  await act(30, A, 'dispatch', { assigneeId: 'W01' });
  await act(35, F, 'send_back', { note: '不是本网格', reason: 'not_my_grid' });
  await act(40, A, 'sign');
  await act(45, A, 'start');
  await act(45, F, 'dispatch', { assigneeId: 'W02' });
  await act(50, C, 'accept');
  await act(55, F, 'send_back', { note: '也不是本网格', reason: 'not_my_grid' });
  await act(60, D, 'dispatch', { assigneeId: 'W02' });
  await act(65, D, 'start');
  await act(90, B, 'dispatch', { assigneeId: 'W02' });
  await act(120, A, 'resolve', { note: '已清运' });
  await addPhoto(api, A);
  await act(130, A, 'close');
  await act(140, A, 'review', { satisfaction: 5 });
  await act(180, B, 'sign');
  await act(200, D, 'resolve', { note: '已处理' });
  await act(210, D, 'return', { note: '现场仍有垃圾', reason: 'not_fixed' });
  await act(220, D, 'dispatch', { assigneeId: 'W02' });
  await act(230, D, 'sign');
  await act(300, D, 'start');
  await act(310, D, 'resolve', { note: '已彻底清运' });
  await addPhoto(api, D);
  await act(320, D, 'close');
  await act(330, D, 'review', { satisfaction: 3 });
  await act(390, B, 'start');
  await act(400, B, 'resolve', { note: '迟了' }); // due at m90 + 4 h = m330: late
  at(410);
  await ts.app.events.deadlines.check(); // C's dispatch deadline (m50 + 2 h) has passed: overdue
  // A case of yesterday counts in 7 days, not today.
  at(-24 * 60);
  await report({ source: 'sensor', gridId: 'G03' });
  at(420);
});
afterAll(async () => {
  await ts?.stop();
});

const stats = async (query = 'period=today', as?: Awaited<ReturnType<typeof loginAs>>) =>
  request(`${api}/events/stats?${query}`, as ? { as } : {});

/** The ids `GET /events` lists for a figure's `cases`, sorted. */
async function listed(cases: Record<string, string>): Promise<number[]> {
  const r = await request(`${api}/events?${new URLSearchParams({ ...cases, limit: '500' })}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items.map((e: { id: number }) => e.id).sort((a: number, b: number) => a - b);
}
const ids = (...names: (keyof typeof id)[]) => names.map((n) => id[n]).sort((a, b) => a - b);

describe('the desk numbers', () => {
  it('counts today\'s intake by source, and the list behind each count holds exactly those reports', async () => {
    const r = await stats();
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { intake } = r.body;
    expect(intake.total).toBe(6);
    expect(intake.bySource.map((s: any) => [s.source, s.n])).toEqual([['resident', 3], ['hotline', 2], ['patrol', 1]]);
    expect(await listed(intake.cases)).toEqual(ids('A', 'B', 'C', 'D', 'E', 'F'));
    expect(await listed(intake.bySource.find((s: any) => s.source === 'hotline').cases)).toEqual(ids('B', 'F'));
    expect(await listed(intake.byCategory.find((s: any) => s.category === 'facilities').cases)).toEqual(ids('C'));
    // Yesterday's sensor report is in the week's intake list but not today's.
    expect((await stats('period=7d')).body.intake.total).toBe(6);
  });

  it('gives p50 and p90 of the time to accept, to dispatch and to sign for by nearest rank, over the cases it lists', async () => {
    const { durations } = (await stats()).body;
    // accept: 10, 15, 20, 30, 50 min → p50 the 3rd, p90 the 5th
    expect(durations.accept).toMatchObject({ n: 5, p50Ms: 20 * MIN, p90Ms: 50 * MIN });
    // dispatch (accepted → first dispatch): 10, 20, 40, 60 → the 2nd and the 4th
    expect(durations.dispatch).toMatchObject({ n: 4, p50Ms: 20 * MIN, p90Ms: 60 * MIN });
    // sign (last dispatch → signed for): A 10, D 10 (re-dispatched at m220, signed at m230), B 90
    expect(durations.sign).toMatchObject({ n: 3, p50Ms: 10 * MIN, p90Ms: 90 * MIN });
    expect(await listed(durations.accept.cases)).toEqual(ids('A', 'B', 'C', 'D', 'F'));
    expect(await listed(durations.dispatch.cases)).toEqual(ids('A', 'B', 'D', 'F'));
    expect(await listed(durations.sign.cases)).toEqual(ids('A', 'B', 'D'));
  });

  it('gives the on-time rate of the cases resolved, by grid and by worker, and lists the late ones', async () => {
    const { onTime } = (await stats()).body;
    expect(onTime.all).toMatchObject({ resolved: 3, onTime: 2 });
    expect(onTime.all.rate).toBeCloseTo(2 / 3, 10);
    expect(onTime.byGrid.map((g: any) => [g.gridId, g.onTime, g.resolved])).toEqual([['G02', 1, 2], ['G01', 1, 1]]);
    expect(onTime.byWorker.map((w: any) => [w.workerId, w.onTime, w.resolved])).toEqual([['W02', 1, 2], ['W01', 1, 1]]);
    expect(onTime.byWorker[0].name).toBe(ts.app.directory.workers.get('W02')!.name);
    expect(await listed(onTime.all.cases)).toEqual(ids('A', 'B', 'D'));
    expect(await listed(onTime.all.lateCases)).toEqual(ids('B'));
    expect(await listed(onTime.byGrid[0].cases)).toEqual(ids('B', 'D'));
    expect(await listed(onTime.byWorker[0].lateCases)).toEqual(ids('B'));
  });

  it('counts 退单, 回退 and 退回 by reason, grid and worker, so a case passed twice shows twice', async () => {
    const { returns } = (await stats()).body;
    expect(returns.byReason.map((x: any) => [x.action, x.reason, x.times, x.caseCount])).toEqual([
      ['reject', 'duplicate', 1, 1], ['send_back', 'not_my_grid', 2, 1], ['return', 'not_fixed', 1, 1],
    ]);
    expect(returns.byWorker.map((x: any) => [x.action, x.workerId, x.times])).toEqual([
      ['send_back', 'W01', 1], ['send_back', 'W02', 1], ['return', 'W02', 1],
    ]);
    expect(returns.byGrid.map((x: any) => [x.action, x.gridId, x.times])).toEqual([
      ['reject', 'G01', 1], ['send_back', 'G01', 2], ['return', 'G02', 1],
    ]);
    const passed = returns.byReason.find((x: any) => x.reason === 'not_my_grid');
    expect(await listed(passed.cases)).toEqual(ids('F'));
    expect(await listed(returns.byReason.find((x: any) => x.action === 'return').cases)).toEqual(ids('D'));
  });

  it('counts the cases overdue now and the call-backs\' satisfaction, each with its list', async () => {
    const body = (await stats()).body;
    expect(body.overdue.n).toBe(1);
    expect(await listed(body.overdue.cases)).toEqual(ids('C'));
    expect(body.satisfaction).toMatchObject({ n: 2, mean: 4 });
    expect(body.satisfaction.byScore.map((s: any) => [s.score, s.n])).toEqual([[5, 1], [4, 0], [3, 1], [2, 0], [1, 0]]);
    expect(await listed(body.satisfaction.byScore.find((s: any) => s.score === 3).cases)).toEqual(ids('D'));
  });

  it('narrows every figure to one grid when asked', async () => {
    const body = (await stats('period=today&grid=G02')).body;
    expect(body.intake.total).toBe(2);
    expect(body.onTime.all).toMatchObject({ resolved: 2, onTime: 1 });
    expect(body.durations.accept.n).toBe(2);
    expect(await listed(body.durations.accept.cases)).toEqual(ids('B', 'D'));
  });
});

describe('who reads them, and bad questions', () => {
  it('lets a dispatcher and a coordinator read the numbers, and refuses a grid worker and a social worker', async () => {
    expect((await stats('period=today', await loginAs(ts.url, 'dispatcher'))).status).toBe(200);
    expect((await stats('period=today', await loginAs(ts.url, 'coordinator'))).status).toBe(200);
    expect((await stats('period=today', await loginAs(ts.url, 'grid_worker', ['G01']))).status).toBe(403);
    expect((await stats('period=today', await loginAs(ts.url, 'social_worker'))).status).toBe(403);
  });

  it('refuses a period it does not know, naming the field', async () => {
    const r = await stats('period=year');
    expect(r.status).toBe(400);
    expect(r.body.error.issues.map((i: any) => i.field)).toEqual(['period']);
  });

  it('refuses a grid the community does not have, naming the field', async () => {
    const r = await stats('period=7d&grid=G99');
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].field).toBe('grid');
  });

  it('refuses a case list of more than 500 ids, naming the field', async () => {
    const r = await request(`${api}/events?ids=${Array.from({ length: 501 }, (_, i) => i + 1).join(',')}`);
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].field).toBe('ids');
  });
});
