/**
 * The three lists (三张清单): needs raised by residents, grid workers and social workers;
 * resources offered by organizations, volunteers, teams, social workers, donors and the
 * community; and the matching that links them. Accepting a match turns the need into a project
 * (an organization's, or a social worker's for a need of many people) or a task for the
 * provider, and the need runs raised → matched → in_progress → met → rated (or closed).
 *
 * Shaped like VolunteerService: authorise with the Principal, validate, then ONE write in the
 * group-commit queue that updates the rows, the service metrics and the journal together. The
 * queue runs writes one at a time, so a check made inside a write holds when it commits: two
 * coordinators accepting matches on the last free place of a resource cannot both succeed.
 *
 * Metrics (metrics_hourly): a need raised counts for the community (needs_raised, at the instant
 * raised, in its grid); a need met counts for the subject that met it (needs_met and the
 * response time raised → met, and for a task also one service and its beneficiaries: projects
 * count their services through the organizations' records); a rating adds to that subject's
 * satisfaction.
 */
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { DomainError, notFound } from '../errors.ts';
import { authorise, instantFrom, invalidField, requireGrid, ownRow } from '../kernel/rules.ts';
import type { Principal, Role } from '../principal.ts';
import { feedText, type SubjectChange, type JournalWriter } from '../kernel/journal.ts';
import { ProjectRows } from '../orgs/projects.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { maskName } from '../../shared/mask.ts';
import { singlesOut } from '../../shared/disclosure.ts';
import { DAY_MS, HOUR_MS, localDay, wallTime } from '../../shared/time.ts';
import { serviceCategoryZh, type FeedDraft, type SubjectKind } from '../../shared/subjects.ts';
import { zhCN as needMessages } from '../../shared/i18n/needs.ts';
import {
  NEED_TRANSITIONS, PROJECT_BENEFICIARIES, RELATED_CATEGORIES, SUBJECT_OF_PROVIDER, needCode, needDueAt,
  type AcceptMatchBody, type CloseNeedBody, type CreateResourceBody, type DeclineMatchBody, type ListNeedsQuery,
  type ListResourcesQuery, type ListTasksQuery, type NeedAction, type NeedEntity, type NeedEntryType, type NeedStepBody,
  type ProposeBody, type ProviderKind, type RaiseNeedBody, type RateNeedBody, type ResourceStatusBody,
} from '../../shared/needs.ts';
import { gridNeighbours, proposeMatches } from './matching.ts';
import {
  matchFromRow, needFromRow, resourceFromRow, taskFromRow,
  type MatchRecord, type NeedRecord, type ResourceRecord, type TaskRecord,
} from './record.ts';

// Who may do what. Accounts arrive later; today HTTP requests act as the admin.
const STAFF: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'system'];
/** Anyone on the staff may raise a need they heard of. */
const RAISE = STAFF;
/** Matching, accepting, declining and closing: the people who run the linkage. */
const COORDINATE: readonly Role[] = ['admin', 'dispatcher', 'coordinator', 'social_worker', 'system'];
/** Starting, meeting and rating (the return visit, 回访) happen on site too. */
const ON_SITE: readonly Role[] = [...COORDINATE, 'grid_worker'];
/** The resource list is kept by the station. */
const RESOURCES: readonly Role[] = ['admin', 'coordinator', 'social_worker', 'system'];
/** A paper record may be entered this long after the fact, no longer. */
const BACKDATE_LIMIT_MS = 90 * DAY_MS;

/** The table and the active statuses of each provider that is a row. */
const PROVIDER_TABLES: Partial<Record<ProviderKind, { table: string; name: string; inactive: readonly string[] | null }>> = {
  org: { table: 'organizations', name: 'name', inactive: ['suspended', 'deregistered'] },
  volunteer: { table: 'volunteers', name: 'name', inactive: ['paused', 'left'] },
  team: { table: 'volunteer_teams', name: 'name', inactive: null },
  social_worker: { table: 'social_workers', name: 'name', inactive: ['on_leave', 'left'] },
};

