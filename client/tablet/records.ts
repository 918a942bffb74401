/**
 * The records a worker makes, as outbox entries (outbox/machine.ts): a report, and an action on
 * one of their tasks. Each gets its client UUID and its Idempotency-Key at once, before anything
 * is sent, and keeps both until the server's receipt. And what a task allows on this tablet
 * while its worker's own actions still wait to be sent.
 */
import { newIdempotencyKey } from '../lib/api.ts';
import type { EntryKind, KeptPhoto, OutboxEntry } from './outbox/machine.ts';

export type TaskAction = Exclude<EntryKind, 'report'>;

function entry(owner: string, kind: EntryKind, label: string, path: string, body: Record<string, unknown>, photos: KeptPhoto[], eventId: number | null, seenVersion: number | null): OutboxEntry {
  return {
    id: crypto.randomUUID(), owner, kind, createdAt: new Date().toISOString(), label,
    request: { method: 'POST', path, body }, eventId, seenVersion, photos, uploaded: {},
    idempotencyKey: newIdempotencyKey(), state: 'saved', tries: 0, nextTryAt: 0,
  };
}

/** A report (上报) for `POST /events`, from the worker's patrol. */
export function reportRecord(owner: string, body: Record<string, unknown>, photos: KeptPhoto[]): OutboxEntry {
  return entry(owner, 'report', String(body.title ?? ''), '/events', { ...body, source: 'patrol' }, photos, null, null);
}

/** An action on a task the worker saw at `version`. */
export function actionRecord(owner: string, task: { id: number; code: string; title: string; version: number }, kind: TaskAction, body: Record<string, unknown>, photos: KeptPhoto[]): OutboxEntry {
  return entry(owner, kind, `${task.code} ${task.title}`, `/events/${task.id}/${kind}`, body, photos, task.id, task.version);
}

/**
 * What a task allows on this tablet: the server's allowed actions (of those the tablet offers),
 * moved on by the worker's own actions not yet received (signed → start; started → resolve;
 * resolved or sent back → nothing more here).
 */
export function actionsNow(task: { status: string; signedAt: string | null; allowedActions: readonly string[] }, pending: readonly OutboxEntry[]): TaskAction[] {
  const offered: TaskAction[] = ['sign', 'start', 'resolve', 'send_back'];
  const waiting = pending.filter((e) => e.state === 'saved' || e.state === 'sending').map((e) => e.kind);
  if (waiting.includes('resolve') || waiting.includes('send_back')) return [];
  if (waiting.includes('start')) return ['resolve'];
  if (waiting.includes('sign')) return ['start', 'send_back'];
  return offered.filter((a) => task.allowedActions.includes(a));
}
