/**
 * The tablet in an emergency, pure: the door-knock list (入户核查) as the worker's tablet shows
 * it — the incident's board as last loaded, with the worker's own claims, releases and knocks
 * that still wait in the outbox laid on top, in the board's order — what the worker may do at a
 * door, each grid's counts from that list, and how long the incident has run. The records
 * themselves are records.ts; the board's kept copy and the incident are emergency.svelte.ts's.
 */
import type { BoardHousehold } from '../../shared/emergency-board.ts';
import { statusRank, UNSETTLED, type BoardStatus, type EscalationStage, type Priority, type ReportedStatus } from '../../shared/emergency-board-vocabulary.ts';
import { isUnsent, type OutboxEntry, type Refusal } from './outbox/machine.ts';
import { doorTarget } from './records.ts';

/** What the worker may report at a door, in the order the buttons show (safe first: the usual answer). */
export const KNOCK_RESULTS = ['safe', 'needs_help', 'no_answer', 'sheltered', 'away'] as const satisfies readonly ReportedStatus[];

/** A household on the list: as the board had it, with the worker's unsent records applied. */
export interface Door {
  incidentId: number;
  householdId: number;
  gridId: string;
  address: string;
  priority: Priority;
  status: BoardStatus;
  /** The status version the board had when loaded: a knock expects it. */
  version: number;
  note: string;
  claim: { by: string; byName: string; since: string } | null;
  tags: string[];
  mobility: string[];
  residentCount: number;
  reportedByName: string | null;
  reportedAt: string | null;
  escalation: EscalationStage | null;
  /** The worker's last record on this door that still waits to be sent. */
  pending: 'claim' | 'release' | 'done' | null;
  /** The server refused the worker's last record on this door (someone else holds it, someone reported first). */
  refusal: Refusal | null;
}

export interface Me { username: string; displayName: string }

/**
 * The list now: `households` of `incidentId` as loaded, each with the worker's unsent records on
 * it applied in the order made (a claim holds the door for them; a release lets go; a knock sets
 * the status and ends the claim), and the refusal of their latest record when nothing came after
 * it. Needs help first, then the unsettled by rank, then the settled; the board's order otherwise.
 */
export function doorsNow(incidentId: number, households: readonly BoardHousehold[], entries: readonly OutboxEntry[], me: Me): Door[] {
  const mine = entries.filter((e) => e.owner === me.username && e.target?.startsWith(`door:${incidentId}:`));
  const doors = households.map((h, i): Door & { i: number } => {
    const door: Door & { i: number } = {
      i, incidentId, householdId: h.householdId, gridId: h.gridId, address: h.address, priority: h.priority, status: h.status, version: h.version,
      note: h.note, claim: h.claim, tags: [...h.tags], mobility: [...h.mobility], residentCount: h.residentCount,
      reportedByName: h.reportedByName, reportedAt: h.reportedAt, escalation: h.escalation, pending: null, refusal: null,
    };
    const on = mine.filter((e) => e.target === doorTarget(incidentId, h.householdId));
    for (const e of on) {
      if (!isUnsent(e)) continue;
      if (e.kind === 'door_claim') (door.claim = { by: me.username, byName: me.displayName, since: e.createdAt }), (door.pending = 'claim');
      else if (e.kind === 'door_release') (door.claim = null), (door.pending = 'release');
      else if (e.kind === 'door_done') {
        const body = e.request.body as { status?: BoardStatus; note?: string };
        door.status = body.status ?? door.status;
        door.note = body.note ?? '';
        door.claim = null;
        door.reportedByName = me.displayName;
        door.reportedAt = e.createdAt;
        door.escalation = null;
        door.pending = 'done';
      }
    }
    const last = on.at(-1);
    if (last?.state === 'refused' && last.error) door.refusal = last.error;
    return door;
  });
  return doors
    .sort((a, b) => statusRank(a.status) - statusRank(b.status) || a.priority - b.priority || a.i - b.i)
    .map(({ i: _i, ...d }) => d);
}

/**
 * A door still to walk to (not yet checked, no answer, or needs help) that nobody holds: the
 * worker may take it (a pending knock waits for its answer first). A settled one is only corrected.
 */
export const mayClaim = (d: Door): boolean => d.claim === null && d.pending !== 'done' && (UNSETTLED.includes(d.status) || d.status === 'needs_help');
/** The worker holds the door (or nobody did when last loaded: the server decides on arrival). */
export const mayKnock = (d: Door, me: Me): boolean => d.pending !== 'done' && (d.claim === null || d.claim.by === me.username);
export const mayRelease = (d: Door, me: Me): boolean => d.claim?.by === me.username && d.pending !== 'done';

export interface DoorCounts { total: number; unknown: number; safe: number; needsHelp: number; sheltered: number; away: number }

/** Each grid's counts from the list as shown (the worker's unsent knocks counted): "待确认 12". */
export function countsOf(doors: readonly Door[]): Map<string, DoorCounts> {
  const out = new Map<string, DoorCounts>();
  for (const d of doors) {
    let c = out.get(d.gridId);
    if (!c) out.set(d.gridId, (c = { total: 0, unknown: 0, safe: 0, needsHelp: 0, sheltered: 0, away: 0 }));
    c.total++;
    if (UNSETTLED.includes(d.status)) c.unknown++;
    else if (d.status === 'safe') c.safe++;
    else if (d.status === 'needs_help') c.needsHelp++;
    else if (d.status === 'sheltered') c.sheltered++;
    else c.away++;
  }
  return out;
}

/** How long since `iso`, in whole minutes, hours and days (`{ d, h, m }`), never negative. */
export function elapsed(iso: string, now: number): { d: number; h: number; m: number } {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  return { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60), m: minutes % 60 };
}

/**
 * Why the server refused a door record, as the message to show: someone else holds the door
 * ("王丽 已于 22:10 认领此户"), or someone reported first; null for any other refusal.
 */
export function doorRefusal(e: Refusal, time: (iso: string) => string): { key: 'tablet.door.held' | 'tablet.door.changed'; who: string; at: string; status: BoardStatus } | null {
  const d = (e.details ?? {}) as { claim?: { byName?: unknown; since?: unknown }; reportedByName?: unknown; reportedAt?: unknown; status?: unknown };
  const at = (v: unknown) => (typeof v === 'string' ? time(v) : '—');
  const who = (v: unknown) => (typeof v === 'string' && v ? v : '—');
  if (e.code === 'error.board_claimed' && d.claim) return { key: 'tablet.door.held' as const, who: who(d.claim.byName), at: at(d.claim.since), status: 'unknown' };
  if (e.code === 'error.board_changed') {
    const status = typeof d.status === 'string' ? (d.status as BoardStatus) : 'unknown';
    return { key: 'tablet.door.changed' as const, who: who(d.reportedByName), at: at(d.reportedAt), status };
  }
  return null;
}
