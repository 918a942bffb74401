/**
 * An incident's timeline and after-action report over real HTTP and a moved clock: an incident
 * whose board is worked through the board's own routes, then ended, has a timeline with every
 * step, report, claim, escalation and case in order; the time until every household's status was
 * known is right per grid (and "not yet" with the count for a grid never finished); objectives
 * and corrective actions are refused naming the field with nothing written; a corrective action
 * stays on its owner's list until done; and retries with one Idempotency-Key apply once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, request, startServer, type Credentials, type TestServer } from '../support/server.ts';
import type { AfterActionAnswer, CorrectiveActionView, TimelineAnswer } from '../../shared/after-action.ts';

let ts: TestServer;
let api: string;
let clock = Date.parse('2026-09-14T20:00:00+08:00');
let dispatcher: Credentials;
let worker: Credentials;
let colleague: Credentials;

const minutes = (n: number) => (clock += n * 60_000);
const count = (sql: string, ...args: unknown[]) => ts.app.db.prepare(sql).pluck().get(...args) as number;
const post = (path: string, body: unknown, as: Credentials, key?: string) =>
  request(`${api}${path}`, { method: 'POST', body, as, headers: key ? { 'idempotency-key': key } : {} });
const read = (path: string, as: Credentials) => request(`${api}${path}`, { as });

const ids = { a: 0, b: 0, c: 0, d: 0 };
async function household(gridId: string, building: string, room: string) {
  const b = await request(`${api}/register/buildings`, { method: 'POST', body: { gridId, address: building, units: 0, floors: 6 } });
  const buildingId = b.status === 201 ? b.body.building.id
    : (await request(`${api}/register/buildings?grid=${gridId}&q=${encodeURIComponent(building)}`)).body.items[0].id;
  const h = (await request(`${api}/register/households`, { method: 'POST', body: { buildingId, room, kind: 'owner' } })).body.household;
  const made = await request(`${api}/register/residents`, {
    method: 'POST', body: { householdId: h.id, name: `住户${room}`, gender: 'female', birth: '1960', relation: 'head', residence: 'resident' },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return h.id as number;
}

let incidentId: number;
const hh = (hid: number, what: string) => `/incidents/${incidentId}/households/${hid}${what}`;

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  dispatcher = await loginAs(ts.url, 'dispatcher');
  worker = await loginAs(ts.url, 'grid_worker', ['G01', 'G02', 'G03']);
  colleague = await loginAs(ts.url, 'grid_worker', ['G01']);
  ids.a = await household('G01', '桂花苑3幢', '101');
  ids.b = await household('G01', '桂花苑3幢', '102');
  ids.c = await household('G02', '丹枫新村8幢', '502');
  ids.d = await household('G03', '金秋小区1幢', '201');

  // 20:00 declared; 20:05 a claimed and found safe; 20:15 b no answer; 20:31 the timer escalates b;
  // 20:35 b safe by a call (G01 all known: 35 min); 20:40 c needs help (G02: 40 min); d never; 20:45 ended.
  const declared = await post('/incidents', { type: 'typhoon', level: 2, grids: ['G01', 'G02', 'G03'], headline: '台风“海葵”今夜登陆' }, dispatcher, randomUUID());
  expect(declared.status).toBe(201);
  incidentId = declared.body.incident.id;
  minutes(5);
  expect((await post(hh(ids.a, '/claim'), undefined, worker, randomUUID())).status).toBe(200);
  expect((await post(hh(ids.a, '/done'), { status: 'safe' }, worker, randomUUID())).status).toBe(200);
  minutes(10);
  expect((await post(hh(ids.b, '/status'), { status: 'no_answer', source: 'knock' }, worker, randomUUID())).status).toBe(200);
  minutes(16);
  expect(await ts.app.board.escalations()).toBe(1);
  minutes(4);
  expect((await post(hh(ids.b, '/status'), { status: 'safe', source: 'call' }, dispatcher, randomUUID())).status).toBe(200);
  minutes(5);
  expect((await post(hh(ids.c, '/status'), { status: 'needs_help', source: 'knock', note: '老人腿脚不便' }, worker, randomUUID())).status).toBe(200);
  minutes(5);
  expect((await post(`/incidents/${incidentId}/end`, { summary: '台风过境，无人员伤亡。' }, dispatcher, randomUUID())).status).toBe(200);
  minutes(60);
});
afterAll(async () => {
  await ts?.stop();
});

describe('the timeline', () => {
  it('lists the steps, reports, claims, escalations and cases of the incident in order, with who and which grid', async () => {
    const r = await read(`/incidents/${incidentId}/timeline`, dispatcher);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const t = r.body as TimelineAnswer;
    expect(t.total).toBe(t.items.length);
    expect(t.nextOffset).toBeNull();
    expect(t.items.map((e) => [e.kind, e.householdId])).toEqual([
      ['step', null], ['claim', ids.a], ['report', ids.a], ['report', ids.b], ['escalation', ids.b], ['report', ids.b], ['report', ids.c], ['case', ids.c],
      ['step', null],
    ]);
    const at = t.items.map((e) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((x, y) => x - y));
    expect(t.items[0]).toMatchObject({ what: { step: 'alert' }, who: dispatcher.username, gridId: null });
    expect(t.items[2]).toMatchObject({ what: { status: 'safe', source: 'knock' }, who: worker.username, gridId: 'G01', address: expect.stringContaining('101') });
    expect(t.items[4]).toMatchObject({ what: { stage: 'retry' }, who: null, gridId: 'G01' });
    expect(t.items[8]!.what).toMatchObject({ step: 'cancel' });
  });

  it('comes a page at a time', async () => {
    const first = (await read(`/incidents/${incidentId}/timeline?limit=4`, dispatcher)).body as TimelineAnswer;
    expect(first.items).toHaveLength(4);
    expect(first.nextOffset).toBe(4);
    const rest = (await read(`/incidents/${incidentId}/timeline?offset=4&limit=100`, dispatcher)).body as TimelineAnswer;
    expect(rest.items.map((e) => e.kind)).toEqual(['escalation', 'report', 'report', 'case', 'step']);
    expect(rest.nextOffset).toBeNull();
  });

  it('exports as CSV with the catalogue\'s headers', async () => {
    const r = await fetch(`${api}/incidents/${incidentId}/report/export?format=csv&lang=zh-CN`, { headers: { cookie: dispatcher.cookie } });
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text.split('\r\n')[0]).toContain('时间');
    expect(text).toContain('无人应答');
    expect(text.trim().split('\r\n')).toHaveLength(1 + 9);
  });
});

describe('the after-action report', () => {
  it('computes per grid how long until every household was known, and "not yet" with how many for a grid never finished', async () => {
    const r = await read(`/incidents/${incidentId}/report`, dispatcher);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const f = (r.body as AfterActionAnswer).figures;
    expect(f.grids.map((g) => [g.gridId, g.households, g.minutes, g.unknownAtEnd])).toEqual([['G01', 2, 35, 0], ['G02', 1, 40, 0], ['G03', 1, null, 1]]);
    expect(Date.parse(f.grids[0]!.knownAt!)).toBe(Date.parse('2026-09-14T20:35:00+08:00'));
    expect(f.allKnownMinutes).toBeNull();
    expect(f.byStatus).toMatchObject({ safe: 2, needs_help: 1, unknown: 1, no_answer: 0 });
    expect(f.escalations).toEqual({ retry: 1 });
    expect(f.reports).toBe(4);
    expect(f.cases).toHaveLength(1);
    expect(f.cases[0]).toMatchObject({ householdId: ids.c, gridId: 'G02', closedAt: null, minutes: null });
    expect(Date.parse(f.cases[0]!.openedAt)).toBe(Date.parse('2026-09-14T20:40:00+08:00'));
  });

  it('refuses a bad rating, a missing owner or due date, naming the field, and writes nothing', async () => {
    const badRating = await post(`/incidents/${incidentId}/objectives`, { title: '30 分钟内查清重点人群', rating: 'X' }, dispatcher, randomUUID());
    expect(badRating.status).toBe(400);
    expect(badRating.body.error.issues.map((i: { field: string }) => i.field)).toEqual(['rating']);
    const base = { title: '补全独居老人紧急联系人', owner: worker.username, dueDate: '2026-10-01', check: '抽查 10 户' };
    for (const field of ['owner', 'dueDate', 'check'] as const) {
      const { [field]: _, ...without } = base;
      const bad = await post(`/incidents/${incidentId}/actions`, without, dispatcher, randomUUID());
      expect(bad.status, field).toBe(400);
      expect(bad.body.error.issues.map((i: { field: string }) => i.field)).toEqual([field]);
    }
    const nobody = await post(`/incidents/${incidentId}/actions`, { ...base, owner: 'nobody-here' }, dispatcher, randomUUID());
    expect(nobody.status).toBe(400);
    expect(nobody.body.error.issues).toEqual([{ field: 'owner', problem: 'no active account nobody-here in this community' }]);
    const badDate = await post(`/incidents/${incidentId}/actions`, { ...base, dueDate: '2026-02-30' }, dispatcher, randomUUID());
    expect(badDate.body.error.issues[0].field).toBe('dueDate');
    expect(count('SELECT COUNT(*) FROM aar_objectives')).toBe(0);
    expect(count('SELECT COUNT(*) FROM aar_actions')).toBe(0);
  });

  it('applies an objective and an action sent three times with one Idempotency-Key once, journalled once', async () => {
    const key = randomUUID();
    const rated = await Promise.all([1, 2, 3].map(() =>
      post(`/incidents/${incidentId}/objectives`, { title: '30 分钟内查清重点人群', rating: 'S', note: 'G03 未完成' }, dispatcher, key)));
    expect(rated.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(rated.map((r) => r.body.objective.id)).size).toBe(1);
    expect(count('SELECT COUNT(*) FROM aar_objectives')).toBe(1);

    const actionKey = randomUUID();
    const body = { title: '补全独居老人紧急联系人', owner: worker.username, dueDate: '2026-09-20', check: '抽查 10 户', objectiveId: rated[0]!.body.objective.id };
    const added = await Promise.all([1, 2, 3].map(() => post(`/incidents/${incidentId}/actions`, body, dispatcher, actionKey)));
    expect(added.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(count('SELECT COUNT(*) FROM aar_actions')).toBe(1);
    expect(count("SELECT COUNT(*) FROM journal WHERE entity = 'incident_aar' AND type = 'aar.action_added'")).toBe(1);
    expect(added[0]!.body.action).toMatchObject({ owner: worker.username, status: 'open', overdue: false, incidentId });

    const again = await post(`/incidents/${incidentId}/objectives/${rated[0]!.body.objective.id}/rating`, { rating: 'M' }, worker, randomUUID());
    expect(again.body.objective).toMatchObject({ rating: 'M', note: 'G03 未完成', ratedBy: worker.username });
    const report = (await read(`/incidents/${incidentId}/report`, dispatcher)).body as AfterActionAnswer;
    expect(report.objectives.map((o) => o.rating)).toEqual(['M']);
    expect(report.actions.map((a) => a.title)).toEqual(['补全独居老人紧急联系人']);
  });

  it('keeps a corrective action on its owner\'s list until done, standing out once overdue; only its owner or the centre closes it', async () => {
    const mine = async (as: Credentials) => ((await read('/corrective-actions?owner=me&open=true', as)).body.items as CorrectiveActionView[]);
    expect((await mine(worker)).map((a) => a.title)).toEqual(['补全独居老人紧急联系人']);
    expect(await mine(colleague)).toEqual([]);
    clock = Date.parse('2026-09-21T09:00:00+08:00');
    const [late] = await mine(worker);
    expect(late!.overdue).toBe(true);

    expect((await post(`/corrective-actions/${late!.id}/status`, { status: 'done' }, colleague, randomUUID())).status).toBe(403);
    expect((await post(`/corrective-actions/${late!.id}/status`, { status: 'verified' }, dispatcher, randomUUID())).body.error.issues[0].field).toBe('status');
    expect((await mine(worker)).length).toBe(1);

    const done = await post(`/corrective-actions/${late!.id}/status`, { status: 'done', checkNote: '已补全 12 户' }, worker, randomUUID());
    expect(done.body.action).toMatchObject({ status: 'done', overdue: false, closedBy: worker.username, checkNote: '已补全 12 户' });
    expect(await mine(worker)).toEqual([]);
    const verified = await post(`/corrective-actions/${late!.id}/status`, { status: 'verified' }, dispatcher, randomUUID());
    expect(verified.body.action).toMatchObject({ status: 'verified', verifiedBy: dispatcher.username, closedBy: worker.username });
    const all = (await read('/corrective-actions', dispatcher)).body.items as CorrectiveActionView[];
    expect(all.map((a) => a.status)).toEqual(['verified']);
  });
});
