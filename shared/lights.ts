/**
 * A case's red/amber/green light (shared/desk.ts re-exports these): the desk (the console's
 * queue), the server's "due soon" and the grid worker's tablet all read it from here. Kept apart
 * from desk.ts's schemas so a page can tick the lights without the schema library.
 */
import type { EventView } from './protocol.ts';
import type { LifecycleState } from './lifecycle.ts';
import { REMIND_AT_REMAINING, deadlineStart, runningDeadline, signDueAt } from './lifecycle.ts';

export type Light = 'red' | 'amber' | 'green';

/**
 * The light of a clock that started at `start` and is due at `due`, at `now`: red when past
 * due, amber once the reminder (催办) is due — less than a fifth of the window left — green
 * before.
 */
export function clockLight(start: number | null, due: number, now: number): Light {
  if (now > due) return 'red';
  const window = start !== null && due > start ? due - start : 0;
  return due - now < window * REMIND_AT_REMAINING ? 'amber' : 'green';
}

/** The clocks of a case, as epoch milliseconds. */
type Clocked = Pick<LifecycleState, 'status' | 'acceptedAt' | 'dispatchedAt' | 'dispatchDueAt' | 'handleDueAt' | 'assignedAt' | 'signedAt'> & { overdue: boolean };

/**
 * A case's light at `now`: the sign-for clock while it waits for its worker and the running
 * deadline, the worse of the two; red when the deadline timer has marked it overdue; none when
 * no clock runs.
 */
export function caseLight(e: Clocked, now: number): Light | null {
  if (e.overdue) return 'red';
  const lights: Light[] = [];
  const sign = signDueAt(e);
  if (sign !== null) lights.push(clockLight(e.assignedAt ?? e.dispatchedAt, sign, now));
  const due = runningDeadline(e);
  if (due !== null) lights.push(clockLight(deadlineStart(e), due, now));
  if (!lights.length) return null;
  return lights.includes('red') ? 'red' : lights.includes('amber') ? 'amber' : 'green';
}

/** The instant a case's nearest clock runs out (sign-for or deadline), for sorting; null when none runs. */
export function nextDue(e: Clocked): number | null {
  const a = signDueAt(e);
  const b = runningDeadline(e);
  return a === null ? b : b === null ? a : Math.min(a, b);
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

/** A staff view's clocks, for `caseLight` on the desk (it ticks between the server's answers). */
export function viewClocks(v: EventView): Clocked {
  return {
    status: v.status, overdue: v.overdue, acceptedAt: ms(v.acceptedAt), dispatchedAt: ms(v.dispatchedAt),
    dispatchDueAt: ms(v.dispatchDueAt), handleDueAt: ms(v.handleDueAt), assignedAt: ms(v.assignedAt), signedAt: ms(v.signedAt),
  };
}

