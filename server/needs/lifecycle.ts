/**
 * The need list (需求清单): needs raised by residents, grid workers and social workers, and their
 * lifecycle raised → matched → in_progress → met → rated (or closed). Matching is `matches.ts`;
 * here a need is raised, found, started, met, rated and closed.
 *
 * Metrics (metrics_hourly): a need raised counts for the community (needs_raised, at the instant
 * raised, in its grid); a need met counts for the subject that met it (needs_met and the
 * response time raised → met, and for a task also one service and its beneficiaries: projects
 * count their services through the organizations' records); a rating adds to that subject's
 * satisfaction.
 */
import { pageOf, type Page } from '../db/page.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { DomainError } from '../errors.ts';
import { authorise, instantFrom, invalidField, requireGrid } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { DAY_MS, wallTime } from '../../shared/time.ts';
import { serviceCategoryZh } from '../../shared/subjects.ts';
import {
  needCode, needDueAt, type CloseNeedBody, type ListNeedsQuery, type NeedStepBody, type RaiseNeedBody, type RateNeedBody,
} from '../../shared/needs.ts';
import { COORDINATE, ON_SITE, RAISE, STAFF } from './access.ts';
import { guarded, hoursOf, needLine, publicGrid, subjectLabel } from './feed-lines.ts';
import { needFromRow, type NeedRecord } from './record.ts';
import { requireAction, type NeedParts, type NeedStore } from './store.ts';

/** A paper record may be entered this long after the fact, no longer. */
const BACKDATE_LIMIT_MS = 90 * DAY_MS;

/** Needs: raise, find and list them, and walk them through their lifecycle. */
export class NeedLifecycleService {
  #store: NeedStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #metrics: Metrics;
  #now: () => number;

