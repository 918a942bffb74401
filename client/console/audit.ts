/**
 * Words for the audit log: action and target names in the console's language, details as one
 * line. Named actions come from the server's catalogue (`console.audit.action.*`); an action derived
 * from a route (`events.dispatch`, `needs.create`) is read as its target and verb.
 */
import { AUDIT_ACTIONS } from '../../shared/auth.ts';
import { i18n } from './i18n.svelte.ts';

export { AUDIT_ACTIONS };

/** Target types the log uses for the accounts issue and the domain routes. */
export const KNOWN_TARGET_TYPES = ['users', 'displays', 'api_keys', 'events', 'cases', 'needs', 'volunteers', 'activities'] as const;

export const targetTypeLabel = (type: string): string => i18n.tOr(`console.audit.t.${type}`, type);

/** `users.create` → 新建用户; `events.dispatch` → 事件 · 派遣; anything unknown → its code. */
export function actionLabel(action: string): string {
  const named = `console.audit.action.${action}`;
  if (i18n.has(named)) return i18n.t(named);
  const dot = action.lastIndexOf('.');
  if (dot <= 0) return action;
  const target = action.slice(0, dot);
  const verb = action.slice(dot + 1);
  const verbKey = i18n.has(`action.${verb}`) ? `action.${verb}` : `console.audit.verb.${verb}`;
  if (!i18n.has(`console.audit.t.${target}`) || !i18n.has(verbKey)) return action;
  return `${targetTypeLabel(target)} · ${i18n.t(verbKey)}`;
}

/** `name: 大厅大屏 · from: 旧名` for a detail object (short for the cell, full for its title). */
export function detailText(detail: unknown): { short: string; full: string } {
  if (detail === null || detail === undefined || detail === '') return { short: '—', full: '' };
  if (typeof detail !== 'object') return { short: String(detail), full: String(detail) };
  const parts = Object.entries(detail as Record<string, unknown>).map(([k, v]) =>
    `${i18n.tOr(`console.audit.k.${k}`, k)}: ${valueText(k, v)}`);
  const line = parts.join(' · ');
  if (!line) return { short: '—', full: '' };
  return { short: line.length > 140 ? `${line.slice(0, 139)}…` : line, full: JSON.stringify(detail, null, 1) };
}

/** A detail value as words: roles and statuses by name, lists joined. */
function valueText(key: string, v: unknown): string {
  if (typeof v === 'string') {
    if (key === 'role') return i18n.tOr(`console.role.${v}`, v);
    if (key === 'status') return i18n.tOr(`console.user.status.${v}`, v);
    if (key === 'reason') return i18n.tOr(`console.audit.reason.${v}`, v);
    return v;
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(', ');
  return JSON.stringify(v);
}

/**
 * Who an audit line's `actorId` names: a person by username, a display (`display:<id>`) or
 * an API key (`api_key:<id>`).
 */
export function actorKind(actorId: string | null, actorRole: string | null): { kind: 'person' | 'display' | 'key' | 'system' | 'nobody'; ref: string } {
  if (actorRole === 'system') return { kind: 'system', ref: actorId ?? '' };
  if (actorId === null) return { kind: 'nobody', ref: '' };
  if (actorId.startsWith('display:')) return { kind: 'display', ref: actorId.slice('display:'.length) };
  if (actorId.startsWith('api_key:')) return { kind: 'key', ref: actorId.slice('api_key:'.length) };
  return { kind: 'person', ref: actorId };
}
