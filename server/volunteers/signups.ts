/**
 * Taking part in an activity: sign-up, cancellation, no-show, check-in and check-out. The
 * check-out is where service is counted: its hours become a service record with a certificate
 * number and its points are issued, in the same write as the check-out itself. Because the
 * queue runs writes one after another, a free place checked inside a write is still free when
 * it commits: concurrent sign-ups cannot overfill an activity.
 */
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { DomainError } from '../errors.ts';
import { authorise, instantFrom, invalidField } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { maskName } from '../../shared/mask.ts';
import { wallTime } from '../../shared/time.ts';
import {
  CHECK_IN_OPENS_BEFORE_MS, certificateNumber, creditedHours, pointsFor,
  normaliseCardCode, type CheckInBody, type CheckOutBody, type ParticipationBody, type SignupStatus,
} from '../../shared/volunteers.ts';
import { MANAGE, ON_SITE } from './access.ts';
import { serviceRecordFromRow, signupFromRow, volunteerFromRow, type ServiceRecord, type SignupRecord, type VolunteerRecord } from './record.ts';
import { ATTENDANCE_SQL, type AttendanceLine } from './activity-sheets.ts';
import { requireActive, type VolunteerParts, type VolunteerStore } from './store.ts';

/** What a check-out produced. */
export interface CheckOutResult {
  signup: SignupRecord;
  /** The volunteer was checked out already: this is that check-out, and nothing was written. */
  repeated?: true;
  /** Null when the participation earned no hours (under half an hour inside the activity's window). */
  record: ServiceRecord | null;
  balance: number;
}

/** Sign-ups: a volunteer's part in one activity, from sign-up to check-out. */
export class SignupService {
  #store: VolunteerStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #metrics: Metrics;
  #now: () => number;

