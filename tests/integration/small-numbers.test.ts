/**
 * Small numbers (小数抑制) on a real wall: a real server, a real paired display socket, and what
 * a person standing in front of the wall could notice. A need, a case, a service or a grid event
 * about one resident of a key population reaches the display with its category only — no typed
 * title, no building, no grid, no map point — and the per-population counts show "<3" rather
 * than 1 or 2. Every check has its positive twin (a group need, a need without a population, an
 * ordinary event, the staff view), so none can pass by the wall simply showing nothing.
 *
 * Everything the display receives is kept: every raw payload (`onAny`: batches, heartbeats),
 * every state the LiveClient reaches (snapshot, replays, batches), and at the end a fresh
 * snapshot asked for directly, as a wall switched on later would get it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, openLive, openSocket, post, startServer, until, type TestSocket, type TestServer } from '../support/server.ts';
import { LiveClient } from '../../shared/live-client.ts';
import type { EventView, SubscribeResult } from '../../shared/protocol.ts';
import { POPULATION_CODES, type FeedItem, type PopulationCare, type ProjectGlance, type SubjectViews } from '../../shared/subjects.ts';
import { SMALL_COUNT_MIN, type GuardedCount } from '../../shared/disclosure.ts';

const HOUR = 3_600_000;
const MIN = 60_000;
const LT = { lt: SMALL_COUNT_MIN };

let ts: TestServer;
let api: string;
/** The server's clock, moved forward by the tests: a Tuesday morning in Hangzhou. */
let clock = Date.parse('2026-03-10T10:00:00+08:00');
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/** The wall: a paired display, and everything it was ever sent. */
let wallSocket: TestSocket;
let wall: LiveClient;
const raw: string[] = [];
/** Every feed line the display held at some point, by seq. */
const feedSeen = new Map<number, FeedItem>();
/** Every `views.subjects` the display held. */
const subjectsSeen: SubjectViews[] = [];

/** A staff console on the same server (the admin's session): the full records. */
let staff: ReturnType<typeof openLive>;
const staffRaw: string[] = [];

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  wallSocket = openSocket(ts.url, { display: true });
  wallSocket.onAny((_event, payload) => raw.push(JSON.stringify(payload)));
  wall = new LiveClient(wallSocket, {
    view: 'screen',
    onChange: (state) => {
      const s = state.views?.subjects;
      if (!s || subjectsSeen.at(-1) === s) return;
      subjectsSeen.push(s);
      for (const f of s.feed) feedSeen.set(f.seq, f);
    },
  });
  staff = openLive(ts.url);
  staff.socket.onAny((_event, payload) => staffRaw.push(JSON.stringify(payload)));
  await until(() => !!wall.state.views?.subjects && !!staff.client.state.views, 'the first snapshots');
});
afterAll(async () => {
  wallSocket?.close();
  staff?.close();
  await ts?.stop();
});

async function ok(path: string, body: unknown, status = 200) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

/** The journal's head now: lines written after it have a larger seq. */
const mark = () => ts.app.model.head;

/** Wait for the display to receive a feed line `key` written after `after`. */
async function line(after: number, key: string): Promise<FeedItem> {
  const find = () => [...feedSeen.values()].find((f) => f.seq > after && f.key === key);
  await until(() => !!find(), `the wall to receive ${key}`);
  return find()!;
}

const subjects = () => wall.state.views!.subjects!;
/** A grid's figures on the five-subject scene (services and people served in 30 days, needs open). */
const gridFigures = (gridId: string) => subjects().grids.find((g) => g.gridId === gridId);
const care = (code: string) => subjects().care.find((c) => c.code === code)!;
const careIs = (code: string, want: Omit<PopulationCare, 'code'>) => JSON.stringify(care(code)) === JSON.stringify({ code, ...want });

/** A fresh snapshot, asked for as a wall switched on now would. */
async function freshSnapshot(): Promise<string> {
  const s = openSocket(ts.url, { display: true, reconnection: false });
  try {
    const r: SubscribeResult = await s.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
    expect(r.ok && r.mode).toBe('snapshot');
    return JSON.stringify(r);
  } finally {
    s.close();
  }
}

