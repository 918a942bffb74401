/**
 * A year of history for the snapshot benchmark, written straight into SQLite: `n` grid events
 * of the demo community with reported_at spread over `days` days (busier by day than by night,
 * as the demo seeding does), about 98 % finished (closed, reviewed or rejected) and the rest
 * open at every stage (the older ones mostly shelved, 挂账), plus one journal row for every
 * transition of every event, in time order. Event history lines (event_history) are not
 * written: neither the start-up rebuild nor a snapshot reads them.
 *
 * The day used in event codes is computed at UTC+8: Asia/Shanghai has had no daylight saving
 * since 1991, and ICU's formatter would cost ~10 s on a million events.
 */
import fs from 'node:fs';
import { openDatabase } from '../../server/database.ts';
import { Directory } from '../../server/kernel/community.ts';
import { draftEvent, hourlyWeight, installDemoCommunity, seededRandom, type NewEventDraft } from '../../server/demo/seed.ts';
import { DEMO_COMMUNITY } from '../../server/demo/community.ts';
import { EVENT_COLUMNS, toParams, type EventRecord } from '../../server/events/record.ts';
import { ACTIONS, STATUSES, runningDeadline, type Action, type Status } from '../../shared/lifecycle.ts';
import { timeLimitFor } from '../../shared/taxonomy.ts';
import type { EntryType } from '../../shared/protocol.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Journal row kinds: [type, action, from], numbered so that a row costs a byte. */
const KINDS: [EntryType, Action | null, Status | null][] = [];
const kindCache = new Map<number, number>();
function kind(type: EntryType, action: Action | null, from: Status | null): number {
  const key = (ENTRY_TYPES.indexOf(type) * 32 + (action ? ACTIONS.indexOf(action) + 1 : 0)) * 16 + (from ? STATUSES.indexOf(from) + 1 : 0);
  let k = kindCache.get(key);
  if (k === undefined) {
    k = KINDS.length;
    KINDS.push([type, action, from]);
    kindCache.set(key, k);
  }
  return k;
}
const ENTRY_TYPES: EntryType[] = ['event.reported', 'event.transitioned', 'event.reminded', 'event.overdue'];

const OPEN_STAGES: [Status, number][] = [
  ['reported', 0.08], ['accepted', 0.1], ['dispatched', 0.17], ['in_progress', 0.35], ['resolved', 0.15], ['returned', 0.03], ['shelved', 0.12],
];

function pickStage(r: number, old: boolean): Status {
  if (old) return r < 0.8 ? 'shelved' : 'in_progress';
  for (const [s, w] of OPEN_STAGES) if ((r -= w) < 0) return s;
  return 'in_progress';
}

export interface HistoryStats {
  events: number;
  open: number;
  byStatus: Record<string, number>;
  /** Journal entries made, and kept after retention. */
  journalRows: number;
  journalKept: number;
  buildMs: number;
  fileBytes: number;
}

/**
 * `journalDays`: how much journal to keep, as the server's retention (JOURNAL_DAYS, 30 by
 * default) would have left it after a year; older entries count as pruned, as the hourly
 * pruning records them. `Infinity` keeps every entry.
 */
