/**
 * An incident's people and places (shared/emergency-people.ts): call-outs and who is on duty,
 * shelters and who is in them (by head count), and each shelter's supplies as a ledger.
 *
 * - A call-out names skills and grids (either may be empty: any); the community's active
 *   volunteers who match get a row each, in the same write, and hear it on their phone
 *   (`/me/live`). They answer (accepted / declined, changeable while the incident lasts), then
 *   start and end their duty (我已到岗 / 结束值守); the incident's end ends every duty.
 * - A shelter's capacity is set by hand or floor(usable area / 3.5 m²) (Sphere); its occupancy
 *   is the sum of its check-ins and check-outs, and a check-out of more than are in is a 409.
 * - Supplies: every movement is a row with the stock after it; what is on hand is their sum,
 *   never a column anyone edits. An out beyond what is on hand is a 409 naming the item and
 *   what is on hand, and writes nothing.
 *
 * Each write is journalled (`callout.*`, `shelter.*`, entity `callout` or `shelter`) and after
 * commit goes to the feed as a `PeopleChange` (server/live/people.ts: the wall's counts, a
 * notice to staff, the volunteers' phones).
 */
import type { Db } from '../db/index.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { JournalWriter } from '../kernel/journal.ts';
import { authorise, invalidField, requireGrid } from '../kernel/rules.ts';
import { DomainError, notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { scrubText } from '../../shared/mask.ts';
import { isoInZone, isoOrNull } from '../../shared/time.ts';
import type { IncidentStep } from '../../shared/emergency.ts';
import {
  capacityOf, runningLow, type CalloutAnswer, type CalloutAnswerBody, type CalloutAnswerView, type CalloutBody, type CalloutView,
  type DutyBody, type MeCalloutView, type PeopleAnswer, type PublicPeople, type ShelterBody, type ShelterCheckInBody, type ShelterNeed,
  type ShelterPatchBody, type ShelterView, type SuppliesAnswer, type SupplyItemView, type SupplyMoveBody, type SupplyMoveView,
} from '../../shared/emergency-people.ts';
import type { Incident, IncidentService } from './incidents.ts';
import { AT_SHELTER, MOBILISE, READ, SELF } from './people-access.ts';

/** What one committed write changed, for the feed's subscribers. */
export interface PeopleChange {
  kind: 'people';
  seq: number;
  at: number;
  communityId: string;
  /** The incident whose counts moved; null for a standing shelter outside any incident. */
  incidentId: number | null;
  /** Volunteers whose call-outs changed: their phones are told. */
  volunteerIds: number[];
}

export interface PeopleDeps {
  db: Db;
  queue: WriteQueue<any>;
  directory: Directory;
  journal: JournalWriter;
  now: () => number;
  actorName: (username: string) => string | null;
  incidents: IncidentService;
}

interface CalloutRow { id: number; incident_id: number; community_id: string; skills: string; grids: string; message: string; created_by: string; created_at: number }
interface AnswerRow {
  callout_id: number; volunteer_id: number; answer: CalloutAnswer | null; answered_at: number | null; on_duty_from: number | null;
  on_duty_to: number | null; name: string; phone: string; grid_id: string | null;
}
interface ShelterRow {
  id: number; community_id: string; incident_id: number | null; name: string; address: string; grid_id: string | null; area_m2: number | null;
  capacity_set: number | null; needs: string; open: number; version: number; updated_at: number; occupancy: number; households: number;
}
interface ItemRow { item: string; unit: string; low_below: number | null; on_hand: number; peak: number }
interface MoveRow { id: number; item: string; unit: string; delta: number; on_hand_after: number; reason: string; by: string; at: number }

const SHELTER = `SELECT s.*, COALESCE((SELECT SUM(people) FROM shelter_check_ins c WHERE c.shelter_id = s.id), 0) AS occupancy,
  COALESCE((SELECT SUM(CASE WHEN people > 0 THEN households ELSE -households END) FROM shelter_check_ins c WHERE c.shelter_id = s.id), 0) AS households
  FROM shelters s`;
const ITEMS = `SELECT i.item, i.unit, i.low_below, COALESCE(SUM(m.delta), 0) AS on_hand, COALESCE(MAX(m.on_hand_after), 0) AS peak
  FROM shelter_items i LEFT JOIN shelter_supplies m ON m.shelter_id = i.shelter_id AND m.item = i.item`;
/** The supply moves a shelter's page lists, newest first. */
const MOVES_SHOWN = 200;

export class PeopleService {
  #d: PeopleDeps;
  #stmt;

  constructor(deps: PeopleDeps) {
    this.#d = deps;
    const db = deps.db;
    const ANSWERS = `SELECT a.*, v.name, v.phone, v.grid_id FROM callout_answers a JOIN volunteers v ON v.id = a.volunteer_id`;
    this.#stmt = {
      incident: db.prepare<[number], { id: number; community_id: string; status: string; drill: number; headline: string }>(
        'SELECT id, community_id, status, drill, headline FROM incidents WHERE id = ?'),
      insertCallout: db.prepare('INSERT INTO callouts (incident_id, community_id, skills, grids, message, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      matching: db.prepare<[{ community: string; skills: string; grids: string }], { id: number }>(
        `SELECT id FROM volunteers WHERE community_id = @community AND status = 'active'
           AND (NOT EXISTS (SELECT 1 FROM json_each(@skills))
                OR EXISTS (SELECT 1 FROM json_each(volunteers.skills) s WHERE s.value IN (SELECT value FROM json_each(@skills))))
           AND (NOT EXISTS (SELECT 1 FROM json_each(@grids)) OR grid_id IN (SELECT value FROM json_each(@grids)))
         ORDER BY id`),
      insertAnswer: db.prepare('INSERT INTO callout_answers (callout_id, volunteer_id) VALUES (?, ?)'),
      callout: db.prepare<[number], CalloutRow>('SELECT * FROM callouts WHERE id = ?'),
      callouts: db.prepare<[number], CalloutRow>('SELECT * FROM callouts WHERE incident_id = ? ORDER BY id DESC'),
      answers: db.prepare<[number], AnswerRow>(`${ANSWERS} WHERE a.callout_id = ? ORDER BY a.answer IS NULL, a.answer, v.id`),
      answer: db.prepare<[number, number], AnswerRow>(`${ANSWERS} WHERE a.callout_id = ? AND a.volunteer_id = ?`),
      onDuty: db.prepare<[number], AnswerRow>(
        `${ANSWERS} JOIN callouts c ON c.id = a.callout_id
          WHERE c.incident_id = ? AND a.on_duty_from IS NOT NULL AND a.on_duty_to IS NULL ORDER BY a.on_duty_from`),
      mobilised: db.prepare<[number], number>(
        `SELECT COUNT(DISTINCT a.volunteer_id) FROM callout_answers a JOIN callouts c ON c.id = a.callout_id
          WHERE c.incident_id = ? AND a.answer = 'accepted'`).pluck(),
      onDutyCount: db.prepare<[number], number>(
        `SELECT COUNT(DISTINCT a.volunteer_id) FROM callout_answers a JOIN callouts c ON c.id = a.callout_id
          WHERE c.incident_id = ? AND a.on_duty_from IS NOT NULL AND a.on_duty_to IS NULL`).pluck(),
      mine: db.prepare<[number], AnswerRow & CalloutRow & { headline: string; drill: number }>(
        `SELECT a.*, c.*, i.headline, i.drill, '' AS name, '' AS phone, NULL AS grid_id FROM callout_answers a
           JOIN callouts c ON c.id = a.callout_id JOIN incidents i ON i.id = c.incident_id
          WHERE a.volunteer_id = ? AND i.status = 'active' ORDER BY c.id DESC`),
      setAnswer: db.prepare('UPDATE callout_answers SET answer = ?, answered_at = ? WHERE callout_id = ? AND volunteer_id = ?'),
      setDuty: db.prepare('UPDATE callout_answers SET on_duty_from = ?, on_duty_to = ? WHERE callout_id = ? AND volunteer_id = ?'),
      endDuties: db.prepare(
        `UPDATE callout_answers SET on_duty_to = ? WHERE on_duty_from IS NOT NULL AND on_duty_to IS NULL
            AND callout_id IN (SELECT id FROM callouts WHERE incident_id = ?) RETURNING volunteer_id`),

      shelter: db.prepare<[number], ShelterRow>(`${SHELTER} WHERE s.id = ?`),
      shelters: db.prepare<[string], ShelterRow>(`${SHELTER} WHERE s.community_id = ? ORDER BY s.id`),
      sheltersOf: db.prepare<[string, number], ShelterRow>(
        `${SHELTER} WHERE s.community_id = ? AND (s.incident_id IS NULL OR s.incident_id = ?) ORDER BY s.incident_id IS NULL, s.id`),
      insertShelter: db.prepare(
        `INSERT INTO shelters (community_id, incident_id, name, address, grid_id, area_m2, capacity_set, needs, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateShelter: db.prepare(
        'UPDATE shelters SET name = ?, address = ?, area_m2 = ?, capacity_set = ?, needs = ?, open = ?, version = version + 1, updated_at = ? WHERE id = ?'),
      checkIn: db.prepare('INSERT INTO shelter_check_ins (shelter_id, incident_id, people, households, by, at) VALUES (?, ?, ?, ?, ?, ?)'),

      item: db.prepare<[number, string], ItemRow>(`${ITEMS} WHERE i.shelter_id = ? AND i.item = ? GROUP BY i.item`),
      items: db.prepare<[number], ItemRow>(`${ITEMS} WHERE i.shelter_id = ? GROUP BY i.item ORDER BY i.item`),
      insertItem: db.prepare('INSERT INTO shelter_items (shelter_id, item, unit, low_below) VALUES (?, ?, ?, ?)'),
      setLow: db.prepare('UPDATE shelter_items SET low_below = ? WHERE shelter_id = ? AND item = ?'),
      move: db.prepare('INSERT INTO shelter_supplies (shelter_id, item, delta, on_hand_after, reason, by, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      moveById: db.prepare<[number], MoveRow>(
        'SELECT m.*, i.unit FROM shelter_supplies m JOIN shelter_items i ON i.shelter_id = m.shelter_id AND i.item = m.item WHERE m.id = ?'),
      moves: db.prepare<[number], MoveRow>(
        `SELECT m.*, i.unit FROM shelter_supplies m JOIN shelter_items i ON i.shelter_id = m.shelter_id AND i.item = m.item
          WHERE m.shelter_id = ? ORDER BY m.id DESC LIMIT ${MOVES_SHOWN}`),
      lowIn: db.prepare<[string, number], ItemRow & { shelter_id: number }>(
        `SELECT i.shelter_id, i.item, i.unit, i.low_below, COALESCE(SUM(m.delta), 0) AS on_hand, COALESCE(MAX(m.on_hand_after), 0) AS peak
           FROM shelter_items i JOIN shelters s ON s.id = i.shelter_id
           LEFT JOIN shelter_supplies m ON m.shelter_id = i.shelter_id AND m.item = i.item
          WHERE s.community_id = ? AND s.open = 1 AND (s.incident_id IS NULL OR s.incident_id = ?)
          GROUP BY i.shelter_id, i.item ORDER BY i.shelter_id, i.item`),
    };
  }

  // ---- the incident's hook ---------------------------------------------------------------------

  /** An incident step, in its own write: its end ends every duty still open. */
  onStep(ctx: WriteContext<any>, incident: Incident, step: IncidentStep): void {
    if (step !== 'cancel') return;
    const now = this.#d.now();
    const ended = (this.#stmt.endDuties.all(now, incident.id) as { volunteer_id: number }[]).map((r) => r.volunteer_id);
    if (ended.length) this.#emit(ctx, incident.communityId, incident.id, ended, now, 'callout.duties_ended', 'callout', incident.id, { ended: ended.length });
  }

  // ---- call-outs -------------------------------------------------------------------------------

  /** Call out the active volunteers with any of the skills in any of the grids; a 409 when none match. */
  async callOut(p: Principal, incidentId: number, body: CalloutBody): Promise<CalloutView> {
    authorise(p, MOBILISE, 'call volunteers out');
    body.grids.forEach((g, n) => requireGrid(this.#d.directory, p, g, `grids[${n}]`));
    const id = await this.#d.queue.runAs(p, (ctx) => {
      this.#active(p, incidentId);
      const skills = JSON.stringify(body.skills);
      const grids = JSON.stringify(body.grids);
      const matched = this.#stmt.matching.all({ community: p.communityId, skills, grids }).map((r) => r.id);
      if (!matched.length) {
        throw new DomainError(409, 'error.callout_nobody', `no active volunteer has ${body.skills.join('/') || 'any skill'} in ${body.grids.join('/') || 'any grid'}`,
          undefined, { skills: body.skills, grids: body.grids });
      }
      const now = this.#d.now();
      const id = Number(this.#stmt.insertCallout.run(incidentId, p.communityId, skills, grids, body.message, p.id, now).lastInsertRowid);
      for (const v of matched) this.#stmt.insertAnswer.run(id, v);
      this.#emit(ctx, p.communityId, incidentId, matched, now, 'callout.created', 'callout', id,
        { incidentId, skills: body.skills, grids: body.grids, matched: matched.length });
      return id;
    });
    return this.#calloutView(this.#stmt.callout.get(id)!);
  }

  /** The incident's call-outs with every answer, who is on duty now and how many accepted. */
  people(p: Principal, incidentId: number): PeopleAnswer {
    authorise(p, READ, 'read call-outs');
    const incident = this.#incident(p, incidentId);
    const tz = this.#tz(p.communityId);
    return {
      incidentId, active: incident.status === 'active',
      callouts: this.#stmt.callouts.all(incidentId).map((c) => this.#calloutView(c)),
      onDuty: this.#stmt.onDuty.all(incidentId).map((a) => ({ ...answerView(a, tz), calloutId: a.callout_id })),
      mobilised: this.#stmt.mobilised.get(incidentId) ?? 0,
    };
  }

  /** The volunteer's call-outs of active incidents, newest first. */
  mine(p: Principal): MeCalloutView[] {
    authorise(p, SELF, 'read their call-outs');
    const tz = this.#tz(p.communityId);
    return this.#stmt.mine.all(this.#volunteer(p)).map((r) => meView(r, tz));
  }

  /** Accept or decline; the same answer again changes nothing. Declining while on duty is a 409: end the duty first. */
  async answer(p: Principal, calloutId: number, body: CalloutAnswerBody): Promise<MeCalloutView> {
    authorise(p, SELF, 'answer call-outs');
    const v = this.#volunteer(p);
    await this.#d.queue.runAs(p, (ctx) => {
      const { callout, row } = this.#mineOpen(p, v, calloutId);
      if (row.answer === body.answer) return;
      if (body.answer === 'declined' && onDuty(row)) {
        throw new DomainError(409, 'error.callout_on_duty', 'on duty: end the duty (结束值守) before declining');
      }
      const now = this.#d.now();
      this.#stmt.setAnswer.run(body.answer, now, calloutId, v);
      this.#emit(ctx, p.communityId, callout.incident_id, [v], now, `callout.${body.answer}`, 'callout', calloutId, { volunteerId: v });
    });
    return this.#meOne(p, v, calloutId);
  }

  /** Start a duty (我已到岗) on an accepted call-out, or end it (结束值守); either twice changes nothing. */
  async duty(p: Principal, calloutId: number, body: DutyBody): Promise<MeCalloutView> {
    authorise(p, SELF, 'go on duty');
    const v = this.#volunteer(p);
    await this.#d.queue.runAs(p, (ctx) => {
      const { callout, row } = this.#mineOpen(p, v, calloutId);
      const now = this.#d.now();
      if (body.action === 'start') {
        if (onDuty(row)) return;
        if (row.answer !== 'accepted') throw new DomainError(409, 'error.callout_not_accepted', 'accept the call-out before going on duty');
        this.#stmt.setDuty.run(now, null, calloutId, v);
      } else {
        if (!onDuty(row)) {
          if (row.on_duty_to !== null) return;
          throw new DomainError(409, 'error.callout_not_on_duty', 'not on duty: nothing to end');
        }
        this.#stmt.setDuty.run(row.on_duty_from, now, calloutId, v);
      }
      this.#emit(ctx, p.communityId, callout.incident_id, [v], now, body.action === 'start' ? 'callout.on_duty' : 'callout.off_duty', 'callout', calloutId,
        { volunteerId: v });
    });
    return this.#meOne(p, v, calloutId);
  }

  // ---- shelters --------------------------------------------------------------------------------

  /** The community's shelters; for an incident, its own and the standing ones. */
  shelters(p: Principal, incidentId?: number): ShelterView[] {
    authorise(p, READ, 'read shelters');
    if (incidentId !== undefined) this.#incident(p, incidentId);
    const rows = incidentId === undefined ? this.#stmt.shelters.all(p.communityId) : this.#stmt.sheltersOf.all(p.communityId, incidentId);
    return rows.map((r) => this.#shelterView(r));
  }

  shelter(p: Principal, id: number): ShelterView {
    authorise(p, READ, 'read shelters');
    return this.#shelterView(this.#shelter(p, id));
  }

  /** Open a shelter, for an active incident or standing. */
  async createShelter(p: Principal, body: ShelterBody): Promise<ShelterView> {
    authorise(p, MOBILISE, 'open shelters');
    if (body.gridId) requireGrid(this.#d.directory, p, body.gridId, 'gridId');
    const id = await this.#d.queue.runAs(p, (ctx) => {
      if (body.incidentId !== undefined) {
        const i = this.#stmt.incident.get(body.incidentId);
        if (!i || i.community_id !== p.communityId) invalidField('incidentId', `no incident ${body.incidentId} in this community`);
        if (i.status !== 'active') invalidField('incidentId', `incident ${body.incidentId} has ended`);
      }
      const now = this.#d.now();
      const id = Number(this.#stmt.insertShelter.run(p.communityId, body.incidentId ?? null, body.name, body.address, body.gridId ?? null,
        body.areaM2 ?? null, body.capacity ?? null, JSON.stringify(body.needs), p.id, now, now).lastInsertRowid);
      this.#emit(ctx, p.communityId, this.#incidentOf(p, body.incidentId ?? null), [], now, 'shelter.opened', 'shelter', id,
        { incidentId: body.incidentId ?? null, capacity: capacityOf(body.areaM2 ?? null, body.capacity ?? null) });
      return id;
    });
    return this.#shelterView(this.#stmt.shelter.get(id)!);
  }

  /** Change a shelter's name, address, area, capacity, needs, or close or reopen it. */
  async changeShelter(p: Principal, id: number, body: ShelterPatchBody): Promise<ShelterView> {
    authorise(p, MOBILISE, 'change shelters');
    await this.#d.queue.runAs(p, (ctx) => {
      const s = this.#shelter(p, id);
      if (body.expectedVersion !== undefined && body.expectedVersion !== s.version) {
        throw new DomainError(409, 'error.shelter_changed', `shelter ${id} (${s.name}) is at version ${s.version}, not ${body.expectedVersion}: changed meanwhile`,
          undefined, { version: s.version });
      }
      const next = {
        name: body.name ?? s.name, address: body.address ?? s.address,
        area: body.areaM2 === undefined ? s.area_m2 : body.areaM2, set: body.capacity === undefined ? s.capacity_set : body.capacity,
        needs: body.needs ?? (JSON.parse(s.needs) as ShelterNeed[]), open: body.open ?? s.open === 1,
      };
      if (next.area === null && next.set === null) invalidField('areaM2', 'give the usable area or a capacity');
      const now = this.#d.now();
      this.#stmt.updateShelter.run(next.name, next.address, next.area, next.set, JSON.stringify(next.needs), next.open ? 1 : 0, now, id);
      this.#emit(ctx, p.communityId, this.#incidentOf(p, s.incident_id), [], now, 'shelter.changed', 'shelter', id, { changed: Object.keys(body).filter((k) => k !== 'expectedVersion') });
    });
    return this.#shelterView(this.#stmt.shelter.get(id)!);
  }

  /** People come in or leave, by head count; leaving with more than are in is a 409. */
  async checkIn(p: Principal, id: number, body: ShelterCheckInBody): Promise<ShelterView> {
    authorise(p, AT_SHELTER, 'count people in and out of shelters');
    await this.#d.queue.runAs(p, (ctx) => {
      const s = this.#shelter(p, id);
      if (body.direction === 'in' && s.open !== 1) throw new DomainError(409, 'error.shelter_closed', `shelter ${id} (${s.name}) is closed`);
      if (body.direction === 'out' && body.people > s.occupancy) {
        throw new DomainError(409, 'error.shelter_out_beyond', `${s.occupancy} people are in ${s.name}; ${body.people} cannot leave`, undefined,
          { occupancy: s.occupancy });
      }
      const now = this.#d.now();
      const incidentId = this.#incidentOf(p, s.incident_id);
      const sign = body.direction === 'in' ? 1 : -1;
      this.#stmt.checkIn.run(id, incidentId, sign * body.people, body.households ?? 0, p.id, now);
      this.#emit(ctx, p.communityId, incidentId, [], now, body.direction === 'in' ? 'shelter.checked_in' : 'shelter.checked_out', 'shelter', id,
        { people: body.people, households: body.households ?? null, occupancy: s.occupancy + sign * body.people });
    });
    return this.#shelterView(this.#stmt.shelter.get(id)!);
  }

  // ---- supplies --------------------------------------------------------------------------------

  /** A shelter's items with what is on hand, and its latest movements. */
  supplies(p: Principal, id: number): SuppliesAnswer {
    authorise(p, READ, 'read supplies');
    this.#shelter(p, id);
    const tz = this.#tz(p.communityId);
    return {
      shelterId: id, items: this.#stmt.items.all(id).map(itemView),
      moves: this.#stmt.moves.all(id).map((m) => this.#moveView(m, tz)),
    };
  }

  /** Book an item in or out; an out beyond what is on hand is a 409 naming the item and what is on hand. */
  async moveSupply(p: Principal, id: number, body: SupplyMoveBody): Promise<{ move: SupplyMoveView; item: SupplyItemView }> {
    authorise(p, AT_SHELTER, 'book supplies');
    const moveId = await this.#d.queue.runAs(p, (ctx) => {
      const s = this.#shelter(p, id);
      const before = this.#stmt.item.get(id, body.item);
      if (before && before.unit !== body.unit) invalidField('unit', `${body.item} is counted in ${before.unit}, not ${body.unit}`);
      const onHand = before?.on_hand ?? 0;
      if (body.direction === 'out' && body.quantity > onHand) {
        throw new DomainError(409, 'error.supply_short', `${onHand} ${body.unit} of ${body.item} on hand; ${body.quantity} cannot go out`, undefined,
          { item: body.item, unit: body.unit, onHand });
      }
      if (!before) this.#stmt.insertItem.run(id, body.item, body.unit, body.lowBelow ?? null);
      else if (body.lowBelow !== undefined) this.#stmt.setLow.run(body.lowBelow, id, body.item);
      const delta = body.direction === 'in' ? body.quantity : -body.quantity;
      const now = this.#d.now();
      const moveId = Number(this.#stmt.move.run(id, body.item, delta, onHand + delta, body.reason, p.id, now).lastInsertRowid);
      this.#emit(ctx, p.communityId, this.#incidentOf(p, s.incident_id), [], now, body.direction === 'in' ? 'shelter.supplied' : 'shelter.issued',
        'shelter', id, { item: body.item, unit: body.unit, delta, onHand: onHand + delta });
      return moveId;
    });
    return { move: this.#moveView(this.#stmt.moveById.get(moveId)!, this.#tz(p.communityId)), item: itemView(this.#stmt.item.get(id, body.item)!) };
  }

  // ---- what a wall sees ------------------------------------------------------------------------

  /** Counts only: volunteers mobilised and on duty, each open shelter's occupancy, the supplies running low. No names. */
  publicCounts(communityId: string, incidentId: number): PublicPeople | null {
    const i = this.#stmt.incident.get(incidentId);
    if (!i || i.community_id !== communityId) return null;
    return {
      incidentId,
      volunteers: { mobilised: this.#stmt.mobilised.get(incidentId) ?? 0, onDuty: this.#stmt.onDutyCount.get(incidentId) ?? 0 },
      shelters: this.#stmt.sheltersOf.all(communityId, incidentId).filter((s) => s.open === 1)
        .map((s) => ({ id: s.id, name: scrubText(s.name), occupancy: s.occupancy, capacity: capacityOf(s.area_m2, s.capacity_set) })),
      low: this.#stmt.lowIn.all(communityId, incidentId).filter((r) => runningLow(r.on_hand, r.peak, r.low_below))
        .map((r) => ({ shelterId: r.shelter_id, item: scrubText(r.item), unit: r.unit, onHand: r.on_hand })),
    };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  #emit(ctx: WriteContext<any>, communityId: string, incidentId: number | null, volunteerIds: number[], at: number, type: string,
    entity: 'callout' | 'shelter', entityId: number, data: Record<string, unknown>) {
    const seq = this.#d.journal.writeEntity(at, communityId, type, entity, entityId, data);
    ctx.emit({ kind: 'people', seq, at, communityId, incidentId, volunteerIds } satisfies PeopleChange);
  }

  #incident(p: Principal, id: number) {
    const i = this.#stmt.incident.get(id);
    if (!i || i.community_id !== p.communityId) throw notFound(`incident ${id}`);
    return i;
  }

  #active(p: Principal, id: number) {
    const i = this.#incident(p, id);
    if (i.status !== 'active') throw new DomainError(409, 'error.incident_ended', `incident ${id} has ended`);
    return i;
  }

  /** The incident a shelter's change counts for: its own, or for a standing one the community's active incident. */
  #incidentOf(p: Principal, own: number | null): number | null {
    return own ?? this.#d.incidents.active(p.communityId)?.id ?? null;
  }

  #volunteer(p: Principal): number {
    if (p.volunteerId === undefined) throw new DomainError(403, 'error.forbidden', 'this account names no volunteer');
    return p.volunteerId;
  }

  /** The volunteer's row of a call-out of an active incident: a 404 when it is not theirs. */
  #mineOpen(p: Principal, v: number, calloutId: number) {
    const callout = this.#stmt.callout.get(calloutId);
    const row = this.#stmt.answer.get(calloutId, v);
    if (!callout || !row || callout.community_id !== p.communityId) throw notFound(`call-out ${calloutId}`);
    this.#active(p, callout.incident_id);
    return { callout, row };
  }

  #meOne(p: Principal, v: number, calloutId: number): MeCalloutView {
    return this.#stmt.mine.all(v).map((r) => meView(r, this.#tz(p.communityId))).find((c) => c.id === calloutId)
      ?? (() => { throw notFound(`call-out ${calloutId}`); })();
  }

  #shelter(p: Principal, id: number): ShelterRow {
    const s = this.#stmt.shelter.get(id);
    if (!s || s.community_id !== p.communityId) throw notFound(`shelter ${id}`);
    return s;
  }

  #calloutView(c: CalloutRow): CalloutView {
    const tz = this.#tz(c.community_id);
    return {
      id: c.id, incidentId: c.incident_id, skills: JSON.parse(c.skills) as string[], grids: JSON.parse(c.grids) as string[], message: c.message,
      createdBy: c.created_by, createdByName: this.#d.actorName(c.created_by) ?? c.created_by, createdAt: isoInZone(c.created_at, tz),
      answers: this.#stmt.answers.all(c.id).map((a) => answerView(a, tz)),
    };
  }

  #shelterView(s: ShelterRow): ShelterView {
    return {
      id: s.id, incidentId: s.incident_id, name: s.name, address: s.address, gridId: s.grid_id, areaM2: s.area_m2, capacitySet: s.capacity_set,
      capacity: capacityOf(s.area_m2, s.capacity_set), occupancy: s.occupancy, households: Math.max(0, s.households),
      needs: JSON.parse(s.needs) as ShelterNeed[], open: s.open === 1, version: s.version, updatedAt: isoInZone(s.updated_at, this.#tz(s.community_id)),
    };
  }

  #moveView(m: MoveRow, tz: string): SupplyMoveView {
    return {
      id: m.id, item: m.item, unit: m.unit, delta: m.delta, onHandAfter: m.on_hand_after, reason: m.reason, by: m.by,
      byName: this.#d.actorName(m.by) ?? m.by, at: isoInZone(m.at, tz),
    };
  }

  #tz(communityId: string): string {
    return this.#d.directory.timeZoneOf(communityId);
  }
}

const onDuty = (r: Pick<AnswerRow, 'on_duty_from' | 'on_duty_to'>) => r.on_duty_from !== null && r.on_duty_to === null;

const answerView = (a: AnswerRow, tz: string): CalloutAnswerView => ({
  volunteerId: a.volunteer_id, name: a.name, phone: a.phone, gridId: a.grid_id, answer: a.answer, answeredAt: isoOrNull(a.answered_at, tz),
  onDutyFrom: isoOrNull(a.on_duty_from, tz), onDutyTo: isoOrNull(a.on_duty_to, tz),
});

const meView = (r: AnswerRow & CalloutRow & { headline: string; drill: number }, tz: string): MeCalloutView => ({
  id: r.callout_id, incidentId: r.incident_id, headline: r.headline, drill: r.drill === 1, message: r.message, createdAt: isoInZone(r.created_at, tz),
  answer: r.answer, answeredAt: isoOrNull(r.answered_at, tz), onDutyFrom: isoOrNull(r.on_duty_from, tz), onDutyTo: isoOrNull(r.on_duty_to, tz),
});

const itemView = (r: ItemRow): SupplyItemView => ({
  item: r.item, unit: r.unit, onHand: r.on_hand, peak: r.peak, lowBelow: r.low_below, low: runningLow(r.on_hand, r.peak, r.low_below),
});