/** Everything the wall was sent so far, and what a wall switched on now is sent. */
async function everythingOnTheWall(): Promise<string> {
  return [...raw, JSON.stringify(subjectsSeen), JSON.stringify([...wall.state.events.values()]), JSON.stringify(wall.state.stream), await freshSnapshot()].join('\n');
}

// ---- one veteran's need ------------------------------------------------------------------------

const VETERAN = {
  title: '3号楼2单元 退役军人家中水管爆裂',
  building: '3号楼2单元',
  name: '赵卫国',
  phone: '13755556666',
};
let veteranNeeds: number[] = [];
/** A population nothing in this file touches: it must stay 0 throughout. */
const UNTOUCHED = 'left_behind_child';

describe('a need for one veteran', () => {
  it('starts from a wall that lists every key population at 0', () => {
    expect(subjects().care.map((c) => c.code)).toEqual([...POPULATION_CODES]);
    for (const c of subjects().care) expect(c, c.code).toEqual({ code: c.code, services: 0, needsRaised: 0, needsOpen: 0 });
  });

  it('reaches the wall as a category-only line without grid, and as "<3" in the veteran counts', async () => {
    const at = mark();
    const g03Before = gridFigures('G03');
    const need = (await ok('/needs', {
      title: VETERAN.title, description: `${VETERAN.name}住${VETERAN.building}301室，电话${VETERAN.phone}，厨房水管爆裂`,
      category: 'repair', gridId: 'G03', address: `桂花苑${VETERAN.building}301室`, raisedByKind: 'resident',
      residentName: VETERAN.name, residentPhone: VETERAN.phone, populations: ['veteran'], urgency: 'high',
    }, 201)).need;
    veteranNeeds.push(need.id);
    // Staff keep the whole record: the title is real, it is the wall that must not get it.
    expect((await get(`${api}/needs/${need.id}`)).body.need).toMatchObject({ title: VETERAN.title, residentName: VETERAN.name, gridId: 'G03', beneficiaries: 1 });

    const l = await line(at, 'feed.need.raised_protected');
    expect(l).toMatchObject({ subject: 'community', gridId: null });
    expect(l.params).toEqual({ category: '家政维修', categoryCode: 'repair' });
    expect(l.params).not.toHaveProperty('title');
    expect(l.params).not.toHaveProperty('grid');
    // No ordinary line about it was sent alongside.
    expect([...feedSeen.values()].filter((f) => f.seq > at && f.key.startsWith('feed.need.raised'))).toHaveLength(1);

    await until(() => careIs('veteran', { services: 0, needsRaised: LT, needsOpen: LT }), 'the veteran counts to show <3');
    expect(care(UNTOUCHED)).toEqual({ code: UNTOUCHED, services: 0, needsRaised: 0, needsOpen: 0 });
    // Its grid's figures did not tick with it: nobody reads G03 off them (the community-wide count did).
    expect(gridFigures('G03')).toEqual(g03Before);

    const all = await everythingOnTheWall();
    expect(all).toContain('feed.need.raised_protected'); // the line itself did arrive in the raw payloads
    for (const secret of [VETERAN.title, VETERAN.building, '退役军人家中', VETERAN.name, VETERAN.phone]) expect(all, secret).not.toContain(secret);
  });

  it('shows "<3" for two and the exact count from three', async () => {
    const at = mark();
    for (const title of [`${VETERAN.building} 退役军人行动不便需上门维修`, `${VETERAN.building} 退役军人家中灯具损坏`]) {
      veteranNeeds.push((await ok('/needs', {
        title, category: 'repair', gridId: 'G03', raisedByKind: 'grid_worker', residentName: VETERAN.name, populations: ['veteran'],
      }, 201)).need.id);
      if (veteranNeeds.length === 2) {
        await until(() => subjects().feed.filter((f) => f.seq > at && f.key === 'feed.need.raised_protected').length === 1, 'the second line');
        expect(care('veteran')).toEqual({ code: 'veteran', services: 0, needsRaised: LT, needsOpen: LT });
      }
    }
    await until(() => careIs('veteran', { services: 0, needsRaised: 3, needsOpen: 3 }), 'the veteran counts to show 3');
    expect(subjects().feed.filter((f) => f.seq > at && f.key === 'feed.need.raised_protected')).toHaveLength(2);
    expect(care(UNTOUCHED)).toEqual({ code: UNTOUCHED, services: 0, needsRaised: 0, needsOpen: 0 });
    const all = await everythingOnTheWall();
    for (const secret of ['退役军人行动不便', '退役军人家中灯具', VETERAN.building, VETERAN.name]) expect(all, secret).not.toContain(secret);
  });
});