export function buildHistory(file: string, n: number, days: number, now: number, journalDays = Infinity): HistoryStats {
  const t0 = performance.now();
  const db = openDatabase(file);
  installDemoCommunity(new Directory(db), now - days * DAY - DAY);
  // Building only: no WAL and no fsync; the server reopens the file in WAL with FULL.
  db.pragma('journal_mode = DELETE');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');

  const c = DEMO_COMMUNITY;
  const rand = seededRandom(365);
  const drafts: NewEventDraft[] = Array.from({ length: 4000 }, () => draftEvent(rand, c));
  const workerOf = new Map(c.workers.map((w) => [w.gridId, w.id]));

  // Hours of the year weighted by the demo's daily rhythm; event i lands where the cumulative
  // weight crosses (i + 0.5) / n, so exactly n events are spread as the rhythm says.
  const start = now - days * DAY;
  const hours = days * 24;
  const weights = new Float64Array(hours);
  let W = 0;
  for (let h = 0; h < hours; h++) W += weights[h] = hourlyWeight(start + h * HOUR, c.timeZone);

  const cap = n * 9;
  const SHIFT = 2 ** 25;
  if (cap > SHIFT) throw new Error('too many journal rows for the sort key');
  const jAt = new Float64Array(cap);
  const jEvent = new Int32Array(cap);
  const jKind = new Uint8Array(cap);
  let jn = 0;
  const journal = (at: number, eventId: number, k: number) => {
    jAt[jn] = Math.round(at);
    jEvent[jn] = eventId;
    jKind[jn++] = k;
  };

  const insert = db.prepare(`INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map((k) => '@' + k).join(', ')})`);
  const byStatus: Record<string, number> = {};
  let open = 0;
  let id = 1;
  let kept = 0;

  db.transaction(() => {
    let cum = 0;
    for (let h = 0; h < hours && id <= n; h++) {
      cum += weights[h]!;
      while (id <= n && ((id - 0.5) / n) * W < cum) {
        const reportedAt = Math.floor(start + h * HOUR + rand() * HOUR);
        const d = drafts[Math.floor(rand() * drafts.length)]!;
        const e = eventAt(id, reportedAt, d, workerOf.get(d.gridId)!, now, rand, journal);
        insert.run(toParams(roundTimes(e)));
        byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
        if (e.status !== 'closed' && e.status !== 'reviewed' && e.status !== 'rejected') open++;
        id++;
      }
    }

    // The journal in time order, so seq follows time as it does live. The sort key packs the
    // second (relative to the start) above the row index, and sorts natively.
    const keys = new Float64Array(jn);
    for (let i = 0; i < jn; i++) keys[i] = Math.floor((jAt[i]! - start + DAY) / 1000) * SHIFT + i;
    keys.sort();
    const stmt = db.prepare('INSERT INTO journal (seq, at, community_id, type, event_id, action, from_status) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const keepFrom = now - journalDays * DAY;
    let pruned = 0;
    for (let k = 0; k < jn; k++) {
      const i = keys[k]! % SHIFT;
      if (jAt[i]! < keepFrom) {
        pruned = k + 1;
        continue;
      }
      const [type, action, from] = KINDS[jKind[i]!]!;
      stmt.run(k + 1, jAt[i]!, c.id, type, jEvent[i]!, action, from);
      kept++;
    }
    if (pruned) db.prepare("INSERT INTO meta (key, value) VALUES ('journal_pruned_through', ?)").run(String(pruned));
  })();
  db.close();
  return { events: id - 1, open, byStatus, journalRows: jn, journalKept: kept, buildMs: performance.now() - t0, fileBytes: fs.statSync(file).size };
}

/** One event's life up to `now`: finished for most, stopped at some stage for the open ones. */
function eventAt(
  id: number, reportedAt: number, d: NewEventDraft, workerId: string, now: number, rand: () => number,
  journal: (at: number, eventId: number, kind: number) => void,
): EventRecord {
  const local = new Date(reportedAt + 8 * HOUR);
  const code = `${local.getUTCFullYear()}${String(local.getUTCMonth() + 1).padStart(2, '0')}${String(local.getUTCDate()).padStart(2, '0')}${String(id).padStart(7, '0')}`;
  const e: EventRecord = {
    id, code, communityId: DEMO_COMMUNITY.id, gridId: d.gridId, category: d.category, subcategory: d.subcategory,
    urgency: d.urgency, source: d.source, title: d.title, description: d.description, address: d.address,
    lat: d.lat, lng: d.lng, reporterName: d.reporterName, reporterPhone: d.reporterPhone, externalId: null,
    status: 'reported', assigneeId: null, pending: null, shelvedFrom: null, shelvedAt: null, reportedAt,
    acceptedAt: null, dispatchedAt: null, resolvedAt: null, closedAt: null, reviewedAt: null, dispatchDueAt: null,
    handleDueAt: null, onTime: null, satisfaction: null, overdue: false, remindedAt: null, remindedDue: null,
    escalatedAt: null, version: 1, updatedAt: reportedAt,
  };
  journal(reportedAt, id, kind('event.reported', null, null));

  const age = now - reportedAt;
  const isOpen = rand() < (age < 2 * DAY ? 0.5 : age < 30 * DAY ? 0.08 : 0.008);
  const stop: Status = isOpen ? pickStage(rand(), age > 30 * DAY) : 'reviewed';
  const limit = timeLimitFor(e.category, e.urgency);
  let t = reportedAt;
  // Steps happen in order; each is skipped (and the event stays where it is) if it would be
  // in the future or past the stage an open event stops at.
  const step = (action: Action, at: number, to: Status, apply: () => void): boolean => {
    if (at >= now) return false;
    const from = e.status;
    apply();
    e.status = to;
    e.version++;
    e.updatedAt = at;
    journal(at, id, kind('event.transitioned', action, from));
    return true;
  };

  t += (2 + rand() * 25) * MIN;
  if (!isOpen && rand() < 0.05) {
    const at = t;
    step('reject', at, 'rejected', () => (e.closedAt = at));
    return e;
  }
  if (stop === 'reported') return finishOpen(e, now, journal);
  const accepted = t;
  if (!step('accept', t, 'accepted', () => ((e.acceptedAt = accepted), (e.dispatchDueAt = accepted + limit.dispatchMinutes * MIN)))) return finishOpen(e, now, journal);
  if (stop === 'accepted') return finishOpen(e, now, journal);
  t += rand() * limit.dispatchMinutes * 1.1 * MIN;
  const dispatched = t;
  if (!step('dispatch', t, 'dispatched', () => ((e.assigneeId = workerId), (e.dispatchedAt = dispatched), (e.handleDueAt = dispatched + limit.handleHours * HOUR)))) return finishOpen(e, now, journal);
  if (stop === 'returned') {
    step('send_back', t + (5 + rand() * 60) * MIN, 'returned', () => (e.assigneeId = null));
    return finishOpen(e, now, journal);
  }
  if (stop === 'dispatched') return finishOpen(e, now, journal);
  t += (5 + rand() * 40) * MIN;
  if (!step('start', t, 'in_progress', () => {})) return finishOpen(e, now, journal);
  if (stop === 'shelved') {
    const at = t + rand() * Math.min(age / 2, 5 * DAY);
    step('approve_shelve', at, 'shelved', () => ((e.shelvedFrom = 'in_progress'), (e.shelvedAt = at)));
    return finishOpen(e, now, journal);
  }
  if (stop === 'in_progress') return finishOpen(e, now, journal);
  const share = rand() < 0.12 ? 1.05 + rand() * 0.8 : 0.1 + rand() * 0.8;
  t = Math.max(t + 10 * MIN, dispatched + share * limit.handleHours * HOUR);
  const resolved = t;
  if (!step('resolve', t, 'resolved', () => ((e.resolvedAt = resolved), (e.onTime = resolved <= e.handleDueAt!)))) return finishOpen(e, now, journal);
  if (stop === 'resolved') return finishOpen(e, now, journal);
  t += (0.5 + rand() * 6) * HOUR;
  const closed = t;
  if (!step('close', t, 'closed', () => (e.closedAt = closed))) return finishOpen(e, now, journal);
  const reviewed = e.source === 'resident' || e.source === 'hotline' ? rand() < 0.8 : rand() < 0.3;
  if (reviewed) {
    t += (18 + rand() * 12) * HOUR;
    const r = rand();
    const at = t;
    step('review', t, 'reviewed', () => ((e.reviewedAt = at), (e.satisfaction = r < 0.62 ? 5 : r < 0.88 ? 4 : r < 0.96 ? 3 : r < 0.99 ? 2 : 1)));
  }
  return e;
}

/** An open event past its running deadline is overdue, with its escalation in the journal. */
function finishOpen(e: EventRecord, now: number, journal: (at: number, eventId: number, kind: number) => void): EventRecord {
  const due = runningDeadline(e);
  if (due !== null && now > due) {
    const at = Math.max(e.updatedAt, Math.min(now - 1, due + MIN));
    e.overdue = true;
    e.escalatedAt = at;
    e.version++;
    e.updatedAt = at;
    journal(at, e.id, kind('event.overdue', null, e.status));
  }
  return e;
}

const TIME_FIELDS = [
  'shelvedAt', 'reportedAt', 'acceptedAt', 'dispatchedAt', 'resolvedAt', 'closedAt', 'reviewedAt',
  'dispatchDueAt', 'handleDueAt', 'escalatedAt', 'updatedAt',
] as const;

/** Instants are whole milliseconds, as Date.now() gives them. */
function roundTimes(e: EventRecord): EventRecord {
  for (const k of TIME_FIELDS) if (e[k] !== null) (e as unknown as Record<string, number>)[k] = Math.round(e[k]!);
  return e;
}
