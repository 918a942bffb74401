/**
 * A volunteer on their own phone (`/me`): their open activities, sign-up and cancellation, a
 * check-in by the activity's QR code, their hours, points, redemptions and certificates. The
 * principal is a `volunteer` account and every call acts on its own volunteer record
 * (`Principal.volunteerId`) — no call takes a volunteer id, so there is none to swap for
 * another's. Activities are the volunteer's community's; another's is a 404.
 *
 * The writes are the staff desk's (server/volunteers/signups.ts) with the same rules — an
 * open activity not yet ended, a free place, an active volunteer, check-in from an hour before
 * the start until the end — written here as the volunteer's own, with the same journal
 * entries, so every desk and the wall hear them alike.
 *
 * A check-in by code signs the volunteer up first when they are not (and a place is free), in
 * the same write: the QR code at the desk is for whoever came. A second scan of the same code
 * answers the check-in there is. A phone that kept a check-in while offline sends it later with
 * its `Idempotency-Key` and the scan time; the key is stored with the check-in in one write, so a
 * retry finds it and is answered the same check-in, and the same key with another body is a 422.
 */
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import { DomainError, notFound } from '../errors.ts';
import { authorise, invalidField } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { maskName } from '../../shared/mask.ts';
import { isoInZone } from '../../shared/time.ts';
import { CHECK_IN_OPENS_BEFORE_MS } from '../../shared/volunteers.ts';
import { CHECK_IN_BACKDATE_MS, CHECK_IN_TRUSTED_MS, type MeActivity, type MeCheckInAnswer, type MeCheckInBody, type MeProfile } from '../../shared/me.ts';
import { SELF } from './access.ts';
import {
  activityFromRow, redemptionFromRow, serviceRecordFromRow, signupFromRow, viewActivity, viewLedgerLine, viewRedemption,
  viewServiceRecord, viewSignup, volunteerFromRow, type ActivityRecord, type SignupRecord, type VolunteerRecord,
} from './record.ts';
import { requireActive, type VolunteerParts, type VolunteerStore } from './store.ts';
import type { WriteContext } from '../db/write-queue.ts';

/** How many rows a list on the phone shows (newest first): a phone page, not a ledger. */
const LIST_LIMIT = 50;

function prepare(db: VolunteerStore['db']) {
  return {
    open: db.prepare(
      `SELECT * FROM activities WHERE community_id = ? AND status = 'open' AND ends_at > ? ORDER BY starts_at, id LIMIT ${LIST_LIMIT}`,
    ),
    mine: db.prepare(
      `SELECT a.* FROM activities a JOIN activity_signups s ON s.activity_id = a.id
        WHERE s.volunteer_id = ? AND s.status IN ('signed_up', 'checked_in') AND a.ends_at > ? ORDER BY a.starts_at LIMIT ${LIST_LIMIT}`,
    ),
    mySignups: db.prepare('SELECT * FROM activity_signups WHERE volunteer_id = ?'),
    byCode: db.prepare('SELECT * FROM activities WHERE check_in_code = ?'),
    key: db.prepare('SELECT body, signup_id FROM me_check_in_keys WHERE volunteer_id = ? AND key = ?'),
    insertKey: db.prepare('INSERT INTO me_check_in_keys (volunteer_id, key, body, signup_id, at) VALUES (?, ?, ?, ?, ?)'),
    records: db.prepare(
      `SELECT r.*, v.name AS volunteer_name, a.title AS activity_title FROM service_records r
         JOIN volunteers v ON v.id = r.volunteer_id JOIN activities a ON a.id = r.activity_id
        WHERE r.volunteer_id = ? ORDER BY r.id DESC LIMIT ${LIST_LIMIT}`,
    ),
    redemptions: db.prepare(
      `SELECT r.*, i.name AS item_name FROM redemptions r JOIN exchange_items i ON i.id = r.item_id
        WHERE r.volunteer_id = ? ORDER BY r.id DESC LIMIT ${LIST_LIMIT}`,
    ),
  };
}

/** The volunteer's own page: reads and writes about their own record only. */
export class MeService {
  #store: VolunteerStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;
  #stmt: ReturnType<typeof prepare>;

