/** What every subject service (volunteers, organizations, charity, needs) is built from. */
import type { Db } from '../db/index.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from './community.ts';
import type { JournalWriter, SubjectChange } from './journal.ts';
import type { Metrics } from './metrics.ts';

export interface SubjectServiceDeps {
  db: Db;
  /** Every write goes through the group-commit queue: state rows, journal entry and metrics together. */
  queue: WriteQueue<SubjectChange>;
  directory: Directory;
  now: () => number;
  metrics: Metrics;
  journal: JournalWriter;
}

/**
 * What one aggregate service of a subject is built from: its subject's store (statements, shared
 * lookups, the record of a change) and the kernel's parts every write needs.
 */
export interface AggregateParts<Store> {
  store: Store;
  /** Every write goes through the group-commit queue: state rows, journal entry and metrics together. */
  queue: WriteQueue<SubjectChange>;
  directory: Directory;
  metrics: Metrics;
  now: () => number;
}
