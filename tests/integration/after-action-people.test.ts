/**
 * An incident's after-action report covers its people and places, over real HTTP and a moved
 * clock: the timeline has every call-out, answer, duty, shelter check-in and supply movement in
 * order, in words a reader understands (also in the export); the figures count who was asked,
 * who came and how soon, the most on duty at once and the hours (a second duty included, the
 * incident's end closing the rest); per shelter its peak and who was still there at the end (a
 * standing shelter's earlier guests counted, a check-out after the end not); per item what came
 * in, went out and was left, flagged when running low; and a grid worker's timeline keeps to
 * their grids' shelters.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinAsVolunteer, loginAs, request, startServer, type Credentials, type TestServer } from '../support/server.ts';
import { PEOPLE_KINDS, type AfterActionAnswer, type TimelineAnswer } from '../../shared/after-action.ts';

let ts: TestServer;
let api: string;
let clock = Date.parse('2026-09-14T19:00:00+08:00');
let coordinator: Credentials;
let g01Worker: Credentials;

const at = (hhmm: string) => (clock = Date.parse(`2026-09-14T${hhmm}:00+08:00`));
const post = async (path: string, body: unknown, as?: Credentials) => {
  const r = await request(`${api}${path}`, { method: 'POST', body, ...(as ? { as } : {}), headers: { 'idempotency-key': randomUUID() } });
  expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
};
const read = (path: string, as?: Credentials) => request(`${api}${path}`, as ? { as } : {});

async function volunteer(name: string, skills: string[], gridId: string) {
  const v = await joinAsVolunteer(ts.url, name);
  const r = await request(`${api}/volunteers/${v.volunteerId}`, { method: 'PATCH', body: { skills, gridId } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return v;
}

let incidentId: number;
let hall: number;
let gym: number;

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  coordinator = await loginAs(ts.url, 'coordinator');
  g01Worker = await loginAs(ts.url, 'grid_worker', ['G01']);
  const medic = await volunteer('欧阳医生', ['急救'], 'G01');
  const nurse = await volunteer('林护士', ['医护'], 'G02');
  const driver = await volunteer('张师傅', ['驾驶'], 'G01');
  await volunteer('司马师傅', ['驾驶'], 'G02');

  // 19:00 a standing shelter in G02 (70 m²: 20 people); 19:30 two people and ten cases of water already there.
  gym = (await post('/shelters', { name: '第二小学体育馆', address: '丹枫路 1 号', gridId: 'G02', areaM2: 70 }, coordinator)).shelter.id;
  at('19:30');
  await post(`/shelters/${gym}/check-ins`, { direction: 'in', people: 2, households: 1 }, coordinator);
  await post(`/shelters/${gym}/supplies`, { item: '矿泉水', unit: '箱', direction: 'in', quantity: 10 }, coordinator);

  at('20:00');
  incidentId = (await post('/incidents', { type: 'typhoon', level: 2, grids: ['G01', 'G02'], headline: '台风今夜登陆' })).incident.id;
  at('20:05');
  const medics = (await post(`/incidents/${incidentId}/callouts`, { skills: ['急救', '医护'], message: '请到社区活动中心集合' }, coordinator)).callout.id;
  at('20:08');
  await post(`/me/callouts/${medics}/answer`, { answer: 'accepted' }, medic);
  at('20:09');
  await post(`/me/callouts/${medics}/answer`, { answer: 'declined' }, nurse);
  at('20:10');
  await post(`/me/callouts/${medics}/duty`, { action: 'start' }, medic);
  at('20:12');
  const drivers = (await post(`/incidents/${incidentId}/callouts`, { skills: ['驾驶'], grids: ['G01', 'G02'], message: '驾驶员集合' }, coordinator)).callout.id;
  at('20:14');
  await post(`/me/callouts/${drivers}/answer`, { answer: 'accepted' }, driver);
  at('20:15');
  hall = (await post('/shelters', { incidentId, name: '社区活动中心', address: '桂花路 8 号', gridId: 'G01', areaM2: 100 }, coordinator)).shelter.id;
  at('20:16');
  await post(`/me/callouts/${drivers}/duty`, { action: 'start' }, driver);
  at('20:20');
  await post(`/shelters/${hall}/check-ins`, { direction: 'in', people: 4, households: 1 }, coordinator);
  at('20:22');
  await post(`/shelters/${gym}/check-ins`, { direction: 'in', people: 3, households: 1 }, coordinator);
  at('20:25');
  await post(`/shelters/${hall}/supplies`, { item: '矿泉水', unit: '箱', direction: 'in', quantity: 50, reason: '街道调拨' }, coordinator);
  at('20:27');
  await post(`/shelters/${hall}/supplies`, { item: '药品包', unit: '份', direction: 'in', quantity: 30, lowBelow: 10 }, coordinator);
  at('20:30');
  await post(`/shelters/${hall}/check-ins`, { direction: 'in', people: 3 }, coordinator);
  at('20:35');
  await post(`/shelters/${hall}/supplies`, { item: '矿泉水', unit: '箱', direction: 'out', quantity: 42, reason: '发放' }, coordinator);
  at('20:40');
  await post(`/shelters/${hall}/check-ins`, { direction: 'out', people: 2 }, coordinator);
  at('20:45');
  await post(`/shelters/${gym}/supplies`, { item: '矿泉水', unit: '箱', direction: 'out', quantity: 4 }, coordinator);
  at('20:50');
  await post(`/me/callouts/${medics}/duty`, { action: 'end' }, medic);
  at('20:52');
  // A second duty: the row keeps only this one; the first is in the journal.
  await post(`/me/callouts/${medics}/duty`, { action: 'start' }, medic);
  at('21:00');
  await post(`/incidents/${incidentId}/end`, { summary: '台风过境，无人员伤亡。' });
  at('21:30');
  // After the end: on the timeline, not in the figures at the end.
  await post(`/shelters/${hall}/check-ins`, { direction: 'out', people: 5 }, coordinator);
});
afterAll(async () => {
  await ts?.stop();
});

const people = new Set<string>([...PEOPLE_KINDS, 'step']);
const hhmm = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(11, 16);

describe('the timeline', () => {
  it('journals each call-out, answer, duty, shelter check-in and supply movement of the incident, in order', async () => {
    const r = await read(`/incidents/${incidentId}/timeline`, coordinator);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const items = (r.body as TimelineAnswer).items.filter((e) => people.has(e.kind));
    expect(items.map((e) => `${hhmm(e.at)} ${e.kind}`)).toEqual([
      '20:00 step', '20:05 callout', '20:08 callout_accepted', '20:09 callout_declined', '20:10 duty_on', '20:12 callout', '20:14 callout_accepted',
      '20:15 shelter_opened', '20:16 duty_on', '20:20 shelter_in', '20:22 shelter_in', '20:25 supply_in', '20:27 supply_in', '20:30 shelter_in',
      '20:35 supply_out', '20:40 shelter_out', '20:45 supply_out', '20:50 duty_off', '20:52 duty_on', '21:00 step', '21:00 duties_ended', '21:30 shelter_out',
    ]);
    const kind = (k: string) => items.filter((e) => e.kind === k);
    expect(kind('callout').map((e) => e.what)).toMatchObject([{ skills: ['急救', '医护'], grids: [], asked: 2 }, { skills: ['驾驶'], grids: ['G01', 'G02'], asked: 2 }]);
    expect(kind('callout')[0]).toMatchObject({ who: coordinator.username, gridId: null });
    // The volunteer answers from their own account.
    expect(kind('callout_declined')[0]!.whoName).toBe('林护士');
    expect(kind('duties_ended')[0]!.what).toEqual({ ended: 2 });
    // The standing shelter's check-in before the incident is not the incident's.
    expect(kind('shelter_in').map((e) => [e.what.shelter, e.what.people, e.what.occupancy, e.gridId])).toEqual([
      ['社区活动中心', 4, 4, 'G01'], ['第二小学体育馆', 3, 5, 'G02'], ['社区活动中心', 3, 7, 'G01'],
    ]);
    expect(kind('supply_out')[0]!.what).toMatchObject({ shelter: '社区活动中心', item: '矿泉水', unit: '箱', quantity: 42, onHand: 8, reason: '发放' });
  });

  it('keeps a grid worker to their grids\' shelters, with every call-out and duty', async () => {
    const r = await read(`/incidents/${incidentId}/timeline`, g01Worker);
    expect(r.status).toBe(200);
    const items = (r.body as TimelineAnswer).items;
    expect(items.some((e) => e.what.shelter === '第二小学体育馆')).toBe(false);
    expect(items.filter((e) => e.kind === 'shelter_in')).toHaveLength(2);
    expect(items.filter((e) => e.kind === 'callout')).toHaveLength(2);
  });

  it('exports in words, not as data', async () => {
    const r = await fetch(`${api}/incidents/${incidentId}/report/export?format=csv&lang=zh-CN`, { headers: { cookie: coordinator.cookie } });
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('"物资发放","' + coordinator.username + '","社区活动中心：发放 矿泉水 42 箱，结存 8 箱 · 发放","G01"');
    expect(text).toContain('"谢绝呼叫","林护士","呼叫 #1"');
    expect(text).toContain('呼叫 #2：2 名志愿者；技能：驾驶；网格：第一网格·桂花苑 / 第二网格·丹枫新村');
    expect(text).toContain('第二小学体育馆：入住 3 人，现有 5 人 · 1 户');
    expect(text).toContain('事件结束，2 人的值守随之结束');
    expect(text).not.toMatch(/shelterId|calloutId|onHand:/);
    const en = await (await fetch(`${api}/incidents/${incidentId}/report/export?format=csv&lang=en`, { headers: { cookie: coordinator.cookie } })).text();
    expect(en).toContain('社区活动中心: 42 箱 of 矿泉水 out, 8 箱 on hand');
  });
});

describe('the report', () => {
  let f: NonNullable<AfterActionAnswer['figures']['people']>;
  beforeAll(async () => {
    const r = await read(`/incidents/${incidentId}/report`, coordinator);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    f = (r.body as AfterActionAnswer).figures.people!;
  });

  it('counts who was asked, who came and how soon, the most on duty at once and every hour of duty', () => {
    expect(f.mobilisation).toMatchObject({ callouts: 2, asked: 4, accepted: 2, declined: 1, noAnswer: 1, firstAcceptedMinutes: 3, onDutyPeak: 2 });
    expect(hhmm(f.mobilisation.onDutyPeakAt!)).toBe('20:16');
    // 20:10–20:50 and 20:52–21:00 for the medic, 20:16–21:00 for the driver: 92 minutes.
    expect(f.mobilisation.dutyHours).toBe(1.5);
  });

  it('gives each shelter its capacity, its peak and when, who checked in and who was still there at the end', () => {
    expect(f.shelters.map((s) => [s.name, s.capacity, s.peak, s.peakAt && hhmm(s.peakAt), s.checkedIn, s.households, s.presentAtEnd])).toEqual([
      ['第二小学体育馆', 20, 5, '20:22', 3, 1, 5],
      ['社区活动中心', 28, 7, '20:30', 7, 1, 5],
    ]);
  });

  it('gives each shelter\'s items what came in, went out and was left, flagged when running low', () => {
    expect(f.supplies.map((s) => [s.shelterName, s.item, s.received, s.issued, s.onHandAtEnd, s.low])).toEqual([
      ['第二小学体育馆', '矿泉水', 0, 4, 6, false],
      ['社区活动中心', '矿泉水', 50, 42, 8, true],
      ['社区活动中心', '药品包', 30, 0, 30, false],
    ]);
  });

  it('exports the figures one a row', async () => {
    const r = await fetch(`${api}/incidents/${incidentId}/report/export?format=csv&what=people&lang=zh-CN`, { headers: { cookie: coordinator.cookie } });
    expect(r.status).toBe(200);
    const lines = (await r.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('"类别","对象","指标","数值","单位","时间","提示"');
    expect(lines).toHaveLength(1 + 8 + 2 * 5 + 3 * 3);
    expect(lines).toContain('"志愿者动员",,"首位接受用时",3,"分钟",,');
    expect(lines).toContain('"志愿者动员",,"值守总时长",1.5,"小时",,');
    expect(lines).toContain('"安置点","社区活动中心","峰值人数",7,"人",2026-09-14 20:30:00,');
    expect(lines).toContain('"安置点","第二小学体育馆","入住户数",1,"户",,');
    expect(lines).toContain('"物资","社区活动中心 · 矿泉水","结束时结存",8,"箱",,"库存不足"');
  });
});
