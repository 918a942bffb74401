/**
 * The closed loop of a grid-management event, as a pure state machine.
 *
 *   reported → accepted | rejected | merged (并案: a duplicate of an open case, which keeps its reporter)
 *   accepted → dispatched → in_progress → resolved → closed → reviewed
 *   dispatched: signed for (签收) by the worker, within SIGN_FOR_MS of the dispatch; starting signs too
 *   dispatched → returned (回退: back to the centre)      returned → dispatched
 *   resolved → returned (退回: verification failed)
 *   open states → extension / shelving, each by request and approval
 *
 * The centre may urge (催办) a running case before its deadline and supervise (督办) one past it,
 * with a note; neither moves its status.
 *
 * Deadlines: acceptance starts the dispatch clock; the first dispatch starts the handling
 * clock. An approved extension moves the running deadline; shelving stops the clock and
 * unshelving moves the deadline by the time spent shelved.
 */
import { timeLimitFor, type Urgency } from './taxonomy.ts';

export { ACTIONS, STATUSES, TERMINAL, isOpen, type Action, type Status } from './status.ts';
import { TERMINAL, type Action, type Status } from './status.ts';

/** Statuses in which an extension or shelving may be requested. */
const REQUESTABLE: ReadonlySet<Status> = new Set(['accepted', 'dispatched', 'in_progress', 'returned']);

export interface PendingRequest {
  kind: 'extension' | 'shelve';
  /** Extra hours asked for (extension only). */
  hours?: number;
  at: number;
  by: string;
  note: string;
}

/** The part of an event the lifecycle reads and writes. Instants are epoch milliseconds (UTC). */
export interface LifecycleState {
  status: Status;
  category: string;
  urgency: Urgency;
  assigneeId: string | null;
  pending: PendingRequest | null;
  shelvedFrom: Status | null;
  shelvedAt: number | null;
  acceptedAt: number | null;
  dispatchedAt: number | null;
  /** When it was last dispatched (a re-dispatch after 回退 or 退回 starts a new sign-for clock). */
  assignedAt?: number | null;
  /** When the assignee signed for it (签收); null while it waits for them. */
  signedAt?: number | null;
  /** Merged (并案): the open case it duplicates. */
  duplicateOf?: number | null;
  /** Past its running deadline (the deadline timer sets it): 督办 applies. */
  overdue?: boolean;
  /** The last reminder (催办) and supervision (督办), the timer's or the centre's. */
  remindedAt?: number | null;
  escalatedAt?: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  dispatchDueAt: number | null;
  handleDueAt: number | null;
  onTime: boolean | null;
  satisfaction: number | null;
}

export interface ActionInput {
  note?: string;
  /** Merge: the open case this report duplicates. */
  targetId?: number;
  assigneeId?: string;
  hours?: number;
  satisfaction?: number;
  actor: string;
}

export type Outcome =
  | { ok: true; state: LifecycleState }
  | { ok: false; reason: 'not_allowed'; allowed: Action[] }
  | { ok: false; reason: 'invalid'; field: string; problem: string };

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A dispatched case is signed for (签收) within this long, or the desk shows it late. */
export const SIGN_FOR_MS = 2 * HOUR;

/** When a dispatched case must be signed for by, or null when it is not waiting for a signature. */
export function signDueAt(s: Pick<LifecycleState, 'status' | 'assignedAt' | 'signedAt' | 'dispatchedAt'>): number | null {
  if (s.status !== 'dispatched' || s.signedAt) return null;
  const from = s.assignedAt ?? s.dispatchedAt;
  return from === null || from === undefined ? null : from + SIGN_FOR_MS;
}

