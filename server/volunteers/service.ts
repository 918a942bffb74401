/**
 * Volunteer service (志愿服务): the registry, activities with sign-up, check-in and check-out,
 * service records (the basis of a certificate), points earned and spent in the exchange.
 *
 * One service per aggregate, built here over one store (`store.ts`: the statements, the shared
 * lookups, the points ledger and the journal entry) and held as readonly fields:
 * `volunteers.registry.register(...)`, `volunteers.signups.checkOut(...)`. Each validates,
 * authorises with the Principal (`access.ts`), then does the work as one write in the
 * group-commit queue, where the state rows, the points ledger's entries and the journal entries
 * are written together or not at all. Because the queue runs writes one after another, a check
 * made inside a write (a balance, a stock, a free place) still holds when the write commits:
 * concurrent redemptions cannot overspend, concurrent sign-ups cannot overfill.
 *
 * Every change is journaled (entity rows, see migration 2) and emitted after commit as a subject
 * change: the wall's volunteer figures are recomputed and, for check-in, check-out, new
 * activities and redemptions, a masked line joins the feed. A check-out also adds its hours to
 * the service metrics (metrics_hourly) in the same write.
 */
import type { Principal } from '../principal.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { Directory } from '../kernel/community.ts';
import { DEFAULT_POINTS_PER_HOUR } from '../../shared/volunteers.ts';
import { ActivityService } from './activities.ts';
import { CertificateService } from './certificates.ts';
import { ExchangeService } from './exchange.ts';
import { MeService } from './me-service.ts';
import { PointsService } from './points.ts';
import { ServiceRecordService } from './records.ts';
import { RegistryService } from './registry.ts';
import { SignupService } from './signups.ts';
import { VolunteerStore, type VolunteerParts } from './store.ts';
import { TeamService } from './teams.ts';

export type { CheckOutResult } from './signups.ts';
export type { Leaderboard, PointsSummary } from './points.ts';
export type { RedeemResult } from './exchange.ts';

export interface VolunteerServiceDeps extends Omit<SubjectServiceDeps, 'now'> {
  now?: () => number;
  /** The community rate for activities that set none (POINTS_PER_HOUR; 10 = 1 h → 10 points). */
  pointsPerHour?: number;
}

/** The volunteer ledger: its aggregate services, built over one store. */
export class VolunteerService {
  /** Volunteers: register, change, pause; find and list. */
  readonly registry: RegistryService;
  /** Teams: create and list. */
  readonly teams: TeamService;
  /** Activities: create, open, close, cancel; find and list. */
  readonly activities: ActivityService;
  /** Sign-up, cancellation, no-show, check-in and check-out (which issues the record and points). */
  readonly signups: SignupService;
  /** Service records, their corrections, and a record's certificate. */
  readonly records: ServiceRecordService;
  /** Period certificates (志愿服务证明): issue, print, verify. */
  readonly certificates: CertificateService;
  /** Balances, ledgers, the leaderboard and the books. */
  readonly points: PointsService;
  /** The exchange: items, stock, redemptions. */
  readonly exchange: ExchangeService;
  /** A volunteer's own page (/me): their activities, check-in by code, hours, points. */
  readonly me: MeService;
  #dir: Directory;
  #now: () => number;

  constructor(deps: VolunteerServiceDeps) {
    this.#dir = deps.directory;
    this.#now = deps.now ?? Date.now;
    const parts: VolunteerParts = {
      store: new VolunteerStore(deps.db, deps.journal),
      queue: deps.queue, directory: deps.directory, metrics: deps.metrics, now: this.#now,
    };
    this.registry = new RegistryService(parts);
    this.teams = new TeamService(parts);
    this.activities = new ActivityService(parts, deps.pointsPerHour ?? DEFAULT_POINTS_PER_HOUR);
    this.signups = new SignupService(parts);
    this.records = new ServiceRecordService(parts);
    this.certificates = new CertificateService(parts, this.records);
    this.points = new PointsService(parts);
    this.exchange = new ExchangeService(parts);
    this.me = new MeService(parts);
  }

  /** The principal's community's time zone, for the views' ISO instants. */
  timeZoneOf(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }

  /** The service's clock (the demo's moves). */
  now(): number {
    return this.#now();
  }
}
