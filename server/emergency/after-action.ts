/**
 * An incident's timeline and after-action report (shared/after-action.ts).
 *
 * - The timeline is read from what the incident and its board already keep: the steps
 *   (`incident_steps`), every status report (`board_reports`), the claims, releases and
 *   escalations journalled as `incident_board`, and the urgent cases "needs help" opened (the
 *   events the board rows link). Other subjects add a `TimelineSource` with `addSource` and a
 *   typed figure section with `addSection` (call-outs, duty, shelters and supplies: server/
 *   emergency/people-report.ts, wired in server/app.ts): the report reads nothing it does not
 *   own without being given it.
 * - The figures are computed on each read, never stored: per grid, the board replayed report by
 *   report gives the instant its last unknown household became known.
 * - Objectives (rated P/S/M/U) and corrective actions are rows of their own (migration 30), each
 *   write journalled (`aar.*`, entity `incident_aar`) with the request's audit line. An action is
 *   followed up: its owner's list (`actions({ owner })`) shows it until done, overdue first.
 */
import type { Db } from '../db/index.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { JournalWriter } from '../kernel/journal.ts';
import { authorise, invalidField } from '../kernel/rules.ts';
import { DomainError, notFound } from '../errors.ts';
import type { Principal, Role } from '../principal.ts';
import { isoInZone, isoOrNull, localDay } from '../../shared/time.ts';
import { BOARD_STATUSES, UNSETTLED, type BoardStatus } from '../../shared/emergency-board.ts';
import type {
  ActionListQuery, ActionStatusBody, AfterActionAnswer, CorrectiveActionBody, CorrectiveActionView, GridKnown, ObjectiveBody, ObjectiveView,
  PeopleFigures, RateObjectiveBody, TimelineAnswer, TimelineEntry, TimelineQuery,
} from '../../shared/after-action.ts';
import { COMMAND, READ } from './access.ts';
import type { Incident, IncidentService } from './incidents.ts';

/** Write objectives and corrective actions: staff who took part. */
export const REVIEW: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator'];

/**
 * Who reads an incident's timeline and report: those who read its board (server/emergency/
 * board-access.ts, volunteers aside) — the timeline names households and their addresses.
 */
export const REPORT_READ: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator'];

/** A grid worker reaches their own grids; the others the whole community. */
const inReach = (p: Principal, gridId: string) => !p.grids || p.grids.includes(gridId);

/** A timeline entry as a source gives it: the instant in ms. */
export interface RawEntry {
  at: number;
  kind: string;
  who: string | null;
  what: Record<string, unknown>;
  gridId: string | null;
  householdId: number | null;
  address?: string | null;
}
/** More entries for an incident's timeline: another subject's (a shelter's arrivals, a mobilisation). */
export type TimelineSource = (incident: Incident) => RawEntry[];
/** The figure sections other subjects fill, typed in shared/after-action.ts: key → its figures (`figures[key]`, null while none is added). */
export interface ReportSections {
  people: PeopleFigures;
}
/** A figure section another subject adds to the report. */
export type ReportSection<K extends keyof ReportSections> = (incident: Incident) => ReportSections[K];

export interface AfterActionDeps {
  db: Db;
  queue: WriteQueue<any>;
  directory: Directory;
  journal: JournalWriter;
  now: () => number;
  actorName: (username: string) => string | null;
  incidents: IncidentService;
}

interface BoardRow { household_id: number; grid_id: string; status: BoardStatus; added_at: number; event_id: number | null; address: string }
interface ReportRow { household_id: number; status: BoardStatus; source: string; by: string; note: string; at: number; version: number }
interface ObjectiveRow { id: number; incident_id: number; title: string; rating: ObjectiveView['rating']; note: string; rated_by: string; rated_at: number }
interface ActionRow {
  id: number; incident_id: number; community_id: string; objective_id: number | null; title: string; owner: string; due_date: string; check_text: string;
  status: CorrectiveActionView['status']; check_note: string; created_by: string; created_at: number; closed_by: string | null; closed_at: number | null;
  verified_by: string | null; verified_at: number | null; headline: string;
}

