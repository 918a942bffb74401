/**
 * Grid events: reading, reporting (one or in bulk) and the lifecycle's transitions; the deadline
 * timer is `deadlines` (deadlines.ts). Each change is one write in the group-commit queue: the
 * event row, its history line and its journal entry are written together or not at all
 * (store.ts), and the change is published only after commit.
 */
import type { Db } from '../db/index.ts';
import type { Page } from '../db/page.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { JournalWriter } from '../kernel/journal.ts';
import { EventStore, sourceData, type EventChange, type HistoryLine, type InTransaction } from './store.ts';
import { DeadlineTimer } from './deadlines.ts';
import { ACTION_ROLES, CENTRE, HANDLER, INGEST, READ, REPORT } from './access.ts';
import type { PhotoRef } from '../../shared/uploads.ts';
import type { Uploads } from '../uploads/store.ts';
import { EventQueue, type QueuePage } from './queue.ts';
import { type AssigneeSuggestion, type DuplicateCandidate, type QueueQuery } from '../../shared/desk.ts';
import { EventLedger, type Ledger } from './ledger.ts';
import { DeskStatsView } from './desk-stats.ts';
import type { ExportQuery } from '../../shared/export.ts';
import { applyAction, allowedActions, isOpen, runningDeadline, type Action } from '../../shared/lifecycle.ts';
import type { ListEventsQuery, ReportEventBody, TransitionBody } from '../../shared/schemas.ts';
import { DomainError, invalid, notFound, type FieldIssue } from '../errors.ts';
import { FUTURE_SLACK_MS, authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { isoInZone } from '../../shared/time.ts';
import { reasonProblem } from '../../shared/reasons.ts';
import type { Directory } from '../kernel/community.ts';
import { eventCode, fromRow, type EventRecord, type EventRow } from './record.ts';
import { DEFAULT_LOOP_SETTINGS, loopRules, type CommunityRules } from '../../shared/loop-settings.ts';
import { EventPhotos } from './photos.ts';
import os from 'node:os';
import path from 'node:path';

export type { EventChange, HistoryLine };

export interface EventServiceDeps {
  db: Db;
  queue: WriteQueue<EventChange>;
  directory: Directory;
  journal: JournalWriter;
  now?: () => number;
  /** The name people know an actor by (an account's display name), for the timeline and "changed by". */
  actorName?: (actor: string) => string | null;
  /** The grid-worker records that have an account (whose holder sees "my tasks"). */
  workerAccounts?: (communityId: string) => ReadonlySet<string>;
  /** Told of every change in its write's transaction (server/notices writes the notices it causes). */
  inTransaction?: InTransaction;
  /** A community's loop rules now (server/settings: cached, replaced on save); taxonomy's table without. */
  loopRules?: (communityId: string) => CommunityRules;
  /** Where photos on cases are kept (`<DATA_DIR>/photos`); without it, a temporary directory. */
  photoDir?: string;
  /** Photos received in chunks, which a report or a step names by hash (server/uploads). */
  uploads?: Uploads;
}

/** A history line with the name of who took it. */
export type NamedHistoryLine = HistoryLine & { actorName: string };

/** Actions a grid worker takes on cases dispatched to them, not to a colleague. */
/** History lines that move no version: a photo added, a report merged into the case. */
const UNVERSIONED: ReadonlySet<string> = new Set(['photo', 'absorb']);
const ASSIGNEE_ACTIONS: ReadonlySet<Action> = new Set(['sign', 'start', 'resolve', 'send_back', 'request_extension', 'request_shelve']);

export class EventService {
  #db: Db;
  #queue: WriteQueue<EventChange>;
  #dir: Directory;
  #now: () => number;
  #store: EventStore;
  #queueView: EventQueue;
  #ledger: EventLedger;
  #actorName: (actor: string) => string | null;
  #workerAccounts: (communityId: string) => ReadonlySet<string>;
  #loopRules: ((communityId: string) => CommunityRules) | undefined;
  /** The deadline timer: reminders (催办) and overdue marks (督办). */
  readonly deadlines: DeadlineTimer;
  /** The desk's numbers (运行看板): the route asks it directly. */
  readonly stats: DeskStatsView;
  /** Photos on cases (现场照片): the evidence a category may need before closing. */
  readonly photos: EventPhotos;

  constructor(deps: EventServiceDeps) {
    this.#db = deps.db;
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now ?? Date.now;
    this.#store = new EventStore(deps.db, deps.journal, deps.inTransaction ?? null);
    this.#queueView = new EventQueue(deps.db, (id) => deps.directory.timeZoneOf(id));
    this.#ledger = new EventLedger(deps.db, this.#queueView);
    this.stats = new DeskStatsView(deps.db, { timeZone: (id) => deps.directory.timeZoneOf(id), workerName: deps.directory.workerName });
    this.#actorName = deps.actorName ?? (() => null);
    this.#workerAccounts = deps.workerAccounts ?? (() => new Set());
    this.#loopRules = deps.loopRules;
    this.photos = new EventPhotos({
      db: deps.db, queue: deps.queue, store: this.#store, now: this.#now, uploads: deps.uploads,
      dir: deps.photoDir ?? path.join(os.tmpdir(), `cerebellum-photos-${process.pid}`),
    });
    const rules = deps.loopRules;
    this.deadlines = new DeadlineTimer(deps.queue, this.#store, this.#now, rules && ((communityId) => rules(communityId).remindAtRemaining));
  }

  // ---- reads -------------------------------------------------------------------------------

  get(principal: Principal, idOrCode: string | number): EventRecord {
    authorise(principal, READ, 'read events');
    const row = (typeof idOrCode === 'number' || /^\d+$/.test(String(idOrCode)) && String(idOrCode).length < 9
      ? this.#store.byId(Number(idOrCode))
      : this.#store.byCode(String(idOrCode)));
    if (!row || !this.#visible(principal, row)) throw notFound(`event ${idOrCode}`);
    return fromRow(row);
  }

  history(eventId: number): NamedHistoryLine[] {
    return this.#store.history(eventId).map((h) => {
      const assignee = typeof h.data?.assigneeId === 'string' ? this.#dir.workerName(h.data.assigneeId) : null;
      return { ...h, actorName: this.#nameOf(h.actor), ...(assignee ? { data: { ...h.data, assigneeName: assignee } } : {}) };
    });
  }

  /** Cases dispatched to each worker of a community and not yet resolved, by worker id. */
  openLoad(communityId: string): Map<string, number> {
    return this.#queueView.openLoad(communityId);
  }

  /** The reports merged into a case (并案), oldest first: each keeps its reporter. */
  mergedInto(eventId: number): EventRecord[] {
    return this.#store.mergedInto(eventId);
  }

  /** Who an actor is to people: an account's display name, a grid worker's name, or the id itself. */
  nameOf(actor: string): string {
    return this.#nameOf(actor);
  }

  #nameOf(actor: string): string {
    return this.#actorName(actor) ?? this.#dir.workerName(actor) ?? actor;
  }

  /** The dispatcher's queue: one tab of the open cases, every tab counted (server/events/queue.ts). */
  queue(principal: Principal, q: QueueQuery): QueuePage {
    authorise(principal, READ, 'read events');
    return this.#queueView.page(principal, q, this.#now());
  }

  /** The cases an export holds (server/events/ledger.ts): a tab of the queue, or the history in a time range. */
  ledger(principal: Principal, q: ExportQuery): Ledger {
    authorise(principal, READ, 'read events');
    return this.#ledger.cases(principal, q, this.#now());
  }

  /**
   * Whom to dispatch a case to, best first: the case's own grid's worker, then the others by how
   * many cases they have open now (fewest first). Another grid's worker is a suggestion the desk
   * warns about, not a refusal.
   */
  assignees(principal: Principal, idOrCode: string | number): AssigneeSuggestion[] {
    authorise(principal, CENTRE, 'dispatch events');
    const e = this.get(principal, idOrCode);
    const workers = [...this.#dir.workers.values()].filter((w) => w.communityId === principal.communityId && w.status === 'active');
    return this.#queueView.rankAssignees(e, workers, this.#workerAccounts(principal.communityId));
  }

  /** Newest first; the cursor is the id of the last event of the previous page (server/events/queue.ts). */
  list(principal: Principal, q: ListEventsQuery): Page<EventRecord> {
    authorise(principal, READ, 'read events');
    return this.#queueView.list(principal, q);
  }

  #visible(p: Principal, row: Pick<EventRow, 'community_id' | 'grid_id'>): boolean {
    if (row.community_id !== p.communityId) return false;
    return !p.grids || (row.grid_id !== null && p.grids.includes(row.grid_id));
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * Report one event. The same (source, externalId) reported again returns the first event, with
   * `readable` false when the asker may not read it (another grid's, or an integration key, which
   * only ingests): the answer then names the event and no more.
   */
  async report(
    principal: Principal, body: ReportEventBody & { photos?: PhotoRef[] },
  ): Promise<{ event: EventRecord; created: boolean; readable: boolean; photos: number }> {
    authorise(principal, REPORT, 'report events');
    const now = this.#now();
    const { photos: refs, ...fields } = body;
    const prepared = this.#prepareReport(principal, fields, now, '');
    // The photos it names, held whole (a 409 before anything is written if one is not).
    const held = await this.photos.held(refs);
    const r = await this.#queue.runAs(principal, (ctx) => {
      const made = this.#insertReport(principal, prepared, now, ctx);
      return { ...made, photos: made.created ? this.photos.attach(principal, made.event, held, now) : 0 };
    });
    return { ...r, readable: principal.role !== 'integration' && (r.created || this.#visible(principal, toRowScope(r.event))) };
  }

  /**
   * Report many events at once (integrations). Every item is checked first; if any is invalid
   * the answer names each bad item and field, and nothing is written.
   */
  async ingest(
    principal: Principal, bodies: ReportEventBody[],
  ): Promise<{ created: number; duplicates: number; events: EventRecord[]; ids: number[] }> {
    authorise(principal, INGEST, 'ingest events');
    const now = this.#now();
    const issues: FieldIssue[] = [];
    const prepared = bodies.map((b, i) => {
      try {
        return this.#prepareReport(principal, b, now, `events[${i}].`);
      } catch (e) {
        if (e instanceof DomainError && e.issues) issues.push(...e.issues);
        else throw e;
        return null;
      }
    });
    if (issues.length) throw invalid(issues);
    return this.#queue.runAs(principal, (ctx) => {
      // The ids of the events made (not of duplicates): what the audit line names.
      const ids: number[] = [];
      const events = prepared.map((p) => {
        const r = this.#insertReport(principal, p!, now, ctx);
        if (r.created) ids.push(r.event.id);
        return r.event;
      });
      return { created: ids.length, duplicates: events.length - ids.length, events, ids };
    }, { bare: true });
  }

  /**
   * Report one event inside a write another service is running (the accounted-for board's "needs
   * help": the household's status and its urgent case are one write). Checked as a report is;
   * a bad one throws and the whole write rolls back. The same (source, externalId) again
   * returns the first event, `created` false.
   */
  reportWithin(ctx: WriteContext<EventChange>, principal: Principal, body: ReportEventBody): { event: EventRecord; created: boolean } {
    const now = this.#now();
    return this.#insertReport(principal, this.#prepareReport(principal, body, now, ''), now, ctx);
  }

  #prepareReport(p: Principal, body: ReportEventBody, now: number, prefix: string) {
    const issues: FieldIssue[] = [];
    let gridId = body.gridId ?? null;
    if (gridId !== null) {
      const g = this.#dir.grids.get(gridId);
      if (!g || g.communityId !== p.communityId) issues.push({ field: `${prefix}gridId`, problem: `no grid ${gridId} in this community` });
      else if (p.grids && !p.grids.includes(gridId)) issues.push({ field: `${prefix}gridId`, problem: 'outside your grids' });
    } else if (body.lat !== undefined && body.lng !== undefined) {
      gridId = this.#dir.gridAt(p.communityId, body.lng, body.lat)?.id ?? null;
      if (p.grids && (gridId === null || !p.grids.includes(gridId))) {
        issues.push({ field: `${prefix}lat`, problem: 'the point lies outside your grids' });
      }
    } else if (p.grids) {
      // A grid worker reports in their grids; an event with no grid would be out of their sight at once.
      issues.push({ field: `${prefix}gridId`, problem: 'required: one of your grids, or a point inside one' });
    }
    let reportedAt = now;
    if (body.reportedAt) {
      reportedAt = Date.parse(body.reportedAt);
      if (reportedAt > now + FUTURE_SLACK_MS) issues.push({ field: `${prefix}reportedAt`, problem: 'is in the future' });
    }
    if (issues.length) throw invalid(issues);
    return { body, gridId, reportedAt };
  }

  #insertReport(
    principal: Principal,
    { body, gridId, reportedAt }: { body: ReportEventBody; gridId: string | null; reportedAt: number },
    now: number,
    ctx: WriteContext<EventChange>,
  ): { event: EventRecord; created: boolean } {
    if (body.externalId) {
      const dup = this.#store.byExternal(principal.communityId, body.source, body.externalId);
      if (dup) return { event: dup, created: false };
    }
    const id = this.#store.takeId();
    const code = eventCode(id, reportedAt, this.#dir.timeZoneOf(principal.communityId));
    const e: EventRecord = {
      id, code, communityId: principal.communityId, gridId, category: body.category,
      subcategory: body.subcategory ?? null, urgency: body.urgency, source: body.source, title: body.title,
      description: body.description, address: body.address ?? null, lat: body.lat ?? null, lng: body.lng ?? null,
      reporterName: body.reporterName ?? null, reporterPhone: body.reporterPhone ?? null,
      externalId: body.externalId ?? null, status: 'reported', assigneeId: null, pending: null,
      shelvedFrom: null, shelvedAt: null, reportedAt, acceptedAt: null, dispatchedAt: null, assignedAt: null, signedAt: null, duplicateOf: null, resolvedAt: null,
      closedAt: null, reviewedAt: null, dispatchDueAt: null, handleDueAt: null, onTime: null, satisfaction: null,
      overdue: false, remindedAt: null, remindedDue: null, escalatedAt: null, version: 1, updatedAt: now,
    };
    this.#store.insertReport(e);
    this.#store.addHistory(id, reportedAt, 'report', null, 'reported', principal.id, principal.role, null, sourceData(e.source));
    this.#store.record(ctx, now, 'event.reported', null, e);
    return { event: e, created: true };
  }

  /** Take `action` on an event. Refused with 409 when the status does not allow it. */
  async transition(
    principal: Principal, idOrCode: string | number, action: Action, body: TransitionBody & { photos?: PhotoRef[] },
  ): Promise<EventRecord> {
    return (await this.transitionWithPhotos(principal, idOrCode, action, body)).event;
  }

  /**
   * Take an action, with the photos of the step named by hash (the after photos of 办结): the
   * action and its photos are one write. A photo not held whole: a 409, nothing done.
   */
  async transitionWithPhotos(
    principal: Principal, idOrCode: string | number, action: Action, body: TransitionBody & { photos?: PhotoRef[] },
  ): Promise<{ event: EventRecord; photos: number }> {
    authorise(principal, ACTION_ROLES[action], `${action.replace('_', ' ')} events`);
    if (body.photos?.length && !HANDLER.includes(principal.role)) throw invalid([{ field: 'photos', problem: 'only whoever handles the case adds photos' }]);
    const held = await this.photos.held(body.photos);
    if (action === 'dispatch' && body.assigneeId !== undefined) {
      const w = this.#dir.workers.get(body.assigneeId);
      if (!w || w.communityId !== principal.communityId) {
        throw invalid([{ field: 'assigneeId', problem: `no grid worker ${body.assigneeId} in this community` }]);
      }
    }
    return this.#queue.runAs(principal, (ctx) => {
      const now = this.#now();
      const before = this.get(principal, idOrCode);
      if (body.expectedVersion !== undefined && body.expectedVersion !== before.version && !this.#onlyClockSince(before, body.expectedVersion)) {
        // Say who changed it and when, so the desk can tell "changed by 王丽 at 10:03 — reload".
        const last = this.#store.history(before.id).at(-1);
        const changedBy = last ? this.#nameOf(last.actor) : null;
        throw new DomainError(409, 'error.version_conflict',
          `event ${before.code} is at version ${before.version}, not ${body.expectedVersion}${changedBy ? `: changed by ${changedBy}` : ''}`,
          undefined, { version: before.version, changedBy, changedAt: last ? isoInZone(last.at, this.#dir.timeZoneOf(principal.communityId)) : null, action: last?.action ?? null });
      }
      if (principal.workerId && ASSIGNEE_ACTIONS.has(action) && before.assigneeId !== principal.workerId && before.status !== 'accepted') {
        throw new DomainError(403, 'error.not_assignee', `event ${before.code} is dispatched to another grid worker`);
      }
      const reasonIssue = body.reason === undefined ? null : reasonProblem(action, body.reason);
      if (reasonIssue) throw invalid([{ field: 'reason', problem: reasonIssue }]);
      // Deadlines are computed by the rules in force now and kept on the event (new ones only change).
      const out = applyAction(before, action, { ...body, actor: principal.id }, now, this.#loopRules?.(before.communityId));
      if (!out.ok) {
        if (out.reason === 'invalid') throw invalid([{ field: out.field, problem: out.problem }]);
        throw new DomainError(409, 'error.transition_not_allowed',
          `cannot ${action} an event that is ${before.status}${before.pending ? ` with a pending ${before.pending.kind} request` : ''}; allowed: ${out.allowed.join(', ') || 'none'}`,
          undefined, { status: before.status, allowed: out.allowed });
      }
      if (action === 'close' && this.evidenceRequired(before) && this.photos.count(before.id) + held.length === 0) {
        throw new DomainError(409, 'error.evidence_required',
          `closing a ${before.category} case needs a photo of the spot; ${before.code} has none`, undefined, { category: before.category });
      }
      const target = action === 'merge' ? this.#mergeTarget(principal, before, body.targetId!) : undefined;
      // Reports merged into this one would point at a case that is itself merged: the open case
      // would not list their reporters. Merge those first (or handle this report as the case).
      const absorbed = target ? this.#store.mergedInto(before.id) : [];
      if (absorbed.length) {
        throw new DomainError(409, 'error.transition_not_allowed',
          `cannot merge ${before.code}: ${absorbed.map((m) => m.code).join(', ')} ${absorbed.length === 1 ? 'is' : 'are'} merged into it`,
          undefined, { status: before.status, allowed: [] });
      }
      const after: EventRecord = { ...before, ...out.state, version: before.version + 1, updatedAt: now };
      if (action === 'review') after.reviewedAt = now;
      // A transition can end overdue (the deadline moved or stopped) but never starts it: the
      // deadline timer does that, with its supervision record (督办) and journal entry.
      const due = runningDeadline(after);
      after.overdue = before.overdue && due !== null && now > due;
      this.#store.update(after);
      this.#store.addHistory(after.id, now, action, before.status, after.status, principal.id, principal.role,
        body.note ?? null, transitionData(action, body, target));
      this.#store.record(ctx, now, 'event.transitioned', before, after, action);
      // The case it duplicates keeps the reporter: a line in its history names the merged report.
      if (target) {
        this.#store.addHistory(target.id, now, 'absorb', target.status, target.status, principal.id, principal.role, body.note ?? null,
          JSON.stringify({ sourceId: after.id, sourceCode: after.code }));
      }
      return { event: after, photos: this.photos.attach(principal, after, held, now) };
    });
  }

  /**
   * Whether every change to `e` since version `seen` was the deadline timer's (a reminder 催办, an
   * escalation 督办): those move no status, assignee or deadline, so an action taken on the case as
   * it was at `seen` — a grid worker's, sent from a tablet that was offline while the timer ran —
   * is no conflict. Each version after the first is one history line; a merged report's line on
   * its case and a photo's line move no version.
   */
  #onlyClockSince(e: EventRecord, seen: number): boolean {
    if (seen >= e.version || seen < 1) return false;
    const bumps = this.#store.history(e.id).filter((l) => !UNVERSIONED.has(l.action));
    return bumps.length === e.version && bumps.slice(seen).every((l) => l.actor === 'system');
  }

  /** Whether closing `e` needs a photo on it: its category's rule in the community's loop settings. */
  evidenceRequired(e: EventRecord): boolean {
    const rules = this.#loopRules?.(e.communityId) ?? loopRules(DEFAULT_LOOP_SETTINGS, this.#dir.timeZoneOf(e.communityId));
    return rules.evidenceRequired(e.category);
  }

  /** The open case a report may be merged into: visible to the principal, open, not itself, not merged. */
  #mergeTarget(principal: Principal, source: EventRecord, targetId: number): EventRecord {
    let target: EventRecord;
    try {
      target = this.get(principal, targetId);
    } catch {
      throw invalid([{ field: 'targetId', problem: `no case ${targetId} you may see` }]);
    }
    if (target.id === source.id) throw invalid([{ field: 'targetId', problem: 'is this report itself' }]);
    if (!isOpen(target.status)) throw invalid([{ field: 'targetId', problem: `case ${target.code} is ${target.status}, not open` }]);
    return target;
  }

  /**
   * Open cases a new report may duplicate (shared/desk.ts `DuplicateCandidate`): of its category,
   * reported within the window before or after it, and within the radius when both have a place,
   * else in the same grid; nearest first.
   */
  duplicates(principal: Principal, idOrCode: string | number): DuplicateCandidate[] {
    authorise(principal, CENTRE, 'merge events');
    const e = this.get(principal, idOrCode);
    const rules = this.#loopRules?.(e.communityId) ?? loopRules(DEFAULT_LOOP_SETTINGS, this.#dir.timeZoneOf(e.communityId));
    const rule = rules.duplicateRule(e.category);
    return this.#queueView.candidates(principal, e, rule);
  }

  /**
   * What `principal` may do to the case now: what its status allows, cut to their role's
   * actions, and for a grid worker with a record, only their own cases' (the desk shows these
   * buttons and no others).
   */
  allowedFor(principal: Principal, e: EventRecord): Action[] {
    return allowedActions(e).filter((a) => ACTION_ROLES[a].includes(principal.role)
      && !(principal.workerId && ASSIGNEE_ACTIONS.has(a) && e.assigneeId !== principal.workerId && e.status !== 'accepted')
      // A report others were merged into stays the case that keeps their reporters: not merged on.
      && !(a === 'merge' && this.#store.mergedInto(e.id).length > 0));
  }
}

function transitionData(action: Action, body: TransitionBody, target?: EventRecord): string | null {
  const d: Record<string, unknown> = {};
  if (action === 'dispatch' && body.assigneeId) d.assigneeId = body.assigneeId;
  if (body.reason !== undefined) d.reason = body.reason;
  if (target) (d.targetId = target.id, d.targetCode = target.code);
  if (body.hours !== undefined) d.hours = body.hours;
  if (body.satisfaction !== undefined) d.satisfaction = body.satisfaction;
  return Object.keys(d).length ? JSON.stringify(d) : null;
}

const toRowScope = (e: EventRecord) => ({ community_id: e.communityId, grid_id: e.gridId });
