/**
 * An incident's people and places over real HTTP and real sockets: a call-out reaches the
 * active volunteers with the skill in the grid and no one else; they accept or decline on their
 * phone and go on duty, and the incident's end ends the duty; a shelter's capacity comes from
 * its area at 3.5 m² a person unless set by hand, and its occupancy from check-ins and
 * check-outs; supplies are a ledger whose out beyond on hand is a 409 naming the item and
 * writing nothing; writes retried with one Idempotency-Key apply once; and nothing a wall is
 * sent names a volunteer or carries a phone.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  joinAsVolunteer, loginAs, openSocket, request, startServer, until, type Credentials, type TestServer, type TestSocket,
} from '../support/server.ts';
import type { PeopleAnswer, PublicPeople } from '../../shared/emergency-people.ts';

let ts: TestServer;
let api: string;
let coordinator: Credentials;
let gridWorker: Credentials;
let wall: TestSocket;
const counts: PublicPeople[] = [];
const publicPayloads: unknown[] = [];

const post = (path: string, body: unknown, as?: Credentials, key?: string) =>
  request(`${api}${path}`, { method: 'POST', body, ...(as ? { as } : {}), headers: key ? { 'idempotency-key': key } : {} });
const read = (path: string, as?: Credentials) => request(`${api}${path}`, as ? { as } : {});
const count = (sql: string, ...args: unknown[]) => ts.app.db.prepare(sql).pluck().get(...args) as number;

/** A volunteer on their phone with skills and a grid. */
async function volunteer(name: string, skills: string[], gridId: string) {
  const v = await joinAsVolunteer(ts.url, name);
  const r = await request(`${api}/volunteers/${v.volunteerId}`, { method: 'PATCH', body: { skills, gridId } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return v;
}

const people = { medic: null as unknown as Awaited<ReturnType<typeof volunteer>>, medic2: null as unknown as Awaited<ReturnType<typeof volunteer>>,
  driver: null as unknown as Awaited<ReturnType<typeof volunteer>>, farMedic: null as unknown as Awaited<ReturnType<typeof volunteer>> };
let incidentId: number;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  coordinator = await loginAs(ts.url, 'coordinator');
  gridWorker = await loginAs(ts.url, 'grid_worker', ['G01']);
  people.medic = await volunteer('欧阳医生', ['急救', '医护'], 'G01');
  people.medic2 = await volunteer('林护士', ['医护'], 'G02');
  people.driver = await volunteer('张师傅', ['驾驶'], 'G01');
  people.farMedic = await volunteer('司马急救', ['急救'], 'G03');
  wall = openSocket(ts.url, { display: true });
  wall.on('people:counts', (c) => (counts.push(c), publicPayloads.push(c)));
  await until(() => wall.connected, 'the wall connects');
  const declared = await post('/incidents', { type: 'typhoon', level: 2, grids: ['G01', 'G02'], headline: '台风今夜登陆' }, undefined, randomUUID());
  expect(declared.status, JSON.stringify(declared.body)).toBe(201);
  incidentId = declared.body.incident.id;
});
afterAll(async () => {
  wall?.close();
  await ts?.stop();
});

