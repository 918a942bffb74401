import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  ACTIONS,
  STATUSES,
  REMIND_AT_REMAINING,
  allowedActions,
  applyAction,
  isOpen,
  reminderTime,
  runningDeadline,
} from '../../shared/lifecycle.ts';
import type { Action, ActionInput, LifecycleState, Outcome, Status } from '../../shared/lifecycle.ts';
import { URGENCIES, CATEGORIES, timeLimitFor } from '../../shared/taxonomy.ts';
import type { Urgency } from '../../shared/taxonomy.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** 2026-11-22 08:30 in Shanghai. */
const T0 = Date.UTC(2026, 10, 22, 0, 30);

function reported(category = 'environment', urgency: Urgency = 'normal'): LifecycleState {
  return {
    status: 'reported', category, urgency, assigneeId: null, pending: null,
    shelvedFrom: null, shelvedAt: null, acceptedAt: null, dispatchedAt: null, resolvedAt: null,
    closedAt: null, dispatchDueAt: null, handleDueAt: null, onTime: null, satisfaction: null,
  };
}

/** Input that satisfies every action's requirements. */
const FULL_INPUT: ActionInput = { actor: 'dispatcher-1', note: '现场核实', assigneeId: 'worker-7', hours: 12, satisfaction: 4, targetId: 99 };

function act(state: LifecycleState, action: Action, now: number, input: Partial<ActionInput> = {}): Outcome {
  return applyAction(state, action, { actor: 'dispatcher-1', ...input }, now);
}

/** Apply an action that must succeed and return the new state. */
function step(state: LifecycleState, action: Action, now: number, input: Partial<ActionInput> = {}): LifecycleState {
  const o = act(state, action, now, input);
  if (!o.ok) throw new Error(`${action} from ${state.status} failed: ${JSON.stringify(o)}`);
  return o.state;
}

function statuses(start: LifecycleState, path: [Action, number, Partial<ActionInput>?][]): Status[] {
  const seen: Status[] = [start.status];
  let s = start;
  for (const [action, now, input] of path) {
    s = step(s, action, now, input ?? FULL_INPUT);
    seen.push(s.status);
  }
  return seen;
}

const sorted = (xs: readonly string[]) => [...xs].sort();

/** One state for each status (and for each kind of pending request), reached the legal way. */
function sampleStates() {
  const r = reported();
  const accepted = step(r, 'accept', T0);
  const dispatched = step(accepted, 'dispatch', T0 + 10 * MINUTE, { assigneeId: 'worker-7' });
  const inProgress = step(dispatched, 'start', T0 + 20 * MINUTE);
  const resolved = step(inProgress, 'resolve', T0 + 2 * HOUR, { note: '已清运' });
  const closed = step(resolved, 'close', T0 + 3 * HOUR);
  return {
    reported: r,
    accepted,
    rejected: step(r, 'reject', T0, { note: '重复上报' }),
    dispatched,
    in_progress: inProgress,
    resolved,
    returned: step(resolved, 'return', T0 + 3 * HOUR, { note: '未清理干净' }),
    shelved: step(step(inProgress, 'request_shelve', T0 + HOUR, { note: '等待维修资金' }), 'approve_shelve', T0 + HOUR),
    closed,
    reviewed: step(closed, 'review', T0 + 4 * HOUR, { satisfaction: 5 }),
    merged: step(r, 'merge', T0, { targetId: 99 }),
    'in_progress, overdue': { ...inProgress, overdue: true },
    'in_progress + extension pending': step(inProgress, 'request_extension', T0 + HOUR, { note: '需要协调物业', hours: 24 }),
    'dispatched + shelve pending': step(dispatched, 'request_shelve', T0 + HOUR, { note: '等待维修资金' }),
  };
}

type SampleName = keyof ReturnType<typeof sampleStates>;
const sampleNames = (): SampleName[] => Object.keys(sampleStates()) as SampleName[];

