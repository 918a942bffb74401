/**
 * Door knocks on a volunteer's phone, pure (client/me/doors.ts): a claim, a release or a result
 * is kept in the phone's storage with its Idempotency-Key before it is sent, and forgotten only
 * once the server answered; each is the request the board's routes take; the list lays the
 * volunteer's unanswered writes on the board as read, in the board's order; a refusal names who
 * holds the door since when.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { knockDoneBody, type BoardHousehold } from '../../shared/emergency-board.ts';
import {
  answerDoorWrite, doorRequest, doorsNow, forgetRefusedDoorWrites, holds, keepDoorWrite, keptDoorWrites, mayClaim, refusalOf, unsettledOf,
  waitingDoorWrites, type DoorWrite,
} from '../../client/me/doors.ts';

const me = { username: 'v-lin', displayName: '林小雨' };
const T0 = Date.parse('2026-07-20T22:00:00+08:00');

function household(id: number, over: Partial<BoardHousehold> = {}): BoardHousehold {
  return {
    householdId: id, gridId: 'G01', address: `桂花苑5幢${id}室`, priority: 3, status: 'unknown', version: 1, source: null, reportedBy: null,
    reportedByName: null, reportedAt: null, note: '', eventId: null, escalation: null, escalateAt: null, claim: null, tags: [], mobility: [],
    residentCount: 1, residents: [], withheld: 0, ...over,
  };
}

let n = 0;
function write(householdId: number, kind: DoorWrite['kind'], over: Partial<DoorWrite> = {}): DoorWrite {
  return {
    key: `k${++n}`, owner: me.username, incidentId: 9, householdId, kind, at: new Date(T0 + n * 60_000).toISOString(), state: 'pending', ...over,
  };
}

/** The phone's storage, as a browser has it. */
const stored = new Map<string, string>();
beforeEach(() => {
  stored.clear();
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => void stored.set(k, v),
  };
});

describe('kept door writes', () => {
  it('keeps a write in storage with its key until the server answers it, then forgets it', () => {
    const kept = keepDoorWrite({ key: 'claim-1', owner: 'v-lin', incidentId: 9, householdId: 4, kind: 'claim', at: new Date().toISOString() });
    expect(kept.state).toBe('pending');
    // What a reload reads: the storage itself.
    expect(JSON.parse(stored.get('cerebellum.me.doors')!)).toEqual([kept]);
    answerDoorWrite('claim-1', null);
    expect(keptDoorWrites()).toEqual([]);
  });

  it('keeps a refused write with its reason, in the order made, and forgets it after a day', () => {
    const now = Date.now();
    keepDoorWrite({ key: 'a', owner: 'v-lin', incidentId: 9, householdId: 4, kind: 'claim', at: new Date(now).toISOString() });
    keepDoorWrite({ key: 'b', owner: 'v-lin', incidentId: 9, householdId: 5, kind: 'claim', at: new Date(now).toISOString() });
    answerDoorWrite('a', { code: 'error.board_claimed', message: 'held', details: {} });
    expect(keptDoorWrites().map((w) => [w.key, w.state])).toEqual([['a', 'refused'], ['b', 'pending']]);
    expect(keptDoorWrites(now + 25 * 3600_000).map((w) => w.key)).toEqual(['b']);
  });
});

describe('door requests', () => {
  it('claims and releases with no body, and sends a result as /done takes it, with when it was found', () => {
    expect(doorRequest(write(4, 'claim'))).toEqual({ path: '/incidents/9/households/4/claim', body: {} });
    expect(doorRequest(write(4, 'release'))).toEqual({ path: '/incidents/9/households/4/release', body: {} });
    const done = write(4, 'done', { status: 'safe', note: '老人在家', expectedVersion: 2 });
    const { path, body } = doorRequest(done);
    expect(path).toBe('/incidents/9/households/4/done');
    expect(knockDoneBody.parse(body)).toEqual({ status: 'safe', note: '老人在家', at: done.at, expectedVersion: 2 });
  });
});

