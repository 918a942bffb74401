/**
 * An incident's people and places in its timeline and after-action report (shared/after-action.ts
 * PEOPLE_KINDS and `figures.people`): a timeline source and a figure section for
 * AfterActionService, read from what server/emergency/people.ts keeps.
 *
 * - Call-outs, check-ins and supply movements are rows of their own (migration 29); answers and
 *   duties are one row per volunteer and call-out that holds only the latest, so their history
 *   (accepted then declined, a second duty) is read from the journal (`callout.*`). A duty the
 *   journal no longer holds (pruned after JOURNAL_DAYS) is still counted from its row.
 * - The shelters an incident used: its own, and the standing ones people were checked into
 *   during it (the check-in names the incident) or whose supplies moved between its declaration
 *   and its end. Figures stop at the end (or now, while it is active).
 * - Shelter entries carry the shelter's grid, so a grid worker's timeline keeps to their grids as
 *   the board's does; call-outs, answers and duties are the whole incident's (every member of
 *   staff reads them on the people page) and carry none. Check-ins are head counts: no names.
 */
import type { Db } from '../db/index.ts';
import type { Directory } from '../kernel/community.ts';
import { isoOrNull } from '../../shared/time.ts';
import { capacityOf, runningLow } from '../../shared/emergency-people-rules.ts';
import type { MobilisationFigures, PeopleFigures, ShelterFigures, SupplyFigures } from '../../shared/after-action.ts';
import type { RawEntry, ReportSection, TimelineSource } from './after-action.ts';
import type { Incident } from './incidents.ts';

export interface PeopleReportDeps {
  db: Db;
  directory: Directory;
  now: () => number;
}

interface CalloutRow { id: number; skills: string; grids: string; created_by: string; created_at: number; asked: number }
interface AnswerRow { callout_id: number; volunteer_id: number; answer: 'accepted' | 'declined' | null; answered_at: number | null; on_duty_from: number | null; on_duty_to: number | null }
interface CalloutJournal { at: number; type: string; entity_id: number; data: string }
interface ShelterRow { id: number; incident_id: number | null; name: string; grid_id: string | null; area_m2: number | null; capacity_set: number | null; created_by: string; created_at: number }
interface CheckInRow { id: number; shelter_id: number; incident_id: number | null; people: number; households: number; by: string; at: number }
interface MoveRow { id: number; shelter_id: number; item: string; unit: string; low_below: number | null; delta: number; on_hand_after: number; reason: string; by: string; at: number }

/** The journal's call-out types and the timeline kind each is. */
const CALLOUT_KINDS: Record<string, string> = {
  'callout.accepted': 'callout_accepted', 'callout.declined': 'callout_declined', 'callout.on_duty': 'duty_on', 'callout.off_duty': 'duty_off',
  'callout.duties_ended': 'duties_ended',
};

/** One duty: a volunteer on a call-out, from, to (null: still on). */
interface Duty { volunteerId: number; from: number; to: number | null }

