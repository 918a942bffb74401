/**
 * Door knocks on the phone (入户核查), pure and framework-free: a mobilised volunteer's claims,
 * releases and results kept in localStorage until the server answers, and the list as the phone
 * shows it — the board as last read with the volunteer's own unanswered writes laid on top, in
 * the board's order. Each write keeps the Idempotency-Key it was made with and is sent again
 * with it until an answer comes, so a retry after a lost answer or a reload applies once
 * (server/emergency/board-routes.ts). The tablet does the same through its outbox
 * (client/tablet/emergency.ts); the phone's handful of writes need no IndexedDB.
 */
import type { BoardHousehold } from '../../shared/emergency-board.ts';
import { statusRank, UNSETTLED, type BoardStatus, type ReportedStatus } from '../../shared/emergency-board-vocabulary.ts';

/** What a volunteer may report at a door, in the order the buttons show (safe first: the usual answer). */
export const KNOCK_RESULTS = ['safe', 'needs_help', 'no_answer', 'sheltered', 'away'] as const satisfies readonly ReportedStatus[];

/** Why the server refused a write: its i18n code, its words, and what it named (who holds the door). */
export interface DoorRefusal { code: string; message: string; details: Record<string, unknown> }

/** One claim, release or result, from the tap to the server's answer. */
export interface DoorWrite {
  key: string;
  /** Whose it is: a write is sent only while its maker is signed in. */
  owner: string;
  incidentId: number;
  householdId: number;
  kind: 'claim' | 'release' | 'done';
  /** A result: what was found, the note, and the status version the phone saw. */
  status?: ReportedStatus;
  note?: string;
  expectedVersion?: number;
  /** When it was made (ISO): a result is recorded as found then. */
  at: string;
  state: 'pending' | 'refused';
  refusal?: DoorRefusal;
}

/** A household on the phone's list: as the board had it, with the volunteer's unanswered writes applied. */
export interface Door extends BoardHousehold {
  /** The volunteer's last write on this door that waits for an answer. */
  pending: DoorWrite['kind'] | null;
  /** The server refused the volunteer's last write on this door. */
  refusal: DoorRefusal | null;
}

export interface Me { username: string; displayName: string }

const STORAGE_KEY = 'cerebellum.me.doors';
/** A refusal is shown for a day, then forgotten. */
const KEEP_REFUSED_MS = 24 * 3600_000;

let memory: DoorWrite[] = [];

/** Every kept write, oldest first (the order they are sent in). */
export function keptDoorWrites(now = Date.now()): DoorWrite[] {
  let list = memory;
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw) list = JSON.parse(raw) as DoorWrite[];
  } catch {
    // storage refused or garbled: what this page holds
  }
  return list.filter((w) => w.state === 'pending' || now - Date.parse(w.at) < KEEP_REFUSED_MS);
}

function save(list: DoorWrite[]) {
  memory = list;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(list));
  } catch {
    // kept in memory for this page
  }
}

/** Keep a new write, before it is first sent: from here on nothing loses it. */
export function keepDoorWrite(w: Omit<DoorWrite, 'state'>): DoorWrite {
  const kept: DoorWrite = { ...w, state: 'pending' };
  save([...keptDoorWrites(), kept]);
  return kept;
}

/** The server answered the write with `key`: forgotten when applied, kept with its reason when refused. */
export function answerDoorWrite(key: string, refusal: DoorRefusal | null) {
  const list = keptDoorWrites();
  save(refusal ? list.map((w) => (w.key === key ? { ...w, state: 'refused' as const, refusal } : w)) : list.filter((w) => w.key !== key));
}

/**
 * Signing out: the person's refused writes go (their notes are free text, where names hide, and
 * the phone may be handed on); the ones still waiting stay theirs, sent at their next sign-in —
 * a "needs help" found at a door is never dropped for a sign-out.
 */
export function forgetRefusedDoorWrites(owner: string) {
  save(keptDoorWrites().filter((w) => !(w.owner === owner && w.state === 'refused')));
}

