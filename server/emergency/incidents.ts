/**
 * Incidents (应急事件): declared, updated and ended by the centre, one active at a time in a
 * community. Each step is a CAP message (Alert, Update, Cancel) kept in `incident_steps` with
 * what it changed, and a journal entry (`incident.declared`, `incident.updated`,
 * `incident.ended`) written in the same transaction, with the request's audit line; after
 * commit the step goes to the commit feed as an `IncidentChange`, which `server/app.ts` pushes
 * to every socket of the community (`incident:changed`).
 *
 * The public API other parts build on:
 *   - `active(communityId)`: the community's active incident as an `Incident`, or null. No
 *     principal: the accounted-for board, the live side and timers call it.
 *   - `affectedGrids(incident)`: the grid ids it covers (every grid of the community for 'all').
 *   - `publicOf(incident, names?)`: what walls and tablets are pushed (`PublicIncident`).
 *   - `get`, `list`, `activeView`, `screens`, `history` for people (checked against `READ`), and the writes
 *     `declare`, `update`, `end` (checked against `COMMAND`).
 *   - `acknowledge(displayId, communityId, ack)`: a wall shows a version (`incident:ack`).
 */
import type { Db } from '../db/index.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { JournalWriter } from '../kernel/journal.ts';
import { authorise, invalidField } from '../kernel/rules.ts';
import { DomainError, notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { scrubText, type NameMasker } from '../../shared/mask.ts';
import { isoInZone, isoOrNull } from '../../shared/time.ts';
import type {
  DeclareIncidentBody, EndIncidentBody, IncidentArea, IncidentLevel, IncidentListQuery, IncidentStatus, IncidentStep,
  IncidentScreen, IncidentStepView, IncidentType, IncidentView, PublicIncident, UpdateIncidentBody,
} from '../../shared/emergency.ts';
import { COMMAND, READ } from './access.ts';
import { ScreenAcks, type ScreenInfo } from './screens.ts';

/** An incident as the server holds it: instants in ms. */
export interface Incident {
  id: number;
  communityId: string;
  type: IncidentType;
  level: IncidentLevel;
  drill: boolean;
  /** 'all', or the affected grids' ids. */
  grids: IncidentArea;
  headline: string;
  instructions: string;
  status: IncidentStatus;
  declaredBy: string;
  declaredAt: number;
  endedBy: string | null;
  endedAt: number | null;
  summary: string | null;
  version: number;
  updatedAt: number;
}

/** A step as it was taken, with the incident as that step left it (`history`): what a CAP message is made of. */
export interface IncidentStepRecord {
  step: IncidentStep;
  version: number;
  at: number;
  incident: Incident;
}

/** One committed step, for the commit feed's subscribers (the push to every socket). */
export interface IncidentChange {
  kind: 'incident';
  seq: number;
  at: number;
  communityId: string;
  step: IncidentStep;
  incident: Incident;
}

export interface IncidentDeps {
  db: Db;
  queue: WriteQueue<any>;
  directory: Directory;
  journal: JournalWriter;
  now: () => number;
  /** The name people know an account by. */
  actorName: (username: string) => string | null;
  /** The community's paired displays (server/auth), for the screens list. */
  displays?: (communityId: string) => ScreenInfo[];
  /**
   * Told of every step in its write's transaction, after the step is kept: the accounted-for
   * board (server/emergency/board.ts) adds the households of the area declared or grown, in the
   * same write, so no board is ever behind its incident.
   */
  inTransaction?: (ctx: WriteContext<any>, incident: Incident, step: IncidentStep) => void;
}

interface IncidentRow {
  id: number; community_id: string; type: IncidentType; level: number; drill: number; grids: string | null; headline: string;
  instructions: string; status: IncidentStatus; declared_by: string; declared_at: number; ended_by: string | null; ended_at: number | null;
  summary: string | null; version: number; updated_at: number;
}
interface StepRow { step: IncidentStep; version: number; changes: string; by: string; at: number }

const JOURNAL_TYPES: Record<IncidentStep, string> = { alert: 'incident.declared', update: 'incident.updated', cancel: 'incident.ended' };
const CHANGEABLE = ['type', 'level', 'grids', 'headline', 'instructions'] as const;

const fromRow = (r: IncidentRow): Incident => ({
  id: r.id, communityId: r.community_id, type: r.type, level: r.level as IncidentLevel, drill: r.drill === 1,
  grids: r.grids === null ? 'all' : (JSON.parse(r.grids) as string[]), headline: r.headline, instructions: r.instructions,
  status: r.status, declaredBy: r.declared_by, declaredAt: r.declared_at, endedBy: r.ended_by, endedAt: r.ended_at,
  summary: r.summary, version: r.version, updatedAt: r.updated_at,
});

export class IncidentService {
  /** Each display's last acknowledgement. */
  readonly acks = new ScreenAcks();
  #d: IncidentDeps;
  #stmt;

  constructor(deps: IncidentDeps) {
    this.#d = deps;
    const db = deps.db;
    this.#stmt = {
      active: db.prepare<[string], IncidentRow>("SELECT * FROM incidents WHERE community_id = ? AND status = 'active'"),
      byId: db.prepare<[number], IncidentRow>('SELECT * FROM incidents WHERE id = ?'),
      insert: db.prepare(
        `INSERT INTO incidents (community_id, type, level, drill, grids, headline, instructions, status, declared_by, declared_at, version, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, 1, ?)`,
      ),
      update: db.prepare(
        'UPDATE incidents SET type = ?, level = ?, grids = ?, headline = ?, instructions = ?, version = version + 1, updated_at = ? WHERE id = ?',
      ),
      end: db.prepare(
        "UPDATE incidents SET status = 'ended', ended_by = ?, ended_at = ?, summary = ?, version = version + 1, updated_at = ? WHERE id = ?",
      ),
      step: db.prepare('INSERT INTO incident_steps (incident_id, step, version, changes, by, at) VALUES (?, ?, ?, ?, ?, ?)'),
      steps: db.prepare<[number], StepRow>('SELECT step, version, changes, by, at FROM incident_steps WHERE incident_id = ? ORDER BY version'),
    };
  }

  /** The community's active incident, or null. */
  active(communityId: string): Incident | null {
    const row = this.#stmt.active.get(communityId);
    return row ? fromRow(row) : null;
  }

  /** The grids an incident covers: its list, or every grid of its community for 'all'. */
  affectedGrids(incident: Pick<Incident, 'communityId' | 'grids'>): string[] {
    return incident.grids === 'all' ? this.#d.directory.gridsOf(incident.communityId).map((g) => g.id) : [...incident.grids];
  }

  /** The active incident as staff read it, or null. */
  activeView(p: Principal): IncidentView | null {
    authorise(p, READ, 'read incidents');
    const i = this.active(p.communityId);
    return i ? this.view(i) : null;
  }

  /** One incident with its steps, oldest first. */
  get(p: Principal, id: number): { incident: IncidentView; steps: IncidentStepView[] } {
    authorise(p, READ, 'read incidents');
    const i = this.#own(p, id);
    const tz = this.#d.directory.timeZoneOf(i.communityId);
    const steps = this.#stmt.steps.all(id).map((s) => ({
      step: s.step, version: s.version, changes: JSON.parse(s.changes) as Record<string, [unknown, unknown]>,
      by: s.by, byName: this.#d.actorName(s.by) ?? s.by, at: isoInZone(s.at, tz),
    }));
    return { incident: this.view(i), steps };
  }

  /** The community's incidents, newest first. */
  list(p: Principal, q: IncidentListQuery): IncidentView[] {
    authorise(p, READ, 'read incidents');
    const where = ['community_id = ?'];
    const args: unknown[] = [p.communityId];
    if (q.status) (where.push('status = ?'), args.push(q.status));
    const rows = this.#d.db.prepare(`SELECT * FROM incidents WHERE ${where.join(' AND ')} ORDER BY declared_at DESC, id DESC LIMIT ?`)
      .all(...args, q.limit) as IncidentRow[];
    return rows.map((r) => this.view(fromRow(r)));
  }

  /**
   * The incident `id` with every step taken, oldest first, each with the incident as it stood
   * right after it: the incident row is changed in place, so the earlier states are replayed from
   * what each step changed (a declaration lists every field it set, an update what it changed
   * from what to what, an end the status and summary).
   */
  history(p: Principal, id: number): { incident: Incident; steps: IncidentStepRecord[] } {
    authorise(p, READ, 'read incidents');
    const current = this.#own(p, id);
    let state: Incident = current;
    const steps = this.#stmt.steps.all(id).map((s) => {
      const changes = JSON.parse(s.changes) as Record<string, [unknown, unknown]>;
      const after = Object.fromEntries(Object.entries(changes).map(([k, [, v]]) => [k, v]));
      state = s.step === 'alert'
        ? { ...current, ...pick(after, [...CHANGEABLE, 'drill']), status: 'active', declaredBy: s.by, declaredAt: s.at, endedBy: null, endedAt: null, summary: null }
        : s.step === 'update'
          ? { ...state, ...pick(after, CHANGEABLE) }
          : { ...state, status: 'ended', endedBy: s.by, endedAt: s.at, summary: (after.summary as string | undefined) ?? current.summary };
      state = { ...state, version: s.version, updatedAt: s.at };
      return { step: s.step, version: s.version, at: s.at, incident: state };
    });
    return { incident: current, steps };
  }

  /** The incident `id` of the principal's community (a 404 for another's), for a caller that checked READ. */
  incident(p: Principal, id: number): Incident {
    authorise(p, READ, 'read incidents');
    return this.#own(p, id);
  }

  /**
   * A display of `communityId` shows `version` of incident `id`: kept when the incident is the
   * community's; false (and nothing kept) for another community's, an unknown one or a version
   * it never had.
   */
  acknowledge(displayId: number, communityId: string, ack: { id: number; version: number }): boolean {
    const row = this.#stmt.byId.get(ack.id);
    if (!row || row.community_id !== communityId || ack.version > row.version) return false;
    return this.acks.ack(displayId, ack.id, ack.version, this.#d.now());
  }

  /** The community's displays and whether each shows the incident's current version, not yet flipped first. */
  screens(p: Principal, id: number): { version: number; screens: IncidentScreen[] } {
    authorise(p, READ, 'read incidents');
    const i = this.#own(p, id);
    const displays = this.#d.displays?.(p.communityId) ?? [];
    return { version: i.version, screens: this.acks.screens(i.id, i.version, displays, this.#d.directory.timeZoneOf(i.communityId)) };
  }

  /** Declare an incident (CAP Alert); a 409 naming the active one when there is one. */
  async declare(p: Principal, body: DeclareIncidentBody): Promise<IncidentView> {
    authorise(p, COMMAND, 'declare incidents');
    this.#checkGrids(p, body.grids);
    const id = await this.#d.queue.runAs(p, (ctx) => {
      const active = this.active(p.communityId);
      if (active) throw activeConflict(active);
      const now = this.#d.now();
      const id = Number(this.#stmt.insert.run(
        p.communityId, body.type, body.level, body.drill ? 1 : 0, gridsColumn(body.grids), body.headline, body.instructions, p.id, now, now,
      ).lastInsertRowid);
      const set = { type: body.type, level: body.level, drill: body.drill, grids: body.grids, headline: body.headline, instructions: body.instructions };
      this.#record(ctx, p, id, 'alert', Object.fromEntries(Object.entries(set).map(([k, v]) => [k, [null, v]])), now);
      return id;
    });
    return this.view(fromRow(this.#stmt.byId.get(id)!));
  }

  /** Change an active incident's type, level, area, headline or instructions (CAP Update), against the version the form read. */
  async update(p: Principal, id: number, body: UpdateIncidentBody): Promise<IncidentView> {
    authorise(p, COMMAND, 'update incidents');
    if (body.grids) this.#checkGrids(p, body.grids);
    await this.#d.queue.runAs(p, (ctx) => {
      const before = this.#own(p, id);
      this.#stillActive(before);
      this.#sameVersion(before, body.expectedVersion);
      const after = { ...before, ...Object.fromEntries(CHANGEABLE.filter((k) => body[k] !== undefined).map((k) => [k, body[k]])) } as Incident;
      const changes: Record<string, [unknown, unknown]> = {};
      for (const k of CHANGEABLE) if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) changes[k] = [before[k], after[k]];
      if (!Object.keys(changes).length) invalidField('level', 'changes nothing: every field given is as it is');
      const now = this.#d.now();
      this.#stmt.update.run(after.type, after.level, gridsColumn(after.grids), after.headline, after.instructions, now, id);
      this.#record(ctx, p, id, 'update', changes, now);
    });
    return this.view(fromRow(this.#stmt.byId.get(id)!));
  }

  /** End an active incident (CAP Cancel) with a summary of what happened. */
  async end(p: Principal, id: number, body: EndIncidentBody): Promise<IncidentView> {
    authorise(p, COMMAND, 'end incidents');
    await this.#d.queue.runAs(p, (ctx) => {
      const before = this.#own(p, id);
      this.#stillActive(before);
      if (body.expectedVersion !== undefined) this.#sameVersion(before, body.expectedVersion);
      const now = this.#d.now();
      this.#stmt.end.run(p.id, now, body.summary, now, id);
      this.#record(ctx, p, id, 'cancel', { status: ['active', 'ended'], summary: [null, body.summary] }, now);
    });
    return this.view(fromRow(this.#stmt.byId.get(id)!));
  }

  /**
   * What a wall or a tablet is pushed: no names; the headline and instructions with phone and ID
   * numbers scrubbed and the community's known names masked, as every free text on a wall.
   */
  publicOf(i: Incident, names?: NameMasker): PublicIncident {
    const tz = this.#d.directory.timeZoneOf(i.communityId);
    const clean = (text: string) => (names ? names.apply(scrubText(text)) : scrubText(text));
    return {
      id: i.id, type: i.type, level: i.level, drill: i.drill, grids: i.grids, headline: clean(i.headline), instructions: clean(i.instructions),
      status: i.status, declaredAt: isoInZone(i.declaredAt, tz), endedAt: isoOrNull(i.endedAt, tz), version: i.version,
      updatedAt: isoInZone(i.updatedAt, tz),
    };
  }

  /** An incident as staff read it. */
  view(i: Incident): IncidentView {
    const tz = this.#d.directory.timeZoneOf(i.communityId);
    return {
      id: i.id, type: i.type, level: i.level, drill: i.drill, grids: i.grids, headline: i.headline, instructions: i.instructions,
      status: i.status, declaredAt: isoInZone(i.declaredAt, tz), endedAt: isoOrNull(i.endedAt, tz), version: i.version,
      updatedAt: isoInZone(i.updatedAt, tz),
      declaredBy: i.declaredBy, declaredByName: this.#d.actorName(i.declaredBy) ?? i.declaredBy,
      endedBy: i.endedBy, endedByName: i.endedBy === null ? null : this.#d.actorName(i.endedBy) ?? i.endedBy,
      summary: i.summary,
    };
  }

  /** The step's row, its journal entry and its change for after commit. */
  #record(ctx: WriteContext<IncidentChange>, p: Principal, id: number, step: IncidentStep, changes: Record<string, [unknown, unknown]>, now: number) {
    const incident = fromRow(this.#stmt.byId.get(id)!);
    this.#stmt.step.run(id, step, incident.version, JSON.stringify(changes), p.id, now);
    const seq = this.#d.journal.writeEntity(now, p.communityId, JOURNAL_TYPES[step], 'incident', id, {
      step, version: incident.version, level: incident.level, drill: incident.drill, changed: Object.keys(changes),
    });
    ctx.emit({ kind: 'incident', seq, at: now, communityId: p.communityId, step, incident });
    this.#d.inTransaction?.(ctx, incident, step);
  }

  #own(p: Principal, id: number): Incident {
    const row = this.#stmt.byId.get(id);
    if (!row || row.community_id !== p.communityId) throw notFound(`incident ${id}`);
    return fromRow(row);
  }

  #stillActive(i: Incident): void {
    if (i.status !== 'active') throw new DomainError(409, 'error.incident_ended', `incident ${i.id} has ended`);
  }

  #sameVersion(i: Incident, expected: number): void {
    if (i.version === expected) return;
    const tz = this.#d.directory.timeZoneOf(i.communityId);
    throw new DomainError(409, 'error.incident_changed', `incident ${i.id} is at version ${i.version}, not ${expected}`, undefined,
      { version: i.version, changedAt: isoInZone(i.updatedAt, tz) });
  }

  #checkGrids(p: Principal, grids: IncidentArea): void {
    if (grids === 'all') return;
    grids.forEach((g, n) => {
      const grid = this.#d.directory.grids.get(g);
      if (!grid || grid.communityId !== p.communityId) invalidField(`grids[${n}]`, `no grid ${g} in this community`);
    });
  }
}

/** The fields of `o` named in `keys` that it has. */
const pick = (o: Record<string, unknown>, keys: readonly string[]): Partial<Incident> =>
  Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]])) as Partial<Incident>;

const gridsColumn = (grids: IncidentArea): string | null => (grids === 'all' ? null : JSON.stringify(grids));

/** A second declaration while one is active: 409, naming the active one. */
function activeConflict(active: Incident): DomainError {
  return new DomainError(409, 'error.incident_active', `incident ${active.id} (${active.headline}) is active; update or end it`, undefined, {
    active: { id: active.id, type: active.type, level: active.level, drill: active.drill, headline: active.headline },
  });
}
