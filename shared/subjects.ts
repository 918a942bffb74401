/**
 * The five subjects (五社) and what links them: the vocabulary every domain shares (service
 * categories, key populations, funding sources), the feed item a wall shows for a change, and
 * `SubjectViews`, the server-computed aggregates of the five-subject scenes.
 *
 * Subject views are the same for every audience: names in them are masked on the server before
 * they are computed, so a public wall and a console receive one payload (DESIGN §4).
 */

import type { GuardedCount } from './disclosure.ts';

export const SUBJECTS = ['community', 'org', 'social_worker', 'volunteer', 'charity'] as const;
export type SubjectKind = (typeof SUBJECTS)[number];

/**
 * Service categories (服务类别): what a need asks for and what a resource, an organization or a
 * project offers. Matching compares these. Labels are data, in both languages.
 */
export const SERVICE_CATEGORIES = [
  { code: 'daily_care', zh: '生活照料', en: 'Daily care', color: '#4FC3F7' },
  { code: 'meals', zh: '助餐配送', en: 'Meals', color: '#FFB74D' },
  { code: 'health', zh: '医疗健康', en: 'Health', color: '#81C784' },
  { code: 'emotional', zh: '心理慰藉', en: 'Emotional support', color: '#BA68C8' },
  { code: 'legal', zh: '法律援助', en: 'Legal aid', color: '#90A4AE' },
  { code: 'employment', zh: '就业帮扶', en: 'Employment', color: '#FFD54F' },
  { code: 'education', zh: '教育辅导', en: 'Tutoring', color: '#4DB6AC' },
  { code: 'repair', zh: '家政维修', en: 'Home repair', color: '#A1887F' },
  { code: 'material_aid', zh: '物资救助', en: 'Material aid', color: '#E57373' },
  { code: 'culture', zh: '文体活动', en: 'Culture & sport', color: '#7986CB' },
] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number]['code'];
export const SERVICE_CATEGORY_CODES = SERVICE_CATEGORIES.map((c) => c.code) as unknown as readonly [ServiceCategory, ...ServiceCategory[]];
/** A category's Chinese label (data, as the wall and the feed show it); an unknown code as itself. */
export const serviceCategoryZh = (code: string): string => SERVICE_CATEGORIES.find((c) => c.code === code)?.zh ?? code;

/** Key populations (重点人群): the residents a need or a service concerns. Never shown per person on a wall. */
export const POPULATIONS = [
  { code: 'elderly_alone', zh: '独居老人', en: 'Elderly living alone' },
  { code: 'empty_nest', zh: '空巢老人', en: 'Empty-nest elderly' },
  { code: 'disabled', zh: '残疾人', en: 'Disabled' },
  { code: 'low_income', zh: '低保户', en: 'Low-income family' },
  { code: 'left_behind_child', zh: '留守儿童', en: 'Left-behind child' },
  { code: 'child_in_difficulty', zh: '困境儿童', en: 'Child in difficulty' },
  { code: 'seriously_ill', zh: '重病患者', en: 'Seriously ill' },
  { code: 'veteran', zh: '退役军人', en: 'Veteran' },
] as const;
export type Population = (typeof POPULATIONS)[number]['code'];
export const POPULATION_CODES = POPULATIONS.map((p) => p.code) as unknown as readonly [Population, ...Population[]];

/**
 * Who pays for a project: government purchase of services, venture philanthropy (公益创投: a
 * grant won in a community or district competition), the community fund, donors, or the org itself.
 */
export const FUNDING_SOURCES = ['government', 'venture', 'community_fund', 'donor', 'self'] as const;
export type FundingSource = (typeof FUNDING_SOURCES)[number];

/**
 * One line of the wall's linkage feed ("张* 签到 · 助老陪伴"). `key` is a message key of the
 * `feed.*` family; `params` are already masked and scrubbed on the server.
 */
export interface FeedItem {
  seq: number;
  /** ISO instant with the community's offset. */
  at: string;
  subject: SubjectKind;
  key: string;
  params: Record<string, string | number>;
  gridId: string | null;
}

/** A feed line as a service writes it, before it has a seq (the journal gives it one). */
export type FeedDraft = Omit<FeedItem, 'seq' | 'at'>;

// ---- the five-subject views -------------------------------------------------------------

/** One subject at a glance: a headline count, how many are active, and today's activity. */
export interface SubjectGlance {
  total: number;
  active: number;
  today: number;
}

export interface ActivityToday {
  id: number;
  title: string;
  place: string;
  gridId: string | null;
  startsAt: string;
  endsAt: string;
  /** planned · open · closed · cancelled, and whether it is running now. */
  status: string;
  running: boolean;
  capacity: number;
  signedUp: number;
  checkedIn: number;
}

export interface LeaderboardEntry {
  /** Masked (张*). */
  name: string;
  team: string | null;
  hours: number;
  points: number;
}

