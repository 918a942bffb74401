/** What every subject service (organizations, charity, needs) is built from. */
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