/** Journal types of the board that belong on the timeline, and the kind each is. */
const BOARD_KINDS: Record<string, string> = { 'board.claimed': 'claim', 'board.released': 'release', 'board.escalated': 'escalation' };
/** Order of kinds at one instant: the step first (a declaration before what it caused), then a door claimed before what was found there, then the cases. */
const KIND_ORDER = ['step', 'claim', 'report', 'release', 'escalation', 'case', 'case_dispatched', 'case_resolved'];

export class AfterActionService {
  #d: AfterActionDeps;
  #stmt;
  #sources = new Map<string, TimelineSource>();
  #sections: { [K in keyof ReportSections]?: ReportSection<K> } = {};

  constructor(deps: AfterActionDeps) {
    this.#d = deps;
    const db = deps.db;
    const ACTION = 'SELECT a.*, i.headline AS headline FROM aar_actions a JOIN incidents i ON i.id = a.incident_id';
    this.#stmt = {
      steps: db.prepare<[number], { step: string; version: number; changes: string; by: string; at: number }>(
        'SELECT step, version, changes, by, at FROM incident_steps WHERE incident_id = ? ORDER BY version'),
      board: db.prepare<[number], BoardRow>(
        `SELECT b.household_id, b.grid_id, b.status, b.added_at, b.event_id, h.address FROM board_households b
           JOIN households h ON h.id = b.household_id WHERE b.incident_id = ?`),
      reports: db.prepare<[number], ReportRow>(
        'SELECT household_id, status, source, by, note, at, version FROM board_reports WHERE incident_id = ? ORDER BY at, id'),
      journal: db.prepare<[string, number], { at: number; type: string; data: string }>(
        `SELECT at, type, data FROM journal WHERE community_id = ? AND entity = 'incident_board' AND entity_id = ?
            AND type IN ('board.claimed', 'board.released', 'board.escalated') ORDER BY seq`),
      cases: db.prepare<[string], { id: number; status: string; reported_at: number; dispatched_at: number | null; resolved_at: number | null; closed_at: number | null }>(
        'SELECT id, status, reported_at, dispatched_at, resolved_at, closed_at FROM events WHERE id IN (SELECT value FROM json_each(?))'),
      objectives: db.prepare<[number], ObjectiveRow>('SELECT * FROM aar_objectives WHERE incident_id = ? ORDER BY id'),
      objective: db.prepare<[number], ObjectiveRow & { community_id: string }>('SELECT * FROM aar_objectives WHERE id = ?'),
      addObjective: db.prepare(
        `INSERT INTO aar_objectives (incident_id, community_id, title, rating, note, rated_by, rated_at, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      rate: db.prepare('UPDATE aar_objectives SET rating = ?, note = ?, rated_by = ?, rated_at = ? WHERE id = ?'),
      action: db.prepare<[number], ActionRow>(`${ACTION} WHERE a.id = ?`),
      actionsOf: db.prepare<[number], ActionRow>(`${ACTION} WHERE a.incident_id = ? ORDER BY a.id`),
      addAction: db.prepare(
        `INSERT INTO aar_actions (incident_id, community_id, objective_id, title, owner, due_date, check_text, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      setStatus: db.prepare(
        `UPDATE aar_actions SET status = ?, check_note = ?, closed_by = ?, closed_at = ?, verified_by = ?, verified_at = ?, updated_at = ? WHERE id = ?`),
      user: db.prepare<[string], { username: string; community_id: string; role: string; status: string }>(
        'SELECT username, community_id, role, status FROM users WHERE username = ?'),
    };
  }

  /** Another subject's entries on every timeline (shelters, mobilised people), by name: added once. */
  addSource(name: string, source: TimelineSource): void {
    this.#sources.set(name, source);
  }

  /** Another subject's section of the report's figures (`figures[key]`). */
  addSection<K extends keyof ReportSections>(key: K, section: ReportSection<K>): void {
    this.#sections[key] = section;
  }

  // ---- the timeline -----------------------------------------------------------------------------

  /** The incident's timeline, oldest first, a page at a time. */
  timeline(p: Principal, incidentId: number, q: TimelineQuery): TimelineAnswer {
    authorise(p, REPORT_READ, 'read an incident\'s timeline');
    const incident = this.#d.incidents.incident(p, incidentId);
    // A grid worker reads the doors of their grids, as on the board; the incident's own steps are everyone's.
    const all = this.#entries(incident).filter((e) => e.gridId === null || inReach(p, e.gridId));
    const items = all.slice(q.offset, q.offset + q.limit).map((e) => this.#view(incident, e));
    const next = q.offset + q.limit;
    return { incidentId, total: all.length, nextOffset: next < all.length ? next : null, items };
  }

  /** Every entry of the timeline, ordered: by instant, then kind, then as each source gave them. */
  #entries(incident: Incident): RawEntry[] {
    const board = this.#stmt.board.all(incident.id);
    const where = new Map(board.map((b) => [b.household_id, b]));
    const at = (hid: number | null) => (hid === null ? undefined : where.get(hid));
    const out: RawEntry[] = [];
    for (const s of this.#stmt.steps.all(incident.id)) {
      out.push({ at: s.at, kind: 'step', who: s.by, what: { step: s.step, version: s.version, changed: Object.keys(JSON.parse(s.changes) as object) }, gridId: null, householdId: null });
    }
    for (const r of this.#stmt.reports.all(incident.id)) {
      out.push({ at: r.at, kind: 'report', who: r.by, what: { status: r.status, source: r.source, note: r.note }, gridId: at(r.household_id)?.grid_id ?? null, householdId: r.household_id, address: at(r.household_id)?.address ?? null });
    }
    for (const j of this.#stmt.journal.all(incident.communityId, incident.id)) {
      const data = JSON.parse(j.data) as { householdId?: number; by?: string; stage?: string; lapsed?: boolean; held?: string };
      const hid = data.householdId ?? null;
      out.push({
        at: j.at, kind: BOARD_KINDS[j.type]!, who: j.type === 'board.escalated' ? null : (data.by ?? null),
        what: j.type === 'board.escalated' ? { stage: data.stage } : data.lapsed ? { lapsed: true, held: data.held } : {}, gridId: at(hid)?.grid_id ?? null, householdId: hid, address: at(hid)?.address ?? null,
      });
    }
    const linked = board.filter((b) => b.event_id !== null);
    const byEvent = new Map(linked.map((b) => [b.event_id!, b]));
    for (const c of this.#cases(linked)) {
      const b = byEvent.get(c.id)!;
      const base = { who: null, gridId: b.grid_id, householdId: b.household_id, address: b.address };
      out.push({ ...base, at: c.reported_at, kind: 'case', what: { eventId: c.id } });
      if (c.dispatched_at !== null) out.push({ ...base, at: c.dispatched_at, kind: 'case_dispatched', what: { eventId: c.id } });
      const done = c.resolved_at ?? c.closed_at;
      if (done !== null) out.push({ ...base, at: done, kind: 'case_resolved', what: { eventId: c.id, status: c.status } });
    }
    for (const source of this.#sources.values()) out.push(...source(incident));
    const rank = (k: string) => { const n = KIND_ORDER.indexOf(k); return n < 0 ? KIND_ORDER.length : n; };
    // A stable sort keeps each source's own order within an instant and kind.
    return out.sort((a, b) => a.at - b.at || rank(a.kind) - rank(b.kind));
  }

  #view(incident: Incident, e: RawEntry): TimelineEntry {
    const tz = this.#d.directory.timeZoneOf(incident.communityId);
    const address = e.address ?? null;
    return {
      at: isoInZone(e.at, tz), kind: e.kind, who: e.who, whoName: e.who === null ? null : this.#d.actorName(e.who) ?? e.who,
      what: e.what, gridId: e.gridId, householdId: e.householdId, address,
    };
  }

  #cases(linked: BoardRow[]) {
    return linked.length ? this.#stmt.cases.all(JSON.stringify(linked.map((b) => b.event_id))) : [];
  }

