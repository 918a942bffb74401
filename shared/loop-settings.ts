/**
 * The loop's settings (流程设置), kept as data per community by its admins: time limits per
 * category × urgency (dispatch in minutes; handling in calendar hours or in working days, as
 * 12345 desks count: consultation 1 working day, help 5, complaints 10), the community's
 * calendar (public holidays, and the weekend days worked in their place: 调休), the share of
 * a window left when the reminder (催办) goes out, whether closing a category's case needs
 * evidence, and how near and how recent a report must be to be suggested as a duplicate.
 *
 * A deadline is computed when its clock starts (acceptance for dispatch, the first dispatch for
 * handling) and stored on the event, so saved settings change new deadlines only.
 * `DEFAULT_LOOP_SETTINGS` is taxonomy's table: an install that never saves settings keeps it.
 *
 * The working-day maths is written here rather than taken from a library: the calendar is the
 * community's own data (a State Council holiday notice each year, with its 调休 Saturdays), which
 * no holiday package can know, and counting days over it is a short loop.
 */
import { z } from 'zod';
import type { LoopRules } from './lifecycle.ts';
import { CATEGORIES, CATEGORY_CODES, URGENCIES, timeLimitFor, type Urgency } from './taxonomy.ts';
import { offsetMinutes, wallTime } from './time.ts';
import { calendarDate } from './schemas.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export const HANDLE_UNITS = ['hours', 'working_days'] as const;
export type HandleUnit = (typeof HANDLE_UNITS)[number];

/** Bounds: a week to dispatch, 90 days of hours or 60 working days to handle, a year of calendar. */
export const LIMIT_BOUNDS = {
  dispatchMinutes: { min: 1, max: 7 * 24 * 60 },
  hours: { min: 1, max: 90 * 24 },
  working_days: { min: 1, max: 60 },
  radiusM: { min: 10, max: 5_000 },
  windowHours: { min: 1, max: 30 * 24 },
  remindAtRemaining: { min: 0.05, max: 0.9 },
  calendarDays: 400,
} as const;

const int = (min: number, max: number) => z.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

export const handleLimit = z.strictObject({
  amount: z.number().int('must be a whole number'),
  unit: z.enum(HANDLE_UNITS),
}).superRefine((v, ctx) => {
  const b = LIMIT_BOUNDS[v.unit];
  if (v.amount < b.min || v.amount > b.max) {
    ctx.addIssue({ code: 'custom', path: ['amount'], message: `must be from ${b.min} to ${b.max} ${v.unit === 'hours' ? 'hours' : 'working days'}` });
  }
});
export type HandleLimit = z.infer<typeof handleLimit>;

export const categoryLimit = z.strictObject({
  dispatchMinutes: int(LIMIT_BOUNDS.dispatchMinutes.min, LIMIT_BOUNDS.dispatchMinutes.max),
  handle: handleLimit,
});
export type CategoryLimit = z.infer<typeof categoryLimit>;

export const duplicateRuleSchema = z.strictObject({
  radiusM: int(LIMIT_BOUNDS.radiusM.min, LIMIT_BOUNDS.radiusM.max),
  windowHours: int(LIMIT_BOUNDS.windowHours.min, LIMIT_BOUNDS.windowHours.max),
});
export type DuplicateRule = z.infer<typeof duplicateRuleSchema>;


const dateList = z.array(calendarDate).max(LIMIT_BOUNDS.calendarDays, `at most ${LIMIT_BOUNDS.calendarDays} dates`)
  .refine((l) => new Set(l).size === l.length, 'lists a date twice');

/** Every category of the taxonomy, each holding `value`: strict, so none is missing and none unknown. */
const perCategory = <T extends z.ZodType>(value: T) =>
  z.strictObject(Object.fromEntries(CATEGORY_CODES.map((c) => [c, value])) as Record<string, T>);

const perUrgency = z.strictObject(Object.fromEntries(URGENCIES.map((u) => [u, categoryLimit])) as Record<Urgency, typeof categoryLimit>);

export const loopSettingsSchema = z.strictObject({
  /** Per category, per urgency. */
  limits: perCategory(perUrgency),
  /** The reminder (催办) goes out when this share of the running window is left (0.2: a fifth). */
  remindAtRemaining: z.number().min(LIMIT_BOUNDS.remindAtRemaining.min, 'must be at least 0.05 (5 %)').max(LIMIT_BOUNDS.remindAtRemaining.max, 'must be at most 0.9 (90 %)'),
  /** Closing needs evidence: a photo on the case (server/events/photos.ts), or the close is refused. */
  evidence: perCategory(z.boolean()),
  /** How near and how recent an open case must be to be suggested as the same matter. */
  duplicates: perCategory(duplicateRuleSchema),
  calendar: z.strictObject({
    /** Public holidays and other days off that fall on weekdays (or anywhere). */
    nonWorkingDays: dateList,
    /** Weekend days worked in place of a holiday (调休). */
    workingDays: dateList,
  }).superRefine((c, ctx) => {
    const off = new Set(c.nonWorkingDays);
    c.workingDays.forEach((d, i) => {
      if (off.has(d)) ctx.addIssue({ code: 'custom', path: ['workingDays', i], message: `${d} is also a non-working day` });
    });
  }),
});
export type LoopSettings = z.infer<typeof loopSettingsSchema>;

