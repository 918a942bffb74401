/**
 * Organizations, social workers, projects, cases and services as the server holds them
 * (epoch-ms instants), their row mapping, and their projection for the staff API (ISO instants
 * with the community's offset). Nothing here goes to a public display: the wall gets the
 * aggregates of stats.ts and masked feed lines.
 */
import { isoInZone, isoOrNull } from '../../shared/time.ts';
import type { FundingSource, Population, ServiceCategory } from '../../shared/subjects.ts';
import type {
  CaseGoal, CaseOutcome, CaseStatus, CaseView, ExpenseView, OrgKind, OrgStatus, OrgView, ProjectProgress, ProjectStatus, ProjectView, ProviderKind,
  Qualification, ServiceKind, ServiceView, SocialWorkerView, WorkerStatus,
} from '../../shared/orgs.ts';

export interface OrgRecord {
  id: number;
  communityId: string;
  name: string;
  kind: OrgKind;
  registrationNo: string | null;
  contactName: string;
  contactPhone: string;
  categories: ServiceCategory[];
  status: OrgStatus;
  registeredAt: number;
  updatedAt: number;
  /** Who made the last change (an account's username); null before migration 19's first change. */
  updatedBy?: string | null;
}

export interface SocialWorkerRecord {
  id: number;
  communityId: string;
  name: string;
  phone: string;
  orgId: number | null;
  qualification: Qualification;
  grids: string[];
  status: WorkerStatus;
  joinedAt: number;
  updatedAt: number;
}