export interface AcceptResult {
  need: NeedRecord;
  match: MatchRecord;
  task: TaskRecord | null;
  project: { id: number; code: string } | null;
}

export class NeedService {
  #db: Db;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;
  #metrics: Metrics;
  #journal: JournalWriter;
  #stmt;
  #projects: ProjectRows;

  constructor(deps: SubjectServiceDeps) {
    this.#db = deps.db;
    this.#projects = new ProjectRows(deps.db);
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
    this.#metrics = deps.metrics;
    this.#journal = deps.journal;
    const db = deps.db;
    const matchSelect = `SELECT m.*, r.provider_kind, r.provider_name, r.title AS resource_title, r.category AS resource_category
                           FROM matches m JOIN resources r ON r.id = m.resource_id`;
    this.#stmt = {
      need: db.prepare('SELECT * FROM needs WHERE id = ?'),
      needByCode: db.prepare('SELECT * FROM needs WHERE code = ?'),
      insertNeed: db.prepare(
        `INSERT INTO needs (community_id, code, title, description, category, skills, urgency, grid_id, address, raised_by_kind,
                            raised_by, resident_name, resident_phone, populations, beneficiaries, status, due_at, raised_at, updated_at)
         VALUES (@communityId, @code, @title, @description, @category, @skills, @urgency, @gridId, @address, @raisedByKind,
                 @raisedBy, @residentName, @residentPhone, @populations, @beneficiaries, 'raised', @dueAt, @raisedAt, @raisedAt)`,
      ),
      matched: db.prepare(
        `UPDATE needs SET status = 'matched', met_by = ?, resource_id = ?, matched_at = ?, updated_at = ?, version = version + 1
          WHERE id = ? AND status = 'raised'`,
      ),
      started: db.prepare(
        "UPDATE needs SET status = 'in_progress', started_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'matched'",
      ),
      met: db.prepare(
        "UPDATE needs SET status = 'met', met_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'in_progress'",
      ),
      rated: db.prepare(
        "UPDATE needs SET status = 'rated', satisfaction = ?, rated_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'met'",
      ),
      closed: db.prepare(
        `UPDATE needs SET status = 'closed', close_reason = ?, closed_at = ?, updated_at = ?, version = version + 1
          WHERE id = ? AND status IN ('raised', 'matched', 'in_progress')`,
      ),
      resource: db.prepare('SELECT * FROM resources WHERE id = ?'),
      insertResource: db.prepare(
        `INSERT INTO resources (community_id, provider_kind, provider_id, provider_name, title, description, category, skills,
                                grid_id, availability, capacity, status, created_at, updated_at)
         VALUES (@communityId, @providerKind, @providerId, @providerName, @title, @description, @category, @skills,
                 @gridId, @availability, @capacity, 'available', @now, @now)`,
      ),
      resourceStatus: db.prepare('UPDATE resources SET status = ?, updated_at = ? WHERE id = ?'),
      // The capacity check restated where it cannot race: it takes a place only if one is free.
      takePlace: db.prepare('UPDATE resources SET in_use = in_use + 1, updated_at = ? WHERE id = ? AND in_use < capacity'),
      freePlace: db.prepare('UPDATE resources SET in_use = in_use - 1, updated_at = ? WHERE id = ? AND in_use > 0'),
      candidates: db.prepare(
        `SELECT * FROM resources
          WHERE community_id = ? AND status = 'available' AND in_use < capacity
            AND category IN (SELECT value FROM json_each(?))
            AND id NOT IN (SELECT resource_id FROM matches WHERE need_id = ? AND status = 'declined')`,
      ),
      match: db.prepare(`${matchSelect} WHERE m.id = ?`),
      matchesOf: db.prepare(`${matchSelect} WHERE m.need_id = ? ORDER BY m.status = 'accepted' DESC, m.status = 'proposed' DESC, m.score DESC, m.id`),
      upsertMatch: db.prepare(
        `INSERT INTO matches (need_id, resource_id, score, reasons, status, proposed_at) VALUES (?, ?, ?, ?, 'proposed', ?)
         ON CONFLICT (need_id, resource_id) DO UPDATE SET score = excluded.score, reasons = excluded.reasons, proposed_at = excluded.proposed_at
         WHERE matches.status = 'proposed'`,
      ),
      staleMatches: db.prepare(
        "DELETE FROM matches WHERE need_id = ? AND status = 'proposed' AND resource_id NOT IN (SELECT value FROM json_each(?))",
      ),
      decide: db.prepare(
        'UPDATE matches SET status = ?, project_id = ?, task_id = ?, decided_at = ?, decided_by = ?, note = ? WHERE id = ?',
      ),
      supersede: db.prepare(
        "UPDATE matches SET status = 'declined', decided_at = ?, decided_by = ? WHERE need_id = ? AND status = 'proposed' AND id <> ?",
      ),
      task: db.prepare('SELECT * FROM tasks WHERE id = ?'),
      taskOf: db.prepare('SELECT * FROM tasks WHERE need_id = ? ORDER BY id DESC LIMIT 1'),
      insertTask: db.prepare(
        `INSERT INTO tasks (community_id, need_id, resource_id, assignee_kind, assignee_id, title, status, due_at, created_at, note)
         VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
      ),
      finishTask: db.prepare("UPDATE tasks SET status = ?, done_at = ?, note = COALESCE(?, note) WHERE need_id = ? AND status = 'open'"),
      projectOf: db.prepare('SELECT id, code FROM projects WHERE need_id = ? ORDER BY id DESC LIMIT 1'),
      /** The project the need's accepted match made, if any. */
      matchProject: db.prepare(
        "SELECT p.id, p.status FROM matches m JOIN projects p ON p.id = m.project_id WHERE m.need_id = ? AND m.status = 'accepted'",
      ),
      projectStatus: db.prepare('UPDATE projects SET status = ?, updated_at = ? WHERE id = ?'),
    };
  }

  timeZoneOf(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }

  now(): number {
    return this.#now();
  }

  // ---- needs -------------------------------------------------------------------------------

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
      const year = wallTime(raisedAt, this.timeZoneOf(p)).year;
      const code = needCode(year, this.#nextSeq('needs', 'XQ', year));
      const row = {
        communityId: p.communityId, code, title: body.title, description: body.description, category: body.category,
        skills: JSON.stringify(body.skills), urgency: body.urgency, gridId: body.gridId ?? null, address: body.address ?? null,
        raisedByKind: body.raisedByKind, raisedBy: p.id, residentName: body.residentName ?? null,
        residentPhone: body.residentPhone ?? null, populations: JSON.stringify(body.populations), beneficiaries: body.beneficiaries,
        dueAt: needDueAt(raisedAt, body.urgency), raisedAt,
      };
      const id = Number(this.#stmt.insertNeed.run(row).lastInsertRowid);
      const n = this.#needRow(id);
      this.#metrics.bump(p.communityId, raisedAt, 'community', publicGrid(n), { needsRaised: 1 });
      const grid = n.gridId ? this.#dir.grids.get(n.gridId)?.name.zh : null;
      const category = { category: serviceCategoryZh(n.category), categoryCode: n.category };
      const params = { ...category, title: feedText(n.title, [n.residentName]) };
      this.#write(ctx, p, now, 'community', 'need.raised', 'need', id,
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
  need(p: Principal, idOrCode: number | string): NeedRecord {
    authorise(p, STAFF, 'see needs');
    const row = (typeof idOrCode === 'number' || /^\d+$/.test(idOrCode)
      ? this.#stmt.need.get(Number(idOrCode))
      : this.#stmt.needByCode.get(idOrCode)) as { community_id: string; grid_id: string | null } | undefined;
    if (!row || row.community_id !== p.communityId || !inScope(p, row.grid_id)) throw notFound(`need ${idOrCode}`);
    return needFromRow(row);
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
    if (p.grids) (where.push(`grid_id IN (SELECT value FROM json_each(@scope))`), (params.scope = JSON.stringify(p.grids)));
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db.prepare(`SELECT * FROM needs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(needFromRow), q.limit);
  }

