/**
 * An incident exported as CAP 1.2, over real HTTP, parsed back with an XML parser of its own
 * (fast-xml-parser, not the library that wrote it): a drill declared, updated and ended gives an
 * Alert, an Update and a Cancel with stable identifiers, each referencing the ones before it,
 * marked Exercise; an actual incident is Actual. Every message's elements come in the order the
 * CAP 1.2 schema sets; times are to the second with the community's offset; the area's polygons
 * are closed `lat,lon` rings around the demo community. A resident's name, phone and room typed
 * into the instructions, and the staff-only summary, never come out. An unknown incident or
 * version is a 404 naming it; a volunteer is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { joinAsVolunteer, loginAs, request, startServer, type Credentials, type TestServer } from '../support/server.ts';
import { capTime } from '../../server/emergency/cap.ts';

let ts: TestServer;
let api: string;
let dispatcher: Credentials;
let worker: Credentials;
let volunteer: Credentials;
/** The server's clock: a Tuesday morning in Hangzhou, a quarter of a second past ten. */
let clock = Date.parse('2026-03-10T10:00:00.250+08:00');
const minutes = (n: number) => (clock += n * 60_000);

const RESIDENT = { name: '司马光明', phone: '13500004444', room: '502' };
const SUMMARY = '演练结束，司马光明已安全转移';

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  dispatcher = await loginAs(ts.url, 'dispatcher');
  worker = await loginAs(ts.url, 'grid_worker', ['G01']);
  volunteer = await joinAsVolunteer(ts.url);
  // A resident the community holds by name: the masker knows them from the register.
  const b = await request(`${api}/register/buildings`, { method: 'POST', body: { gridId: 'G02', address: '丹枫新村8幢', units: 0, floors: 6 } });
  const h = await request(`${api}/register/households`, { method: 'POST', body: { buildingId: b.body.building.id, room: RESIDENT.room, kind: 'owner' } });
  const r = await request(`${api}/register/residents`, {
    method: 'POST',
    body: { householdId: h.body.household.id, name: RESIDENT.name, gender: 'male', birth: '1950', relation: 'head', residence: 'resident', phone: RESIDENT.phone },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
});
afterAll(async () => {
  await ts?.stop();
});

const post = async (path: string, body: unknown) => {
  const r = await request(`${api}${path}`, { method: 'POST', body, as: dispatcher });
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body.incident as { id: number; version: number };
};

/** The raw answer: status, headers and text. */
async function fetchText(path: string, as: Credentials = dispatcher) {
  const res = await fetch(`${api}${path}`, { headers: { cookie: as.cookie } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() };
}

/** An element as the parser read it: its name, attributes, child elements and text. */
interface El { name: string; attrs: Record<string, string>; children: El[]; text: string }
const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false });

function elements(nodes: Record<string, unknown>[]): El[] {
  return nodes.flatMap((n) => {
    const name = Object.keys(n).find((k) => k !== ':@');
    if (!name || name === '#text' || name === '?xml') return [];
    const inner = n[name] as Record<string, unknown>[];
    const text = inner.filter((c) => '#text' in c).map((c) => String(c['#text'])).join('');
    return [{ name, attrs: (n[':@'] as Record<string, string>) ?? {}, children: elements(inner), text }];
  });
}

/** The document's root element (parsing fails the test on XML that is not well formed). */
function root(xml: string): El {
  const [top] = elements(parser.parse(xml, true) as Record<string, unknown>[]);
  expect(top).toBeDefined();
  return top!;
}

const child = (el: El, name: string) => el.children.find((c) => c.name === name);
const childText = (el: El, name: string) => child(el, name)?.text;
const all = (el: El, name: string) => el.children.filter((c) => c.name === name);