/** What DESIGN §1 lets a dispatcher do in each state. */
const EXPECTED_ALLOWED: Record<SampleName, Action[]> = {
  reported: ['accept', 'reject', 'merge'],
  accepted: ['dispatch', 'request_extension', 'request_shelve'],
  rejected: [],
  dispatched: ['sign', 'start', 'send_back', 'request_extension', 'request_shelve', 'urge'],
  in_progress: ['resolve', 'request_extension', 'request_shelve', 'urge'],
  'in_progress, overdue': ['resolve', 'request_extension', 'request_shelve', 'supervise'],
  resolved: ['close', 'return'],
  returned: ['dispatch', 'request_extension', 'request_shelve'],
  shelved: ['unshelve'],
  closed: ['review'],
  reviewed: [],
  merged: [],
  'in_progress + extension pending': ['approve_extension', 'deny_extension'],
  'dispatched + shelve pending': ['approve_shelve', 'deny_shelve'],
};

describe('the legal paths of a grid event', () => {
  it('walks the whole closed loop from report to the reporter’s review', () => {
    const path: [Action, number, Partial<ActionInput>?][] = [
      ['accept', T0],
      ['dispatch', T0 + 5 * MINUTE],
      ['start', T0 + 30 * MINUTE],
      ['resolve', T0 + 5 * HOUR],
      ['close', T0 + 6 * HOUR],
      ['review', T0 + 30 * HOUR],
    ];
    expect(statuses(reported(), path)).toEqual(['reported', 'accepted', 'dispatched', 'in_progress', 'resolved', 'closed', 'reviewed']);
  });

  it('records who the event went to, when it was resolved and closed, and the satisfaction given', () => {
    let s = step(reported(), 'accept', T0);
    s = step(s, 'dispatch', T0 + MINUTE, { assigneeId: 'worker-7' });
    s = step(s, 'start', T0 + 2 * MINUTE);
    s = step(s, 'resolve', T0 + HOUR, { note: '已修复' });
    s = step(s, 'close', T0 + 2 * HOUR);
    s = step(s, 'review', T0 + 3 * HOUR, { satisfaction: 3 });
    expect(s).toMatchObject({
      assigneeId: 'worker-7', acceptedAt: T0, dispatchedAt: T0 + MINUTE, resolvedAt: T0 + HOUR,
      closedAt: T0 + 2 * HOUR, satisfaction: 3, onTime: true,
    });
  });

  it('rejects a report, which closes it with nothing further to do', () => {
    const s = step(reported(), 'reject', T0, { note: '不属于受理范围' });
    expect(s.status).toBe('rejected');
    expect(s.closedAt).toBe(T0);
    expect(isOpen(s.status)).toBe(false);
    expect(allowedActions(s)).toEqual([]);
  });

  it('lets an assignee send an event back to the centre, which dispatches it again to someone else', () => {
    let s = step(step(reported(), 'accept', T0), 'dispatch', T0 + MINUTE, { assigneeId: 'worker-7' });
    s = step(s, 'send_back', T0 + HOUR, { note: '不属于本网格' });
    expect(s.status).toBe('returned');
    expect(s.assigneeId).toBeNull();
    s = step(s, 'dispatch', T0 + 2 * HOUR, { assigneeId: 'worker-9' });
    expect(s.status).toBe('dispatched');
    expect(s.assigneeId).toBe('worker-9');
  });

  it('lets the centre return a resolution that failed verification and dispatch the event again', () => {
    let s = step(reported(), 'accept', T0);
    s = step(s, 'dispatch', T0 + MINUTE, { assigneeId: 'worker-7' });
    s = step(s, 'start', T0 + 2 * MINUTE);
    s = step(s, 'resolve', T0 + HOUR, { note: '已清运' });
    s = step(s, 'return', T0 + 2 * HOUR, { note: '现场仍有垃圾' });
    expect(s.status).toBe('returned');
    expect(s.resolvedAt).toBeNull();
    expect(s.onTime).toBeNull();
    s = step(s, 'dispatch', T0 + 3 * HOUR, { assigneeId: 'worker-7' });
    s = step(s, 'start', T0 + 4 * HOUR);
    s = step(s, 'resolve', T0 + 5 * HOUR, { note: '已彻底清理' });
    s = step(s, 'close', T0 + 6 * HOUR);
    expect(s.status).toBe('closed');
    expect(s.resolvedAt).toBe(T0 + 5 * HOUR);
  });

  it('keeps an extension request pending until it is approved or denied, in the same status', () => {
    const inProgress = sampleStates().in_progress;
    const asked = step(inProgress, 'request_extension', T0 + HOUR, { note: '需要协调物业', hours: 24, actor: 'worker-7' });
    expect(asked.status).toBe('in_progress');
    expect(asked.pending).toEqual({ kind: 'extension', hours: 24, at: T0 + HOUR, by: 'worker-7', note: '需要协调物业' });
    expect(allowedActions(asked)).toEqual(['approve_extension', 'deny_extension']);

    const approved = step(asked, 'approve_extension', T0 + 2 * HOUR);
    expect(approved.pending).toBeNull();
    expect(approved.status).toBe('in_progress');

    const denied = step(asked, 'deny_extension', T0 + 2 * HOUR, { note: '时限充足' });
    expect(denied.pending).toBeNull();
    expect(denied.status).toBe('in_progress');
    expect(denied.handleDueAt).toBe(inProgress.handleDueAt);
  });

  it('shelves an event only once shelving is approved, and unshelving brings back the status it had', () => {
    const dispatched = sampleStates().dispatched;
    const asked = step(dispatched, 'request_shelve', T0 + HOUR, { note: '等待维修资金' });
    expect(asked.status).toBe('dispatched');
    expect(asked.pending?.kind).toBe('shelve');

    const denied = step(asked, 'deny_shelve', T0 + 2 * HOUR, { note: '可先行处置' });
    expect(denied.status).toBe('dispatched');
    expect(denied.pending).toBeNull();

    const shelved = step(asked, 'approve_shelve', T0 + 2 * HOUR);
    expect(shelved).toMatchObject({ status: 'shelved', shelvedFrom: 'dispatched', shelvedAt: T0 + 2 * HOUR, pending: null });
    expect(isOpen(shelved.status)).toBe(true);

    const back = step(shelved, 'unshelve', T0 + 3 * HOUR);
    expect(back).toMatchObject({ status: 'dispatched', shelvedFrom: null, shelvedAt: null });
  });
});

