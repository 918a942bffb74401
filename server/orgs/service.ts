/**
 * Organizations and social work (社会组织 · 社会工作者): the registry of organizations, the
 * service projects they run (项目清单), social workers, their cases (个案) and the services
 * organizations and social workers deliver, one service per aggregate:
 * `orgs.organizations`, `orgs.socialWorkers`, `orgs.projects` (with their expenses),
 * `orgs.cases`, `orgs.services`. They share one OrgStore (statements, row lookups, references).
 *
 * Shaped like every subject service: authorise with the Principal (access.ts), validate, then
 * do the work as one write in the group-commit queue, where the state rows, the journal entry
 * and the service metrics are written together or not at all. Checks made inside a write (a
 * status, a budget, a case still open) hold when it commits, because the queue runs writes one
 * after another.
 *
 * A case's client is staff-only: the name and phone are in the cases table and its API, never
 * in the journal nor in a feed line.
 */
import type { Directory } from '../kernel/community.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { Principal } from '../principal.ts';
import { CaseService } from './cases.ts';
import { OrganizationService } from './organizations.ts';
import { ProjectService } from './projects.ts';
import { DeliveryService } from './services.ts';
import { SocialWorkerService } from './social-workers.ts';
import { OrgStore } from './store.ts';
import { VisitService } from './desk.ts';

/** The subject's entry point: its aggregates, built once over one store. */
export class OrgService {
  readonly organizations: OrganizationService;
  readonly socialWorkers: SocialWorkerService;
  readonly projects: ProjectService;
  readonly cases: CaseService;
  readonly services: DeliveryService;
  /** Planned visits (走访计划), the social worker's schedule (server/orgs/desk.ts). */
  readonly visits: VisitService;
  readonly store: OrgStore;
  #dir: Directory;

  constructor(deps: SubjectServiceDeps) {
    this.#dir = deps.directory;
    const store = new OrgStore(deps.db, deps.journal);
    this.organizations = new OrganizationService(deps, store);
    this.socialWorkers = new SocialWorkerService(deps, store);
    this.projects = new ProjectService(deps, store);
    this.cases = new CaseService(deps, store);
    this.visits = new VisitService(deps, store);
    this.services = new DeliveryService(deps, store, this.visits);
    this.store = store;
  }

  /** The time zone of the principal's community (the API shows instants in it). */
  timeZoneOf(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }
}