describe('a call-out', () => {
  let calloutId: number;

  it('reaches the active volunteers with any of its skills in any of its grids, and no one else', async () => {
    const r = await post(`/incidents/${incidentId}/callouts`, { skills: ['急救', '医护'], grids: ['G01', 'G02'], message: '请到社区活动中心集合' }, coordinator, randomUUID());
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    calloutId = r.body.callout.id;
    const ids = r.body.callout.answers.map((a: { volunteerId: number }) => a.volunteerId).sort();
    expect(ids).toEqual([people.medic.volunteerId, people.medic2.volunteerId].sort());
    // The driver (wrong skill) and the medic in G03 (wrong grid) were not called.
    const driverSees = await read('/me/callouts', people.driver);
    expect(driverSees.body.items).toEqual([]);
    const medicSees = await read('/me/callouts', people.medic);
    expect(medicSees.body.items).toMatchObject([{ id: calloutId, message: '请到社区活动中心集合', headline: '台风今夜登陆', answer: null }]);
  });

  it('matching nobody is a 409, and a grid not of the community a 400 naming it', async () => {
    const none = await post(`/incidents/${incidentId}/callouts`, { skills: ['潜水'], message: '需要潜水员' }, coordinator);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('error.callout_nobody');
    const bad = await post(`/incidents/${incidentId}/callouts`, { grids: ['G99'], message: '集合' }, coordinator);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('grids[0]');
    const empty = await post(`/incidents/${incidentId}/callouts`, { message: '' }, coordinator);
    expect(empty.status).toBe(400);
    expect(empty.body.error.issues[0].field).toBe('message');
  });

  it('is accepted or declined from the phone, and only an accepted one goes on duty until ended', async () => {
    const key = randomUUID();
    const first = await post(`/me/callouts/${calloutId}/answer`, { answer: 'accepted' }, people.medic, key);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.callout.answer).toBe('accepted');
    const declined = await post(`/me/callouts/${calloutId}/answer`, { answer: 'declined' }, people.medic2);
    expect(declined.body.callout.answer).toBe('declined');
    const notAccepted = await post(`/me/callouts/${calloutId}/duty`, { action: 'start' }, people.medic2);
    expect(notAccepted.status).toBe(409);
    expect(notAccepted.body.error.code).toBe('error.callout_not_accepted');
    // Another's call-out is not theirs to answer.
    expect((await post(`/me/callouts/${calloutId}/answer`, { answer: 'accepted' }, people.driver)).status).toBe(404);

    const on = await post(`/me/callouts/${calloutId}/duty`, { action: 'start' }, people.medic, randomUUID());
    expect(on.status).toBe(200);
    expect(on.body.callout.onDutyFrom).not.toBeNull();
    // Declining while on duty is refused: end the duty first.
    expect((await post(`/me/callouts/${calloutId}/answer`, { answer: 'declined' }, people.medic)).body.error.code).toBe('error.callout_on_duty');

    const board = (await read(`/incidents/${incidentId}/people`, coordinator)).body as PeopleAnswer;
    expect(board.mobilised).toBe(1);
    expect(board.onDuty.map((a) => a.volunteerId)).toEqual([people.medic.volunteerId]);
    await until(() => counts.at(-1)?.volunteers.onDuty === 1, 'the wall hears one on duty');
    expect(counts.at(-1)!.volunteers).toEqual({ mobilised: 1, onDuty: 1 });
    // The answer, the duty: each journalled.
    expect(count("SELECT COUNT(*) FROM journal WHERE entity = 'callout' AND entity_id = ? AND type IN ('callout.accepted', 'callout.on_duty')", calloutId)).toBe(2);
  });

  it('applies an answer retried with one Idempotency-Key once', async () => {
    const key = randomUUID();
    const before = count("SELECT COUNT(*) FROM journal WHERE entity = 'callout' AND type = 'callout.off_duty'");
    const a = await post(`/me/callouts/${calloutId}/duty`, { action: 'end' }, people.medic, key);
    const b = await post(`/me/callouts/${calloutId}/duty`, { action: 'end' }, people.medic, key);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(count("SELECT COUNT(*) FROM journal WHERE entity = 'callout' AND type = 'callout.off_duty'")).toBe(before + 1);
    expect((await read(`/incidents/${incidentId}/people`, coordinator)).body.onDuty).toEqual([]);
  });
});