describe('which actions each status allows', () => {
  const states = sampleStates();

  it.each(sampleNames())('offers exactly what DESIGN §1 allows when the event is %s', (name) => {
    expect(sorted(allowedActions(states[name]!))).toEqual(sorted(EXPECTED_ALLOWED[name]!));
  });

  const cases = sampleNames().flatMap((name) => ACTIONS.map((action) => [name, action] as const));
  it.each(cases)('from %s, %s succeeds iff it is allowed, and otherwise is refused with the allowed list', (name, action) => {
    const state = states[name]!;
    const allowed = allowedActions(state);
    const o = applyAction(state, action, FULL_INPUT, T0 + 10 * HOUR);
    if (allowed.includes(action)) {
      expect(o.ok).toBe(true);
    } else {
      expect(o).toEqual({ ok: false, reason: 'not_allowed', allowed });
    }
  });

  it('covers every status in the table', () => {
    const covered = new Set(Object.values(states).map((s) => s.status));
    expect(sorted([...covered])).toEqual(sorted(STATUSES));
  });
});

describe('what an action needs', () => {
  const states = sampleStates();
  const needsNote: [Action, SampleName][] = [
    ['reject', 'reported'],
    ['send_back', 'dispatched'],
    ['resolve', 'in_progress'],
    ['return', 'resolved'],
    ['request_extension', 'accepted'],
    ['request_shelve', 'returned'],
    ['deny_extension', 'in_progress + extension pending'],
    ['deny_shelve', 'dispatched + shelve pending'],
  ];

  it.each(needsNote)('refuses %s without a note saying why', (action, from) => {
    const state = states[from]!;
    for (const note of [undefined, '', '   ']) {
      const o = act(state, action, T0 + 10 * HOUR, { ...FULL_INPUT, note });
      expect(o).toEqual({ ok: false, reason: 'invalid', field: 'note', problem: expect.any(String) });
    }
  });

  const noNote: [Action, SampleName, Partial<ActionInput>][] = [
    ['accept', 'reported', {}],
    ['dispatch', 'accepted', { assigneeId: 'worker-7' }],
    ['start', 'dispatched', {}],
    ['close', 'resolved', {}],
    ['review', 'closed', { satisfaction: 5 }],
    ['approve_extension', 'in_progress + extension pending', {}],
    ['approve_shelve', 'dispatched + shelve pending', {}],
    ['unshelve', 'shelved', {}],
  ];
  it.each(noNote)('does not ask for a note to %s', (action, from, input) => {
    expect(act(states[from]!, action, T0 + 10 * HOUR, input).ok).toBe(true);
  });

  it('keeps the trimmed note with a request', () => {
    const s = step(states.accepted!, 'request_shelve', T0 + HOUR, { note: '  等待资金  ' });
    expect(s.pending?.note).toBe('等待资金');
  });

  it('refuses to dispatch without an assignee', () => {
    for (const assigneeId of [undefined, '']) {
      expect(act(states.accepted!, 'dispatch', T0 + HOUR, { assigneeId })).toEqual({
        ok: false, reason: 'invalid', field: 'assigneeId', problem: expect.any(String),
      });
    }
  });

  it('accepts a satisfaction of 1 to 5 and nothing else', () => {
    for (const satisfaction of [1, 2, 3, 4, 5]) {
      const o = act(states.closed!, 'review', T0 + 10 * HOUR, { satisfaction });
      expect(o.ok && o.state.satisfaction).toBe(satisfaction);
    }
    for (const satisfaction of [undefined, 0, 6, -1, 3.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(act(states.closed!, 'review', T0 + 10 * HOUR, { satisfaction })).toEqual({
        ok: false, reason: 'invalid', field: 'satisfaction', problem: expect.any(String),
      });
    }
  });

  it('asks an extension for more than 0 and at most 720 hours', () => {
    for (const hours of [0.5, 1, 720]) {
      expect(act(states.accepted!, 'request_extension', T0 + HOUR, { note: '需要协调', hours }).ok).toBe(true);
    }
    for (const hours of [undefined, 0, -4, 721, Number.NaN]) {
      expect(act(states.accepted!, 'request_extension', T0 + HOUR, { note: '需要协调', hours })).toMatchObject({
        ok: false, reason: 'invalid', field: 'hours',
      });
    }
  });

  it('leaves the event untouched when an action is refused', () => {
    const before = structuredClone(states.accepted!);
    act(states.accepted!, 'dispatch', T0 + HOUR, {});
    act(states.accepted!, 'close', T0 + HOUR, FULL_INPUT);
    expect(states.accepted).toEqual(before);
  });
});

describe('deadlines', () => {
  const everyLimit = CATEGORIES.flatMap((c) => URGENCIES.map((u) => [c.code, u] as const));

  it.each(everyLimit)('an accepted %s event (%s) must be dispatched within its category’s minutes', (category, urgency) => {
    const s = step(reported(category, urgency), 'accept', T0);
    expect(s.acceptedAt).toBe(T0);
    expect(s.dispatchDueAt).toBe(T0 + timeLimitFor(category, urgency).dispatchMinutes * MINUTE);
  });

  it.each(everyLimit)('a dispatched %s event (%s) must be handled within its category’s hours of the first dispatch', (category, urgency) => {
    const accepted = step(reported(category, urgency), 'accept', T0);
    const s = step(accepted, 'dispatch', T0 + 7 * MINUTE, { assigneeId: 'worker-7' });
    expect(s.dispatchedAt).toBe(T0 + 7 * MINUTE);
    expect(s.handleDueAt).toBe(T0 + 7 * MINUTE + timeLimitFor(category, urgency).handleHours * HOUR);
  });

  it('uses the concrete limits a dispatcher expects: 2 h / 72 h for ordinary environment, 5 min / 2 h for critical fire', () => {
    const env = step(step(reported('environment', 'normal'), 'accept', T0), 'dispatch', T0, { assigneeId: 'w' });
    expect(env.dispatchDueAt).toBe(T0 + 120 * MINUTE);
    expect(env.handleDueAt).toBe(T0 + 72 * HOUR);
    const fire = step(step(reported('fire', 'critical'), 'accept', T0), 'dispatch', T0, { assigneeId: 'w' });
    expect(fire.dispatchDueAt).toBe(T0 + 5 * MINUTE);
    expect(fire.handleDueAt).toBe(T0 + 2 * HOUR);
  });

  it('does not restart the handling clock when an event sent back is dispatched again', () => {
    let s = step(step(reported(), 'accept', T0), 'dispatch', T0 + 10 * MINUTE, { assigneeId: 'worker-7' });
    const due = s.handleDueAt;
    s = step(s, 'send_back', T0 + 5 * HOUR, { note: '不属于本网格' });
    s = step(s, 'dispatch', T0 + 6 * HOUR, { assigneeId: 'worker-9' });
    expect(s.handleDueAt).toBe(due);
    expect(s.dispatchedAt).toBe(T0 + 10 * MINUTE);
  });

  it('does not restart the handling clock when a returned resolution is dispatched again', () => {
    let s = sampleStates().resolved;
    const due = s.handleDueAt;
    s = step(s, 'return', T0 + 3 * HOUR, { note: '未清理干净' });
    s = step(s, 'dispatch', T0 + 4 * HOUR, { assigneeId: 'worker-7' });
    expect(s.handleDueAt).toBe(due);
  });

  it('moves the dispatch deadline by the approved hours while the event waits for dispatch', () => {
    let s = step(reported(), 'accept', T0);
    const due = s.dispatchDueAt!;
    s = step(s, 'request_extension', T0 + MINUTE, { note: '等待人员', hours: 3 });
    s = step(s, 'approve_extension', T0 + 2 * MINUTE);
    expect(s.dispatchDueAt).toBe(due + 3 * HOUR);
    expect(runningDeadline(s)).toBe(due + 3 * HOUR);
  });

  it('moves the handling deadline by the approved hours once dispatched, leaving the dispatch deadline alone', () => {
    let s = sampleStates().in_progress;
    const { dispatchDueAt, handleDueAt } = s;
    s = step(s, 'request_extension', T0 + HOUR, { note: '需要协调物业', hours: 24 });
    s = step(s, 'approve_extension', T0 + 2 * HOUR);
    expect(s.handleDueAt).toBe(handleDueAt! + 24 * HOUR);
    expect(s.dispatchDueAt).toBe(dispatchDueAt);
  });

  it('extends the handling clock of an event sent back to the centre, since that clock is still running', () => {
    let s = step(sampleStates().dispatched, 'send_back', T0 + HOUR, { note: '不属于本网格' });
    const due = s.handleDueAt!;
    expect(runningDeadline(s)).toBe(due);
    s = step(step(s, 'request_extension', T0 + HOUR, { note: '重新协调', hours: 6 }), 'approve_extension', T0 + HOUR);
    expect(runningDeadline(s)).toBe(due + 6 * HOUR);
  });

  it('stops the handling clock while shelved: unshelving moves the deadline by the time shelved', () => {
    let s = sampleStates().in_progress;
    const due = s.handleDueAt!;
    s = step(step(s, 'request_shelve', T0 + HOUR, { note: '等待维修资金' }), 'approve_shelve', T0 + 2 * HOUR);
    expect(runningDeadline(s)).toBeNull();
    s = step(s, 'unshelve', T0 + 2 * HOUR + 50 * HOUR);
    expect(s.status).toBe('in_progress');
    expect(s.handleDueAt).toBe(due + 50 * HOUR);
    expect(runningDeadline(s)).toBe(due + 50 * HOUR);
  });

  it('stops the dispatch clock while an accepted event is shelved', () => {
    let s = step(reported(), 'accept', T0);
    const due = s.dispatchDueAt!;
    s = step(step(s, 'request_shelve', T0 + MINUTE, { note: '等待确认' }), 'approve_shelve', T0 + MINUTE);
    s = step(s, 'unshelve', T0 + MINUTE + 90 * MINUTE);
    expect(s.status).toBe('accepted');
    expect(s.dispatchDueAt).toBe(due + 90 * MINUTE);
    expect(s.handleDueAt).toBeNull();
  });

  it('counts a resolution on time up to and including the deadline, late one millisecond after', () => {
    const inProgress = sampleStates().in_progress;
    const due = inProgress.handleDueAt!;
    expect(step(inProgress, 'resolve', due, { note: '已处理' }).onTime).toBe(true);
    expect(step(inProgress, 'resolve', due - HOUR, { note: '已处理' }).onTime).toBe(true);
    expect(step(inProgress, 'resolve', due + 1, { note: '已处理' }).onTime).toBe(false);
  });

  it('counts a resolution within an approved extension as on time', () => {
    let s = sampleStates().in_progress;
    const due = s.handleDueAt!;
    s = step(step(s, 'request_extension', T0 + HOUR, { note: '需要协调', hours: 24 }), 'approve_extension', T0 + HOUR);
    expect(step(s, 'resolve', due + 23 * HOUR, { note: '已处理' }).onTime).toBe(true);
  });

  it('reports the deadline that is running in each status, and none where no clock runs', () => {
    const st = sampleStates();
    expect(runningDeadline(st.reported!)).toBeNull();
    expect(runningDeadline(st.accepted!)).toBe(st.accepted!.dispatchDueAt);
    expect(runningDeadline(st.dispatched!)).toBe(st.dispatched!.handleDueAt);
    expect(runningDeadline(st.in_progress!)).toBe(st.in_progress!.handleDueAt);
    expect(runningDeadline(st.returned!)).toBe(st.returned!.handleDueAt);
    for (const name of ['resolved', 'shelved', 'closed', 'reviewed', 'rejected'] as const) {
      expect(runningDeadline(st[name]!), name).toBeNull();
    }
  });

  it('runs the dispatch deadline for a returned event that was never dispatched', () => {
    const s = { ...reported(), status: 'returned' as const, dispatchDueAt: T0 + HOUR, handleDueAt: null, dispatchedAt: null };
    expect(runningDeadline(s)).toBe(T0 + HOUR);
  });

  it('sends the reminder when 80 % of the dispatch window has passed', () => {
    const s = step(reported(), 'accept', T0);
    expect(REMIND_AT_REMAINING).toBe(0.2);
    expect(reminderTime(s)).toBe(T0 + 0.8 * 120 * MINUTE);
  });

  it('sends the reminder when 80 % of the handling window has passed', () => {
    const s = step(step(reported(), 'accept', T0), 'dispatch', T0 + 10 * MINUTE, { assigneeId: 'w' });
    expect(reminderTime(s)).toBe(T0 + 10 * MINUTE + 0.8 * 72 * HOUR);
    expect(reminderTime(step(s, 'start', T0 + HOUR))).toBe(T0 + 10 * MINUTE + 0.8 * 72 * HOUR);
  });

  it('sends no reminder where no clock runs', () => {
    const st = sampleStates();
    for (const name of ['reported', 'resolved', 'shelved', 'closed', 'reviewed', 'rejected'] as const) {
      expect(reminderTime(st[name]!), name).toBeNull();
    }
  });
});

describe('any sequence of actions', () => {
  const REQUESTABLE: Status[] = ['accepted', 'dispatched', 'in_progress', 'returned'];
  const CLOCKED: Status[] = ['accepted', 'dispatched', 'in_progress', 'returned'];

  function deepFreeze<T>(s: T): T {
    if (s && typeof s === 'object') {
      for (const v of Object.values(s)) deepFreeze(v);
      Object.freeze(s);
    }
    return s;
  }

  /** Everything a dispatcher could rely on about a state, whatever led to it. */
  function checkConsistent(s: LifecycleState, now: number) {
    expect(STATUSES).toContain(s.status);
    const allowed = allowedActions(s);
    expect(allowed.length === 0).toBe(s.status === 'rejected' || s.status === 'reviewed' || s.status === 'merged');
    // Every action offered works with complete input, every other is refused as not allowed.
    for (const a of ACTIONS) {
      const o = applyAction(s, a, FULL_INPUT, now);
      if (allowed.includes(a)) expect(o.ok, `${a} offered from ${s.status}`).toBe(true);
      else expect(o).toMatchObject({ ok: false, reason: 'not_allowed' });
    }
    if (s.pending) expect(REQUESTABLE).toContain(s.status);
    expect(s.status === 'shelved').toBe(s.shelvedFrom !== null);
    expect(s.status === 'shelved').toBe(s.shelvedAt !== null);
    if (s.shelvedFrom !== null) expect(REQUESTABLE).toContain(s.shelvedFrom);
    expect(runningDeadline(s) !== null).toBe(CLOCKED.includes(s.status));
    if (s.status !== 'reported' && s.status !== 'rejected' && s.status !== 'merged') {
      expect(s.acceptedAt).not.toBeNull();
      expect(s.dispatchDueAt).not.toBeNull();
    }
    if (s.dispatchedAt !== null) expect(s.handleDueAt).not.toBeNull();
    if (s.status === 'dispatched' || s.status === 'in_progress') {
      expect(s.assigneeId).not.toBeNull();
      expect(s.dispatchedAt).not.toBeNull();
    }
    const resolvedLike = s.status === 'resolved' || s.status === 'closed' || s.status === 'reviewed';
    expect(s.resolvedAt !== null).toBe(resolvedLike);
    expect(s.onTime !== null).toBe(resolvedLike);
    expect(s.satisfaction !== null).toBe(s.status === 'reviewed');
    if (s.satisfaction !== null) expect([1, 2, 3, 4, 5]).toContain(s.satisfaction);
  }

  // Half the steps pick one of the actions the state offers, so walks get deep into the loop.
  const stepArb = fc.record({
    action: fc.option(fc.constantFrom(...ACTIONS), { nil: undefined, freq: 2 }),
    pick: fc.nat(),
    after: fc.integer({ min: 0, max: 96 * HOUR }),
    note: fc.option(fc.constantFrom('', '  ', '已处理', '等待资金'), { nil: undefined }),
    assigneeId: fc.option(fc.constantFrom('', 'worker-7', 'worker-9'), { nil: undefined }),
    hours: fc.option(fc.oneof(fc.integer({ min: -2, max: 800 }), fc.double({ noNaN: false })), { nil: undefined }),
    satisfaction: fc.option(fc.oneof(fc.integer({ min: -1, max: 7 }), fc.double()), { nil: undefined }),
  });

  it('keeps the event in a known, consistent status, never moves a deadline earlier and never changes its input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CATEGORIES.map((c) => c.code)),
        fc.constantFrom(...URGENCIES),
        fc.array(stepArb, { maxLength: 40 }),
        (category, urgency, steps) => {
          let s = deepFreeze(reported(category, urgency));
          let now = T0;
          for (const { action: anyAction, pick, after, ...rest } of steps) {
            now += after;
            const input: ActionInput = { actor: 'someone', ...rest };
            const before = structuredClone(s);
            const allowedBefore = allowedActions(s);
            const action = anyAction ?? allowedBefore[pick % allowedBefore.length] ?? 'accept';
            const o = applyAction(s, action, input, now);
            expect(s).toEqual(before);
            if (!o.ok) {
              if (o.reason === 'not_allowed') {
                expect(allowedBefore).not.toContain(action);
                expect(o.allowed).toEqual(allowedBefore);
              } else {
                expect(allowedBefore).toContain(action);
              }
              continue;
            }
            expect(allowedBefore).toContain(action);
            const next = o.state;
            if (before.dispatchDueAt !== null) expect(next.dispatchDueAt).toBeGreaterThanOrEqual(before.dispatchDueAt);
            if (before.handleDueAt !== null) expect(next.handleDueAt).toBeGreaterThanOrEqual(before.handleDueAt);
            checkConsistent(next, now);
            s = deepFreeze(next);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('always lets an offered action through with complete input, and so reaches every status', () => {
    const reached = new Set<Status>();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 96 * HOUR })), { maxLength: 30 }), (picks) => {
        let s = reported();
        let now = T0;
        reached.add(s.status);
        for (const [pick, after] of picks) {
          const allowed = allowedActions(s);
          if (!allowed.length) break;
          now += after;
          s = step(s, allowed[pick % allowed.length]!, now, FULL_INPUT);
          checkConsistent(s, now);
          reached.add(s.status);
        }
      }),
      // Fixed seed: the walks are random, but whether they reach every status must not be.
      { numRuns: 500, seed: 20261122 },
    );
    expect(sorted([...reached])).toEqual(sorted(STATUSES));
  });
});