/** CAP 1.2's sequences: each element in order, with how often it may occur. */
const ONE = [1, 1] as const;
const OPT = [0, 1] as const;
const MANY = [0, Infinity] as const;
const SOME = [1, Infinity] as const;
const ALERT_SEQUENCE: [string, readonly [number, number]][] = [
  ['identifier', ONE], ['sender', ONE], ['sent', ONE], ['status', ONE], ['msgType', ONE], ['source', OPT], ['scope', ONE],
  ['restriction', OPT], ['addresses', OPT], ['code', MANY], ['note', OPT], ['references', OPT], ['incidents', OPT], ['info', MANY],
];
const INFO_SEQUENCE: [string, readonly [number, number]][] = [
  ['language', OPT], ['category', SOME], ['event', ONE], ['responseType', MANY], ['urgency', ONE], ['severity', ONE], ['certainty', ONE],
  ['audience', OPT], ['eventCode', MANY], ['effective', OPT], ['onset', OPT], ['expires', OPT], ['senderName', OPT], ['headline', OPT],
  ['description', OPT], ['instruction', OPT], ['web', OPT], ['contact', OPT], ['parameter', MANY], ['resource', MANY], ['area', MANY],
];
const AREA_SEQUENCE: [string, readonly [number, number]][] = [
  ['areaDesc', ONE], ['polygon', MANY], ['circle', MANY], ['geocode', MANY], ['altitude', OPT], ['ceiling', OPT],
];

/** Where the children of `el` leave the sequence, or null when they follow it. */
function outOfSequence(el: El, sequence: [string, readonly [number, number]][]): string | null {
  const names = el.children.map((c) => c.name);
  let at = 0;
  for (const [name, [min, max]] of sequence) {
    let n = 0;
    while (names[at] === name) (at++, n++);
    if (n < min || n > max) return `<${el.name}> has ${n} <${name}>, wants ${min}..${max}: ${names.join(' ')}`;
  }
  return at === names.length ? null : `<${el.name}> has <${names[at]}> out of CAP 1.2's order: ${names.join(' ')}`;
}

/** Every check a well-made message passes, whatever it says. */
function checkShape(alert: El) {
  expect(alert.name).toBe('alert');
  expect(alert.attrs.xmlns).toBe('urn:oasis:names:tc:emergency:cap:1.2');
  expect(outOfSequence(alert, ALERT_SEQUENCE)).toBeNull();
  const infos = all(alert, 'info');
  expect(infos.map((i) => childText(i, 'language'))).toEqual(['zh-CN', 'en-US']);
  for (const info of infos) {
    expect(outOfSequence(info, INFO_SEQUENCE)).toBeNull();
    for (const area of all(info, 'area')) expect(outOfSequence(area, AREA_SEQUENCE)).toBeNull();
  }
  expect(childText(alert, 'sent')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
  expect(childText(alert, 'scope')).toBe('Public');
  for (const name of ['identifier', 'sender']) expect(childText(alert, name)).toMatch(/^[^\s,<&]+$/);
}

/** The polygons of a message's area, each as [lat, lon] pairs. */
const polygonsOf = (info: El) => all(child(info, 'area')!, 'polygon').map((p) => p.text.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]));