describe('needs that single nobody out keep their title and grid', () => {
  it('a group need of twelve elderly residents', async () => {
    const at = mark();
    await ok('/needs', {
      title: '桂花苑老年食堂集体助餐', category: 'meals', gridId: 'G05', raisedByKind: 'org', populations: ['elderly_alone'], beneficiaries: 12,
    }, 201);
    const l = await line(at, 'feed.need.raised');
    expect(l).toMatchObject({ subject: 'community', gridId: 'G05', params: { category: '助餐配送', categoryCode: 'meals', title: '桂花苑老年食堂集体助餐' } });
    expect(typeof l.params.grid).toBe('string');
    expect(String(l.params.grid).length).toBeGreaterThan(0);
    expect(await everythingOnTheWall()).toContain('桂花苑老年食堂集体助餐');
    // One need (of twelve people) is still one need: the count of needs is withheld.
    await until(() => careIs('elderly_alone', { services: 0, needsRaised: LT, needsOpen: LT }), 'elderly_alone to show <3');
  });

  it('a need without a population, for one resident', async () => {
    const at = mark();
    await ok('/needs', {
      title: '7幢楼道声控灯不亮', category: 'repair', gridId: 'G02', raisedByKind: 'resident', residentName: '周文斌', beneficiaries: 1,
    }, 201);
    const l = await line(at, 'feed.need.raised');
    expect(l).toMatchObject({ gridId: 'G02', params: { title: '7幢楼道声控灯不亮', categoryCode: 'repair' } });
    expect(await everythingOnTheWall()).toContain('7幢楼道声控灯不亮');
  });
});

