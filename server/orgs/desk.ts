/**
 * What the social worker's desk and the organizations' desk need besides the registry
 * (issue 13): planned visits (走访计划, a social worker's schedule of the day), a project's
 * summary (what it delivered, to whom, how it was rated, what it spent), and the ledgers out
 * (台账导出) of organizations, projects, expenses, cases and services, read page by page through
 * the same list methods the API pages with, so an export holds exactly what its list shows to
 * the same person (a social worker's own cases and sessions only).
 */
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import { DomainError, notFound } from '../errors.ts';
import { authorise, invalidField, ownRow } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { SheetColumn } from '../http/sheet.ts';
import type { Page } from '../db/page.ts';
import { isoInZone, localDay, startOfLocalDay } from '../../shared/time.ts';
import { POPULATIONS, SERVICE_CATEGORIES, type Population } from '../../shared/subjects.ts';
import { translate, type Locale, type MessageKey } from '../../shared/i18n.ts';
import * as casework from '../../shared/i18n/console-casework.ts';
import * as orgsDesk from '../../shared/i18n/console-orgs.ts';
import type { ListVisitsQuery, PlanVisitBody, PlannedVisitView, ProjectSummary, ServiceKind, VisitStatus } from '../../shared/orgs.ts';
import { CASEWORK, actsAs } from './access.ts';
import type { CaseRecord, ExpenseRecord, OrgRecord, ProjectRecord, ServiceRecord } from './record.ts';
import type { OrgStore } from './store.ts';

export interface VisitRecord {
  id: number;
  communityId: string;
  socialWorkerId: number;
  caseId: number | null;
  caseCode: string | null;
  plannedAt: number;
  note: string;
  status: VisitStatus;
  serviceId: number | null;
}

type Row = any;
const visitFromRow = (r: Row): VisitRecord => ({
  id: r.id, communityId: r.community_id, socialWorkerId: r.social_worker_id, caseId: r.case_id, caseCode: r.case_code ?? null,
  plannedAt: r.planned_at, note: r.note, status: r.status, serviceId: r.service_id,
});

export const viewVisit = (v: VisitRecord, tz: string): PlannedVisitView => ({
  id: v.id, socialWorkerId: v.socialWorkerId, caseId: v.caseId, caseCode: v.caseCode, plannedAt: isoInZone(v.plannedAt, tz), note: v.note,
  status: v.status, serviceId: v.serviceId,
});

const VISIT_SELECT = 'SELECT v.*, c.code AS case_code FROM planned_visits v LEFT JOIN cases c ON c.id = v.case_id';

/** Planned visits: `orgs.visits.plan(...)`, `.cancel`, `.day`; `.markDone` inside a service's write. */
export class VisitService {
  #store: OrgStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;

  constructor(deps: SubjectServiceDeps, store: OrgStore) {
    this.#store = store;
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
  }

