/**
 * Names in free text never reach a wall. A real server with the demo's month of every subject,
 * one person planted in each table that holds people — with every shape of name the community
 * holds: two characters, a compound surname, a minority name with a middle dot, a Latin name,
 * a character outside the basic plane — and each name typed into every free-text field that can
 * reach a display. The simulators run meanwhile. Every raw payload a paired display receives
 * (plain, and inflated for a display that asked for the `deflate` encoding), and a fresh
 * snapshot, are scanned for every name the database holds: 0 hits. The staff
 * audience keeps the full text, so the check cannot pass by the wall simply showing nothing.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { get, openLive, openSocket, post, send, startServer, until, type TestServer, type TestSocket } from '../support/server.ts';
import { installSubjects, startSimulators } from '../../server/demo/index.ts';
import { LiveClient } from '../../shared/live-client.ts';
import type { SubscribeResult } from '../../shared/protocol.ts';

const HOUR = 3_600_000;
let ts: TestServer;
let api: string;
/** The server's clock: a Tuesday morning in Hangzhou, run fast while the simulators work. */
let clock = Date.parse('2026-03-10T10:00:00+08:00');
const start = clock;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/** One person of each kind the community holds by name, each a different shape of name. */
const PEOPLE = {
  volunteer: '李勇',
  volunteerRare: '𠮷田花子',
  socialWorker: '欧阳娜娜',
  orgContact: '阿依古丽·买买提',
  caseClient: '曹琳',
  needResident: '陈静',
  donor: '郭伟',
  eventReporter: 'Maria Chen',
  staff: '诸葛明亮',
} as const;
const planted: string[] = Object.values(PEOPLE);

let wallSocket: TestSocket;
let wall: LiveClient;
const wallRaw: string[] = [];
/** A second wall that takes compressed batches: its frames, inflated (docs/PROTOCOL.md, "Encodings"). */
let packedSocket: TestSocket;
let packed: LiveClient;
const packedRaw: string[] = [];
let packedFrames = 0;
let staff: ReturnType<typeof openLive>;
const staffRaw: string[] = [];

async function ok(path: string, body: unknown, status = 201) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

/** A line of free text naming `name`, as staff type them. */
const about = (name: string) => `${name}说楼道堆物`;

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  await installSubjects(ts.app, clock);
  wallSocket = openSocket(ts.url, { display: true });
  wallSocket.onAny((_event, payload) => wallRaw.push(JSON.stringify(payload)));
  wall = new LiveClient(wallSocket, { view: 'screen' });
  packedSocket = openSocket(ts.url, { display: true });
  packedSocket.onAny((event, payload) => {
    if (event !== 'batch:deflate') return packedRaw.push(JSON.stringify(payload));
    packedFrames++;
    packedRaw.push(inflateRawSync(Buffer.from(payload as string, 'base64')).toString('utf8'));
  });
  packed = new LiveClient(packedSocket, { view: 'screen', encoding: 'deflate' });
  staff = openLive(ts.url);
  staff.socket.onAny((_event, payload) => staffRaw.push(JSON.stringify(payload)));
  await until(() => !!wall.state.views?.subjects && !!packed.state.views?.subjects && !!staff.client.state.views, 'the first snapshots');
}, 120_000);
afterAll(async () => {
  wallSocket?.close();
  packed?.close();
  packedSocket?.close();
  staff?.close();
  await ts?.stop();
});

/** Every name and mobile the database holds for a person, from each table that holds people. */
function everyoneKnown(): string[] {
  const rows = ts.app.db.prepare(`
    SELECT name AS v FROM volunteers UNION SELECT name FROM social_workers
    UNION SELECT contact_name FROM organizations UNION SELECT client_name FROM cases
    UNION SELECT resident_name FROM needs WHERE resident_name IS NOT NULL
    UNION SELECT donor_name FROM donations WHERE donor_kind = 'person'
    UNION SELECT reporter_name FROM events WHERE reporter_name IS NOT NULL
    UNION SELECT name FROM workers UNION SELECT display_name FROM users
  `).all() as { v: string }[];
  // Two characters at least: what the masker looks for (one character is not a name in text).
  return rows.map((r) => r.v.trim()).filter((v) => v.length > 1 && !['admin'].includes(v));
}