/** The body of a save: the whole settings, the version they were read at, and an optional note. */
export const saveLoopSettingsBody = loopSettingsSchema.extend({
  expectedVersion: z.number().int().min(0),
  note: z.string().trim().max(200, 'must be at most 200 characters').optional(),
});
export type SaveLoopSettingsBody = z.infer<typeof saveLoopSettingsBody>;

/** What closing needs evidence for out of the box: matters a photo of the spot proves fixed. */
const EVIDENCE_BY_DEFAULT: ReadonlySet<string> = new Set(['environment', 'facilities', 'fire']);

/** Duplicate search out of the box: a street's length for things on the street, a building's for one spot. */
const DUPLICATES_BY_DEFAULT: Record<string, DuplicateRule> = {
  environment: { radiusM: 100, windowHours: 72 },
  facilities: { radiusM: 50, windowHours: 168 },
  security: { radiusM: 200, windowHours: 24 },
  fire: { radiusM: 50, windowHours: 72 },
  dispute: { radiusM: 50, windowHours: 168 },
  livelihood: { radiusM: 100, windowHours: 72 },
  care: { radiusM: 30, windowHours: 168 },
  emergency: { radiusM: 300, windowHours: 6 },
};
const FALLBACK_DUPLICATES: DuplicateRule = { radiusM: 100, windowHours: 72 };

/** Taxonomy's table as settings: what runs until an admin saves others. */
export const DEFAULT_LOOP_SETTINGS: LoopSettings = Object.freeze({
  limits: Object.fromEntries(CATEGORIES.map((c) => [c.code, Object.fromEntries(URGENCIES.map((u) => {
    const l = timeLimitFor(c.code, u);
    return [u, { dispatchMinutes: l.dispatchMinutes, handle: { amount: l.handleHours, unit: 'hours' as const } }];
  }))])) as LoopSettings['limits'],
  remindAtRemaining: 0.2,
  evidence: Object.fromEntries(CATEGORIES.map((c) => [c.code, EVIDENCE_BY_DEFAULT.has(c.code)])),
  duplicates: Object.fromEntries(CATEGORIES.map((c) => [c.code, DUPLICATES_BY_DEFAULT[c.code] ?? FALLBACK_DUPLICATES])),
  calendar: { nonWorkingDays: [], workingDays: [] },
});

/**
 * How near and how recent an open case of `category` must be to suggest it as the same matter
 * (the duplicate suggestions at triage read this).
 *
 * @example duplicateRule(settings, 'environment') // { radiusM: 100, windowHours: 72 }
 */
export function duplicateRule(settings: LoopSettings, category: string): { radiusM: number; windowHours: number } {
  const r = settings.duplicates[category] ?? FALLBACK_DUPLICATES;
  return { radiusM: r.radiusM, windowHours: r.windowHours };
}

/** Whether closing a case of `category` needs evidence: a photo on it (EventService refuses the close without). */
export const evidenceRequired = (settings: LoopSettings, category: string): boolean => settings.evidence[category] ?? false;

export interface WorkCalendar {
  nonWorkingDays: readonly string[];
  workingDays: readonly string[];
}

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Is the local day `date` (a UTC midnight standing for it) worked: an adjusted working day, or a weekday that is not a day off. */
function isWorkingDay(dayUtc: number, off: ReadonlySet<string>, on: ReadonlySet<string>): boolean {
  const d = ymd(dayUtc);
  if (on.has(d)) return true;
  if (off.has(d)) return false;
  const w = new Date(dayUtc).getUTCDay();
  return w !== 0 && w !== 6;
}

/** Whether the local day `YYYY-MM-DD` is a working day by `calendar`. */
export function isWorkingDate(date: string, calendar: WorkCalendar): boolean {
  return isWorkingDay(Date.parse(`${date}T00:00:00Z`), new Set(calendar.nonWorkingDays), new Set(calendar.workingDays));
}

/** The instant the wall clock in `tz` reads `local` (a UTC epoch standing for the local reading). */
function fromLocal(local: number, tz: string): number {
  // The offset at the guess corrects the guess made with the offset at the reading itself
  // (they differ only across a clock change); a reading the change skipped lands after it.
  const guess = local - offsetMinutes(local, tz) * MINUTE;
  return local - offsetMinutes(guess, tz) * MINUTE;
}

