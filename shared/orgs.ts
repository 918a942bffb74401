/**
 * Social organizations and social work (社会组织 · 社会工作者): the vocabulary of organizations,
 * service projects (项目清单), social workers, cases (个案) and the services they deliver, the
 * rules that are pure (the 统一社会信用代码 check, project and case numbers, where a status may
 * go), and the zod schemas for every body and query of `/orgs`, `/social-workers`, `/projects`,
 * `/cases` and `/services`. Used by the server, the forms and the tests alike.
 *
 * Long on purpose: it is the contract of one subject, its vocabulary and one zod schema per body
 * and query, which the server, the forms and the tests share; splitting it would scatter the API.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';
import { multiLineText, singleLineText, textRule } from './text.ts';
import { POPULATION_CODES, SERVICE_CATEGORY_CODES, FUNDING_SOURCES, type FundingSource, type Population, type ServiceCategory } from './subjects.ts';

// ---- organizations ----------------------------------------------------------------------------

/**
 * social_org 社会组织 (社会团体, 社会服务机构) · charity_org 慈善组织 · enterprise 企业 ·
 * public_institution 事业单位 · resident_group 居民自组织 (filed with the community, usually
 * without a 统一社会信用代码).
 */
export const ORG_KINDS = ['social_org', 'charity_org', 'enterprise', 'public_institution', 'resident_group'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** active 正常 · suspended 暂停服务 · deregistered 已注销 (final; kept for the record). */
export const ORG_STATUSES = ['active', 'suspended', 'deregistered'] as const;
export type OrgStatus = (typeof ORG_STATUSES)[number];

export const ORG_TRANSITIONS: Record<OrgStatus, readonly OrgStatus[]> = {
  active: ['suspended', 'deregistered'],
  suspended: ['active', 'deregistered'],
  deregistered: [],
};

// ---- social workers -----------------------------------------------------------------------

/** none 无证 · assistant 助理社会工作师 · social_worker 社会工作师 · senior 高级社会工作师. */
export const QUALIFICATIONS = ['none', 'assistant', 'social_worker', 'senior'] as const;
export type Qualification = (typeof QUALIFICATIONS)[number];

/** active 在岗 · on_leave 休假 · left 离职 (final). */
export const WORKER_STATUSES = ['active', 'on_leave', 'left'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export const WORKER_TRANSITIONS: Record<WorkerStatus, readonly WorkerStatus[]> = {
  active: ['on_leave', 'left'],
  on_leave: ['active', 'left'],
  left: [],
};

// ---- projects -----------------------------------------------------------------------------

/**
 * planned 筹备 · active 实施中 (takes services and expenses) · suspended 暂停 · completed 已结项 ·
 * cancelled 已终止. Completed and cancelled are final.
 */
export const PROJECT_STATUSES = ['planned', 'active', 'suspended', 'completed', 'cancelled'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const PROJECT_TRANSITIONS: Record<ProjectStatus, readonly ProjectStatus[]> = {
  planned: ['active', 'cancelled'],
  active: ['suspended', 'completed', 'cancelled'],
  suspended: ['active', 'cancelled'],
  completed: [],
  cancelled: [],
};

/**
 * Funding whose money the community's charity books do not hold: a government purchase of
 * services (政府购买服务) or the organization's own money. Their spending is entered here as
 * expenses; a project funded by the community fund or by donors spends only through the charity
 * books' disbursements, so no payment is ever counted twice.
 */
export const EXPENSE_FUNDING: readonly FundingSource[] = ['government', 'self'];

// ---- cases and services -------------------------------------------------------------------

export const CASE_STATUSES = ['open', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** visit 入户走访 · case_session 个案服务 · group 小组/社区活动 · consultation 咨询 · referral 转介 · other 其他. */
export const SERVICE_KINDS = ['visit', 'case_session', 'group', 'consultation', 'referral', 'other'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const PROVIDER_KINDS = ['social_worker', 'org'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** The longest single service: a day. A programme over several days is one service per day. */
export const MAX_SERVICE_MS = 24 * 3_600_000;

/** What the journal says about this domain. */
export type OrgEntryType =
  | 'org.registered'
  | 'org.updated'
  | 'org.status_changed'
  | 'social_worker.registered'
  | 'social_worker.status_changed'
  | 'project.created'
  | 'project.status_changed'
  | 'project.expense_recorded'
  | 'case.opened'
  | 'case.closed'
  | 'case.updated'
  | 'visit.planned'
  | 'visit.cancelled'
  | 'service.recorded'
  | 'service.rated';

export type OrgEntity = 'organization' | 'social_worker' | 'project' | 'project_expense' | 'case' | 'service' | 'planned_visit';

// ---- 统一社会信用代码 (GB 32100-2015) ----------------------------------------------------------

/** The 31 characters a credit code is written in: digits and capitals without I, O, S, V, Z. */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const CREDIT_CODE_SHAPE = /^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/;

/**
 * The check character (18th) of the first 17 characters of a 统一社会信用代码: 31 − (Σ value ×
 * weight mod 31), 31 read as 0, written in the code's alphabet. Null when a character is not in it.
 *
 * @example creditCodeCheck('91350100M000100Y4') === '3'
 */
export function creditCodeCheck(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CODE_ALPHABET.indexOf(first17[i]!);
    if (v < 0) return null;
    sum += v * CREDIT_CODE_WEIGHTS[i]!;
  }
  return CREDIT_CODE_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/**
 * Whether `code` is a well-formed 统一社会信用代码: 18 characters of the alphabet (registration
 * authority and type, a 6-digit division code, the 9-character organization code) ending in the
 * right check character. A typo in any one character, or two neighbours swapped, fails.
 */
export function isValidCreditCode(code: string): boolean {
  return CREDIT_CODE_SHAPE.test(code) && creditCodeCheck(code.slice(0, 17)) === code[17];
}

// ---- numbers ------------------------------------------------------------------------------

/** `XM-2026-0001`: 项目 (project), the local year it was registered, its number in that year. */
export const projectCode = (year: number, n: number) => `XM-${year}-${String(n).padStart(4, '0')}`;
/** `GA-2026-0001`: 个案 (case), the local year it was opened, its number in that year. */
export const caseCode = (year: number, n: number) => `GA-${year}-${String(n).padStart(4, '0')}`;

// ---- local dates --------------------------------------------------------------------------

/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

// ---- schemas ------------------------------------------------------------------------------

const required = (max: number) => singleLineText(max).min(1, 'required');
const id = z.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive');
const phone = z.string().trim().regex(/^[0-9+\- ]{5,20}$/, 'must be a phone number');
const cents = z.number({ message: 'must be a number of fen' }).int('must be a whole number of fen').min(0, 'must not be negative')
  .max(1e12, 'is too large');
const category = z.enum(SERVICE_CATEGORY_CODES, { message: `must be one of ${SERVICE_CATEGORY_CODES.join(', ')}` });
const categories = z.array(category, { message: 'must be a list of service categories' }).max(SERVICE_CATEGORY_CODES.length)
  .transform((list) => [...new Set(list)]);
const populations = z.array(z.enum(POPULATION_CODES, { message: `must be one of ${POPULATION_CODES.join(', ')}` }),
  { message: 'must be a list of key populations' }).max(POPULATION_CODES.length).transform((list) => [...new Set(list)]);
const gridId = z.string().min(1, 'required').max(40);
const localDate = z.string().refine(isCalendarDate, 'must be a date like 2026-03-01');
const digits = z.string().regex(/^\d{1,12}$/, 'must be an id');
const cursor = z.string().regex(/^\d+$/, 'is not a cursor from a previous page').optional();
const pageLimit = z.coerce.number().int().min(1).max(500).default(50);
const note = multiLineText(500).optional();
const notBefore2000 = (v: string) => Date.parse(v) >= Date.UTC(2000, 0, 1);
const pastInstant = instant.refine(notBefore2000, 'must be in 2000 or later');
const rating = z.number({ message: 'must be a number from 1 to 5' }).int('must be a whole number').min(1, 'at least 1').max(5, 'at most 5');

const creditCode = z.string().superRefine(textRule('single')).trim().toUpperCase();

export const registerOrgBody = z
  .object({
    name: required(80),
    kind: z.enum(ORG_KINDS),
    /**
     * 统一社会信用代码, required of every kind but a resident group; a resident group may give
     * its filing number (备案号) instead, or nothing.
     */
    registrationNo: creditCode.optional(),
    contactName: required(40),
    contactPhone: phone,
    categories: categories.default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    const no = v.registrationNo;
    if (v.kind !== 'resident_group') {
      if (!no) ctx.addIssue({ code: 'custom', path: ['registrationNo'], message: 'required: the 18-character 统一社会信用代码' });
      else if (!isValidCreditCode(no)) {
        ctx.addIssue({ code: 'custom', path: ['registrationNo'], message: 'is not a valid 统一社会信用代码 (18 characters with a matching check character)' });
      }
    } else if (no !== undefined) {
      // Something that looks like a credit code must be one; anything else is a filing number.
      if (/^[0-9A-Z]{18}$/.test(no) && !isValidCreditCode(no)) {
        ctx.addIssue({ code: 'custom', path: ['registrationNo'], message: 'is not a valid 统一社会信用代码 (18 characters with a matching check character)' });
      } else if (no.length < 2 || no.length > 40) {
        ctx.addIssue({ code: 'custom', path: ['registrationNo'], message: 'a filing number has 2 to 40 characters' });
      }
    }
  });
export type RegisterOrgBody = z.infer<typeof registerOrgBody>;

/** Change an organization's contact or the categories it serves. */
export const updateOrgBody = z
  .object({ contactName: required(40).optional(), contactPhone: phone.optional(), categories: categories.optional() })
  .extend({
    /** The `updatedAt` the form was opened with: changed meanwhile by someone else → 409 `error.version_conflict`. */
    expectedUpdatedAt: instant.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).some((k) => k !== 'expectedUpdatedAt'), { message: 'nothing to change', path: ['(body)'] });
export type UpdateOrgBody = z.infer<typeof updateOrgBody>;

export const orgStatusBody = z.object({ status: z.enum(ORG_STATUSES), note }).strict();
export type OrgStatusBody = z.infer<typeof orgStatusBody>;

export const registerWorkerBody = z
  .object({
    name: required(40),
    phone,
    /** The organization that employs them (a 社工站 or a social-work agency); none for community staff. */
    orgId: id.optional(),
    qualification: z.enum(QUALIFICATIONS).default('none'),
    /** The grids they cover. */
    grids: z.array(gridId, { message: 'must be a list of grid ids' }).max(50).transform((l) => [...new Set(l)]).default([]),
  })
  .strict();
export type RegisterWorkerBody = z.infer<typeof registerWorkerBody>;

export const workerStatusBody = z.object({ status: z.enum(WORKER_STATUSES), note }).strict();
export type WorkerStatusBody = z.infer<typeof workerStatusBody>;

export const createProjectBody = z
  .object({
    name: required(80),
    description: multiLineText(2000).default(''),
    category,
    /** Who runs it: an organization, a lead social worker, or both (an org's project led by its social worker). */
    orgId: id.optional(),
    socialWorkerId: id.optional(),
    funding: z.enum(FUNDING_SOURCES),
    budgetCents: cents,
    /** The period, local calendar dates, both inclusive. */
    startsOn: localDate,
    endsOn: localDate,
    targetServices: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(1_000_000).optional(),
    targetBeneficiaries: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(1_000_000).optional(),
    /** The need (需求清单) it meets. */
    needId: id.optional(),
    gridId: gridId.optional(),
    /** `planned` while it is prepared; `active` when it starts at once. */
    status: z.enum(['planned', 'active']).default('planned'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.orgId === undefined && v.socialWorkerId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['orgId'], message: 'required: the organization running it, or socialWorkerId, its lead social worker' });
    }
    if (isCalendarDate(v.startsOn) && isCalendarDate(v.endsOn) && v.endsOn < v.startsOn) {
      ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'must not be before startsOn' });
    }
  });
export type CreateProjectBody = z.infer<typeof createProjectBody>;

export const projectStatusBody = z.object({ status: z.enum(PROJECT_STATUSES), note }).strict();
export type ProjectStatusBody = z.infer<typeof projectStatusBody>;

export const recordExpenseBody = z
  .object({
    amountCents: cents.min(1, 'must be at least 1 fen'),
    purpose: required(200),
    /** The local day it was paid; today when absent. Never in the future. */
    spentOn: localDate.optional(),
  })
  .strict();
export type RecordExpenseBody = z.infer<typeof recordExpenseBody>;

export const openCaseBody = z
  .object({
    socialWorkerId: id,
    category,
    /** The client: staff only, never on a wall or in a feed line. */
    clientName: required(40),
    clientPhone: phone.optional(),
    populations: populations.default([]),
    gridId: gridId.optional(),
    needId: id.optional(),
    /** When it was opened, if not now (an intake entered from paper). Never in the future. */
    openedAt: pastInstant.optional(),
  })
  .strict();
export type OpenCaseBody = z.infer<typeof openCaseBody>;

/** achieved 目标达成 · partly 部分达成 · referred 转介 · withdrawn 服务对象退出 · other 其他. */
export const CASE_OUTCOMES = ['achieved', 'partly', 'referred', 'withdrawn', 'other'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export const closeCaseBody = z.object({
  note,
  closedAt: pastInstant.optional(),
  /** How it ended (the desk asks for it; the API keeps it optional for older callers). */
  outcome: z.enum(CASE_OUTCOMES, { message: `must be one of ${CASE_OUTCOMES.join(', ')}` }).optional(),
}).strict();
export type CloseCaseBody = z.infer<typeof closeCaseBody>;

export const recordServiceBody = z
  .object({
    /** Who delivered it: a social worker or an organization, exactly one. */
    socialWorkerId: id.optional(),
    orgId: id.optional(),
    projectId: id.optional(),
    caseId: id.optional(),
    needId: id.optional(),
    kind: z.enum(SERVICE_KINDS),
    /** Defaults to the case's category, then the project's. */
    category: category.optional(),
    /** Defaults to the case's grid, then the project's. */
    gridId: gridId.optional(),
    content: multiLineText(2000).min(1, 'required'),
    /** People served (a group activity counts its participants). */
    beneficiaries: z.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').max(10_000, 'at most 10000')
      .default(1),
    populations: populations.default([]),
    /** When it took place: back-dating is allowed (paper records), the future is not. */
    startedAt: pastInstant,
    endedAt: pastInstant,
    satisfaction: rating.optional(),
    /** The planned visit (走访计划) this service carries out: it is marked done with it. */
    plannedVisitId: id.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.socialWorkerId === undefined) === (v.orgId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['socialWorkerId'], message: 'give exactly one provider: socialWorkerId or orgId' });
    }
    if (v.kind === 'case_session' && v.caseId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['caseId'], message: 'required for a case session' });
    }
    const s = Date.parse(v.startedAt);
    const e = Date.parse(v.endedAt);
    if (e < s) ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'must not be before startedAt' });
    else if (e - s > MAX_SERVICE_MS) ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'a service lasts at most 24 hours; record one per day' });
  });
