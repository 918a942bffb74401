/**
 * What every subject's stats function gets: the database, the community and the instants that
 * bound "today", "this month" and "the last 30 days" in the community's time zone.
 */
import type { Db } from '../db/index.ts';
import type { Metrics } from './metrics.ts';

export interface StatsContext {
  /**
   * The database, for queries only: in the app a preparer that keeps every statement it made,
   * so a recompute does not prepare its few dozen statements again (docs/PERFORMANCE.md).
   */
  db: Pick<Db, 'prepare'>;
  metrics: Metrics;
  communityId: string;
  timeZone: string;
  now: number;
  /** Local midnight today. */
  today: number;
  /** Local midnight of the 1st of this month. */
  monthStart: number;
  /** now − 30 days. */
  windowStart: number;
  /** Local midnights of the last 30 days, oldest first (the last is `today`). */
  days: number[];
  /** An instant as ISO with the community's offset. */
  iso(ms: number): string;
  /** A local day as YYYY-MM-DD. */
  day(ms: number): string;
}

/** `db` for `StatsContext.db`: each statement is prepared on first use and kept. */
export function keptStatements(db: Db): StatsContext['db'] {
  const statements = new Map<string, ReturnType<Db['prepare']>>();
  return {
    prepare: (sql: string) => {
      let s = statements.get(sql);
      if (!s) statements.set(sql, (s = db.prepare(sql)));
      return s;
    },
  } as StatsContext['db'];
}
