/**
 * The three lists (三张清单): needs (需求清单), resources (资源清单) and what links them — a match
 * accepted turns a need into a project (项目清单) or a task. This file holds the vocabulary, the
 * need's lifecycle table, the time a need may wait by urgency, and the zod schemas for every
 * body and query of `/api/v1/needs`, `/resources` and `/tasks`. Pure: used by the server, the
 * forms and the tests alike.
 *
 *   raised → matched → in_progress → met → rated
 *   raised | matched | in_progress → closed (withdrawn, or not met)
 *
 * Long on purpose: it is the contract of one subject, its vocabulary and one zod schema per body
 * and query, which the server, the forms and the tests share; splitting it would scatter the API.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';
import { multiLineText, singleLineText } from './text.ts';
import {
  FUNDING_SOURCES, POPULATION_CODES, SERVICE_CATEGORY_CODES, type ServiceCategory, type SubjectKind,
} from './subjects.ts';

// ---- needs ------------------------------------------------------------------------------------

export const NEED_STATUSES = ['raised', 'matched', 'in_progress', 'met', 'rated', 'closed'] as const;
export type NeedStatus = (typeof NEED_STATUSES)[number];

/** Statuses in which a need still waits for someone: its due time runs, it may be closed. */
export const OPEN_NEED_STATUSES = ['raised', 'matched', 'in_progress'] as const satisfies readonly NeedStatus[];
export const isOpenNeed = (s: NeedStatus) => (OPEN_NEED_STATUSES as readonly NeedStatus[]).includes(s);

/** What can be done to a need (matches are proposed, accepted and declined on the need). */
export const NEED_ACTIONS = ['propose', 'accept', 'decline', 'start', 'meet', 'rate', 'close'] as const;
export type NeedAction = (typeof NEED_ACTIONS)[number];

/**
 * THE NEED LIFECYCLE. Which actions each status allows, in the order a coordinator reads them.
 * Matching happens while a need is raised; accepting a match makes it matched; the provider
 * starts and meets it; the resident rates it (1–5) once met. Any open need may be closed:
 * withdrawn by the resident, or not met. Rated and closed are final.
 */
export const NEED_TRANSITIONS: Record<NeedStatus, readonly NeedAction[]> = {
  raised: ['propose', 'accept', 'decline', 'close'],
  matched: ['start', 'close'],
  in_progress: ['meet', 'close'],
  met: ['rate'],
  rated: [],
  closed: [],
};

export const allowedNeedActions = (s: NeedStatus): readonly NeedAction[] => NEED_TRANSITIONS[s];

/** 一般 · 较急 · 紧急 …: how urgent a need is, lowest first. */
export const NEED_URGENCIES = ['low', 'normal', 'high', 'urgent'] as const;
export type NeedUrgency = (typeof NEED_URGENCIES)[number];

/**
 * How long a need may wait, from raised to met, by urgency: urgent within a day, high within
 * three days, normal within a week, low within two weeks. A need open past it is overdue.
 */
export const NEED_DUE_HOURS: Record<NeedUrgency, number> = { urgent: 24, high: 72, normal: 168, low: 336 };

/** When a need raised at `raisedAt` with `urgency` is due. */
export const needDueAt = (raisedAt: number, urgency: NeedUrgency): number => raisedAt + NEED_DUE_HOURS[urgency] * 3_600_000;

/** Who raised it: a resident (through staff or the hotline), a grid worker, a social worker, an organization. */
export const RAISED_BY_KINDS = ['resident', 'grid_worker', 'social_worker', 'org'] as const;
export type RaisedByKind = (typeof RAISED_BY_KINDS)[number];

