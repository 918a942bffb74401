/**
 * A grid worker's field logs over real HTTP (巡查 · 走访): a patrol logged when it ends lists the
 * cases its worker reported on the way; a visit keeps its answers; each, sent three times at once
 * with one Idempotency-Key, is logged once; a grid worker logs in and reads only their own; bad
 * input is a 400 naming the field and writes nothing; reading visits is logged.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, logIn, request, sampleReport, startServer, TEST_PASSWORD, type Credentials, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;
let worker: Credentials;
let other: Credentials;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  await createUser(ts.app, 'wang-li', 'grid_worker', ['G01']);
  await createUser(ts.app, 'g02-worker', 'grid_worker', ['G02']);
  worker = await logIn(ts.url, 'wang-li', TEST_PASSWORD);
  other = await logIn(ts.url, 'g02-worker', TEST_PASSWORD);
});
afterAll(async () => {
  await ts?.stop();
});

const count = (table: string) => ts.app.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const post = (path: string, body: unknown, as: Credentials, key?: string) =>
  request(`${api}${path}`, { method: 'POST', body, as, headers: key ? { 'idempotency-key': key } : {} });

const visit = (over: Record<string, unknown> = {}) => ({
  gridId: 'G01', address: '幸福路12号3栋2单元', kind: 'key_population', visitedAt: iso(Date.now() - 600_000),
  met: true, safety: 'ok', health: 'fair', living: 'difficult', note: '独居，腿脚不便，希望有人帮忙买菜', followUp: true, ...over,
});

describe('a patrol', () => {
  it('is logged once when it ends, sent three times with one key, and lists the cases reported on the way', async () => {
    const start = Date.now() - 3_600_000;
    const reported = await post('/events', sampleReport({ gridId: 'G01', title: '地下车库积水' }), worker);
    expect(reported.status).toBe(201);
    const body = {
      gridId: 'G01', startedAt: iso(start), endedAt: iso(Date.now() + 1000), route: '幸福路—3栋—地下车库',
      notes: [{ at: iso(start + 600_000), text: '3栋楼道堆放纸箱' }], summary: '一处积水已上报',
    };
    const before = count('patrols');
    const key = randomUUID();
    const answers = await Promise.all([1, 2, 3].map(() => post('/patrols', body, worker, key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(count('patrols')).toBe(before + 1);
    const p = answers[0]!.body.patrol;
    expect(p).toMatchObject({ gridId: 'G01', by: 'wang-li', minutes: 60, route: '幸福路—3栋—地下车库', summary: '一处积水已上报' });
    expect(p.notes.map((n: { text: string }) => n.text)).toEqual(['3栋楼道堆放纸箱']);
    expect(p.events.map((e: { id: number }) => e.id)).toEqual([reported.body.event.id]);
  });

  it('refuses an end before its start, notes outside it and a grid not the worker\'s, writing nothing', async () => {
    const before = count('patrols');
    const now = Date.now();
    const bad = await post('/patrols', { gridId: 'G01', startedAt: iso(now), endedAt: iso(now - 60_000) }, worker);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual([{ field: 'endedAt', problem: 'must not be before startedAt' }]);
    const stray = await post('/patrols', {
      gridId: 'G01', startedAt: iso(now - 120_000), endedAt: iso(now), notes: [{ at: iso(now - 600_000), text: '早于巡查' }],
    }, worker);
    expect(stray.body.error.issues[0].field).toBe('notes[0].at');
    const elsewhere = await post('/patrols', { gridId: 'G02', startedAt: iso(now - 60_000), endedAt: iso(now) }, worker);
    expect(elsewhere.status).toBe(403);
    expect(count('patrols')).toBe(before);
  });
});

describe('a visit', () => {
  it('is logged once with its answers, sent three times with one key', async () => {
    const before = count('visits');
    const key = randomUUID();
    const body = visit();
    const answers = await Promise.all([1, 2, 3].map(() => post('/visits', body, worker, key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(count('visits')).toBe(before + 1);
    expect(answers[0]!.body.visit).toMatchObject({ kind: 'key_population', met: true, safety: 'ok', health: 'fair', living: 'difficult', followUp: true });
  });

  it('checks the household it names is in the register and in the visit\'s grid', async () => {
    const before = count('visits');
    const none = await post('/visits', visit({ householdId: 99_999_999 }), worker);
    expect(none.body.error.issues).toEqual([{ field: 'householdId', problem: 'no household 99999999 in this community' }]);
    const elsewhere = ts.app.db.prepare("SELECT id FROM households WHERE grid_id = 'G02' LIMIT 1").pluck().get() as number | undefined;
    if (elsewhere) {
      const r = await post('/visits', visit({ householdId: elsewhere }), worker);
      expect(r.body.error.issues[0].field).toBe('householdId');
    }
    const here = ts.app.db.prepare("SELECT id FROM households WHERE grid_id = 'G01' LIMIT 1").pluck().get() as number | undefined;
    if (here) expect((await post('/visits', visit({ householdId: here }), worker)).status).toBe(201);
    expect(count('visits')).toBe(before + (here ? 1 : 0));
  });

  it('names the field of a bad answer and writes nothing', async () => {
    const before = count('visits');
    const r = await post('/visits', visit({ safety: 'fine', address: '' }), worker);
    expect(r.status).toBe(400);
    expect(r.body.error.issues.map((i: { field: string }) => i.field)).toContain('safety');
    const nowhere = await post('/visits', visit({ address: '' }), worker);
    expect(nowhere.body.error.issues).toEqual([{ field: 'address', problem: 'name a household, a resident or an address' }]);
    const future = await post('/visits', visit({ visitedAt: iso(Date.now() + 3_600_000) }), worker);
    expect(future.body.error.issues).toEqual([{ field: 'visitedAt', problem: 'is in the future' }]);
    expect(count('visits')).toBe(before);
  });

  it('is read by its worker and the centre, not by another grid worker, and the centre\'s read is logged', async () => {
    const made = await post('/visits', visit({ note: '老人说最近睡不好' }), worker);
    const id = made.body.visit.id;
    expect((await request(`${api}/visits/${id}`, { as: worker })).status).toBe(200);
    expect((await request(`${api}/visits/${id}`, { as: other })).status).toBe(404);
    const mine = await request(`${api}/visits`, { as: other });
    expect(mine.body.items).toEqual([]);
    const centre = await request(`${api}/visits/${id}`);
    expect(centre.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    const logged = ts.app.db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'records.read' AND target_type = 'visits' AND target_id = ?").pluck().get(String(id));
    expect(logged).toBeGreaterThanOrEqual(1);
  });

  it('lists only the visits that need someone to act with attention=true: a follow-up, danger or poor health', async () => {
    const from = iso(Date.now() - 60_000);
    const at = iso(Date.now() - 30_000);
    const quiet = { visitedAt: at, safety: 'ok', health: 'good', living: 'ok', followUp: false };
    const made: Record<string, number> = {};
    for (const [name, over] of Object.entries({
      quiet, followUp: { ...quiet, followUp: true }, danger: { ...quiet, safety: 'danger' }, poor: { ...quiet, health: 'poor' },
      concern: { ...quiet, safety: 'concern', health: 'fair', living: 'difficult' },
    })) made[name] = (await post('/visits', visit(over), worker, randomUUID())).body.visit.id;
    const all = await request(`${api}/visits?from=${encodeURIComponent(from)}`);
    expect(all.body.items.map((v: { id: number }) => v.id).sort()).toEqual(Object.values(made).sort());
    const needing = await request(`${api}/visits?attention=true&from=${encodeURIComponent(from)}`);
    expect(needing.status).toBe(200);
    expect(needing.body.items.map((v: { id: number }) => v.id).sort()).toEqual([made.followUp, made.danger, made.poor].sort());
    const mine = await request(`${api}/visits?attention=true&from=${encodeURIComponent(from)}`, { as: other });
    expect(mine.body.items).toEqual([]);
    const bad = await request(`${api}/visits?attention=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('attention');
  });
});