describe('an incident as CAP 1.2', () => {
  let drill: number;
  const texts: string[] = [];

  it('gives a drill declared, updated and ended as an Alert, an Update and a Cancel, each referencing those before it, marked Exercise', async () => {
    drill = (await post('/incidents', {
      type: 'typhoon', level: 2, drill: true, grids: ['G01', 'G02'], headline: '台风“海葵”今夜登陆',
      instructions: `请丹枫新村8幢${RESIDENT.room}室${RESIDENT.name}（${RESIDENT.phone}）等低洼地带居民转移至社区服务中心`,
    })).id;
    minutes(30);
    await post(`/incidents/${drill}/update`, { expectedVersion: 1, level: 1, grids: 'all' });
    minutes(90);
    await post(`/incidents/${drill}/end`, { summary: SUMMARY });

    const latest = await fetchText(`/incidents/${drill}/cap`);
    expect(latest.status, latest.text).toBe(200);
    expect(latest.type).toBe('application/cap+xml; charset=utf-8');
    const communityId = ts.app.directory.defaultCommunity()!.id;
    expect(latest.disposition).toContain(`cap-${communityId}-incident-${drill}-3.xml`);
    const messages = [];
    for (const v of [1, 2, 3]) {
      const one = await fetchText(`/incidents/${drill}/cap?version=${v}`);
      expect(one.status).toBe(200);
      texts.push(one.text);
      messages.push(root(one.text));
    }
    expect(root(latest.text)).toEqual(messages[2]);
    for (const m of messages) checkShape(m);

    const [alert, update, cancel] = messages as [El, El, El];
    expect(childText(alert, 'sender')).toBe(`${communityId}@cerebellum.invalid`);
    expect(messages.map((m) => childText(m, 'identifier'))).toEqual([1, 2, 3].map((v) => `cerebellum:${communityId}:incident:${drill}:${v}`));
    expect(messages.map((m) => childText(m, 'msgType'))).toEqual(['Alert', 'Update', 'Cancel']);
    expect(messages.map((m) => childText(m, 'status'))).toEqual(['Exercise', 'Exercise', 'Exercise']);
    expect(messages.map((m) => childText(m, 'sent'))).toEqual(['2026-03-10T10:00:00+08:00', '2026-03-10T10:30:00+08:00', '2026-03-10T12:00:00+08:00']);
    expect(messages.map((m) => childText(m, 'incidents'))).toEqual(Array(3).fill(`cerebellum:${communityId}:incident:${drill}`));
    expect(childText(alert, 'note')).toContain('演练');
    // References: sender,identifier,sent of every message before, separated by spaces.
    const triple = (m: El) => ['sender', 'identifier', 'sent'].map((n) => childText(m, n)).join(',');
    expect(child(alert, 'references')).toBeUndefined();
    expect(childText(update, 'references')).toBe(triple(alert));
    expect(childText(cancel, 'references')).toBe(`${triple(alert)} ${triple(update)}`);

    // Each message as the incident stood then: orange over two grids, then red over the whole community, then all clear.
    const zh = (m: El) => all(m, 'info')[0]!;
    expect([alert, update, cancel].map((m) => childText(zh(m), 'severity'))).toEqual(['Severe', 'Extreme', 'Extreme']);
    expect([alert, update, cancel].map((m) => childText(zh(m), 'urgency'))).toEqual(['Immediate', 'Immediate', 'Past']);
    expect(childText(zh(cancel), 'responseType')).toBe('AllClear');
    expect(childText(zh(alert), 'category')).toBe('Met');
    expect(childText(zh(alert), 'event')).toBe('台风防汛');
    expect(childText(all(alert, 'info')[1]!, 'event')).toBe('Typhoon / flood');
    expect(childText(zh(alert), 'headline')).toBe('【演练】台风“海葵”今夜登陆');
    expect(childText(zh(cancel), 'headline')).toBe('【演练】【已解除】台风“海葵”今夜登陆');
    expect(all(child(zh(alert), 'area')!, 'geocode').map((g) => childText(g, 'value'))).toEqual(['G01', 'G02']);
    const grids = ts.app.directory.gridsOf(communityId).map((g) => g.id);
    expect(all(child(zh(update), 'area')!, 'geocode').map((g) => childText(g, 'value'))).toEqual(grids);
    expect(polygonsOf(zh(update))).toHaveLength(grids.length);
  });

  it('never carries the resident typed into the instructions, their phone or room, nor the staff-only summary', () => {
    expect(texts).toHaveLength(3);
    const instruction = childText(all(root(texts[0]!), 'info')[0]!, 'instruction')!;
    expect(instruction).toContain('低洼地带居民转移');
    for (const text of texts) {
      for (const secret of [RESIDENT.name, RESIDENT.phone, `${RESIDENT.room}室`, SUMMARY]) expect(text).not.toContain(secret);
    }
  });

  it('gives an actual incident as Actual, its area as closed lat,lon polygons around the demo community', async () => {
    const actual = (await post('/incidents', { type: 'fire', level: 4, grids: ['G03'], headline: '金秋小区1幢起火', instructions: '' })).id;
    const got = await fetchText(`/incidents/${actual}/cap`, worker);
    expect(got.status).toBe(200);
    const alert = root(got.text);
    checkShape(alert);
    expect(childText(alert, 'status')).toBe('Actual');
    expect(childText(alert, 'msgType')).toBe('Alert');
    expect(child(alert, 'note')).toBeUndefined();
    const info = all(alert, 'info')[0]!;
    expect([childText(info, 'category'), childText(info, 'urgency'), childText(info, 'severity'), childText(info, 'certainty')])
      .toEqual(['Fire', 'Expected', 'Minor', 'Likely']);
    expect(child(info, 'instruction')).toBeUndefined();
    expect(childText(child(info, 'area')!, 'areaDesc')).toBe(ts.app.directory.grids.get('G03')!.name.zh);
    const polygons = polygonsOf(info);
    expect(polygons.length).toBeGreaterThan(0);
    for (const ring of polygons) {
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring[0]).toEqual(ring.at(-1));
      // The demo community is in Hangzhou (30.29° N, 120.12° E): latitude first.
      for (const [lat, lon] of ring) {
        expect(lat).toBeGreaterThan(30.2);
        expect(lat).toBeLessThan(30.4);
        expect(lon).toBeGreaterThan(120.0);
        expect(lon).toBeLessThan(120.25);
      }
    }
    await post(`/incidents/${actual}/end`, { summary: '已扑灭' });
  });

  it('gives every message of an incident as an Atom feed, newest first, each entry carrying its message', async () => {
    const feed = await fetchText(`/incidents/${drill}/cap/feed`);
    expect(feed.status).toBe(200);
    expect(feed.type).toBe('application/atom+xml; charset=utf-8');
    const top = root(feed.text);
    expect(top.name).toBe('feed');
    expect(top.attrs.xmlns).toBe('http://www.w3.org/2005/Atom');
    for (const name of ['id', 'title', 'updated', 'author']) expect(child(top, name), name).toBeDefined();
    const entries = all(top, 'entry');
    const alerts = entries.map((e) => child(child(e, 'content')!, 'alert')!);
    alerts.forEach(checkShape);
    expect(alerts.map((a) => childText(a, 'msgType'))).toEqual(['Cancel', 'Update', 'Alert']);
    expect(entries.map((e) => childText(e, 'id'))).toEqual(alerts.map((a) => childText(a, 'identifier')));
    expect(entries.map((e) => childText(e, 'updated'))).toEqual(alerts.map((a) => childText(a, 'sent')));
    const link = child(entries[2]!, 'link')!.attrs;
    expect(link).toMatchObject({ rel: 'alternate', type: 'application/cap+xml', href: `/api/v1/incidents/${drill}/cap?version=1` });
    expect(root((await fetchText(link.href!.replace('/api/v1', ''))).text)).toEqual(alerts[2]);
    expect(feed.text).not.toContain(RESIDENT.name);
  });

  it('answers an unknown incident or version with a 404 naming it, and refuses a volunteer', async () => {
    const unknown = await request(`${api}/incidents/999999/cap`, { as: dispatcher });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'error.not_found', message: 'incident 999999 not found' });
    expect((await request(`${api}/incidents/999999/cap/feed`, { as: dispatcher })).status).toBe(404);
    const version = await request(`${api}/incidents/${drill}/cap?version=9`, { as: dispatcher });
    expect(version.status).toBe(404);
    expect(version.body.error.message).toBe(`message 9 of incident ${drill} not found`);
    const bad = await request(`${api}/incidents/${drill}/cap?version=first`, { as: dispatcher });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('version');
    expect((await request(`${api}/incidents/${drill}/cap`, { as: volunteer })).status).toBe(403);
    expect((await request(`${api}/incidents/${drill}/cap/feed`, { as: volunteer })).status).toBe(403);
    expect((await request(`${api}/incidents/${drill}/cap`, { as: null })).status).toBe(401);
  });

  it('writes times to the second with the offset, and UTC as -00:00', () => {
    expect(capTime(Date.parse('2026-03-10T02:00:00.999Z'), 'Asia/Shanghai')).toBe('2026-03-10T10:00:00+08:00');
    expect(capTime(Date.parse('2026-03-10T02:00:00.999Z'), 'UTC')).toBe('2026-03-10T02:00:00-00:00');
    expect(capTime(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00:00-04:00');
  });
});
