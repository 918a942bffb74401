/**
 * When things happen in the demo, in the community's own time zone: the hours each kind of work
 * keeps, how many grid events are reported at each hour of the day, and how long each step of
 * an event's life takes. The seed (30 days of history) and the simulators (live) draw from these
 * same functions, so the live demo carries on at the pace and with the open-event count the
 * history left, whatever hour it is started.
 *
 * Why one model for both: the number of open events is the report rate times the time an event
 * stays open (Little's law). If the history and the simulator disagree on either, the map fills
 * or empties after start until the live figure has forgotten the seeded one (issue 10: handled
 * 60 times faster than reported, 151 open events fell to 6 in nine minutes).
 */
import type { Action, LifecycleState } from '../../shared/lifecycle.ts';
import { timeLimitFor, type Source } from '../../shared/taxonomy.ts';
import { HOUR_MS, startOfLocalDay, wallTime } from '../../shared/time.ts';

const MIN = 60_000;

/** Local hours of the day, `[from, to)`: 8.5 is 08:30. */
export type Hours = readonly [from: number, to: number];

/** The hours each kind of work keeps in the demo community (local time). */
export const HOURS = {
  /** The centre's desks: charity, the needs list, case work, coordinators publishing activities. */
  office: [8.5, 17.5],
  /** When social-work services are recorded: office hours and the early evening (groups, home visits). */
  services: [9.5, 20.5],
  /** Volunteers signing up on their phones. Activities keep their own hours (07:00–21:30). */
  volunteering: [7, 22],
  /** The 积分超市 counter, where points are spent. */
  exchange: [9, 17],
  /** Grid workers on the street: an ordinary event reported at night waits for the morning. */
  street: [7, 21],
  /** The centre's call-backs to residents (回访) for their satisfaction. */
  callBacks: [9, 20],
} as const satisfies Record<string, Hours>;

/** The local hour at `ms` as a fraction (10:30 is 10.5). */
export function localHour(ms: number, tz: string): number {
  const w = wallTime(ms, tz);
  return w.hour + w.minute / 60 + w.second / 3600;
}

export function withinHours(ms: number, h: Hours, tz: string): boolean {
  const x = localHour(ms, tz);
  return x >= h[0] && x < h[1];
}

/** `ms` if it falls within `h`, else the next opening. (Exact for whole-hour offsets, as "today" is.) */
export function nextOpening(ms: number, h: Hours, tz: string): number {
  const x = localHour(ms, tz);
  if (x >= h[0] && x < h[1]) return ms;
  const day = x < h[0] ? startOfLocalDay(ms, tz) : startOfLocalDay(startOfLocalDay(ms, tz) + 36 * HOUR_MS, tz);
  return day + h[0] * HOUR_MS;
}

/** The latest instant within `h` at or before `ms` (a moment before closing, when `ms` is after it). */
export function lastWithin(ms: number, h: Hours, tz: string): number {
  const x = localHour(ms, tz);
  if (x >= h[0] && x < h[1]) return ms;
  const day = x >= h[1] ? startOfLocalDay(ms, tz) : startOfLocalDay(startOfLocalDay(ms, tz) - 12 * HOUR_MS, tz);
  return day + h[1] * HOUR_MS - 1;
}

/**
 * The instant `ms` of working time after `from`, counting only the hours `h` of each local day:
 * what is left at closing time carries over to the next opening. A steady rate "per office hour"
 * is then a rate in office hours, and nothing falls at night.
 */
export function addWorkingTime(from: number, ms: number, h: Hours, tz: string): number {
  if (!Number.isFinite(ms)) return Infinity;
  let t = nextOpening(from, h, tz);
  let left = ms;
  for (;;) {
    const close = startOfLocalDay(t, tz) + h[1] * HOUR_MS;
    if (t + left < close) return t + left;
    left -= close - t;
    t = nextOpening(close, h, tz);
  }
}

// ---- grid events -------------------------------------------------------------------------------

/** Reports in each local hour, relative (3 at the busiest): quiet at night, busy mid-morning and afternoon. */
const HOURLY = [0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.5, 2.4, 3, 3, 2.4, 1.6, 1.8, 2.6, 2.8, 2.6, 2, 1.4, 1.2, 1, 0.8, 0.5, 0.3];
const HOURLY_SUM = HOURLY.reduce((a, b) => a + b, 0);

/** The share of the busiest hour's reports that come in the local hour of `ms` (1 at 09:00–11:00, 0.03 at 02:00). */
export const hourlyWeight = (ms: number, tz: string) => HOURLY[wallTime(ms, tz).hour]! / 3;

/** Reports an hour at `ms` for a community that gets `busiest` an hour at its busiest (SIM_RATE). */
export const reportRate = (busiest: number, ms: number, tz: string) => busiest * hourlyWeight(ms, tz);

/** Reports a day for `busiest` an hour at the busiest time: 10 → about 109. */
export const reportsPerDay = (busiest: number) => (busiest * HOURLY_SUM) / 3;

/** The busiest hour's rate that gives `perDay` reports a day. */
export const busiestRate = (perDay: number) => (perDay * 3) / HOURLY_SUM;

