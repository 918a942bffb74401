/**
 * Grid events: reading, reporting (one or in bulk) and the lifecycle's transitions; the deadline
 * timer is `deadlines` (deadlines.ts). Each change is one write in the group-commit queue: the
 * event row, its history line and its journal entry are written together or not at all
 * (store.ts), and the change is published only after commit.
 */
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { JournalWriter } from '../kernel/journal.ts';
import { EventStore, sourceData, type EventChange, type HistoryLine } from './store.ts';
import { DeadlineTimer } from './deadlines.ts';
import { ACTION_ROLES, INGEST, READ, REPORT } from './access.ts';
import { applyAction, allowedActions, isOpen, runningDeadline, type Action } from '../../shared/lifecycle.ts';
import type { ListEventsQuery, ReportEventBody, TransitionBody } from '../../shared/schemas.ts';
import { DomainError, invalid, notFound, type FieldIssue } from '../errors.ts';
import { FUTURE_SLACK_MS, authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { Directory } from '../kernel/community.ts';
import { eventCode, fromRow, type EventRecord, type EventRow } from './record.ts';

export type { EventChange, HistoryLine };

export interface EventServiceDeps {
  db: Db;
  queue: WriteQueue<EventChange>;
  directory: Directory;
  journal: JournalWriter;
  now?: () => number;
}

export class EventService {
  #db: Db;
  #queue: WriteQueue<EventChange>;
  #dir: Directory;
  #now: () => number;
  #store: EventStore;
  /** The deadline timer: reminders (催办) and overdue marks (督办). */
  readonly deadlines: DeadlineTimer;

  constructor(deps: EventServiceDeps) {
    this.#db = deps.db;
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now ?? Date.now;
    this.#store = new EventStore(deps.db, deps.journal);
    this.deadlines = new DeadlineTimer(deps.queue, this.#store, this.#now);
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

  history(eventId: number): HistoryLine[] {
    return this.#store.history(eventId);
  }

  /** Newest first; the cursor is the id of the last event of the previous page. */
  list(principal: Principal, q: ListEventsQuery): Page<EventRecord> {
    authorise(principal, READ, 'read events');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: principal.communityId, limit: q.limit + 1 };
    const inList = (col: string, values: string[], key: string) => {
      where.push(`${col} IN (${values.map((_, i) => `@${key}${i}`).join(', ')})`);
      values.forEach((v, i) => (params[`${key}${i}`] = v));
    };
    if (q.status) inList('status', q.status, 's');
    if (q.category) inList('category', q.category, 'c');
    if (q.grid) inList('grid_id', q.grid, 'g');
    if (principal.grids) inList('grid_id', principal.grids, 'pg');
    if (q.overdue !== undefined) where.push(`overdue = ${q.overdue ? 1 : 0}`);
    if (q.from) (where.push('reported_at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('reported_at < @to'), (params.to = Date.parse(q.to)));
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db
      .prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`)
      .all(params) as EventRow[];
    return pageOf(rows.map(fromRow), q.limit);
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
  async report(principal: Principal, body: ReportEventBody): Promise<{ event: EventRecord; created: boolean; readable: boolean }> {
    authorise(principal, REPORT, 'report events');
    const now = this.#now();
    const prepared = this.#prepareReport(principal, body, now, '');
    const r = await this.#queue.runAs(principal, (ctx) => this.#insertReport(principal, prepared, now, ctx));
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
      shelvedFrom: null, shelvedAt: null, reportedAt, acceptedAt: null, dispatchedAt: null, resolvedAt: null,
      closedAt: null, reviewedAt: null, dispatchDueAt: null, handleDueAt: null, onTime: null, satisfaction: null,
      overdue: false, remindedAt: null, remindedDue: null, escalatedAt: null, version: 1, updatedAt: now,
    };
    this.#store.insertReport(e);
    this.#store.addHistory(id, reportedAt, 'report', null, 'reported', principal.id, principal.role, null, sourceData(e.source));
    this.#store.record(ctx, now, 'event.reported', null, e);
    return { event: e, created: true };
  }

  /** Take `action` on an event. Refused with 409 when the status does not allow it. */
  async transition(principal: Principal, idOrCode: string | number, action: Action, body: TransitionBody): Promise<EventRecord> {
    authorise(principal, ACTION_ROLES[action], `${action.replace('_', ' ')} events`);
    if (action === 'dispatch' && body.assigneeId !== undefined) {
      const w = this.#dir.workers.get(body.assigneeId);
      if (!w || w.communityId !== principal.communityId) {
        throw invalid([{ field: 'assigneeId', problem: `no grid worker ${body.assigneeId} in this community` }]);
      }
    }
    return this.#queue.runAs(principal, (ctx) => {
      const now = this.#now();
      const before = this.get(principal, idOrCode);
      if (body.expectedVersion !== undefined && body.expectedVersion !== before.version) {
        throw new DomainError(409, 'error.version_conflict',
          `event ${before.code} is at version ${before.version}, not ${body.expectedVersion}`, undefined, { version: before.version });
      }
      const out = applyAction(before, action, { ...body, actor: principal.id }, now);
      if (!out.ok) {
        if (out.reason === 'invalid') throw invalid([{ field: out.field, problem: out.problem }]);
        throw new DomainError(409, 'error.transition_not_allowed',
          `cannot ${action} an event that is ${before.status}${before.pending ? ` with a pending ${before.pending.kind} request` : ''}; allowed: ${out.allowed.join(', ') || 'none'}`,
          undefined, { status: before.status, allowed: out.allowed });
      }
      const after: EventRecord = { ...before, ...out.state, version: before.version + 1, updatedAt: now };
      if (action === 'review') after.reviewedAt = now;
      // A transition can end overdue (the deadline moved or stopped) but never starts it: the
      // deadline timer does that, with its supervision record (督办) and journal entry.
      const due = runningDeadline(after);
      after.overdue = before.overdue && due !== null && now > due;
      this.#store.update(after);
      this.#store.addHistory(after.id, now, action, before.status, after.status, principal.id, principal.role,
        body.note ?? null, transitionData(action, body));
      this.#store.record(ctx, now, 'event.transitioned', before, after, action);
      return after;
    });
  }

  allowed(e: EventRecord): Action[] {
    return isOpen(e.status) || e.status === 'closed' ? allowedActions(e) : [];
  }
}

function transitionData(action: Action, body: TransitionBody): string | null {
  const d: Record<string, unknown> = {};
  if (action === 'dispatch' && body.assigneeId) d.assigneeId = body.assigneeId;
  if (body.hours !== undefined) d.hours = body.hours;
  if (body.satisfaction !== undefined) d.satisfaction = body.satisfaction;
  return Object.keys(d).length ? JSON.stringify(d) : null;
}

const toRowScope = (e: EventRecord) => ({ community_id: e.communityId, grid_id: e.gridId });
