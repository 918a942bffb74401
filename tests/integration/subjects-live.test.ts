/**
 * The five subjects, live: a change of a volunteer (not a grid event) reaches a wall display as
 * fresh `views.subjects` and a masked feed line, within a batch, without a reload; the display
 * never receives the volunteer's full name or phone; a restarted server serves the same feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLive, post, sampleReport, startServer, until, type TestServer } from '../support/server.ts';
import type { LiveClient } from '../../shared/live-client.ts';
import { maskName } from '../../shared/mask.ts';

/** A compound surname keeps both characters: 欧阳**. */
const MASKED = maskName('欧阳明月')!;

const HOUR = 3_600_000;

let ts: TestServer;
let api: string;
let clock = Date.parse('2026-03-10T08:00:00+08:00');

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();

async function ok(path: string, body: unknown, status = 200) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

const subjects = (c: LiveClient) => c.state.views?.subjects;

describe('a volunteer checking in and out, seen by a wall display', () => {
  it('moves on-duty, hours and points and adds masked feed lines, and never sends the full name or phone', async () => {
    const wall = openLive(ts.url, { display: true });
    const payloads: string[] = [];
    wall.socket.onAny((_event, payload) => payloads.push(JSON.stringify(payload)));
    try {
      await until(() => !!subjects(wall.client), 'the first snapshot with subject views');
      const before = subjects(wall.client)!.volunteers;
      expect(before.onDuty).toBe(0);

      const v = (await ok('/volunteers', { name: '欧阳明月', phone: '13912345678', skills: ['助老陪伴'] }, 201)).volunteer;
      const a = (await ok('/activities', {
        title: '欧阳明月带队 桂花苑敬老助餐', organiser: '桂花社区志愿服务站', place: '桂花苑老年食堂',
        startsAt: iso(clock), endsAt: iso(clock + 3 * HOUR), capacity: 5,
      }, 201)).activity;
      await ok(`/activities/${a.id}/signups`, { volunteerId: v.id }, 201);
      await ok(`/activities/${a.id}/check-in`, { volunteerId: v.id });

      await until(() => subjects(wall.client)!.volunteers.onDuty === 1, 'on duty to reach 1 on the wall');
      const duty = subjects(wall.client)!;
      expect(duty.glance.volunteer.active).toBe(1);
      expect(duty.volunteers.activitiesToday.map((x) => x.id)).toContain(a.id);
      expect(duty.volunteers.activitiesToday.find((x) => x.id === a.id)!.checkedIn).toBe(1);
      expect(duty.feed[0]).toMatchObject({ subject: 'volunteer', key: 'feed.volunteer.checked_in', params: { name: MASKED } });
      // The name inside the activity's title is masked too.
      expect(String(duty.feed[0]!.params.title)).not.toContain('欧阳明月');

      clock += 2 * HOUR;
      await ok(`/activities/${a.id}/check-out`, { volunteerId: v.id });
      await until(() => subjects(wall.client)!.volunteers.onDuty === 0, 'on duty back to 0');
      const after = subjects(wall.client)!.volunteers;
      expect(after.hoursMonth - before.hoursMonth).toBe(2);
      expect(after.pointsIssuedMonth - before.pointsIssuedMonth).toBe(20);
      expect(after.pointsOutstanding - before.pointsOutstanding).toBe(20);
      expect(after.leaderboard[0]).toMatchObject({ name: MASKED, hours: 2, points: 20 });
      expect(subjects(wall.client)!.feed[0]).toMatchObject({ key: 'feed.volunteer.served', params: { name: MASKED, hours: 2, points: 20 } });
      // The service metrics counted the service for the volunteers.
      const vol = subjects(wall.client)!.metrics.find((m) => m.subject === 'volunteer')!;
      expect(vol.services).toBeGreaterThanOrEqual(1);

      const all = payloads.join('\n');
      expect(all).not.toContain('欧阳明月');
      expect(all).not.toContain('13912345678');
    } finally {
      wall.close();
    }
  });

  it('announces a subject change with a batch whose seq covers it, so a display that missed it notices', async () => {
    const wall = openLive(ts.url, { display: true });
    try {
      await until(() => !!subjects(wall.client), 'a snapshot');
      const seq = wall.client.state.seq;
      await ok('/volunteers', { name: '林小雨', phone: '13900001111' }, 201);
      const head = ts.app.model.head;
      expect(head).toBeGreaterThan(seq);
      await until(() => wall.client.state.seq === head, 'the display to reach the journal head');
      expect(subjects(wall.client)!.volunteers.registered).toBe(
        (ts.app.db.prepare("SELECT COUNT(*) AS n FROM volunteers WHERE status <> 'left'").get() as { n: number }).n,
      );
    } finally {
      wall.close();
    }
  });
});

