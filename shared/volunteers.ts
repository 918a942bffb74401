/**
 * Volunteer service (志愿服务): the ledger's vocabulary, the rule that turns hours into points,
 * and the zod schemas for every body and query of `/api/v1/volunteers`, `/activities`,
 * `/points` and `/exchange`. Pure: used by the server, the forms and the tests alike.
 *
 * Long on purpose: it is the contract of one subject, its vocabulary and one zod schema per body
 * and query, which the server, the forms and the tests share; splitting it would scatter the API.
 */
import { z } from 'zod';
import { calendarDate, instant } from './schemas.ts';
import { multiLineText, singleLineText } from './text.ts';
import { offsetMinutes, startOfLocalDay, wallTime } from './time.ts';

export const VOLUNTEER_STATUSES = ['active', 'paused', 'left'] as const;
export type VolunteerStatus = (typeof VOLUNTEER_STATUSES)[number];

/**
 * planned: a draft, not yet taking sign-ups · open: taking sign-ups · closed: sign-ups closed,
 * the activity runs (check-in and check-out still work) · cancelled: called off, its sign-ups
 * are cancelled with it.
 */
export const ACTIVITY_STATUSES = ['planned', 'open', 'closed', 'cancelled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

/** Where an activity may go from each status. Cancelled is final. */
export const ACTIVITY_TRANSITIONS: Record<ActivityStatus, readonly ActivityStatus[]> = {
  planned: ['open', 'cancelled'],
  open: ['closed', 'cancelled'],
  closed: ['open', 'cancelled'],
  cancelled: [],
};

export const SIGNUP_STATUSES = ['signed_up', 'checked_in', 'checked_out', 'cancelled', 'no_show'] as const;
export type SignupStatus = (typeof SIGNUP_STATUSES)[number];

/** Sign-ups that hold a place: capacity counts these. */
export const PLACE_HOLDING: readonly SignupStatus[] = ['signed_up', 'checked_in', 'checked_out'];

/** The kinds of points account: one per volunteer, and per community the source and the sink. */
export const ACCOUNT_KINDS = ['volunteer', 'issuance', 'redemption'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** Why points moved: earned by a service record, spent in the exchange. */
export const TXN_KINDS = ['earn', 'redeem'] as const;
export type TxnKind = (typeof TXN_KINDS)[number];

/** What the journal says about the volunteer ledger (grid events have their own types). */
export type VolunteerEntryType =
  | 'volunteer.registered'
  | 'volunteer.status_changed'
  | 'volunteer.updated'
  | 'volunteer.team_created'
  | 'activity.created'
  | 'activity.status_changed'
  | 'activity.updated'
  | 'volunteer.signed_up'
  | 'volunteer.signup_cancelled'
  | 'volunteer.no_show'
  | 'volunteer.checked_in'
  | 'volunteer.checked_out'
  | 'points.issued'
  | 'points.redeemed'
  | 'exchange.item_added'
  | 'exchange.restocked'
  | 'exchange.item_changed'
  | 'exchange.stock_moved'
  | 'volunteer.service_corrected'
  | 'volunteer.certificate_issued';

/** The entities those entries name (journal.entity). */
export type VolunteerEntity = 'volunteer' | 'team' | 'activity' | 'signup' | 'points_txn' | 'exchange_item';

// ---- the points rule --------------------------------------------------------------------

/** Points per hour of service unless the activity or the configuration says otherwise (1 h = 10). */
export const DEFAULT_POINTS_PER_HOUR = 10;
/** Service hours are counted in whole half hours. */
export const HOURS_STEP = 0.5;
/** Check-in opens this long before an activity starts (volunteers arrive early to set up). */
export const CHECK_IN_OPENS_BEFORE_MS = 3_600_000;
/** The longest activity: a day. A programme over several days is one activity per day. */
export const MAX_ACTIVITY_MS = 24 * 3_600_000;

const HOUR_MS = 3_600_000;
const STEP_MS = HOURS_STEP * HOUR_MS;

/**
 * Service hours between two instants: the time between them rounded DOWN to a whole half hour
 * (不足半小时不计, as community volunteer registers count it). Zero if `to` is not after `from`.
 *
 * @example hoursBetween(t, t + 2h 29min) === 2; hoursBetween(t, t + 2h 30min) === 2.5
 */
export function hoursBetween(from: number, to: number): number {
  if (!(to > from)) return 0;
  return (Math.floor((to - from) / STEP_MS) * STEP_MS) / HOUR_MS;
}

/**
 * The hours a participation earns: the time from check-in to check-out that falls inside the
 * activity's planned window (arriving early or staying late is not counted; the organiser
 * plans the window), rounded down to a whole half hour. An activity lasts at most a day,
 * so a forgotten check-out cannot run up more than that.
 *
 * @example activity 09:00–12:00, in 08:40, out 11:50 → 09:00–11:50 = 2 h 50 min → 2.5 h
 */
export function creditedHours(checkIn: number, checkOut: number, startsAt: number, endsAt: number): number {
  return hoursBetween(Math.max(checkIn, startsAt), Math.min(checkOut, endsAt));
}

/**
 * THE POINTS RULE. Points = service hours × the activity's points per hour, rounded down to a
 * whole point; hours are counted in half hours (see `creditedHours`). The rate is set per
 * activity and defaults to the configured community rate, `POINTS_PER_HOUR` (10: 1 h = 10
 * points, 2.5 h = 25 points). Points are whole numbers: the ledger holds integers only.
 */
export function pointsFor(hours: number, pointsPerHour: number = DEFAULT_POINTS_PER_HOUR): number {
  if (!(hours > 0) || !(pointsPerHour > 0)) return 0;
  // Hours are multiples of 0.5, so hours × 2 is exact; integer arithmetic avoids 0.1-style error.
  return Math.floor((Math.round(hours * 2) * pointsPerHour) / 2);
}

/**
 * A service certificate's number: `ZYFW-<year issued, local>-<record id, 6 digits>`
 * (志愿服务), e.g. `ZYFW-2026-000123`. The record id is unique, so the number is.
 */
export function certificateNumber(year: number, recordId: number): string {
  return `ZYFW-${year}-${String(recordId).padStart(6, '0')}`;
}

// ---- resident ID numbers ----------------------------------------------------------------

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** An 18-character resident ID number (GB 11643) whose check character is right. */
export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === id[17];
}

/** 330106199001011234 → 330106********1234: staff see enough to tell two people apart. */
export function maskIdNumber(id: string | null): string | null {
  return id ? `${id.slice(0, 6)}${'*'.repeat(Math.max(0, id.length - 10))}${id.slice(-4)}` : null;
}

// ---- months -------------------------------------------------------------------------------

/** `2026-03` for the month `ms` falls in, in `timeZone`. */
export function monthOf(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone);
  return `${w.year}-${String(w.month).padStart(2, '0')}`;
}

