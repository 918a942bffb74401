/**
 * What every subject's stats function gets: the database, the community and the instants that
 * bound "today", "this month" and "the last 30 days" in the community's time zone.
 */
import type { Db } from '../db/index.ts';
import type { Metrics } from './metrics.ts';

export interface StatsContext {
  db: Db;
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
