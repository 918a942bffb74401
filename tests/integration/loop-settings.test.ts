/**
 * The loop's settings over real HTTP: the defaults are today's time limits, a save changes new
 * deadlines only (an event keeps the deadline computed when its clock started), working days
 * count over the community's calendar in Asia/Shanghai, a stale save is a 409 naming who saved
 * last, a bad value a 400 naming its path with nothing saved, the history lists every version,
 * and only admins save.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOOP_SETTINGS, type LoopSettings } from '../../shared/loop-settings.ts';
import { loginAs, request, sampleReport, startServer, type Credentials, type TestServer } from '../support/server.ts';

/** Wednesday 18 November 2026, 10:00 in Shanghai: the story's clock, moved by the tests. */
const START = Date.parse('2026-11-18T10:00:00+08:00');
let clock = START;
let ts: TestServer;
let api: string;
let dispatcher: Credentials;
let workerId: string;

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  dispatcher = await loginAs(ts.url, 'dispatcher');
  workerId = ts.app.directory.grids.get('G01')!.workerId!;
});
afterAll(async () => {
  await ts?.stop();
});

const settingsNow = async () => {
  const r = await request(`${api}/settings/loop`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { version: number; settings: LoopSettings; byName: string | null };
};
const save = (settings: LoopSettings, expectedVersion: number, as?: Credentials, note?: string) =>
  request(`${api}/settings/loop`, { method: 'PUT', body: { ...settings, expectedVersion, ...(note ? { note } : {}) }, ...(as ? { as } : {}) });

/** Report, accept and (unless told not to) dispatch an environment case: the event as answered. */
async function caseThrough(dispatch = true, over: Record<string, unknown> = {}) {
  const r = await request(`${api}/events`, { method: 'POST', body: sampleReport(over) });
  expect(r.status).toBe(201);
  const id = r.body.event.id;
  let e = (await request(`${api}/events/${id}/accept`, { method: 'POST', body: {}, as: dispatcher })).body.event;
  if (dispatch) {
    const d = await request(`${api}/events/${id}/dispatch`, { method: 'POST', body: { assigneeId: workerId }, as: dispatcher });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    e = d.body.event;
  }
  return e as { id: number; dispatchDueAt: string; handleDueAt: string | null };
}

describe('the loop settings', () => {
  it('start as the taxonomy\'s limits, and saving the defaults changes no deadline', async () => {
    const first = await settingsNow();
    expect(first.version).toBe(0);
    expect(first.settings).toEqual(DEFAULT_LOOP_SETTINGS);
    const before = await caseThrough();
    expect(before.dispatchDueAt).toBe('2026-11-18T12:00:00.000+08:00'); // 120 minutes
    expect(before.handleDueAt).toBe('2026-11-21T10:00:00.000+08:00'); // 72 hours

    const r = await save(first.settings, 0);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ version: 1, changes: [] });
    const after = await caseThrough();
    expect([after.dispatchDueAt, after.handleDueAt]).toEqual([before.dispatchDueAt, before.handleDueAt]);
  });

  it('change only new deadlines: cases accepted or dispatched before keep theirs, one dispatched after counts a working day', async () => {
    const a = await caseThrough(false);
    const d = await caseThrough();
    const cur = await settingsNow();
    const next = structuredClone(cur.settings);
    next.limits.environment!.normal.handle = { amount: 1, unit: 'working_days' };
    next.limits.environment!.normal.dispatchMinutes = 30;
    const r = await save(next, cur.version, undefined, '环境类一般件按1个工作日办结');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.changes).toEqual([
      { path: 'limits.environment.normal.dispatchMinutes', before: 120, after: 30 },
      { path: 'limits.environment.normal.handle', before: { amount: 72, unit: 'hours' }, after: { amount: 1, unit: 'working_days' } },
    ]);

    const b = await caseThrough();
    expect(b.dispatchDueAt).toBe('2026-11-18T10:30:00.000+08:00');
    expect(b.handleDueAt).toBe('2026-11-19T10:00:00.000+08:00'); // Wednesday 10:00 + 1 working day
    const aNow = (await request(`${api}/events/${a.id}`)).body.event;
    expect(aNow.dispatchDueAt).toBe('2026-11-18T12:00:00.000+08:00');
    const dNow = (await request(`${api}/events/${d.id}`)).body.event;
    expect(dNow.handleDueAt).toBe('2026-11-21T10:00:00.000+08:00');
  });

  it('count working days over the community calendar, skipping a holiday and counting a 调休 Saturday', async () => {
    clock = Date.parse('2026-09-30T09:00:00+08:00'); // Wednesday before 国庆
    try {
      const cur = await settingsNow();
      const next = structuredClone(cur.settings);
      next.limits.environment!.normal.handle = { amount: 3, unit: 'working_days' };
      next.calendar = {
        nonWorkingDays: ['2026-10-07', '2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06'],
        workingDays: ['2026-10-10', '2026-09-27'],
      };
      const r = await save(next, cur.version);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.settings.calendar.nonWorkingDays).toEqual(['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07']);
      const e = await caseThrough();
      expect(e.handleDueAt).toBe('2026-10-10T09:00:00.000+08:00'); // 8 Oct, 9 Oct, Saturday 10 Oct
    } finally {
      clock = START;
    }
  });

  it('refuse a stale save with 409 naming who saved last, and save nothing', async () => {
    const cur = await settingsNow();
    const r = await save(cur.settings, cur.version - 1);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('error.version_conflict');
    expect(r.body.error).toMatchObject({ version: cur.version, changedBy: 'admin' });
    expect(r.body.error.changedAt).toMatch(/\+08:00$/);
    expect((await settingsNow()).version).toBe(cur.version);
  });

  it('refuse a bad value with 400 naming its path, and save nothing', async () => {
    const cur = await settingsNow();
    const bad = structuredClone(cur.settings);
    bad.limits.environment!.urgent.handle = { amount: 0, unit: 'hours' };
    (bad as { remindAtRemaining: number }).remindAtRemaining = 2;
    const r = await save(bad, cur.version);
    expect(r.status).toBe(400);
    expect(r.body.error.issues.map((i: { field: string }) => i.field).sort()).toEqual(['limits.environment.urgent.handle.amount', 'remindAtRemaining']);
    const missing = structuredClone(cur.settings) as Partial<LoopSettings>;
    delete missing.duplicates;
    expect((await save(missing as LoopSettings, cur.version)).body.error.issues[0].field).toBe('duplicates');
    expect((await settingsNow()).version).toBe(cur.version);
  });

  it('list every version in the history, newest first, with who saved it, when and what changed', async () => {
    const r = await request(`${api}/settings/loop/history`, { as: dispatcher });
    expect(r.status).toBe(200);
    expect(r.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(r.body.items[1]).toMatchObject({ by: 'admin', note: '环境类一般件按1个工作日办结' });
    expect(r.body.items[1].settings.limits.environment.normal.handle).toEqual({ amount: 1, unit: 'working_days' });
    expect(r.body.items[2].settings).toEqual(DEFAULT_LOOP_SETTINGS);
  });

  it('write a line in the audit log for every save, as every other write does', async () => {
    const lines = () => (ts.app.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'settings.loop.update'").get() as { n: number }).n;
    const before = lines();
    const now = await settingsNow();
    expect((await save(now.settings, now.version, undefined, '审计')).status).toBe(200);
    expect(lines()).toBe(before + 1);
  });

  it('may be read by a dispatcher but saved only by an admin', async () => {
    const cur = await settingsNow();
    const r = await save(cur.settings, cur.version, dispatcher);
    expect(r.status).toBe(403);
    expect((await settingsNow()).version).toBe(cur.version);
  });

  it('send the reminder (催办) at the share of the window the settings say', async () => {
    const cur = await settingsNow();
    const next = structuredClone(cur.settings);
    next.remindAtRemaining = 0.5;
    next.limits.environment!.normal.handle = { amount: 10, unit: 'hours' };
    expect((await save(next, cur.version)).status).toBe(200);
    const e = await caseThrough();
    try {
      clock += 4 * 3_600_000; // 40 % spent: no reminder yet
      await ts.app.events.deadlines.check();
      expect((await request(`${api}/events/${e.id}`)).body.event.remindedAt).toBeNull();
      clock += 1.5 * 3_600_000; // 55 % spent: half the window is left
      await ts.app.events.deadlines.check();
      expect((await request(`${api}/events/${e.id}`)).body.event.remindedAt).not.toBeNull();
    } finally {
      clock = START;
    }
  });
});