/** The instants [start, end) of a local calendar month `YYYY-MM` in `timeZone`. */
export function monthRange(month: string, timeZone: string): { start: number; end: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const localMidnight = (year: number, mon: number) => {
    const utc = Date.UTC(year, mon - 1, 1);
    // A guess within the offset's reach of the local midnight, then snapped to it.
    return startOfLocalDay(utc - offsetMinutes(utc, timeZone) * 60_000 + 2 * HOUR_MS, timeZone);
  };
  return { start: localMidnight(y, m), end: m === 12 ? localMidnight(y + 1, 1) : localMidnight(y, m + 1) };
}

// ---- schemas ----------------------------------------------------------------------------

const required = (max: number) => singleLineText(max).min(1, 'required');
const id = z.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive');
const phone = z.string().trim().regex(/^[0-9+\- ]{5,20}$/, 'must be a phone number');
const skills = z
  .array(required(20), { message: 'must be a list of skills' })
  .max(20, 'at most 20 skills')
  .transform((list) => [...new Set(list)]);
const digits = z.string().regex(/^\d{1,12}$/, 'must be an id');
const cursor = z.string().regex(/^\d+$/, 'is not a cursor from a previous page').optional();
const pageLimit = z.coerce.number().int().min(1).max(500).default(50);
const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2026-03');

const hhmm = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day like 08:30');

/**
 * When someone can serve: ISO weekdays (1 = Monday … 7 = Sunday) and a daily window in the
 * community's local time. Matching needs to resources reads it.
 */
export const availability = z
  .object({
    days: z
      .array(z.number().int('must be whole numbers').min(1, 'weekdays are 1 (Monday) to 7 (Sunday)').max(7, 'weekdays are 1 (Monday) to 7 (Sunday)'))
      .min(1, 'at least one day')
      .max(7, 'at most 7 days')
      .transform((d) => [...new Set(d)].sort()),
    from: hhmm,
    to: hhmm,
  })
  .strict()
  .refine((a) => a.from < a.to, { message: 'must end after it starts', path: ['to'] });