  constructor(parts: NeedParts) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#dir = parts.directory;
    this.#metrics = parts.metrics;
    this.#now = parts.now;
  }

  /**
   * Raise a need (status raised). Its code is XQ-<year>-<seq>; its due time follows from its
   * urgency (NEED_DUE_HOURS), counted from `raisedAt` when a paper record is entered later.
   */
  async raise(p: Principal, body: RaiseNeedBody): Promise<NeedRecord> {
    authorise(p, RAISE, 'raise needs');
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    if (p.grids && body.gridId === undefined) invalidField('gridId', 'required: name one of your grids');
    if (p.grids && body.gridId !== undefined && !p.grids.includes(body.gridId)) {
      throw new DomainError(403, 'error.forbidden', `grid ${body.gridId} is not one of yours`);
    }
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const raisedAt = instantFrom('raisedAt', body.raisedAt, now);
      if (raisedAt < now - BACKDATE_LIMIT_MS) invalidField('raisedAt', 'is more than 90 days ago');
      const year = wallTime(raisedAt, this.#dir.timeZoneOf(p.communityId)).year;
      const code = needCode(year, this.#store.nextSeq('needs', 'XQ', year));
      const id = Number(this.#store.stmt.insertNeed.run(
        p.communityId, code, body.title, body.description, body.category, JSON.stringify(body.skills), body.urgency,
        body.gridId ?? null, body.address ?? null, body.raisedByKind, p.id, body.residentName ?? null, body.residentPhone ?? null,
        JSON.stringify(body.populations), body.beneficiaries, needDueAt(raisedAt, body.urgency), raisedAt, raisedAt,
      ).lastInsertRowid);
      const n = this.#store.needRow(id);
      this.#metrics.bump(p.communityId, raisedAt, 'community', publicGrid(n), { needsRaised: 1 });
      const grid = n.gridId ? this.#dir.grids.get(n.gridId)?.name.zh : null;
      const category = { category: serviceCategoryZh(n.category), categoryCode: n.category };
      const params = { ...category, title: feedText(n.title, [n.residentName]) };
      this.#store.entry(ctx, p, now, 'community', 'need.raised', 'need', id,
        { code, category: n.category, urgency: n.urgency, gridId: n.gridId, raisedAt, dueAt: n.dueAt, beneficiaries: n.beneficiaries },
        null,
        guarded(n)
          ? { subject: 'community', key: 'feed.need.raised_protected', params: category, gridId: null }
          : grid
            ? { subject: 'community', key: 'feed.need.raised', params: { ...params, grid }, gridId: n.gridId }
            : { subject: 'community', key: 'feed.need.raised_community', params, gridId: null });
      return n;
    });
  }

  /** A need by id or code (XQ-2026-0001); a grid worker finds only their grids' needs. */
  get(p: Principal, idOrCode: number | string): NeedRecord {
    return this.#store.need(p, idOrCode);
  }

  /** Newest first; the cursor is the id of the last need of the previous page. */
  list(p: Principal, q: ListNeedsQuery): Page<NeedRecord> {
    authorise(p, STAFF, 'see needs');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1, now: this.#now() };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.open === true) where.push("status IN ('raised', 'matched', 'in_progress')");
    if (q.open === false) where.push("status NOT IN ('raised', 'matched', 'in_progress')");
    if (q.overdue === true) where.push("status IN ('raised', 'matched', 'in_progress') AND due_at < @now");
    if (q.overdue === false) where.push("NOT (status IN ('raised', 'matched', 'in_progress') AND due_at < @now)");
    if (q.category) (where.push('category = @category'), (params.category = q.category));
    if (q.urgency) (where.push('urgency = @urgency'), (params.urgency = q.urgency));
    if (q.grid) (where.push('grid_id = @grid'), (params.grid = q.grid));
    if (q.population) (where.push('EXISTS (SELECT 1 FROM json_each(populations) WHERE value = @population)'), (params.population = q.population));
    if (q.q) {
      // The code, the title, the resident's name or phone: what a coordinator on the phone has.
      where.push("(code = @q OR instr(title, @q) > 0 OR instr(resident_name, @q) > 0 OR instr(resident_phone, @q) > 0)");
      params.q = q.q;
    }
    if (p.grids) (where.push(`grid_id IN (SELECT value FROM json_each(@scope))`), (params.scope = JSON.stringify(p.grids)));
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#store.db.prepare(`SELECT * FROM needs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(needFromRow), q.limit);
  }

  /** The need's project, if accepting its match made one. */
  projectOf(p: Principal, needId: number): { id: number; code: string } | null {
    const n = this.#store.need(p, needId);
    return (this.#store.stmt.projectOf.get(n.id) as { id: number; code: string } | undefined) ?? null;
  }

  /** The provider has started on it (at `at` if entered later). */
  async start(p: Principal, needId: number, body: NeedStepBody): Promise<NeedRecord> {
    authorise(p, ON_SITE, 'start needs');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const n = this.#store.need(p, needId);
      this.#store.requireVersion(n, body.expectedVersion, this.#dir.timeZoneOf(p.communityId));
      requireAction(n, 'start');
      const at = instantFrom('at', body.at, now);
      if (at < n.matchedAt!) invalidField('at', 'is before the need was matched');
      this.#store.stmt.started.run(at, now, n.id);
      this.#store.entry(ctx, p, at, n.metBy!, 'need.started', 'need', n.id, { at, note: body.note ?? null }, n.status);
      return this.#store.needRow(n.id);
    });
  }

  /**
   * The need is met: its resource's place is freed, its task done or the project made for it
   * completed, and the subject that met it gets the credit (needs met, response time, and for
   * a task one service: a project's services are recorded by its organization).
   */
  async meet(p: Principal, needId: number, body: NeedStepBody): Promise<NeedRecord> {
    authorise(p, ON_SITE, 'meet needs');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt } = this.#store;
      const n = this.#store.need(p, needId);
      this.#store.requireVersion(n, body.expectedVersion, this.#dir.timeZoneOf(p.communityId));
      requireAction(n, 'meet');
      const at = instantFrom('at', body.at, now);
      if (at < n.startedAt!) invalidField('at', 'is before the need was started');
      stmt.met.run(at, now, n.id);
      if (n.resourceId !== null) stmt.freePlace.run(now, n.resourceId);
      const hadTask = stmt.finishTask.run('done', at, body.note ?? null, n.id).changes > 0;
      this.#settleProject(ctx, p, now, n, ['active'], 'completed');
      const subject = n.metBy!;
      this.#metrics.bump(p.communityId, at, subject, publicGrid(n), {
        needsMet: 1, responseMs: at - n.raisedAt, ...(hadTask ? { services: 1, beneficiaries: n.beneficiaries } : {}),
      });
      this.#store.entry(ctx, p, at, subject, 'need.met', 'need', n.id, { at, responseMs: at - n.raisedAt, note: body.note ?? null }, n.status,
        needLine(n, subject, 'feed.need.met', { subject: subjectLabel(subject), subjectCode: subject, hours: hoursOf(at - n.raisedAt) }));
      return this.#store.needRow(n.id);
    });
  }

  /** The resident's satisfaction (1–5), once the need is met. */
  async rate(p: Principal, needId: number, body: RateNeedBody): Promise<NeedRecord> {
    authorise(p, ON_SITE, 'rate needs');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const n = this.#store.need(p, needId);
      this.#store.requireVersion(n, body.expectedVersion, this.#dir.timeZoneOf(p.communityId));
      requireAction(n, 'rate');
      const at = instantFrom('at', body.at, now);
      if (at < n.metAt!) invalidField('at', 'is before the need was met');
      this.#store.stmt.rated.run(body.satisfaction, at, now, n.id);
      this.#metrics.bump(p.communityId, at, n.metBy!, publicGrid(n), { satisfaction: body.satisfaction });
      this.#store.entry(ctx, p, at, n.metBy!, 'need.rated', 'need', n.id, { satisfaction: body.satisfaction, note: body.note ?? null }, n.status);
      return this.#store.needRow(n.id);
    });
  }

  /**
   * Close an open need: withdrawn by the resident, or not met. A resource serving it gets its
   * place back; its task, or the project made for it, is cancelled.
   */
  async close(p: Principal, needId: number, body: CloseNeedBody): Promise<NeedRecord> {
    authorise(p, COORDINATE, 'close needs');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt } = this.#store;
      const n = this.#store.need(p, needId);
      this.#store.requireVersion(n, body.expectedVersion, this.#dir.timeZoneOf(p.communityId));
      requireAction(n, 'close');
      const at = instantFrom('at', body.at, now);
      if (at < n.raisedAt) invalidField('at', 'is before the need was raised');
      stmt.closed.run(body.reason, at, now, n.id);
      if (n.resourceId !== null) {
        stmt.freePlace.run(now, n.resourceId);
        stmt.finishTask.run('cancelled', at, body.note, n.id);
        this.#settleProject(ctx, p, now, n, ['planned', 'active', 'suspended'], 'cancelled');
      }
      this.#store.entry(ctx, p, at, n.metBy ?? 'community', 'need.closed', 'need', n.id, { reason: body.reason, note: body.note }, n.status);
      return this.#store.needRow(n.id);
    });
  }

  /**
   * The project made for a need ends with it: completed when the need is met, cancelled when it
   * is closed, if it is still in one of `from` (an organization may have ended it already).
   */
  #settleProject(ctx: WriteContext<SubjectChange>, p: Principal, now: number, n: NeedRecord, from: readonly string[], to: 'completed' | 'cancelled') {
    const pr = this.#store.stmt.matchProject.get(n.id) as { id: number; status: string } | undefined;
    if (!pr || !from.includes(pr.status)) return;
    this.#store.stmt.projectStatus.run(to, now, pr.id);
    this.#store.entry(ctx, p, now, 'org', 'project.status_changed', 'project', pr.id, { status: to, needId: n.id }, pr.status);
  }
}