/** A draw from a Poisson distribution of mean `mean` (how many reports fall in a stretch of time). */
export function poisson(rand: () => number, mean: number): number {
  if (mean <= 0) return 0;
  // Knuth's method; a stretch so long that the mean is large is split, so exp() stays representable.
  if (mean > 30) return poisson(rand, mean / 2) + poisson(rand, mean / 2);
  const l = Math.exp(-mean);
  let k = 0;
  for (let p = rand(); p > l; p *= rand()) k++;
  return k;
}

const NOTES = {
  resolve: ['已现场处置完毕', '已联系物业整改到位', '已协调相关部门处理', '已上门走访并落实帮扶', '已清理完毕，现场恢复整洁'],
  reject: ['非本社区管辖范围', '重复上报', '经核实情况不属实'],
  /** The reason code of each rejection note above (shared/reasons.ts), in the same order. */
  rejectReason: ['not_community_matter', 'duplicate', 'false_report'],
  return: ['现场核查仍未整改到位'],
};

const pickOf = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** What a step needs to know of an event. */
export type PacedEvent = Pick<LifecycleState, 'status' | 'category' | 'urgency' | 'dispatchedAt' | 'signedAt'> & { source: Source };

/** An event's next step and when it happens. */
export interface EventStep {
  action: Action;
  at: number;
  note?: string;
  /** A reason code (shared/reasons.ts) for a rejection or a failed verification. */
  reason?: string;
  satisfaction?: number;
}

/**
 * The next step of an event that entered its status at `since`, and when: acceptance within
 * half an hour, dispatch inside the category's limit, handling that mostly finishes well inside
 * the handling limit while about one event in eight runs late (so reminders and overdue marks
 * happen on their own), verification within hours, a call-back the next day for most residents'
 * reports. The centre works round the clock; grid workers sign for a case at once and start and resolve an ordinary event in
 * street hours, and call-backs are made in the daytime. Null when nothing more will happen.
 */
export function nextEventStep(rand: () => number, e: PacedEvent, since: number, tz: string): EventStep | null {
  const limit = timeLimitFor(e.category, e.urgency);
  const onStreet = (at: number) =>
    e.urgency !== 'normal' || withinHours(at, HOURS.street, tz) ? at : nextOpening(at, HOURS.street, tz) + rand() * 90 * MIN;
  switch (e.status) {
    case 'reported': {
      const at = since + (2 + rand() * 25) * MIN;
      if (!(rand() < 0.05)) return { action: 'accept', at };
      const i = Math.floor(rand() * NOTES.reject.length);
      return { action: 'reject', at, note: NOTES.reject[i]!, reason: NOTES.rejectReason[i]! };
    }
    case 'accepted':
      return { action: 'dispatch', at: since + rand() * limit.dispatchMinutes * 1.1 * MIN };
    case 'returned':
      return { action: 'dispatch', at: since + (10 + rand() * 50) * MIN };
    case 'dispatched':
      // The worker signs for it (签收) within minutes, mostly well inside the two hours; then starts.
      return e.signedAt
        ? { action: 'start', at: onStreet(since + (5 + rand() * 40) * MIN) }
        : { action: 'sign', at: since + (2 + rand() * 25) * MIN };
    case 'in_progress': {
      // Most finish well inside the limit; about one in eight runs late.
      const share = rand() < 0.12 ? 1.05 + rand() * 0.8 : 0.1 + rand() * 0.8;
      const at = Math.max(since + 10 * MIN, (e.dispatchedAt ?? since) + share * limit.handleHours * HOUR_MS);
      return { action: 'resolve', at: onStreet(at), note: pickOf(rand, NOTES.resolve) };
    }
    case 'resolved':
      return rand() < 0.06
        ? { action: 'return', at: since + (1 + rand() * 4) * HOUR_MS, note: NOTES.return[0], reason: 'not_fixed' }
        : { action: 'close', at: since + (0.5 + rand() * 6) * HOUR_MS };
    case 'closed': {
      if (!(e.source === 'resident' || e.source === 'hotline' || rand() < 0.3)) return null;
      let at = since + (18 + rand() * 12) * HOUR_MS;
      if (!withinHours(at, HOURS.callBacks, tz)) at = nextOpening(at, HOURS.callBacks, tz) + rand() * 3 * HOUR_MS;
      const r = rand();
      return { action: 'review', at, satisfaction: r < 0.62 ? 5 : r < 0.88 ? 4 : r < 0.96 ? 3 : r < 0.99 ? 2 : 1 };
    }
    default:
      // Shelved, or finished: someone at the console decides.
      return null;
  }
}

/**
 * The next step of an event that entered its status at `since` and has not moved by `now`: drawn
 * from the same model as the history, kept only if it falls after `now` (the history's own draw
 * for that event did, or the event would have moved). So a simulator started at any hour carries
 * the seeded events on as the history would have: no burst of transitions at start, no stall.
 * An event stopped much longer than the model allows (the server was off) is taken up afresh.
 */
export function nextEventStepAfter(rand: () => number, e: PacedEvent, since: number, now: number, tz: string): EventStep | null {
  for (let i = 0; i < 40; i++) {
    const step = nextEventStep(rand, e, since, tz);
    if (step === null || step.at > now) return step;
  }
  return nextEventStep(rand, e, now, tz);
}
