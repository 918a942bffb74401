/**
 * The accounted-for board (核查台账) over real HTTP, real sockets and a moved clock: declaring an
 * incident lists the register's households of its grids, key populations first; a knock sent
 * three times with one Idempotency-Key applies once; a door someone holds is a 409 naming them;
 * a "no answer" escalates through its stages as the clock moves; "needs help" opens exactly one
 * urgent case; the household's own link marks it safe without an account and a bad token says
 * nothing; the incident's override of consent is logged while it lasts and gone after; the
 * unknown count per grid shrinks; and nothing a wall or the public link gets names a resident,
 * a phone or a room.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, openSocket, request, startServer, until, type Credentials, type TestServer, type TestSocket } from '../support/server.ts';
import type { BoardAnswer, BoardHousehold, PublicBoard } from '../../shared/emergency-board.ts';

let ts: TestServer;
let api: string;
let clock = Date.parse('2026-09-14T20:00:00+08:00');
let dispatcher: Credentials;
let worker: Credentials;
let colleague: Credentials;
let wallSocket: TestSocket;
const counted: PublicBoard[] = [];
/** Everything public this test saw: scanned for names, phones and rooms at the end. */
const publicPayloads: unknown[] = [];

const minutes = (n: number) => (clock += n * 60_000);
const count = (sql: string, ...args: unknown[]) => ts.app.db.prepare(sql).pluck().get(...args) as number;
const post = (path: string, body: unknown, as: Credentials, key?: string) =>
  request(`${api}${path}`, { method: 'POST', body, as, headers: key ? { 'idempotency-key': key } : {} });
const read = (path: string, as: Credentials) => request(`${api}${path}`, { as });

const ids = { ouyang: 0, wang: 0, ayi: 0, sima: 0, empty: 0, outside: 0 };
async function household(gridId: string, building: string, room: string, residents: Record<string, unknown>[]) {
  const b = await request(`${api}/register/buildings`, { method: 'POST', body: { gridId, address: building, units: 0, floors: 6 } });
  const buildingId = b.status === 201 ? b.body.building.id
    : (await request(`${api}/register/buildings?grid=${gridId}&q=${encodeURIComponent(building)}`)).body.items[0].id;
  const h = (await request(`${api}/register/households`, { method: 'POST', body: { buildingId, room, kind: 'owner' } })).body.household;
  for (const r of residents) {
    const made = await request(`${api}/register/residents`, {
      method: 'POST', body: { householdId: h.id, gender: 'female', birth: '1950', relation: 'head', residence: 'resident', ...r },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
  }
  return h.id as number;
}

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  dispatcher = await loginAs(ts.url, 'dispatcher');
  worker = await loginAs(ts.url, 'grid_worker', ['G01']);
  colleague = await loginAs(ts.url, 'grid_worker', ['G01']);
  // G01 桂花苑3幢: an elderly man alone in a wheelchair who consented to nothing; a woman who
  // consented to evacuation helpers; an expectant mother whose name has a middle dot.
  ids.ouyang = await household('G01', '桂花苑3幢', '101', [{
    name: '欧阳建国', gender: 'male', tags: ['elderly_alone'], mobility: ['wheelchair'], phone: '13800001234',
    emergencyContact: { name: '欧阳明', phone: '13900005678', relation: '儿子' },
  }]);
  ids.wang = await household('G01', '桂花苑3幢', '102', [{ name: '王芳', phone: '13700002222', consent: ['evacuation'] }]);
  ids.ayi = await household('G01', '桂花苑3幢', '201', [{ name: '阿依古丽·买买提', tags: ['pregnant'], birth: '1996', phone: '13600003333' }]);
  // G02: a seriously ill man; G01 an empty flat (no residents); G03 outside the area.
  ids.sima = await household('G02', '丹枫新村8幢', '502', [{ name: '司马光明', gender: 'male', tags: ['seriously_ill'], phone: '13500004444' }]);
  ids.empty = await household('G01', '桂花苑3幢', '301', []);
  ids.outside = await household('G03', '金秋小区1幢', '101', [{ name: '诸葛亮亮', gender: 'male' }]);

  wallSocket = openSocket(ts.url, { display: true });
  wallSocket.on('board:counts', (b) => (counted.push(b), publicPayloads.push(b)));
  wallSocket.on('incident:changed', (n) => publicPayloads.push(n));
  await until(() => wallSocket.connected, 'the wall connects');
});
afterAll(async () => {
  wallSocket?.close();
  await ts?.stop();
});