describe('matching, meeting and paying for a veteran’s need', () => {
  it('gives _protected matched and met lines without title or grid, and the open count drops back to "<3"', async () => {
    const needId = veteranNeeds[0]!;
    const r = (await ok('/resources', { providerKind: 'community', providerName: '桂花社区党群服务中心', title: '便民维修', category: 'repair' }, 201)).resource;
    const items = (await ok(`/needs/${needId}/matches`, {})).items as { id: number; resourceId: number }[];
    const m = items.find((x) => x.resourceId === r.id);
    expect(m, 'the community’s repair service is proposed').toBeDefined();

    let at = mark();
    await ok(`/needs/${needId}/matches/${m!.id}/accept`, { note: `${VETERAN.name}家周三上门` });
    const matched = await line(at, 'feed.need.matched_protected');
    expect(matched).toMatchObject({ gridId: null, params: { category: '家政维修', categoryCode: 'repair', subjectCode: 'community' } });
    expect(matched.params).not.toHaveProperty('title');
    expect([...feedSeen.values()].some((f) => f.seq > at && f.key === 'feed.need.matched')).toBe(false);

    clock += HOUR;
    await ok(`/needs/${needId}/start`, {});
    clock += 2 * HOUR;
    at = mark();
    await ok(`/needs/${needId}/meet`, { note: `已为${VETERAN.name}更换水管` });
    const met = await line(at, 'feed.need.met_protected');
    expect(met).toMatchObject({ gridId: null, params: { category: '家政维修', categoryCode: 'repair', subjectCode: 'community', hours: 3 } });
    expect(met.params).not.toHaveProperty('title');
    expect([...feedSeen.values()].some((f) => f.seq > at && f.key === 'feed.need.met')).toBe(false);

    // Raised stays 3 (last 30 days); open drops from 3 to 2, which the wall must not show.
    await until(() => careIs('veteran', { services: 0, needsRaised: 3, needsOpen: LT }), 'veteran open to drop to <3');
    const all = await everythingOnTheWall();
    for (const secret of [VETERAN.title, VETERAN.building, VETERAN.name]) expect(all, secret).not.toContain(secret);
  });

  it('money given to or paid out for it carries no grid, and the payment names the need’s category instead of the typed purpose', async () => {
    const needId = veteranNeeds[1]!;
    await ok('/charity/donations', { kind: 'money', amountCents: 500_000, donorKind: 'enterprise', donorName: '杭州桂花实业有限公司', publicName: '杭州桂花实业有限公司' }, 201);

    let at = mark();
    await ok('/charity/donations', { kind: 'money', amountCents: 20_000, donorKind: 'person', donorName: '钱多多', needId }, 201);
    const given = await line(at, 'feed.charity.donated_money');
    expect(given.gridId).toBeNull();

    at = mark();
    const purpose = `${VETERAN.name}家${VETERAN.building}临时救助`;
    await ok('/charity/disbursements', { kind: 'money', amountCents: 30_000, needId, purpose }, 201);
    const paid = await line(at, 'feed.charity.disbursed_money_protected');
    expect(paid).toMatchObject({ gridId: null, params: { category: '家政维修', categoryCode: 'repair' } });
    expect(paid.params).not.toHaveProperty('purpose');

    // The twin: a payment for a need that singles nobody out keeps its purpose and grid.
    const plain = (await ok('/needs', { title: '楼道扶手更换', category: 'repair', gridId: 'G06', raisedByKind: 'grid_worker' }, 201)).need;
    at = mark();
    await ok('/charity/disbursements', { kind: 'money', amountCents: 10_000, needId: plain.id, purpose: '楼道扶手材料费' }, 201);
    const open = await line(at, 'feed.charity.disbursed_money');
    expect(open).toMatchObject({ gridId: 'G06', params: { purpose: '楼道扶手材料费' } });

    const all = await everythingOnTheWall();
    expect(all).toContain('楼道扶手材料费');
    for (const secret of [purpose, VETERAN.building, VETERAN.name, '钱多多']) expect(all, secret).not.toContain(secret);
  });
});

// ---- social work ------------------------------------------------------------------------------

const CLIENT = { name: '慕容雪', phone: '13644448888' };

