/**
 * Emergency incidents over real HTTP and real sockets: the centre declares one (CAP Alert),
 * updates it against the version it read (Update) and ends it with a summary (Cancel); a second
 * declaration while one is active is a 409 naming it; a declaration sent three times with one
 * Idempotency-Key declares once; bad input is a 400 naming the field and writes nothing; staff
 * read, only admins and dispatchers command; every step is in the journal and the audit log; a
 * wall hears each step with no names, hears the active incident as it connects, and its
 * acknowledgement shows it flipped in the screens list.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loginAs, openSocket, pairDisplay, request, startServer, until, type Credentials, type TestServer, type TestSocket,
} from '../support/server.ts';
import type { IncidentNews } from '../../shared/emergency.ts';

let ts: TestServer;
let api: string;
let dispatcher: Credentials;
let worker: Credentials;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  dispatcher = await loginAs(ts.url, 'dispatcher');
  worker = await loginAs(ts.url, 'grid_worker', ['G01']);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await ts?.stop();
});

const post = (path: string, body: unknown, as: Credentials = dispatcher, key?: string) =>
  request(`${api}${path}`, { method: 'POST', body, as, headers: key ? { 'idempotency-key': key } : {} });
const read = (path: string, as: Credentials = dispatcher) => request(`${api}${path}`, { as });
const count = (sql: string) => ts.app.db.prepare(sql).pluck().get() as number;

const typhoon = (over: Record<string, unknown> = {}) => ({
  type: 'typhoon', level: 2, grids: ['G01', 'G02'], headline: '台风“海葵”将于今夜登陆',
  instructions: '请低洼地带居民转移至社区服务中心避险；联系王建国 13812345678', ...over,
});

/** A wall's socket, collecting every `incident:changed` it hears. */
async function wall(token?: string) {
  const socket = openSocket(ts.url, { displayToken: token ?? pairDisplay(ts.app, `大屏${sockets.length + 1}`).token });
  sockets.push(socket);
  const heard: IncidentNews[] = [];
  socket.on('incident:changed', (n) => heard.push(n));
  await until(() => heard.length > 0, 'the incident as the wall connects');
  return { socket, heard };
}

