/**
 * Volunteer activities (志愿活动): what is planned, where and when, how many places, the skills
 * wanted and the points an hour earns; opened for sign-up, closed, or cancelled before anyone
 * checked in (ACTIVITY_TRANSITIONS).
 */
import { randomBytes } from 'node:crypto';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { authorise, requireGrid } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import {
  ACTIVITY_TRANSITIONS, MAX_ACTIVITY_MS, type ActivitiesExportQuery, type ActivityStatusBody, type CreateActivityBody,
  type ListActivitiesQuery, type UpdateActivityBody,
} from '../../shared/volunteers.ts';
import { isoInZone, startOfLocalDay } from '../../shared/time.ts';
import { invalid } from '../errors.ts';
import { MANAGE, STAFF } from './access.ts';
import { activityFromRow, type ActivityRecord } from './record.ts';
import type { VolunteerParts, VolunteerStore } from './store.ts';

/** A fresh check-in code: 12 hex digits (48 random bits), what migration 14 gives existing activities. */
export const newCheckInCode = (): string => randomBytes(6).toString('hex').toUpperCase();

/** Activities: create, open, close or cancel; find and list them, and count their places taken. */
export class ActivityService {
  #store: VolunteerStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;
  #rate: number;

  /** `pointsPerHour`: the community rate for activities that set none. */
  constructor(parts: VolunteerParts, pointsPerHour: number) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#dir = parts.directory;
    this.#now = parts.now;
    this.#rate = pointsPerHour;
  }

  /** A new activity, in the status the body names (planned or open); a line joins the wall's feed. */
  async create(p: Principal, body: CreateActivityBody): Promise<ActivityRecord> {
    authorise(p, MANAGE, 'create activities');
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const a: Omit<ActivityRecord, 'id'> = {
        communityId: p.communityId, title: body.title, description: body.description, organiser: body.organiser,
        startsAt: Date.parse(body.startsAt), endsAt: Date.parse(body.endsAt), place: body.place, gridId: body.gridId ?? null,
        capacity: body.capacity, skillsWanted: body.skillsWanted, pointsPerHour: body.pointsPerHour ?? this.#rate,
        status: body.status, createdBy: p.id, createdAt: now, updatedAt: now, checkInCode: newCheckInCode(),
      };
      const id = Number(this.#store.stmt.insertActivity.run(a.communityId, a.title, a.description, a.organiser, a.startsAt, a.endsAt,
        a.place, a.gridId, a.capacity, JSON.stringify(a.skillsWanted), a.pointsPerHour, a.status, a.createdBy, a.createdAt, a.updatedAt, a.checkInCode)
        .lastInsertRowid);
      this.#store.entry(ctx, p, now, 'activity.created', 'activity', id, { status: a.status, startsAt: a.startsAt, capacity: a.capacity },
        null, { subject: 'volunteer', key: 'feed.activity.created', params: { title: feedText(a.title) }, gridId: a.gridId });
      return { id, ...a };
    });
  }

  /**
   * Open, close or cancel an activity (ACTIVITY_TRANSITIONS). Cancelling cancels its pending
   * sign-ups, and is refused once someone has checked in: their hours stand.
   */
  async setStatus(p: Principal, activityId: number, body: ActivityStatusBody): Promise<ActivityRecord> {
    authorise(p, MANAGE, 'change activities');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt } = this.#store;
      const a = this.#store.activity(p, activityId);
      const allowed = ACTIVITY_TRANSITIONS[a.status];
      if (!allowed.includes(body.status)) {
        throw new DomainError(409, 'error.transition_not_allowed',
          `cannot make an activity that is ${a.status} ${body.status}; allowed: ${allowed.join(', ') || 'none'}`,
          undefined, { status: a.status, allowed });
      }
      let cancelledSignups = 0;
      if (body.status === 'cancelled') {
        if ((stmt.participated.get(a.id) as { n: number }).n > 0) {
          throw new DomainError(409, 'error.transition_not_allowed', 'volunteers have checked in; close the activity instead',
            undefined, { status: a.status, allowed: allowed.filter((s) => s !== 'cancelled') });
        }
        cancelledSignups = stmt.cancelPending.run(a.id).changes;
      }
      stmt.activityStatus.run(body.status, now, a.id);
      this.#store.entry(ctx, p, now, 'activity.status_changed', 'activity', a.id,
        { status: body.status, note: body.note ?? null, ...(cancelledSignups ? { cancelledSignups } : {}) }, a.status);
      return { ...a, status: body.status, updatedAt: now };
    });
  }

  /**
   * Change a planned (draft) or open activity: the fields the body names. `expectedUpdatedAt` is
   * the version the form read; a change meanwhile is a 409 `version_conflict` saying when, and
   * nothing is overwritten. Capacity may not fall under the places taken (400 on `capacity`).
   */
  async update(p: Principal, activityId: number, body: UpdateActivityBody): Promise<ActivityRecord> {
    authorise(p, MANAGE, 'change activities');
    if (body.gridId) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const a = this.#store.activity(p, activityId);
      // updated_at is the version: it moves on every change, even two within one millisecond.
      const now = Math.max(this.#now(), a.updatedAt + 1);
      if (a.status !== 'planned' && a.status !== 'open') {
        throw new DomainError(409, 'error.transition_not_allowed', `an activity that is ${a.status} cannot be changed`,
          undefined, { status: a.status, allowed: [] });
      }
      if (Date.parse(body.expectedUpdatedAt) !== a.updatedAt) {
        const tz = this.#dir.timeZoneOf(p.communityId);
        throw new DomainError(409, 'error.version_conflict', `activity ${a.id} was changed at ${isoInZone(a.updatedAt, tz)}`,
          undefined, { updatedAt: isoInZone(a.updatedAt, tz), changedAt: isoInZone(a.updatedAt, tz), changedBy: null });
      }
      const next: ActivityRecord = {
        ...a,
        title: body.title ?? a.title, description: body.description ?? a.description, organiser: body.organiser ?? a.organiser,
        startsAt: body.startsAt ? Date.parse(body.startsAt) : a.startsAt, endsAt: body.endsAt ? Date.parse(body.endsAt) : a.endsAt,
        place: body.place ?? a.place, gridId: body.gridId === undefined ? a.gridId : body.gridId,
        capacity: body.capacity ?? a.capacity, skillsWanted: body.skillsWanted ?? a.skillsWanted,
        pointsPerHour: body.pointsPerHour ?? a.pointsPerHour, updatedAt: now,
      };
      if (!(next.endsAt > next.startsAt)) throw invalid([{ field: 'endsAt', problem: 'must be after startsAt' }]);
      if (next.endsAt - next.startsAt > MAX_ACTIVITY_MS) {
        throw invalid([{ field: 'endsAt', problem: 'an activity lasts at most 24 hours; make one per day' }]);
      }
      const taken = this.#store.taken(a.id);
      if (next.capacity < taken) throw invalid([{ field: 'capacity', problem: `must be at least the ${taken} places taken` }]);
      this.#store.db.prepare(
        `UPDATE activities SET title = ?, description = ?, organiser = ?, starts_at = ?, ends_at = ?, place = ?, grid_id = ?,
                capacity = ?, skills_wanted = ?, points_per_hour = ?, updated_at = ? WHERE id = ?`,
      ).run(next.title, next.description, next.organiser, next.startsAt, next.endsAt, next.place, next.gridId, next.capacity,
        JSON.stringify(next.skillsWanted), next.pointsPerHour, now, a.id);
      const fields = Object.keys(body).filter((k) => k !== 'expectedUpdatedAt');
      this.#store.entry(ctx, p, now, 'activity.updated', 'activity', a.id, { fields });
      return next;
    });
  }

  /** An activity of the principal's community; a 404 for one of another. */
  get(p: Principal, id: number): ActivityRecord {
    return this.#store.activity(p, id);
  }

  /** Places taken: signed up, checked in or checked out. */
  taken(activityId: number): number {
    return this.#store.taken(activityId);
  }

  /** Newest first; the cursor is the id of the last activity of the previous page. */
  list(p: Principal, q: ListActivitiesQuery): Page<ActivityRecord> {
    authorise(p, STAFF, 'see activities');
    const { where, params } = this.#filter(p, q);
    params.limit = q.limit + 1;
    if (q.from) (where.push('starts_at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('starts_at < @to'), (params.to = Date.parse(q.to)));
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#store.db.prepare(`SELECT * FROM activities WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(activityFromRow), q.limit);
  }

  /** Every activity the export's filters name, soonest first (a ledger: at most 100,000). */
  all(p: Principal, q: ActivitiesExportQuery): ActivityRecord[] {
    authorise(p, STAFF, 'see activities');
    const { where, params } = this.#filter(p, q);
    return this.#store.db.prepare(`SELECT * FROM activities WHERE ${where.join(' AND ')} ORDER BY starts_at, id LIMIT 100000`)
      .all(params).map(activityFromRow);
  }

  /** The WHERE of the list and its export: status, when (upcoming / today / past, local days) and words. */
  #filter(p: Principal, q: Pick<ListActivitiesQuery, 'status' | 'when' | 'q'> & { from?: string; to?: string }) {
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.when) {
      const now = this.#now();
      params.now = now;
      if (q.when === 'upcoming') where.push('starts_at > @now');
      else if (q.when === 'past') where.push('ends_at <= @now');
      else {
        const day = startOfLocalDay(now, this.#dir.timeZoneOf(p.communityId));
        // Tomorrow's midnight: a day later, snapped (a day may be 23 or 25 hours long).
        const next = startOfLocalDay(day + 26 * 3_600_000, this.#dir.timeZoneOf(p.communityId));
        where.push('starts_at < @dayEnd AND ends_at > @dayStart');
        Object.assign(params, { dayStart: day, dayEnd: next });
      }
    }
    if (q.q) {
      where.push("(title LIKE @q ESCAPE '\\' OR place LIKE @q ESCAPE '\\' OR organiser LIKE @q ESCAPE '\\')");
      params.q = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    return { where, params };
  }
}