export type Availability = z.infer<typeof availability>;

export const registerVolunteerBody = z
  .object({
    name: required(40),
    phone,
    /** Resident ID number (居民身份证号), optional; one registration per ID in a community. */
    idNumber: z
      .string()
      .trim()
      .toUpperCase()
      .refine(isValidIdNumber, 'must be an 18-character resident ID number with a valid check digit')
      .optional(),
    skills: skills.default([]),
    teamId: id.optional(),
    availability: availability.optional(),
    /** The grid (网格) they live in or serve, if given. */
    gridId: z.string().min(1, 'required').max(40).optional(),
  })
  .strict();
export type RegisterVolunteerBody = z.infer<typeof registerVolunteerBody>;

/** Change a volunteer's profile: any of phone, skills, team (null: none) and availability (null: not given). */
export const updateVolunteerBody = z
  .object({
    phone: phone.optional(),
    skills: skills.optional(),
    teamId: id.nullable().optional(),
    availability: availability.nullable().optional(),
    gridId: z.string().min(1, 'required').max(40).nullable().optional(),
    /** The `version` the form was opened at: a change meanwhile is a 409 naming who made it. */
    expectedVersion: z.number({ message: 'must be a number' }).int('must be a whole number').nonnegative().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== 'expectedVersion'), { message: 'name at least one of phone, skills, teamId, availability, gridId' });
export type UpdateVolunteerBody = z.infer<typeof updateVolunteerBody>;

export const volunteerStatusBody = z
  .object({ status: z.enum(VOLUNTEER_STATUSES), note: multiLineText(500).optional() })
  .strict();
export type VolunteerStatusBody = z.infer<typeof volunteerStatusBody>;

export const createTeamBody = z.object({ name: required(40) }).strict();
export type CreateTeamBody = z.infer<typeof createTeamBody>;

export const createActivityBody = z
  .object({
    title: required(80),
    description: multiLineText(2000).default(''),
    organiser: required(80),
    startsAt: instant,
    endsAt: instant,
    place: required(200),
    gridId: z.string().min(1).optional(),
    capacity: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(10_000, 'at most 10000'),
    skillsWanted: skills.default([]),
    /** Defaults to the community rate (POINTS_PER_HOUR). */
    pointsPerHour: z.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(1000).optional(),
    /** `planned` keeps it as a draft; `open` takes sign-ups at once. */
    status: z.enum(['planned', 'open']).default('open'),
  })
  .strict()
  .superRefine((v, ctx) => {
    const starts = Date.parse(v.startsAt);
    const ends = Date.parse(v.endsAt);
    if (!(ends > starts)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
    else if (ends - starts > MAX_ACTIVITY_MS) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'an activity lasts at most 24 hours; make one per day' });
    }
  });
export type CreateActivityBody = z.infer<typeof createActivityBody>;

export const activityStatusBody = z
  .object({ status: z.enum(['open', 'closed', 'cancelled']), note: multiLineText(500).optional() })
  .strict();
export type ActivityStatusBody = z.infer<typeof activityStatusBody>;

/** Sign up, cancel a sign-up, mark a no-show. */
export const participationBody = z.object({ volunteerId: id }).strict();
export type ParticipationBody = z.infer<typeof participationBody>;

export const checkInBody = z
  .object({
    volunteerId: id,
    /** When it happened, if not now (a coordinator entering a paper sign-in sheet). */
    at: instant.optional(),
  })
  .strict();
export type CheckInBody = z.infer<typeof checkInBody>;

export const checkOutBody = z
  .object({
    volunteerId: id,
    at: instant.optional(),
    /** What was done, for the certificate; defaults to the activity's title. */
    content: multiLineText(500).min(1, 'must not be blank').optional(),
  })
  .strict();
export type CheckOutBody = z.infer<typeof checkOutBody>;

export const createExchangeItemBody = z
  .object({
    name: required(60),
    description: multiLineText(500).default(''),
    pointsCost: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(1_000_000),
    stock: z.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').max(1_000_000),
  })
  .strict();
export type CreateExchangeItemBody = z.infer<typeof createExchangeItemBody>;

export const restockBody = z
  .object({ quantity: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(1_000_000) })
  .strict();
export type RestockBody = z.infer<typeof restockBody>;

