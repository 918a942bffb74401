/**
 * Services delivered (服务记录) by social workers and organizations, optionally under a
 * project, a case or a need; the resident's rating after the follow-up call (回访); the summary
 * of a period. Every service recorded adds to the hourly metrics of its provider's subject
 * ('social_worker' or 'org') at the hour it ended (services, beneficiaries, minutes, and the
 * rating when there is one) and puts a masked line on the wall's feed, in the same write.
 */
import type { Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { DomainError, notFound } from '../errors.ts';
import { authorise, instantFrom, invalidField, ownRow, requireGrid } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { countText, guardCount } from '../../shared/disclosure.ts';
import { isoInZone, localDay } from '../../shared/time.ts';
import { monthOf, monthRange } from '../../shared/volunteers.ts';
import type { SubjectKind } from '../../shared/subjects.ts';
import type { ListServicesQuery, RateServiceBody, RecordServiceBody, ServiceSummary, ServiceSummaryQuery } from '../../shared/orgs.ts';
import { CASEWORK, RATE, STAFF, actsAs } from './access.ts';
import { categoryParams, guarded, providerName } from './feed-lines.ts';
import {
  serviceFromRow, serviceMinutes, type CaseRecord, type OrgRecord, type ProjectRecord, type ServiceRecord, type SocialWorkerRecord,
} from './record.ts';
import { requireActiveOrg, type OrgStore } from './store.ts';
import type { VisitService } from './desk.ts';

/** Services delivered: `orgs.services.record(...)`, `.rate`, `.get`, `.list`, `.summary`. */
export class DeliveryService {
  #store: OrgStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;
  #metrics: Metrics;

  #visits: VisitService | null;

  constructor(deps: SubjectServiceDeps, store: OrgStore, visits: VisitService | null = null) {
    this.#visits = visits;
    this.#store = store;
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
    this.#metrics = deps.metrics;
  }

  /**
   * Record a service delivered by a social worker or an organization, optionally under a
   * project, a case or a need. It may be back-dated (paper records), never in the future. In
   * the same write: the metrics of the provider's subject at the hour it ended, the journal and
   * a masked feed line ("社工 王* 入户走访 · 生活照料 · 服务 3 人").
   *
   * Refused with 409: a provider that has left or is not active, a project not active, a case
   * closed before the service ended. With 400: a project whose period does not cover the day,
   * a case of another social worker, a category that neither the body, the case nor the
   * project gives.
   */
  async record(p: Principal, body: RecordServiceBody): Promise<ServiceRecord> {
    authorise(p, CASEWORK, 'record services');
    actsAs(p, body.socialWorkerId);
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const startedAt = Date.parse(body.startedAt);
      const endedAt = instantFrom('endedAt', body.endedAt, now);

      let worker: SocialWorkerRecord | null = null;
      let org: OrgRecord | null = null;
      if (body.socialWorkerId !== undefined) {
        worker = this.#store.workerRef(p, body.socialWorkerId, 'socialWorkerId');
        if (worker.status === 'left') {
          throw new DomainError(409, 'error.worker_inactive', `social worker ${worker.id} has left`, undefined, { status: worker.status });
        }
      } else {
        org = this.#store.orgRef(p, body.orgId!, 'orgId');
        requireActiveOrg(org);
      }

      let kase: CaseRecord | null = null;
      if (body.caseId !== undefined) {
        kase = this.#store.caseRef(p, body.caseId);
        if (!worker) invalidField('caseId', 'a case is a social worker’s; record the session under its social worker');
        if (kase.socialWorkerId !== worker.id) invalidField('caseId', `is held by another social worker (${kase.socialWorkerId})`);
        if (endedAt < kase.openedAt) invalidField('endedAt', 'is before the case was opened');
        if (kase.status === 'closed' && endedAt > kase.closedAt!) {
          throw new DomainError(409, 'error.case_closed', `case ${kase.code} was closed before this service ended`, undefined, { status: kase.status });
        }
      }

      let project: ProjectRecord | null = null;
      if (body.projectId !== undefined) {
        project = this.#store.projectRef(p, body.projectId);
        if (project.status !== 'active') {
          throw new DomainError(409, 'error.project_not_active', `project ${project.code} is ${project.status}`, undefined, { status: project.status });
        }
        const day = localDay(endedAt, this.#dir.timeZoneOf(p.communityId));
        if (day < project.startsOn || day > project.endsOn) {
          invalidField('endedAt', `is outside the project’s period ${project.startsOn} – ${project.endsOn}`);
        }
        if (org && project.orgId !== null && project.orgId !== org.id) invalidField('projectId', `is run by another organization (${project.orgId})`);
      }
      if (body.needId !== undefined) this.#store.needRef(p, body.needId);

      const category = body.category ?? kase?.category ?? project?.category;
      if (!category) invalidField('category', 'required (neither a case nor a project gives one)');
      const gridId = body.gridId ?? kase?.gridId ?? project?.gridId ?? (worker?.grids.length === 1 ? worker.grids[0]! : null);

      const rec: Omit<ServiceRecord, 'id'> = {
        communityId: p.communityId, providerKind: worker ? 'social_worker' : 'org', socialWorkerId: worker?.id ?? null,
        orgId: org?.id ?? project?.orgId ?? null, projectId: project?.id ?? null, caseId: kase?.id ?? null, needId: body.needId ?? null,
        kind: body.kind, category, gridId, content: body.content, beneficiaries: body.beneficiaries, populations: body.populations,
        startedAt, endedAt, satisfaction: body.satisfaction ?? null, recordedBy: p.id, recordedAt: now,
      };
      const id = this.#store.insertService(rec);
      if (body.plannedVisitId !== undefined) {
        if (!this.#visits) invalidField('plannedVisitId', 'planned visits are not kept here');
        this.#visits.markDone(p, body.plannedVisitId, rec.socialWorkerId, id, now);
      }
      const subject: SubjectKind = rec.providerKind;
      // Counted community-wide when it could single someone out (shared/disclosure.ts): no grid to read off a ticking count.
      this.#metrics.bump(p.communityId, endedAt, subject, guarded(rec) ? null : gridId, {
        services: 1, beneficiaries: rec.beneficiaries, serviceMinutes: serviceMinutes(rec),
        ...(rec.satisfaction !== null ? { satisfaction: rec.satisfaction } : {}),
      });
      this.#store.write(ctx, p, now, subject, 'service.recorded', 'service', id,
        { providerKind: rec.providerKind, socialWorkerId: rec.socialWorkerId, orgId: rec.orgId, projectId: rec.projectId, caseId: rec.caseId,
          needId: rec.needId, kind: rec.kind, category, gridId, beneficiaries: rec.beneficiaries, minutes: serviceMinutes(rec), endedAt,
          satisfaction: rec.satisfaction }, null,
        { subject, key: `feed.service.${rec.providerKind}.${rec.kind}`, gridId: guarded(rec) ? null : gridId,
          params: { name: providerName(worker, org), ...categoryParams(category), count: guarded(rec) ? countText(guardCount(rec.beneficiaries)) : rec.beneficiaries } });
      return { id, ...rec };
    });
  }

  /**
   * A resident's rating of a service (1–5), entered after the follow-up call (回访). Once: a
   * service already rated is a 409. The rating is added to the metrics at the hour the service
   * ended, where its other figures are.
   */
  async rate(p: Principal, serviceId: number, body: RateServiceBody): Promise<ServiceRecord> {
    authorise(p, RATE, 'rate services');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const s = this.get(p, serviceId);
      if (s.satisfaction !== null || this.#store.stmt.rate.run(body.satisfaction, s.id).changes !== 1) {
        throw new DomainError(409, 'error.service_already_rated', `service ${s.id} is rated ${s.satisfaction}`, undefined, { satisfaction: s.satisfaction });
      }
      this.#metrics.bump(p.communityId, s.endedAt, s.providerKind, guarded(s) ? null : s.gridId, { satisfaction: body.satisfaction });
      const worker = s.socialWorkerId !== null ? this.#store.workerRow(s.socialWorkerId) : null;
      const org = s.providerKind === 'org' ? this.#store.orgRow(s.orgId!) : null;
      this.#store.write(ctx, p, now, s.providerKind, 'service.rated', 'service', s.id, { satisfaction: body.satisfaction }, null,
        { subject: s.providerKind, key: `feed.service.rated.${s.providerKind}`, gridId: guarded(s) ? null : s.gridId,
          params: { name: providerName(worker, org), ...categoryParams(s.category), satisfaction: body.satisfaction } });
      return { ...s, satisfaction: body.satisfaction };
    });
  }

  /** A service; a case's session only to whom may read the case (its notes are about the client). */
  get(p: Principal, id: number): ServiceRecord {
    authorise(p, STAFF, 'see services');
    const s = serviceFromRow(ownRow(p, this.#store.stmt.service.get(id), `service ${id}`));
    if (s.caseId !== null && !this.#store.mayReadCase(p, s.caseId)) throw notFound(`service ${id}`);
    return s;
  }

  /** Newest recorded first; filters by provider, project, case, kind, grid and when they ended. */
  list(p: Principal, q: ListServicesQuery): Page<ServiceRecord> {
    authorise(p, STAFF, 'see services');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.worker !== undefined) (where.push('social_worker_id = @worker'), (params.worker = q.worker));
    if (q.org !== undefined) (where.push('org_id = @org'), (params.org = q.org));
    if (q.project !== undefined) (where.push('project_id = @project'), (params.project = q.project));
    if (q.case !== undefined) (where.push('case_id = @case'), (params.case = q.case));
    if (q.kind) (where.push('kind = @kind'), (params.kind = q.kind));
    if (q.grid) (where.push('grid_id = @grid'), (params.grid = q.grid));
    if (q.from) (where.push('ended_at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('ended_at < @to'), (params.to = Date.parse(q.to)));
    // Case sessions only to whom may read the case (see `get`).
    if (!CASEWORK.includes(p.role)) where.push('case_id IS NULL');
    else if (p.role === 'social_worker') {
      where.push('(case_id IS NULL OR case_id IN (SELECT id FROM cases WHERE social_worker_id = @self))');
      params.self = p.socialWorkerId ?? -1;
    }
    return this.#store.page('services', where, params, q, serviceFromRow);
  }

  /** Services that ended in [from, to) — this month by default — in total and by grid, category and kind. */
  summary(p: Principal, q: ServiceSummaryQuery): ServiceSummary {
    authorise(p, STAFF, 'see services');
    const tz = this.#dir.timeZoneOf(p.communityId);
    const now = this.#now();
    const from = q.from ? Date.parse(q.from) : monthRange(monthOf(now, tz), tz).start;
    const to = q.to ? Date.parse(q.to) : now + 1;
    if (to <= from) invalidField('to', 'must be after from');
    const args = [p.communityId, from, to];
    const { stmt } = this.#store;
    const t = stmt.summaryTotals.get(...args) as ServiceSummary['totals'];
    return {
      from: isoInZone(from, tz), to: isoInZone(to, tz),
      totals: { ...t, minutes: Number(t.minutes) },
      byGrid: stmt.summaryByGrid.all(...args) as ServiceSummary['byGrid'],
      byCategory: stmt.summaryByCategory.all(...args) as ServiceSummary['byCategory'],
      byKind: stmt.summaryByKind.all(...args) as ServiceSummary['byKind'],
    };
  }
}