/** How many of `owner`'s writes still wait for the server. */
export const waitingDoorWrites = (owner: string): number => keptDoorWrites().filter((w) => w.owner === owner && w.state === 'pending').length;

/** The request a write is: its path under /api/v1 and its body. */
export function doorRequest(w: DoorWrite): { path: string; body: object } {
  const path = `/incidents/${w.incidentId}/households/${w.householdId}/${w.kind}`;
  if (w.kind !== 'done') return { path, body: {} };
  return { path, body: { status: w.status, note: w.note ?? '', at: w.at, ...(w.expectedVersion ? { expectedVersion: w.expectedVersion } : {}) } };
}

/**
 * The list now: `households` of `incidentId` as read, each with `me`'s unanswered writes on it
 * applied in the order made (a claim holds the door for them, a release lets go, a result sets
 * the status and ends the claim), and the refusal of their latest write when nothing came after
 * it. Needs help first, then the unsettled by rank (key populations first), then the settled.
 */
export function doorsNow(incidentId: number, households: readonly BoardHousehold[], writes: readonly DoorWrite[], me: Me): Door[] {
  const mine = writes.filter((w) => w.owner === me.username && w.incidentId === incidentId);
  const doors = households.map((h, i) => {
    const door: Door & { i: number } = { ...h, i, pending: null, refusal: null };
    const on = mine.filter((w) => w.householdId === h.householdId);
    for (const w of on) {
      if (w.state !== 'pending') continue;
      door.pending = w.kind;
      if (w.kind === 'claim') door.claim = { by: me.username, byName: me.displayName, since: w.at };
      else if (w.kind === 'release') door.claim = null;
      else {
        door.status = w.status ?? door.status;
        door.note = w.note ?? '';
        door.claim = null;
        door.reportedBy = me.username;
        door.reportedByName = me.displayName;
        door.reportedAt = w.at;
        door.escalation = null;
      }
    }
    const last = on.at(-1);
    if (last?.state === 'refused' && last.refusal) door.refusal = last.refusal;
    return door;
  });
  return doors
    .sort((a, b) => statusRank(a.status) - statusRank(b.status) || a.priority - b.priority || a.i - b.i)
    .map(({ i: _i, ...d }) => d);
}

/** Still to walk to (not yet checked, no answer, needs help), and nobody holds it. */
export const mayClaim = (d: Door): boolean => d.claim === null && d.pending !== 'done' && (UNSETTLED.includes(d.status) || d.status === 'needs_help');
/** The volunteer holds the door: they may record what they found, or let it go. */
export const holds = (d: Door, me: Me): boolean => d.claim?.by === me.username && d.pending !== 'done';

/** How many of a list's doors are still to be accounted for (未核查 + 无人应答). */
export const unsettledOf = (doors: readonly Door[]): number => doors.filter((d) => UNSETTLED.includes(d.status)).length;

/**
 * A refusal in the volunteer's terms: someone else holds the door since when, or someone
 * reported first (and what); null for any other refusal (its own code says it).
 */
export function refusalOf(r: DoorRefusal, time: (iso: string) => string):
  { key: 'me.door.held' | 'me.door.changed'; who: string; at: string; status: BoardStatus } | null {
  const d = r.details as { claim?: { byName?: unknown; since?: unknown }; reportedByName?: unknown; reportedAt?: unknown; status?: unknown };
  const at = (v: unknown) => (typeof v === 'string' ? time(v) : '—');
  const who = (v: unknown) => (typeof v === 'string' && v ? v : '—');
  if (r.code === 'error.board_claimed' && d.claim) return { key: 'me.door.held', who: who(d.claim.byName), at: at(d.claim.since), status: 'unknown' };
  if (r.code === 'error.board_changed') {
    return { key: 'me.door.changed', who: who(d.reportedByName), at: at(d.reportedAt), status: typeof d.status === 'string' ? (d.status as BoardStatus) : 'unknown' };
  }
  return null;
}
