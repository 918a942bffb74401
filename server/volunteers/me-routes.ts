/**
 * A volunteer's own page's routes (`/api/v1/me/...`), for the `volunteer` role alone: every
 * answer is about the asking account's own volunteer record (server/volunteers/me-service.ts).
 * No route takes a volunteer id. A check-in carries an `Idempotency-Key` from the phone, the same
 * on every retry: the retry is answered the check-in the first one made.
 */
import { streamSSE } from 'hono/streaming';
import { Routes } from '../http/routes.ts';
import { ID, idParam, limitedBody, principal, timeZoneOf } from '../http/validate.ts';
import { invalid } from '../errors.ts';
import { IDEMPOTENCY_KEY, meCheckInBody, type MeActivity, type MeCheckInAnswer, type MeProfile } from '../../shared/me.ts';
import { SELF } from './access.ts';
import { viewSignup } from './record.ts';
import type { VolunteerService } from './service.ts';
import type { MeLive } from './me-live.ts';
import type { Credential } from '../auth/index.ts';

/** A comment line this often keeps a phone's stream open through proxies that drop idle ones. */
const PING_MS = 25_000;

/** The routes; the gate has checked the role is `volunteer` before any runs. */
export function meRoutes(svc: VolunteerService, live?: MeLive<Credential>, roomsOf?: (c: Credential) => string[]): Routes {
  const r = new Routes();
  const small = limitedBody(4 * 1024);
  const tz = timeZoneOf(svc);
  const { me } = svc;

  // Personal answers: never kept by a cache between the phone and the server.
  r.use('/me/*', async function noStore(c, next) {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  // The phone's live line (me-live.ts): `changed` with a seq whenever this volunteer's records change.
  if (live) {
    r.get('/me/live', SELF, (c) => {
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
        throw invalid([{ field: 'Accept', problem: 'must accept text/event-stream (an EventSource)' }]);
      }
      const volunteerId = principal(c).volunteerId;
      const credential = c.get('credential') as Credential | undefined;
      if (volunteerId === undefined || !credential) throw invalid([{ field: 'volunteer', problem: 'this account names no volunteer' }]);
      const res = streamSSE(c, async (stream) => {
        let end!: () => void;
        const ended = new Promise<void>((resolve) => (end = resolve));
        const stopFollowing = live.follow(volunteerId, (seq) => void stream.writeSSE({ event: 'changed', data: String(seq) }));
        // Ended with the session (logout, expiry, disabled), as its sockets are, and when the server stops.
        const forget = live.opened(end, roomsOf?.(credential) ?? [], credential);
        stream.onAbort(end);
        const ping = setInterval(() => void stream.write(': ping\n\n'), PING_MS);
        try {
          await stream.writeSSE({ event: 'ready', data: '' });
          await ended;
        } finally {
          clearInterval(ping);
          stopFollowing();
          forget();
        }
      });
      // One long answer per connection: when it ends (the server stopping), so does the connection,
      // rather than idling until the keep-alive timeout holds up the server's close.
      res.headers.set('Connection', 'close');
      return res;
    });
  }

  r.get('/me/profile', SELF, (c) => c.json({ profile: me.profile(principal(c)) satisfies MeProfile }));

  r.get('/me/activities', SELF, (c) => c.json({ items: me.activities(principal(c)) satisfies MeActivity[] }));

  r.post(`/me/activities/:id${ID}/signup`, { access: SELF, body: null }, small, async (c) =>
    c.json({ signup: viewSignup(await me.signUp(principal(c), idParam(c)), tz(c)) }, 201));

  r.post(`/me/activities/:id${ID}/cancel`, { access: SELF, body: null }, small, async (c) =>
    c.json({ signup: viewSignup(await me.cancel(principal(c), idParam(c)), tz(c)) }));

  r.post('/me/check-in', { access: SELF, body: meCheckInBody }, small, async (c) => {
    const key = c.req.header('idempotency-key') ?? null;
    if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
      throw invalid([{ field: 'Idempotency-Key', problem: 'must be 8 to 100 letters, digits or . _ : -' }]);
    }
    const answer: MeCheckInAnswer = await me.checkIn(principal(c), c.req.valid('json'), key);
    return c.json(answer, answer.replayed ? 200 : 201);
  });

  r.get('/me/records', SELF, (c) => c.json({ items: me.records(principal(c)) }));

  r.get('/me/points', SELF, (c) => c.json(me.points(principal(c))));

  r.get('/me/redemptions', SELF, (c) => c.json({ items: me.redemptions(principal(c)) }));

  return r;
}
