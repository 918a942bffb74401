/**
 * Bad input changes nothing: every malformed or impossible request gets a 4xx that says what
 * is wrong, and the database, the journal and the live stream are exactly as they were.
 * Never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, sampleReport, startServer, type TestServer } from '../support/server.ts';
import { rowCounts } from './db-state.ts';

let ts: TestServer;
let api: string;
let dispatched: number;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  const r = await post(`${api}/events`, sampleReport());
  dispatched = r.body.event.id;
  expect((await post(`${api}/events/${dispatched}/accept`, {})).status).toBe(200);
  expect((await post(`${api}/events/${dispatched}/dispatch`, { assigneeId: 'W01' })).status).toBe(200);
});
afterAll(async () => {
  await ts?.stop();
});

/** Everything a write could change, and what displays were sent. */
const footprint = () => ({
  rows: rowCounts(ts.app),
  head: ts.app.model.head,
  open: ts.app.model.openCount('guihua'),
  events: ts.app.db.prepare('select id, version, status from events order by id').all(),
});

/** Send a bad request and check it was refused with `status`, naming `field`, and wrote nothing. */
async function refused(path: string, body: unknown, status: number, field?: string) {
  const before = footprint();
  const r = await post(`${api}${path}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body?.error?.code).toMatch(/^error\./);
  expect(typeof r.body.error.message).toBe('string');
  if (field !== undefined) {
    const fields = (r.body.error.issues ?? []).map((i: { field: string }) => i.field);
    expect(fields, JSON.stringify(r.body.error)).toContain(field);
    for (const i of r.body.error.issues) expect(i.problem, JSON.stringify(i)).toBeTruthy();
  }
  // Give a batch, if one were (wrongly) scheduled, the time to go out.
  await new Promise((res) => setTimeout(res, 60));
  expect(footprint()).toEqual(before);
  return r.body.error;
}

const without = (key: string) => {
  const body: Record<string, unknown> = sampleReport();
  delete body[key];
  return body;
};

describe('a bad report', () => {
  const future = () => new Date(Date.now() + 86_400_000).toISOString();
  const cases: [string, () => unknown, string][] = [
    ['an unknown category', () => sampleReport({ category: 'aliens' }), 'category'],
    ['a sub-category of another category', () => sampleReport({ subcategory: 'theft' }), 'subcategory'],
    ['no title', () => without('title'), 'title'],
    ['a blank title', () => sampleReport({ title: '   ' }), 'title'],
    ['a title longer than 80 characters', () => sampleReport({ title: '长'.repeat(81) }), 'title'],
    ['a phone that is not a phone number', () => sampleReport({ reporterPhone: 'call me maybe' }), 'reporterPhone'],
    ['a latitude without a longitude', () => sampleReport({ lat: 30.27 }), 'lng'],
    ['a longitude without a latitude', () => sampleReport({ lng: 120.1 }), 'lat'],
    ['a latitude off the globe', () => sampleReport({ lat: 91, lng: 120.1 }), 'lat'],
    ['a latitude given as text', () => sampleReport({ lat: '30.27', lng: 120.1 }), 'lat'],
    ['no grid, no location and no address', () => sampleReport({ gridId: undefined, address: undefined }), 'gridId'],
    ['a field the API does not know', () => sampleReport({ priority: 'high' }), 'priority'],
    ['an unknown urgency', () => sampleReport({ urgency: 'asap' }), 'urgency'],
    ['a grid that is not in the community', () => sampleReport({ gridId: 'G99' }), 'gridId'],
    ['a report dated tomorrow', () => sampleReport({ reportedAt: future() }), 'reportedAt'],
    ['a date without an offset', () => sampleReport({ reportedAt: '2026-03-01T08:00:00' }), 'reportedAt'],
    ['an impossible date', () => sampleReport({ reportedAt: '2026-02-30T08:00:00+08:00' }), 'reportedAt'],
    ['a list instead of an object', () => [sampleReport()], '(body)'],
    ['null', () => null, '(body)'],
  ];

  for (const [what, body, field] of cases) {
    it(`with ${what} is refused with 400 naming ${field}, and nothing is written`, async () => {
      const error = await refused('/events', body(), 400, field);
      expect(error.code).toBe('error.validation');
    });
  }

  it('that is not JSON is refused with 400, and nothing is written', async () => {
    const error = await refused('/events', '{"category": "environment", "title": ', 400, '(body)');
    expect(error.code).toBe('error.bad_json');
  });

  it('with an empty body is refused with 400, and nothing is written', async () => {
    const error = await refused('/events', '', 400, '(body)');
    expect(error.code).toBe('error.bad_json');
  });

  it('names every bad field at once', async () => {
    const error = await refused('/events', sampleReport({ category: 'aliens', title: '', reporterPhone: 'x' }), 400);
    const fields = error.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['category', 'title', 'reporterPhone']));
  });

  it('larger than the body limit is refused with 413, and nothing is written', async () => {
    const error = await refused('/events', sampleReport({ description: '很长'.repeat(100_000) }), 413);
    expect(error.code).toBe('error.payload_too_large');
    // The same client's next request goes through (the refused connection is not reused).
    expect((await post(`${api}/events`, sampleReport())).status).toBe(201);
  });
});

describe('a bad bulk ingest', () => {
  const good = (i: number) => sampleReport({ source: 'sensor', externalId: `bad-batch-${i}`, title: `告警 ${i}` });

  it('with one bad item among good ones is refused whole, naming the item and its field', async () => {
    const events = [good(0), good(1), { ...good(2), category: 'aliens' }, good(3)];
    const error = await refused('/events/ingest', { events }, 400, 'events[2].category');
    expect(error.issues).toHaveLength(1);
  });

  it('with an item in a grid outside the community is refused whole, naming the item', async () => {
    const events = [good(0), { ...good(1), gridId: 'G42' }, good(2)];
    await refused('/events/ingest', { events }, 400, 'events[1].gridId');
  });

  it('with an item dated in the future is refused whole, naming the item', async () => {
    const events = [good(0), good(1), good(2), { ...good(3), reportedAt: new Date(Date.now() + 3_600_000).toISOString() }];
    await refused('/events/ingest', { events }, 400, 'events[3].reportedAt');
  });

  it('names each bad item when several are bad', async () => {
    const { title: _t, ...untitled } = good(1);
    const events = [good(0), untitled, good(2), { ...good(3), lat: 30.2 }];
    const error = await refused('/events/ingest', { events }, 400);
    expect(error.issues.map((i: { field: string }) => i.field)).toEqual(expect.arrayContaining(['events[1].title', 'events[3].lng']));
  });

  it('with an item carrying a field the API does not know is refused whole, naming that field', async () => {
    const events = [good(0), { ...good(1), priority: 'high' }];
    await refused('/events/ingest', { events }, 400, 'events[1].priority');
  });

  it('with no events is refused', async () => {
    await refused('/events/ingest', { events: [] }, 400, 'events');
  });

  it('with more than 1000 events is refused', async () => {
    await refused('/events/ingest', { events: Array.from({ length: 1001 }, (_, i) => good(i)) }, 400, 'events');
  });

  it('without the events list is refused', async () => {
    await refused('/events/ingest', good(0), 400);
  });

  it('that is not JSON is refused', async () => {
    await refused('/events/ingest', 'events=1', 400, '(body)');
  });
});

describe('a bad transition', () => {
  const path = (action: string) => `/events/${dispatched}/${action}`;

  it('to dispatch without an assignee is refused, naming assigneeId', async () => {
    const e = (await post(`${api}/events`, sampleReport())).body.event;
    expect((await post(`${api}/events/${e.id}/accept`, {})).status).toBe(200);
    await refused(`/events/${e.id}/dispatch`, {}, 400, 'assigneeId');
  });

  it('to dispatch to a worker who does not exist is refused, naming assigneeId', async () => {
    const e = (await post(`${api}/events`, sampleReport())).body.event;
    expect((await post(`${api}/events/${e.id}/accept`, {})).status).toBe(200);
    await refused(`/events/${e.id}/dispatch`, { assigneeId: 'W99' }, 400, 'assigneeId');
  });

  it('that needs a reason and has none is refused, naming note', async () => {
    await refused(path('send_back'), { note: '' }, 400, 'note');
    expect((await post(`${api}${path('start')}`, {})).status).toBe(200);
    await refused(path('resolve'), {}, 400, 'note');
    await refused(path('resolve'), { note: '   ' }, 400, 'note');
  });

  it('asking for an extension of no hours is refused, naming hours', async () => {
    await refused(path('request_extension'), { note: '等配件', hours: 0 }, 400, 'hours');
    await refused(path('request_extension'), { note: '等配件' }, 400, 'hours');
  });

  it('with a field the API does not know is refused', async () => {
    await refused(path('resolve'), { note: '已处理', status: 'closed' }, 400, 'status');
  });

  it('with a body that is not JSON is refused', async () => {
    await refused(path('resolve'), 'note=done', 400, '(body)');
  });

  it('with a satisfaction outside 1 to 5 is refused, naming satisfaction', async () => {
    await refused(path('review'), { satisfaction: 6 }, 400, 'satisfaction');
  });

  it('to an action that does not exist is refused with 404 listing the actions', async () => {
    const error = await refused(path('teleport'), {}, 404);
    expect(error.message).toContain('dispatch');
  });

  it('on an event that does not exist is refused with 404', async () => {
    await refused('/events/999999/accept', {}, 404);
    await refused('/events/20260101999999/accept', {}, 404);
  });
});

describe('a bad query', () => {
  const cases: [string, string, string][] = [
    ['an unknown status', 'status=flying', 'status'],
    ['an empty status list', 'status=,', 'status'],
    ['an unknown category', 'category=aliens', 'category'],
    ['an overdue flag that is not true or false', 'overdue=yes', 'overdue'],
    ['a from date without an offset', 'from=2026-03-01T08:00:00', 'from'],
    ['a to date that is not a date', 'to=tomorrow', 'to'],
    ['a limit of zero', 'limit=0', 'limit'],
    ['a limit above 500', 'limit=501', 'limit'],
    ['a limit that is not a number', 'limit=ten', 'limit'],
    ['a cursor that no page gave', 'cursor=abc', 'cursor'],
    ['a parameter the API does not know', 'sort=asc', 'sort'],
  ];
  for (const [what, query, field] of cases) {
    it(`with ${what} is refused with 400 naming ${field}`, async () => {
      const r = await get(`${api}/events?${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      // A list parameter names its bad item: status[0].
      const fields: string[] = r.body.error.issues.map((i: { field: string }) => i.field);
      expect(fields.some((f) => f === field || f.startsWith(`${field}[`)), JSON.stringify(fields)).toBe(true);
    });
  }

  it('for an event that does not exist answers 404', async () => {
    for (const id of ['999999', '20260101999999', 'nope', '-1', '1e3']) {
      const r = await get(`${api}/events/${id}`);
      expect(r.status, id).toBe(404);
      expect(r.body.error.code).toBe('error.not_found');
    }
  });

  it('for a route that does not exist answers 404 in JSON', async () => {
    const r = await get(`${api}/nothing-here`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('error.not_found');
  });
});
