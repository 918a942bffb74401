/**
 * What the desk's pages share that is not state: the tabs each role works, the tone of a status,
 * what each action asks for, and whether a key press belongs to a field being typed in.
 */
import type { QueueTab } from '../../shared/desk.ts';
import type { Action, Status } from '../../shared/lifecycle.ts';
import type { StaffRole } from './types.ts';

const CENTRE_TABS: QueueTab[] = ['triage', 'dispatch', 'sign', 'due_soon', 'overdue', 'requests', 'verify', 'callback', 'open'];

/** The tabs a role works, in order (1–9 on the keyboard). */
export function tabsFor(role: StaffRole): QueueTab[] {
  if (role === 'admin' || role === 'dispatcher') return CENTRE_TABS;
  if (role === 'grid_worker') return ['mine', 'open'];
  return ['open', 'overdue'];
}

export function statusTone(s: Status): 'neutral' | 'ok' | 'warn' | 'danger' | 'info' {
  switch (s) {
    case 'reported': return 'info';
    case 'returned': return 'warn';
    case 'rejected': return 'neutral';
    case 'closed':
    case 'reviewed': return 'ok';
    case 'shelved': return 'neutral';
    default: return 'neutral';
  }
}

/** What an action's form asks for (the server's rules: shared/lifecycle.ts). */
export interface ActionForm {
  note: 'required' | 'optional' | 'none';
  assignee?: true;
  hours?: true;
  satisfaction?: true;
  /** The open case a duplicate merges into. */
  target?: true;
  /** Shown as the main (blue) button, or as a refusal (red). */
  tone: 'primary' | 'danger' | 'plain';
  /** The key that opens it on the case page. */
  key?: string;
}

export const ACTION_FORMS: Record<Action, ActionForm> = {
  accept: { note: 'optional', tone: 'primary', key: 'a' },
  reject: { note: 'required', tone: 'danger', key: 'x' },
  dispatch: { note: 'optional', assignee: true, tone: 'primary', key: 'd' },
  sign: { note: 'none', tone: 'primary', key: 's' },
  start: { note: 'optional', tone: 'plain' },
  resolve: { note: 'required', tone: 'primary', key: 'r' },
  send_back: { note: 'required', tone: 'danger' },
  return: { note: 'required', tone: 'danger' },
  close: { note: 'optional', tone: 'primary', key: 'c' },
  review: { note: 'optional', satisfaction: true, tone: 'primary', key: 'v' },
  request_extension: { note: 'required', hours: true, tone: 'plain' },
  approve_extension: { note: 'optional', tone: 'primary' },
  deny_extension: { note: 'required', tone: 'danger' },
  request_shelve: { note: 'required', tone: 'plain' },
  approve_shelve: { note: 'optional', tone: 'primary' },
  deny_shelve: { note: 'required', tone: 'danger' },
  unshelve: { note: 'optional', tone: 'primary' },
  urge: { note: 'optional', tone: 'plain', key: 'u' },
  supervise: { note: 'required', tone: 'danger' },
  merge: { note: 'optional', target: true, tone: 'plain', key: 'm' },
};

/** A key press that belongs to a field (typing `a` in a note must not accept the case). */
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || !!t.closest('dialog[open]');
}

/** Who sees the desk's numbers (运行看板): the centre, and coordinators read-only (server/events/desk-stats.ts `STATS`). */
export const STATS_ROLES: readonly string[] = ['admin', 'dispatcher', 'coordinator'];

/** The columns of a case row (components/desk/CaseCells.svelte), by key and label key. */
export const CASE_COLUMNS = [
  ['clock', 'console.desk.col.clock'], ['code', 'console.desk.col.code'], ['title', 'console.desk.col.title'],
  ['category', 'console.desk.col.category'], ['grid', 'console.desk.col.grid'], ['status', 'console.desk.col.status'],
  ['assignee', 'console.desk.col.assignee'], ['reportedAt', 'console.desk.col.reportedAt'],
] as const;