  /** The need's matches: the accepted one first, then proposals best first, then those declined. */
  matches(p: Principal, needId: number): MatchRecord[] {
    const n = this.need(p, needId);
    return this.#stmt.matchesOf.all(n.id).map(matchFromRow);
  }

  /** The need's project, if accepting its match made one. */
  projectOf(p: Principal, needId: number): { id: number; code: string } | null {
    const n = this.need(p, needId);
    return (this.#stmt.projectOf.get(n.id) as { id: number; code: string } | undefined) ?? null;
  }

  /** The need's task, if accepting its match made one. */
  taskOf(p: Principal, needId: number): TaskRecord | null {
    const n = this.need(p, needId);
    const row = this.#stmt.taskOf.get(n.id);
    return row ? taskFromRow(row) : null;
  }

  /**
   * Propose resources for a raised need (see matching.ts), best first: the proposals are stored
   * (status proposed), replacing earlier proposals that are no longer candidates; resources
   * declined for this need are not proposed again. An empty list means nothing fits now.
   */
  async propose(p: Principal, needId: number, body: ProposeBody): Promise<MatchRecord[]> {
    authorise(p, COORDINATE, 'match needs');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const n = this.need(p, needId);
      requireAction(n, 'propose');
      const categories = [n.category, ...RELATED_CATEGORIES[n.category]];
      const resources = this.#stmt.candidates.all(p.communityId, JSON.stringify(categories), n.id).map(resourceFromRow);
      const proposals = proposeMatches(n, resources, {
        now, timeZone: this.timeZoneOf(p), neighbours: this.#neighbours(p.communityId), limit: body.limit,
      });
      this.#stmt.staleMatches.run(n.id, JSON.stringify(proposals.map((x) => x.resourceId)));
      for (const x of proposals) this.#stmt.upsertMatch.run(n.id, x.resourceId, x.score, JSON.stringify(x.reasons), now);
      this.#write(ctx, p, now, 'community', 'need.matches_proposed', 'need', n.id,
        { proposals: proposals.map((x) => ({ resourceId: x.resourceId, score: x.score })) }, n.status);
      return this.#stmt.matchesOf.all(n.id).map(matchFromRow).filter((m) => m.status === 'proposed');
    });
  }

  /**
   * Accept a proposed match: the resource takes the need (one of its places, refused with 409
   * `error.resource_full` when none is free), the need becomes matched and is credited to the
   * provider's subject, and a project (an organization's; a social worker's for a need of
   * PROJECT_BENEFICIARIES or more people) or a task for the provider is created. The need's
   * other proposals are declined.
   */
  async accept(p: Principal, needId: number, matchId: number, body: AcceptMatchBody): Promise<AcceptResult> {
    authorise(p, COORDINATE, 'accept matches');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const n = this.need(p, needId);
      requireAction(n, 'accept');
      const m = this.#matchOf(n, matchId);
      if (m.status !== 'proposed') {
        throw new DomainError(409, 'error.match_not_proposed', `match ${m.id} is ${m.status}`, undefined, { status: m.status });
      }
      const r = resourceFromRow(this.#stmt.resource.get(m.resourceId));
      if (r.status !== 'available') {
        throw new DomainError(409, 'error.resource_unavailable', `resource ${r.id} is ${r.status}`, undefined, { status: r.status });
      }
      if (this.#stmt.takePlace.run(now, r.id).changes !== 1) {
        throw new DomainError(409, 'error.resource_full', `resource ${r.id} serves ${r.inUse} of ${r.capacity} needs already`,
          undefined, { inUse: r.inUse, capacity: r.capacity });
      }
      const subject = SUBJECT_OF_PROVIDER[r.providerKind];
      const asProject = r.providerKind === 'org' || (r.providerKind === 'social_worker' && n.beneficiaries >= PROJECT_BENEFICIARIES);
      let project: AcceptResult['project'] = null;
      let taskId: number | null = null;
      if (asProject) {
        const tz = this.timeZoneOf(p);
        const year = wallTime(now, tz).year;
        const orgId = r.providerKind === 'org' ? r.providerId : null;
        const socialWorkerId = r.providerKind === 'social_worker' ? r.providerId : null;
        this.#projects.checkLeads(orgId, socialWorkerId);
        const code = this.#projects.nextCode(year);
        const id = this.#projects.insert({
          communityId: p.communityId, code, name: n.title, description: n.description, category: n.category,
          orgId, socialWorkerId, funding: body.funding, budgetCents: body.budgetCents, spentCents: 0,
          startsOn: localDay(now, tz), endsOn: localDay(Math.max(now, n.dueAt), tz), targetServices: null,
          targetBeneficiaries: n.beneficiaries, needId: n.id, gridId: n.gridId, status: 'active', createdBy: p.id, createdAt: now, updatedAt: now,
        });
        project = { id, code };
        this.#write(ctx, p, now, 'org', 'project.created', 'project', id,
          { code, needId: n.id, orgId: r.providerKind === 'org' ? r.providerId : null, funding: body.funding, budgetCents: body.budgetCents });
      } else {
        taskId = Number(this.#stmt.insertTask.run(p.communityId, n.id, r.id, r.providerKind, r.providerId, n.title, n.dueAt, now,
          body.note ?? null).lastInsertRowid);
      }
      this.#stmt.decide.run('accepted', project?.id ?? null, taskId, now, p.id, body.note ?? null, m.id);
      this.#stmt.supersede.run(now, p.id, n.id, m.id);
      this.#stmt.matched.run(subject, r.id, now, now, n.id);
      this.#write(ctx, p, now, subject, 'need.matched', 'need', n.id,
        { matchId: m.id, resourceId: r.id, metBy: subject, projectId: project?.id ?? null, taskId }, n.status,
        this.#needLine(n, subject, 'feed.need.matched',
          { provider: publicProvider(r.providerKind, r.providerName), subject: subjectLabel(subject), subjectCode: subject }));
      return {
        need: this.#needRow(n.id),
        match: matchFromRow(this.#stmt.match.get(m.id)),
        task: taskId === null ? null : taskFromRow(this.#stmt.task.get(taskId)),
        project,
      };
    });
  }

  /** Decline a proposed match: that resource is not proposed for this need again. */
  async decline(p: Principal, needId: number, matchId: number, body: DeclineMatchBody): Promise<MatchRecord> {
    authorise(p, COORDINATE, 'decline matches');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const n = this.need(p, needId);
      requireAction(n, 'decline');
      const m = this.#matchOf(n, matchId);
      if (m.status !== 'proposed') {
        throw new DomainError(409, 'error.match_not_proposed', `match ${m.id} is ${m.status}`, undefined, { status: m.status });
      }
      this.#stmt.decide.run('declined', null, null, now, p.id, body.note ?? null, m.id);
      this.#write(ctx, p, now, 'community', 'need.match_declined', 'match', m.id, { needId: n.id, resourceId: m.resourceId, note: body.note ?? null });
      return matchFromRow(this.#stmt.match.get(m.id));
    });
  }

  /** The provider has started on it (at `at` if entered later). */
  async start(p: Principal, needId: number, body: NeedStepBody): Promise<NeedRecord> {
    authorise(p, ON_SITE, 'start needs');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const n = this.need(p, needId);
      requireAction(n, 'start');
      const at = instantFrom('at', body.at, now);
      if (at < n.matchedAt!) invalidField('at', 'is before the need was matched');
      this.#stmt.started.run(at, now, n.id);
      this.#write(ctx, p, at, n.metBy!, 'need.started', 'need', n.id, { at, note: body.note ?? null }, n.status);
      return this.#needRow(n.id);
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
      const n = this.need(p, needId);
      requireAction(n, 'meet');
      const at = instantFrom('at', body.at, now);
      if (at < n.startedAt!) invalidField('at', 'is before the need was started');
      this.#stmt.met.run(at, now, n.id);
      if (n.resourceId !== null) this.#stmt.freePlace.run(now, n.resourceId);
      const hadTask = this.#stmt.finishTask.run('done', at, body.note ?? null, n.id).changes > 0;
      this.#settleProject(ctx, p, now, n, ['active'], 'completed');
      const subject = n.metBy!;
      this.#metrics.bump(p.communityId, at, subject, publicGrid(n), {
        needsMet: 1, responseMs: at - n.raisedAt, ...(hadTask ? { services: 1, beneficiaries: n.beneficiaries } : {}),
      });
      this.#write(ctx, p, at, subject, 'need.met', 'need', n.id, { at, responseMs: at - n.raisedAt, note: body.note ?? null }, n.status,
        this.#needLine(n, subject, 'feed.need.met', { subject: subjectLabel(subject), subjectCode: subject, hours: hoursOf(at - n.raisedAt) }));
      return this.#needRow(n.id);
    });
  }

  /** The resident's satisfaction (1–5), once the need is met. */
  async rate(p: Principal, needId: number, body: RateNeedBody): Promise<NeedRecord> {
    authorise(p, ON_SITE, 'rate needs');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const n = this.need(p, needId);
      requireAction(n, 'rate');
      const at = instantFrom('at', body.at, now);
      if (at < n.metAt!) invalidField('at', 'is before the need was met');
      this.#stmt.rated.run(body.satisfaction, at, now, n.id);
      this.#metrics.bump(p.communityId, at, n.metBy!, publicGrid(n), { satisfaction: body.satisfaction });
      this.#write(ctx, p, at, n.metBy!, 'need.rated', 'need', n.id, { satisfaction: body.satisfaction, note: body.note ?? null }, n.status);
      return this.#needRow(n.id);
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
      const n = this.need(p, needId);
      requireAction(n, 'close');
      const at = instantFrom('at', body.at, now);
      if (at < n.raisedAt) invalidField('at', 'is before the need was raised');
      this.#stmt.closed.run(body.reason, at, now, n.id);
      if (n.resourceId !== null) {
        this.#stmt.freePlace.run(now, n.resourceId);
        this.#stmt.finishTask.run('cancelled', at, body.note, n.id);
        this.#settleProject(ctx, p, now, n, ['planned', 'active', 'suspended'], 'cancelled');
      }
      this.#write(ctx, p, at, n.metBy ?? 'community', 'need.closed', 'need', n.id, { reason: body.reason, note: body.note }, n.status);
      return this.#needRow(n.id);
    });
  }

  // ---- resources ---------------------------------------------------------------------------

  /** Add a resource (available). A provider with a record must exist in this community and be active. */
  async createResource(p: Principal, body: CreateResourceBody): Promise<ResourceRecord> {
    authorise(p, RESOURCES, 'add resources');
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const providerName = body.providerId !== undefined ? this.#provider(p, body.providerKind, body.providerId) : body.providerName!;
      const id = Number(this.#stmt.insertResource.run({
        communityId: p.communityId, providerKind: body.providerKind, providerId: body.providerId ?? null, providerName,
        title: body.title, description: body.description, category: body.category, skills: JSON.stringify(body.skills),
        gridId: body.gridId ?? null, availability: body.availability ? JSON.stringify(body.availability) : null,
        capacity: body.capacity, now,
      }).lastInsertRowid);
      const subject = SUBJECT_OF_PROVIDER[body.providerKind];
      this.#write(ctx, p, now, subject, 'resource.created', 'resource', id,
        { providerKind: body.providerKind, providerId: body.providerId ?? null, category: body.category, capacity: body.capacity }, null,
        { subject, key: 'feed.resource.added',
          params: { provider: publicProvider(body.providerKind, providerName), title: feedText(body.title, [providerName]), category: serviceCategoryZh(body.category), categoryCode: body.category },
          gridId: body.gridId ?? null });
      return resourceFromRow(this.#stmt.resource.get(id));
    });
  }

  /** Pause, resume or withdraw a resource; needs it already serves keep it. Setting its status again changes nothing. */
  async setResourceStatus(p: Principal, resourceId: number, body: ResourceStatusBody): Promise<ResourceRecord> {
    authorise(p, RESOURCES, 'change resources');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const r = this.resource(p, resourceId);
      if (r.status === body.status) return r;
      if (r.status === 'withdrawn') {
        throw new DomainError(409, 'error.transition_not_allowed', `resource ${r.id} is withdrawn`, undefined, { status: r.status, allowed: [] });
      }
      this.#stmt.resourceStatus.run(body.status, now, r.id);
      this.#write(ctx, p, now, SUBJECT_OF_PROVIDER[r.providerKind], 'resource.status_changed', 'resource', r.id,
        { status: body.status, note: body.note ?? null }, r.status);
      return { ...r, status: body.status, updatedAt: now };
    });
  }

  resource(p: Principal, id: number): ResourceRecord {
    authorise(p, STAFF, 'see resources');
    return resourceFromRow(ownRow(p, this.#stmt.resource.get(id), `resource ${id}`));
  }

  /** Newest first. */
  listResources(p: Principal, q: ListResourcesQuery): Page<ResourceRecord> {
    authorise(p, STAFF, 'see resources');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.category) (where.push('category = @category'), (params.category = q.category));
    if (q.provider) (where.push('provider_kind = @provider'), (params.provider = q.provider));
    if (q.grid) (where.push('grid_id = @grid'), (params.grid = q.grid));
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db.prepare(`SELECT * FROM resources WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(resourceFromRow), q.limit);
  }

  // ---- tasks -------------------------------------------------------------------------------

  task(p: Principal, id: number): TaskRecord {
    authorise(p, STAFF, 'see tasks');
    const t = taskFromRow(ownRow(p, this.#stmt.task.get(id), `task ${id}`));
    // A grid worker: only the tasks of their grids' needs.
    if (p.grids && !inScope(p, (this.#stmt.need.get(t.needId) as { grid_id: string | null } | undefined)?.grid_id ?? null)) {
      throw notFound(`task ${id}`);
    }
    return t;
  }

  /** Newest first. */
  listTasks(p: Principal, q: ListTasksQuery): Page<TaskRecord> {
    authorise(p, STAFF, 'see tasks');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.assignee) (where.push('assignee_kind = @assignee'), (params.assignee = q.assignee));
    if (q.need !== undefined) (where.push('need_id = @need'), (params.need = q.need));
    if (p.grids) {
      where.push('need_id IN (SELECT id FROM needs WHERE grid_id IN (SELECT value FROM json_each(@scope)))');
      params.scope = JSON.stringify(p.grids);
    }
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db.prepare(`SELECT * FROM tasks WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(taskFromRow), q.limit);
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * The project made for a need ends with it: completed when the need is met, cancelled when it
   * is closed, if it is still in one of `from` (an organization may have ended it already).
   */
  #settleProject(ctx: WriteContext<SubjectChange>, p: Principal, now: number, n: NeedRecord, from: readonly string[], to: 'completed' | 'cancelled') {
    const pr = this.#stmt.matchProject.get(n.id) as { id: number; status: string } | undefined;
    if (!pr || !from.includes(pr.status)) return;
    this.#stmt.projectStatus.run(to, now, pr.id);
    this.#write(ctx, p, now, 'org', 'project.status_changed', 'project', pr.id, { status: to, needId: n.id }, pr.status);
  }

  #needRow(id: number): NeedRecord {
    return needFromRow(this.#stmt.need.get(id));
  }

  #matchOf(n: NeedRecord, matchId: number): MatchRecord {
    const row = this.#stmt.match.get(matchId) as { need_id: number } | undefined;
    if (!row || row.need_id !== n.id) throw notFound(`match ${matchId} of need ${n.code}`);
    return matchFromRow(row);
  }

  /** The provider's name; a 400 when there is no such provider here, a 409 when it is not active. */
  #provider(p: Principal, kind: ProviderKind, id: number): string {
    const t = PROVIDER_TABLES[kind]!;
    const row = this.#db.prepare(`SELECT * FROM ${t.table} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
    if (!row || row.community_id !== p.communityId) invalidField('providerId', `no ${kind} ${id} in this community`);
    if (t.inactive && t.inactive.includes(String(row.status))) {
      throw new DomainError(409, 'error.provider_inactive', `${kind} ${id} is ${String(row.status)}`, undefined, { status: row.status });
    }
    return String(row[t.name]);
  }

  /** The next sequence number of `prefix-year-` codes in `table` (codes are unique across communities). */
  #nextSeq(table: 'needs', prefix: string, year: number): number {
    const lo = `${prefix}-${year}-`;
    const row = this.#db
      .prepare(`SELECT MAX(CAST(substr(code, ${lo.length + 1}) AS INTEGER)) AS n FROM ${table} WHERE code >= ? AND code < ?`)
      .get(lo, `${prefix}-${year}.`) as { n: number | null };
    return (row.n ?? 0) + 1;
  }

  #neighbours(communityId: string) {
    return gridNeighbours(this.#dir.gridsOf(communityId).map((g) => ({ id: g.id, ring: g.geometry.coordinates[0] ?? [] })));
  }

  /** The need's title for a public line: phones and IDs scrubbed, the resident's name masked. */
  /**
   * A feed line about need `n`: its typed title (names masked) and grid; for a need that could
   * single out a key population's resident, the `_protected` line with its category in place
   * of the title and no grid (shared/disclosure.ts).
   */
  #needLine(n: NeedRecord, subject: SubjectKind, key: 'feed.need.matched' | 'feed.need.met', params: FeedDraft['params']): FeedDraft {
    return guarded(n)
      ? { subject, key: `${key}_protected`, params: { ...params, category: serviceCategoryZh(n.category), categoryCode: n.category }, gridId: null }
      : { subject, key, params: { ...params, title: feedText(n.title, [n.residentName]) }, gridId: n.gridId };
  }

  #write(
    ctx: WriteContext<SubjectChange>, p: Principal, at: number, subject: SubjectKind,
    type: NeedEntryType | 'project.created' | 'project.status_changed',
    entity: NeedEntity | 'project', entityId: number, data: Record<string, unknown>, fromStatus: string | null = null,
    feed: FeedDraft | null = null,
  ) {
    this.#journal.write(ctx, p, at, { subject, type, entity, entityId, data, fromStatus, feed });
  }
}

