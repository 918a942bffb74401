/**
 * Text hygiene over HTTP: what people type is stored as they typed it, or refused. Control
 * characters, text-direction overrides, broken surrogates and non-characters are refused with a
 * 400 naming the field and the problem, and change nothing, wherever they are sent; tabs and line
 * breaks are kept in multi-line text and refused in names. Bodies that are not JSON get a 415;
 * JSON nested or repeated past reason is refused before it is parsed, without holding up other
 * requests; and a PATCH that changes nothing writes nothing.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, request, sampleReport, startServer, type Answer, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;
let eventId: number;
let volunteerId: number;
let orgId: number;
let userId: number;
let displayId: number;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  const ok = async (method: string, path: string, body: unknown) => {
    const r = await request(`${api}${path}`, { method, body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  eventId = (await ok('POST', '/events', sampleReport())).event.id;
  volunteerId = (await ok('POST', '/volunteers', { name: '李红', phone: '13900001111', skills: ['理发'] })).volunteer.id;
  orgId = (await ok('POST', '/orgs', {
    name: '桂花邻里互助会', kind: 'resident_group', contactName: '周敏', contactPhone: '13900002222', categories: ['daily_care'],
  })).organization.id;
  userId = (await createUser(ts.app, 'zhao.lei', 'dispatcher')).id;
  displayId = ts.app.auth.displays.list('guihua')[0]!.id;
});
afterAll(async () => {
  await ts?.stop();
});

/** Rows in every table, and the rows the PATCHes below would change: all a write could touch. */
function footprint() {
  const db = ts.app.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  return {
    counts: Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) n FROM "${t}"`).get() as { n: number }).n])),
    event: db.prepare('SELECT * FROM events WHERE id = ?').get(eventId),
    volunteer: db.prepare('SELECT * FROM volunteers WHERE id = ?').get(volunteerId),
    org: db.prepare('SELECT * FROM organizations WHERE id = ?').get(orgId),
    user: db.prepare('SELECT display_name, role, grids, status, updated_at FROM users WHERE id = ?').get(userId),
    display: db.prepare('SELECT name FROM displays WHERE id = ?').get(displayId),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 60));

/** Each kind of character refused everywhere, slipped into otherwise ordinary text. */
const BAD: [what: string, char: string, code: string][] = [
  ['a NUL', '\u0000', 'error.text_control'],
  ['an escape (a terminal colour)', '\u001b[31m', 'error.text_control'],
  ['a vertical tab', '\u000b', 'error.text_control'],
  ['a DEL', '\u007f', 'error.text_control'],
  ['a C1 control (CSI)', '\u009b', 'error.text_control'],
  ['a right-to-left override', '\u202e', 'error.text_bidi'],
  ['a first-strong isolate', '\u2068', 'error.text_bidi'],
  ['a right-to-left mark', '\u200f', 'error.text_bidi'],
  ['an Arabic letter mark', '\u061c', 'error.text_bidi'],
  ['a lone high surrogate', '\ud800', 'error.text_surrogate'],
  ['a lone low surrogate', '\udfff', 'error.text_surrogate'],
  ['a byte-order mark', '\ufeff', 'error.text_noncharacter'],
  ['a non-character', '\uffff', 'error.text_noncharacter'],
];

/** Where text goes in: reports, actions, registrations, needs, and the PATCHes. */
const TARGETS: { what: string; method: string; path: () => string; body: (text: string) => unknown; field: string }[] = [
  { what: "an event report's title", method: 'POST', path: () => '/events', body: (t) => sampleReport({ title: t }), field: 'title' },
  { what: "an event report's description", method: 'POST', path: () => '/events', body: (t) => sampleReport({ description: t }), field: 'description' },
  { what: "an event reporter's name", method: 'POST', path: () => '/events', body: (t) => sampleReport({ reporterName: t }), field: 'reporterName' },
  {
    what: "an ingested event's externalId", method: 'POST', path: () => '/events/ingest',
    body: (t) => ({ events: [sampleReport({ source: 'hotline', externalId: t })] }), field: 'events[0].externalId',
  },
  { what: "the note of an event's action", method: 'POST', path: () => `/events/${eventId}/accept`, body: (t) => ({ note: t }), field: 'note' },
  { what: "a volunteer's name", method: 'POST', path: () => '/volunteers', body: (t) => ({ name: t, phone: '13900003333' }), field: 'name' },
  {
    what: "a need's description", method: 'POST', path: () => '/needs',
    body: (t) => ({ title: '助浴', description: t, category: 'daily_care', raisedByKind: 'grid_worker', gridId: 'G01' }), field: 'description',
  },
  {
    what: "a need's resident", method: 'POST', path: () => '/needs',
    body: (t) => ({ title: '助浴', category: 'daily_care', raisedByKind: 'grid_worker', gridId: 'G01', residentName: t }), field: 'residentName',
  },
  { what: "a volunteer's skills (PATCH)", method: 'PATCH', path: () => `/volunteers/${volunteerId}`, body: (t) => ({ skills: ['理发', t] }), field: 'skills[1]' },
  { what: "an organization's contact (PATCH)", method: 'PATCH', path: () => `/orgs/${orgId}`, body: (t) => ({ contactName: t }), field: 'contactName' },
  { what: "a user's display name (PATCH)", method: 'PATCH', path: () => `/users/${userId}`, body: (t) => ({ displayName: t }), field: 'displayName' },
  { what: "a wall display's name (PATCH)", method: 'PATCH', path: () => `/displays/${displayId}`, body: (t) => ({ name: t }), field: 'name' },
];

/** The issue the 400 gives `field`, after checking it is a validation 400. */
function issueOf(r: Answer, field: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.error.code).toBe('error.validation');
  const issue = (r.body.error.issues ?? []).find((i: { field: string }) => i.field === field);
  expect(issue, JSON.stringify(r.body.error)).toBeDefined();
  return issue as { field: string; problem: string; code?: string };
}

describe('a refused character', () => {
  for (const t of TARGETS) {
    it(`in ${t.what} is a 400 naming the field and the problem, and changes nothing`, async () => {
      const before = footprint();
      for (const [what, char, code] of BAD) {
        const text = `桂花苑${char}3幢`;
        const r = await request(`${api}${t.path()}`, { method: t.method, body: t.body(text) });
        const issue = issueOf(r, t.field);
        expect(issue.code, what).toBe(code);
        const cp = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        expect(issue.problem, what).toContain(`U+${cp} at character 4`);
      }
      await settle();
      expect(footprint()).toEqual(before);
    });
  }
});

describe('line breaks and tabs', () => {
  const multiLine = '第一行：楼道堆物\n\t第二行：已联系物业\r\n第三行';

  it('are kept as typed in an event description, a need, and an action note', async () => {
    const e = await request(`${api}/events`, { method: 'POST', body: sampleReport({ description: multiLine }) });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    expect(e.body.event.description).toBe(multiLine);
    const n = await request(`${api}/needs`, {
      method: 'POST', body: { title: '助浴', description: multiLine, category: 'daily_care', raisedByKind: 'grid_worker', gridId: 'G01' },
    });
    expect(n.status, JSON.stringify(n.body)).toBe(201);
    expect(n.body.need.description).toBe(multiLine);
    const a = await request(`${api}/events/${e.body.event.id}/accept`, { method: 'POST', body: { note: multiLine } });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    const stored = ts.app.db.prepare('SELECT note FROM event_history WHERE event_id = ? ORDER BY id DESC LIMIT 1').get(e.body.event.id) as { note: string };
    expect(stored.note).toBe(multiLine);
  });

  it('are refused in a title and a name, even at the end where trimming would have hidden them', async () => {
    const before = footprint();
    for (const [body, field, path] of [
      [sampleReport({ title: '楼道堆物\n已联系物业' }), 'title', '/events'],
      [sampleReport({ title: '楼道堆物\n' }), 'title', '/events'],
      [sampleReport({ reporterName: '王\t建国' }), 'reporterName', '/events'],
      [{ name: '张\r\n三', phone: '13900004444' }, 'name', '/volunteers'],
    ] as const) {
      const issue = issueOf(await request(`${api}${path}`, { method: 'POST', body }), field);
      expect(issue.code).toBe('error.text_line_break');
      expect(issue.problem).toMatch(/^must be one line/);
    }
    await settle();
    expect(footprint()).toEqual(before);
  });
});

it('keeps everyday text from every script as typed: CJK, emoji sequences, joiners, right-to-left letters', async () => {
  const title = '👨‍👩‍👧 家庭纠纷 🏴󠁧󠁢󠁳󠁣󠁴󠁿 مرحبا שלום می‌خواهم 👍🏽 ❤️ 〇㐀𠀀 �';
  const r = await request(`${api}/events`, { method: 'POST', body: sampleReport({ title, reporterName: '欧阳·娜仁' }) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.event.title).toBe(title);
  expect((ts.app.db.prepare('SELECT title FROM events WHERE id = ?').get(r.body.event.id) as { title: string }).title).toBe(title);
});

describe('the media type', () => {
  const report = JSON.stringify(sampleReport({ title: '媒体类型' }));

  it('must be JSON: text/plain, a form, multipart, another charset or none at all is a 415 that writes nothing', async () => {
    const before = footprint();
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
      'application/json; charset=latin1', 'application/jsonx', null]) {
      const headers: Record<string, string> = type === null ? {} : { 'content-type': type };
      // Without a type, undici would send text/plain: a raw request sends none.
      const r = type === null
        ? await raw('POST', '/api/v1/events', Buffer.from(report), { 'content-type': '' })
        : await request(`${api}/events`, { method: 'POST', body: report, headers });
      expect(r.status, `${type}: ${JSON.stringify(r.body)}`).toBe(415);
      expect(r.body.error.code).toBe('error.unsupported_media_type');
      expect(r.body.error.issues).toEqual([{ field: '(body)', problem: 'must be sent as application/json' }]);
    }
    // A route that reads no body is no way round it.
    const reload = await request(`${api}/displays/${displayId}/reload`, { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(reload.status).toBe(415);
    await settle();
    expect(footprint()).toEqual(before);
  });

  it('takes application/json with or without charset=utf-8, in any case', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset="UTF-8"']) {
      const r = await request(`${api}/events`, { method: 'POST', body: report, headers: { 'content-type': type } });
      expect(r.status, `${type}: ${JSON.stringify(r.body)}`).toBe(201);
    }
  });

  it('is not asked of an action sent with no body', async () => {
    const e = await request(`${api}/events`, { method: 'POST', body: sampleReport() });
    const r = await request(`${api}/events/${e.body.event.id}/accept`, { method: 'POST' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.event.status).toBe('accepted');
  });

  it('refuses bytes that are not UTF-8 rather than storing U+FFFD in their place', async () => {
    const before = footprint();
    const bytes = Buffer.concat([Buffer.from('{"category":"environment","gridId":"G01","title":"桂花'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const r = await raw('POST', '/api/v1/events', bytes);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'error.bad_json', issues: [{ field: '(body)', problem: 'not valid UTF-8' }] });
    await settle();
    expect(footprint()).toEqual(before);
  });
});

describe('a pathological body', () => {
  const EIGHT_MB = 8 * 1024 * 1024 - 64;
  // Made outside the JS heap, so no garbage of the test's own is collected while it measures.
  const bodies: [string, () => Buffer][] = [
    ['8 MB nested 4 million deep', () => Buffer.concat([Buffer.from('{"events":'), Buffer.alloc(EIGHT_MB / 2, '['), Buffer.alloc(EIGHT_MB / 2, ']'), Buffer.from('}')])],
    ['8 MB of 2.8 million empty objects', () => Buffer.concat([Buffer.from('{"events":['), Buffer.alloc(EIGHT_MB - EIGHT_MB % 3, '{},'), Buffer.from('{}]}')])],
  ];

  for (const [what, make] of bodies) {
    // Parsed, either held the event loop for 2–4 s (3.3 and 2.6 s on the 2-core test machine).
    it(`(${what}) is refused before it is parsed, without stalling other requests`, async () => {
      const body = make();
      const before = footprint();
      const delay = monitorEventLoopDelay({ resolution: 2 });
      delay.enable();
      const t0 = performance.now();
      const r = await raw('POST', '/api/v1/events/ingest', body);
      const ms = performance.now() - t0;
      delay.disable();
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error.code).toBe('error.json_too_complex');
      expect(r.body.error.issues[0].problem).toMatch(/^(is nested more than 32 levels deep|has more than 100000 values)$/);
      // Client and server share this process: the longest stall includes both sides' 8 MB of I/O
      // (140–170 ms here on a busy 2-core machine; 30–65 ms for the server alone).
      expect(delay.max / 1e6, `longest stall; the request took ${ms.toFixed(0)} ms`).toBeLessThan(600);
      await settle();
      expect(footprint()).toEqual(before);
    });
  }
});

describe('a PATCH that changes nothing', () => {
  const auditLines = () => (ts.app.db.prepare('SELECT count(*) n FROM audit_log').get() as { n: number }).n;

  it('answers 200 with the record, and writes no audit line, no journal row, no new updated time', async () => {
    const v = ts.app.db.prepare('SELECT phone, skills FROM volunteers WHERE id = ?').get(volunteerId) as { phone: string; skills: string };
    const o = ts.app.db.prepare('SELECT contact_name, contact_phone, categories FROM organizations WHERE id = ?').get(orgId) as Record<string, string>;
    const u = ts.app.db.prepare('SELECT display_name, role FROM users WHERE id = ?').get(userId) as { display_name: string; role: string };
    const d = ts.app.db.prepare('SELECT name FROM displays WHERE id = ?').get(displayId) as { name: string };
    const noOps: [string, unknown, (b: any) => void][] = [
      [`/volunteers/${volunteerId}`, { phone: v.phone, skills: JSON.parse(v.skills), teamId: null }, (b) => expect(b.volunteer.phone).toBe(v.phone)],
      [`/orgs/${orgId}`, { contactName: o.contact_name, contactPhone: o.contact_phone, categories: JSON.parse(o.categories!) },
        (b) => expect(b.organization.contactName).toBe(o.contact_name)],
      [`/users/${userId}`, { displayName: u.display_name, role: u.role, status: 'active' }, (b) => expect(b.user.displayName).toBe(u.display_name)],
      [`/displays/${displayId}`, { name: ` ${d.name} ` }, (b) => expect(b.display.name).toBe(d.name)],
    ];
    await settle();
    const before = footprint();
    for (const [path, body, check] of noOps) {
      const r = await request(`${api}${path}`, { method: 'PATCH', body });
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
      check(r.body);
    }
    await settle();
    expect(footprint()).toEqual(before);
  });

  it('that does change something still writes its audit line', async () => {
    await settle();
    for (const [path, body] of [
      [`/volunteers/${volunteerId}`, { skills: ['理发', '修鞋'] }],
      [`/orgs/${orgId}`, { contactName: '周敏华' }],
      [`/users/${userId}`, { displayName: '赵磊（调度）' }],
      [`/displays/${displayId}`, { name: '一楼大厅' }],
    ] as const) {
      const lines = auditLines();
      const r = await request(`${api}${path}`, { method: 'PATCH', body });
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
      await settle();
      expect(auditLines(), path).toBe(lines + 1);
    }
  });
});

/** A POST with exactly these bytes and headers (the admin's credentials added; `content-type: ''` sends none). */
function raw(method: string, path: string, body: Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Answer> {
  const u = new URL(ts.url);
  const admin = ts.admin!;
  const h: Record<string, string> = { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken, 'content-length': String(body.length) };
  for (const [k, v] of Object.entries(headers)) if (v) h[k] = v;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let parsed: any = null;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch { /* not JSON */ }
        resolve({ status: res.statusCode!, body: parsed, headers: new Headers() });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