  constructor(parts: VolunteerParts) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#dir = parts.directory;
    this.#now = parts.now;
    this.#stmt = prepare(parts.store.db);
  }

  /** Who they are, their balance and their totals. */
  profile(p: Principal): MeProfile {
    const v = this.#self(p);
    const t = this.#store.stmt.totals.get({ v: v.id }) as { hours: number; records: number };
    const { ledger } = this.#store;
    return { volunteerId: v.id, name: v.name, username: p.id, timeZone: this.#tz(p), balance: ledger.balance(ledger.findVolunteerAccount(v.id)), hours: t.hours, records: t.records };
  }

  /** Open activities that have not ended, and those they are signed up for, each with their part in it. */
  activities(p: Principal): MeActivity[] {
    const v = this.#self(p);
    const now = this.#now();
    const tz = this.#tz(p);
    const mine = new Map((this.#stmt.mySignups.all(v.id).map(signupFromRow)).map((s) => [s.activityId, s]));
    const rows = new Map<number, ActivityRecord>();
    for (const r of [...this.#stmt.mine.all(v.id, now), ...this.#stmt.open.all(p.communityId, now)]) {
      const a = activityFromRow(r);
      if (a.communityId === p.communityId) rows.set(a.id, a);
    }
    return [...rows.values()].sort((a, b) => a.startsAt - b.startsAt || a.id - b.id).map((a) => {
      const s = mine.get(a.id);
      return { ...viewActivity(a, this.#store.taken(a.id), tz), mine: s?.status ?? null, checkedInAt: s?.checkedInAt ? isoInZone(s.checkedInAt, tz) : null };
    });
  }

  /** Sign up for an open activity (the desk's rules: open, not ended, a free place, an active volunteer). */
  async signUp(p: Principal, activityId: number): Promise<SignupRecord> {
    const v = this.#self(p);
    return this.#queue.runAs(p, (ctx) => {
      const a = this.#activity(p, activityId);
      return this.#signUp(ctx, p, a, this.#fresh(v), this.#now());
    });
  }

  /** Withdraw their sign-up before check-in. */
  async cancel(p: Principal, activityId: number): Promise<SignupRecord> {
    const v = this.#self(p);
    return this.#queue.runAs(p, (ctx) => {
      const a = this.#activity(p, activityId);
      const s = this.#store.signupRow(a.id, v.id);
      if (!s) throw new DomainError(409, 'error.not_signed_up', `you are not signed up for activity ${a.id}`);
      if (s.status !== 'signed_up') {
        throw new DomainError(409, 'error.transition_not_allowed', `the sign-up is ${s.status}; only a sign-up not checked in may be cancelled`, undefined, { status: s.status });
      }
      this.#store.stmt.signupStatus.run('cancelled', s.id);
      this.#store.entry(ctx, p, this.#now(), 'volunteer.signup_cancelled', 'signup', s.id, { activityId: a.id, volunteerId: v.id, status: 'cancelled' }, s.status);
      return { ...s, status: 'cancelled' };
    });
  }

  /**
   * Check in by the activity's code (see the file's comment): signs up first when needed; a
   * second scan, or a retry under the same `key`, answers the check-in there is.
   */
  async checkIn(p: Principal, body: MeCheckInBody, key: string | null): Promise<MeCheckInAnswer> {
    const v = this.#self(p);
    const tz = this.#tz(p);
    const sent = JSON.stringify({ code: body.code, at: body.at ?? null });
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const row = this.#stmt.byCode.get(body.code) as { community_id: string } | undefined;
      if (!row || row.community_id !== p.communityId) throw notFound(`activity with check-in code ${body.code}`);
      const a = activityFromRow(row);
      if (key !== null) {
        const kept = this.#stmt.key.get(v.id, key) as { body: string; signup_id: number } | undefined;
        if (kept) {
          if (kept.body !== sent) {
            throw new DomainError(422, 'error.idempotency_key_reused', 'this Idempotency-Key was sent before with another body',
              [{ field: 'Idempotency-Key', problem: 'was used for another check-in' }]);
          }
          const s = signupFromRow(this.#store.stmt.signupById.get(kept.signup_id));
          return { activity: viewActivity(a, this.#store.taken(a.id), tz), signup: viewSignup(s, tz), replayed: true };
        }
      }
      const claimed = body.at === undefined ? now : Date.parse(body.at);
      if (claimed > now + 60_000) invalidField('at', 'is in the future');
      if (claimed < now - CHECK_IN_BACKDATE_MS) invalidField('at', 'is more than 6 hours ago');
      // The phone's own time is trusted only a little way back (a retry on a poor network): hours
      // are paid from a time the server can vouch for. A check-in kept longer (offline for an
      // hour, or a clock set back) counts from when it arrived; the phone's time stays in the
      // journal, and the coordinator corrects the record (更正: missed check-in) if it was true.
      // (never past the activity's end: a scan during it that arrives late still counts, to the end at most)
      const at = Math.min(Math.max(claimed, now - CHECK_IN_TRUSTED_MS), a.endsAt);
      const me = this.#fresh(v);
      let s = this.#store.signupRow(a.id, me.id);
      let replayed = false;
      if (s && (s.status === 'checked_in' || s.status === 'checked_out')) {
        replayed = true;
      } else {
        if (!s || s.status === 'cancelled') s = this.#signUp(ctx, p, a, me, now);
        if (s.status !== 'signed_up') {
          throw new DomainError(409, 'error.transition_not_allowed', `the sign-up is ${s.status}`, undefined, { status: s.status });
        }
        if (a.status !== 'open' && a.status !== 'closed') {
          throw new DomainError(409, 'error.activity_not_open', `the activity is ${a.status}`, undefined, { status: a.status });
        }
        // The window is judged on when the phone scanned; the time credited is `at`.
        if (claimed < a.startsAt - CHECK_IN_OPENS_BEFORE_MS || claimed > a.endsAt) {
          throw new DomainError(409, 'error.outside_activity_time', 'check-in opens an hour before the activity starts and closes when it ends',
            undefined, { startsAt: a.startsAt, endsAt: a.endsAt });
        }
        this.#store.stmt.checkIn.run(at, s.id);
        this.#store.entry(ctx, p, now, 'volunteer.checked_in', 'signup', s.id, { activityId: a.id, volunteerId: me.id, status: 'checked_in', at, by: 'self', ...(claimed < at ? { claimedAt: claimed } : {}) }, s.status,
          { subject: 'volunteer', key: 'feed.volunteer.checked_in', params: { name: maskName(me.name) ?? '', title: feedText(a.title, [me.name]) }, gridId: a.gridId });
        s = { ...s, status: 'checked_in', checkedInAt: at };
      }
      if (key !== null) {
        this.#stmt.insertKey.run(me.id, key, sent, s.id, now);
        ctx.changed();
      }
      return { activity: viewActivity(a, this.#store.taken(a.id), tz), signup: viewSignup(s, tz), replayed };
    });
  }

  /** Their service records (the basis of their certificates), newest first. */
  records(p: Principal) {
    const v = this.#self(p);
    const tz = this.#tz(p);
    return this.#stmt.records.all(v.id).map((r) => viewServiceRecord(serviceRecordFromRow(r), tz));
  }

  /** Their points: the balance and the ledger's last lines. */
  points(p: Principal) {
    const v = this.#self(p);
    const tz = this.#tz(p);
    const { ledger } = this.#store;
    const account = ledger.findVolunteerAccount(v.id);
    return { balance: ledger.balance(account), items: ledger.history(account, { limit: LIST_LIMIT }).items.map((l) => viewLedgerLine(l, tz)) };
  }

  /** What they took from the exchange, newest first. */
  redemptions(p: Principal) {
    const v = this.#self(p);
    const tz = this.#tz(p);
    return this.#stmt.redemptions.all(v.id).map((r) => viewRedemption(redemptionFromRow(r), tz));
  }

  /** The desk's sign-up, inside the caller's write. */
  #signUp(ctx: WriteContext<SubjectChange>, p: Principal, a: ActivityRecord, v: VolunteerRecord, now: number): SignupRecord {
    const { stmt } = this.#store;
    if (a.status !== 'open' || now >= a.endsAt) {
      throw new DomainError(409, 'error.activity_not_open', a.status !== 'open' ? `the activity is ${a.status}, not taking sign-ups` : 'the activity has ended',
        undefined, { status: a.status });
    }
    requireActive(v);
    const existing = this.#store.signupRow(a.id, v.id);
    if (existing && existing.status !== 'cancelled') {
      throw new DomainError(409, 'error.already_signed_up', `you are already signed up (${existing.status})`, undefined, { signupId: existing.id, status: existing.status });
    }
    const taken = this.#store.taken(a.id);
    if (taken >= a.capacity) throw new DomainError(409, 'error.activity_full', `all ${a.capacity} places are taken`, undefined, { capacity: a.capacity, taken });
    let id: number;
    if (existing) (stmt.resignup.run(now, existing.id), (id = existing.id));
    else id = Number(stmt.insertSignup.run(a.id, v.id, now).lastInsertRowid);
    this.#store.entry(ctx, p, now, 'volunteer.signed_up', 'signup', id, { activityId: a.id, volunteerId: v.id, status: 'signed_up', by: 'self' }, existing?.status ?? null);
    return signupFromRow(stmt.signupById.get(id));
  }

  /** The principal's own volunteer record: only a volunteer's account has one (403 otherwise). */
  #self(p: Principal): VolunteerRecord {
    authorise(p, SELF, 'use a volunteer’s own page');
    if (p.volunteerId === undefined) throw new DomainError(403, 'error.forbidden', 'this account names no volunteer record');
    const row = this.#store.stmt.volunteer.get(p.volunteerId) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) throw new DomainError(403, 'error.forbidden', 'this account names no volunteer record');
    return volunteerFromRow(row);
  }

  /** The volunteer as they are now, inside a write. */
  /** The volunteer as they are now; a paused or departed volunteer signs up and checks in no more (409), as at the desk. */
  #fresh(v: VolunteerRecord): VolunteerRecord {
    const now = this.#store.volunteerRow(v.id);
    requireActive(now);
    return now;
  }

  /** An activity of the volunteer's community, or a 404. */
  #activity(p: Principal, id: number): ActivityRecord {
    const row = this.#store.stmt.activity.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) throw notFound(`activity ${id}`);
    return activityFromRow(row);
  }

  #tz(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }
}