/** Which actions the event's current state allows, in the order a dispatcher would read them. */
export function allowedActions(s: Pick<LifecycleState, 'status' | 'pending' | 'signedAt' | 'overdue'>): Action[] {
  if (s.pending) {
    return s.pending.kind === 'extension'
      ? ['approve_extension', 'deny_extension']
      : ['approve_shelve', 'deny_shelve'];
  }
  const requests: Action[] = REQUESTABLE.has(s.status) ? ['request_extension', 'request_shelve'] : [];
  // 催办 before the deadline, 督办 after it: the centre chasing a case in someone's hands.
  const chase: Action[] = s.status === 'dispatched' || s.status === 'in_progress' ? [s.overdue ? 'supervise' : 'urge'] : [];
  switch (s.status) {
    case 'reported': return ['accept', 'reject', 'merge'];
    case 'accepted': return ['dispatch', ...requests];
    case 'returned': return ['dispatch', ...requests];
    case 'dispatched': return [...(s.signedAt ? [] : ['sign' as const]), 'start', 'send_back', ...requests, ...chase];
    case 'in_progress': return ['resolve', ...requests, ...chase];
    case 'resolved': return ['close', 'return'];
    case 'shelved': return ['unshelve'];
    case 'closed': return ['review'];
    case 'rejected':
    case 'merged':
    case 'reviewed': return [];
  }
}

/** Actions that must carry a note saying why. */
const NOTE_REQUIRED: ReadonlySet<Action> = new Set([
  'reject', 'send_back', 'resolve', 'return', 'request_extension', 'request_shelve',
  'deny_extension', 'deny_shelve', 'supervise',
]);

/**
 * How a community's deadlines are computed when their clocks start: the dispatch deadline at
 * acceptance, the handling deadline at the first dispatch (shared/loop-settings.ts builds one
 * from the community's saved settings; without one, taxonomy's table applies).
 */
export interface LoopRules {
  dispatchDueAt(category: string, urgency: Urgency, from: number): number;
  handleDueAt(category: string, urgency: Urgency, from: number): number;
}

/** Taxonomy's table in calendar time: the rules of a community that never saved settings. */
export const DEFAULT_RULES: LoopRules = {
  dispatchDueAt: (category, urgency, from) => from + timeLimitFor(category, urgency).dispatchMinutes * MINUTE,
  handleDueAt: (category, urgency, from) => from + timeLimitFor(category, urgency).handleHours * HOUR,
};

