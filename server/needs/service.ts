/**
 * The three lists (三张清单): needs raised by residents, grid workers and social workers;
 * resources offered by organizations, volunteers, teams, social workers, donors and the
 * community; and the matching that links them. Accepting a match turns the need into a project
 * (an organization's, or a social worker's for a need of many people) or a task for the
 * provider, and the need runs raised → matched → in_progress → met → rated (or closed).
 *
 * One service per aggregate, built here over one store (`store.ts`: the statements, the shared
 * lookups, the project rows and the journal entry) and held as readonly fields:
 * `needs.lifecycle.raise(...)`, `needs.matches.accept(...)`. Each authorises with the Principal
 * (`access.ts`), validates, then does ONE write in the group-commit queue that updates the
 * rows, the service metrics and the journal together.
 */
import type { Principal } from '../principal.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { Directory } from '../kernel/community.ts';
import { NeedLifecycleService } from './lifecycle.ts';
import { MatchService } from './matches.ts';
import { ResourceService } from './resources.ts';
import { NeedStore, type NeedParts } from './store.ts';
import { TaskService } from './tasks.ts';

export type { AcceptResult } from './matches.ts';

/** The three lists: their aggregate services, built over one store. */
export class NeedService {
  /** Needs: raise, find, list, start, meet, rate, close. */
  readonly lifecycle: NeedLifecycleService;
  /** Resources: add, pause, withdraw; find and list. */
  readonly resources: ResourceService;
  /** A need's matches: propose, accept (which makes the project or task), decline. */
  readonly matches: MatchService;
  /** Tasks made by accepted matches. */
  readonly tasks: TaskService;
  /** For the board's counts (server/needs/ledger.ts). */
  readonly db: SubjectServiceDeps['db'];
  #dir: Directory;
  #now: () => number;
  #store: NeedStore;

  constructor(deps: SubjectServiceDeps) {
    this.#dir = deps.directory;
    this.#now = deps.now;
    this.db = deps.db;
    this.#store = new NeedStore(deps.db, deps.journal);
    const parts: NeedParts = {
      store: this.#store,
      queue: deps.queue, directory: deps.directory, metrics: deps.metrics, now: deps.now,
    };
    this.lifecycle = new NeedLifecycleService(parts);
    this.resources = new ResourceService(parts);
    this.matches = new MatchService(parts);
    this.tasks = new TaskService(parts);
  }

  /** A need's history, oldest first (the caller has found the need as the principal may see it). */
  history(needId: number, timeZone: string) {
    return this.#store.history(needId, timeZone);
  }

  /** The principal's community's time zone, for the views' ISO instants. */
  timeZoneOf(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }

  /** The service's clock (the demo's moves): a need's view tells whether it is overdue by it. */
  now(): number {
    return this.#now();
  }
}
