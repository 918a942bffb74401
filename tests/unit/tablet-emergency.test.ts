/**
 * The tablet in an emergency, pure (client/tablet/emergency.ts, records.ts and the outbox's rules
 * for door records): a knock is a body `/done` accepts, carrying the status version the worker
 * saw even after their own claim was received; the door-knock list lays the worker's unsent
 * claims, releases and knocks on the board as loaded and keeps the board's order; a refusal
 * names who holds the door since when.
 */
import { describe, expect, it } from 'vitest';
import { knockDoneBody, type BoardHousehold } from '../../shared/emergency-board.ts';
import { claimRecord, doneRecord, releaseRecord } from '../../client/tablet/records.ts';
import { countsOf, doorRefusal, doorsNow, elapsed, mayClaim, mayKnock, mayRelease } from '../../client/tablet/emergency.ts';
import { afterOutcome, bodyToSend, startSending, type OutboxEntry } from '../../client/tablet/outbox/machine.ts';

const T0 = Date.parse('2026-07-20T22:00:00+08:00');
const MIN = 60_000;
const me = { username: 'wang-gw', displayName: '王丽萍' };

function household(id: number, over: Partial<BoardHousehold> = {}): BoardHousehold {
  return {
    householdId: id, gridId: 'G01', address: `桂花苑5幢${id}室`, priority: 3, status: 'unknown', version: 1, source: null, reportedBy: null,
    reportedByName: null, reportedAt: null, note: '', eventId: null, escalation: null, escalateAt: null, claim: null, tags: [], mobility: [],
    residentCount: 1, residents: [], withheld: 0, ...over,
  };
}
const door = (h: BoardHousehold) => ({ incidentId: 9, householdId: h.householdId, address: h.address, version: h.version });
/** Made in this order: each a minute after the one before. */
const made = (...entries: OutboxEntry[]) => entries.map((e, i) => ({ ...e, createdAt: new Date(T0 + i * MIN).toISOString() }));
const received = (e: OutboxEntry, household: Partial<BoardHousehold>) =>
  afterOutcome(startSending(e), { type: 'answer', status: 200, body: { household: { ...household } } }, T0 + 30 * MIN);

describe('door records', () => {
  it('claim and release a door with no body, each with its own key, on the door\'s target', () => {
    const h = household(4);
    const claim = claimRecord('wang-gw', door(h));
    const release = releaseRecord('wang-gw', door(h));
    expect(claim.request).toEqual({ method: 'POST', path: '/incidents/9/households/4/claim', body: {} });
    expect(release.request).toEqual({ method: 'POST', path: '/incidents/9/households/4/release', body: {} });
    expect(claim.target).toBe('door:9:4');
    expect(claim.idempotencyKey).not.toBe(release.idempotencyKey);
    expect(bodyToSend(claim, [claim])).toEqual({});
  });

  it('sends a knock the server takes, expecting the version seen even after the worker\'s own claim was received', () => {
    const h = household(4, { version: 3 });
    const [claim, done] = made(claimRecord('wang-gw', door(h)), doneRecord('wang-gw', door(h), 'safe', '  老人在家，一切安好 ', T0 + 5 * MIN));
    const body = bodyToSend(done!, [received(claim!, { version: 3, status: 'unknown' }), done!]);
    expect(body).toEqual({ status: 'safe', note: '老人在家，一切安好', at: new Date(T0 + 5 * MIN).toISOString(), expectedVersion: 3 });
    expect(knockDoneBody.safeParse(body).success).toBe(true);
  });

  it('reads a received knock\'s receipt: the status the server recorded', () => {
    const e = received(doneRecord('wang-gw', door(household(4)), 'needs_help', '', T0), { householdId: 4, status: 'needs_help', version: 2 });
    expect(e.receipt).toMatchObject({ status: 'needs_help', version: 2 });
  });
});