export interface VolunteerViews {
  registered: number;
  active: number;
  /** Checked in and not yet out. */
  onDuty: number;
  /** Of this month (local calendar month). */
  hoursMonth: number;
  pointsIssuedMonth: number;
  pointsRedeemedMonth: number;
  /** Held by volunteers now. */
  pointsOutstanding: number;
  servicesToday: number;
  leaderboard: LeaderboardEntry[];
  activitiesToday: ActivityToday[];
}

export interface ProjectGlance {
  code: string;
  name: string;
  /** The running organization's name, or null for a project led by a social worker or the community. */
  org: string | null;
  funding: FundingSource;
  budgetCents: number;
  spentCents: number;
  servicesDone: number;
  targetServices: number | null;
  /** People its services reached; withheld when small (a project's name often says whom it serves). */
  beneficiaries: GuardedCount;
}

export interface OrgViews {
  registered: number;
  active: number;
  projectsActive: number;
  /** Budgets of active projects, and what they have spent, in fen (分). */
  budgetCents: number;
  spentCents: number;
  servicesMonth: number;
  beneficiariesMonth: number;
  projects: ProjectGlance[];
}

export interface SocialWorkViews {
  workers: number;
  active: number;
  casesOpen: number;
  visitsMonth: number;
  servicesMonth: number;
  beneficiariesMonth: number;
  servicesToday: number;
}

export interface DonationGlance {
  /** 爱心人士 (anonymous), a masked person (王*), or a consenting organization's name. */
  donor: string;
  kind: 'money' | 'goods';
  amountCents: number | null;
  item: string | null;
  quantity: number | null;
  unit: string | null;
  at: string;
}

export interface CharityViews {
  /** Money given this month, goods valued at their estimate, in fen. */
  raisedMonthCents: number;
  disbursedMonthCents: number;
  /** The community fund's unrestricted balance, and money designated to projects not yet spent. */
  fundBalanceCents: number;
  restrictedCents: number;
  donationsToday: number;
  donorsMonth: number;
  goods: { name: string; unit: string; onHand: number }[];
  recent: DonationGlance[];
  /** One point per local day of the last 30. */
  daily: { day: string; raisedCents: number; disbursedCents: number }[];
}

export interface NeedViews {
  raisedToday: number;
  metToday: number;
  open: number;
  /** Open past their due time. */
  overdue: number;
  /** Mean hours from raised to met, last 30 days; null when none was met. */
  avgResponseHours: number | null;
  daily: { day: string; raised: number; met: number }[];
  byCategory: { code: ServiceCategory; open: number; met: number }[];
}

/** Mean satisfaction (1–5) over the last 30 days, per source; null when nobody rated. */
export interface SatisfactionViews {
  events: number | null;
  needs: number | null;
  services: number | null;
  overall: number | null;
  ratings: number;
}

/** Service metrics per subject over the last 30 days (from the hourly rollups). */
export interface SubjectMetrics {
  subject: SubjectKind;
  services: number;
  beneficiaries: number;
  satisfaction: number | null;
  /** Mean hours from a need being raised to this subject meeting it. */
  responseHours: number | null;
}

/**
 * The linkage flow (Sankey), last 30 days: needs by category → the subject that took them on →
 * the outcome (met, in progress, not met); needs nobody has taken on yet go straight to
 * `outcome:waiting`. Node ids are `need:<category>`, `subject:<kind>`,
 * `outcome:<met|in_progress|unmet|waiting>`; labels come from the catalogues.
 */
export interface LinkageFlow {
  nodes: { id: string }[];
  links: { source: string; target: string; value: number }[];
}

/**
 * Care for one key population (重点人群关爱), community-wide: services that reached it and its
 * needs raised in the last 30 days, and its needs open now. Small counts are withheld
 * (shared/disclosure.ts); there is deliberately no total across populations.
 */
export interface PopulationCare {
  code: Population;
  services: GuardedCount;
  needsRaised: GuardedCount;
  needsOpen: GuardedCount;
}

export interface SubjectViews {
  /**
   * The five at a glance. total / active / today mean, per subject:
   * community: grid workers / open grid events / events reported today ·
   * org: registered organizations / active projects / services by orgs today ·
   * social_worker: social workers / open cases / services today ·
   * volunteer: registered volunteers / on duty now / services completed today ·
   * charity: donors this month / kinds of goods in stock / donations today.
   */
  glance: Record<SubjectKind, SubjectGlance>;
  volunteers: VolunteerViews;
  orgs: OrgViews;
  socialWork: SocialWorkViews;
  charity: CharityViews;
  needs: NeedViews;
  satisfaction: SatisfactionViews;
  metrics: SubjectMetrics[];
  /** Services per grid, last 30 days, all subjects. */
  grids: { gridId: string; services: number; beneficiaries: number; needsOpen: number }[];
  linkage: LinkageFlow;
  /** Every key population, in the catalogue's order. */
  care: PopulationCare[];
  /** The latest feed lines, newest first, at most FEED_LIMIT. */
  feed: FeedItem[];
}

export const FEED_LIMIT = 30;