let incidentId: number;
const board = async (as: Credentials = dispatcher, query = ''): Promise<BoardAnswer> => {
  const r = await read(`/incidents/${incidentId}/board${query}`, as);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const unknownIn = async (grid: string) => (await board()).grids.find((g) => g.gridId === grid)!.unknown;
const path = (hid: number, what = '') => `/incidents/${incidentId}/households/${hid}${what}`;

describe('the accounted-for board', () => {
  it('is generated from the register when an incident is declared: its grids, households with residents, key populations first', async () => {
    const declared = await post('/incidents', { type: 'typhoon', level: 2, grids: ['G01', 'G02'], headline: '台风“海葵”今夜登陆' }, dispatcher, randomUUID());
    expect(declared.status).toBe(201);
    incidentId = declared.body.incident.id;
    const b = await board();
    expect(b).toMatchObject({ incidentId, drill: false, active: true });
    expect(b.households.map((h) => h.householdId)).toEqual([ids.sima, ids.ouyang, ids.ayi, ids.wang]);
    expect(b.households.map((h) => h.priority)).toEqual([1, 1, 2, 3]);
    expect(b.grids.map((g) => [g.gridId, g.total, g.unknown])).toEqual([['G01', 3, 3], ['G02', 1, 1]]);
    expect(b.households.every((h) => h.status === 'unknown' && h.version === 1)).toBe(true);
    await until(() => counted.some((c) => c.incidentId === incidentId), 'the counts on the wall');
  });

  it('applies a knock sent three times at once with one Idempotency-Key once, and the unknown count shrinks', async () => {
    expect(await unknownIn('G01')).toBe(3);
    const key = randomUUID();
    const answers = await Promise.all([1, 2, 3].map(() => post(path(ids.wang, '/status'), { status: 'safe', source: 'knock', note: '已确认' }, worker, key)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.household.version)).toEqual([2, 2, 2]);
    expect(count('SELECT COUNT(*) FROM board_reports WHERE household_id = ?', ids.wang)).toBe(1);
    expect(await unknownIn('G01')).toBe(2);
    // A report against a version someone else moved on is a 409 naming it.
    const stale = await post(path(ids.wang, '/status'), { status: 'away', source: 'call', expectedVersion: 1 }, dispatcher);
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.board_changed', version: 2, status: 'safe', reportedBy: worker.username });
  });

  it('lets one person hold a door: a claim on a door someone holds is a 409 naming who since when', async () => {
    const mine = await post(path(ids.ouyang, '/claim'), undefined, worker, randomUUID());
    expect(mine.status).toBe(200);
    expect(mine.body.household.claim).toMatchObject({ by: worker.username, byName: worker.username });
    const theirs = await post(path(ids.ouyang, '/claim'), undefined, colleague, randomUUID());
    expect(theirs.status).toBe(409);
    expect(theirs.body.error).toMatchObject({ code: 'error.board_claimed', claim: { by: worker.username, byName: worker.username, since: mine.body.household.claim.since } });
    expect((await post(path(ids.ouyang, '/done'), { status: 'safe' }, colleague, randomUUID())).status).toBe(409);
    expect((await post(path(ids.ouyang, '/release'), undefined, colleague, randomUUID())).status).toBe(409);
    expect((await post(path(ids.ouyang, '/release'), undefined, worker, randomUUID())).body.household.claim).toBeNull();
    expect((await post(path(ids.ouyang, '/claim'), undefined, colleague, randomUUID())).status).toBe(200);
  });

  it('escalates a no answer through retry, the emergency contact and a visit by two as the clock moves, each journalled', async () => {
    const done = await post(path(ids.ouyang, '/done'), { status: 'no_answer', note: '敲门无人应' }, colleague, randomUUID());
    expect(done.status).toBe(200);
    expect(done.body.household).toMatchObject({ status: 'no_answer', escalation: null, claim: null });
    expect(await unknownIn('G01')).toBe(2);
    const stage = async () => (await read(path(ids.ouyang), dispatcher)).body.household as BoardHousehold;

    minutes(14);
    expect(await ts.app.board.escalations()).toBe(0);
    minutes(2);
    expect(await ts.app.board.escalations()).toBe(1);
    expect((await stage()).escalation).toBe('retry');
    minutes(15);
    await ts.app.board.escalations();
    expect((await stage()).escalation).toBe('call_contact');
    minutes(30);
    await ts.app.board.escalations();
    expect((await stage()).escalation).toBe('visit_two');
    expect((await stage()).escalateAt).toBeNull();
    minutes(60);
    expect(await ts.app.board.escalations()).toBe(0);
    expect(count("SELECT COUNT(*) FROM journal WHERE type = 'board.escalated'")).toBe(3);

    // Found at last: the escalation stops.
    const found = await post(path(ids.ouyang, '/status'), { status: 'sheltered', source: 'knock' }, worker, randomUUID());
    expect(found.body.household).toMatchObject({ status: 'sheltered', escalation: null, escalateAt: null });
    expect(await unknownIn('G01')).toBe(1);
  });

  it('lets go of a door claimed an hour ago with no knock, so a tablet that went home keeps nobody away, journalled as lapsed', async () => {
    const held = await post(path(ids.wang, '/claim'), undefined, worker, randomUUID());
    expect(held.body.household.claim).toMatchObject({ by: worker.username });
    expect((await post(path(ids.wang, '/claim'), undefined, colleague, randomUUID())).status).toBe(409);
    minutes(59);
    expect(await ts.app.board.escalations()).toBe(0);
    expect((await read(path(ids.wang), dispatcher)).body.household.claim).toMatchObject({ by: worker.username });
    minutes(2);
    expect(await ts.app.board.escalations()).toBe(1);
    expect((await read(path(ids.wang), dispatcher)).body.household.claim).toBeNull();
    const lapsed = ts.app.db.prepare("SELECT data FROM journal WHERE type = 'board.released' ORDER BY seq DESC LIMIT 1").pluck().get() as string;
    expect(JSON.parse(lapsed)).toMatchObject({ householdId: ids.wang, by: null, held: worker.username, lapsed: true });
    // The incident's timeline says the door was let go by itself, by nobody.
    const timeline = (await read(`/incidents/${incidentId}/timeline?limit=500`, dispatcher)).body.items as { kind: string; who: string | null; householdId: number; what: Record<string, unknown> }[];
    expect(timeline.filter((e) => e.kind === 'release' && e.householdId === ids.wang).at(-1)).toMatchObject({ who: null, what: { lapsed: true, held: worker.username } });
    expect((await post(path(ids.wang, '/claim'), undefined, colleague, randomUUID())).status).toBe(200);
    // The first worker's knock, made offline before the colleague took the door, arrives now: kept, the claim stays the colleague's.
    const late = await post(path(ids.wang, '/done'), { status: 'safe', note: '离线时已敲门', at: new Date(clock - 3 * 60_000).toISOString() }, worker, randomUUID());
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect(late.body.household).toMatchObject({ status: 'safe', claim: { by: colleague.username } });
    // One made after they took it is still a 409 naming them.
    const after = await post(path(ids.wang, '/done'), { status: 'away' }, worker, randomUUID());
    expect(after.status).toBe(409);
    expect(after.body.error).toMatchObject({ code: 'error.board_claimed', claim: { by: colleague.username } });
    expect((await post(path(ids.wang, '/release'), undefined, colleague, randomUUID())).body.household.claim).toBeNull();
  });

  it('opens exactly one urgent case for a household that needs help, and puts it first', async () => {
    for (const note of ['老人摔倒，需要担架', '再次来电催促']) {
      const r = await post(path(ids.sima, '/status'), { status: 'needs_help', source: 'call', note }, dispatcher, randomUUID());
      expect(r.status).toBe(200);
    }
    const cases = ts.app.db.prepare("SELECT id, urgency, category, subcategory, grid_id AS gridId FROM events WHERE subcategory = 'needs_help'").all();
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ urgency: 'critical', category: 'emergency', gridId: 'G02' });
    const b = await board();
    expect(b.households[0]).toMatchObject({ householdId: ids.sima, status: 'needs_help', eventId: (cases[0] as { id: number }).id });
    expect(b.grids.find((g) => g.gridId === 'G02')).toMatchObject({ unknown: 0, needsHelp: 1 });
  });

  it('takes the household\'s own "I am safe" without an account; a bad token is a 404 that reveals nothing', async () => {
    const issued = await post(`/incidents/${incidentId}/links`, { grid: 'G01' }, dispatcher);
    expect(issued.status).toBe(201);
    const link = issued.body.items.find((l: { householdId: number }) => l.householdId === ids.ayi);
    expect(link.path).toBe(`/safe/${link.token}`);
    expect(count('SELECT COUNT(*) FROM board_links WHERE token_hash = ?', link.token)).toBe(0);

    const seen = await request(`${api}/safe/${link.token}`, { as: null });
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({ place: '桂花苑3幢', headline: '台风“海葵”今夜登陆', drill: false, active: true, status: 'unknown' });
    const said = await request(`${api}/safe/${link.token}`, { method: 'POST', body: { status: 'safe' }, as: null });
    expect(said.status).toBe(200);
    expect(said.body.status).toBe('safe');
    publicPayloads.push(seen.body, said.body);
    const h = (await read(path(ids.ayi), dispatcher)).body;
    expect(h.household).toMatchObject({ status: 'safe', source: 'self', reportedBy: 'self' });
    expect(await unknownIn('G01')).toBe(0);

    const forged = await request(`${api}/safe/${'A'.repeat(32)}`, { as: null });
    const malformed = await request(`${api}/safe/x`, { as: null });
    expect([forged.status, malformed.status]).toEqual([404, 404]);
    expect(forged.body).toEqual(malformed.body);
    expect((await request(`${api}/safe/${'A'.repeat(32)}`, { method: 'POST', body: { status: 'needs_help' }, as: null })).status).toBe(404);

    // The page itself: plain HTML, the two buttons, the building and nothing finer.
    const page = await fetch(`${ts.url}/safe/${link.token}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('我平安');
    expect(html).toContain('我需要帮助');
    // Under no-referrer a browser posts the page's own form with `Origin: null`, which is refused.
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    publicPayloads.push(html);
    const pressed = await fetch(`${ts.url}/safe/${link.token}`, { method: 'POST', body: new URLSearchParams({ status: 'safe' }), redirect: 'manual' });
    expect(pressed.status).toBe(303);
    expect((await fetch(`${ts.url}/safe/${'B'.repeat(32)}`)).status).toBe(404);
  });

  it('gives a wall per-grid guarded counts, and nothing public names a resident, a phone or a room', async () => {
    const counts = await request(`${api}/incidents/${incidentId}/board/counts`, { as: null, headers: { authorization: `Bearer ${ts.displayToken}` } });
    expect(counts.status).toBe(200);
    publicPayloads.push(counts.body);
    // G02 has one household: its counts are withheld, not 1.
    expect(counts.body.grids.find((g: { gridId: string }) => g.gridId === 'G02')).toMatchObject({ total: { lt: 3 }, needsHelp: { lt: 3 }, unknown: 0 });
    await until(() => counted.length >= 5, 'the board counts after each change');

    const people = ts.app.db.prepare('SELECT name, phone, emergency_name, emergency_phone FROM residents').all() as Record<string, string | null>[];
    const secrets = [
      ...people.flatMap((p) => Object.values(p)).filter((v): v is string => !!v),
      '欧阳', '司马', '阿依古丽', '买买提', '101室', '102室', '201室', '502室',
    ];
    expect(secrets).toContain('阿依古丽·买买提');
    const text = publicPayloads.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('\n');
    for (const s of secrets) expect(text, `public payloads mention ${s}`).not.toContain(s);
  });

  it('tells a wall that connects mid-incident the counts at once, after the incident', async () => {
    const heard: string[] = [];
    const late = openSocket(ts.url, { display: true });
    let counts: PublicBoard | null = null;
    late.on('incident:changed', () => heard.push('incident'));
    late.on('board:counts', (b) => (heard.push('counts'), (counts = b)));
    try {
      await until(() => counts !== null, 'the counts as the wall connects');
      expect(heard.slice(0, 2)).toEqual(['incident', 'counts']);
      const now = await request(`${api}/incidents/${incidentId}/board/counts`, { as: null, headers: { authorization: `Bearer ${ts.displayToken}` } });
      expect(counts).toEqual(now.body);
    } finally {
      late.close();
    }
  });

  it('shows residents to staff by the incident\'s override while it lasts, logged, and by consent alone after it ends', async () => {
    const overrides = () => ts.app.db.prepare("SELECT detail FROM audit_log WHERE action = 'records.read_override'").all() as { detail: string }[];
    const before = overrides().length;
    const during = await board(dispatcher);
    const ouyang = during.households.find((h) => h.householdId === ids.ouyang)!;
    expect(ouyang.residents).toMatchObject([{ name: '欧阳建国', byOverride: true, emergencyContact: { name: '欧阳明' } }]);
    expect(during.households.find((h) => h.householdId === ids.wang)!.residents).toMatchObject([{ name: '王芳', byOverride: false }]);
    await until(() => overrides().length > before, 'the override in the audit log');
    const logged = JSON.parse(overrides().at(-1)!.detail);
    expect(logged).toMatchObject({ incidentId, purpose: 'evacuation' });
    expect(logged.residents).toHaveLength(3);

    // The register's keeper sees their grid's residents whatever they consented to: no override.
    const kept = await board(worker);
    expect(kept.households.find((h) => h.householdId === ids.ouyang)!.residents[0]).toMatchObject({ name: '欧阳建国', byOverride: false });
    expect(kept.households.map((h) => h.gridId)).not.toContain('G02');

    const ended = await post(`/incidents/${incidentId}/end`, { summary: '全部核查完毕' }, dispatcher, randomUUID());
    expect(ended.status).toBe(200);
    const quiet = overrides().length;
    const after = await board(dispatcher);
    expect(after.active).toBe(false);
    const withheld = after.households.find((h) => h.householdId === ids.ouyang)!;
    expect(withheld).toMatchObject({ residents: [], withheld: 1, tags: [], mobility: [] });
    expect(after.households.find((h) => h.householdId === ids.wang)!.residents).toMatchObject([{ name: '王芳', byOverride: false }]);
    await new Promise((r) => setTimeout(r, 200));
    expect(overrides().length).toBe(quiet);
    // And nothing more is reported on an ended incident's board.
    expect((await post(path(ids.sima, '/status'), { status: 'safe', source: 'call' }, dispatcher)).status).toBe(409);
  });

  it('runs a drill\'s board the same way but opens no case for a household that needs help', async () => {
    const drill = await post('/incidents', { type: 'fire', level: 4, drill: true, grids: ['G02'], headline: '消防演练' }, dispatcher, randomUUID());
    incidentId = drill.body.incident.id;
    const b = await board();
    expect(b).toMatchObject({ drill: true, active: true });
    expect(b.households.map((h) => h.householdId)).toEqual([ids.sima]);
    const before = count('SELECT COUNT(*) FROM events');
    const r = await post(path(ids.sima, '/status'), { status: 'needs_help', source: 'knock' }, dispatcher, randomUUID());
    expect(r.body.household).toMatchObject({ status: 'needs_help', eventId: null });
    expect(count('SELECT COUNT(*) FROM events')).toBe(before);
  });

  it('keeps residents\' consent in a drill: a dispatcher sees no one the register keeps from them', async () => {
    const b = await board(dispatcher);
    expect(b.households.find((h) => h.householdId === ids.sima)).toMatchObject({ residents: [], withheld: 1 });
  });

  it('lets a card\'s "safe" never clear a "needs help", and takes the same answer twice as one', async () => {
    const link = (await post(`/incidents/${incidentId}/links`, { grid: 'G02' }, dispatcher)).body.items[0];
    const reports = () => count('SELECT COUNT(*) FROM board_reports WHERE incident_id = ? AND household_id = ?', incidentId, ids.sima);
    const before = reports();
    const said = await request(`${api}/safe/${link.token}`, { method: 'POST', body: { status: 'safe' }, as: null });
    expect(said.status).toBe(200);
    expect(said.body.status).toBe('needs_help');
    await request(`${api}/safe/${link.token}`, { method: 'POST', body: { status: 'needs_help' }, as: null });
    expect(reports()).toBe(before);
  });

  it('shows a volunteer no household of an incident they were not called out to', async () => {
    const volunteer = await loginAs(ts.url, 'volunteer');
    const b = await read(`/incidents/${incidentId}/board`, volunteer);
    expect(b.status).toBe(200);
    expect(b.body.households).toEqual([]);
    expect((await read(path(ids.sima), volunteer)).status).toBe(404);
  });

  it('shows the public link a headline with its room numbers and known names hidden', async () => {
    const ended = await post(`/incidents/${incidentId}/end`, { summary: '演练结束' }, dispatcher, randomUUID());
    expect(ended.status).toBe(200);
    const declared = await post('/incidents', { type: 'gas', level: 3, grids: ['G01'], headline: '桂花苑3幢101室欧阳建国家燃气泄漏，13800001234' }, dispatcher, randomUUID());
    incidentId = declared.body.incident.id;
    const link = (await post(`/incidents/${incidentId}/links`, { grid: 'G01' }, dispatcher)).body.items[0];
    const seen = await request(`${api}/safe/${link.token}`, { as: null });
    const html = await (await fetch(`${ts.url}/safe/${link.token}`)).text();
    for (const secret of ['101室', '欧阳建国', '13800001234']) {
      expect(seen.body.headline).not.toContain(secret);
      expect(html).not.toContain(secret);
    }
    expect(seen.body.headline).toContain('燃气泄漏');
  });

  it('refuses a report dated before the declaration, naming the field, and keeps a door claimed after a no answer through the retry', async () => {
    const early = await post(path(ids.wang, '/status'), { status: 'safe', source: 'call', at: '2026-01-01T08:00:00+08:00' }, dispatcher, randomUUID());
    expect(early.status).toBe(400);
    expect(early.body.error.issues).toMatchObject([{ field: 'at' }]);
    expect(count('SELECT COUNT(*) FROM board_reports WHERE incident_id = ? AND household_id = ?', incidentId, ids.wang)).toBe(0);

    expect((await post(path(ids.wang, '/done'), { status: 'no_answer' }, worker, randomUUID())).status).toBe(200);
    minutes(5);
    expect((await post(path(ids.wang, '/claim'), {}, colleague, randomUUID())).status).toBe(200);
    minutes(11);
    expect(await ts.app.board.escalations()).toBe(1);
    const h = (await read(path(ids.wang), dispatcher)).body.household as BoardHousehold;
    expect(h.escalation).toBe('retry');
    expect(h.claim?.by).toBe(colleague.username);
  });
});