/** The people subject's timeline source and figure section, over one database. */
export function peopleReport(deps: PeopleReportDeps): { timeline: TimelineSource; figures: ReportSection<'people'> } {
  const { db } = deps;
  const stmt = {
    callouts: db.prepare<[number], CalloutRow>(
      `SELECT c.id, c.skills, c.grids, c.created_by, c.created_at, (SELECT COUNT(*) FROM callout_answers a WHERE a.callout_id = c.id) AS asked
         FROM callouts c WHERE c.incident_id = ? ORDER BY c.id`),
    answers: db.prepare<[number], AnswerRow>(
      `SELECT a.callout_id, a.volunteer_id, a.answer, a.answered_at, a.on_duty_from, a.on_duty_to FROM callout_answers a
         JOIN callouts c ON c.id = a.callout_id WHERE c.incident_id = ? ORDER BY a.callout_id, a.volunteer_id`),
    // entity_id is the call-out's, but the incident's for `callout.duties_ended`.
    journal: db.prepare<[string, number, number], CalloutJournal>(
      `SELECT at, type, entity_id, data FROM journal WHERE community_id = ? AND entity = 'callout'
          AND ((type IN ('callout.accepted', 'callout.declined', 'callout.on_duty', 'callout.off_duty')
                AND entity_id IN (SELECT id FROM callouts WHERE incident_id = ?))
               OR (type = 'callout.duties_ended' AND entity_id = ?))
        ORDER BY seq`),
    accounts: db.prepare<[number], { id: number; username: string | null }>(
      `SELECT v.id, u.username FROM volunteers v LEFT JOIN users u ON u.volunteer_id = v.id
        WHERE v.id IN (SELECT a.volunteer_id FROM callout_answers a JOIN callouts c ON c.id = a.callout_id WHERE c.incident_id = ?)`),
    shelters: db.prepare<{ community: string; incident: number; from: number; to: number }, ShelterRow>(
      `SELECT id, incident_id, name, grid_id, area_m2, capacity_set, created_by, created_at FROM shelters s
        WHERE s.community_id = @community AND (s.incident_id = @incident OR (s.incident_id IS NULL AND (
          EXISTS (SELECT 1 FROM shelter_check_ins c WHERE c.shelter_id = s.id AND c.incident_id = @incident)
          OR EXISTS (SELECT 1 FROM shelter_supplies m WHERE m.shelter_id = s.id AND m.at BETWEEN @from AND @to))))
        ORDER BY s.id`),
    checkIns: db.prepare<[string], CheckInRow>(
      'SELECT id, shelter_id, incident_id, people, households, by, at FROM shelter_check_ins WHERE shelter_id IN (SELECT value FROM json_each(?)) ORDER BY at, id'),
    moves: db.prepare<[string], MoveRow>(
      `SELECT m.id, m.shelter_id, m.item, i.unit, i.low_below, m.delta, m.on_hand_after, m.reason, m.by, m.at FROM shelter_supplies m
         JOIN shelter_items i ON i.shelter_id = m.shelter_id AND i.item = m.item
        WHERE m.shelter_id IN (SELECT value FROM json_each(?)) ORDER BY m.at, m.id`),
  };

  const cutoffOf = (incident: Incident) => incident.endedAt ?? deps.now();
  const sheltersOf = (incident: Incident) =>
    stmt.shelters.all({ community: incident.communityId, incident: incident.id, from: incident.declaredAt, to: cutoffOf(incident) });
  /** A supply move counts for the incident: any of its own shelter's, a standing shelter's while it lasted. */
  const duringIncident = (incident: Incident, s: ShelterRow, at: number) => s.incident_id === incident.id || (at >= incident.declaredAt && at <= cutoffOf(incident));

  /**
   * Every duty of the incident: the journal replayed (a start opens one, an end or the incident's
   * end closes it), and any the journal no longer holds from the rows, which keep each one's latest.
   */
  function duties(journal: CalloutJournal[], answers: AnswerRow[]): Duty[] {
    const all: Duty[] = [];
    const open = new Map<string, Duty>();
    for (const j of journal) {
      const data = JSON.parse(j.data) as { volunteerId?: number };
      const key = `${j.entity_id}:${data.volunteerId}`;
      if (j.type === 'callout.on_duty' && data.volunteerId !== undefined && !open.has(key)) {
        const d = { volunteerId: data.volunteerId, from: j.at, to: null };
        open.set(key, d);
        all.push(d);
      } else if (j.type === 'callout.off_duty') {
        const d = open.get(key);
        if (d) (d.to = j.at, open.delete(key));
      } else if (j.type === 'callout.duties_ended') {
        for (const d of open.values()) d.to = j.at;
        open.clear();
      }
    }
    const seen = new Set(all.map((d) => `${d.volunteerId}:${d.from}`));
    for (const a of answers) {
      if (a.on_duty_from !== null && !seen.has(`${a.volunteer_id}:${a.on_duty_from}`)) all.push({ volunteerId: a.volunteer_id, from: a.on_duty_from, to: a.on_duty_to });
    }
    return all;
  }

  function mobilisation(incident: Incident): MobilisationFigures {
    const tz = deps.directory.timeZoneOf(incident.communityId);
    const cutoff = cutoffOf(incident);
    const callouts = stmt.callouts.all(incident.id);
    const answers = stmt.answers.all(incident.id);
    const journal = stmt.journal.all(incident.communityId, incident.id, incident.id);
    const answered = new Map<number, 'accepted' | 'declined' | null>();
    for (const a of answers) {
      const was = answered.get(a.volunteer_id) ?? null;
      answered.set(a.volunteer_id, was === 'accepted' || a.answer === 'accepted' ? 'accepted' : (was ?? a.answer));
    }
    const tally = (what: 'accepted' | 'declined' | null) => [...answered.values()].filter((v) => v === what).length;
    // The first acceptance: the journal holds the first of each; a row only its latest answer.
    const acceptedAt = [
      ...journal.filter((j) => j.type === 'callout.accepted').map((j) => j.at),
      ...answers.filter((a) => a.answer === 'accepted').map((a) => a.answered_at!),
    ];
    const first = acceptedAt.length && callouts.length ? Math.min(...acceptedAt) : null;

    // On duty at once: each volunteer counted once, an end before a start at the same instant.
    const moves = duties(journal, answers).filter((d) => d.from <= cutoff)
      .flatMap((d) => [{ at: d.from, v: d.volunteerId, step: 1 }, { at: Math.min(d.to ?? cutoff, cutoff), v: d.volunteerId, step: -1 }]);
    const hours = moves.reduce((sum, m) => sum - m.step * m.at, 0) / 3_600_000;
    moves.sort((a, b) => a.at - b.at || a.step - b.step);
    const onDuty = new Map<number, number>();
    let peak = 0;
    let peakAt: number | null = null;
    for (const m of moves) {
      const n = (onDuty.get(m.v) ?? 0) + m.step;
      if (n > 0) onDuty.set(m.v, n);
      else onDuty.delete(m.v);
      if (onDuty.size > peak) (peak = onDuty.size, peakAt = m.at);
    }
    return {
      callouts: callouts.length, asked: answered.size, accepted: tally('accepted'), declined: tally('declined'), noAnswer: tally(null),
      firstAcceptedMinutes: first === null ? null : minutesBetween(callouts[0]!.created_at, first),
      onDutyPeak: peak, onDutyPeakAt: isoOrNull(peakAt, tz), dutyHours: Math.round(hours * 10) / 10,
    };
  }

  function shelters(incident: Incident, list: ShelterRow[], checkIns: CheckInRow[]): ShelterFigures[] {
    const tz = deps.directory.timeZoneOf(incident.communityId);
    const cutoff = cutoffOf(incident);
    return list.map((s) => {
      // People in before the incident (a standing shelter) count from its declaration.
      let occupancy = 0;
      let peak = 0;
      let peakAt: number | null = null;
      let checkedIn = 0;
      let households = 0;
      for (const c of checkIns) {
        if (c.shelter_id !== s.id || c.at > cutoff) continue;
        occupancy += c.people;
        if (c.at < incident.declaredAt) (peak = occupancy, peakAt = occupancy > 0 ? incident.declaredAt : null);
        else if (occupancy > peak) (peak = occupancy, peakAt = c.at);
        if (c.incident_id === incident.id && c.people > 0) (checkedIn += c.people, households += c.households);
      }
      return {
        shelterId: s.id, name: s.name, gridId: s.grid_id, capacity: capacityOf(s.area_m2, s.capacity_set), peak, peakAt: isoOrNull(peakAt, tz),
        checkedIn, households, presentAtEnd: occupancy,
      };
    });
  }

  function supplies(incident: Incident, list: ShelterRow[], moves: MoveRow[]): SupplyFigures[] {
    const cutoff = cutoffOf(incident);
    const byId = new Map(list.map((s) => [s.id, s]));
    const items = new Map<string, SupplyFigures & { peak: number; lowBelow: number | null; moved: boolean }>();
    for (const m of moves) {
      if (m.at > cutoff) continue;
      const s = byId.get(m.shelter_id)!;
      const key = `${m.shelter_id}\u0000${m.item}`;
      let it = items.get(key);
      if (!it) {
        it = { shelterId: s.id, shelterName: s.name, item: m.item, unit: m.unit, received: 0, issued: 0, onHandAtEnd: 0, low: false, peak: 0, lowBelow: m.low_below, moved: false };
        items.set(key, it);
      }
      it.onHandAtEnd += m.delta;
      it.peak = Math.max(it.peak, m.on_hand_after);
      if (!duringIncident(incident, s, m.at)) continue;
      it.moved = true;
      if (m.delta > 0) it.received += m.delta;
      else it.issued -= m.delta;
    }
    return [...items.values()].filter((it) => it.moved).map(({ peak, lowBelow, moved: _, ...it }) => ({ ...it, low: runningLow(it.onHandAtEnd, peak, lowBelow) }))
      .sort((a, b) => a.shelterId - b.shelterId || a.item.localeCompare(b.item, 'zh-CN'));
  }

  const timeline: TimelineSource = (incident) => {
    const out: RawEntry[] = [];
    const none = { gridId: null, householdId: null };
    for (const c of stmt.callouts.all(incident.id)) {
      out.push({ ...none, at: c.created_at, kind: 'callout', who: c.created_by, what: { calloutId: c.id, skills: JSON.parse(c.skills), grids: JSON.parse(c.grids), asked: c.asked } });
    }
    const account = new Map(stmt.accounts.all(incident.id).map((a) => [a.id, a.username]));
    for (const j of stmt.journal.all(incident.communityId, incident.id, incident.id)) {
      const data = JSON.parse(j.data) as { volunteerId?: number; ended?: number };
      if (j.type === 'callout.duties_ended') out.push({ ...none, at: j.at, kind: 'duties_ended', who: null, what: { ended: data.ended ?? 0 } });
      else out.push({ ...none, at: j.at, kind: CALLOUT_KINDS[j.type]!, who: account.get(data.volunteerId!) ?? null, what: { calloutId: j.entity_id } });
    }
    const list = sheltersOf(incident);
    const ids = JSON.stringify(list.map((s) => s.id));
    const byId = new Map(list.map((s) => [s.id, s]));
    for (const s of list) {
      if (s.incident_id === incident.id) {
        out.push({ at: s.created_at, kind: 'shelter_opened', who: s.created_by, what: { shelterId: s.id, shelter: s.name, capacity: capacityOf(s.area_m2, s.capacity_set) }, gridId: s.grid_id, householdId: null });
      }
    }
    const occupancy = new Map<number, number>();
    for (const c of stmt.checkIns.all(ids)) {
      const now = (occupancy.get(c.shelter_id) ?? 0) + c.people;
      occupancy.set(c.shelter_id, now);
      if (c.incident_id !== incident.id) continue;
      const s = byId.get(c.shelter_id)!;
      out.push({
        at: c.at, kind: c.people > 0 ? 'shelter_in' : 'shelter_out', who: c.by, gridId: s.grid_id, householdId: null,
        what: { shelterId: s.id, shelter: s.name, people: Math.abs(c.people), households: c.households, occupancy: now },
      });
    }
    for (const m of stmt.moves.all(ids)) {
      const s = byId.get(m.shelter_id)!;
      if (!duringIncident(incident, s, m.at)) continue;
      out.push({
        at: m.at, kind: m.delta > 0 ? 'supply_in' : 'supply_out', who: m.by, gridId: s.grid_id, householdId: null,
        what: { shelterId: s.id, shelter: s.name, item: m.item, unit: m.unit, quantity: Math.abs(m.delta), onHand: m.on_hand_after, reason: m.reason },
      });
    }
    return out;
  };

  const figures: ReportSection<'people'> = (incident): PeopleFigures => {
    const list = sheltersOf(incident);
    const ids = JSON.stringify(list.map((s) => s.id));
    return {
      mobilisation: mobilisation(incident),
      shelters: shelters(incident, list, stmt.checkIns.all(ids)),
      supplies: supplies(incident, list, stmt.moves.all(ids)),
    };
  };

  return { timeline, figures };
}

const minutesBetween = (from: number, to: number) => Math.round((to - from) / 6_000) / 10;
