/**
 * The accounted-for board (核查台账) of an incident (shared/emergency-board.ts): a row per
 * household of the affected grids that has residents, added in the incident's own write when it
 * is declared and when its area grows (`onStep`, the incident service's in-transaction hook),
 * key populations first. Status reports (a knock, a call, the resident's own link, a sensor) are
 * each kept as a row; the household keeps the last with a version. Door-knock tasks are the
 * board's rows claimed (one person at a door), released, or done with what was found.
 *
 * - "needs help" opens an urgent case (突发事件 · 住户求助, critical) in the same write and links
 *   it; one per household and incident (its externalId). A drill opens none: a grid event has
 *   no drill mark, and a drill must never put a case in the real queue, the desk's numbers or
 *   on a wall; the household is first on the board all the same.
 * - "no answer" starts the escalation (shared/emergency-board.ts ESCALATION): the timer
 *   (`escalations()`, run with the deadline timer) moves it to retry, then to calling the
 *   emergency contact, then to a visit by two, each step journalled; any other status stops it,
 *   and so does the incident's end. The same timer lets go of a claim held CLAIM_LAPSE_MINUTES
 *   without a knock (a knock ends a claim, so any claim still held has had none).
 * - Residents go only to staff; those the register's keepers do not keep are shown by their
 *   consent (`mayShare`, for evacuation) or, while the incident is active over their grid, by its
 *   override, each such read written to the audit log as `records.read_override`.
 *
 * After commit each change goes to the feed as a `BoardChange` (server/app.ts: a notice to the
 * community's staff and the per-grid guarded counts to every wall).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/index.ts';
import { scrubText } from '../../shared/mask.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { JournalWriter } from '../kernel/journal.ts';
import { FUTURE_SLACK_MS, authorise } from '../kernel/rules.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { systemPrincipal, type Principal } from '../principal.ts';
import type { AuditEntry } from '../auth/audit.ts';
import { mayShare, type EmergencyOverride } from '../register/consent.ts';
import { residentFromRow, type ResidentRecord } from '../register/record.ts';
import { isoInZone, isoOrNull } from '../../shared/time.ts';
import { guardCount } from '../../shared/disclosure.ts';
import { reportEventBody, type ReportEventBody } from '../../shared/schemas.ts';
import type { IncidentStep } from '../../shared/emergency.ts';
import {
  CLAIM_LAPSE_MINUTES, ESCALATION, priorityOf, statusRank, UNSETTLED, type BoardAnswer, type BoardGrid, type BoardHousehold, type BoardQuery, type BoardResident,
  type BoardSource, type BoardStatus, type EscalationStage, type IssueLinksBody, type KnockDoneBody, type Priority, type PublicBoard,
  type ReportedStatus, type ReportStatusBody, type SelfReportView,
} from '../../shared/emergency-board.ts';
import type { Incident, IncidentService } from './incidents.ts';
import { CALL, CENTRE, KNOCK, LINKS, STAFF, keepsRegister } from './board-access.ts';

/** Households of a board that changed in one committed write, for the feed's subscribers. */
export interface BoardChange {
  kind: 'board';
  seq: number;
  at: number;
  communityId: string;
  incidentId: number;
  /** Empty when the whole board changed (it was generated or grew). */
  householdIds: number[];
}

export interface BoardDeps {
  db: Db;
  queue: WriteQueue<any>;
  directory: Directory;
  journal: JournalWriter;
  now: () => number;
  actorName: (username: string) => string | null;
  incidents: IncidentService;
  /** Open a case inside the board's write (EventService.reportWithin). */
  reportEvent: (ctx: WriteContext<any>, p: Principal, body: ReportEventBody) => { event: { id: number }; created: boolean };
  /** Write an audit line soon: the emergency override's use, the residents a board read showed. */
  audit: (entry: AuditEntry) => void;
  /** Free text as a public surface may show it (the self-report page): numbers, house numbers and known names masked. */
  publicText?: (communityId: string, text: string) => string;
}

interface Row {
  incident_id: number; household_id: number; community_id: string; grid_id: string; priority: Priority; status: BoardStatus; version: number;
  source: BoardSource | null; reported_by: string | null; reported_at: number | null; note: string; event_id: number | null;
  escalation: EscalationStage | null; escalate_at: number | null; claimed_by: string | null; claimed_at: number | null; added_at: number;
  address: string;
}
interface IncidentRow { id: number; community_id: string; drill: number; status: 'active' | 'ended'; headline: string; declared_at: number }