describe('a social worker’s case and services', () => {
  let workerId: number;
  let caseId: number;

  it('a case opened in a grid: no grid on the wall, and the client’s name nowhere', async () => {
    workerId = (await ok('/social-workers', { name: '司徒明', phone: '13800002222', qualification: 'social_worker', grids: ['G04'] }, 201)).socialWorker.id;
    const at = mark();
    const k = (await ok('/cases', {
      socialWorkerId: workerId, category: 'emotional', clientName: CLIENT.name, clientPhone: CLIENT.phone, populations: ['disabled'], gridId: 'G04',
    }, 201)).case;
    caseId = k.id;
    expect(k).toMatchObject({ clientName: CLIENT.name, gridId: 'G04' });
    expect((await get(`${api}/cases/${caseId}`)).body.case.clientName).toBe(CLIENT.name);
    const l = await line(at, 'feed.case.opened');
    expect(l).toMatchObject({ subject: 'social_worker', gridId: null, params: { categoryCode: 'emotional' } });
  });

  it('a case session: count "<3" and no grid', async () => {
    clock += HOUR;
    const at = mark();
    const s = (await ok('/services', {
      socialWorkerId: workerId, caseId, kind: 'case_session', content: `${CLIENT.name}情绪疏导第一次`, beneficiaries: 1,
      startedAt: iso(clock - 50 * MIN), endedAt: iso(clock - 10 * MIN),
    }, 201)).service;
    expect(s.gridId).toBe('G04'); // the record has it: only the wall's line leaves it out
    const l = await line(at, 'feed.service.social_worker.case_session');
    expect(l).toMatchObject({ gridId: null, params: { count: '<3' } });
  });

  it('a service for one low-income resident shows "<3" and no grid; one for twenty keeps both', async () => {
    let at = mark();
    const g04Before = gridFigures('G04');
    const one = (await ok('/services', {
      socialWorkerId: workerId, kind: 'visit', category: 'material_aid', gridId: 'G04', content: `为低保户送米面油，${VETERAN.building}`,
      beneficiaries: 1, populations: ['low_income'], startedAt: iso(clock - 40 * MIN), endedAt: iso(clock - 5 * MIN),
    }, 201)).service;
    const small = await line(at, 'feed.service.social_worker.visit');
    expect(small).toMatchObject({ gridId: null, params: { count: '<3', categoryCode: 'material_aid' } });
    await until(() => careIs('low_income', { services: LT, needsRaised: 0, needsOpen: 0 }), 'low_income services to show <3');
    expect(gridFigures('G04'), 'G04 must not count the visit to one resident').toEqual(g04Before);

    at = mark();
    const group = (await ok('/services', {
      socialWorkerId: workerId, kind: 'group', category: 'culture', gridId: 'G04', content: '社区老人书法小组活动',
      beneficiaries: 20, populations: ['elderly_alone'], startedAt: iso(clock - 40 * MIN), endedAt: iso(clock - 5 * MIN),
    }, 201)).service;
    const big = await line(at, 'feed.service.social_worker.group');
    expect(big).toMatchObject({ gridId: 'G04', params: { count: 20, categoryCode: 'culture' } });
    await until(() => gridFigures('G04')!.services === g04Before!.services + 1, 'G04 to count the group service');
    expect(gridFigures('G04')!.beneficiaries).toBe(g04Before!.beneficiaries + 20);

    // Ratings: the same rule.
    at = mark();
    await ok(`/services/${one.id}/rating`, { satisfaction: 5 });
    expect(await line(at, 'feed.service.rated.social_worker')).toMatchObject({ gridId: null });
    at = mark();
    await ok(`/services/${group.id}/rating`, { satisfaction: 4 });
    expect(await line(at, 'feed.service.rated.social_worker')).toMatchObject({ gridId: 'G04' });
  });

  it('a case closed: no grid either, and the client never reached the wall', async () => {
    const at = mark();
    await ok(`/cases/${caseId}/close`, { note: `${CLIENT.name}情绪稳定` });
    expect(await line(at, 'feed.case.closed')).toMatchObject({ gridId: null });
    const all = await everythingOnTheWall();
    for (const secret of [CLIENT.name, CLIENT.phone, VETERAN.building]) expect(all, secret).not.toContain(secret);
    // The staff console did receive the grid events' text, but never a client: cases are not on any live stream.
  });
});

// ---- grid events ------------------------------------------------------------------------------