export interface ProjectRecord {
  id: number;
  communityId: string;
  code: string;
  name: string;
  description: string;
  category: ServiceCategory;
  orgId: number | null;
  socialWorkerId: number | null;
  funding: FundingSource;
  budgetCents: number;
  spentCents: number;
  startsOn: string;
  endsOn: string;
  targetServices: number | null;
  targetBeneficiaries: number | null;
  needId: number | null;
  gridId: string | null;
  status: ProjectStatus;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface ExpenseRecord {
  id: number;
  projectId: number;
  amountCents: number;
  purpose: string;
  spentOn: string;
  recordedBy: string;
  recordedAt: number;
}

export interface CaseRecord {
  id: number;
  communityId: string;
  code: string;
  socialWorkerId: number;
  category: ServiceCategory;
  clientName: string;
  clientPhone: string | null;
  populations: Population[];
  gridId: string | null;
  needId: number | null;
  status: CaseStatus;
  openedAt: number;
  closedAt: number | null;
  updatedAt: number;
  /** The plan's goals (migration 19). */
  goals: CaseGoal[];
  outcome: CaseOutcome | null;
  updatedBy: string | null;
}

export interface ServiceRecord {
  id: number;
  communityId: string;
  providerKind: ProviderKind;
  socialWorkerId: number | null;
  orgId: number | null;
  projectId: number | null;
  caseId: number | null;
  needId: number | null;
  kind: ServiceKind;
  category: ServiceCategory;
  gridId: string | null;
  content: string;
  beneficiaries: number;
  populations: Population[];
  startedAt: number;
  endedAt: number;
  satisfaction: number | null;
  recordedBy: string;
  recordedAt: number;
}

/** Services done and people served under a project, counted from its services. */
export interface ProjectTally {
  services: number;
  beneficiaries: number;
}

/** A row as better-sqlite3 returns it; its columns are those of schema/orgs.ts. */
type Row = any;

export const orgFromRow = (r: Row): OrgRecord => ({
  id: r.id, communityId: r.community_id, name: r.name, kind: r.kind, registrationNo: r.registration_no,
  contactName: r.contact_name, contactPhone: r.contact_phone, categories: JSON.parse(r.categories) as ServiceCategory[],
  status: r.status, registeredAt: r.registered_at, updatedAt: r.updated_at, updatedBy: r.updated_by ?? null,
});

export const workerFromRow = (r: Row): SocialWorkerRecord => ({
  id: r.id, communityId: r.community_id, name: r.name, phone: r.phone, orgId: r.org_id, qualification: r.qualification,
  grids: JSON.parse(r.grids) as string[], status: r.status, joinedAt: r.joined_at, updatedAt: r.updated_at,
});

export const projectFromRow = (r: Row): ProjectRecord => ({
  id: r.id, communityId: r.community_id, code: r.code, name: r.name, description: r.description, category: r.category,
  orgId: r.org_id, socialWorkerId: r.social_worker_id, funding: r.funding, budgetCents: r.budget_cents, spentCents: r.spent_cents,
  startsOn: r.starts_on, endsOn: r.ends_on, targetServices: r.target_services, targetBeneficiaries: r.target_beneficiaries,
  needId: r.need_id, gridId: r.grid_id, status: r.status, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
});

export const expenseFromRow = (r: Row): ExpenseRecord => ({
  id: r.id, projectId: r.project_id, amountCents: r.amount_cents, purpose: r.purpose, spentOn: r.spent_on,
  recordedBy: r.recorded_by, recordedAt: r.recorded_at,
});

export const caseFromRow = (r: Row): CaseRecord => ({
  id: r.id, communityId: r.community_id, code: r.code, socialWorkerId: r.social_worker_id, category: r.category,
  clientName: r.client_name, clientPhone: r.client_phone, populations: JSON.parse(r.populations) as Population[],
  gridId: r.grid_id, needId: r.need_id, status: r.status, openedAt: r.opened_at, closedAt: r.closed_at, updatedAt: r.updated_at,
  goals: JSON.parse(r.goals ?? '[]') as CaseGoal[], outcome: r.outcome ?? null, updatedBy: r.updated_by ?? null,
});

export const serviceFromRow = (r: Row): ServiceRecord => ({
  id: r.id, communityId: r.community_id, providerKind: r.provider_kind, socialWorkerId: r.social_worker_id, orgId: r.org_id,
  projectId: r.project_id, caseId: r.case_id, needId: r.need_id, kind: r.kind, category: r.category, gridId: r.grid_id,
  content: r.content, beneficiaries: r.beneficiaries, populations: JSON.parse(r.populations) as Population[],
  startedAt: r.started_at, endedAt: r.ended_at, satisfaction: r.satisfaction, recordedBy: r.recorded_by, recordedAt: r.recorded_at,
});

/** Minutes of service between two instants, rounded to the nearest minute. */
export const serviceMinutes = (s: { startedAt: number; endedAt: number }) => Math.round((s.endedAt - s.startedAt) / 60_000);

const ratio = (done: number, target: number | null) => (target ? done / target : null);

export function progressOf(p: ProjectRecord, t: ProjectTally): ProjectProgress {
  return {
    servicesDone: t.services,
    beneficiaries: t.beneficiaries,
    servicesRatio: ratio(t.services, p.targetServices),
    beneficiariesRatio: ratio(t.beneficiaries, p.targetBeneficiaries),
    spentRatio: ratio(p.spentCents, p.budgetCents),
  };
}

// ---- the staff API's views -------------------------------------------------------------------

export const viewOrg = (o: OrgRecord, tz: string): OrgView => ({
  id: o.id, name: o.name, kind: o.kind, registrationNo: o.registrationNo, contactName: o.contactName,
  contactPhone: o.contactPhone, categories: o.categories, status: o.status, registeredAt: isoInZone(o.registeredAt, tz),
  updatedAt: isoInZone(o.updatedAt, tz),
});

export const viewWorker = (w: SocialWorkerRecord, tz: string): SocialWorkerView => ({
  id: w.id, name: w.name, phone: w.phone, orgId: w.orgId, qualification: w.qualification, grids: w.grids, status: w.status,
  joinedAt: isoInZone(w.joinedAt, tz), updatedAt: isoInZone(w.updatedAt, tz),
});

export const viewProject = (p: ProjectRecord, t: ProjectTally, tz: string): ProjectView => ({
  id: p.id, code: p.code, name: p.name, description: p.description, category: p.category, orgId: p.orgId,
  socialWorkerId: p.socialWorkerId, funding: p.funding, budgetCents: p.budgetCents, spentCents: p.spentCents,
  startsOn: p.startsOn, endsOn: p.endsOn, targetServices: p.targetServices, targetBeneficiaries: p.targetBeneficiaries,
  needId: p.needId, gridId: p.gridId, status: p.status, createdAt: isoInZone(p.createdAt, tz), updatedAt: isoInZone(p.updatedAt, tz),
  progress: progressOf(p, t),
});

export const viewExpense = (e: ExpenseRecord, tz: string): ExpenseView => ({
  id: e.id, projectId: e.projectId, amountCents: e.amountCents, purpose: e.purpose, spentOn: e.spentOn, recordedBy: e.recordedBy,
  recordedAt: isoInZone(e.recordedAt, tz),
});

export const viewCase = (c: CaseRecord, sessions: number, tz: string): CaseView => ({
  id: c.id, code: c.code, socialWorkerId: c.socialWorkerId, category: c.category, clientName: c.clientName,
  clientPhone: c.clientPhone, populations: c.populations, gridId: c.gridId, needId: c.needId, status: c.status,
  openedAt: isoInZone(c.openedAt, tz), closedAt: isoOrNull(c.closedAt, tz), sessions,
  goals: c.goals, outcome: c.outcome, updatedAt: isoInZone(c.updatedAt, tz),
});

export const viewService = (s: ServiceRecord, tz: string): ServiceView => ({
  id: s.id, providerKind: s.providerKind, socialWorkerId: s.socialWorkerId, orgId: s.orgId, projectId: s.projectId,
  caseId: s.caseId, needId: s.needId, kind: s.kind, category: s.category, gridId: s.gridId, content: s.content,
  beneficiaries: s.beneficiaries, populations: s.populations, startedAt: isoInZone(s.startedAt, tz), endedAt: isoInZone(s.endedAt, tz),
  minutes: serviceMinutes(s), satisfaction: s.satisfaction, recordedBy: s.recordedBy, recordedAt: isoInZone(s.recordedAt, tz),
});