/** Apply an action at instant `now`; never mutates its input. */
export function applyAction(state: LifecycleState, action: Action, input: ActionInput, now: number, rules: LoopRules = DEFAULT_RULES): Outcome {
  const allowed = allowedActions(state);
  if (!allowed.includes(action)) return { ok: false, reason: 'not_allowed', allowed };
  if (NOTE_REQUIRED.has(action) && !input.note?.trim()) {
    return { ok: false, reason: 'invalid', field: 'note', problem: 'required for this action' };
  }
  const s: LifecycleState = { ...state };
  switch (action) {
    case 'accept':
      s.status = 'accepted';
      s.acceptedAt = now;
      s.dispatchDueAt = rules.dispatchDueAt(s.category, s.urgency, now);
      break;
    case 'reject':
      s.status = 'rejected';
      s.closedAt = now;
      break;
    case 'dispatch':
      if (!input.assigneeId) return { ok: false, reason: 'invalid', field: 'assigneeId', problem: 'required to dispatch' };
      s.status = 'dispatched';
      s.assigneeId = input.assigneeId;
      s.assignedAt = now;
      s.signedAt = null;
      if (s.dispatchedAt === null) {
        s.dispatchedAt = now;
        s.handleDueAt = rules.handleDueAt(s.category, s.urgency, now);
      }
      break;
    case 'sign':
      s.signedAt = now;
      break;
    case 'send_back':
      s.status = 'returned';
      s.assigneeId = null;
      s.signedAt = null;
      break;
    case 'start':
      s.status = 'in_progress';
      s.signedAt ??= now;
      break;
    case 'resolve':
      s.status = 'resolved';
      s.resolvedAt = now;
      s.onTime = s.handleDueAt === null || now <= s.handleDueAt;
      break;
    case 'return':
      s.status = 'returned';
      s.resolvedAt = null;
      s.onTime = null;
      break;
    case 'close':
      s.status = 'closed';
      s.closedAt = now;
      break;
    case 'review': {
      const v = input.satisfaction;
      if (v === undefined || !Number.isInteger(v) || v < 1 || v > 5) {
        return { ok: false, reason: 'invalid', field: 'satisfaction', problem: 'must be a whole number from 1 to 5' };
      }
      s.status = 'reviewed';
      s.satisfaction = v;
      break;
    }
    case 'request_extension': {
      const h = input.hours;
      if (h === undefined || !(h > 0) || h > 24 * 30) {
        return { ok: false, reason: 'invalid', field: 'hours', problem: 'must be more than 0 and at most 720' };
      }
      s.pending = { kind: 'extension', hours: h, at: now, by: input.actor, note: input.note!.trim() };
      break;
    }
    case 'approve_extension': {
      const extra = (state.pending?.hours ?? 0) * HOUR;
      if (s.dispatchedAt === null) s.dispatchDueAt = (s.dispatchDueAt ?? now) + extra;
      else s.handleDueAt = (s.handleDueAt ?? now) + extra;
      s.pending = null;
      break;
    }
    case 'request_shelve':
      s.pending = { kind: 'shelve', at: now, by: input.actor, note: input.note!.trim() };
      break;
    case 'approve_shelve':
      s.shelvedFrom = s.status;
      s.shelvedAt = now;
      s.status = 'shelved';
      s.pending = null;
      break;
    case 'deny_extension':
    case 'deny_shelve':
      s.pending = null;
      break;
    case 'urge':
      s.remindedAt = now;
      break;
    case 'supervise':
      s.escalatedAt = now;
      break;
    case 'merge':
      if (input.targetId === undefined) return { ok: false, reason: 'invalid', field: 'targetId', problem: 'required to merge' };
      s.status = 'merged';
      s.closedAt = now;
      s.duplicateOf = input.targetId;
      break;
    case 'unshelve': {
      const paused = now - (s.shelvedAt ?? now);
      if (s.dispatchDueAt !== null && s.dispatchedAt === null) s.dispatchDueAt += paused;
      if (s.handleDueAt !== null) s.handleDueAt += paused;
      s.status = s.shelvedFrom ?? 'accepted';
      s.shelvedFrom = null;
      s.shelvedAt = null;
      break;
    }
  }
  return { ok: true, state: s };
}

/**
 * The deadline that is running now, or null when no clock runs (not yet accepted, resolved and
 * awaiting verification, shelved, or finished).
 */
export function runningDeadline(s: Pick<LifecycleState, 'status' | 'dispatchedAt' | 'dispatchDueAt' | 'handleDueAt'>): number | null {
  switch (s.status) {
    case 'accepted':
      return s.dispatchDueAt;
    case 'returned':
      return s.dispatchedAt === null ? s.dispatchDueAt : s.handleDueAt;
    case 'dispatched':
    case 'in_progress':
      return s.handleDueAt;
    default:
      return null;
  }
}

/** Reminders (催办) go out when this share of the running window is left, unless the community's settings say another. */
export const REMIND_AT_REMAINING = 0.2;

/** When the running deadline's window opened: the first dispatch for handling, acceptance for dispatching. */
export function deadlineStart(
  s: Pick<LifecycleState, 'status' | 'acceptedAt' | 'dispatchedAt' | 'dispatchDueAt' | 'handleDueAt'>,
): number | null {
  const due = runningDeadline(s);
  if (due === null) return null;
  return s.dispatchedAt !== null && due === s.handleDueAt ? s.dispatchedAt : s.acceptedAt;
}

/** When the reminder (催办) is due: when `remindAt` of the running window is left (the community's setting). */
export function reminderTime(s: LifecycleState, remindAt = REMIND_AT_REMAINING): number | null {
  const due = runningDeadline(s);
  if (due === null) return null;
  const start = deadlineStart(s);
  if (start === null) return null;
  return due - (due - start) * remindAt;
}