  constructor(parts: VolunteerParts) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#dir = parts.directory;
    this.#metrics = parts.metrics;
    this.#now = parts.now;
  }

  /** An activity's sign-ups with each volunteer's name, phone, card code and status: the desk's list. */
  deskList(p: Principal, activityId: number): Record<string, unknown>[] {
    this.#store.activity(p, activityId);
    return this.#store.stmt.deskSignups.all(activityId) as Record<string, unknown>[];
  }

  /**
   * Volunteers to sign up for an activity, found by a card code, or by words of a name or digits
   * of a phone: the active ones of the community, at most 20, with their sign-up's status if any.
   */
  candidates(p: Principal, activityId: number, q: string): { volunteer: VolunteerRecord; signup: SignupStatus | null }[] {
    authorise(p, ON_SITE, 'sign volunteers up');
    const a = this.#store.activity(p, activityId);
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.#store.db.prepare(
      `SELECT v.*, s.status AS signup_status FROM volunteers v
         LEFT JOIN activity_signups s ON s.activity_id = @activity AND s.volunteer_id = v.id
        WHERE v.community_id = @community AND v.status = 'active'
          AND (v.card_code = @code OR v.name LIKE @like ESCAPE '\\' OR v.phone LIKE @like ESCAPE '\\')
        ORDER BY v.card_code = @code DESC, v.name LIMIT 20`,
    ).all({ activity: a.id, community: p.communityId, code: normaliseCardCode(q) ?? '', like }) as Record<string, unknown>[];
    return rows.map((r) => ({ volunteer: volunteerFromRow(r), signup: (r.signup_status as SignupStatus | null) ?? null }));
  }

  /** An activity's sign-ups for its attendance sheet, with what each check-out earned. */
  attendance(p: Principal, activityId: number, status: SignupStatus | null): AttendanceLine[] {
    this.#store.activity(p, activityId);
    return this.#store.db.prepare(ATTENDANCE_SQL).all({ activity: activityId, status }) as AttendanceLine[];
  }

  /** An activity's sign-ups, in the order they came. */
  list(p: Principal, activityId: number): SignupRecord[] {
    this.#store.activity(p, activityId);
    return this.#store.stmt.signupsOf.all(activityId).map(signupFromRow);
  }

  /**
   * Sign a volunteer up for an open activity that has not ended. Refused (409) when it is full,
   * when they are signed up already, or when they are not active. A cancelled sign-up may
   * sign up again.
   */
  async signUp(p: Principal, activityId: number, body: ParticipationBody): Promise<SignupRecord> {
    authorise(p, ON_SITE, 'sign volunteers up');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt } = this.#store;
      const a = this.#store.activity(p, activityId);
      const v = this.#store.volunteer(p, body.volunteerId);
      if (a.status !== 'open') {
        throw new DomainError(409, 'error.activity_not_open', `the activity is ${a.status}, not taking sign-ups`, undefined, { status: a.status });
      }
      if (now >= a.endsAt) {
        throw new DomainError(409, 'error.activity_not_open', 'the activity has ended', undefined, { status: a.status });
      }
      requireActive(v);
      const existing = this.#store.signupRow(a.id, v.id);
      if (existing && existing.status !== 'cancelled') {
        throw new DomainError(409, 'error.already_signed_up', `volunteer ${v.id} is already signed up (${existing.status})`,
          undefined, { signupId: existing.id, status: existing.status });
      }
      const taken = this.#store.taken(a.id);
      if (taken >= a.capacity) {
        throw new DomainError(409, 'error.activity_full', `all ${a.capacity} places are taken`, undefined, { capacity: a.capacity, taken });
      }
      let id: number;
      if (existing) {
        stmt.resignup.run(now, existing.id);
        id = existing.id;
      } else {
        id = Number(stmt.insertSignup.run(a.id, v.id, now).lastInsertRowid);
      }
      this.#store.entry(ctx, p, now, 'volunteer.signed_up', 'signup', id, { activityId: a.id, volunteerId: v.id, status: 'signed_up' },
        existing?.status ?? null);
      return signupFromRow(stmt.signupById.get(id));
    });
  }

  /** Withdraw a sign-up before check-in; the place is free again. */
  async cancel(p: Principal, activityId: number, body: ParticipationBody): Promise<SignupRecord> {
    authorise(p, ON_SITE, 'cancel sign-ups');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { s } = this.#participation(p, activityId, body.volunteerId, ['signed_up']);
      this.#store.stmt.signupStatus.run('cancelled', s.id);
      this.#store.entry(ctx, p, now, 'volunteer.signup_cancelled', 'signup', s.id, { activityId, volunteerId: s.volunteerId, status: 'cancelled' }, s.status);
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
      this.#store.stmt.signupStatus.run('no_show', s.id);
      this.#store.entry(ctx, p, now, 'volunteer.no_show', 'signup', s.id, { activityId, volunteerId: s.volunteerId, status: 'no_show' }, s.status);
      return { ...s, status: 'no_show' };
    });
  }

  /**
   * Check a signed-up volunteer in, now or at `body.at`. Check-in opens an hour before the
   * activity starts and closes when it ends.
   */
  async checkIn(p: Principal, activityId: number, body: CheckInBody): Promise<SignupRecord & { repeated?: true }> {
    authorise(p, ON_SITE, 'check volunteers in');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const at = instantFrom('at', body.at, now);
      const { a, v, s } = this.#participation(p, activityId, body.volunteerId, ['signed_up', 'checked_in']);
      // A retried check-in (a double Enter, a scanner reading twice, a second table) applies once:
      // the answer is the check-in that stands, and nothing is written.
      if (s.status === 'checked_in') return { ...s, repeated: true };
      if (a.status !== 'open' && a.status !== 'closed') {
        throw new DomainError(409, 'error.activity_not_open', `the activity is ${a.status}`, undefined, { status: a.status });
      }
      requireActive(v);
      if (at < a.startsAt - CHECK_IN_OPENS_BEFORE_MS || at > a.endsAt) {
        throw new DomainError(409, 'error.outside_activity_time',
          'check-in opens an hour before the activity starts and closes when it ends', undefined,
          { startsAt: a.startsAt, endsAt: a.endsAt });
      }
      this.#store.stmt.checkIn.run(at, s.id);
      this.#store.entry(ctx, p, now, 'volunteer.checked_in', 'signup', s.id, { activityId, volunteerId: v.id, status: 'checked_in', at }, s.status,
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
      const { stmt, ledger } = this.#store;
      const at = instantFrom('at', body.at, now);
      const { a, v, s } = this.#participation(p, activityId, body.volunteerId, ['checked_in', 'checked_out']);
      if (s.status === 'checked_out') {
        const row = stmt.recordOfSignup.get(s.id);
        return { signup: s, record: row ? serviceRecordFromRow(row) : null, balance: ledger.balance(ledger.volunteerAccount(p.communityId, v.id, now)), repeated: true };
      }
      if (at < s.checkedInAt!) invalidField('at', 'is before the check-in');
      stmt.checkOut.run(at, s.id);
      const hours = creditedHours(s.checkedInAt!, at, a.startsAt, a.endsAt);
      const points = pointsFor(hours, a.pointsPerHour);
      let record: ServiceRecord | null = null;
      const account = ledger.volunteerAccount(p.communityId, v.id, now);
      if (hours > 0) {
        const tz = this.#dir.timeZoneOf(p.communityId);
        const id = (stmt.nextRecordId.get() as { n: number }).n;
        const certificateNo = certificateNumber(wallTime(now, tz).year, id);
        let txnId: number | null = null;
        if (points > 0) {
          txnId = ledger.post({
            communityId: p.communityId, kind: 'earn', at: now, actor: p.id, memo: `${certificateNo} ${a.title}`,
            legs: [
              { accountId: ledger.systemAccount(p.communityId, 'issuance', now), amount: -points },
              { accountId: account, amount: points },
            ],
          });
        }
        const content = body.content ?? a.title;
        stmt.insertRecord.run(id, p.communityId, v.id, a.id, s.id, hours, points, content, certificateNo, now,
          a.organiser, p.id, txnId);
        record = {
          id, communityId: p.communityId, volunteerId: v.id, volunteerName: v.name, activityId: a.id, activityTitle: a.title,
          signupId: s.id, hours, points, content, certificateNo, issuedAt: now, issuer: a.organiser, recordedBy: p.id, txnId,
        };
      }
      if (hours > 0) this.#metrics.bump(p.communityId, now, 'volunteer', a.gridId, { services: 1, serviceMinutes: Math.round(hours * 60) });
      this.#store.entry(ctx, p, now, 'volunteer.checked_out', 'signup', s.id,
        { activityId, volunteerId: v.id, status: 'checked_out', at, hours, certificateNo: record?.certificateNo ?? null }, s.status,
        { subject: 'volunteer', key: hours > 0 ? 'feed.volunteer.served' : 'feed.volunteer.checked_out',
          params: { name: maskName(v.name) ?? '', title: feedText(a.title, [v.name]), hours, points }, gridId: a.gridId });
      if (record?.txnId) {
        this.#store.entry(ctx, p, now, 'points.issued', 'points_txn', record.txnId, { volunteerId: v.id, points, certificateNo: record.certificateNo });
      }
      return { signup: { ...s, status: 'checked_out', checkedOutAt: at }, record, balance: ledger.balance(account) };
    });
  }

  /** The activity, the volunteer and their sign-up, which must be in one of `statuses`. */
  #participation(p: Principal, activityId: number, volunteerId: number, statuses: SignupRecord['status'][]) {
    const a = this.#store.activity(p, activityId);
    const v = this.#store.volunteer(p, volunteerId);
    const s = this.#store.signupRow(a.id, v.id);
    if (!s) throw new DomainError(409, 'error.not_signed_up', `volunteer ${v.id} is not signed up for activity ${a.id}`);
    if (!statuses.includes(s.status)) {
      throw new DomainError(409, 'error.transition_not_allowed',
        `the sign-up is ${s.status}; this needs ${statuses.join(' or ')}`, undefined, { status: s.status });
    }
    return { a, v, s };
  }
}