  // ---- the report -------------------------------------------------------------------------------

  /** The after-action report: the figures computed now, the objectives, the corrective actions. */
  report(p: Principal, incidentId: number): AfterActionAnswer {
    authorise(p, REPORT_READ, 'read an after-action report');
    const incident = this.#d.incidents.incident(p, incidentId);
    const view = this.#d.incidents.view(incident);
    const tz = this.#d.directory.timeZoneOf(incident.communityId);
    const board = this.#stmt.board.all(incident.id);
    const reports = this.#stmt.reports.all(incident.id);
    const byStatus = Object.fromEntries(BOARD_STATUSES.map((s) => [s, 0])) as Record<string, number>;
    for (const b of board) byStatus[b.status]!++;
    const grids = this.#timeToKnown(incident, board, reports);
    const escalations: Record<string, number> = {};
    for (const j of this.#stmt.journal.all(incident.communityId, incident.id)) {
      if (j.type !== 'board.escalated') continue;
      const stage = (JSON.parse(j.data) as { stage: string }).stage;
      escalations[stage] = (escalations[stage] ?? 0) + 1;
    }
    const linked = board.filter((b) => b.event_id !== null);
    const byEvent = new Map(linked.map((b) => [b.event_id!, b]));
    const cases = this.#cases(linked).map((c) => {
      const b = byEvent.get(c.id)!;
      const done = c.resolved_at ?? c.closed_at;
      return {
        eventId: c.id, householdId: b.household_id, gridId: b.grid_id, address: b.address, openedAt: isoInZone(c.reported_at, tz),
        closedAt: isoOrNull(done, tz), status: c.status, minutes: done === null ? null : minutesBetween(c.reported_at, done),
      };
    }).filter((c) => inReach(p, c.gridId)).sort((a, b) => a.eventId - b.eventId);
    return {
      incident: {
        id: view.id, type: view.type, level: view.level, drill: view.drill, headline: view.headline, status: view.status, declaredAt: view.declaredAt,
        endedAt: view.endedAt, declaredByName: view.declaredByName, endedByName: view.endedByName, summary: view.summary,
      },
      figures: {
        households: board.length, byStatus, grids,
        allKnownMinutes: grids.length && grids.every((g) => g.minutes !== null) ? Math.max(...grids.map((g) => g.minutes!)) : null,
        reports: reports.length, cases, escalations, people: this.#sections.people?.(incident) ?? null,
      },
      objectives: this.#stmt.objectives.all(incident.id).map((o) => this.#objectiveView(incident.communityId, o)),
      actions: this.#stmt.actionsOf.all(incident.id).map((a) => this.#actionView(a)),
    };
  }

  /**
   * Per grid, the board replayed in order up to the end (or now): households join as unknown
   * (when declared, or when an update grew the area), a report settles one or (a "no answer")
   * leaves it unknown. `knownAt` is the instant the grid's unknown count last fell to zero and
   * stayed there; a grid still with unknown households has none, and says how many.
   */
  #timeToKnown(incident: Incident, board: BoardRow[], reports: ReportRow[]): GridKnown[] {
    const tz = this.#d.directory.timeZoneOf(incident.communityId);
    const cutoff = incident.endedAt ?? this.#d.now();
    const gridOf = new Map(board.map((b) => [b.household_id, b.grid_id]));
    type Move = { at: number; order: number; hid: number; unknown: boolean };
    const moves: Move[] = board.map((b) => ({ at: b.added_at, order: 0, hid: b.household_id, unknown: true }));
    for (const r of reports) if (r.at <= cutoff) moves.push({ at: r.at, order: 1, hid: r.household_id, unknown: UNSETTLED.includes(r.status) });
    moves.sort((a, b) => a.at - b.at || a.order - b.order);
    const unknown = new Map<string, Set<number>>();
    const knownAt = new Map<string, number | null>();
    for (const m of moves) {
      const grid = gridOf.get(m.hid)!;
      let set = unknown.get(grid);
      if (!set) unknown.set(grid, (set = new Set()));
      const before = set.size;
      if (m.unknown) set.add(m.hid);
      else set.delete(m.hid);
      // Only the fall to zero counts: a later report on a grid already known does not move it.
      if (set.size > 0) knownAt.set(grid, null);
      else if (before > 0) knownAt.set(grid, m.at);
    }
    const totals = new Map<string, number>();
    for (const b of board) totals.set(b.grid_id, (totals.get(b.grid_id) ?? 0) + 1);
    return [...totals.keys()].sort().map((gridId) => {
      const at = knownAt.get(gridId) ?? null;
      return {
        gridId, gridName: this.#d.directory.grids.get(gridId)?.name.zh ?? gridId, households: totals.get(gridId)!,
        knownAt: isoOrNull(at, tz), minutes: at === null ? null : minutesBetween(incident.declaredAt, at),
        unknownAtEnd: unknown.get(gridId)?.size ?? 0,
      };
    });
  }

  // ---- objectives -------------------------------------------------------------------------------

  /** Add an objective with its rating. */
  async addObjective(p: Principal, incidentId: number, body: ObjectiveBody): Promise<ObjectiveView> {
    authorise(p, REVIEW, 'rate objectives');
    const incident = this.#d.incidents.incident(p, incidentId);
    const id = await this.#d.queue.runAs(p, (ctx) => {
      const now = this.#d.now();
      const id = Number(this.#stmt.addObjective.run(incident.id, p.communityId, body.title, body.rating, body.note, p.id, now, p.id, now).lastInsertRowid);
      this.#d.journal.writeEntity(now, p.communityId, 'aar.objective_added', 'incident_aar', incident.id, { objectiveId: id, rating: body.rating });
      ctx.changed();
      return id;
    });
    return this.#objectiveView(p.communityId, this.#stmt.objective.get(id)!);
  }

  /** Rate an objective again (a hot wash, then the meeting). */
  async rateObjective(p: Principal, incidentId: number, objectiveId: number, body: RateObjectiveBody): Promise<ObjectiveView> {
    authorise(p, REVIEW, 'rate objectives');
    this.#d.incidents.incident(p, incidentId);
    await this.#d.queue.runAs(p, (ctx) => {
      const o = this.#objective(p, incidentId, objectiveId);
      if (o.rating === body.rating && (body.note === undefined || body.note === o.note)) return;
      const now = this.#d.now();
      this.#stmt.rate.run(body.rating, body.note ?? o.note, p.id, now, objectiveId);
      this.#d.journal.writeEntity(now, p.communityId, 'aar.objective_rated', 'incident_aar', incidentId, { objectiveId, rating: [o.rating, body.rating] });
      ctx.changed();
    });
    return this.#objectiveView(p.communityId, this.#stmt.objective.get(objectiveId)!);
  }

  // ---- corrective actions -----------------------------------------------------------------------

  /** Add a corrective action: its owner must be an active member of staff of the community. */
  async addAction(p: Principal, incidentId: number, body: CorrectiveActionBody): Promise<CorrectiveActionView> {
    authorise(p, REVIEW, 'add corrective actions');
    const incident = this.#d.incidents.incident(p, incidentId);
    const owner = this.#stmt.user.get(body.owner.toLowerCase());
    if (!owner || owner.community_id !== p.communityId || owner.status !== 'active') invalidField('owner', `no active account ${body.owner} in this community`);
    if (body.objectiveId !== undefined) this.#objective(p, incidentId, body.objectiveId, 'objectiveId');
    const id = await this.#d.queue.runAs(p, (ctx) => {
      const now = this.#d.now();
      const id = Number(this.#stmt.addAction.run(
        incident.id, p.communityId, body.objectiveId ?? null, body.title, owner.username, body.dueDate, body.check, p.id, now, now,
      ).lastInsertRowid);
      this.#d.journal.writeEntity(now, p.communityId, 'aar.action_added', 'incident_aar', incident.id,
        { actionId: id, owner: owner.username, dueDate: body.dueDate });
      ctx.changed();
      return id;
    });
    return this.#actionView(this.#stmt.action.get(id)!);
  }

  /**
   * Move an action: done by its owner or the centre; verified, or reopened, by the centre only
   * (whoever checks is not whoever did it, unless the centre did both).
   */
  async setActionStatus(p: Principal, actionId: number, body: ActionStatusBody): Promise<CorrectiveActionView> {
    authorise(p, REVIEW, 'follow up corrective actions');
    await this.#d.queue.runAs(p, (ctx) => {
      const a = this.#action(p, actionId);
      if (a.status === body.status) return;
      const centre = COMMAND.includes(p.role);
      if (body.status === 'done' && !(centre || a.owner === p.id)) {
        throw new DomainError(403, 'error.forbidden', `only ${a.owner} or the centre may mark action ${a.id} done`);
      }
      if (body.status !== 'done' && !centre) throw new DomainError(403, 'error.forbidden', `only the centre may mark action ${a.id} ${body.status}`);
      if (body.status === 'verified' && a.status === 'open') invalidField('status', 'is done by its owner before it is verified');
      const now = this.#d.now();
      const note = body.checkNote || a.check_note;
      if (body.status === 'open') this.#stmt.setStatus.run('open', note, null, null, null, null, now, a.id);
      else if (body.status === 'done') this.#stmt.setStatus.run('done', note, p.id, now, null, null, now, a.id);
      else this.#stmt.setStatus.run('verified', note, a.closed_by, a.closed_at, p.id, now, now, a.id);
      this.#d.journal.writeEntity(now, p.communityId, `aar.action_${body.status === 'open' ? 'reopened' : body.status}`, 'incident_aar', a.incident_id,
        { actionId: a.id, from: a.status, to: body.status });
      ctx.changed();
    });
    return this.#actionView(this.#stmt.action.get(actionId)!);
  }

  /** Corrective actions across incidents (one owner's, the open ones): overdue first, then by due date. */
  actions(p: Principal, q: ActionListQuery): CorrectiveActionView[] {
    authorise(p, READ, 'read corrective actions');
    const where = ['a.community_id = ?'];
    const args: unknown[] = [p.communityId];
    if (q.owner) (where.push('a.owner = ?'), args.push(q.owner === 'me' ? p.id : q.owner.toLowerCase()));
    if (q.open !== undefined) where.push(q.open ? "a.status = 'open'" : "a.status <> 'open'");
    if (q.incident) (where.push('a.incident_id = ?'), args.push(q.incident));
    const rows = this.#d.db.prepare(
      `SELECT a.*, i.headline AS headline FROM aar_actions a JOIN incidents i ON i.id = a.incident_id WHERE ${where.join(' AND ')}
        ORDER BY (a.status = 'open') DESC, a.due_date, a.id LIMIT ?`,
    ).all(...args, q.limit) as ActionRow[];
    return rows.map((r) => this.#actionView(r)).sort((a, b) => Number(b.overdue) - Number(a.overdue));
  }

  // ---- the parts --------------------------------------------------------------------------------

  #objective(p: Principal, incidentId: number, objectiveId: number, field?: string): ObjectiveRow {
    const o = this.#stmt.objective.get(objectiveId);
    if (!o || o.community_id !== p.communityId || o.incident_id !== incidentId) {
      if (field) invalidField(field, `no objective ${objectiveId} in incident ${incidentId}`);
      throw notFound(`objective ${objectiveId} of incident ${incidentId}`);
    }
    return o;
  }

  #action(p: Principal, actionId: number): ActionRow {
    const a = this.#stmt.action.get(actionId);
    if (!a || a.community_id !== p.communityId) throw notFound(`corrective action ${actionId}`);
    return a;
  }

  #objectiveView(communityId: string, o: ObjectiveRow): ObjectiveView {
    const tz = this.#d.directory.timeZoneOf(communityId);
    return {
      id: o.id, incidentId: o.incident_id, title: o.title, rating: o.rating, note: o.note, ratedBy: o.rated_by,
      ratedByName: this.#d.actorName(o.rated_by) ?? o.rated_by, ratedAt: isoInZone(o.rated_at, tz),
    };
  }

  #actionView(a: ActionRow): CorrectiveActionView {
    const tz = this.#d.directory.timeZoneOf(a.community_id);
    const today = localDay(this.#d.now(), tz);
    return {
      id: a.id, incidentId: a.incident_id, incidentHeadline: a.headline, objectiveId: a.objective_id, title: a.title, owner: a.owner,
      ownerName: this.#d.actorName(a.owner) ?? a.owner, dueDate: a.due_date, check: a.check_text, status: a.status, checkNote: a.check_note,
      overdue: a.status === 'open' && a.due_date < today, createdBy: a.created_by, createdAt: isoInZone(a.created_at, tz),
      closedBy: a.closed_by, closedByName: a.closed_by === null ? null : this.#d.actorName(a.closed_by) ?? a.closed_by,
      closedAt: isoOrNull(a.closed_at, tz), verifiedBy: a.verified_by, verifiedAt: isoOrNull(a.verified_at, tz),
    };
  }
}

const minutesBetween = (from: number, to: number) => Math.round((to - from) / 6_000) / 10;
