/**
 * The live protocol: the socket.io contract between the server and every display.
 * `docs/PROTOCOL.md` describes it for other vendors; this file is the truth.
 *
 * Times are ISO 8601 strings with the community's offset.
 */
import type { FieldIssue } from './errors.ts';
import type { Action, PendingRequest, Status } from './lifecycle.ts';
import type { Source, Urgency } from './taxonomy.ts';
import type { SubscribeRequest } from './schemas.ts';
import type { SubjectViews } from './subjects.ts';
import type { IncidentAck, IncidentAcked, IncidentNews } from './emergency.ts';
import type { BoardChanged, PublicBoard } from './emergency-board.ts';
import type { PublicPeople } from './emergency-people.ts';

/**
 * A grid event as the staff audience sees it. The public projection masks or leaves out
 * personal fields, and a public display receives only its `PublicEventView` part.
 */
export interface EventView {
  id: number;
  code: string;
  communityId: string;
  gridId: string | null;
  category: string;
  subcategory: string | null;
  urgency: Urgency;
  source: Source;
  status: Status;
  title: string;
  /** Staff only: the public projection carries no description (docs/SECURITY.md). */
  description?: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
  /** Absent on the public audience. */
  reporterName?: string | null;
  reporterPhone?: string | null;
  /** Staff only: the reporting system's own id (hotline ticket, sensor alarm), for de-duplication. */
  externalId?: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  pending: Omit<PendingRequest, 'at'> & { at: string } | null;
  reportedAt: string;
  acceptedAt: string | null;
  dispatchedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  dispatchDueAt: string | null;
  handleDueAt: string | null;
  /** The deadline that is running now, if any. */
  dueAt: string | null;
  /** When it was last dispatched, and when its assignee signed for it (签收). */
  assignedAt: string | null;
  signedAt: string | null;
  /** While it waits to be signed for: by when (SIGN_FOR_MS after the dispatch). */
  signDueAt: string | null;
  /** A report merged into the open case it duplicates (并案): that case's id. */
  duplicateOf: number | null;
  overdue: boolean;
  onTime: boolean | null;
  satisfaction: number | null;
  remindedAt: string | null;
  escalatedAt: string | null;
  version: number;
  updatedAt: string;
}

/**
 * A grid event as the public audience (wall displays) receives it: what a wall draws and what
 * the display rule reads (shared/display-events.ts), nothing more. Every field is the
 * `EventView` field of the same name, masked as it is there; the staff audience gets the whole
 * `EventView`. `version` stays so that any display can tell which of two views of an event is
 * newer.
 */
export interface PublicEventView {
  id: number;
  code: string;
  gridId: string | null;
  category: string;
  status: Status;
  title: string;
  lat: number | null;
  lng: number | null;
  overdue: boolean;
  closedAt: string | null;
  updatedAt: string;
  version: number;
}

/**
 * What happened to an event, as one journal entry tells it: reported (上报); an action taken
 * (`action`, from status `from`); reminded (催办) by the deadline timer before its limit; overdue
 * (超期督办) past its limit, which is the escalation: `overdue` and `escalatedAt` are set with it.
 */
export type EntryType =
  | 'event.reported'
  | 'event.transitioned'
  | 'event.reminded'
  | 'event.overdue';

export interface Entry {
  seq: number;
  at: string;
  type: EntryType;
  /** For transitions: the action taken. */
  action?: Action;
  /** Staff only: the status before the change. */
  from?: Status;
  /** The staff audience gets the whole `EventView`, the public audience its `PublicEventView` part. */
  event: EventView | PublicEventView;
}

export interface Kpis {
  /** Events reported since local midnight. */
  reportedToday: number;
  closedToday: number;
  overdueNow: number;
  openNow: number;
  /** Closed / accepted over the last 30 days, 0–1, null when nothing was accepted. */
  closureRate: number | null;
  /** Of the events closed over the last 30 days, the share resolved within the handling limit. */
  onTimeRate: number | null;
  /** Mean minutes from report to close, over the last 30 days. */
  avgHandleMinutes: number | null;
  /** Mean satisfaction (1–5) of reviews over the last 30 days. */
  satisfaction: number | null;
}