describe('a social worker recording a home visit, seen by a wall display', () => {
  it('moves social work and the grid’s services, rates count towards satisfaction, and the worker’s and client’s names stay off the wall', async () => {
    const wall = openLive(ts.url, { display: true });
    const payloads: string[] = [];
    wall.socket.onAny((_event, payload) => payloads.push(JSON.stringify(payload)));
    try {
      await until(() => !!subjects(wall.client), 'a snapshot');
      const before = subjects(wall.client)!;
      const worker = (await ok('/social-workers', { name: '司马静怡', phone: '13811112222', qualification: 'social_worker', grids: ['G04'] }, 201)).socialWorker;
      await ok('/services', {
        socialWorkerId: worker.id, kind: 'visit', category: 'daily_care', gridId: 'G04',
        content: '司马静怡入户探访独居老人钱阿婆，电话13900007777，协助预约助餐', beneficiaries: 2, populations: ['elderly_alone'],
        startedAt: iso(clock - HOUR), endedAt: iso(clock - 30 * 60_000), satisfaction: 5,
      }, 201);
      await until(() => subjects(wall.client)!.socialWork.servicesToday === before.socialWork.servicesToday + 1, 'the service on the wall');
      const after = subjects(wall.client)!;
      expect(after.glance.social_worker.total).toBe(before.glance.social_worker.total + 1);
      expect(after.socialWork.beneficiariesMonth - before.socialWork.beneficiariesMonth).toBe(2);
      // Two residents living alone: few enough to single one out, so the grid's figures do not
      // count the visit (its line has no grid either); the social-work totals do.
      const g04 = (x: typeof after) => x.grids.find((g) => g.gridId === 'G04')!;
      expect(g04(after)).toEqual(g04(before));
      expect(after.satisfaction.services).toBe(5);
      expect(after.metrics.find((m) => m.subject === 'social_worker')).toMatchObject({ services: 1, beneficiaries: 2, satisfaction: 5 });
      const all = payloads.join('\n');
      expect(all).not.toContain('司马静怡');
      expect(all).not.toContain('13811112222');
      expect(all).not.toContain('13900007777');
    } finally {
      wall.close();
    }
  });
});

describe('a stream of grid events', () => {
  it('carries only the parts of the five-subject views that changed; the wall always holds them whole', async () => {
    const wall = openLive(ts.url, { display: true });
    const batches: { seq: number; parts: string[]; bytes: number }[] = [];
    wall.socket.on('batch', (b: { seq: number; views: { subjects?: Record<string, unknown> } }) =>
      batches.push({ seq: b.seq, parts: Object.keys(b.views.subjects ?? {}).sort(), bytes: JSON.stringify(b.views.subjects ?? {}).length }));
    try {
      await until(() => !!subjects(wall.client), 'a snapshot');
      const registered = subjects(wall.client)!.volunteers.registered;
      for (let i = 0; i < 4; i++) {
        await ok('/events', sampleReport({ title: `路灯不亮 ${i}` }), 201);
        await until(() => batches.length > i, `batch ${i + 1}`);
      }
      // The first batch after a subscribe carries them whole (the socket's answer may hold parts
      // the room was not sent); after it, an event moves only the community's card.
      expect(batches[0]!.parts).toEqual(expect.arrayContaining(['care', 'feed', 'glance', 'needs', 'volunteers']));
      for (const b of batches.slice(1)) {
        expect(b.parts).toEqual(['glance']);
        expect(b.bytes).toBeLessThan(1_000);
      }
      expect(subjects(wall.client)!.volunteers.registered).toBe(registered);

      await ok('/volunteers', { name: '柏文静', phone: '13912340000' }, 201);
      await until(() => subjects(wall.client)!.volunteers.registered === registered + 1, 'the new volunteer on the wall');
      expect(batches.at(-1)!.parts).toEqual(expect.arrayContaining(['glance', 'volunteers']));
      expect(batches.at(-1)!.parts).not.toContain('charity');
      await ok('/events', sampleReport({ title: '井盖松动' }), 201);
      await until(() => batches.at(-1)!.parts.join() === 'glance', 'the next events batch, with the glance only');
      // What the wall holds is, part for part, what a display switched on now is sent.
      const fresh = openLive(ts.url, { display: true });
      try {
        await until(() => !!subjects(fresh.client), 'a fresh snapshot');
        expect(subjects(wall.client)).toEqual(subjects(fresh.client));
      } finally {
        fresh.close();
      }
    } finally {
      wall.close();
    }
  });
});

describe('after a restart', () => {
  it('serves the same feed lines from the journal', async () => {
    const wall = openLive(ts.url, { display: true });
    await until(() => !!subjects(wall.client), 'a snapshot');
    const feed = subjects(wall.client)!.feed;
    wall.close();
    expect(feed.length).toBeGreaterThan(0);
    await ts.stop();
    ts = await startServer({ dataDir: ts.dataDir, now: () => clock });
    const again = openLive(ts.url, { display: true });
    try {
      await until(() => !!subjects(again.client), 'a snapshot after the restart');
      expect(subjects(again.client)!.feed).toEqual(feed);
    } finally {
      again.close();
    }
  });
});