describe('a shelter', () => {
  let shelterId: number;

  it('holds floor(usable area / 3.5) people unless its capacity is set by hand', async () => {
    const r = await post('/shelters', { incidentId, name: '社区活动中心', address: '桂花路 8 号', gridId: 'G01', areaM2: 100, needs: ['water', 'medicine'] }, coordinator, randomUUID());
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.shelter).toMatchObject({ capacity: 28, capacitySet: null, occupancy: 0, needs: ['water', 'medicine'] });
    shelterId = r.body.shelter.id;
    const seventy = await post('/shelters', { name: '第二小学体育馆', address: '丹枫路 1 号', areaM2: 70 }, coordinator);
    expect(seventy.body.shelter.capacity).toBe(20);
    const byHand = await request(`${api}/shelters/${seventy.body.shelter.id}`, { method: 'PATCH', as: coordinator, body: { capacity: 15 } });
    expect(byHand.body.shelter).toMatchObject({ capacity: 15, capacitySet: 15, areaM2: 70 });
    // A colleague working from the version before that change is told so, and nothing is overwritten.
    const stale = await request(`${api}/shelters/${seventy.body.shelter.id}`, {
      method: 'PATCH', as: coordinator, body: { capacity: 30, expectedVersion: seventy.body.shelter.version },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.shelter_changed', version: byHand.body.shelter.version });
    const fresh = await request(`${api}/shelters/${seventy.body.shelter.id}`, {
      method: 'PATCH', as: coordinator, body: { capacity: 16, expectedVersion: byHand.body.shelter.version },
    });
    expect(fresh.body.shelter).toMatchObject({ capacity: 16 });
    const neither = await post('/shelters', { name: '空', address: '某处' }, coordinator);
    expect(neither.status).toBe(400);
    expect(neither.body.error.issues[0].field).toBe('areaM2');
  });

  it('counts people in and out by head count; a retried check-in counts once; more leaving than are in is a 409', async () => {
    const key = randomUUID();
    const a = await post(`/shelters/${shelterId}/check-ins`, { direction: 'in', people: 4, households: 1 }, gridWorker, key);
    const b = await post(`/shelters/${shelterId}/check-ins`, { direction: 'in', people: 4, households: 1 }, gridWorker, key);
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body);
    await post(`/shelters/${shelterId}/check-ins`, { direction: 'in', people: 3 }, gridWorker);
    const out = await post(`/shelters/${shelterId}/check-ins`, { direction: 'out', people: 2 }, gridWorker);
    expect(out.body.shelter.occupancy).toBe(5);
    const tooMany = await post(`/shelters/${shelterId}/check-ins`, { direction: 'out', people: 6 }, gridWorker);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.code).toBe('error.shelter_out_beyond');
    expect((await read(`/shelters/${shelterId}`, coordinator)).body.shelter.occupancy).toBe(5);
    await until(() => counts.at(-1)?.shelters.find((s) => s.id === shelterId)?.occupancy === 5, 'the wall hears 5 sheltered');
    expect(counts.at(-1)!.shelters.find((s) => s.id === shelterId)).toEqual({ id: shelterId, name: '社区活动中心', occupancy: 5, capacity: 28 });
    const bad = await post(`/shelters/${shelterId}/check-ins`, { direction: 'in', people: 0 }, gridWorker);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('people');
  });

  it('keeps supplies as a ledger: on hand is the sum, an out beyond it is a 409 naming the item and writes nothing', async () => {
    const key = randomUUID();
    const inA = await post(`/shelters/${shelterId}/supplies`, { item: '矿泉水', unit: '箱', direction: 'in', quantity: 50, reason: '街道调拨' }, gridWorker, key);
    const inB = await post(`/shelters/${shelterId}/supplies`, { item: '矿泉水', unit: '箱', direction: 'in', quantity: 50, reason: '街道调拨' }, gridWorker, key);
    expect(inA.status).toBe(201);
    expect(inB.body).toEqual(inA.body);
    const out = await post(`/shelters/${shelterId}/supplies`, { item: '矿泉水', unit: '箱', direction: 'out', quantity: 12, reason: '发放' }, gridWorker);
    expect(out.body.item).toMatchObject({ onHand: 38, peak: 50, low: false });
    const rows = count('SELECT COUNT(*) FROM shelter_supplies WHERE shelter_id = ?', shelterId);
    const short = await post(`/shelters/${shelterId}/supplies`, { item: '矿泉水', unit: '箱', direction: 'out', quantity: 39 }, gridWorker);
    expect(short.status).toBe(409);
    expect(short.body.error.code).toBe('error.supply_short');
    expect(short.body.error.message).toContain('矿泉水');
    expect(short.body.error.message).toContain('38');
    expect(count('SELECT COUNT(*) FROM shelter_supplies WHERE shelter_id = ?', shelterId)).toBe(rows);
    // An item never booked in cannot go out, and leaves no item behind.
    expect((await post(`/shelters/${shelterId}/supplies`, { item: '帐篷', unit: '顶', direction: 'out', quantity: 1 }, gridWorker)).status).toBe(409);
    expect(count("SELECT COUNT(*) FROM shelter_items WHERE item = '帐篷'")).toBe(0);
    // Another unit for the same item is a 400 naming the unit.
    const unit = await post(`/shelters/${shelterId}/supplies`, { item: '矿泉水', unit: '瓶', direction: 'in', quantity: 1 }, gridWorker);
    expect(unit.status).toBe(400);
    expect(unit.body.error.issues[0].field).toBe('unit');

    const ledger = (await read(`/shelters/${shelterId}/supplies`, coordinator)).body;
    expect(ledger.items).toEqual([{ item: '矿泉水', unit: '箱', onHand: 38, peak: 50, lowBelow: null, low: false }]);
    expect(ledger.moves.map((m: { delta: number }) => m.delta)).toEqual([-12, 50]);
  });

  it('tells the wall an item is running low below 20 % of the most ever on hand, or below its own threshold', async () => {
    await post(`/shelters/${shelterId}/supplies`, { item: '矿泉水', unit: '箱', direction: 'out', quantity: 30 }, gridWorker);
    await until(() => (counts.at(-1)?.low ?? []).some((l) => l.item === '矿泉水'), 'water runs low (8 of 50)');
    expect(counts.at(-1)!.low).toEqual([{ shelterId, item: '矿泉水', unit: '箱', onHand: 8 }]);
    await post(`/shelters/${shelterId}/supplies`, { item: '药品包', unit: '份', direction: 'in', quantity: 30, lowBelow: 40 }, gridWorker);
    await until(() => (counts.at(-1)?.low ?? []).some((l) => l.item === '药品包'), 'medicine is below its threshold');
  });
});

