/**
 * A volunteer's phone hears its own records change (`GET /api/v1/me/live`, Server-Sent Events):
 * a check-out at the desk or a redemption at the till tells their phone at once, another
 * volunteer's does not, a request that is not an EventSource is a 400 naming Accept, and the
 * server stops promptly with phones still listening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinAsVolunteer, request, startServer, until, type Credentials, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

/** Open a phone's live line; `events` fills with the named events heard, `ended` once the server closes it. */
async function listen(as: Credentials) {
  const ctrl = new AbortController();
  const res = await fetch(`${api}/me/live`, { headers: { cookie: as.cookie, accept: 'text/event-stream' }, signal: ctrl.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const events: string[] = [];
  const state = { ended: false };
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return void (state.ended = true);
        for (const m of value.matchAll(/^event: (\w+)$/gm)) events.push(m[1]!);
      }
    } catch { /* aborted */ }
  })();
  await until(() => events.includes('ready'), 'the stream to open');
  return { events, state, close: () => ctrl.abort() };
}

/** The desk signs a volunteer up, checks them in an hour back and out now: hours and points credited. */
async function serve(volunteerId: number) {
  const now = Date.now();
  const a = await request(`${api}/activities`, {
    method: 'POST', body: { title: '助老送餐', organiser: '社区', place: '食堂', capacity: 5, startsAt: iso(now - 2 * 3600_000), endsAt: iso(now + 3600_000) },
  });
  const id = a.body.activity.id as number;
  await request(`${api}/activities/${id}/signups`, { method: 'POST', body: { volunteerId } });
  await request(`${api}/activities/${id}/check-in`, { method: 'POST', body: { volunteerId, at: iso(now - 3600_000) } });
  const out = await request(`${api}/activities/${id}/check-out`, { method: 'POST', body: { volunteerId } });
  expect(out.status, JSON.stringify(out.body)).toBe(200);
}

describe('a volunteer\u2019s live line', () => {
  it('hears their own check-out at the desk, and not another volunteer\u2019s', async () => {
    const a = await joinAsVolunteer(ts.url, '邵红');
    const b = await joinAsVolunteer(ts.url, '史磊');
    const phoneA = await listen(a);
    const phoneB = await listen(b);
    try {
      await serve(a.volunteerId);
      await until(() => phoneA.events.includes('changed'), 'volunteer A\u2019s phone to hear the check-out');
      await new Promise((r) => setTimeout(r, 200));
      expect(phoneB.events).not.toContain('changed');
    } finally {
      phoneA.close();
      phoneB.close();
    }
  });

  it('ends when the volunteer signs out, as their sockets do', async () => {
    const a = await joinAsVolunteer(ts.url, '邱月');
    const phone = await listen(a);
    try {
      const out = await request(`${api}/auth/logout`, { method: 'POST', as: a });
      expect(out.status).toBeLessThan(300);
      await until(() => phone.state.ended, 'the stream to end with the session');
    } finally {
      phone.close();
    }
  });

  it('is refused as a plain request, with a 400 naming Accept', async () => {
    const a = await joinAsVolunteer(ts.url, '金晶');
    const r = await request(`${api}/me/live`, { as: a });
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].field).toBe('Accept');
  });

  it('lets the server stop promptly while a phone still listens', async () => {
    const own = await startServer();
    const v = await joinAsVolunteer(own.url, '韦强');
    const res = await fetch(`${own.url}/api/v1/me/live`, { headers: { cookie: v.cookie, accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    // The phone reads its stream, as an EventSource does.
    void res.body!.pipeTo(new WritableStream()).catch(() => {});
    const started = Date.now();
    await own.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
