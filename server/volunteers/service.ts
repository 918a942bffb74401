/**
 * Volunteer service (志愿服务): the registry, activities with sign-up, check-in and check-out,
 * service records (the basis of a certificate), points earned and spent in the exchange.
 *
 * Shaped like EventService: validate, authorise with the Principal, then do the work as one
 * write in the group-commit queue, where the state rows, the points ledger's entries and the
 * journal entries are written together or not at all. Because the queue runs writes one after
 * another, a check made inside a write (a balance, a stock, a free place) still holds when the
 * write commits: concurrent redemptions cannot overspend, concurrent sign-ups cannot overfill.
 *
 * Every change is journaled (entity rows, see migration 2) and emitted after commit as a subject
 * change: the wall's volunteer figures are recomputed and, for check-in, check-out, new
 * activities and redemptions, a masked line joins the feed. A check-out also adds its hours to
 * the service metrics (metrics_hourly) in the same write.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { JournalWriter, SubjectChange } from '../kernel/journal.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { maskName } from '../../shared/mask.ts';
import type { FeedDraft } from '../../shared/subjects.ts';
import { feedText } from '../kernel/journal.ts';
import type { Directory } from '../kernel/community.ts';
import { DomainError, notFound } from '../errors.ts';
import { authorise, instantFrom, invalidField, requireGrid, ownRow } from '../kernel/rules.ts';
import type { Principal, Role } from '../principal.ts';
import { wallTime } from '../../shared/time.ts';
import {
  ACTIVITY_TRANSITIONS, CHECK_IN_OPENS_BEFORE_MS, DEFAULT_POINTS_PER_HOUR, PLACE_HOLDING,
  certificateNumber, creditedHours, monthOf, monthRange, pointsFor,
  type ActivityStatusBody, type CheckInBody, type CheckOutBody, type CreateActivityBody, type CreateExchangeItemBody,
  type CreateTeamBody, type LeaderboardQuery, type LeaderboardRow, type ListActivitiesQuery, type ListRedemptionsQuery,
  type ListVolunteersQuery, type UpdateVolunteerBody, type PageQuery, type ParticipationBody, type RedeemBody, type RegisterVolunteerBody,
  type RestockBody, type VolunteerEntity, type VolunteerEntryType, type VolunteerStatusBody,
} from '../../shared/volunteers.ts';
import { PointsLedger, type LedgerCheck, type LedgerLine } from './ledger.ts';
import {
  activityFromRow, itemFromRow, redemptionFromRow, serviceRecordFromRow, signupFromRow, volunteerFromRow,
  type ActivityRecord, type ExchangeItemRecord, type RedemptionRecord, type ServiceRecord, type SignupRecord,
  type TeamRecord, type VolunteerRecord,
} from './record.ts';

export interface VolunteerServiceDeps {
  db: Db;
  queue: WriteQueue<SubjectChange>;
  directory: Directory;
  metrics: Metrics;
  journal: JournalWriter;
  now?: () => number;
  /** The community rate for activities that set none (POINTS_PER_HOUR; 10 = 1 h → 10 points). */
  pointsPerHour?: number;
}

/** What a check-out produced. */
export interface CheckOutResult {
  signup: SignupRecord;
  /** Null when the participation earned no hours (under half an hour inside the activity's window). */
  record: ServiceRecord | null;
  balance: number;
}

export interface RedeemResult {
  redemption: RedemptionRecord;
  item: ExchangeItemRecord;
  balance: number;
}

export interface Leaderboard {
  month: string;
  totals: { hours: number; points: number; records: number; volunteers: number };
  items: LeaderboardRow[];
}

export interface PointsSummary {
  /** Every point ever issued for service. */
  issued: number;
  /** Every point spent in the exchange. */
  redeemed: number;
  /** Held by volunteers now: issued − redeemed. */
  outstanding: number;
  check: LedgerCheck;
}

// Who may do what. Accounts arrive later; today HTTP requests act as the admin.
const STAFF: readonly Role[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'system'];
const MANAGE: readonly Role[] = ['admin', 'coordinator', 'social_worker', 'system'];
const ON_SITE: readonly Role[] = [...MANAGE, 'grid_worker'];
const CASHIER: readonly Role[] = ['admin', 'coordinator', 'system'];

export class VolunteerService {
  #db: Db;
  #queue: WriteQueue<SubjectChange>;
  #metrics: Metrics;
  #subjectJournal: JournalWriter;
  #dir: Directory;
  #now: () => number;
  #rate: number;
  #ledger: PointsLedger;
  #stmt;