export interface TrendPoint {
  /** Start of the hour. */
  hour: string;
  reported: number;
  closed: number;
}

export interface CategoryCount {
  code: string;
  reported: number;
  open: number;
}

export interface GridRank {
  gridId: string;
  reported: number;
  /** Closed (核查结案) over the last 30 days. */
  resolved: number;
  onTimeRate: number | null;
  open: number;
  overdue: number;
}

/** Server-computed aggregates: a client never derives these, so they never drift from the database. */
export interface Views {
  kpis: Kpis;
  trend: TrendPoint[];
  categories: CategoryCount[];
  grids: GridRank[];
  /** When these were computed. */
  asOf: string;
  /** The five subjects (volunteers, organizations, social work, charity, needs) and their linkage. */
  subjects?: SubjectViews;
}

export interface CommunityInfo {
  id: string;
  name: { zh: string; en: string };
  timeZone: string;
  center: [number, number];
}

export interface GridInfo {
  id: string;
  name: { zh: string; en: string };
  workerId: string | null;
  workerName: string | null;
}

export interface Snapshot {
  dbId: string;
  seq: number;
  community: CommunityInfo;
  grids: GridInfo[];
  views: Views;
  /**
   * Open events and events finished today, best first and at most `DISPLAY_EVENT_LIMIT`
   * (shared/display-events.ts): open before finished, overdue first, then the latest changed.
   */
  events: (EventView | PublicEventView)[];
  /** The latest entries, newest first, at most `STREAM_LIMIT`. */
  recent: Entry[];
}

export const STREAM_LIMIT = 50;

/** A batch of entries for one audience. `prev` is the seq of the last entry sent before it. */
/**
 * A batch's views: in full but for `subjects`, which hold only the parts (top-level keys) that
 * changed since this community's previous batch, and are absent when none did. A client
 * merges them over what it holds; a snapshot or replay answer always carries them whole.
 */
export type BatchViews = Omit<Views, 'subjects'> & { subjects?: Partial<SubjectViews> };

export interface Batch {
  prev: number;
  seq: number;
  entries: Entry[];
  views: BatchViews;
}

/**
 * How batches travel, chosen at `subscribe`: left out, as `batch` (the JSON of a `Batch`);
 * `'deflate'`, as `batch:deflate` with one string argument, the base64 of the raw DEFLATE
 * (RFC 1951: no zlib or gzip wrapper) of the UTF-8 JSON of that same `Batch`. The server
 * compresses each batch once per audience, and every display of the room shares the frame.
 */
export type Encoding = 'deflate';

export interface Heartbeat {
  seq: number;
  at: string;
}

export type SubscribeResult =
  | { ok: true; mode: 'snapshot'; snapshot: Snapshot }
  | { ok: true; mode: 'replay'; dbId: string; seq: number; entries: Entry[]; views: Views }
  | { ok: false; error: string; issues?: FieldIssue[] };

/**
 * What a person is told of (server/notices): a case dispatched to them (`dispatched`), returned
 * to them for rework (`returned`, 退回), sent back to the centre (`sent_back`, 回退), a reminder
 * (`reminded`, 催办), supervision (`overdue`, 督办), and the answer to their request for more time
 * or to shelve a case; the centre's own 催办 (`urged`) and 督办 (`supervised`) with its note.
 */
export type NoticeKind =
  | 'dispatched' | 'returned' | 'sent_back' | 'reminded' | 'overdue'
  | 'extension_approved' | 'extension_denied' | 'shelve_approved' | 'shelve_denied'
  | 'urged' | 'supervised';

