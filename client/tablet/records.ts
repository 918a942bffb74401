/**
 * The records a worker makes, as outbox entries (outbox/machine.ts): a report, an action on one
 * of their tasks, a patrol that ended, a visit to a household, a need raised from it, a resident
 * added or corrected, and in an emergency a door claimed, released or knocked. Each gets its client UUID and its Idempotency-Key at once, before anything
 * is sent, and keeps both until the server's receipt. And what a task allows on this tablet
 * while its worker's own actions still wait to be sent.
 */
import { newIdempotencyKey } from '../lib/api.ts';
import type { EntryKind, EntryRequest, KeptPhoto, OutboxEntry } from './outbox/machine.ts';

export type TaskAction = Extract<EntryKind, 'sign' | 'start' | 'resolve' | 'send_back'>;

interface Made {
  kind: EntryKind;
  label: string;
  request: EntryRequest;
  photos?: KeptPhoto[];
  eventId?: number | null;
  target?: string;
  seenVersion?: number | null;
}

function entry(owner: string, m: Made): OutboxEntry {
  return {
    id: crypto.randomUUID(), owner, kind: m.kind, createdAt: new Date().toISOString(), label: m.label,
    request: m.request, eventId: m.eventId ?? null, ...(m.target ? { target: m.target } : {}), seenVersion: m.seenVersion ?? null,
    photos: m.photos ?? [], uploaded: {}, idempotencyKey: newIdempotencyKey(), state: 'saved', tries: 0, nextTryAt: 0,
  };
}

const post = (path: string, body: Record<string, unknown>): EntryRequest => ({ method: 'POST', path, body });

/** A report (上报) for `POST /events`, from the worker's patrol. */
export function reportRecord(owner: string, body: Record<string, unknown>, photos: KeptPhoto[]): OutboxEntry {
  return entry(owner, { kind: 'report', label: String(body.title ?? ''), request: post('/events', { ...body, source: 'patrol' }), photos });
}

/** An action on a task the worker saw at `version`. */
export function actionRecord(owner: string, task: { id: number; code: string; title: string; version: number }, kind: TaskAction, body: Record<string, unknown>, photos: KeptPhoto[]): OutboxEntry {
  return entry(owner, {
    kind, label: `${task.code} ${task.title}`, request: post(`/events/${task.id}/${kind}`, body), photos, eventId: task.id, seenVersion: task.version,
  });
}

/** A patrol that ended (`POST /patrols`), logged whole. */
export function patrolRecord(owner: string, label: string, body: Record<string, unknown>): OutboxEntry {
  return entry(owner, { kind: 'patrol', label, request: post('/patrols', body) });
}

/** A visit to a household (`POST /visits`). */
export function visitRecord(owner: string, label: string, body: Record<string, unknown>): OutboxEntry {
  return entry(owner, { kind: 'visit', label, request: post('/visits', body) });
}

/** A need raised for a resident (`POST /needs`), from a visit. */
export function needRecord(owner: string, householdId: number, body: Record<string, unknown>): OutboxEntry {
  return entry(owner, { kind: 'need', label: String(body.title ?? ''), request: post('/needs', body), target: `household:${householdId}` });
}

/** A resident added to a household the tablet knows (`POST /register/residents`). */
export function residentAddRecord(owner: string, label: string, body: Record<string, unknown>): OutboxEntry {
  return entry(owner, { kind: 'resident_add', label, request: post('/register/residents', body) });
}

/**
 * A correction of a resident's entry (`PATCH /register/residents/<id>`) as the worker saw it at
 * `version`: the version goes with it when sent (machine.ts `bodyToSend`), moved on by the
 * worker's own earlier corrections of the same resident once received.
 */
export function residentFixRecord(owner: string, resident: { id: number; name: string; version: number }, changes: Record<string, unknown>): OutboxEntry {
  return entry(owner, {
    kind: 'resident_fix', label: resident.name, request: { method: 'PATCH', path: `/register/residents/${resident.id}`, body: changes },
    target: `resident:${resident.id}`, seenVersion: resident.version,
  });
}

/** A door on an incident's board, as a record names it: `door:<incident>:<household>` (its version chain). */
export const doorTarget = (incidentId: number, householdId: number) => `door:${incidentId}:${householdId}`;

interface Door { incidentId: number; householdId: number; address: string }

/** Take a door before walking to it (`POST /incidents/<id>/households/<hid>/claim`, no body). */
export function claimRecord(owner: string, door: Door): OutboxEntry {
  return entry(owner, {
    kind: 'door_claim', label: door.address, request: post(`/incidents/${door.incidentId}/households/${door.householdId}/claim`, {}),
    target: doorTarget(door.incidentId, door.householdId),
  });
}

/** Let go of a door the worker holds (`…/release`, no body). */
export function releaseRecord(owner: string, door: Door): OutboxEntry {
  return entry(owner, {
    kind: 'door_release', label: door.address, request: post(`/incidents/${door.incidentId}/households/${door.householdId}/release`, {}),
    target: doorTarget(door.incidentId, door.householdId),
  });
}

/**
 * A door knocked (`…/done`): what was found, a note, and when, against the status version the
 * worker saw (`expectedVersion`, filled in when sent: a report by someone else meanwhile is a
 * 409 shown on the record). The server ends the worker's claim with it.
 */
export function doneRecord(owner: string, door: Door & { version: number }, status: string, note: string, now: number): OutboxEntry {
  return entry(owner, {
    kind: 'door_done', label: door.address,
    request: post(`/incidents/${door.incidentId}/households/${door.householdId}/done`, {
      status, note: note.trim().slice(0, 500), at: new Date(now).toISOString(),
    }),
    target: doorTarget(door.incidentId, door.householdId), seenVersion: door.version,
  });
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