  constructor(deps: VolunteerServiceDeps) {
    this.#db = deps.db;
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now ?? Date.now;
    this.#rate = deps.pointsPerHour ?? DEFAULT_POINTS_PER_HOUR;
    this.#ledger = new PointsLedger(deps.db);
    this.#metrics = deps.metrics;
    this.#subjectJournal = deps.journal;
    const db = deps.db;
    this.#stmt = {
      volunteer: db.prepare('SELECT * FROM volunteers WHERE id = ?'),
      volunteerByIdNumber: db.prepare('SELECT id FROM volunteers WHERE community_id = ? AND id_number = ?'),
      insertVolunteer: db.prepare(
        `INSERT INTO volunteers (community_id, name, phone, id_number, skills, team_id, availability, status, registered_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
      ),
      updateVolunteer: db.prepare(
        'UPDATE volunteers SET phone = ?, skills = ?, team_id = ?, availability = ?, updated_at = ? WHERE id = ?',
      ),
      volunteerStatus: db.prepare('UPDATE volunteers SET status = ?, updated_at = ? WHERE id = ?'),
      team: db.prepare('SELECT * FROM volunteer_teams WHERE id = ?'),
      teamByName: db.prepare('SELECT id FROM volunteer_teams WHERE community_id = ? AND name = ?'),
      insertTeam: db.prepare('INSERT INTO volunteer_teams (community_id, name, created_at) VALUES (?, ?, ?)'),
      teams: db.prepare(
        `SELECT t.id, t.name, (SELECT COUNT(*) FROM volunteers v WHERE v.team_id = t.id AND v.status <> 'left') AS members
           FROM volunteer_teams t WHERE t.community_id = ? ORDER BY t.id`,
      ),
      activity: db.prepare('SELECT * FROM activities WHERE id = ?'),
      insertActivity: db.prepare(
        `INSERT INTO activities (community_id, title, description, organiser, starts_at, ends_at, place, grid_id, capacity,
                                 skills_wanted, points_per_hour, status, created_by, created_at, updated_at)
         VALUES (@communityId, @title, @description, @organiser, @startsAt, @endsAt, @place, @gridId, @capacity,
                 @skillsWanted, @pointsPerHour, @status, @createdBy, @createdAt, @updatedAt)`,
      ),
      activityStatus: db.prepare('UPDATE activities SET status = ?, updated_at = ? WHERE id = ?'),
      taken: db.prepare(
        `SELECT COUNT(*) AS n FROM activity_signups WHERE activity_id = ? AND status IN (${PLACE_HOLDING.map((s) => `'${s}'`).join(', ')})`,
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
      cancelPending: db.prepare(
        "UPDATE activity_signups SET status = 'cancelled' WHERE activity_id = ? AND status = 'signed_up'",
      ),
      participated: db.prepare(
        "SELECT COUNT(*) AS n FROM activity_signups WHERE activity_id = ? AND status IN ('checked_in', 'checked_out')",
      ),
      nextRecordId: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM service_records'),
      insertRecord: db.prepare(
        `INSERT INTO service_records (id, community_id, volunteer_id, activity_id, signup_id, hours, points, content,
                                      certificate_no, issued_at, issuer, recorded_by, txn_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      recordSelect: `SELECT r.*, v.name AS volunteer_name, a.title AS activity_title
                       FROM service_records r JOIN volunteers v ON v.id = r.volunteer_id JOIN activities a ON a.id = r.activity_id`,
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
      totals: db.prepare(
        'SELECT COALESCE(SUM(hours), 0) AS hours, COALESCE(SUM(points), 0) AS points, COUNT(*) AS records FROM service_records WHERE volunteer_id = ?',
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
    };
  }

  timeZoneOf(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }

  // ---- volunteers ------------------------------------------------------------------------

  /** Register a volunteer (active) and open their points account. */
  async register(p: Principal, body: RegisterVolunteerBody): Promise<VolunteerRecord> {
    authorise(p, MANAGE, 'register volunteers');
    if (body.teamId !== undefined) this.#team(p, body.teamId, 'teamId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      if (body.idNumber) {
        const dup = this.#stmt.volunteerByIdNumber.get(p.communityId, body.idNumber) as { id: number } | undefined;
        if (dup) {
          throw new DomainError(409, 'error.volunteer_exists', `a volunteer with this ID number is registered (${dup.id})`,
            undefined, { volunteerId: dup.id });
        }
      }
      const id = Number(this.#stmt.insertVolunteer.run(p.communityId, body.name, body.phone, body.idNumber ?? null,
        JSON.stringify(body.skills), body.teamId ?? null, body.availability ? JSON.stringify(body.availability) : null, now, now)
        .lastInsertRowid);
      this.#ledger.volunteerAccount(p.communityId, id, now);
      this.#journal(ctx, p, now, 'volunteer.registered', 'volunteer', id, { teamId: body.teamId ?? null });
      return this.#volunteerRow(id);
    });
  }

  /**
   * Change a volunteer's phone, skills, team or availability; fields left out keep their value.
   * A change to what is there already writes nothing (no journal, no audit line, same updatedAt).
   */
  async update(p: Principal, volunteerId: number, body: UpdateVolunteerBody): Promise<VolunteerRecord> {
    authorise(p, MANAGE, 'change volunteers');
    if (body.teamId != null) this.#team(p, body.teamId, 'teamId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const v = this.volunteer(p, volunteerId);
      const next: VolunteerRecord = {
        ...v,
        phone: body.phone ?? v.phone,
        skills: body.skills ?? v.skills,
        teamId: body.teamId === undefined ? v.teamId : body.teamId,
        availability: body.availability === undefined ? v.availability : body.availability,
        updatedAt: now,
      };
      if (isDeepStrictEqual({ ...next, updatedAt: v.updatedAt }, v)) return v;
      this.#stmt.updateVolunteer.run(next.phone, JSON.stringify(next.skills), next.teamId,
        next.availability ? JSON.stringify(next.availability) : null, now, v.id);
      this.#journal(ctx, p, now, 'volunteer.updated', 'volunteer', v.id, { fields: Object.keys(body) });
      return next;
    });
  }

  /** Pause, resume or record that a volunteer left. Setting the status they have changes nothing. */
  async setStatus(p: Principal, volunteerId: number, body: VolunteerStatusBody): Promise<VolunteerRecord> {
    authorise(p, MANAGE, 'change volunteers');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const v = this.volunteer(p, volunteerId);
      if (v.status === body.status) return v;
      this.#stmt.volunteerStatus.run(body.status, now, v.id);
      this.#journal(ctx, p, now, 'volunteer.status_changed', 'volunteer', v.id, { status: body.status, note: body.note ?? null }, v.status);
      return { ...v, status: body.status, updatedAt: now };
    });
  }

  volunteer(p: Principal, id: number): VolunteerRecord {
    authorise(p, STAFF, 'see volunteers');
    return volunteerFromRow(ownRow(p, this.#stmt.volunteer.get(id), `volunteer ${id}`));
  }

  /** Newest first; the cursor is the id of the last volunteer of the previous page. */
  listVolunteers(p: Principal, q: ListVolunteersQuery): Page<VolunteerRecord> {
    authorise(p, STAFF, 'see volunteers');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.team !== undefined) (where.push('team_id = @team'), (params.team = q.team));
    if (q.skill) (where.push('EXISTS (SELECT 1 FROM json_each(skills) WHERE value = @skill)'), (params.skill = q.skill));
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db.prepare(`SELECT * FROM volunteers WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(volunteerFromRow), q.limit);
  }

  /** Hours, points and records a volunteer has to their name, all time. */
  totals(p: Principal, volunteerId: number): { hours: number; points: number; records: number } {
    this.volunteer(p, volunteerId);
    return this.#stmt.totals.get(volunteerId) as { hours: number; points: number; records: number };
  }

  async createTeam(p: Principal, body: CreateTeamBody): Promise<TeamRecord> {
    authorise(p, MANAGE, 'create teams');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      if (this.#stmt.teamByName.get(p.communityId, body.name)) {
        throw new DomainError(409, 'error.team_exists', `a team named ${body.name} exists`);
      }
      const id = Number(this.#stmt.insertTeam.run(p.communityId, body.name, now).lastInsertRowid);
      this.#journal(ctx, p, now, 'volunteer.team_created', 'team', id, { name: body.name });
      return { id, name: body.name, members: 0 };
    });
  }

  teams(p: Principal): TeamRecord[] {
    authorise(p, STAFF, 'see teams');
    return this.#stmt.teams.all(p.communityId) as TeamRecord[];
  }

  // ---- activities ------------------------------------------------------------------------

  async createActivity(p: Principal, body: CreateActivityBody): Promise<ActivityRecord> {
    authorise(p, MANAGE, 'create activities');
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const a: Omit<ActivityRecord, 'id'> = {
        communityId: p.communityId, title: body.title, description: body.description, organiser: body.organiser,
        startsAt: Date.parse(body.startsAt), endsAt: Date.parse(body.endsAt), place: body.place, gridId: body.gridId ?? null,
        capacity: body.capacity, skillsWanted: body.skillsWanted, pointsPerHour: body.pointsPerHour ?? this.#rate,
        status: body.status, createdBy: p.id, createdAt: now, updatedAt: now,
      };
      const id = Number(this.#stmt.insertActivity.run({ ...a, skillsWanted: JSON.stringify(a.skillsWanted) }).lastInsertRowid);
      this.#journal(ctx, p, now, 'activity.created', 'activity', id, { status: a.status, startsAt: a.startsAt, capacity: a.capacity },
        null, { subject: 'volunteer', key: 'feed.activity.created', params: { title: feedText(a.title) }, gridId: a.gridId });
      return { id, ...a };
    });
  }

  /**
   * Open, close or cancel an activity (ACTIVITY_TRANSITIONS). Cancelling cancels its pending
   * sign-ups, and is refused once someone has checked in: their hours stand.
   */
  async setActivityStatus(p: Principal, activityId: number, body: ActivityStatusBody): Promise<ActivityRecord> {
    authorise(p, MANAGE, 'change activities');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const a = this.activity(p, activityId);
      const allowed = ACTIVITY_TRANSITIONS[a.status];
      if (!allowed.includes(body.status)) {
        throw new DomainError(409, 'error.transition_not_allowed',
          `cannot make an activity that is ${a.status} ${body.status}; allowed: ${allowed.join(', ') || 'none'}`,
          undefined, { status: a.status, allowed });
      }
      let cancelledSignups = 0;
      if (body.status === 'cancelled') {
        if ((this.#stmt.participated.get(a.id) as { n: number }).n > 0) {
          throw new DomainError(409, 'error.transition_not_allowed', 'volunteers have checked in; close the activity instead',
            undefined, { status: a.status, allowed: allowed.filter((s) => s !== 'cancelled') });
        }
        cancelledSignups = this.#stmt.cancelPending.run(a.id).changes;
      }
      this.#stmt.activityStatus.run(body.status, now, a.id);
      this.#journal(ctx, p, now, 'activity.status_changed', 'activity', a.id,
        { status: body.status, note: body.note ?? null, ...(cancelledSignups ? { cancelledSignups } : {}) }, a.status);
      return { ...a, status: body.status, updatedAt: now };
    });
  }

  activity(p: Principal, id: number): ActivityRecord {
    authorise(p, STAFF, 'see activities');
    return activityFromRow(ownRow(p, this.#stmt.activity.get(id), `activity ${id}`));
  }

  /** Places taken: signed up, checked in or checked out. */
  taken(activityId: number): number {
    return (this.#stmt.taken.get(activityId) as { n: number }).n;
  }

  signups(p: Principal, activityId: number): SignupRecord[] {
    this.activity(p, activityId);
    return this.#stmt.signupsOf.all(activityId).map(signupFromRow);
  }

  /** Soonest last; the cursor is the id of the last activity of the previous page. */
  listActivities(p: Principal, q: ListActivitiesQuery): Page<ActivityRecord> {
    authorise(p, STAFF, 'see activities');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.from) (where.push('starts_at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('starts_at < @to'), (params.to = Date.parse(q.to)));
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db.prepare(`SELECT * FROM activities WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(activityFromRow), q.limit);
  }

  // ---- participation ---------------------------------------------------------------------

  /**
   * Sign a volunteer up for an open activity that has not ended. Refused (409) when it is full,
   * when they are signed up already, or when they are not active. A cancelled sign-up may
   * sign up again.
   */
  async signUp(p: Principal, activityId: number, body: ParticipationBody): Promise<SignupRecord> {
    authorise(p, ON_SITE, 'sign volunteers up');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const a = this.activity(p, activityId);
      const v = this.volunteer(p, body.volunteerId);
      if (a.status !== 'open') {
        throw new DomainError(409, 'error.activity_not_open', `the activity is ${a.status}, not taking sign-ups`, undefined, { status: a.status });
      }
      if (now >= a.endsAt) {
        throw new DomainError(409, 'error.activity_not_open', 'the activity has ended', undefined, { status: a.status });
      }
      requireActive(v);
      const existing = this.#signupRow(a.id, v.id);
      if (existing && existing.status !== 'cancelled') {
        throw new DomainError(409, 'error.already_signed_up', `volunteer ${v.id} is already signed up (${existing.status})`,
          undefined, { signupId: existing.id, status: existing.status });
      }
      const taken = this.taken(a.id);
      if (taken >= a.capacity) {
        throw new DomainError(409, 'error.activity_full', `all ${a.capacity} places are taken`, undefined, { capacity: a.capacity, taken });
      }
      let id: number;
      if (existing) {
        this.#stmt.resignup.run(now, existing.id);
        id = existing.id;
      } else {
        id = Number(this.#stmt.insertSignup.run(a.id, v.id, now).lastInsertRowid);
      }
      this.#journal(ctx, p, now, 'volunteer.signed_up', 'signup', id, { activityId: a.id, volunteerId: v.id, status: 'signed_up' },
        existing?.status ?? null);
      return signupFromRow(this.#stmt.signupById.get(id));
    });
  }

  /** Withdraw a sign-up before check-in; the place is free again. */
  async cancelSignup(p: Principal, activityId: number, body: ParticipationBody): Promise<SignupRecord> {
    authorise(p, ON_SITE, 'cancel sign-ups');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { s } = this.#participation(p, activityId, body.volunteerId, ['signed_up']);
      this.#stmt.signupStatus.run('cancelled', s.id);
      this.#journal(ctx, p, now, 'volunteer.signup_cancelled', 'signup', s.id, { activityId, volunteerId: s.volunteerId, status: 'cancelled' }, s.status);
      return { ...s, status: 'cancelled' };
    });
  }

  /** Record that a signed-up volunteer did not come (once the activity has started). */
  async markNoShow(p: Principal, activityId: number, body: ParticipationBody): Promise<SignupRecord> {
    authorise(p, MANAGE, 'record no-shows');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { a, s } = this.#participation(p, activityId, body.volunteerId, ['signed_up']);
      if (now < a.startsAt) {
        throw new DomainError(409, 'error.outside_activity_time', 'the activity has not started yet', undefined,
          { startsAt: a.startsAt, endsAt: a.endsAt });
      }
      this.#stmt.signupStatus.run('no_show', s.id);
      this.#journal(ctx, p, now, 'volunteer.no_show', 'signup', s.id, { activityId, volunteerId: s.volunteerId, status: 'no_show' }, s.status);
      return { ...s, status: 'no_show' };
    });
  }

  /**
   * Check a signed-up volunteer in, now or at `body.at`. Check-in opens an hour before the
   * activity starts and closes when it ends.
   */
  async checkIn(p: Principal, activityId: number, body: CheckInBody): Promise<SignupRecord> {
    authorise(p, ON_SITE, 'check volunteers in');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const at = instantFrom('at', body.at, now);
      const { a, v, s } = this.#participation(p, activityId, body.volunteerId, ['signed_up']);
      if (a.status !== 'open' && a.status !== 'closed') {
        throw new DomainError(409, 'error.activity_not_open', `the activity is ${a.status}`, undefined, { status: a.status });
      }
      requireActive(v);
      if (at < a.startsAt - CHECK_IN_OPENS_BEFORE_MS || at > a.endsAt) {
        throw new DomainError(409, 'error.outside_activity_time',
          'check-in opens an hour before the activity starts and closes when it ends', undefined,
          { startsAt: a.startsAt, endsAt: a.endsAt });
      }
      this.#stmt.checkIn.run(at, s.id);
      this.#journal(ctx, p, now, 'volunteer.checked_in', 'signup', s.id, { activityId, volunteerId: v.id, status: 'checked_in', at }, s.status,
        { subject: 'volunteer', key: 'feed.volunteer.checked_in', params: { name: maskName(v.name) ?? '', title: feedText(a.title, [v.name]) }, gridId: a.gridId });
      return { ...s, status: 'checked_in', checkedInAt: at };
    });
  }

  /**
   * Check a volunteer out. The participation's hours (see `creditedHours`) become a service
   * record with a certificate number, and its points (`pointsFor`) are issued to the
   * volunteer as one ledger transaction (−issuance, +volunteer), all in this one write.
   */
  async checkOut(p: Principal, activityId: number, body: CheckOutBody): Promise<CheckOutResult> {
    authorise(p, ON_SITE, 'check volunteers out');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const at = instantFrom('at', body.at, now);
      const { a, v, s } = this.#participation(p, activityId, body.volunteerId, ['checked_in']);
      if (at < s.checkedInAt!) invalidField('at', 'is before the check-in');
      this.#stmt.checkOut.run(at, s.id);
      const hours = creditedHours(s.checkedInAt!, at, a.startsAt, a.endsAt);
      const points = pointsFor(hours, a.pointsPerHour);
      let record: ServiceRecord | null = null;
      const account = this.#ledger.volunteerAccount(p.communityId, v.id, now);
      if (hours > 0) {
        const tz = this.#dir.timeZoneOf(p.communityId);
        const id = (this.#stmt.nextRecordId.get() as { n: number }).n;
        const certificateNo = certificateNumber(wallTime(now, tz).year, id);
        let txnId: number | null = null;
        if (points > 0) {
          txnId = this.#ledger.post({
            communityId: p.communityId, kind: 'earn', at: now, actor: p.id, memo: `${certificateNo} ${a.title}`,
            legs: [
              { accountId: this.#ledger.systemAccount(p.communityId, 'issuance', now), amount: -points },
              { accountId: account, amount: points },
            ],
          });
        }
        const content = body.content ?? a.title;
        this.#stmt.insertRecord.run(id, p.communityId, v.id, a.id, s.id, hours, points, content, certificateNo, now,
          a.organiser, p.id, txnId);
        record = {
          id, communityId: p.communityId, volunteerId: v.id, volunteerName: v.name, activityId: a.id, activityTitle: a.title,
          signupId: s.id, hours, points, content, certificateNo, issuedAt: now, issuer: a.organiser, recordedBy: p.id, txnId,
        };
      }
      if (hours > 0) this.#metrics.bump(p.communityId, now, 'volunteer', a.gridId, { services: 1, serviceMinutes: Math.round(hours * 60) });
      this.#journal(ctx, p, now, 'volunteer.checked_out', 'signup', s.id,
        { activityId, volunteerId: v.id, status: 'checked_out', at, hours, certificateNo: record?.certificateNo ?? null }, s.status,
        { subject: 'volunteer', key: hours > 0 ? 'feed.volunteer.served' : 'feed.volunteer.checked_out',
          params: { name: maskName(v.name) ?? '', title: feedText(a.title, [v.name]), hours, points }, gridId: a.gridId });
      if (record?.txnId) {
        this.#journal(ctx, p, now, 'points.issued', 'points_txn', record.txnId, { volunteerId: v.id, points, certificateNo: record.certificateNo });
      }
      return { signup: { ...s, status: 'checked_out', checkedOutAt: at }, record, balance: this.#ledger.balance(account) };
    });
  }

  // ---- service records -----------------------------------------------------------------

  /** A volunteer's service records, newest first. */
  records(p: Principal, volunteerId: number, q: PageQuery): Page<ServiceRecord> {
    this.volunteer(p, volunteerId);
    const rows = this.#db
      .prepare(`${this.#stmt.recordSelect} WHERE r.volunteer_id = ? AND r.id < ? ORDER BY r.id DESC LIMIT ?`)
      .all(volunteerId, q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER, q.limit + 1);
    return pageOf(rows.map(serviceRecordFromRow), q.limit);
  }

  /** A certificate by its number (ZYFW-2026-000123): the basis of the printed certificate. */
  certificate(p: Principal, certificateNo: string): ServiceRecord {
    authorise(p, STAFF, 'see certificates');
    const row = this.#db.prepare(`${this.#stmt.recordSelect} WHERE r.certificate_no = ?`).get(certificateNo) as
      | { community_id: string }
      | undefined;
    if (!row || row.community_id !== p.communityId) throw notFound(`certificate ${certificateNo}`);
    return serviceRecordFromRow(row);
  }

  // ---- points ------------------------------------------------------------------------------

  /** A volunteer's balance (the cached SUM of their entries). */
  balance(p: Principal, volunteerId: number): number {
    this.volunteer(p, volunteerId);
    return this.#ledger.balance(this.#ledger.findVolunteerAccount(volunteerId));
  }

  /** Balances of many volunteers of the principal's community, by id. */
  balances(volunteerIds: number[]): Map<number, number> {
    const out = new Map<number, number>();
    if (!volunteerIds.length) return out;
    const rows = this.#db
      .prepare(`SELECT owner_id, balance FROM points_accounts WHERE kind = 'volunteer' AND owner_id IN (${volunteerIds.map(() => '?').join(', ')})`)
      .all(...volunteerIds) as { owner_id: number; balance: number }[];
    for (const r of rows) out.set(r.owner_id, r.balance);
    return out;
  }

  /** A volunteer's ledger, newest first, with the balance after each entry. */
  ledger(p: Principal, volunteerId: number, q: PageQuery): Page<LedgerLine> {
    this.volunteer(p, volunteerId);
    return this.#ledger.history(this.#ledger.findVolunteerAccount(volunteerId), q);
  }

  /** The community's books: issued, redeemed, held, and whether they balance. */
  summary(p: Principal): PointsSummary {
    authorise(p, STAFF, 'see the points ledger');
    const issuance = this.#db
      .prepare("SELECT balance FROM points_accounts WHERE community_id = ? AND kind = 'issuance' AND owner_id IS NULL")
      .get(p.communityId) as { balance: number } | undefined;
    const redemption = this.#db
      .prepare("SELECT balance FROM points_accounts WHERE community_id = ? AND kind = 'redemption' AND owner_id IS NULL")
      .get(p.communityId) as { balance: number } | undefined;
    const issued = -(issuance?.balance ?? 0);
    const redeemed = redemption?.balance ?? 0;
    return { issued, redeemed, outstanding: issued - redeemed, check: this.#ledger.verify(p.communityId) };
  }

  /** Hours and points earned in a local month (this month by default), most hours first. */
  leaderboard(p: Principal, q: LeaderboardQuery): Leaderboard {
    authorise(p, STAFF, 'see the leaderboard');
    const tz = this.#dir.timeZoneOf(p.communityId);
    const month = q.month ?? monthOf(this.#now(), tz);
    const { start, end } = monthRange(month, tz);
    const items = (this.#stmt.leaderboard.all(p.communityId, start, end, q.limit) as {
      volunteer_id: number; name: string; hours: number; points: number; records: number;
    }[]).map((r) => ({ volunteerId: r.volunteer_id, name: r.name, hours: r.hours, points: r.points, records: r.records }));
    const totals = this.#stmt.monthTotals.get(p.communityId, start, end) as Leaderboard['totals'];
    return { month, totals, items };
  }

  // ---- the exchange (积分超市) -------------------------------------------------------------

  async addItem(p: Principal, body: CreateExchangeItemBody): Promise<ExchangeItemRecord> {
    authorise(p, CASHIER, 'change the exchange catalogue');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const id = Number(this.#stmt.insertItem.run(p.communityId, body.name, body.description, body.pointsCost, body.stock, now, now)
        .lastInsertRowid);
      this.#journal(ctx, p, now, 'exchange.item_added', 'exchange_item', id, { pointsCost: body.pointsCost, stock: body.stock });
      return itemFromRow(this.#stmt.item.get(id));
    });
  }

  async restock(p: Principal, itemId: number, body: RestockBody): Promise<ExchangeItemRecord> {
    authorise(p, CASHIER, 'restock the exchange');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const item = this.item(p, itemId);
      this.#stmt.addStock.run(body.quantity, now, item.id);
      this.#journal(ctx, p, now, 'exchange.restocked', 'exchange_item', item.id, { quantity: body.quantity, stock: item.stock + body.quantity });
      return { ...item, stock: item.stock + body.quantity, updatedAt: now };
    });
  }

  item(p: Principal, id: number): ExchangeItemRecord {
    authorise(p, STAFF, 'see the exchange');
    return itemFromRow(ownRow(p, this.#stmt.item.get(id), `exchange item ${id}`));
  }

  items(p: Principal): ExchangeItemRecord[] {
    authorise(p, STAFF, 'see the exchange');
    return this.#stmt.items.all(p.communityId).map(itemFromRow);
  }

  /**
   * Spend a volunteer's points on an item: −volunteer, +redemption in one ledger transaction,
   * the stock taken down and the redemption recorded in the same write. Refused with 409
   * `error.out_of_stock` or `error.insufficient_points`, and then nothing changes.
   */
  async redeem(p: Principal, body: RedeemBody): Promise<RedeemResult> {
    authorise(p, CASHIER, 'redeem points');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const v = this.volunteer(p, body.volunteerId);
      const item = this.item(p, body.itemId);
      if (item.stock < body.quantity) {
        throw new DomainError(409, 'error.out_of_stock', `${item.stock} of ${item.name} left, ${body.quantity} asked for`,
          undefined, { stock: item.stock });
      }
      const cost = item.pointsCost * body.quantity;
      const account = this.#ledger.volunteerAccount(p.communityId, v.id, now);
      const balance = this.#ledger.balance(account);
      if (balance < cost) {
        throw new DomainError(409, 'error.insufficient_points', `the balance is ${balance} points; ${cost} are needed`,
          undefined, { balance, needed: cost });
      }
      const txnId = this.#ledger.post({
        communityId: p.communityId, kind: 'redeem', at: now, actor: p.id, memo: `${item.name} ×${body.quantity}`,
        legs: [
          { accountId: account, amount: -cost },
          { accountId: this.#ledger.systemAccount(p.communityId, 'redemption', now), amount: cost },
        ],
      });
      // The guard in the WHERE clause is the stock check restated where it cannot race.
      if (this.#stmt.takeStock.run(body.quantity, now, item.id, body.quantity).changes !== 1) {
        throw new DomainError(409, 'error.out_of_stock', `${item.name} is out of stock`, undefined, { stock: item.stock });
      }
      const id = Number(this.#stmt.insertRedemption.run(p.communityId, v.id, item.id, body.quantity, cost, txnId, now, p.id)
        .lastInsertRowid);
      this.#journal(ctx, p, now, 'points.redeemed', 'points_txn', txnId,
        { volunteerId: v.id, itemId: item.id, quantity: body.quantity, points: cost, redemptionId: id }, null,
        { subject: 'volunteer', key: 'feed.points.redeemed', params: { name: maskName(v.name) ?? '', item: feedText(item.name), points: cost }, gridId: null });
      return {
        redemption: redemptionFromRow(this.#stmt.redemption.get(id)),
        item: { ...item, stock: item.stock - body.quantity, updatedAt: now },
        balance: balance - cost,
      };
    });
  }

  /** Redemptions, newest first, of one volunteer or the whole community. */
  redemptions(p: Principal, q: ListRedemptionsQuery): Page<RedemptionRecord> {
    authorise(p, STAFF, 'see redemptions');
    if (q.volunteer !== undefined) this.volunteer(p, q.volunteer);
    const where = ['r.community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.volunteer !== undefined) (where.push('r.volunteer_id = @volunteer'), (params.volunteer = q.volunteer));
    if (q.cursor) (where.push('r.id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db
      .prepare(`SELECT r.*, i.name AS item_name FROM redemptions r JOIN exchange_items i ON i.id = r.item_id
                 WHERE ${where.join(' AND ')} ORDER BY r.id DESC LIMIT @limit`)
      .all(params);
    return pageOf(rows.map(redemptionFromRow), q.limit);
  }

  /** Check the community's books (every transaction balances, cached balances are the SUMs). */
  verifyLedger(p: Principal): LedgerCheck {
    authorise(p, STAFF, 'see the points ledger');
    return this.#ledger.verify(p.communityId);
  }

  // ---- internals ---------------------------------------------------------------------------

  #volunteerRow(id: number): VolunteerRecord {
    return volunteerFromRow(this.#stmt.volunteer.get(id));
  }

  #team(p: Principal, id: number, field: string) {
    const row = this.#stmt.team.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField(field, `no team ${id} in this community`);
  }

  #signupRow(activityId: number, volunteerId: number): SignupRecord | null {
    const row = this.#stmt.signup.get(activityId, volunteerId);
    return row ? signupFromRow(row) : null;
  }

  /** The activity, the volunteer and their sign-up, which must be in one of `statuses`. */
  #participation(p: Principal, activityId: number, volunteerId: number, statuses: SignupRecord['status'][]) {
    const a = this.activity(p, activityId);
    const v = this.volunteer(p, volunteerId);
    const s = this.#signupRow(a.id, v.id);
    if (!s) throw new DomainError(409, 'error.not_signed_up', `volunteer ${v.id} is not signed up for activity ${a.id}`);
    if (!statuses.includes(s.status)) {
      throw new DomainError(409, 'error.transition_not_allowed',
        `the sign-up is ${s.status}; this needs ${statuses.join(' or ')}`, undefined, { status: s.status });
    }
    return { a, v, s };
  }

  #journal(
    ctx: WriteContext<SubjectChange>, p: Principal, at: number, type: VolunteerEntryType, entity: VolunteerEntity, entityId: number,
    data: Record<string, unknown>, fromStatus: string | null = null, feed: FeedDraft | null = null,
  ) {
    this.#subjectJournal.write(ctx, p, at, { subject: 'volunteer', type, entity, entityId, data, fromStatus, feed });
  }
}

function requireActive(v: VolunteerRecord) {
  if (v.status !== 'active') {
    throw new DomainError(409, 'error.volunteer_inactive', `volunteer ${v.id} is ${v.status}`, undefined, { status: v.status });
  }
}