describe('names typed into free text', () => {
  it('are masked on the wall for every kind of person the community holds, in every field, while the simulators run', async () => {
    // The people, one per table that holds people.
    await ok('/volunteers', { name: PEOPLE.volunteer, phone: '13900001201', skills: ['助老'] });
    await ok('/volunteers', { name: PEOPLE.volunteerRare, phone: '13900001202', skills: [] });
    const sw = (await ok('/social-workers', { name: PEOPLE.socialWorker, phone: '13900001203', grids: ['G01'] })).socialWorker;
    const org = (await ok('/orgs', { name: '桂花邻里互助社', kind: 'resident_group', contactName: PEOPLE.orgContact, contactPhone: '13900001204' })).organization;
    await ok('/cases', { socialWorkerId: sw.id, category: 'legal', clientName: PEOPLE.caseClient });
    await ok('/needs', { title: '楼道扶手维修', category: 'repair', urgency: 'normal', gridId: 'G01', raisedByKind: 'resident',
      residentName: PEOPLE.needResident, residentPhone: '13900001205', beneficiaries: 5 });
    await ok('/charity/donations', { kind: 'money', amountCents: 10_000, donorKind: 'person', donorName: PEOPLE.donor, donorPhone: '13900001206' });
    await ok('/events', { category: 'environment', title: '楼道堆物', gridId: 'G01', source: 'resident', reporterName: PEOPLE.eventReporter, reporterPhone: '13900001207' });
    const users = await post(`${api}/users`, { username: 'zhuge', displayName: PEOPLE.staff, role: 'dispatcher', password: 'a-long-password-1' });
    expect(users.status, JSON.stringify(users.body)).toBe(201);
    const grid = ts.app.directory.gridInfos(ts.app.directory.defaultCommunity()!.id).find((g) => g.workerName)!;
    const everyKind = [...planted, grid.workerName!];

    // Every name in every free-text field that can reach a display.
    // Simulators on their own timers, on a clock that runs fast: a simulated minute every 10 ms.
    const fast = setInterval(() => (clock += 60_000), 10);
    const sim = startSimulators(ts.app, { speed: 1, rate: 10, logger: pino({ level: 'silent' }) });
    const events: number[] = [];
    try {
      for (const name of everyKind) {
        const e = (await ok('/events', {
          category: 'environment', title: about(name), description: `志愿者${name}、个案对象${name}都看到了`,
          address: `桂花苑3幢${name}家门口`, gridId: 'G01', source: 'hotline',
        })).event;
        events.push(e.id);
        await ok(`/events/${e.id}/accept`, { note: `${name}来电确认` }, 200);
        await ok(`/events/${e.id}/dispatch`, { assigneeId: grid.workerId, note: `请联系${name}` }, 200);
        await ok(`/events/${e.id}/request_extension`, { hours: 24, note: `${name}不在家，改天上门` }, 200);
        await ok('/activities', {
          title: `${name}发起的敬老助餐`, organiser: `${name}`, place: `${name}家楼下`,
          startsAt: iso(start + 26 * HOUR), endsAt: iso(start + 28 * HOUR), capacity: 10, skillsWanted: [],
        });
        await ok('/needs', { title: `${name}所在楼道灯不亮`, category: 'repair', urgency: 'normal', gridId: 'G02', raisedByKind: 'grid_worker', beneficiaries: 6 });
        await ok('/resources', { providerKind: 'community', providerName: `${name}便民服务点`, title: `${name}提供上门维修`, category: 'repair', capacity: 2 });
        await ok('/projects', { orgId: org.id, name: `${name}助餐项目`, category: 'meals', funding: 'donor', budgetCents: 100_000, startsOn: '2026-03-01', endsOn: '2026-06-30' });
        await ok('/charity/donations', { kind: 'money', amountCents: 5_000, donorKind: 'enterprise', donorName: '桂香食品', publicName: '桂香食品', note: `${name}牵线` });
        await ok('/services', { socialWorkerId: sw.id, kind: 'group', category: 'daily_care', content: `和${name}一起开展活动`, beneficiaries: 8,
          startedAt: iso(start - 2 * HOUR), endedAt: iso(start - HOUR) });
      }
      const before = ts.app.model.head;
      await until(() => ts.app.model.head > before + 20, 'the simulators to write', 20_000);
      await until(() => events.every((id) => wall.state.events.has(id) && packed.state.events.has(id)), 'the planted events on both walls');
      await new Promise((r) => setTimeout(r, 400));
    } finally {
      sim.stop();
      clearInterval(fast);
    }

    // The wall: every payload, the state it holds, and a fresh snapshot.
    const fresh = await freshSnapshot();
    const onTheWall = [...wallRaw, JSON.stringify(fresh)].join('\n');
    const known = everyoneKnown();
    for (const name of everyKind) expect(known, name).toContain(name);
    expect(known.length).toBeGreaterThan(100);
    expect(known.filter((name) => onTheWall.includes(name))).toEqual([]);
    // The compressed wall, its frames inflated: the same 0 hits, and it did receive the planted text.
    const onThePackedWall = packedRaw.join('\n');
    expect(packedFrames).toBeGreaterThan(0);
    expect(onThePackedWall).toContain(JSON.stringify('李*说楼道堆物'));
    expect(known.filter((name) => onThePackedWall.includes(name))).toEqual([]);

    // What the wall does show: the title, masked, and no description at all.
    const first = wall.state.events.get(events[0]!)!;
    expect(first.title).toBe('李*说楼道堆物');
    expect(first).not.toHaveProperty('description');
    expect(first).not.toHaveProperty('pending'); // the request's note never reaches a wall
    expect(wall.state.events.get(events[planted.indexOf(PEOPLE.eventReporter)]!)!.title).toBe('M***说楼道堆物');
    expect(wall.state.events.get(events[planted.indexOf(PEOPLE.orgContact)]!)!.title).toBe('阿依******说楼道堆物');

    // Staff keep the full text.
    const toStaff = staffRaw.join('\n');
    for (const name of everyKind) expect(toStaff, name).toContain(about(name));
  }, 120_000);

  it('are masked as soon as a person is added or renamed, with no restart', async () => {
    const seen: string[] = [];
    const s = openSocket(ts.url, { display: true });
    s.onAny((_e, p) => seen.push(JSON.stringify(p)));
    const client = new LiveClient(s, { view: 'screen' });
    try {
      await until(() => !!client.state.views, 'a snapshot');
      // A new volunteer, then an event naming them.
      await ok('/volunteers', { name: '司马相如', phone: '13900001301', skills: [] });
      const e1 = (await ok('/events', { category: 'environment', title: '司马相如反映噪音扰民', gridId: 'G01' })).event;
      // An organization's contact renamed, then a title naming the new contact.
      const org = (await get(`${api}/orgs?limit=1`)).body.items[0];
      const renamed = await send('PATCH', `${api}/orgs/${org.id}`, { contactName: '上官婉儿' });
      expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
      const e2 = (await ok('/events', { category: 'environment', title: '上官婉儿说井盖松动', gridId: 'G01' })).event;
      await until(() => client.state.events.has(e1.id) && client.state.events.has(e2.id), 'both on the wall');
      expect(client.state.events.get(e1.id)!.title).toBe('司马**反映噪音扰民');
      expect(client.state.events.get(e2.id)!.title).toBe('上官**说井盖松动');
      expect(seen.join('\n')).not.toMatch(/司马相如|上官婉儿/);
    } finally {
      s.close();
    }
  });
});

/** The snapshot a wall switched on now would get. */
async function freshSnapshot(): Promise<SubscribeResult> {
  const s = openSocket(ts.url, { display: true, reconnection: false });
  try {
    const r: SubscribeResult = await s.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
    expect(r.ok && r.mode).toBe('snapshot');
    return r;
  } finally {
    s.close();
  }
}