describe('the incident ending', () => {
  it('ends every duty still open', async () => {
    const c = (await post(`/incidents/${incidentId}/callouts`, { grids: ['G01'], message: '驾驶员集合' }, coordinator)).body.callout;
    await post(`/me/callouts/${c.id}/answer`, { answer: 'accepted' }, people.driver);
    await post(`/me/callouts/${c.id}/duty`, { action: 'start' }, people.driver);
    expect((await read(`/incidents/${incidentId}/people`, coordinator)).body.onDuty).toHaveLength(1);
    const ended = await post(`/incidents/${incidentId}/end`, { summary: '台风过境，无人员伤亡' });
    expect(ended.status).toBe(200);
    expect((await read(`/incidents/${incidentId}/people`, coordinator)).body.onDuty).toEqual([]);
    // An ended incident's call-outs leave the phone.
    expect((await read('/me/callouts', people.driver)).body.items).toEqual([]);
  });

  it('sent the wall nothing that names a volunteer or carries a phone', () => {
    expect(publicPayloads.length).toBeGreaterThan(3);
    const text = JSON.stringify(publicPayloads);
    for (const name of ['欧阳医生', '林护士', '张师傅', '司马急救']) expect(text).not.toContain(name);
    expect(text).not.toMatch(/1[3-9]\d{9}/);
    expect(text).not.toMatch(/"phone"|"volunteerId"|"byName"|"by"/);
  });
});
