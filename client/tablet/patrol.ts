/**
 * A patrol (巡查) while it runs, pure: started in one of the worker's grids, notes of what was
 * seen added as it goes (each with its time), and the one record it becomes when it ends
 * (`POST /patrols`, shared/fieldwork.ts `logPatrolBody`). The running patrol is kept in the
 * tablet's IndexedDB by its owner (field.svelte.ts), so a reload or an offline start finds it.
 * It holds no position and no "online time": a start, an end and what the worker wrote.
 */
import { MAX_PATROL_MS, MAX_PATROL_NOTES } from '../../shared/fieldwork-vocabulary.ts';

export interface PatrolNote { at: string; text: string }

export interface RunningPatrol {
  owner: string;
  gridId: string;
  /** The way walked, in words (optional). */
  route: string;
  /** ISO. */
  startedAt: string;
  notes: PatrolNote[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function startPatrol(owner: string, gridId: string, route: string, now: number): RunningPatrol {
  return { owner, gridId, route: route.trim(), startedAt: iso(now), notes: [] };
}

/** Whether another note fits (the server keeps at most MAX_PATROL_NOTES). */
export const mayAddNote = (p: RunningPatrol) => p.notes.length < MAX_PATROL_NOTES;

/** The patrol with one more note, stamped `now`; unchanged for a blank note or one too many. */
export function withNote(p: RunningPatrol, text: string, now: number): RunningPatrol {
  const t = text.trim();
  if (!t || !mayAddNote(p)) return p;
  // A clock set back while walking must not put a note before the start.
  const at = Math.max(now, Date.parse(p.startedAt));
  return { ...p, notes: [...p.notes, { at: iso(at), text: t.slice(0, 500) }] };
}

export function withoutNote(p: RunningPatrol, index: number): RunningPatrol {
  return { ...p, notes: p.notes.filter((_, i) => i !== index) };
}

/**
 * The body of `POST /patrols` for the patrol ended at `now`: it ends no earlier than its last
 * note, and at most 24 hours after it started (a patrol left running overnight is cut there,
 * its later notes moved to its end), so the server never refuses it for its times.
 */
export function patrolBody(p: RunningPatrol, summary: string, now: number): {
  gridId: string; startedAt: string; endedAt: string; route: string; notes: PatrolNote[]; summary: string;
} {
  const start = Date.parse(p.startedAt);
  const lastNote = Math.max(start, ...p.notes.map((n) => Date.parse(n.at)));
  const end = Math.min(start + MAX_PATROL_MS, Math.max(now, lastNote));
  return {
    gridId: p.gridId, startedAt: p.startedAt, endedAt: iso(end), route: p.route.slice(0, 200),
    notes: p.notes.map((n) => ({ at: iso(Math.min(end, Math.max(start, Date.parse(n.at)))), text: n.text })),
    summary: summary.trim().slice(0, 2000),
  };
}

/** Whole minutes the patrol ran, for its line in the list ("巡查 42 分钟"). */
export const patrolMinutes = (startedAt: string, endedAt: string) => Math.max(0, Math.round((Date.parse(endedAt) - Date.parse(startedAt)) / 60_000));
