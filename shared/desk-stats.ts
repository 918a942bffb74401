/**
 * The desk's numbers (运行看板): the centre's live figures over a period, as the console's
 * "Desk numbers" page shows them (`GET /api/v1/events/stats`). Every figure carries `cases`:
 * the query of `GET /api/v1/events` that lists exactly the cases behind it, so a number on the
 * page opens its list. Most are filters on the event's own columns (`at=resolved&from&to&onTime=false`);
 * the returns, which are lines of the case's history, name their cases by id (at most
 * `MAX_CASE_IDS`; `more` says a figure has more cases than its list names).
 *
 * Periods: `today` is since local midnight; `7d` and `30d` are today and the 6 or 29 local days
 * before it. Percentiles are exact, by nearest rank: p50 of n sorted durations is the ⌈0.5·n⌉-th.
 */
import { z } from 'zod';
import { SOURCES } from './taxonomy.ts';

export const STATS_PERIODS = ['today', '7d', '30d'] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];
export const PERIOD_DAYS: Record<StatsPeriod, number> = { today: 1, '7d': 7, '30d': 30 };

/** The most case ids a figure's list names (the case list's `ids` takes as many). */
export const MAX_CASE_IDS = 500;

export const deskStatsQuery = z
  .object({
    period: z.enum(STATS_PERIODS, { message: `must be one of ${STATS_PERIODS.join(', ')}` }).default('today'),
    /** One grid's numbers only. */
    grid: z.string().min(1).max(64).optional(),
  })
  .strict();
export type DeskStatsQuery = z.infer<typeof deskStatsQuery>;

/** A query of `GET /events` (every value a string, as in an address). */
const cases = z.record(z.string(), z.string());

const count = z.number().int().nonnegative();

/** A duration figure: how many were measured, p50 and p90 in milliseconds (null when none). */
const durationFigure = z.strictObject({ n: count, p50Ms: z.number().nonnegative().nullable(), p90Ms: z.number().nonnegative().nullable(), cases });

/** Resolved in the period, on time of those: for the centre, one grid or one worker. */
const onTimeFigure = z.strictObject({
  resolved: count, onTime: count, rate: z.number().min(0).max(1).nullable(), cases, lateCases: cases,
});

/** The return actions counted: 退单 (reject), 回退 (send_back), 退回 (return). */
export const RETURN_ACTIONS = ['reject', 'send_back', 'return'] as const;
export type ReturnAction = (typeof RETURN_ACTIONS)[number];

/** How many times a case was passed on this way, and the cases (distinct) it happened to. */
const returnFigure = z.strictObject({ times: count, cases, caseCount: count, more: z.boolean() });

export const deskStatsAnswer = z.strictObject({
  period: z.enum(STATS_PERIODS),
  grid: z.string().nullable(),
  /** The period's bounds: from its first local midnight to the moment of the answer. */
  from: z.string(),
  to: z.string(),
  /** Reports since local midnight, whatever the period. */
  intake: z.strictObject({
    total: count, cases,
    bySource: z.array(z.strictObject({ source: z.enum(SOURCES), n: count, cases })),
    byCategory: z.array(z.strictObject({ category: z.string(), n: count, cases })),
  }),
  /** 受理: report → accepted; 派遣: accepted → first dispatch; 签收: last dispatch → signed for. */
  durations: z.strictObject({ accept: durationFigure, dispatch: durationFigure, sign: durationFigure }),
  onTime: z.strictObject({
    all: onTimeFigure,
    byGrid: z.array(onTimeFigure.extend({ gridId: z.string() })),
    byWorker: z.array(onTimeFigure.extend({ workerId: z.string(), name: z.string() })),
  }),
  returns: z.strictObject({
    byReason: z.array(returnFigure.extend({ action: z.enum(RETURN_ACTIONS), reason: z.string() })),
    byGrid: z.array(returnFigure.extend({ gridId: z.string().nullable(), action: z.enum(RETURN_ACTIONS) })),
    byWorker: z.array(returnFigure.extend({ workerId: z.string(), name: z.string(), action: z.enum(RETURN_ACTIONS) })),
  }),
  /** Open cases past their running deadline now. */
  overdue: z.strictObject({ n: count, cases }),
  /** 回访: call-backs made in the period, the mean score and how many gave each score. */
  satisfaction: z.strictObject({
    n: count, mean: z.number().nullable(), cases,
    byScore: z.array(z.strictObject({ score: z.number().int().min(1).max(5), n: count, cases })),
  }),
});
export type DeskStats = z.infer<typeof deskStatsAnswer>;
export type CasesQuery = Record<string, string>;

/** The nearest-rank percentile `p` (0–100) of `sorted` (ascending); null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