  /** Put a visit on a social worker's schedule (a social worker their own), optionally for one of their open cases. */
  async plan(p: Principal, body: PlanVisitBody): Promise<VisitRecord> {
    authorise(p, CASEWORK, 'plan visits');
    actsAs(p, body.socialWorkerId);
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const w = this.#store.workerRef(p, body.socialWorkerId, 'socialWorkerId');
      if (w.status === 'left') throw new DomainError(409, 'error.worker_inactive', `social worker ${w.id} has left`, undefined, { status: w.status });
      if (body.caseId !== undefined) {
        const c = this.#store.caseRef(p, body.caseId);
        if (c.socialWorkerId !== w.id) invalidField('caseId', `is held by another social worker (${c.socialWorkerId})`);
        if (c.status !== 'open') invalidField('caseId', `case ${c.code} is closed`);
      }
      const id = Number(this.#store.db.prepare(
        `INSERT INTO planned_visits (community_id, social_worker_id, case_id, planned_at, note, status, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'planned', ?, ?, ?)`,
      ).run(p.communityId, w.id, body.caseId ?? null, Date.parse(body.plannedAt), body.note, p.id, now, now).lastInsertRowid);
      // The note may name the client: the journal says whose schedule and when, not what for.
      this.#store.write(ctx, p, now, 'social_worker', 'visit.planned', 'planned_visit', id,
        { socialWorkerId: w.id, caseId: body.caseId ?? null, plannedAt: Date.parse(body.plannedAt) });
      return this.get(p, id);
    });
  }

  /** Take a planned visit off the schedule; one done or cancelled already is a 409. */
  async cancel(p: Principal, visitId: number): Promise<VisitRecord> {
    authorise(p, CASEWORK, 'cancel visits');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const v = this.get(p, visitId);
      if (v.status !== 'planned') {
        throw new DomainError(409, 'error.transition_not_allowed', `visit ${v.id} is ${v.status}`, undefined, { status: v.status, allowed: [] });
      }
      this.#store.db.prepare("UPDATE planned_visits SET status = 'cancelled', updated_at = ? WHERE id = ?").run(now, v.id);
      this.#store.write(ctx, p, now, 'social_worker', 'visit.cancelled', 'planned_visit', v.id, { socialWorkerId: v.socialWorkerId }, v.status);
      return { ...v, status: 'cancelled' };
    });
  }

  /**
   * Inside the write that records service `serviceId` by social worker `workerId`: the planned
   * visit it carries out is done. 400 on `plannedVisitId` when it is not theirs or not planned.
   */
  markDone(p: Principal, visitId: number, workerId: number | null, serviceId: number, now: number): void {
    const row = this.#store.db.prepare('SELECT * FROM planned_visits WHERE id = ?').get(visitId) as Row;
    if (!row || row.community_id !== p.communityId || row.social_worker_id !== workerId) {
      invalidField('plannedVisitId', `no planned visit ${visitId} of this social worker`);
    }
    if (row.status !== 'planned') invalidField('plannedVisitId', `visit ${visitId} is ${row.status}`);
    this.#store.db.prepare("UPDATE planned_visits SET status = 'done', service_id = ?, updated_at = ? WHERE id = ?").run(serviceId, now, visitId);
  }

  /** A visit of the community; another social worker's is "no visit" to a social worker. */
  get(p: Principal, id: number): VisitRecord {
    authorise(p, CASEWORK, 'see visits');
    const v = visitFromRow(ownRow(p, this.#store.db.prepare(`${VISIT_SELECT} WHERE v.id = ?`).get(id), `visit ${id}`));
    if (p.role === 'social_worker' && v.socialWorkerId !== p.socialWorkerId) throw notFound(`visit ${id}`);
    return v;
  }

  /** A local day's visits (today by default), earliest first: a social worker's own; others' by `worker` or all. */
  day(p: Principal, q: ListVisitsQuery): { day: string; items: VisitRecord[] } {
    authorise(p, CASEWORK, 'see visits');
    const tz = this.#dir.timeZoneOf(p.communityId);
    const day = q.day ?? localDay(this.#now(), tz);
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    // Noon of the day is inside it whatever the offset; its local midnight starts it.
    const noon = Date.UTC(y, m - 1, d, 12);
    const from = startOfLocalDay(noon, tz);
    const to = startOfLocalDay(noon + 24 * 3_600_000, tz);
    const where = ['v.community_id = @community', 'v.planned_at >= @from', 'v.planned_at < @to'];
    const params: Record<string, unknown> = { community: p.communityId, from, to };
    const worker = p.role === 'social_worker' ? (p.socialWorkerId ?? -1) : q.worker;
    if (worker !== undefined) (where.push('v.social_worker_id = @worker'), (params.worker = worker));
    const rows = this.#store.db.prepare(`${VISIT_SELECT} WHERE ${where.join(' AND ')} ORDER BY v.planned_at, v.id`).all(params);
    return { day, items: rows.map(visitFromRow) };
  }
}

/** A project's summary from its services and its spending (the project page). */
export function projectSummary(store: OrgStore, pr: ProjectRecord): ProjectSummary {
  const { db } = store;
  const t = db.prepare(
    `SELECT COUNT(*) AS services, COALESCE(SUM(beneficiaries), 0) AS beneficiaries,
            COALESCE(SUM(ROUND((ended_at - started_at) / 60000.0)), 0) AS minutes, COUNT(satisfaction) AS rated,
            AVG(satisfaction) AS satisfaction
       FROM services WHERE project_id = ?`,
  ).get(pr.id) as { services: number; beneficiaries: number; minutes: number; rated: number; satisfaction: number | null };
  const byKind = db.prepare(
    `SELECT kind, COUNT(*) AS services, COALESCE(SUM(beneficiaries), 0) AS beneficiaries FROM services WHERE project_id = ?
      GROUP BY kind ORDER BY services DESC, kind`,
  ).all(pr.id) as { kind: ServiceKind; services: number; beneficiaries: number }[];
  const byPopulation = db.prepare(
    `SELECT j.value AS population, COUNT(*) AS services FROM services s, json_each(s.populations) j WHERE s.project_id = ?
      GROUP BY j.value ORDER BY services DESC, j.value`,
  ).all(pr.id) as { population: Population; services: number }[];
  const expenses = (db.prepare('SELECT COUNT(*) AS n FROM project_expenses WHERE project_id = ?').get(pr.id) as { n: number }).n;
  return {
    services: t.services, beneficiaries: t.beneficiaries, minutes: Number(t.minutes), rated: t.rated,
    satisfaction: t.satisfaction === null ? null : Math.round(t.satisfaction * 100) / 100,
    byKind, byPopulation, budgetCents: pr.budgetCents, spentCents: pr.spentCents, remainingCents: pr.budgetCents - pr.spentCents, expenses,
  };
}

// ---- ledgers out -------------------------------------------------------------------------------

/** Every row a cursor-paged list gives, page after page (each page one short read). */
export function* allPages<T>(page: (cursor: string | undefined) => Page<T>): Generator<T> {
  let cursor: string | undefined;
  do {
    const p = page(cursor);
    yield* p.items;
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
}

/** What the columns need besides the row: the language, and names of things a row refers to by id. */
export interface SheetContext {
  locale: Locale;
  orgName: (id: number | null) => string | null;
  workerName: (id: number | null) => string | null;
  projectCode: (id: number | null) => string | null;
}

type Col<T> = SheetColumn<T>;
const categoryName = (locale: Locale, code: string) => {
  const c = SERVICE_CATEGORIES.find((x) => x.code === code);
  return c ? (locale === 'en' ? c.en : c.zh) : code;
};
const populationNames = (locale: Locale, list: readonly string[]) =>
  list.map((code) => { const x = POPULATIONS.find((p) => p.code === code); return x ? (locale === 'en' ? x.en : x.zh) : code; }).join('、');
const yuan = (cents: number) => cents / 100;

/** Column headers from the console's catalogue (`console.orgs.col.*`). */
function columnsOf<T>(ctx: SheetContext, cols: [key: string, kind: Col<T>['kind'], width: number, value: Col<T>['value']][]): Col<T>[] {
  const heads: Record<string, string> = ctx.locale === 'en' ? orgsDesk.en : orgsDesk.zhCN;
  return cols.map(([key, kind, width, value]) => ({ header: heads[`console.orgs.col.${key}`] ?? key, kind, width, value }));
}
/** A key of the shared catalogue (orgKind.*, funding.*, …), read in the sheet's language. */
const say = (locale: Locale, key: string) => translate(locale, key as MessageKey);
/** A key of the desk's own catalogue (the outcome of a case). */
const desk = (locale: Locale, key: string) => (locale === 'en' ? casework.en : casework.zhCN as Record<string, string>)[key as keyof typeof casework.en] ?? key;

export const orgColumns = (ctx: SheetContext) => columnsOf<OrgRecord>(ctx, [
  ['id', 'number', 6, (o) => o.id],
  ['name', 'text', 28, (o) => o.name],
  ['kind', 'text', 12, (o) => say(ctx.locale, `orgKind.${o.kind}`)],
  ['registrationNo', 'text', 22, (o) => o.registrationNo],
  ['contactName', 'text', 10, (o) => o.contactName],
  ['contactPhone', 'text', 15, (o) => o.contactPhone],
  ['categories', 'text', 24, (o) => o.categories.map((c) => categoryName(ctx.locale, c)).join('、')],
  ['status', 'text', 10, (o) => say(ctx.locale, `orgStatus.${o.status}`)],
  ['registeredAt', 'instant', 20, (o) => o.registeredAt],
]);

export const projectColumns = (ctx: SheetContext, tally: (id: number) => { services: number; beneficiaries: number }) => columnsOf<ProjectRecord>(ctx, [
  ['code', 'text', 14, (p) => p.code],
  ['name', 'text', 28, (p) => p.name],
  ['category', 'text', 12, (p) => categoryName(ctx.locale, p.category)],
  ['org', 'text', 24, (p) => ctx.orgName(p.orgId)],
  ['lead', 'text', 10, (p) => ctx.workerName(p.socialWorkerId)],
  ['funding', 'text', 14, (p) => say(ctx.locale, `funding.${p.funding}`)],
  ['budget', 'number', 12, (p) => yuan(p.budgetCents)],
  ['spent', 'number', 12, (p) => yuan(p.spentCents)],
  ['remaining', 'number', 12, (p) => yuan(p.budgetCents - p.spentCents)],
  ['startsOn', 'text', 12, (p) => p.startsOn],
  ['endsOn', 'text', 12, (p) => p.endsOn],
  ['targetServices', 'number', 10, (p) => p.targetServices],
  ['servicesDone', 'number', 10, (p) => tally(p.id).services],
  ['targetBeneficiaries', 'number', 10, (p) => p.targetBeneficiaries],
  ['beneficiaries', 'number', 10, (p) => tally(p.id).beneficiaries],
  ['status', 'text', 10, (p) => say(ctx.locale, `projectStatus.${p.status}`)],
]);

export const expenseColumns = (ctx: SheetContext) => columnsOf<ExpenseRecord>(ctx, [
  ['id', 'number', 6, (e) => e.id],
  ['project', 'text', 14, (e) => ctx.projectCode(e.projectId)],
  ['amount', 'number', 12, (e) => yuan(e.amountCents)],
  ['purpose', 'text', 36, (e) => e.purpose],
  ['spentOn', 'text', 12, (e) => e.spentOn],
  ['recordedBy', 'text', 12, (e) => e.recordedBy],
  ['recordedAt', 'instant', 20, (e) => e.recordedAt],
]);

/** Cases with their client (staff only; the export is audited). */
export const caseColumns = (ctx: SheetContext, sessions: (id: number) => number) => columnsOf<CaseRecord>(ctx, [
  ['code', 'text', 14, (c) => c.code],
  ['worker', 'text', 10, (c) => ctx.workerName(c.socialWorkerId)],
  ['category', 'text', 12, (c) => categoryName(ctx.locale, c.category)],
  ['clientName', 'text', 10, (c) => c.clientName],
  ['clientPhone', 'text', 15, (c) => c.clientPhone],
  ['populations', 'text', 20, (c) => populationNames(ctx.locale, c.populations)],
  ['grid', 'text', 10, (c) => c.gridId],
  ['sessions', 'number', 8, (c) => sessions(c.id)],
  ['goals', 'text', 30, (c) => c.goals.map((g) => `${g.done ? '✓' : '○'} ${g.text}`).join('；')],
  ['status', 'text', 8, (c) => say(ctx.locale, `caseStatus.${c.status}`)],
  ['outcome', 'text', 10, (c) => (c.outcome ? desk(ctx.locale, `console.casework.outcome.${c.outcome}`) : null)],
  ['openedAt', 'instant', 20, (c) => c.openedAt],
  ['closedAt', 'instant', 20, (c) => c.closedAt],
]);

export const serviceColumns = (ctx: SheetContext) => columnsOf<ServiceRecord>(ctx, [
  ['id', 'number', 6, (s) => s.id],
  ['kind', 'text', 10, (s) => say(ctx.locale, `serviceKind.${s.kind}`)],
  ['provider', 'text', 20, (s) => (s.providerKind === 'org' ? ctx.orgName(s.orgId) : ctx.workerName(s.socialWorkerId))],
  ['project', 'text', 14, (s) => ctx.projectCode(s.projectId)],
  ['category', 'text', 12, (s) => categoryName(ctx.locale, s.category)],
  ['grid', 'text', 10, (s) => s.gridId],
  ['content', 'text', 40, (s) => s.content],
  ['beneficiaries', 'number', 8, (s) => s.beneficiaries],
  ['populations', 'text', 20, (s) => populationNames(ctx.locale, s.populations)],
  ['startedAt', 'instant', 20, (s) => s.startedAt],
  ['endedAt', 'instant', 20, (s) => s.endedAt],
  ['satisfaction', 'number', 8, (s) => s.satisfaction],
]);