describe('the door-knock list', () => {
  it('lays the worker\'s unsent claims, releases and knocks on the board as loaded, in the board\'s order', () => {
    const a = household(1, { priority: 1, tags: ['elderly_alone'] });
    const b = household(2, { priority: 2 });
    const c = household(3);
    const d = household(4, { claim: { by: 'li-gw', byName: '李强', since: '2026-07-20T21:50:00+08:00' } });
    const entries = made(
      claimRecord('wang-gw', door(a)), doneRecord('wang-gw', door(a), 'safe', '', T0),
      claimRecord('wang-gw', door(b)), doneRecord('wang-gw', door(b), 'needs_help', '腿伤走不了', T0),
      claimRecord('wang-gw', door(c)), releaseRecord('wang-gw', door(c)),
      claimRecord('someone-else', door(d)),
    );
    const doors = doorsNow(9, [a, b, c, d], entries, me);
    // Needs help first, then the unsettled, then the settled.
    expect(doors.map((x) => [x.householdId, x.status, x.pending])).toEqual([
      [2, 'needs_help', 'done'], [3, 'unknown', 'release'], [4, 'unknown', null], [1, 'safe', 'done'],
    ]);
    expect(doors[0]).toMatchObject({ claim: null, note: '腿伤走不了', reportedByName: '王丽萍' });
    expect(doors[2]!.claim?.byName).toBe('李强');
    // A settled door is corrected, not claimed.
    expect(mayClaim(doors[3]!)).toBe(false);
    expect(countsOf(doors).get('G01')).toEqual({ total: 4, unknown: 2, safe: 1, needsHelp: 1, sheltered: 0, away: 0 });
  });

  it('holds a door claimed offline for the worker, and offers a knock on a door nobody held, never on another\'s', () => {
    const free = household(1);
    const mine = household(2);
    const theirs = household(3, { claim: { by: 'li-gw', byName: '李强', since: '2026-07-20T21:50:00+08:00' } });
    const doors = doorsNow(9, [free, mine, theirs], made(claimRecord('wang-gw', door(mine))), me);
    const [f, m, t] = [1, 2, 3].map((id) => doors.find((x) => x.householdId === id)!);
    expect(m!.claim).toMatchObject({ by: 'wang-gw', byName: '王丽萍' });
    expect(m!.pending).toBe('claim');
    expect([mayClaim(f!), mayKnock(f!, me), mayRelease(f!, me)]).toEqual([true, true, false]);
    expect([mayClaim(m!), mayKnock(m!, me), mayRelease(m!, me)]).toEqual([false, true, true]);
    expect([mayClaim(t!), mayKnock(t!, me), mayRelease(t!, me)]).toEqual([false, false, false]);
  });

  it('shows the refusal of the worker\'s last record on a door: who holds it since when', () => {
    const h = household(5);
    const refused = afterOutcome(startSending(claimRecord('wang-gw', door(h))), {
      type: 'answer', status: 409,
      body: { error: { code: 'error.board_claimed', message: 'held', claim: { by: 'li-gw', byName: '王丽', since: '2026-07-20T22:10:00+08:00' } } },
    }, T0);
    const [shown] = doorsNow(9, [h], [refused], me);
    expect(shown!.refusal?.code).toBe('error.board_claimed');
    expect(doorRefusal(shown!.refusal!, (iso) => iso.slice(11, 16))).toEqual({ key: 'tablet.door.held', who: '王丽', at: '22:10', status: 'unknown' });
    // A later record on the same door (claimed again after a reload) clears it.
    const [again] = doorsNow(9, [h], [refused, { ...claimRecord('wang-gw', door(h)), createdAt: new Date(T0 + MIN).toISOString() }], me);
    expect(again!.refusal).toBeNull();
  });

  it('ignores records of another incident and of another person', () => {
    const h = household(6);
    const other = claimRecord('wang-gw', { ...door(h), incidentId: 8 });
    const theirs = doneRecord('li-gw', door(h), 'safe', '', T0);
    expect(doorsNow(9, [h], [other, theirs], me)[0]).toMatchObject({ status: 'unknown', claim: null, pending: null });
  });
});

describe('time since declaration', () => {
  it('counts whole minutes, hours and days, never below zero', () => {
    expect(elapsed('2026-07-20T22:00:00+08:00', T0 + 75 * MIN)).toEqual({ d: 0, h: 1, m: 15 });
    expect(elapsed('2026-07-20T22:00:00+08:00', T0 + 26 * 60 * MIN)).toEqual({ d: 1, h: 2, m: 0 });
    expect(elapsed('2026-07-20T22:00:00+08:00', T0 - MIN)).toEqual({ d: 0, h: 0, m: 0 });
  });
});