export const CLOSE_REASONS = ['withdrawn', 'not_met'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** `XQ-2026-0001` (需求): the year raised (local) and a sequence within it. */
export function needCode(year: number, seq: number): string {
  return `XQ-${year}-${String(seq).padStart(4, '0')}`;
}

/** Project numbers (`XM-2026-0001`) are the organizations' (`projectCode` in shared/orgs.ts). */

// ---- resources, matches, tasks ----------------------------------------------------------------

/** Who offers a resource. All but donor and community name a row of their own table. */
export const PROVIDER_KINDS = ['org', 'volunteer', 'team', 'social_worker', 'donor', 'community'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** The providers that are rows of a table (organizations, volunteers, volunteer_teams, social_workers). */
export const PROVIDERS_WITH_ID = ['org', 'volunteer', 'team', 'social_worker'] as const satisfies readonly ProviderKind[];
export const hasProviderId = (k: ProviderKind) => (PROVIDERS_WITH_ID as readonly ProviderKind[]).includes(k);

/** The subject (五社) a provider belongs to: whose figures a need it meets counts towards. */
export const SUBJECT_OF_PROVIDER: Record<ProviderKind, SubjectKind> = {
  org: 'org',
  volunteer: 'volunteer',
  team: 'volunteer',
  social_worker: 'social_worker',
  donor: 'charity',
  community: 'community',
};

/**
 * A need this many people or more, or one taken on by an organization, becomes a project
 * (项目清单) rather than a single task.
 */
export const PROJECT_BENEFICIARIES = 6;

export const RESOURCE_STATUSES = ['available', 'paused', 'withdrawn'] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

export const MATCH_STATUSES = ['proposed', 'accepted', 'declined'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

export const TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * Service categories close enough that one may stand in for the other, at a lower score
 * (symmetric): a meal service can help with daily care, a tutor with culture.
 */
export const RELATED_CATEGORIES: Record<ServiceCategory, readonly ServiceCategory[]> = {
  daily_care: ['meals', 'health', 'emotional', 'repair', 'material_aid'],
  meals: ['daily_care', 'material_aid'],
  health: ['daily_care', 'emotional'],
  emotional: ['daily_care', 'health', 'culture'],
  legal: ['employment'],
  employment: ['legal', 'education'],
  education: ['employment', 'culture'],
  repair: ['daily_care'],
  material_aid: ['daily_care', 'meals'],
  culture: ['emotional', 'education'],
};

/** When a resource can be used: ISO weekdays (1 = Monday … 7 = Sunday) and a local time window. */
export interface Availability {
  days: readonly number[];
  from: string;
  to: string;
}

/** The feed's and the linkage flow's subject keys, and the outcomes of a need. */
export const LINKAGE_OUTCOMES = ['met', 'in_progress', 'unmet', 'waiting'] as const;
export type LinkageOutcome = (typeof LINKAGE_OUTCOMES)[number];

/** A reason a match was proposed: a message key of the `match.reason.*` family and its values. */
export interface MatchReason {
  key: string;
  params?: Record<string, string | number>;
}

/** What the journal says about the three lists. */
export type NeedEntryType =
  | 'need.raised'
  | 'need.matches_proposed'
  | 'need.match_declined'
  | 'need.matched'
  | 'need.started'
  | 'need.met'
  | 'need.rated'
  | 'need.closed'
  | 'resource.created'
  | 'resource.status_changed';

export type NeedEntity = 'need' | 'match' | 'resource';

// ---- schemas ----------------------------------------------------------------------------------

const required = (max: number) => singleLineText(max).min(1, 'required');
const id = z.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive');
const phone = z.string().trim().regex(/^[0-9+\- ]{5,20}$/, 'must be a phone number');
const skills = z
  .array(required(20), { message: 'must be a list of skills' })
  .max(20, 'at most 20 skills')
  .transform((list) => [...new Set(list)]);
const category = z.enum(SERVICE_CATEGORY_CODES, { message: `must be one of ${SERVICE_CATEGORY_CODES.join(', ')}` });
const digits = z.string().regex(/^\d{1,12}$/, 'must be an id');
const cursor = z.string().regex(/^\d{1,15}$/, 'is not a cursor from a previous page').optional();
const pageLimit = z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(500, 'at most 500').default(50);
// NaN (not a date-time: the format check names it) is not "before 2000", so one bad value is one issue.
const since2000 = instant.refine((v) => !(Date.parse(v) < Date.UTC(2000, 0, 1)), 'must be in 2000 or later');
const note = multiLineText(500);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 08:30');
/**
 * The need's `version` as the form that sends a change read it: when someone else changed the
 * need meanwhile, the change is refused with 409 `error.version_conflict` naming who and when.
 */
const expectedVersion = z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').optional();

export const availabilitySchema = z
  .object({
    days: z
      .array(z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'weekdays are 1 (Monday) to 7 (Sunday)').max(7, 'weekdays are 1 (Monday) to 7 (Sunday)'))
      .min(1, 'at least one day')
      .max(7, 'at most 7 days')
      .transform((d) => [...new Set(d)].sort((a, b) => a - b)),
    from: hhmm,
    to: hhmm,
  })
  .strict()
  .refine((a) => a.to > a.from, { path: ['to'], message: 'must be after from' });

export const raiseNeedBody = z
  .object({
    title: required(80),
    description: multiLineText(2000).default(''),
    category,
    skills: skills.default([]),
    urgency: z.enum(NEED_URGENCIES).default('normal'),
    gridId: z.string().min(1).max(40).optional(),
    address: singleLineText(200).optional(),
    raisedByKind: z.enum(RAISED_BY_KINDS),
    /** The resident concerned; staff-only, masked on every public surface. */
    residentName: singleLineText(40).min(1, 'must not be blank').optional(),
    residentPhone: phone.optional(),
    populations: z.array(z.enum(POPULATION_CODES), { message: 'must be a list of population codes' }).max(8).default([])
      .transform((list) => [...new Set(list)]),
    beneficiaries: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(100_000, 'at most 100000').default(1),
    /** When it was raised, if earlier than now (a paper record entered later). The due time counts from it. */
    raisedAt: since2000.optional(),
  })
  .strict();
export type RaiseNeedBody = z.infer<typeof raiseNeedBody>;

export const proposeBody = z
  .object({ limit: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(20, 'at most 20').default(5) })
  .strict();
export type ProposeBody = z.infer<typeof proposeBody>;

export const acceptMatchBody = z
  .object({
    /** For a project: who pays. The org itself unless said. */
    funding: z.enum(FUNDING_SOURCES).default('self'),
    budgetCents: z.number({ message: 'must be a number' }).int('must be a whole number (fen)').min(0, 'must not be negative').max(1e12).default(0),
    note: note.optional(),
    expectedVersion,
  })
  .strict();
export type AcceptMatchBody = z.infer<typeof acceptMatchBody>;

export const declineMatchBody = z.object({ note: note.optional(), expectedVersion }).strict();
export type DeclineMatchBody = z.infer<typeof declineMatchBody>;

/** Start or meet a need; `at` when it happened, if earlier (a paper record). */
export const needStepBody = z.object({ at: since2000.optional(), note: note.optional(), expectedVersion }).strict();
export type NeedStepBody = z.infer<typeof needStepBody>;

export const rateNeedBody = z
  .object({
    satisfaction: z.number({ message: 'must be a number' }).int('must be a whole number from 1 to 5').min(1, 'must be from 1 to 5').max(5, 'must be from 1 to 5'),
    note: note.optional(),
    at: since2000.optional(),
    expectedVersion,
  })
  .strict();
export type RateNeedBody = z.infer<typeof rateNeedBody>;

export const closeNeedBody = z
  .object({ reason: z.enum(CLOSE_REASONS), note: note.min(1, 'required'), at: since2000.optional(), expectedVersion })
  .strict();
export type CloseNeedBody = z.infer<typeof closeNeedBody>;

export const listNeedsQuery = z
  .object({
    status: z.enum(NEED_STATUSES).optional(),
    /** Only open needs (raised, matched, in progress). */
    open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    /** Only open needs past their due time. */
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    category: category.optional(),
    urgency: z.enum(NEED_URGENCIES).optional(),
    grid: z.string().min(1).max(40).optional(),
    /** Needs for this key population (重点人群). */
    population: z.enum(POPULATION_CODES, { message: `must be one of ${POPULATION_CODES.join(', ')}` }).optional(),
    /** Search: the need's code, title, or the resident's name or phone. */
    q: singleLineText(40).min(1, 'must not be blank').optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListNeedsQuery = z.infer<typeof listNeedsQuery>;

export const createResourceBody = z
  .object({
    providerKind: z.enum(PROVIDER_KINDS),
    /** The provider's row (organizations, volunteers, volunteer_teams, social_workers); not for donor or community. */
    providerId: id.optional(),
    /** Only for a donor or the community: the name the provider goes by. Others' names come from their rows. */
    providerName: required(80).optional(),
    title: required(80),
    description: multiLineText(1000).default(''),
    category,
    skills: skills.default([]),
    /** Where it serves; the whole community when absent. */
    gridId: z.string().min(1).max(40).optional(),
    /** When it can be used; any time when absent. */
    availability: availabilitySchema.optional(),
    /** How many needs it can serve at once. */
    capacity: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(10_000, 'at most 10000').default(1),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (hasProviderId(v.providerKind)) {
      if (v.providerId === undefined) ctx.addIssue({ code: 'custom', path: ['providerId'], message: `required for a ${v.providerKind}` });
      if (v.providerName !== undefined) ctx.addIssue({ code: 'custom', path: ['providerName'], message: `comes from the ${v.providerKind}'s record; leave it out` });
    } else {
      if (v.providerId !== undefined) ctx.addIssue({ code: 'custom', path: ['providerId'], message: `a ${v.providerKind} has no record to name; leave it out` });
      if (v.providerName === undefined) ctx.addIssue({ code: 'custom', path: ['providerName'], message: `required for a ${v.providerKind}` });
    }
  });
export type CreateResourceBody = z.infer<typeof createResourceBody>;

export const resourceStatusBody = z.object({ status: z.enum(RESOURCE_STATUSES), note: note.optional() }).strict();
export type ResourceStatusBody = z.infer<typeof resourceStatusBody>;

export const listResourcesQuery = z
  .object({
    status: z.enum(RESOURCE_STATUSES).optional(),
    category: category.optional(),
    provider: z.enum(PROVIDER_KINDS).optional(),
    grid: z.string().min(1).max(40).optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListResourcesQuery = z.infer<typeof listResourcesQuery>;

export const listTasksQuery = z
  .object({
    status: z.enum(TASK_STATUSES).optional(),
    assignee: z.enum(PROVIDER_KINDS).optional(),
    need: digits.transform(Number).optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListTasksQuery = z.infer<typeof listTasksQuery>;

// ---- what the API answers ---------------------------------------------------------------------

export interface NeedView {
  id: number;
  code: string;
  title: string;
  description: string;
  category: ServiceCategory;
  skills: string[];
  urgency: NeedUrgency;
  gridId: string | null;
  address: string | null;
  raisedByKind: RaisedByKind;
  raisedBy: string;
  /** Staff only; never on a public surface. */
  residentName: string | null;
  residentPhone: string | null;
  populations: string[];
  beneficiaries: number;
  status: NeedStatus;
  /** What may be done next (NEED_TRANSITIONS). */
  allowed: readonly NeedAction[];
  metBy: SubjectKind | null;
  resourceId: number | null;
  closeReason: CloseReason | null;
  satisfaction: number | null;
  dueAt: string;
  /** Open and past its due time now. */
  overdue: boolean;
  raisedAt: string;
  matchedAt: string | null;
  startedAt: string | null;
  metAt: string | null;
  ratedAt: string | null;
  closedAt: string | null;
  updatedAt: string;
  version: number;
}

export interface ResourceView {
  id: number;
  providerKind: ProviderKind;
  providerId: number | null;
  providerName: string;
  title: string;
  description: string;
  category: ServiceCategory;
  skills: string[];
  gridId: string | null;
  availability: Availability | null;
  capacity: number;
  inUse: number;
  status: ResourceStatus;
  createdAt: string;
  updatedAt: string;
}

export interface MatchView {
  id: number;
  needId: number;
  resourceId: number;
  resource: { providerKind: ProviderKind; providerName: string; title: string; category: ServiceCategory };
  score: number;
  reasons: MatchReason[];
  status: MatchStatus;
  projectId: number | null;
  taskId: number | null;
  proposedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  note: string | null;
}

export interface TaskView {
  id: number;
  needId: number;
  resourceId: number;
  assigneeKind: ProviderKind;
  assigneeId: number | null;
  title: string;
  status: TaskStatus;
  dueAt: string | null;
  createdAt: string;
  doneAt: string | null;
  note: string | null;
}

/** One line of a need's history (the journal's entries on it, its matches and its project), oldest first. */
export interface NeedHistoryLine {
  seq: number;
  /** e.g. `need.matched`, `need.match_declined`, `project.created`. */
  type: NeedEntryType | 'project.created' | 'project.status_changed';
  at: string;
  /** Who did it (their display name), when the entry says; null for entries written before it did. */
  by: string | null;
  fromStatus: string | null;
  data: Record<string, unknown>;
}

/**
 * The board's flow figures (GET /needs/flow): the needs' figures and the linkage flow exactly
 * as the wall's subject views hold them (one source, so the board and the wall agree).
 */
export interface NeedFlowView {
  needs: import('./subjects.ts').NeedViews;
  linkage: import('./subjects.ts').LinkageFlow;
  /** Needs per status now, the whole community (the board's counts). */
  byStatus: Record<NeedStatus, number>;
  /** Resources and projects per status now. */
  resources: Record<ResourceStatus, number>;
  projects: Record<import('./orgs.ts').ProjectStatus, number>;
}

// ---- the ledgers out ----------------------------------------------------------------------------

const exportFormat = z.enum(['csv', 'xlsx'], { message: 'must be one of csv, xlsx' });
const exportLang = z.enum(['zh-CN', 'en'], { message: 'must be one of zh-CN, en' }).optional();

/** The needs' ledger (需求台账): the list's filters, every row. */
export const needsExportQuery = listNeedsQuery.omit({ limit: true, cursor: true })
  .extend({ format: exportFormat, lang: exportLang }).strict();
export type NeedsExportQuery = z.infer<typeof needsExportQuery>;

export const resourcesExportQuery = listResourcesQuery.omit({ limit: true, cursor: true })
  .extend({ format: exportFormat, lang: exportLang }).strict();
export type ResourcesExportQuery = z.infer<typeof resourcesExportQuery>;

export const tasksExportQuery = listTasksQuery.omit({ limit: true, cursor: true })
  .extend({ format: exportFormat, lang: exportLang }).strict();
export type TasksExportQuery = z.infer<typeof tasksExportQuery>;

/**
 * The flow summary the board shows beside its lists, read off the linkage flow (the wall's
 * Sankey): how many needs it holds, how many each subject took on, how many ended each way.
 * Every need is one path from its category, so the first hop's values add up to the total.
 */
export function flowTotals(flow: import('./subjects.ts').LinkageFlow): {
  total: number;
  bySubject: Record<string, number>;
  byOutcome: Record<LinkageOutcome, number>;
} {
  const bySubject: Record<string, number> = {};
  const byOutcome = Object.fromEntries(LINKAGE_OUTCOMES.map((o) => [o, 0])) as Record<LinkageOutcome, number>;
  let total = 0;
  for (const l of flow.links) {
    if (l.source.startsWith('need:')) total += l.value;
    if (l.target.startsWith('subject:')) bySubject[l.target.slice(8)] = (bySubject[l.target.slice(8)] ?? 0) + l.value;
    if (l.target.startsWith('outcome:')) byOutcome[l.target.slice(8) as LinkageOutcome] += l.value;
  }
  return { total, bySubject, byOutcome };
}