describe('an incident', () => {
  let id: number;

  it('is declared by a dispatcher, reaches a wall at once without names, and a second declaration is a 409 naming it', async () => {
    const w = await wall();
    expect(w.heard[0]).toEqual({ incident: null });
    const key = randomUUID();
    const answers = await Promise.all([1, 2, 3].map(() => post('/incidents', typhoon(), dispatcher, key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(count('SELECT COUNT(*) FROM incidents')).toBe(1);
    const incident = answers[0]!.body.incident;
    id = incident.id;
    expect(incident).toMatchObject({ type: 'typhoon', level: 2, drill: false, grids: ['G01', 'G02'], status: 'active', version: 1, declaredBy: dispatcher.username });

    await until(() => w.heard.length > 1, 'the declaration on the wall');
    const pushed = w.heard[1]!;
    expect(pushed.step).toBe('alert');
    expect(pushed.incident).toMatchObject({ id, level: 2, drill: false, grids: ['G01', 'G02'], status: 'active', version: 1 });
    // Public: no declarer, no summary, and the phone number in the instructions masked.
    expect(Object.keys(pushed.incident!)).not.toContain('declaredBy');
    expect(pushed.incident!.instructions).not.toContain('13812345678');

    const again = await post('/incidents', typhoon({ type: 'fire', level: 1 }));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'error.incident_active', active: { id, level: 2, headline: '台风“海葵”将于今夜登陆' } });
    expect(count('SELECT COUNT(*) FROM incidents')).toBe(1);

    const active = await read('/incidents/active', worker);
    expect(active.status).toBe(200);
    expect(active.body.incident.id).toBe(id);
  });

  it('reaches a wall that connects while it is active', async () => {
    const w = await wall();
    expect(w.heard[0]!.incident).toMatchObject({ id, status: 'active' });
    expect(w.heard[0]!.step).toBeUndefined();
  });

  it('is updated against the version read; a stale version is a 409 and a bad grid a 400 naming it', async () => {
    const stale = await post(`/incidents/${id}/update`, { expectedVersion: 7, level: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.incident_changed', version: 1 });
    const badGrid = await post(`/incidents/${id}/update`, { expectedVersion: 1, grids: ['G01', 'G99'] });
    expect(badGrid.status).toBe(400);
    expect(badGrid.body.error.issues).toEqual([{ field: 'grids[1]', problem: 'no grid G99 in this community' }]);
    const nothing = await post(`/incidents/${id}/update`, { expectedVersion: 1 });
    expect(nothing.status).toBe(400);
    expect(nothing.body.error.issues[0].field).toBe('level');

    const up = await post(`/incidents/${id}/update`, { expectedVersion: 1, level: 1, grids: 'all' });
    expect(up.status).toBe(200);
    expect(up.body.incident).toMatchObject({ level: 1, grids: 'all', version: 2 });
    const detail = await read(`/incidents/${id}`);
    expect(detail.body.steps.map((s: { step: string; version: number }) => [s.step, s.version])).toEqual([['alert', 1], ['update', 2]]);
    expect(detail.body.steps[1].changes).toEqual({ level: [2, 1], grids: [['G01', 'G02'], 'all'] });
  });

  it('refuses bad declarations naming the field, and commands from anyone but the centre', async () => {
    const before = count('SELECT COUNT(*) FROM incident_steps');
    const cases: [Record<string, unknown>, string][] = [
      [{ level: 5 }, 'level'], [{ type: 'volcano' }, 'type'], [{ headline: '' }, 'headline'], [{ grids: [] }, 'grids'],
      [{ grids: ['G01', 'G01'] }, 'grids'], [{ colour: 'red' }, 'colour'],
    ];
    for (const [over, field] of cases) {
      const bad = await post('/incidents', typhoon(over));
      expect(bad.status, JSON.stringify(over)).toBe(400);
      expect(bad.body.error.issues.map((i: { field: string }) => i.field), JSON.stringify(over)).toContain(field);
    }
    expect((await post('/incidents', typhoon(), worker)).status).toBe(403);
    expect((await post(`/incidents/${id}/end`, { summary: '结束' }, worker)).status).toBe(403);
    expect((await read('/incidents', worker)).status).toBe(200);
    expect(count('SELECT COUNT(*) FROM incident_steps')).toBe(before);
  });

  it('is ended with a summary, which the wall hears, and then takes no update', async () => {
    const w = await wall();
    const noSummary = await post(`/incidents/${id}/end`, { summary: '  ' });
    expect(noSummary.status).toBe(400);
    expect(noSummary.body.error.issues[0].field).toBe('summary');
    const end = await post(`/incidents/${id}/end`, { summary: '台风过境，无人员伤亡，转移群众 42 人均已返家。' }, dispatcher, randomUUID());
    expect(end.status).toBe(200);
    expect(end.body.incident).toMatchObject({ status: 'ended', version: 3, endedBy: dispatcher.username });
    await until(() => w.heard.some((n) => n.step === 'cancel'), 'the end on the wall');
    expect(w.heard.at(-1)!.incident).toMatchObject({ id, status: 'ended' });
    expect(Object.keys(w.heard.at(-1)!.incident!)).not.toContain('summary');

    const late = await post(`/incidents/${id}/update`, { expectedVersion: 3, level: 3 });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('error.incident_ended');
    expect((await read('/incidents/active')).body.incident).toBeNull();
    expect((await read('/incidents?status=ended')).body.items.map((i: { id: number }) => i.id)).toEqual([id]);
  });

  it('keeps every step in the journal and the audit log', () => {
    const journal = ts.app.db.prepare("SELECT type FROM journal WHERE entity = 'incident' AND entity_id = ? ORDER BY seq").pluck().all(id);
    expect(journal).toEqual(['incident.declared', 'incident.updated', 'incident.ended']);
    const audit = ts.app.db.prepare("SELECT action FROM audit_log WHERE target_type = 'incidents' ORDER BY id").pluck().all();
    expect(audit).toEqual(['incidents.create', 'incidents.update', 'incidents.end']);
  });

  it('is declared again once the last has ended, as a drill', async () => {
    const drill = await post('/incidents', typhoon({ drill: true, type: 'fire', level: 4, grids: 'all' }));
    expect(drill.status).toBe(201);
    expect(drill.body.incident).toMatchObject({ drill: true, level: 4, grids: 'all' });
    await post(`/incidents/${drill.body.incident.id}/end`, { summary: '演练结束' });
  });
});

describe("an incident's screens", () => {
  it('lists the displays, flipped once each acknowledged the current version', async () => {
    const a = await wall();
    const b = await wall();
    const declared = await post('/incidents', typhoon({ level: 3 }));
    const id = declared.body.incident.id as number;
    await until(() => a.heard.some((n) => n.incident?.id === id), 'the declaration');
    const acked: unknown[] = [];
    const console = openSocket(ts.url, { as: dispatcher });
    sockets.push(console);
    console.on('incident:acked', (x) => acked.push(x));
    await new Promise((r) => console.once('connect', () => r(null)));

    const answer = await a.socket.emitWithAck('incident:ack', { id, version: 1 });
    expect(answer).toEqual({ ok: true });
    expect(await a.socket.emitWithAck('incident:ack', { id, version: 9 })).toEqual({ ok: false, error: 'error.not_found' });
    expect((await a.socket.emitWithAck('incident:ack', { id: 'x', version: 1 } as never) as { ok: boolean }).ok).toBe(false);
    await until(() => acked.length > 0, 'the acknowledgement on the console');

    const screens = await read(`/incidents/${id}/screens`);
    expect(screens.status).toBe(200);
    const byName = new Map(screens.body.screens.map((s: { name: string }) => [s.name, s]));
    const flipped = screens.body.screens.filter((s: { flipped: boolean }) => s.flipped);
    expect(flipped).toHaveLength(1);
    expect(flipped[0]).toMatchObject({ online: true, ackedVersion: 1 });
    expect(flipped[0].ackedAt).toMatch(/\+08:00$/);
    // Not yet flipped come first.
    expect(screens.body.screens[0].flipped).toBe(false);
    expect(byName.size).toBe(screens.body.screens.length);

    // An update makes every screen not flipped until it acknowledges the new version.
    await post(`/incidents/${id}/update`, { expectedVersion: 1, headline: '台风“海葵”已登陆' });
    const after = await read(`/incidents/${id}/screens`);
    expect(after.body.version).toBe(2);
    expect(after.body.screens.every((s: { flipped: boolean }) => !s.flipped)).toBe(true);
    await b.socket.emitWithAck('incident:ack', { id, version: 2 });
    expect((await read(`/incidents/${id}/screens`)).body.screens.filter((s: { flipped: boolean }) => s.flipped)).toHaveLength(1);
    await post(`/incidents/${id}/end`, { summary: '结束' });
  });
});