/** A 409 naming the status and what it allows, like a grid event's refused transition. */
function requireAction(n: NeedRecord, action: NeedAction) {
  const allowed = NEED_TRANSITIONS[n.status];
  if (!allowed.includes(action)) {
    throw new DomainError(409, 'error.transition_not_allowed',
      `cannot ${action} need ${n.code}: it is ${n.status}; allowed: ${allowed.join(', ') || 'none'}`, undefined,
      { status: n.status, allowed });
  }
}

const subjectLabel = (s: SubjectKind) => needMessages[`linkage.subject.${s}`];

/**
 * A provider as a public line may name it: people masked (张*); organizations, teams, the
 * community and a donor that is an enterprise (a name longer than a person's) by name.
 */
/**
 * The grid the wall's figures count need `n` in: none for a need that could single someone out,
 * or a live observer would read its grid off the grid's count ticking with its gridless line.
 */
function publicGrid(n: NeedRecord): string | null {
  return guarded(n) ? null : n.gridId;
}

/** Within a grid worker's grids (everyone else's scope is the whole community). */
function inScope(p: Principal, gridId: string | null): boolean {
  return !p.grids || (gridId !== null && p.grids.includes(gridId));
}

/** A need that could single out a key population's resident: its feed lines say less (shared/disclosure.ts). */
function guarded(n: NeedRecord): boolean {
  return singlesOut(n.populations, n.beneficiaries);
}

function publicProvider(kind: ProviderKind, name: string): string {
  const person = kind === 'volunteer' || kind === 'social_worker' || (kind === 'donor' && !/^[\u3400-\u9fff·（）()]{5,}$/.test(name));
  return person ? (maskName(name) ?? '') : feedText(name);
}

/** Hours for a feed line: one decimal under ten hours, whole hours above. */
function hoursOf(ms: number): number {
  const h = ms / HOUR_MS;
  return h < 10 ? Math.round(h * 10) / 10 : Math.round(h);
}

