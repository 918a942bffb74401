/**
 * The volunteer ledger's statements, prepared once, and the row lookups its aggregate services
 * share (a volunteer, an activity, an item as the principal may see them; a team named in a
 * body; a sign-up), with the points ledger and the subject's journal entry. The aggregates
 * (registry, teams, activities, sign-ups, records, points, exchange) each take this one store,
 * so work that spans two of them (a check-out issues a record and points) goes through it and
 * never through another aggregate's privates.
 */
import type { Db } from '../db/index.ts';
import type { WriteContext } from '../db/write-queue.ts';
import type { JournalWriter, SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { authorise, invalidField, ownRow } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { FeedDraft } from '../../shared/subjects.ts';
import { PLACE_HOLDING, type VolunteerEntity, type VolunteerEntryType } from '../../shared/volunteers.ts';
import { STAFF } from './access.ts';
import { PointsLedger } from './ledger.ts';
import {
  activityFromRow, itemFromRow, signupFromRow, volunteerFromRow,
  type ActivityRecord, type ExchangeItemRecord, type SignupRecord, type VolunteerRecord,
} from './record.ts';
import type { AggregateParts } from '../kernel/deps.ts';
import { isoInZone } from '../../shared/time.ts';

const RECORD_SELECT = `SELECT r.*, v.name AS volunteer_name, a.title AS activity_title
                         FROM service_records r JOIN volunteers v ON v.id = r.volunteer_id JOIN activities a ON a.id = r.activity_id`;

function prepare(db: Db) {
  return {
    volunteer: db.prepare('SELECT * FROM volunteers WHERE id = ?'),
    volunteerByIdNumber: db.prepare('SELECT id FROM volunteers WHERE community_id = ? AND id_number = ?'),
    insertVolunteer: db.prepare(
      `INSERT INTO volunteers (community_id, name, phone, id_number, skills, team_id, availability, status, registered_at, updated_at, grid_id, card_code)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)`,
    ),
    volunteerByCard: db.prepare('SELECT * FROM volunteers WHERE community_id = ? AND card_code = ?'),
    deskSignups: db.prepare(
      `SELECT s.*, v.name AS volunteer_name, v.phone AS volunteer_phone, v.card_code, v.status AS volunteer_status
         FROM activity_signups s JOIN volunteers v ON v.id = s.volunteer_id WHERE s.activity_id = ? ORDER BY s.id`,
    ),
    recordOfSignup: db.prepare(`${RECORD_SELECT} WHERE r.signup_id = ?`),
    updateVolunteer: db.prepare(
      'UPDATE volunteers SET phone = ?, skills = ?, team_id = ?, availability = ?, updated_at = ?, grid_id = ?, version = version + 1 WHERE id = ?',
    ),
    volunteerStatus: db.prepare('UPDATE volunteers SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?'),
    // Corrections (migration 16) count with the records they correct: a total is what the ledger nets to.
    totals: db.prepare(
      `SELECT COALESCE((SELECT SUM(hours) FROM service_records WHERE volunteer_id = @v), 0)
              + COALESCE((SELECT SUM(hours) FROM service_corrections WHERE volunteer_id = @v), 0) AS hours,
              COALESCE((SELECT SUM(points) FROM service_records WHERE volunteer_id = @v), 0)
              + COALESCE((SELECT SUM(points) FROM service_corrections WHERE volunteer_id = @v), 0) AS points,
              (SELECT COUNT(*) FROM service_records WHERE volunteer_id = @v) AS records`,
    ),
    record: db.prepare(`${RECORD_SELECT} WHERE r.id = ?`),
    recordsBetween: db.prepare(`${RECORD_SELECT} WHERE r.volunteer_id = ? AND r.issued_at >= ? AND r.issued_at < ? ORDER BY r.issued_at, r.id`),
    allRecordsOf: db.prepare(`${RECORD_SELECT} WHERE r.volunteer_id = ? ORDER BY r.issued_at, r.id`),
    correctionsOfRecords: db.prepare('SELECT * FROM service_corrections WHERE record_id IN (SELECT value FROM json_each(?)) ORDER BY id'),
    recordNet: db.prepare(
      `SELECT r.hours + COALESCE((SELECT SUM(hours) FROM service_corrections WHERE record_id = r.id), 0) AS hours,
              r.points + COALESCE((SELECT SUM(points) FROM service_corrections WHERE record_id = r.id), 0) AS points
         FROM service_records r WHERE r.id = ?`,
    ),
    insertCorrection: db.prepare(
      `INSERT INTO service_corrections (community_id, volunteer_id, record_id, hours, points, reason, note, txn_id, at, actor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    touchVolunteer: db.prepare('UPDATE volunteers SET updated_at = ?, version = version + 1 WHERE id = ?'),
    lastChange: db.prepare(
      "SELECT at, data FROM journal WHERE entity = 'volunteer' AND entity_id = ? ORDER BY seq DESC LIMIT 1",
    ),
    // Who a username is to people: the accounts' table, read only for a conflict's message.
    displayName: db.prepare('SELECT display_name FROM users WHERE username = ?').pluck(),
    nextCertificateId: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM service_certificates'),
    insertCertificate: db.prepare(
      `INSERT INTO service_certificates (id, community_id, volunteer_id, certificate_no, period_from, period_to, hours, lines,
                                         issuer, issued_at, issued_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    periodCertificate: db.prepare(
      'SELECT c.*, v.name AS volunteer_name, v.id_number FROM service_certificates c JOIN volunteers v ON v.id = c.volunteer_id WHERE c.certificate_no = ?',
    ),
    certificatesOf: db.prepare(
      'SELECT c.*, v.name AS volunteer_name, v.id_number FROM service_certificates c JOIN volunteers v ON v.id = c.volunteer_id WHERE c.volunteer_id = ? ORDER BY c.id DESC',
    ),
    team: db.prepare('SELECT * FROM volunteer_teams WHERE id = ?'),
    grid: db.prepare('SELECT community_id FROM grids WHERE id = ?'),
    teamByName: db.prepare('SELECT id FROM volunteer_teams WHERE community_id = ? AND name = ?'),
    insertTeam: db.prepare('INSERT INTO volunteer_teams (community_id, name, created_at) VALUES (?, ?, ?)'),
    teams: db.prepare(
      `SELECT t.id, t.name, (SELECT COUNT(*) FROM volunteers v WHERE v.team_id = t.id AND v.status <> 'left') AS members
         FROM volunteer_teams t WHERE t.community_id = ? ORDER BY t.id`,
    ),
    activity: db.prepare('SELECT * FROM activities WHERE id = ?'),
    insertActivity: db.prepare(
      `INSERT INTO activities (community_id, title, description, organiser, starts_at, ends_at, place, grid_id, capacity,
                               skills_wanted, points_per_hour, status, created_by, created_at, updated_at, check_in_code)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    activityStatus: db.prepare('UPDATE activities SET status = ?, updated_at = ? WHERE id = ?'),
    taken: db.prepare(
      `SELECT COUNT(*) AS n FROM activity_signups WHERE activity_id = ? AND status IN (${PLACE_HOLDING.map((s) => `'${s}'`).join(', ')})`,
    ),
    participated: db.prepare(
      "SELECT COUNT(*) AS n FROM activity_signups WHERE activity_id = ? AND status IN ('checked_in', 'checked_out')",
    ),
    cancelPending: db.prepare(
      "UPDATE activity_signups SET status = 'cancelled' WHERE activity_id = ? AND status = 'signed_up'",
    ),
    signup: db.prepare('SELECT * FROM activity_signups WHERE activity_id = ? AND volunteer_id = ?'),
    signupById: db.prepare('SELECT * FROM activity_signups WHERE id = ?'),
    signupsOf: db.prepare('SELECT * FROM activity_signups WHERE activity_id = ? ORDER BY id'),
    insertSignup: db.prepare(
      "INSERT INTO activity_signups (activity_id, volunteer_id, status, signed_up_at) VALUES (?, ?, 'signed_up', ?)",
    ),
    resignup: db.prepare(
      `UPDATE activity_signups SET status = 'signed_up', signed_up_at = ?, checked_in_at = NULL, checked_out_at = NULL
        WHERE id = ?`,
    ),
    signupStatus: db.prepare('UPDATE activity_signups SET status = ? WHERE id = ?'),
    checkIn: db.prepare("UPDATE activity_signups SET status = 'checked_in', checked_in_at = ? WHERE id = ?"),
    checkOut: db.prepare("UPDATE activity_signups SET status = 'checked_out', checked_out_at = ? WHERE id = ?"),
    nextRecordId: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM service_records'),
    insertRecord: db.prepare(
      `INSERT INTO service_records (id, community_id, volunteer_id, activity_id, signup_id, hours, points, content,
                                    certificate_no, issued_at, issuer, recorded_by, txn_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    recordsOf: db.prepare(`${RECORD_SELECT} WHERE r.volunteer_id = ? AND r.id < ? ORDER BY r.id DESC LIMIT ?`),
    certificate: db.prepare(`${RECORD_SELECT} WHERE r.certificate_no = ?`),
    systemBalance: db.prepare(
      'SELECT balance FROM points_accounts WHERE community_id = ? AND kind = ? AND owner_id IS NULL',
    ),
    leaderboard: db.prepare(
      `SELECT r.volunteer_id, v.name, SUM(r.hours) AS hours, SUM(r.points) AS points, COUNT(*) AS records
         FROM service_records r JOIN volunteers v ON v.id = r.volunteer_id
        WHERE r.community_id = ? AND r.issued_at >= ? AND r.issued_at < ?
        GROUP BY r.volunteer_id ORDER BY hours DESC, points DESC, r.volunteer_id LIMIT ?`,
    ),
    monthTotals: db.prepare(
      `SELECT COALESCE(SUM(hours), 0) AS hours, COALESCE(SUM(points), 0) AS points, COUNT(*) AS records,
              COUNT(DISTINCT volunteer_id) AS volunteers
         FROM service_records WHERE community_id = ? AND issued_at >= ? AND issued_at < ?`,
    ),
    item: db.prepare('SELECT * FROM exchange_items WHERE id = ?'),
    items: db.prepare('SELECT * FROM exchange_items WHERE community_id = ? ORDER BY points_cost, id'),
    insertItem: db.prepare(
      `INSERT INTO exchange_items (community_id, name, description, points_cost, stock, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    takeStock: db.prepare('UPDATE exchange_items SET stock = stock - ?, updated_at = ? WHERE id = ? AND stock >= ?'),
    addStock: db.prepare('UPDATE exchange_items SET stock = stock + ?, updated_at = ? WHERE id = ?'),
    insertRedemption: db.prepare(
      `INSERT INTO redemptions (community_id, volunteer_id, item_id, quantity, points, txn_id, at, actor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    redemption: db.prepare(
      'SELECT r.*, i.name AS item_name FROM redemptions r JOIN exchange_items i ON i.id = r.item_id WHERE r.id = ?',
    ),
  };
}

/** What each aggregate service of the volunteer ledger is built from. */
export type VolunteerParts = AggregateParts<VolunteerStore>;

/** The volunteer ledger's statements and shared lookups; one per service, built with it. */
export class VolunteerStore {
  /** For the lists whose filters make their SQL (prepared per call). */
  readonly db: Db;
  readonly stmt: ReturnType<typeof prepare>;
  /** The points ledger (double entry); `post` runs inside a queued write. */
  readonly ledger: PointsLedger;
  #journal: JournalWriter;

  constructor(db: Db, journal: JournalWriter) {
    this.db = db;
    this.stmt = prepare(db);
    this.ledger = new PointsLedger(db);
    this.#journal = journal;
  }

  /** A volunteer of the principal's community, for anyone on the staff; a 404 otherwise. */
  volunteer(p: Principal, id: number): VolunteerRecord {
    authorise(p, STAFF, 'see volunteers');
    return volunteerFromRow(ownRow(p, this.stmt.volunteer.get(id), `volunteer ${id}`));
  }

  /** A volunteer by id, unchecked: for a row this write has just made or read. */
  volunteerRow(id: number): VolunteerRecord {
    return volunteerFromRow(this.stmt.volunteer.get(id));
  }

  /** An activity of the principal's community, for anyone on the staff; a 404 otherwise. */
  activity(p: Principal, id: number): ActivityRecord {
    authorise(p, STAFF, 'see activities');
    return activityFromRow(ownRow(p, this.stmt.activity.get(id), `activity ${id}`));
  }

  /** An exchange item of the principal's community, for anyone on the staff; a 404 otherwise. */
  item(p: Principal, id: number): ExchangeItemRecord {
    authorise(p, STAFF, 'see the exchange');
    return itemFromRow(ownRow(p, this.stmt.item.get(id), `exchange item ${id}`));
  }

  /** A 400 on `field` unless team `id` is one of the principal's community. */
  teamRef(p: Principal, id: number, field: string): void {
    const row = this.stmt.team.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField(field, `no team ${id} in this community`);
  }

  /** A 400 on `field` unless grid `id` is one of the principal's community. */
  gridRef(p: Principal, id: string, field: string): void {
    const row = this.stmt.grid.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField(field, `no grid ${id} in this community`);
  }

  /**
   * A 409 `error.version_conflict` unless the volunteer is still at the `version` a form was
   * opened at, naming who changed it and when; no `expected`, no check.
   */
  checkVersion(p: Principal, v: VolunteerRecord, expected: number | undefined, timeZone?: string): void {
    if (expected === undefined || expected === v.version) return;
    const last = this.stmt.lastChange.get(v.id) as { at: number; data: string } | undefined;
    const by = last ? ((JSON.parse(last.data) as { by?: string }).by ?? null) : null;
    const changedBy = by ? ((this.stmt.displayName.get(by) as string | undefined) ?? by) : null;
    const at = last?.at ?? v.updatedAt;
    throw new DomainError(409, 'error.version_conflict',
      `volunteer ${v.id} is at version ${v.version}, not ${expected}${changedBy ? `: changed by ${changedBy}` : ''}`,
      undefined, { version: v.version, changedBy, changedAt: timeZone ? isoInZone(at, timeZone) : new Date(at).toISOString() });
  }

  /** A volunteer's sign-up for an activity, in whatever status, or null. */
  signupRow(activityId: number, volunteerId: number): SignupRecord | null {
    const row = this.stmt.signup.get(activityId, volunteerId);
    return row ? signupFromRow(row) : null;
  }

  /** Places taken: signed up, checked in or checked out. */
  taken(activityId: number): number {
    return (this.stmt.taken.get(activityId) as { n: number }).n;
  }

  /** The subject's journal entry for a change made in this write (emitted after commit). */
  entry(
    ctx: WriteContext<SubjectChange>, p: Principal, at: number, type: VolunteerEntryType, entity: VolunteerEntity, entityId: number,
    data: Record<string, unknown>, fromStatus: string | null = null, feed: FeedDraft | null = null,
  ): void {
    this.#journal.write(ctx, p, at, { subject: 'volunteer', type, entity, entityId, data, fromStatus, feed });
  }
}

/** A 409 unless the volunteer is active: paused and departed volunteers take no part. */
export function requireActive(v: VolunteerRecord): void {
  if (v.status !== 'active') {
    throw new DomainError(409, 'error.volunteer_inactive', `volunteer ${v.id} is ${v.status}`, undefined, { status: v.status });
  }
}