/**
 * When a handling clock started at `from` runs out: `limit.amount` calendar hours later, or
 * `limit.amount` working days later at the same local time in `tz`, stepping over weekends and
 * the calendar's non-working days and counting its adjusted working days. From a day off, the
 * first working day after it is day one (a report taken on Saturday with one working day is due
 * on Monday at the same time). Adding 0 is `from`.
 *
 * @example handleDueAt(fridayAt10, { amount: 1, unit: 'working_days' }, 'Asia/Shanghai', cal) // Monday 10:00
 */
export function handleDueAt(from: number, limit: HandleLimit, tz: string, calendar: WorkCalendar): number {
  if (limit.unit === 'hours') return from + limit.amount * HOUR;
  if (limit.amount <= 0) return from;
  const off = new Set(calendar.nonWorkingDays);
  const on = new Set(calendar.workingDays);
  const w = wallTime(from, tz);
  const ms = ((from % 1000) + 1000) % 1000;
  let day = Date.UTC(w.year, w.month - 1, w.day);
  const timeOfDay = ((w.hour * 60 + w.minute) * 60 + w.second) * 1000 + ms;
  // Bounded: every 7 days hold at least 5 working days but for the calendar's days off.
  const maxSteps = limit.amount * 7 + off.size + 14;
  for (let left = limit.amount, steps = 0; left > 0 && steps < maxSteps; steps++) {
    day += DAY;
    if (isWorkingDay(day, off, on)) left--;
  }
  return fromLocal(day + timeOfDay, tz);
}

/** A community's rules as the lifecycle and the deadline timer take them. */
export interface CommunityRules extends LoopRules {
  /** The reminder goes out when this share of the running window is left. */
  remindAtRemaining: number;
  /** How near in place and time a report must be to an open case to be suggested as its duplicate. */
  duplicateRule(category: string): DuplicateRule;
  /** Whether closing a case of `category` needs a photo on it. */
  evidenceRequired(category: string): boolean;
}

/** `settings` as the lifecycle's rules for a community in time zone `tz`. */
export function loopRules(settings: LoopSettings, tz: string): CommunityRules {
  const limit = (category: string, urgency: Urgency): CategoryLimit =>
    settings.limits[category]?.[urgency] ?? DEFAULT_LOOP_SETTINGS.limits[category]?.[urgency] ?? {
      dispatchMinutes: timeLimitFor(category, urgency).dispatchMinutes,
      handle: { amount: timeLimitFor(category, urgency).handleHours, unit: 'hours' },
    };
  return {
    remindAtRemaining: settings.remindAtRemaining,
    duplicateRule: (category) => duplicateRule(settings, category),
    evidenceRequired: (category) => evidenceRequired(settings, category),
    dispatchDueAt: (category, urgency, from) => from + limit(category, urgency).dispatchMinutes * MINUTE,
    handleDueAt: (category, urgency, from) => handleDueAt(from, limit(category, urgency).handle, tz, settings.calendar),
  };
}

/**
 * One change between two versions: a field path and its value before and after
 * (`limits.environment.normal.handle`: `{72 hours}` → `{1 working_days}`). For the calendar's
 * lists, `before` holds the dates taken out and `after` the dates put in.
 */
export interface SettingsChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** What changed from `before` to `after`, field by field, for a version's history line. */
export function settingsChanges(before: LoopSettings, after: LoopSettings): SettingsChange[] {
  const out: SettingsChange[] = [];
  const leaf = (v: unknown) => !v || typeof v !== 'object' || ('amount' in v && 'unit' in v);
  const walk = (a: unknown, b: unknown, path: string) => {
    if (Array.isArray(a) && Array.isArray(b)) {
      const removed = a.filter((x) => !b.includes(x));
      const added = b.filter((x) => !a.includes(x));
      if (removed.length || added.length) out.push({ path, before: removed, after: added });
      return;
    }
    if (!leaf(a) && !leaf(b)) {
      for (const k of new Set([...Object.keys(a as object), ...Object.keys(b as object)])) {
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, before: a ?? null, after: b ?? null });
  };
  walk(before, after, '');
  return out;
}

/** The settings with their calendar's dates sorted (what is stored and shown). */
export function normaliseSettings(s: LoopSettings): LoopSettings {
  return {
    ...s,
    calendar: { nonWorkingDays: [...s.calendar.nonWorkingDays].sort(), workingDays: [...s.calendar.workingDays].sort() },
  };
}

const settingsChange = z.object({ path: z.string(), before: z.unknown(), after: z.unknown() });

/** One version as the API answers it (version 0: the defaults, never saved: no time, nobody). */
export const loopSettingsVersion = z.object({
  version: z.number().int().min(0),
  at: z.string().nullable(),
  by: z.string().nullable(),
  byName: z.string().nullable(),
  settings: loopSettingsSchema,
  changes: z.array(settingsChange),
  note: z.string().nullable(),
});
export type LoopSettingsVersion = z.infer<typeof loopSettingsVersion>;

/** `GET /settings/loop/history`: the saved versions, newest first. */
export const loopSettingsHistory = z.object({ items: z.array(loopSettingsVersion) });