export const redeemBody = z
  .object({
    volunteerId: id,
    itemId: id,
    quantity: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(100, 'at most 100').default(1),
  })
  .strict();
export type RedeemBody = z.infer<typeof redeemBody>;

export const listVolunteersQuery = z
  .object({
    status: z.enum(VOLUNTEER_STATUSES).optional(),
    team: digits.transform(Number).optional(),
    skill: z.string().min(1).max(20).optional(),
    /** Part of a name or a phone number. */
    q: z.string().trim().max(40, 'at most 40 characters').optional(),
    grid: z.string().min(1).max(40).optional(),
    /** Available on this ISO weekday (1 = Monday … 7 = Sunday). */
    day: z.coerce.number({ message: 'must be a weekday 1-7' }).int('must be a weekday 1-7').min(1, 'must be a weekday 1-7').max(7, 'must be a weekday 1-7').optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListVolunteersQuery = z.infer<typeof listVolunteersQuery>;

/** upcoming: not started yet · today: starts today (local) · past: ended. */
export const ACTIVITY_WHEN = ['upcoming', 'today', 'past'] as const;
export type ActivityWhen = (typeof ACTIVITY_WHEN)[number];

export const listActivitiesQuery = z
  .object({
    status: z.enum(ACTIVITY_STATUSES).optional(),
    when: z.enum(ACTIVITY_WHEN, { message: `must be one of ${ACTIVITY_WHEN.join(', ')}` }).optional(),
    /** Words in the title, place or organiser. */
    q: z.string().trim().min(1, 'must not be blank').max(80, 'at most 80 characters').optional(),
    /** Activities starting at or after this instant. */
    from: instant.optional(),
    to: instant.optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListActivitiesQuery = z.infer<typeof listActivitiesQuery>;

export const pageQuery = z.object({ limit: pageLimit, cursor }).strict();
export type PageQuery = z.infer<typeof pageQuery>;

export const listRedemptionsQuery = z
  .object({ volunteer: digits.transform(Number).optional(), limit: pageLimit, cursor })
  .strict();
export type ListRedemptionsQuery = z.infer<typeof listRedemptionsQuery>;

export const leaderboardQuery = z
  .object({
    /** The local month, `YYYY-MM`; this month when absent. */
    month: month.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(10),
  })
  .strict();
export type LeaderboardQuery = z.infer<typeof leaderboardQuery>;

// ---- what the API answers ------------------------------------------------------------------

export interface VolunteerView {
  id: number;
  name: string;
  phone: string;
  /** Masked even for staff (330106********1234); the full number is never sent. */
  idNumber: string | null;
  skills: string[];
  teamId: number | null;
  availability: Availability | null;
  status: VolunteerStatus;
  registeredAt: string;
  balance: number;
  gridId: string | null;
  /** Counts the volunteer's changes: what a form sends back as `expectedVersion`. */
  version: number;
  /** The card code (志愿者证号) the check-in desk scans. */
  cardCode: string | null;
}

export interface ActivityView {
  id: number;
  title: string;
  description: string;
  organiser: string;
  startsAt: string;
  endsAt: string;
  place: string;
  gridId: string | null;
  capacity: number;
  /** Places taken (signed up, checked in or out). */
  taken: number;
  skillsWanted: string[];
  pointsPerHour: number;
  status: ActivityStatus;
  createdAt: string;
  /** The version an edit sends back (`expectedUpdatedAt`): a change meanwhile is a 409. */
  updatedAt: string;
}

/** A sign-up with whose it is, for the activity's desk (`GET /activities/:id/signups`, an audited read). */
export interface DeskSignupView extends SignupView {
  volunteerName: string;
  volunteerPhone: string;
  cardCode: string | null;
  volunteerStatus: VolunteerStatus;
}

export interface SignupView {
  id: number;
  activityId: number;
  volunteerId: number;
  status: SignupStatus;
  signedUpAt: string;
  checkedInAt: string | null;
  checkedOutAt: string | null;
}

/** The basis of a printable service-hours certificate (志愿服务证明). */
export interface ServiceRecordView {
  id: number;
  certificateNo: string;
  volunteerId: number;
  volunteerName: string;
  activityId: number;
  activityTitle: string;
  hours: number;
  points: number;
  content: string;
  issuer: string;
  issuedAt: string;
}

export interface LedgerLineView {
  entryId: number;
  txnId: number;
  kind: TxnKind;
  amount: number;
  balanceAfter: number;
  memo: string | null;
  at: string;
}

export interface ExchangeItemView {
  id: number;
  name: string;
  description: string;
  pointsCost: number;
  stock: number;
}

export interface RedemptionView {
  id: number;
  volunteerId: number;
  itemId: number;
  itemName: string;
  quantity: number;
  points: number;
  at: string;
}

export interface LeaderboardRow {
  volunteerId: number;
  name: string;
  hours: number;
  points: number;
  records: number;
}

/** Where an activity's QR code sends a volunteer's phone: their page's check-in with the activity's code. */
export const checkInPath = (code: string): string => `/me/check-in/${encodeURIComponent(code)}`;

// ---- the exchange desk (积分超市工作台, issue 13) ---------------------------------------------

/**
 * Why an item's stock moved other than by a redemption: stock in (bought, donated) or a
 * correction (a count that differed, damaged, expired, lost, other). A movement is journalled
 * with its reason and note; a stock number is never edited.
 */
export const STOCK_REASONS = ['purchase', 'donation', 'count', 'damaged', 'expired', 'lost', 'other'] as const;
export type StockReason = (typeof STOCK_REASONS)[number];
/** Reasons that only add stock. */
export const STOCK_IN_REASONS: readonly StockReason[] = ['purchase', 'donation'];

export const stockMoveBody = z
  .object({
    /** Added (positive) or taken off (negative); never zero. */
    quantity: z.number({ message: 'must be a number' }).int('must be a whole number').min(-1_000_000).max(1_000_000)
      .refine((n) => n !== 0, 'must not be zero'),
    reason: z.enum(STOCK_REASONS, { message: `must be one of ${STOCK_REASONS.join(', ')}` }),
    note: multiLineText(200).default(''),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (STOCK_IN_REASONS.includes(v.reason) && v.quantity < 0) ctx.addIssue({ code: 'custom', path: ['quantity'], message: `must be positive for ${v.reason}` });
    if (v.reason === 'other' && !v.note.trim()) ctx.addIssue({ code: 'custom', path: ['note'], message: 'required when the reason is other' });
  });
export type StockMoveBody = z.infer<typeof stockMoveBody>;

export const updateExchangeItemBody = z
  .object({
    name: required(60).optional(),
    description: multiLineText(500).optional(),
    pointsCost: createExchangeItemBody.shape.pointsCost.optional(),
    /** The item's version when the form opened: a change meanwhile is a 409 naming who and when. */
    version: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1'),
  })
  .strict();
export type UpdateExchangeItemBody = z.infer<typeof updateExchangeItemBody>;

/** At most this many different items on one receipt. */
export const MAX_RECEIPT_LINES = 20;

export const checkoutBody = z
  .object({
    volunteerId: id,
    lines: z
      .array(z.object({ itemId: id, quantity: redeemBody.shape.quantity.removeDefault() }).strict(), { message: 'must be a list' })
      .min(1, 'at least one item')
      .max(MAX_RECEIPT_LINES, `at most ${MAX_RECEIPT_LINES} items`)
      .refine((ls) => new Set(ls.map((l) => l.itemId)).size === ls.length, 'names an item twice'),
  })
  .strict();
export type CheckoutBody = z.infer<typeof checkoutBody>;

/** A local day, `YYYY-MM-DD`. */
const day = calendarDate;

export const listReceiptsQuery = z
  .object({
    /** The local day the receipts were issued on (first and last); both absent: every day. */
    from: day.optional(),
    to: day.optional(),
    volunteer: digits.transform(Number).optional(),
    limit: pageLimit,
    cursor,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.to < v.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  });
export type ListReceiptsQuery = z.infer<typeof listReceiptsQuery>;

const formatField = z.enum(['csv', 'xlsx'], { message: 'must be one of csv, xlsx' });
const langField = z.enum(['zh-CN', 'en'], { message: 'must be one of zh-CN, en' }).optional();

export const receiptsExportQuery = z
  .object({ format: formatField, lang: langField, from: day.optional(), to: day.optional(), volunteer: digits.transform(Number).optional() })
  .strict();
export type ReceiptsExportQuery = z.infer<typeof receiptsExportQuery>;

export const itemsExportQuery = z.object({ format: formatField, lang: langField }).strict();
export type ItemsExportQuery = z.infer<typeof itemsExportQuery>;

export const findVolunteerQuery = z
  .object({ q: singleLineText(40).min(1, 'required') })
  .strict();
export type FindVolunteerQuery = z.infer<typeof findVolunteerQuery>;

export interface ExchangeItemDeskView extends ExchangeItemView {
  version: number;
  changedBy: string | null;
  changedAt: string | null;
}

export interface StockMoveView {
  id: number;
  itemId: number;
  reason: StockReason;
  quantity: number;
  stockAfter: number;
  note: string;
  by: string;
  byName: string;
  at: string;
}

export interface ReceiptLineView {
  itemId: number;
  itemName: string;
  quantity: number;
  unitPoints: number;
  points: number;
}

export interface ReceiptView {
  id: number;
  receiptNo: string;
  volunteerId: number;
  volunteerName: string;
  points: number;
  balanceAfter: number;
  cashier: string;
  cashierName: string;
  at: string;
  lines: ReceiptLineView[];
}

export interface CashierVolunteerView {
  id: number;
  name: string;
  phone: string;
  status: VolunteerStatus;
  balance: number;
}

// ---- the coordinator's desk: corrections, certificates, exports (issue 13) ----------------

/** Why a service record is corrected; `other` needs a note. */
export const CORRECTION_REASONS = ['late_check_out', 'early_leave', 'missed_check_in', 'wrong_activity', 'duplicate', 'other'] as const;
export type CorrectionReason = (typeof CORRECTION_REASONS)[number];

/**
 * A correction of a service record (更正): a NEW entry adding or taking away hours (in half
 * hours) and points, naming the record it corrects and why. The record itself is never changed.
 */
export const correctionBody = z
  .object({
    recordId: id,
    hours: z
      .number({ message: 'must be a number' })
      .min(-24, 'at least -24')
      .max(24, 'at most 24')
      .refine((h) => Number.isInteger(h * 2), 'must be in half hours (0.5, -1, 1.5 …)'),
    points: z.number({ message: 'must be a number' }).int('must be a whole number').min(-10_000).max(10_000).default(0),
    reason: z.enum(CORRECTION_REASONS, { message: `must be one of ${CORRECTION_REASONS.join(', ')}` }),
    note: multiLineText(500).default(''),
    expectedVersion: z.number({ message: 'must be a number' }).int('must be a whole number').nonnegative().optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.hours === 0 && b.points === 0) ctx.addIssue({ code: 'custom', path: ['hours'], message: 'a correction changes hours or points' });
    if (b.reason === 'other' && !b.note.trim()) ctx.addIssue({ code: 'custom', path: ['note'], message: 'required when the reason is other' });
  });
export type CorrectionBody = z.infer<typeof correctionBody>;

/** Issue a service-hours certificate (志愿服务证明) over the local days [from, to], both included. */
export const issueCertificateBody = z
  .object({ from: day, to: day })
  .strict()
  .refine((b) => b.from <= b.to, { message: 'must not be before from', path: ['to'] });
export type IssueCertificateBody = z.infer<typeof issueCertificateBody>;

/** A period certificate's number: `ZYZM-<year>-<6 digits>` (志愿证明); a record's is ZYFW. */
export function periodCertificateNumber(year: number, id: number): string {
  return `ZYZM-${year}-${String(id).padStart(6, '0')}`;
}

/** What a certificate number looks like (a record's ZYFW or a period's ZYZM). */
export const CERTIFICATE_NO = /^ZY(?:FW|ZM)-\d{4}-\d{6,}$/;

export const volunteerExportQuery = listVolunteersQuery
  .omit({ limit: true, cursor: true })
  .extend({
    format: z.enum(['csv', 'xlsx'], { message: 'must be one of csv, xlsx' }),
    lang: z.enum(['zh-CN', 'en'], { message: 'must be one of zh-CN, en' }).optional(),
  })
  .strict();
export type VolunteerExportQuery = z.infer<typeof volunteerExportQuery>;

export const recordsExportQuery = z
  .object({
    format: z.enum(['csv', 'xlsx'], { message: 'must be one of csv, xlsx' }),
    lang: z.enum(['zh-CN', 'en'], { message: 'must be one of zh-CN, en' }).optional(),
  })
  .strict();
export type RecordsExportQuery = z.infer<typeof recordsExportQuery>;

export interface CorrectionView {
  id: number;
  recordId: number;
  certificateNo: string;
  hours: number;
  points: number;
  reason: CorrectionReason;
  note: string;
  at: string;
  actor: string;
  actorName: string;
}

/** A line of a volunteer's service history: a record with its corrections and what it nets to. */
export interface HistoryRecordView extends ServiceRecordView {
  corrections: CorrectionView[];
  netHours: number;
  netPoints: number;
}

export interface CertificateLine {
  date: string;
  activity: string;
  content: string;
  hours: number;
}

/** A period certificate as staff print it. */
export interface CertificateView {
  certificateNo: string;
  volunteerId: number;
  volunteerName: string;
  idNumber: string | null;
  from: string;
  to: string;
  hours: number;
  lines: CertificateLine[];
  issuer: string;
  issuedAt: string;
}

/** What anyone may see of a certificate by its number: the name masked, no ID, no phone. */
export interface PublicCertificateView {
  certificateNo: string;
  name: string;
  hours: number;
  from: string | null;
  to: string | null;
  issuer: string;
  issuedAt: string;
}
// ---- the activities desk (issue 13) --------------------------------------------------------

/** A volunteer's card code (志愿者证号): 8 characters of the pairing alphabet (no 0/O, 1/I/L). */
export const CARD_CODE_LENGTH = 8;
export const CARD_CODE_PATTERN = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/;

/** A scanned or typed card code, upper-cased with spaces and dashes dropped; null if it cannot be one. */
export function normaliseCardCode(text: string): string | null {
  const code = text.toUpperCase().replace(/[\s-]/g, '');
  return CARD_CODE_PATTERN.test(code) ? code : null;
}

/**
 * Change an activity that has not finished: any of its fields, with the `updatedAt` read when the
 * form opened (a change meanwhile is a 409 `version_conflict`). A planned (draft) or open activity
 * may be changed; capacity may not fall under the places taken.
 */
export const updateActivityBody = z
  .object({
    expectedUpdatedAt: instant,
    title: required(80).optional(),
    description: multiLineText(2000).optional(),
    organiser: required(80).optional(),
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    place: required(200).optional(),
    gridId: z.string().min(1).nullable().optional(),
    capacity: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(10_000, 'at most 10000').optional(),
    skillsWanted: skills.optional(),
    pointsPerHour: z.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(1000).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 1, { message: 'name at least one field to change' });
export type UpdateActivityBody = z.infer<typeof updateActivityBody>;

/** Volunteers to sign up for an activity: a name, a phone or a card code. */
export const candidatesQuery = z
  .object({ q: z.string().trim().min(1, 'must not be blank').max(40, 'at most 40 characters') })
  .strict();

const exportFormat = z.enum(['csv', 'xlsx'], { message: 'must be one of csv, xlsx' });
const exportLang = z.enum(['zh-CN', 'en'], { message: 'must be one of zh-CN, en' }).optional();

/** `GET /activities/export`: the activities list with its filters, as CSV or XLSX. */
export const activitiesExportQuery = z
  .object({
    format: exportFormat,
    lang: exportLang,
    status: z.enum(ACTIVITY_STATUSES, { message: `must be one of ${ACTIVITY_STATUSES.join(', ')}` }).optional(),
    when: z.enum(ACTIVITY_WHEN, { message: `must be one of ${ACTIVITY_WHEN.join(', ')}` }).optional(),
    q: z.string().trim().min(1, 'must not be blank').max(80, 'at most 80 characters').optional(),
  })
  .strict();
export type ActivitiesExportQuery = z.infer<typeof activitiesExportQuery>;

/** `GET /activities/:id/export`: an activity's sign-ups and attendance, optionally of one status. */
export const signupsExportQuery = z
  .object({
    format: exportFormat,
    lang: exportLang,
    status: z.enum(SIGNUP_STATUSES, { message: `must be one of ${SIGNUP_STATUSES.join(', ')}` }).optional(),
  })
  .strict();
export type SignupsExportQuery = z.infer<typeof signupsExportQuery>;

/** A check-in's answer: `repeated` when the volunteer was checked in already (a retried scan applies once). */
export interface CheckInAnswer {
  signup: SignupView;
  repeated: boolean;
}

/** Arrived after the start (a minute's grace) / left before the end: what the desk flags. */
export const LATE_GRACE_MS = 60_000;
export const isLate = (checkedInAt: number, startsAt: number): boolean => checkedInAt > startsAt + LATE_GRACE_MS;
export const isEarlyLeave = (checkedOutAt: number, endsAt: number): boolean => checkedOutAt < endsAt - LATE_GRACE_MS;
