/**
 * Review of the dispatcher's desk (issue 12), session 6: each problem found, held by a test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPrincipal, request, sampleReport, startServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const report = async (over: Record<string, unknown> = {}) => {
  const r = await request(`${api}/events`, { method: 'POST', body: sampleReport(over) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.event as { id: number; code: string; version: number };
};
const act = (id: number, action: string, body: Record<string, unknown> = {}) =>
  request(`${api}/events/${id}/${action}`, { method: 'POST', body });

describe('merging duplicates (并案)', () => {
  it('refuses to merge a report that others were merged into, so their reporters are not lost from the case that stays open', async () => {
    const first = await report({ title: '桂花苑3幢垃圾（甲）' });
    const second = await report({ title: '桂花苑3幢垃圾（乙）' });
    const open = await report({ title: '桂花苑3幢垃圾（丙）' });
    expect((await act(first.id, 'merge', { targetId: second.id })).status).toBe(200);
    const before = await request(`${api}/events/${second.id}`);
    // The desk does not offer it either.
    expect(before.body.event.allowedActions).toEqual(['accept', 'reject']);

    const chained = await act(second.id, 'merge', { targetId: open.id });
    expect(chained.status, JSON.stringify(chained.body)).toBe(409);
    expect(chained.body.error.message).toContain(first.code);
    // Nothing changed: the report keeps its reporters, the open case gained none.
    const after = await request(`${api}/events/${second.id}`);
    expect(after.body.event).toMatchObject({ status: 'reported', version: before.body.event.version, duplicateOf: null });
    expect(after.body.merged.map((m: { id: number }) => m.id)).toEqual([first.id]);
    expect((await request(`${api}/events/${open.id}`)).body.merged).toEqual([]);
  });
});

describe('grid workers (网格员) kept by admins', () => {
  it('answers 409 to the second of two admins adding the same worker id at once, and keeps the first one’s record', async () => {
    // Two requests whose checks both run before either write commits (over HTTP this needs the
    // two bodies to arrive within one turn of the event loop; the service shows it every time).
    const admin = adminPrincipal(ts.app);
    const body = (name: string) => ({ id: 'W-RACE', name, phone: null, gridId: 'G01' });
    const [a, b] = await Promise.allSettled([ts.app.community.add(admin, body('李娜')), ts.app.community.add(admin, body('张伟'))]);
    expect([a.status, b.status]).toEqual(['fulfilled', 'rejected']);
    expect((b as PromiseRejectedResult).reason).toMatchObject({ status: 409, code: 'error.worker_exists' });
    expect(ts.app.directory.workers.get('W-RACE')!.name).toBe('李娜');
  });
});