describe('grid events about one vulnerable resident', () => {
  const SENIOR = { name: '孙桂英', phone: '13511112222', building: '5号楼3单元', lat: 30.281234, lng: 120.171234 };

  const report = async (body: Record<string, unknown>) =>
    (await ok('/events', { urgency: 'urgent', source: 'resident', gridId: 'G01', reporterName: '李明华', reporterPhone: '13900003333', ...body }, 201)).event as EventView;

  it('reach the wall as their sub-category, with no description, address or map point; staff keep everything', async () => {
    const e = await report({
      category: 'care', subcategory: 'elderly_alone', title: `${SENIOR.building}独居老人${SENIOR.name}三天未出门`,
      description: `邻居反映${SENIOR.name}电话${SENIOR.phone}无人接听，家住${SENIOR.building}402室`,
      address: `桂花苑${SENIOR.building}402室`, lat: SENIOR.lat, lng: SENIOR.lng,
    });
    const family = await report({
      category: 'dispute', subcategory: 'family', title: `${SENIOR.building}王某某家暴求助`, description: `${SENIOR.building}401室夫妻争吵`,
      address: `桂花苑${SENIOR.building}401室`,
    });

    await until(() => wall.state.events.has(e.id) && wall.state.events.has(family.id), 'both events on the wall');
    expect(wall.state.events.get(e.id)).toMatchObject({
      category: 'care', gridId: 'G01', title: '独居老人', lat: null, lng: null,
    });
    expect(wall.state.events.get(e.id)).not.toHaveProperty('address');
    expect(wall.state.events.get(e.id)).not.toHaveProperty('description');
    expect(wall.state.events.get(family.id)).toMatchObject({ title: '家庭纠纷', lat: null, lng: null, gridId: 'G01' });
    expect(wall.state.events.get(family.id)).not.toHaveProperty('description');

    // The staff console and the API still have the full text.
    await until(() => staff.client.state.events.has(e.id), 'the event on the staff console');
    expect(staff.client.state.events.get(e.id)).toMatchObject({
      title: `${SENIOR.building}独居老人${SENIOR.name}三天未出门`, address: `桂花苑${SENIOR.building}402室`, lat: SENIOR.lat, lng: SENIOR.lng,
    });
    expect((staff.client.state.events.get(e.id) as EventView).description).toContain(SENIOR.phone);
    const full = (await get(`${api}/events/${e.id}`)).body.event;
    expect(full).toMatchObject({ title: `${SENIOR.building}独居老人${SENIOR.name}三天未出门`, lat: SENIOR.lat, lng: SENIOR.lng });
    expect(staffRaw.join('\n')).toContain(SENIOR.name);

    // Moving it along keeps it guarded: every projection of it is the public one.
    await ok(`/events/${e.id}/accept`, { note: `已联系${SENIOR.name}女儿` });
    await until(() => wall.state.events.get(e.id)?.status !== 'reported', 'the accepted event on the wall');
    expect(wall.state.events.get(e.id)).toMatchObject({ title: '独居老人', lat: null });
    expect(wall.state.events.get(e.id)).not.toHaveProperty('description');

    const all = await everythingOnTheWall();
    for (const secret of [SENIOR.name, SENIOR.phone, SENIOR.building, String(SENIOR.lat), String(SENIOR.lng), '家暴', '王某某']) {
      expect(all, secret).not.toContain(secret);
    }
  });

  it('an ordinary event, and a sibling of a protected sub-category, keep their masked title and point (never a description or address)', async () => {
    const light = await report({
      category: 'facilities', subcategory: 'streetlight', title: '桂花苑9幢路灯不亮 李明华反映', description: '9幢门口路灯连续三晚不亮',
      address: '桂花苑9幢1单元', lat: 30.2799, lng: 120.1699,
    });
    const neighbours = await report({ category: 'dispute', subcategory: 'neighbour', title: '11幢楼上漏水邻里纠纷', address: '桂花苑11幢' });
    const water = await report({ category: 'livelihood', subcategory: 'water_power', title: '12幢停水两天', address: '桂花苑12幢' });
    await until(() => [light, neighbours, water].every((x) => wall.state.events.has(x.id)), 'the ordinary events on the wall');

    const l = wall.state.events.get(light.id)!;
    expect(l.title).toContain('桂花苑9幢路灯不亮');
    expect(l.title).not.toContain('李明华'); // the reporter is masked, as ever
    expect(l).not.toHaveProperty('description'); // no event's description reaches a wall
    expect(l).not.toHaveProperty('address'); // no wall shows an address
    expect(l.lat).toBe(30.2799);
    expect(l.lng).toBe(120.1699);
    expect(wall.state.events.get(neighbours.id)!.title).toBe('11幢楼上漏水邻里纠纷');
    expect(wall.state.events.get(water.id)!.title).toBe('12幢停水两天');
  });
});

// ---- the numbers, all of them ----------------------------------------------------------------