describe('the list on the phone', () => {
  const board = [household(1), household(2, { priority: 1 }), household(3, { status: 'safe', version: 2 }), household(4, { priority: 2 })];

  it('shows the board\'s order: key populations first among the unsettled, the settled last', () => {
    expect(doorsNow(9, board, [], me).map((d) => d.householdId)).toEqual([2, 4, 1, 3]);
  });

  it('lays the volunteer\'s unanswered claim and result on the board, and the door\'s status with them', () => {
    const list = doorsNow(9, board, [write(1, 'claim'), write(4, 'claim'), write(4, 'done', { status: 'needs_help', note: '腿受伤' })], me);
    const one = list.find((d) => d.householdId === 1)!;
    expect(one.claim?.by).toBe('v-lin');
    expect(one.pending).toBe('claim');
    expect(holds(one, me)).toBe(true);
    expect(mayClaim(one)).toBe(false);
    const four = list.find((d) => d.householdId === 4)!;
    expect([four.status, four.pending, four.claim, four.reportedByName]).toEqual(['needs_help', 'done', null, '林小雨']);
    // Needs help jumps the queue even before the server heard it.
    expect(list[0]!.householdId).toBe(4);
    expect(unsettledOf(list)).toBe(2);
  });

  it('lets go on a release, ignores another volunteer\'s writes and another incident\'s', () => {
    const list = doorsNow(9, board, [
      write(1, 'claim'), write(1, 'release'), write(2, 'claim', { owner: 'someone-else' }), write(2, 'claim', { incidentId: 8 }),
    ], me);
    expect(list.find((d) => d.householdId === 1)!.claim).toBeNull();
    expect(list.find((d) => d.householdId === 2)!.claim).toBeNull();
    expect(mayClaim(list.find((d) => d.householdId === 2)!)).toBe(true);
  });

  it('shows who holds a door someone else claimed, and does not offer it', () => {
    const held = household(5, { claim: { by: 'v-wang', byName: '王大力', since: '2026-07-20T22:10:00+08:00' } });
    const [d] = doorsNow(9, [held], [], me);
    expect(mayClaim(d!)).toBe(false);
    expect(holds(d!, me)).toBe(false);
  });

  it('names who holds the door since when when a claim is refused, if nothing came after it', () => {
    const refusal = { code: 'error.board_claimed', message: 'held', details: { claim: { by: 'v-wang', byName: '王大力', since: '2026-07-20T22:10:00+08:00' } } };
    const [d] = doorsNow(9, [household(5)], [write(5, 'claim', { state: 'refused', refusal })], me);
    expect(d!.refusal).toEqual(refusal);
    expect(refusalOf(d!.refusal!, (iso) => iso.slice(11, 16))).toEqual({ key: 'me.door.held', who: '王大力', at: '22:10', status: 'unknown' });
    const [later] = doorsNow(9, [household(5)], [write(5, 'claim', { state: 'refused', refusal }), write(5, 'claim')], me);
    expect(later!.refusal).toBeNull();
  });

  it('says who reported first when a result meets a newer one', () => {
    const r = { code: 'error.board_changed', message: 'changed', details: { status: 'safe', reportedByName: '王丽萍', reportedAt: '2026-07-20T22:20:00+08:00' } };
    expect(refusalOf(r, (iso) => iso.slice(11, 16))).toEqual({ key: 'me.door.changed', who: '王丽萍', at: '22:20', status: 'safe' });
    expect(refusalOf({ code: 'error.incident_ended', message: 'ended', details: {} }, String)).toBeNull();
  });
});

describe('signing out', () => {
  it('forgets the person\'s refused writes (notes hide names) and keeps the ones still waiting, and another person\'s', () => {
    const now = new Date().toISOString();
    const before = waitingDoorWrites(me.username);
    const waiting = keepDoorWrite({ ...write(1, 'done', { status: 'needs_help', note: '王阿婆摔倒', at: now }) });
    const refused = keepDoorWrite({ ...write(2, 'done', { status: 'safe', note: '李建国家平安', at: now }) });
    answerDoorWrite(refused.key, { code: 'error.board_claimed', message: 'held', details: {} });
    const theirs = keepDoorWrite({ ...write(3, 'claim', { owner: 'v-wang', at: now }) });
    answerDoorWrite(theirs.key, { code: 'error.board_claimed', message: 'held', details: {} });
    const mine = () => keptDoorWrites().map((w) => w.key).filter((k) => [waiting.key, refused.key, theirs.key].includes(k));
    expect(mine()).toEqual([waiting.key, refused.key, theirs.key]);
    forgetRefusedDoorWrites(me.username);
    expect(mine()).toEqual([waiting.key, theirs.key]);
    expect([...stored.values()].join()).not.toContain('李建国');
    expect(waitingDoorWrites(me.username)).toBe(before + 1);
  });
});
