/**
 * How a desk page hears its colleagues (client/console/changes.svelte.ts): notes close together
 * come to one request, a desk that keeps hearing notes still asks at least once a second, and a
 * page about one record asks only when a change concerns it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { changes, MAX_WAIT_MS, SETTLE_MS } from '../../client/console/changes.svelte.ts';
import type { DeskChange } from '../../shared/protocol.ts';

let seq = 0;
const note = (...list: DeskChange[]) => changes.heard({ seq: ++seq, changes: list, entities: [...new Set(list.map((c) => c.entity))] });
const signup = (id: number, volunteerId: number, activityId = 1): DeskChange =>
  ({ subject: 'volunteer', type: 'volunteer.checked_in', entity: 'signup', id, refs: { volunteerId, activityId } });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('a desk page following changes', () => {
  it('asks once for a burst of check-ins, naming them all', () => {
    const calls: (number[] | null)[] = [];
    const stop = changes.follow(['signup'], (ids) => calls.push(ids));
    note(signup(1, 10));
    vi.advanceTimersByTime(50);
    note(signup(2, 11));
    vi.advanceTimersByTime(SETTLE_MS + 1);
    expect(calls).toEqual([[1, 2]]);
    stop();
  });

  it('still asks at least once a second while the notes never stop', () => {
    const calls: (number[] | null)[] = [];
    const stop = changes.follow(['signup'], (ids) => calls.push(ids));
    for (let t = 0; t < 3_000; t += 100) {
      note(signup(t, 10));
      vi.advanceTimersByTime(100);
    }
    expect(calls.length).toBeGreaterThanOrEqual(Math.floor(3_000 / MAX_WAIT_MS) - 1);
    stop();
  });

  it('on one volunteer\u2019s profile, asks only for that volunteer\u2019s sign-ups', () => {
    const calls: (number[] | null)[] = [];
    const stop = changes.follow(['signup'], (ids) => calls.push(ids), (c) => c.refs?.volunteerId === 10);
    note(signup(5, 99));
    vi.advanceTimersByTime(SETTLE_MS + 1);
    expect(calls).toEqual([]);
    note(signup(6, 10));
    vi.advanceTimersByTime(SETTLE_MS + 1);
    expect(calls).toEqual([[6]]);
    stop();
  });
});
