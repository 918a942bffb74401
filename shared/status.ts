/**
 * The words of a grid event's loop that every surface speaks: its statuses, its actions and
 * which statuses are finished. The state machine itself is shared/lifecycle.ts; this small
 * module is what the wall needs of it (its script stays within budget without the desk's rules).
 */
export const STATUSES = [
  'reported', 'accepted', 'rejected', 'dispatched', 'in_progress',
  'resolved', 'returned', 'shelved', 'closed', 'reviewed', 'merged',
] as const;
export type Status = (typeof STATUSES)[number];

export const ACTIONS = [
  'accept', 'reject', 'dispatch', 'sign', 'send_back', 'start', 'resolve', 'return', 'close', 'review',
  'request_extension', 'approve_extension', 'deny_extension',
  'request_shelve', 'approve_shelve', 'deny_shelve', 'unshelve',
  'urge', 'supervise', 'merge',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Statuses in which an event is finished with: no clock runs and no action but review applies. */
export const TERMINAL: ReadonlySet<Status> = new Set(['rejected', 'closed', 'reviewed', 'merged']);

export const isOpen = (s: Status) => !TERMINAL.has(s);