describe('every count of a key population the display ever received', () => {
  const isAllowed = (c: GuardedCount) =>
    (typeof c === 'number' && Number.isInteger(c) && (c === 0 || c >= SMALL_COUNT_MIN)) ||
    (typeof c === 'object' && c !== null && JSON.stringify(c) === JSON.stringify(LT));

  it('is 0, at least 3, or { lt: 3 } — and all three kinds did occur', () => {
    expect(subjectsSeen.length).toBeGreaterThan(5);
    const kinds = new Set<string>();
    for (const s of subjectsSeen) {
      expect(s.care.map((c) => c.code)).toEqual([...POPULATION_CODES]);
      for (const c of s.care) {
        for (const field of ['services', 'needsRaised', 'needsOpen'] as const) {
          const v = c[field];
          expect(isAllowed(v), `${c.code}.${field} = ${JSON.stringify(v)}`).toBe(true);
          kinds.add(typeof v === 'object' ? 'withheld' : v === 0 ? 'zero' : 'exact');
        }
      }
    }
    expect([...kinds].sort()).toEqual(['exact', 'withheld', 'zero']);
  });

  it('the same in raw batches and in a fresh snapshot, checked on the wire rather than through the client', async () => {
    const messages = [...raw, await freshSnapshot()].map((m) => JSON.parse(m) as unknown);
    let walked = 0;
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) return x.forEach(walk);
      if (!x || typeof x !== 'object') return;
      const o = x as Record<string, unknown>;
      if (Array.isArray(o.care)) {
        for (const c of o.care as PopulationCare[]) for (const v of [c.services, c.needsRaised, c.needsOpen]) (walked++, expect(isAllowed(v), JSON.stringify(c)).toBe(true));
      }
      Object.values(o).forEach(walk);
    };
    messages.forEach(walk);
    expect(walked).toBeGreaterThan(0);
  });

  it('a project’s beneficiaries follow the rule too', async () => {
    const lead = (await ok('/social-workers', { name: '欧阳青', phone: '13800004444', qualification: 'social_worker', grids: ['G07'] }, 201)).socialWorker.id;
    const project = (await ok('/projects', {
      name: '残疾人居家康复支持', category: 'health', socialWorkerId: lead, funding: 'government', budgetCents: 1_000_000,
      startsOn: '2026-01-01', endsOn: '2026-12-31', status: 'active', gridId: 'G07',
    }, 201)).project;
    const glance = () => subjects().orgs.projects.find((p) => p.code === project.code);
    await until(() => !!glance(), 'the project on the wall');
    expect(glance()!.beneficiaries).toBe(0);
    const serve = (beneficiaries: number) => ok('/services', {
      socialWorkerId: lead, projectId: project.id, kind: 'visit', content: '上门康复指导', beneficiaries,
      startedAt: iso(clock - 30 * MIN), endedAt: iso(clock - 10 * MIN),
    }, 201);
    await serve(1);
    await until(() => glance()!.servicesDone === 1, 'the first service on the wall');
    expect(glance()!.beneficiaries).toEqual(LT);
    await serve(2);
    await until(() => glance()!.servicesDone === 2, 'the second service on the wall');
    expect(glance()!.beneficiaries).toBe(3);
    for (const s of subjectsSeen) {
      for (const p of s.orgs.projects as ProjectGlance[]) expect(isAllowed(p.beneficiaries), `${p.code}: ${JSON.stringify(p.beneficiaries)}`).toBe(true);
    }
  });

  it('a project completed for fewer than 3 people says "<3" in its feed line, as on its card', async () => {
    const lead = (await ok('/social-workers', { name: '上官青', phone: '13800005555', qualification: 'social_worker', grids: ['G08'] }, 201)).socialWorker.id;
    const project = (await ok('/projects', {
      name: '失独老人陪伴支持', category: 'emotional', socialWorkerId: lead, funding: 'government', budgetCents: 500_000,
      startsOn: '2026-01-01', endsOn: '2026-12-31', status: 'active', gridId: 'G08',
    }, 201)).project;
    await ok('/services', {
      socialWorkerId: lead, projectId: project.id, kind: 'visit', content: '上门陪伴', beneficiaries: 2,
      startedAt: iso(clock - 30 * MIN), endedAt: iso(clock - 10 * MIN),
    }, 201);
    const after = mark();
    await ok(`/projects/${project.id}/status`, { status: 'completed' });
    const l = await line(after, 'feed.project.completed');
    expect(l.params).toMatchObject({ services: 1, beneficiaries: '<3' });
  });
});
