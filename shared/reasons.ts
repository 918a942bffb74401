/**
 * Reason codes (退单 by reason): kept on the history line of the action that refuses a report or
 * passes a case on, so the desk's numbers can show who passes what and why. Not part of the
 * lifecycle's state (shared/lifecycle.ts), and kept out of the wall's script.
 */
import type { Action } from './lifecycle.ts';

/**
 * The reason codes an action that refuses or passes a case on carries (退单 by reason), so
 * "passing the case" shows in the numbers: rejecting a report, sending a case back to the centre
 * (回退), returning a fix that failed verification (核查不通过).
 */
export const REASONS = {
  reject: ['not_community_matter', 'duplicate', 'false_report', 'insufficient_info', 'other'],
  send_back: ['not_my_grid', 'wrong_category', 'needs_department', 'cannot_locate', 'other'],
  return: ['not_fixed', 'partly_fixed', 'no_evidence', 'resident_unsatisfied', 'other'],
} as const satisfies Partial<Record<Action, readonly string[]>>;
export type ReasonAction = keyof typeof REASONS;
export const hasReasons = (a: Action): a is ReasonAction => Object.hasOwn(REASONS, a);

/** Why `reason` does not fit `action`, or null when it does. */
export function reasonProblem(action: Action, reason: string): string | null {
  if (!hasReasons(action)) return `${action} takes no reason`;
  return (REASONS[action] as readonly string[]).includes(reason) ? null : `must be one of ${REASONS[action].join(', ')}`;
}

/** Every reason code of every action. */
export const ALL_REASONS = [...new Set(Object.values(REASONS).flat())] as [string, ...string[]];