/** One notice, as `GET /api/v1/notices` lists it and the `notice` message brings it. */
export interface Notice {
  id: number;
  kind: NoticeKind;
  /** The case it is about (`/console/events/:id`). */
  eventId: number;
  /** The case's number and title when the notice was written. */
  code: string;
  title: string;
  /** Who acted; null for the deadline timer. */
  byName: string | null;
  /** The hours granted (`extension_approved`); null otherwise. */
  hours: number | null;
  /** The deadline a reminder or supervision is about; null otherwise. */
  dueAt: string | null;
  /** The note written with the step (the centre's 催办, why a fix was returned); null when none. */
  note: string | null;
  at: string;
  /** Null while unread. */
  readAt: string | null;
}

/** A new notice for the person the socket belongs to, with their count of unread notices. */
export interface NoticeAlert {
  notice: Notice;
  unread: number;
}

/** The person read notices (in another tab, say): which, or 'all', and how many are left unread. */
export interface NoticesRead {
  ids: number[] | 'all';
  unread: number;
}

export interface ServerToClientEvents {
  batch: (b: Batch) => void;
  /** A `Batch` for a socket that subscribed with `encoding: 'deflate'`: base64 of the raw DEFLATE of its JSON. */
  'batch:deflate': (frame: string) => void;
  heartbeat: (h: Heartbeat) => void;
  /** Ask every display to reload its page (after a deploy, say). */
  'screen:reload': () => void;
  /** A notice for this socket's person (staff sockets only; sent whether or not the socket subscribed). */
  notice: (n: NoticeAlert) => void;
  /** This socket's person marked notices read. */
  'notice:read': (r: NoticesRead) => void;
  /** Records of the five subjects changed (signed-in consoles of the community only; server/live/desks.ts). */
  'desk:changed': (c: DeskChanged) => void;
  /**
   * Emergency mode (shared/emergency.ts): the community's incident, to every wall, console and
   * tablet of the community (not a volunteer's phone) as it connects and at each step (declared,
   * updated, ended), whether or not the socket subscribed. Public: no names.
   */
  'incident:changed': (n: IncidentNews) => void;
  /** A wall acknowledged an incident's version (signed-in consoles of the community). */
  'incident:acked': (a: IncidentAcked) => void;
  /** The accounted-for board changed (signed-in staff of the community; a notice: they read the board again). */
  'board:changed': (c: BoardChanged) => void;
  /** The board's per-grid guarded counts (every wall, console and tablet of the community): no names, no house numbers. */
  'board:counts': (b: PublicBoard) => void;
  /** An incident's call-outs, shelters or supplies changed (signed-in staff of the community; a notice: they read again). */
  'people:changed': (c: { incidentId: number | null }) => void;
  /** Volunteers mobilised and on duty, shelters' occupancy, supplies running low (every wall, console and tablet): counts, no names. */
  'people:counts': (p: PublicPeople) => void;
}

/** One record of the five subjects that changed: its journal type, entity and row id. Nothing personal. */
export interface DeskChange {
  subject: string;
  /** e.g. `volunteer.checked_in`. */
  type: string;
  /** e.g. `volunteer`, `activity`, `signup`, `points_txn`, `exchange_item`, `donation`, `need`. */
  entity: string;
  id: number;
  /** The records it belongs to, by id: a sign-up's `volunteerId` and `activityId`, a points entry's `volunteerId` … */
  refs?: Record<string, number>;
}

/** What one commit changed in a community's five subjects, for its desks. */
export interface DeskChanged {
  /** The newest journal seq among them. */
  seq: number;
  changes: DeskChange[];
  /** Every entity that changed, listed or not. */
  entities: string[];
  /** More changed than `changes` lists: take every record of `entities` as changed. */
  truncated?: boolean;
}

export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (r: SubscribeResult) => void) => void;
  /** A wall (or a tablet) shows this version of the incident: after the layout rendered, or the playlist came back after the end. */
  'incident:ack': (a: IncidentAck, ack?: (r: AckResult) => void) => void;
}

/** The answer to a command that returns nothing: done, or why not (an i18n key). */
export type AckResult = { ok: true } | { ok: false; error: string; issues?: FieldIssue[] };

export const HEARTBEAT_MS = 5_000;
/** A display calls its data stale after this long without a batch or heartbeat. */
export const STALE_AFTER_MS = 12_000;