export type RecordServiceBody = z.infer<typeof recordServiceBody>;

export const rateServiceBody = z.object({ satisfaction: rating }).strict();
export type RateServiceBody = z.infer<typeof rateServiceBody>;

export const listOrgsQuery = z
  .object({
    kind: z.enum(ORG_KINDS).optional(),
    status: z.enum(ORG_STATUSES).optional(),
    category: category.optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListOrgsQuery = z.infer<typeof listOrgsQuery>;

export const listWorkersQuery = z
  .object({
    status: z.enum(WORKER_STATUSES).optional(),
    org: digits.transform(Number).optional(),
    grid: gridId.optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListWorkersQuery = z.infer<typeof listWorkersQuery>;

export const listProjectsQuery = z
  .object({
    status: z.enum(PROJECT_STATUSES).optional(),
    org: digits.transform(Number).optional(),
    worker: digits.transform(Number).optional(),
    funding: z.enum(FUNDING_SOURCES).optional(),
    category: category.optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListProjectsQuery = z.infer<typeof listProjectsQuery>;

export const listCasesQuery = z
  .object({
    status: z.enum(CASE_STATUSES).optional(),
    worker: digits.transform(Number).optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListCasesQuery = z.infer<typeof listCasesQuery>;

export const listServicesQuery = z
  .object({
    worker: digits.transform(Number).optional(),
    org: digits.transform(Number).optional(),
    project: digits.transform(Number).optional(),
    case: digits.transform(Number).optional(),
    kind: z.enum(SERVICE_KINDS).optional(),
    grid: gridId.optional(),
    /** Services that ended at or after `from` and before `to`. */
    from: instant.optional(),
    to: instant.optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListServicesQuery = z.infer<typeof listServicesQuery>;

export const pageQuery = z.object({ limit: pageLimit, cursor }).strict();
export type PageQuery = z.infer<typeof pageQuery>;

// ---- what the API answers ------------------------------------------------------------------

export interface OrgView {
  id: number;
  name: string;
  kind: OrgKind;
  registrationNo: string | null;
  contactName: string;
  contactPhone: string;
  categories: ServiceCategory[];
  status: OrgStatus;
  registeredAt: string;
  updatedAt: string;
}

export interface SocialWorkerView {
  id: number;
  name: string;
  phone: string;
  orgId: number | null;
  qualification: Qualification;
  grids: string[];
  status: WorkerStatus;
  joinedAt: string;
  updatedAt: string;
}

/** A project's progress, derived from the services recorded under it. */
export interface ProjectProgress {
  servicesDone: number;
  beneficiaries: number;
  /** servicesDone / targetServices, 0–1 and beyond; null without a target. */
  servicesRatio: number | null;
  beneficiariesRatio: number | null;
  /** spentCents / budgetCents; null for a zero budget. */
  spentRatio: number | null;
}

export interface ProjectView {
  id: number;
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
  createdAt: string;
  updatedAt: string;
  progress: ProjectProgress;
}

export interface ExpenseView {
  id: number;
  projectId: number;
  amountCents: number;
  purpose: string;
  spentOn: string;
  recordedBy: string;
  recordedAt: string;
}

/** A case as staff see it: the client's name and phone are here, and nowhere public. */
export interface CaseView {
  id: number;
  code: string;
  socialWorkerId: number;
  category: ServiceCategory;
  clientName: string;
  clientPhone: string | null;
  populations: Population[];
  gridId: string | null;
  needId: number | null;
  status: CaseStatus;
  openedAt: string;
  closedAt: string | null;
  /** Sessions recorded so far. */
  sessions: number;
  /** The plan's goals, and the outcome it closed with (the social worker's desk). */
  goals: CaseGoal[];
  outcome: CaseOutcome | null;
  /** Sent back as `expectedUpdatedAt` when the goals are edited. */
  updatedAt: string;
}

export interface ServiceView {
  id: number;
  providerKind: ProviderKind;
  socialWorkerId: number | null;
  /** The organization it counts for: the provider, or the organization running its project. */
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
  startedAt: string;
  endedAt: string;
  minutes: number;
  satisfaction: number | null;
  recordedBy: string;
  recordedAt: string;
}

/** Services over a window, in total and by grid, category and kind (for the console's report). */
export interface ServiceSummary {
  from: string;
  to: string;
  totals: { services: number; beneficiaries: number; minutes: number; rated: number; satisfaction: number | null };
  byGrid: { gridId: string | null; services: number; beneficiaries: number }[];
  byCategory: { category: ServiceCategory; services: number; beneficiaries: number }[];
  byKind: { kind: ServiceKind; services: number; beneficiaries: number }[];
}

export const serviceSummaryQuery = z
  .object({
    /** Default: the start of this local month. */
    from: instant.optional(),
    /** Default: now. */
    to: instant.optional(),
  })
  .strict();
export type ServiceSummaryQuery = z.infer<typeof serviceSummaryQuery>;

// ---- the social worker's desk (issue 13) -----------------------------------------------------

/** A case's goal (个案目标): what the plan aims at, and whether it is met. */
export interface CaseGoal {
  text: string;
  done: boolean;
}

/** A case's goals, replaced whole; `expectedUpdatedAt` guards against a colleague's change meanwhile (409). */
export const updateCaseBody = z
  .object({
    goals: z.array(z.object({ text: required(200), done: z.boolean().default(false) }).strict(), { message: 'must be a list of goals' })
      .max(20, 'at most 20 goals'),
    expectedUpdatedAt: instant.optional(),
  })
  .strict();
export type UpdateCaseBody = z.infer<typeof updateCaseBody>;

/** planned 待走访 · done 已走访 (a service records it) · cancelled 已取消. */
export const VISIT_STATUSES = ['planned', 'done', 'cancelled'] as const;
export type VisitStatus = (typeof VISIT_STATUSES)[number];

/** A visit on the schedule (走访计划): a social worker's, optionally for one of their cases. */
export const planVisitBody = z
  .object({
    socialWorkerId: id,
    caseId: id.optional(),
    plannedAt: instant,
    /** Where and what for (staff-only). */
    note: multiLineText(500).default(''),
  })
  .strict();
export type PlanVisitBody = z.infer<typeof planVisitBody>;

export const cancelVisitBody = z.object({}).strict();

export const listVisitsQuery = z
  .object({
    /** The local day, `YYYY-MM-DD`; today when absent. */
    day: localDate.optional(),
    worker: digits.transform(Number).optional(),
  })
  .strict();
export type ListVisitsQuery = z.infer<typeof listVisitsQuery>;

export interface PlannedVisitView {
  id: number;
  socialWorkerId: number;
  caseId: number | null;
  /** The case's number, when it names one. */
  caseCode: string | null;
  plannedAt: string;
  note: string;
  status: VisitStatus;
  serviceId: number | null;
}

/** What a project page shows besides the project: what it delivered, to whom, how it was rated, what it spent. */
export interface ProjectSummary {
  services: number;
  beneficiaries: number;
  minutes: number;
  rated: number;
  /** Mean rating 1–5; null when none is rated. */
  satisfaction: number | null;
  byKind: { kind: ServiceKind; services: number; beneficiaries: number }[];
  byPopulation: { population: Population; services: number }[];
  budgetCents: number;
  spentCents: number;
  remainingCents: number;
  expenses: number;
}

// ---- ledgers out (台账导出) of this subject -----------------------------------------------------

const exportFormat = z.enum(['csv', 'xlsx'], { message: 'must be one of csv, xlsx' });
const exportLang = z.enum(['zh-CN', 'en'], { message: 'must be one of zh-CN, en' }).optional();
const exportOf = <T extends z.ZodRawShape>(shape: T) =>
  z.object({ ...shape, format: exportFormat, lang: exportLang }).strict();

export const exportOrgsQuery = exportOf({ kind: listOrgsQuery.shape.kind, status: listOrgsQuery.shape.status, category: listOrgsQuery.shape.category });
export const exportProjectsQuery = exportOf({
  status: listProjectsQuery.shape.status, org: listProjectsQuery.shape.org, worker: listProjectsQuery.shape.worker,
  funding: listProjectsQuery.shape.funding, category: listProjectsQuery.shape.category,
});
export const exportCasesQuery = exportOf({ status: listCasesQuery.shape.status, worker: listCasesQuery.shape.worker });
export const exportServicesQuery = exportOf({
  worker: listServicesQuery.shape.worker, org: listServicesQuery.shape.org, project: listServicesQuery.shape.project,
  case: listServicesQuery.shape.case, kind: listServicesQuery.shape.kind, grid: listServicesQuery.shape.grid,
  from: listServicesQuery.shape.from, to: listServicesQuery.shape.to,
});
export const exportExpensesQuery = exportOf({});
