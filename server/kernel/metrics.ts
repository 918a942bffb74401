/**
 * Service metrics (服务指标): hourly rollups per community, subject and grid (table
 * metrics_hourly). A service writes its deltas in the same transaction as the change, so the
 * rollups never disagree with the records; the wall's daily, monthly and 30-day figures are sums
 * of at most 31 × 24 rows per subject and grid.
 */
import type { Db } from '../db/index.ts';
import { hourOf } from '../../shared/time.ts';
import type { SubjectKind } from '../../shared/subjects.ts';

export interface MetricDeltas {
  services?: number;
  beneficiaries?: number;
  serviceMinutes?: number;
  /** A rating (1–5) to add: sat_sum += it, sat_n += 1. */
  satisfaction?: number;
  /** A response time to add (ms from a need raised to it being met). */
  responseMs?: number;
  needsRaised?: number;
  needsMet?: number;
  raisedCents?: number;
  disbursedCents?: number;
}

export const METRIC_COLUMNS = [
  'services', 'beneficiaries', 'service_minutes', 'sat_sum', 'sat_n', 'response_ms', 'response_n',
  'needs_raised', 'needs_met', 'raised_cents', 'disbursed_cents',
] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];
export type MetricTotals = Record<MetricColumn, number>;

export const zeroTotals = (): MetricTotals =>
  Object.fromEntries(METRIC_COLUMNS.map((c) => [c, 0])) as MetricTotals;

export class Metrics {
  #upsert;
  #sum;
  #byGroup;

  constructor(db: Db) {
    const cols = METRIC_COLUMNS.join(', ');
    this.#upsert = db.prepare(
      `INSERT INTO metrics_hourly (community_id, hour, subject, grid_id, ${cols})
       VALUES (@community, @hour, @subject, @grid, ${METRIC_COLUMNS.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (community_id, hour, subject, grid_id) DO UPDATE SET
       ${METRIC_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    );
    const sums = METRIC_COLUMNS.map((c) => `COALESCE(SUM(${c}), 0) AS ${c}`).join(', ');
    this.#sum = db.prepare(`SELECT ${sums} FROM metrics_hourly WHERE community_id = ? AND hour >= ? AND hour < ?`);
    this.#byGroup = {
      subject: db.prepare(`SELECT subject AS k, ${sums} FROM metrics_hourly WHERE community_id = ? AND hour >= ? AND hour < ? GROUP BY subject`),
      grid: db.prepare(`SELECT grid_id AS k, ${sums} FROM metrics_hourly WHERE community_id = ? AND hour >= ? AND hour < ? GROUP BY grid_id`),
      hour: db.prepare(`SELECT hour AS k, ${sums} FROM metrics_hourly WHERE community_id = ? AND hour >= ? AND hour < ? GROUP BY hour`),
      subjectGrid: db.prepare(
        `SELECT subject, grid_id, ${sums} FROM metrics_hourly WHERE community_id = ? AND hour >= ? AND hour < ? GROUP BY subject, grid_id`,
      ),
    };
  }

  /** Add deltas at instant `at`. Call inside the write that makes the change. */
  bump(communityId: string, at: number, subject: SubjectKind, gridId: string | null, d: MetricDeltas) {
    this.#upsert.run({
      community: communityId, hour: hourOf(at), subject, grid: gridId ?? '',
      services: d.services ?? 0,
      beneficiaries: d.beneficiaries ?? 0,
      service_minutes: d.serviceMinutes ?? 0,
      sat_sum: d.satisfaction ?? 0,
      sat_n: d.satisfaction === undefined ? 0 : 1,
      response_ms: d.responseMs ?? 0,
      response_n: d.responseMs === undefined ? 0 : 1,
      needs_raised: d.needsRaised ?? 0,
      needs_met: d.needsMet ?? 0,
      raised_cents: d.raisedCents ?? 0,
      disbursed_cents: d.disbursedCents ?? 0,
    });
  }

  /** Totals over hours in [from, to). */
  total(communityId: string, from: number, to: number): MetricTotals {
    return this.#sum.get(communityId, hourOf(from), to) as MetricTotals;
  }

  /**
   * Totals over [from, to) by subject and by grid ('' = none), from one pass over the window
   * (the five-subject views need both; a few dozen (subject, grid) rows are summed here).
   */
  bySubjectAndGrid(communityId: string, from: number, to: number): { subject: Map<string, MetricTotals>; grid: Map<string, MetricTotals> } {
    const rows = this.#byGroup.subjectGrid.all(communityId, hourOf(from), to) as (MetricTotals & { subject: string; grid_id: string })[];
    const subject = new Map<string, MetricTotals>();
    const grid = new Map<string, MetricTotals>();
    const add = (into: Map<string, MetricTotals>, k: string, t: MetricTotals) => {
      const sum = into.get(k) ?? zeroTotals();
      for (const c of METRIC_COLUMNS) sum[c] += t[c];
      into.set(k, sum);
    };
    for (const { subject: s, grid_id: g, ...t } of rows) {
      add(subject, s, t as MetricTotals);
      add(grid, g, t as MetricTotals);
    }
    return { subject, grid };
  }

  /** Totals over [from, to) grouped by subject, grid ('' = none) or hour start. */
  by(group: 'subject' | 'grid' | 'hour', communityId: string, from: number, to: number): Map<string | number, MetricTotals> {
    const rows = this.#byGroup[group].all(communityId, hourOf(from), to) as (MetricTotals & { k: string | number })[];
    return new Map(rows.map(({ k, ...t }) => [k, t as MetricTotals]));
  }
}