/** The user the resident's own link reports as. */
const SELF = 'self';
const SOURCE_OF_EVENT: Record<BoardSource, ReportEventBody['source']> = { knock: 'patrol', call: 'hotline', self: 'resident', sensor: 'sensor' };
/** A notice naming more households than this names none (read the whole board again). */
export const NOTICE_IDS = 200;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class BoardService {
  #d: BoardDeps;
  #stmt;

  constructor(deps: BoardDeps) {
    this.#d = deps;
    const db = deps.db;
    const ROW = 'SELECT b.*, h.address AS address FROM board_households b JOIN households h ON h.id = b.household_id';
    this.#stmt = {
      incident: db.prepare<[number], IncidentRow>('SELECT id, community_id, drill, status, headline, declared_at FROM incidents WHERE id = ?'),
      row: db.prepare<[number, number], Row>(`${ROW} WHERE b.incident_id = ? AND b.household_id = ?`),
      rows: db.prepare<[number], Row>(`${ROW} WHERE b.incident_id = ?`),
      acceptedCallouts: db.prepare<[number, number], { grids: string }>(
        `SELECT c.grids FROM callouts c JOIN callout_answers a ON a.callout_id = c.id
          WHERE c.incident_id = ? AND a.volunteer_id = ? AND a.answer = 'accepted'`,
      ),
      candidates: db.prepare<[string, string, number], { id: number; grid_id: string }>(
        `SELECT h.id, h.grid_id FROM households h
          WHERE h.community_id = ? AND h.grid_id IN (SELECT value FROM json_each(?))
            AND EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id)
            AND NOT EXISTS (SELECT 1 FROM board_households b WHERE b.incident_id = ? AND b.household_id = h.id)`,
      ),
      needsOf: db.prepare<[number], { tags: string; mobility: string }>('SELECT tags, mobility FROM residents WHERE household_id = ?'),
      insert: db.prepare('INSERT INTO board_households (incident_id, household_id, community_id, grid_id, priority, added_at) VALUES (?, ?, ?, ?, ?, ?)'),
      residents: db.prepare<[string], unknown>(
        `SELECT r.*, h.address AS address FROM residents r JOIN households h ON h.id = r.household_id
          WHERE r.household_id IN (SELECT value FROM json_each(?)) ORDER BY r.household_id, r.id`,
      ),
      report: db.prepare(
        'INSERT INTO board_reports (incident_id, household_id, status, source, by, note, at, received_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      reports: db.prepare<[number, number], { status: ReportedStatus; source: BoardSource; by: string; note: string; at: number; version: number }>(
        'SELECT status, source, by, note, at, version FROM board_reports WHERE incident_id = ? AND household_id = ? ORDER BY id',
      ),
      setStatus: db.prepare(
        `UPDATE board_households SET status = ?, version = version + 1, source = ?, reported_by = ?, reported_at = ?, note = ?, event_id = ?,
                escalation = ?, escalate_at = ? WHERE incident_id = ? AND household_id = ?`,
      ),
      setClaim: db.prepare('UPDATE board_households SET claimed_by = ?, claimed_at = ? WHERE incident_id = ? AND household_id = ?'),
      escalate: db.prepare('UPDATE board_households SET escalation = ?, escalate_at = ? WHERE incident_id = ? AND household_id = ?'),
      due: db.prepare<[number], Row>(
        `SELECT b.*, h.address AS address FROM board_households b JOIN households h ON h.id = b.household_id
           JOIN incidents i ON i.id = b.incident_id
          WHERE b.escalate_at IS NOT NULL AND b.escalate_at <= ? AND i.status = 'active' ORDER BY b.escalate_at LIMIT 500`,
      ),
      lapsed: db.prepare<[number], Row>(
        `SELECT b.* FROM board_households b JOIN incidents i ON i.id = b.incident_id
          WHERE b.claimed_at IS NOT NULL AND b.claimed_at <= ? AND i.status = 'active' ORDER BY b.claimed_at LIMIT 500`,
      ),
      stopAll: db.prepare('UPDATE board_households SET escalate_at = NULL, claimed_by = NULL, claimed_at = NULL WHERE incident_id = ?'),
      link: db.prepare<[string], { incident_id: number; household_id: number }>('SELECT incident_id, household_id FROM board_links WHERE token_hash = ?'),
      links: db.prepare<[number], { household_id: number; issued_at: number; used_at: number | null }>(
        'SELECT household_id, issued_at, used_at FROM board_links WHERE incident_id = ? ORDER BY household_id',
      ),
      putLink: db.prepare(
        `INSERT INTO board_links (incident_id, household_id, token_hash, issued_by, issued_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (incident_id, household_id) DO UPDATE SET token_hash = excluded.token_hash, issued_by = excluded.issued_by,
                issued_at = excluded.issued_at, used_at = NULL`,
      ),
      hasLink: db.prepare<[number, number], 1>('SELECT 1 FROM board_links WHERE incident_id = ? AND household_id = ?').pluck(),
      usedLink: db.prepare('UPDATE board_links SET used_at = ? WHERE token_hash = ?'),
      building: db.prepare<[number], { address: string }>('SELECT b.address FROM households h JOIN buildings b ON b.id = h.building_id WHERE h.id = ?'),
    };
  }

  // ---- the incident's hook ---------------------------------------------------------------------

  /**
   * An incident step, in its own write (IncidentDeps.inTransaction): a declaration or an update
   * adds the households of its area not yet on the board; the end stops every escalation and
   * lets go of every claim. Households of grids an update takes out stay: they were told.
   */
  onStep(ctx: WriteContext<any>, incident: Incident, step: IncidentStep): void {
    const now = this.#d.now();
    if (step === 'cancel') {
      this.#stmt.stopAll.run(incident.id);
      this.#emit(ctx, incident.communityId, incident.id, [], now, 'board.stopped', { incidentId: incident.id });
      return;
    }
    const grids = this.#d.incidents.affectedGrids(incident);
    const added = this.#stmt.candidates.all(incident.communityId, JSON.stringify(grids), incident.id);
    for (const h of added) {
      const needs = this.#stmt.needsOf.all(h.id).map((r) => ({ tags: JSON.parse(r.tags) as string[], mobility: JSON.parse(r.mobility) as string[] }));
      this.#stmt.insert.run(incident.id, h.id, incident.communityId, h.grid_id, priorityOf(needs), now);
    }
    if (added.length) this.#emit(ctx, incident.communityId, incident.id, [], now, 'board.generated', { incidentId: incident.id, added: added.length, grids });
  }

  // ---- reads -----------------------------------------------------------------------------------

  /** The board: per grid counts and the households, needs help first, then the unsettled by rank. */
  board(p: Principal, incidentId: number, q: BoardQuery): BoardAnswer {
    authorise(p, KNOCK, 'read the accounted-for board');
    const incident = this.#incident(p, incidentId);
    const all = this.#stmt.rows.all(incidentId).filter((r) => this.#inScope(p, r.grid_id, incident));
    const grids = this.#grids(p.communityId, all);
    const listed = all
      .filter((r) => (!q.grid || r.grid_id === q.grid) && (!q.status || r.status === q.status) && (q.open === undefined || q.open === isOpen(r.status)))
      .sort(byBoardOrder)
      .slice(0, q.limit);
    return {
      incidentId, drill: incident.drill === 1, active: incident.status === 'active', grids,
      households: this.#views(p, incident, listed),
    };
  }

  /** One household with every report, oldest first. */
  household(p: Principal, incidentId: number, householdId: number) {
    authorise(p, KNOCK, 'read the accounted-for board');
    const incident = this.#incident(p, incidentId);
    const row = this.#row(p, incidentId, householdId);
    const tz = this.#tz(p.communityId);
    const reports = this.#stmt.reports.all(incidentId, householdId).map((r) => ({
      status: r.status, source: r.source, by: r.by, byName: this.#name(r.by), note: r.note, at: isoInZone(r.at, tz), version: r.version,
    }));
    return { household: this.#views(p, incident, [row])[0]!, reports };
  }

  /** What a wall may be given: per grid, guarded counts (shared/disclosure.ts); no names, no addresses. */
  publicCounts(communityId: string, incidentId: number): PublicBoard | null {
    const incident = this.#stmt.incident.get(incidentId);
    if (!incident || incident.community_id !== communityId) return null;
    const grids = this.#grids(communityId, this.#stmt.rows.all(incidentId));
    return {
      incidentId, drill: incident.drill === 1,
      grids: grids.map((g) => ({
        gridId: g.gridId, total: guardCount(g.total), unknown: guardCount(g.unknown), safe: guardCount(g.safe),
        needsHelp: guardCount(g.needsHelp), sheltered: guardCount(g.sheltered),
      })),
    };
  }

  // ---- writes ----------------------------------------------------------------------------------

  /** A knock's, a call's or a sensor's result. */
  async report(p: Principal, incidentId: number, householdId: number, body: ReportStatusBody): Promise<BoardHousehold> {
    authorise(p, body.source === 'knock' ? KNOCK : body.source === 'call' ? CALL : CENTRE, `report a ${body.source}'s result`);
    await this.#d.queue.runAs(p, (ctx) => {
      const row = this.#activeRow(p, incidentId, householdId);
      this.#record(ctx, p, row, body.status, body.source, body.note, this.#when(body.at, incidentId), body.expectedVersion);
    });
    return this.#one(p, incidentId, householdId);
  }

  /** Take a door: a 409 naming who holds it since when if someone else does. */
  async claim(p: Principal, incidentId: number, householdId: number): Promise<BoardHousehold> {
    authorise(p, KNOCK, 'claim doors');
    await this.#d.queue.runAs(p, (ctx) => {
      const row = this.#activeRow(p, incidentId, householdId);
      if (row.claimed_by === p.id) return;
      this.#notHeld(p, row);
      const now = this.#d.now();
      this.#stmt.setClaim.run(p.id, now, incidentId, householdId);
      this.#emit(ctx, p.communityId, incidentId, [householdId], now, 'board.claimed', { incidentId, householdId, by: p.id });
    });
    return this.#one(p, incidentId, householdId);
  }

  /** Let go of a door: its holder, or the centre for anyone. */
  async release(p: Principal, incidentId: number, householdId: number): Promise<BoardHousehold> {
    authorise(p, KNOCK, 'release doors');
    await this.#d.queue.runAs(p, (ctx) => {
      const row = this.#row(p, incidentId, householdId);
      if (row.claimed_by === null) return;
      if (!CENTRE.includes(p.role)) this.#notHeld(p, row);
      const now = this.#d.now();
      this.#stmt.setClaim.run(null, null, incidentId, householdId);
      this.#emit(ctx, p.communityId, incidentId, [householdId], now, 'board.released', { incidentId, householdId, by: p.id, held: row.claimed_by });
    });
    return this.#one(p, incidentId, householdId);
  }

  /**
   * A door knocked: what was found, and the claim ends. Someone else's door is a 409 — unless the
   * knock was made before they took it (a tablet or phone offline past its claim's lapse, sending
   * later): what was found then is kept, and their claim stays theirs.
   */
  async done(p: Principal, incidentId: number, householdId: number, body: KnockDoneBody): Promise<BoardHousehold> {
    authorise(p, KNOCK, 'knock on doors');
    await this.#d.queue.runAs(p, (ctx) => {
      const row = this.#activeRow(p, incidentId, householdId);
      const at = this.#when(body.at, incidentId);
      const theirs = row.claimed_by !== null && row.claimed_by !== p.id;
      if (theirs && !(row.claimed_at !== null && at < row.claimed_at)) this.#notHeld(p, row);
      this.#record(ctx, p, row, body.status, 'knock', body.note, at, body.expectedVersion);
      if (!theirs) this.#stmt.setClaim.run(null, null, incidentId, householdId);
    });
    return this.#one(p, incidentId, householdId);
  }

  // ---- the digital yellow handkerchief ----------------------------------------------------------

  /**
   * Issue self-report links for the board's households (one grid, or all in the principal's
   * reach) that have none, or anew with `renew`. The tokens are in this answer only: the
   * database keeps their SHA-256.
   */
  async issueLinks(p: Principal, incidentId: number, body: IssueLinksBody) {
    authorise(p, LINKS, 'issue self-report links');
    return this.#d.queue.runAs(p, (ctx) => {
      const incident = this.#incident(p, incidentId);
      if (incident.status !== 'active') throw ended(incidentId);
      const now = this.#d.now();
      const items = this.#stmt.rows.all(incidentId)
        .filter((r) => this.#inScope(p, r.grid_id) && (!body.grid || r.grid_id === body.grid))
        .filter((r) => body.renew || !this.#stmt.hasLink.get(incidentId, r.household_id))
        .sort(byBoardOrder)
        .map((r) => {
          const token = randomBytes(24).toString('base64url');
          this.#stmt.putLink.run(incidentId, r.household_id, hashToken(token), p.id, now);
          return {
            householdId: r.household_id, gridId: r.grid_id, address: r.address, place: this.#stmt.building.get(r.household_id)?.address ?? '',
            token, path: `/safe/${token}`,
          };
        });
      if (items.length) ctx.changed();
      return { items };
    });
  }

  /** Which households have a link, and whether it was used (no tokens: they are not kept). */
  links(p: Principal, incidentId: number) {
    authorise(p, LINKS, 'read self-report links');
    this.#incident(p, incidentId);
    const tz = this.#tz(p.communityId);
    const reach = new Set(this.#stmt.rows.all(incidentId).filter((r) => this.#inScope(p, r.grid_id)).map((r) => r.household_id));
    return {
      items: this.#stmt.links.all(incidentId).filter((l) => reach.has(l.household_id))
        .map((l) => ({ householdId: l.household_id, issuedAt: isoInZone(l.issued_at, tz), usedAt: isoOrNull(l.used_at, tz) })),
    };
  }

  /** What a link shows: the building, the incident's headline, the status. An unknown token: null (a 404 that says nothing). */
  selfView(token: string): SelfReportView | null {
    const found = this.#byToken(token);
    if (!found) return null;
    const { row, incident } = found;
    return {
      place: this.#stmt.building.get(row.household_id)?.address ?? '',
      headline: this.#d.publicText ? this.#d.publicText(incident.community_id, incident.headline) : scrubText(incident.headline), drill: incident.drill === 1,
      active: incident.status === 'active', status: row.status,
    };
  }

  /** The resident's own "I am safe" / "I need help", without an account. */
  async selfReport(token: string, status: 'safe' | 'needs_help'): Promise<SelfReportView | null> {
    const found = this.#byToken(token);
    if (!found) return null;
    if (found.incident.status !== 'active') throw ended(found.incident.id);
    const p = systemPrincipal(found.row.community_id, SELF);
    await this.#d.queue.run((ctx) => {
      // Checked again in the write: an end queued ahead of this answer has closed the board.
      if (this.#stmt.incident.get(found.incident.id)?.status !== 'active') throw ended(found.incident.id);
      const row = this.#stmt.row.get(found.row.incident_id, found.row.household_id)!;
      const now = this.#d.now();
      this.#stmt.usedLink.run(now, hashToken(token));
      // The same answer again changes nothing (a card pressed twice); a card's "safe" never
      // clears a "needs help" someone reported — whoever holds the card may not be the one in need.
      if (row.status === status || (status === 'safe' && row.status === 'needs_help')) return;
      this.#record(ctx, p, row, status, 'self', '', now, undefined);
    });
    return this.selfView(token);
  }

  // ---- the escalation timer -------------------------------------------------------------------

  /**
   * Move every "no answer" whose next stage is due one stage on, and let go of every claim held
   * CLAIM_LAPSE_MINUTES without a knock, each journalled; how many moved or were let go.
   */
  escalations(): Promise<number> {
    return this.#d.queue.run((ctx) => {
      const now = this.#d.now();
      const lapsed = this.#stmt.lapsed.all(now - CLAIM_LAPSE_MINUTES * 60_000);
      for (const r of lapsed) {
        this.#stmt.setClaim.run(null, null, r.incident_id, r.household_id);
        this.#emit(ctx, r.community_id, r.incident_id, [r.household_id], now, 'board.released',
          { incidentId: r.incident_id, householdId: r.household_id, by: null, held: r.claimed_by, lapsed: true });
      }
      const due = this.#stmt.due.all(now);
      for (const r of due) {
        const next = r.escalation === null ? 0 : ESCALATION.findIndex((e) => e.stage === r.escalation) + 1;
        const stage = ESCALATION[next];
        if (!stage) {
          this.#stmt.escalate.run(r.escalation, null, r.incident_id, r.household_id);
          continue;
        }
        const after = ESCALATION[next + 1];
        const nextAt = after ? r.escalate_at! + after.afterMinutes * 60_000 : null;
        this.#stmt.escalate.run(stage.stage, nextAt, r.incident_id, r.household_id);
        // Knock again: whoever held the door let it go with "no answer"; anyone may take it now —
        // unless someone claimed it since, to knock again: theirs it stays.
        if (stage.stage === 'retry' && (r.claimed_at === null || r.reported_at === null || r.claimed_at <= r.reported_at)) {
          this.#stmt.setClaim.run(null, null, r.incident_id, r.household_id);
        }
        this.#emit(ctx, r.community_id, r.incident_id, [r.household_id], now, 'board.escalated',
          { incidentId: r.incident_id, householdId: r.household_id, stage: stage.stage, dueAt: r.escalate_at });
      }
      return due.length + lapsed.length;
    });
  }

  // ---- the parts -------------------------------------------------------------------------------

  /** A status report kept, the household's status moved, the escalation started or stopped, the urgent case opened. */
  #record(ctx: WriteContext<any>, p: Principal, row: Row, status: ReportedStatus, source: BoardSource, note: string, at: number,
    expectedVersion: number | undefined): void {
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      const tz = this.#tz(row.community_id);
      throw new DomainError(409, 'error.board_changed',
        `household ${row.household_id} is at version ${row.version}, not ${expectedVersion}: ${row.status} by ${row.reported_by ?? 'nobody'}`,
        undefined, {
          version: row.version, status: row.status, reportedBy: row.reported_by, reportedByName: row.reported_by && this.#name(row.reported_by),
          reportedAt: isoOrNull(row.reported_at, tz),
        });
    }
    const now = this.#d.now();
    const version = row.version + 1;
    this.#stmt.report.run(row.incident_id, row.household_id, status, source, p.id, note, at, now, version);
    let eventId = row.event_id;
    const incident = this.#stmt.incident.get(row.incident_id)!;
    if (status === 'needs_help' && eventId === null && incident.drill === 0) {
      eventId = this.#d.reportEvent(ctx, p, reportEventBody.parse({
        category: 'emergency', subcategory: 'needs_help', urgency: 'critical', source: SOURCE_OF_EVENT[source],
        title: '应急核查：住户需要帮助', description: note ? `${row.address}：${note}` : row.address, gridId: row.grid_id,
        externalId: `incident-${row.incident_id}-household-${row.household_id}`,
      })).event.id;
    }
    // A "no answer" escalates from when it was found; one already escalating goes on; anything else stops it.
    const escalating = status === 'no_answer';
    const escalation = escalating ? row.escalation : null;
    const escalateAt = escalating ? (row.escalate_at ?? (row.escalation === null ? at + ESCALATION[0].afterMinutes * 60_000 : null)) : null;
    this.#stmt.setStatus.run(status, source, p.id, at, note, eventId, escalation, escalateAt, row.incident_id, row.household_id);
    this.#emit(ctx, row.community_id, row.incident_id, [row.household_id], now, 'board.reported', {
      incidentId: row.incident_id, householdId: row.household_id, status, source, version, eventId,
    });
  }

  #emit(ctx: WriteContext<any>, communityId: string, incidentId: number, householdIds: number[], at: number, type: string, data: Record<string, unknown>) {
    const seq = this.#d.journal.writeEntity(at, communityId, type, 'incident_board', incidentId, data);
    ctx.emit({ kind: 'board', seq, at, communityId, incidentId, householdIds } satisfies BoardChange);
  }

  #views(p: Principal, incident: IncidentRow, rows: Row[]): BoardHousehold[] {
    const tz = this.#tz(p.communityId);
    const staff = STAFF.includes(p.role);
    const residents = new Map<number, ResidentRecord[]>();
    if (staff && rows.length) {
      for (const raw of this.#stmt.residents.all(JSON.stringify(rows.map((r) => r.household_id)))) {
        const r = residentFromRow(raw);
        residents.set(r.householdId, [...(residents.get(r.householdId) ?? []), r]);
      }
    }
    const override = this.#override(incident);
    const shown: number[] = [];
    const overridden: number[] = [];
    const views = rows.map((row): BoardHousehold => {
      const seen: BoardResident[] = [];
      const people = residents.get(row.household_id) ?? [];
      let withheld = 0;
      for (const r of people) {
        const keeper = keepsRegister(p, r.gridId);
        const share = keeper ? { allowed: true, overridden: false } : mayShare(r, 'evacuation', override);
        if (!share.allowed) {
          withheld++;
          continue;
        }
        shown.push(r.id);
        if (share.overridden) overridden.push(r.id);
        seen.push({
          id: r.id, name: r.name, phone: r.phone, birth: r.birth, tags: r.tags, mobility: r.mobility, mobilityNote: r.mobilityNote,
          emergencyContact: r.emergencyName && r.emergencyPhone ? { name: r.emergencyName, phone: r.emergencyPhone, relation: r.emergencyRelation ?? '' } : null,
          byOverride: share.overridden,
        });
      }
      return {
        householdId: row.household_id, gridId: row.grid_id, address: row.address, priority: row.priority, status: row.status, version: row.version,
        source: row.source, reportedBy: row.reported_by, reportedByName: row.reported_by && this.#name(row.reported_by),
        // A note is typed by staff about a household: free text, where names hide. Staff only.
        reportedAt: isoOrNull(row.reported_at, tz), note: staff ? row.note : '', eventId: row.event_id, escalation: row.escalation,
        escalateAt: isoOrNull(row.escalate_at, tz),
        claim: row.claimed_by === null ? null : { by: row.claimed_by, byName: this.#name(row.claimed_by), since: isoInZone(row.claimed_at!, tz) },
        tags: [...new Set(seen.flatMap((r) => r.tags))].sort(), mobility: [...new Set(seen.flatMap((r) => r.mobility))].sort(),
        residentCount: people.length || (staff ? 0 : this.#stmt.needsOf.all(row.household_id).length), residents: seen, withheld,
      };
    });
    const who = { communityId: p.communityId, actorId: p.id, actorRole: p.role };
    if (shown.length) this.#d.audit({ ...who, action: 'records.list', targetType: 'residents', detail: { incidentId: incident.id, ids: shown } });
    // "Logged as such": the residents shown only because the incident overrides their consent.
    if (overridden.length) {
      this.#d.audit({
        ...who, action: 'records.read_override', targetType: 'residents', targetId: incident.id,
        detail: { incidentId: incident.id, purpose: 'evacuation', residents: overridden },
      });
    }
    return views;
  }

  /** The incident's override while it is active: its id and its grids. Ended, none. */
  #override(incident: IncidentRow): EmergencyOverride | null {
    const active = this.#d.incidents.active(incident.community_id);
    // A drill practises the work, not the exception: residents' consent holds in a drill.
    if (!active || active.id !== incident.id || active.drill) return null;
    return { emergencyId: active.id, gridIds: this.#d.incidents.affectedGrids(active) };
  }

  #grids(communityId: string, rows: Row[]): BoardGrid[] {
    const by = new Map<string, BoardGrid>();
    for (const r of rows) {
      let g = by.get(r.grid_id);
      if (!g) {
        const grid = this.#d.directory.grids.get(r.grid_id);
        const workers = [...this.#d.directory.workers.values()]
          .filter((w) => w.communityId === communityId && w.gridId === r.grid_id && w.status === 'active').map((w) => ({ id: w.id, name: w.name }));
        g = {
          gridId: r.grid_id, gridName: grid?.name.zh ?? r.grid_id, total: 0, unknown: 0, notVisited: 0, noAnswer: 0, safe: 0, needsHelp: 0,
          sheltered: 0, away: 0, workers,
        };
        by.set(r.grid_id, g);
      }
      g.total++;
      if (r.status === 'unknown') (g.notVisited++, g.unknown++);
      else if (r.status === 'no_answer') (g.noAnswer++, g.unknown++);
      else if (r.status === 'safe') g.safe++;
      else if (r.status === 'needs_help') g.needsHelp++;
      else if (r.status === 'sheltered') g.sheltered++;
      else g.away++;
    }
    return [...by.values()].sort((a, b) => b.unknown - a.unknown || a.gridId.localeCompare(b.gridId));
  }

  #one(p: Principal, incidentId: number, householdId: number): BoardHousehold {
    return this.#views(p, this.#incident(p, incidentId), [this.#row(p, incidentId, householdId)])[0]!;
  }

  #incident(p: Principal, id: number): IncidentRow {
    const i = this.#stmt.incident.get(id);
    if (!i || i.community_id !== p.communityId) throw notFound(`incident ${id}`);
    return i;
  }

  /** A household on the board, in the principal's reach (a grid worker's grids): 404 otherwise. */
  #row(p: Principal, incidentId: number, householdId: number): Row {
    const incident = this.#incident(p, incidentId);
    const row = this.#stmt.row.get(incidentId, householdId);
    if (!row || !this.#inScope(p, row.grid_id, incident)) throw notFound(`household ${householdId} on the board of incident ${incidentId}`);
    return row;
  }

  #activeRow(p: Principal, incidentId: number, householdId: number): Row {
    const row = this.#row(p, incidentId, householdId);
    if (this.#stmt.incident.get(incidentId)!.status !== 'active') throw ended(incidentId);
    return row;
  }

  #notHeld(p: Principal, row: Row): void {
    if (row.claimed_by === null || row.claimed_by === p.id) return;
    const since = isoInZone(row.claimed_at!, this.#tz(row.community_id));
    const byName = this.#name(row.claimed_by);
    throw new DomainError(409, 'error.board_claimed', `${byName} has held household ${row.household_id}'s door since ${since}`, undefined,
      { claim: { by: row.claimed_by, byName, since } });
  }

  #byToken(token: string): { row: Row; incident: IncidentRow } | null {
    const link = this.#stmt.link.get(hashToken(token));
    if (!link) return null;
    const row = this.#stmt.row.get(link.incident_id, link.household_id);
    const incident = this.#stmt.incident.get(link.incident_id);
    return row && incident ? { row, incident } : null;
  }

  #inScope(p: Principal, gridId: string, incident?: IncidentRow): boolean {
    if (p.role === 'volunteer') return incident !== undefined && this.#volunteerGrids(p, incident).has(gridId);
    return !p.grids || p.grids.includes(gridId);
  }

  /**
   * The grids a volunteer may see of an incident: those of the call-outs they accepted while it
   * is active (a call-out naming no grid: the incident's area). None otherwise — a volunteer's
   * account is not a key to every household's door.
   */
  #volunteerGrids(p: Principal, incident: IncidentRow): Set<string> {
    const active = this.#d.incidents.active(incident.community_id);
    if (!active || active.id !== incident.id || p.volunteerId === undefined) return new Set();
    const area = this.#d.incidents.affectedGrids(active);
    const accepted = this.#stmt.acceptedCallouts.all(incident.id, p.volunteerId);
    const grids = new Set<string>();
    for (const c of accepted) for (const g of (JSON.parse(c.grids) as string[]).length ? JSON.parse(c.grids) as string[] : area) if (area.includes(g)) grids.add(g);
    return grids;
  }

  /** When a report says it happened: now, or a time the tablet kept — never before the incident was declared. */
  #when(at: string | undefined, incidentId: number): number {
    const now = this.#d.now();
    if (at === undefined) return now;
    const t = Date.parse(at);
    if (t > now + FUTURE_SLACK_MS) throw invalid([{ field: 'at', problem: 'is in the future' }]);
    const declared = this.#stmt.incident.get(incidentId)?.declared_at;
    if (declared !== undefined && t < declared) throw invalid([{ field: 'at', problem: 'is before the incident was declared' }]);
    return t;
  }

  #name(username: string): string {
    // The resident's own link reports as 'self': the surfaces say 居民自报 from their catalogues.
    return this.#d.actorName(username) ?? username;
  }

  #tz(communityId: string): string {
    return this.#d.directory.timeZoneOf(communityId);
  }
}

/** Still to be settled: not visited, no answer, or needing help. */
const isOpen = (s: BoardStatus) => UNSETTLED.includes(s) || s === 'needs_help';

const ended = (id: number) => new DomainError(409, 'error.incident_ended', `incident ${id} has ended`);

/** Needs help first, then the unsettled, then the settled; within each, key populations first, then by address. */
function byBoardOrder(a: Row, b: Row): number {
  return statusRank(a.status) - statusRank(b.status) || a.priority - b.priority || a.address.localeCompare(b.address, 'zh-CN') || a.household_id - b.household_id;
}
