/**
 * Demo organizations and social work for 桂花社区: nine organizations (social-work and elderly-
 * care agencies, a disability service, a foundation, the street's social-work station, two
 * companies, two resident groups), six social workers, eleven projects with their budgets (政府
 * 购买 助老服务, 社区基金 四点半课堂, 爱心企业捐赠 长者食堂 …), a month of services spread over the
 * grids with believable beneficiaries and ratings, and a few cases, open and closed.
 *
 * Everything goes through OrgService on a clock that moves through the last 30 days, so the
 * metrics, the journal, the feed and the project figures are what real use would have made:
 * each service is recorded shortly after it ended, ratings come in a day or two later, a
 * project completes, an organization is suspended. All names are invented.
 *
 * The simulator keeps it alive at the history's pace and in working hours: about a service an
 * hour from 09:00 to 20:00 (fewer at weekends), recorded a little after it ended; follow-up calls
 * with ratings and case work in office hours; projects past their end date completed in the
 * morning. Nothing at night.
 *
 * Long on purpose: it is the demo's script for one subject, its invented data, the seeder that
 * lives a month through the service and the simulator that carries on, read top to bottom.
 */
import { DomainError } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { OrgService } from '../orgs/service.ts';
import type { CaseRecord, OrgRecord, ProjectRecord, SocialWorkerRecord } from '../orgs/record.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { creditCodeCheck, type OrgKind, type Qualification, type RecordServiceBody, type ServiceKind } from '../../shared/orgs.ts';
import type { FundingSource, Population, ServiceCategory } from '../../shared/subjects.ts';
import { DAY_MS, HOUR_MS, localDay, startOfLocalDay } from '../../shared/time.ts';
import { DEMO_COMMUNITY, type DemoCommunity } from './community.ts';
import { pick, seededRandom } from './seed.ts';
import { HOURS, nextOpening, withinHours } from './pace.ts';
import { Ticker, type TickerOptions } from './ticker.ts';

const MIN = 60_000;

interface DemoOrg {
  name: string;
  kind: OrgKind;
  /** The first 17 characters of its 统一社会信用代码 (the check character is computed), or a filing number. */
  code: string | null;
  contactName: string;
  contactPhone: string;
  categories: ServiceCategory[];
}

/** The organizations (invented). Codes: 52 社会服务机构, 53 基金会, 12 事业单位, 91 企业; 330106 is 西湖区. */
export const DEMO_ORGS: readonly DemoOrg[] = [
  { name: '杭州市西湖区桂花社工服务中心', kind: 'social_org', code: '52330106MJ8A3K217', contactName: '陆雅静', contactPhone: '0571-88213645', categories: ['emotional', 'education', 'legal', 'daily_care'] },
  { name: '杭州市西湖区乐龄养老服务中心', kind: 'social_org', code: '52330106MJ9B12345', contactName: '蒋振华', contactPhone: '0571-88079312', categories: ['daily_care', 'meals', 'health'] },
  { name: '杭州市西湖区阳光助残服务社', kind: 'social_org', code: '52330106MJ7C40218', contactName: '卢晓红', contactPhone: '0571-86902271', categories: ['health', 'employment', 'daily_care'] },
  { name: '杭州市春晖慈善基金会', kind: 'charity_org', code: '53330100MJ5D6E013', contactName: '邵文博', contactPhone: '0571-87335108', categories: ['material_aid', 'education'] },
  { name: '文三街道社会工作站', kind: 'public_institution', code: '12330106MB1F20476', contactName: '韩晓琳', contactPhone: '0571-88850120', categories: ['emotional', 'legal', 'employment'] },
  { name: '杭州桂花物业服务有限公司', kind: 'enterprise', code: '91330106MA2H3K4L5', contactName: '郎建平', contactPhone: '0571-88963302', categories: ['repair'] },
  { name: '桂花社区书画协会', kind: 'resident_group', code: null, contactName: '柯守仁', contactPhone: '13606718842', categories: ['culture'] },
  { name: '桂花社区银龄互助会', kind: 'resident_group', code: '文三社备2024-017', contactName: '单凤仪', contactPhone: '13867402215', categories: ['daily_care', 'culture'] },
  { name: '杭州暖心家政服务有限公司', kind: 'enterprise', code: '91330106MA2J8N6P1', contactName: '储立新', contactPhone: '0571-86771958', categories: ['repair', 'daily_care'] },
];

interface DemoWorker {
  name: string;
  org: string | null;
  qualification: Qualification;
  grids: string[];
  /** What they usually do when no case or project says. */
  categories: ServiceCategory[];
}

/** Social workers: three of the agency, two of the street's station (社工站), one on the community's staff. */
export const DEMO_SOCIAL_WORKERS: readonly DemoWorker[] = [
  { name: '林思远', org: '杭州市西湖区桂花社工服务中心', qualification: 'social_worker', grids: ['G01', 'G02'], categories: ['emotional', 'education'] },
  { name: '苗佳慧', org: '杭州市西湖区桂花社工服务中心', qualification: 'assistant', grids: ['G05', 'G06'], categories: ['daily_care', 'education'] },
  { name: '郑文涛', org: '文三街道社会工作站', qualification: 'senior', grids: ['G03', 'G04'], categories: ['legal', 'emotional'] },
  { name: '邢雨桐', org: '文三街道社会工作站', qualification: 'assistant', grids: ['G07', 'G08'], categories: ['employment', 'material_aid'] },
  { name: '骆晓萌', org: null, qualification: 'social_worker', grids: ['G09', 'G10'], categories: ['daily_care', 'emotional'] },
  { name: '车志强', org: '杭州市西湖区乐龄养老服务中心', qualification: 'none', grids: ['G01', 'G05'], categories: ['daily_care', 'health'] },
];

interface DemoProject {
  name: string;
  description: string;
  category: ServiceCategory;
  org: string | null;
  lead: string | null;
  funding: FundingSource;
  /** Yuan. */
  budget: number;
  /** Days from the seed's first day (negative: before it). */
  from: number;
  to: number;
  targetServices?: number;
  targetBeneficiaries?: number;
  grid?: string;
  status: 'planned' | 'active';
}

/** Projects (项目清单). Periods are relative to the first seeded day; one ends and completes inside the month. */
export const DEMO_PROJECTS: readonly DemoProject[] = [
  { name: '桂花社区居家养老助老服务', description: '政府购买服务：为辖区高龄、独居老人提供上门探访、生活照料和健康监测。', category: 'daily_care', org: '杭州市西湖区乐龄养老服务中心', lead: null, funding: 'government', budget: 360_000, from: -90, to: 275, targetServices: 240, targetBeneficiaries: 120, status: 'active' },
  { name: '四点半课堂儿童托管', description: '社区基金资助：放学后作业辅导与托管，服务双职工家庭和留守儿童。', category: 'education', org: '杭州市西湖区桂花社工服务中心', lead: '苗佳慧', funding: 'community_fund', budget: 80_000, from: -45, to: 120, targetServices: 120, targetBeneficiaries: 40, grid: 'G08', status: 'active' },
  { name: '长者爱心食堂助餐', description: '爱心企业捐赠：长者食堂午餐补贴与行动不便老人送餐上门。', category: 'meals', org: '杭州市西湖区乐龄养老服务中心', lead: null, funding: 'donor', budget: 120_000, from: -20, to: 345, targetServices: 200, targetBeneficiaries: 80, grid: 'G05', status: 'active' },
  { name: '困境儿童关爱守护', description: '政府购买服务：困境儿童个案管理、心理陪伴与家庭支持。', category: 'emotional', org: '杭州市西湖区桂花社工服务中心', lead: '林思远', funding: 'government', budget: 150_000, from: -60, to: 305, targetServices: 150, targetBeneficiaries: 30, status: 'active' },
  { name: '阳光助残康复服务', description: '政府购买服务：残疾人居家康复指导、辅具适配与就业支持。', category: 'health', org: '杭州市西湖区阳光助残服务社', lead: null, funding: 'government', budget: 100_000, from: -30, to: 335, targetServices: 120, targetBeneficiaries: 30, status: 'active' },
  { name: '邻里调解与法律咨询', description: '街道社工站项目：矛盾纠纷调解、法律咨询与转介。', category: 'legal', org: null, lead: '郑文涛', funding: 'government', budget: 30_000, from: -15, to: 170, targetServices: 80, status: 'active' },
  { name: '物业便民维修日', description: '物业企业自筹：每周为老人和困难家庭免费维修水电、门窗。', category: 'repair', org: '杭州桂花物业服务有限公司', lead: null, funding: 'self', budget: 20_000, from: -10, to: 180, targetServices: 60, status: 'active' },
  { name: '翰墨桂花·书画进社区', description: '社区基金资助：书画协会每周公益书画课。', category: 'culture', org: '桂花社区书画协会', lead: null, funding: 'community_fund', budget: 8_000, from: -5, to: 150, targetServices: 40, targetBeneficiaries: 300, grid: 'G02', status: 'active' },
  { name: '春晖助学', description: '基金会捐赠：困难家庭学生助学金与学习用品。', category: 'material_aid', org: '杭州市春晖慈善基金会', lead: null, funding: 'donor', budget: 50_000, from: 0, to: 200, targetBeneficiaries: 30, status: 'active' },
  { name: '独居老人心理关爱小组', description: '区级公益创投资助：独居老人减压与互助小组，八节。', category: 'emotional', org: null, lead: '骆晓萌', funding: 'venture', budget: 20_000, from: -70, to: 20, targetServices: 24, targetBeneficiaries: 12, grid: 'G09', status: 'active' },
  { name: '长者智能手机课堂', description: '街道社工站项目：教老人使用健康码、视频通话和防诈骗。', category: 'education', org: '文三街道社会工作站', lead: '邢雨桐', funding: 'government', budget: 15_000, from: 40, to: 100, targetServices: 16, targetBeneficiaries: 160, status: 'planned' },
];

/** What a service says it was, by category: one person's or household's, and a group's. */
const CONTENT: Record<ServiceCategory, { one: string[]; group: string[] }> = {
  daily_care: {
    one: ['入户探访独居老人，检查燃气和用电安全', '协助高龄老人整理家务、晾晒被褥', '为行动不便老人代购生活用品并陪同就医', '上门测量血压，了解近期饮食起居'],
    group: ['开展老年人居家安全知识讲座', '组织长者生日会'],
  },
  meals: {
    one: ['为行动不便老人送餐上门', '了解老人助餐需求，登记用餐补贴', '回访送餐老人，征求菜品意见'],
    group: ['长者食堂午餐助餐服务', '长者食堂营养膳食讲座'],
  },
  health: {
    one: ['上门开展康复训练指导', '为残疾人适配助行辅具', '慢病老人健康随访'],
    group: ['社区健康义诊', '康复互助小组活动'],
  },
  emotional: {
    one: ['陪伴独居老人聊天，进行情绪疏导', '困境儿童心理陪伴与家庭访视', '重病患者家属心理支持'],
    group: ['独居老人减压互助小组', '亲子沟通工作坊'],
  },
  legal: {
    one: ['提供赡养纠纷法律咨询', '调解邻里漏水纠纷', '协助申请法律援助'],
    group: ['《民法典》进社区普法讲座', '防范养老诈骗宣传'],
  },
  employment: {
    one: ['就业困难人员求职登记与岗位推荐', '残疾人居家就业技能指导', '协助低保家庭申请就业补贴'],
    group: ['社区招聘对接会', '电商直播技能培训'],
  },
  education: {
    one: ['学业辅导与学习习惯跟进', '留守儿童家庭教育指导'],
    group: ['四点半课堂作业辅导', '暑期安全教育课堂'],
  },
  repair: {
    one: ['为独居老人维修水龙头和电路', '更换老旧门锁、检查燃气管', '为困难家庭修理门窗'],
    group: ['便民维修日集中服务'],
  },
  material_aid: {
    one: ['为困难家庭送去生活物资', '发放助学金与学习用品', '临时救助家庭走访核实'],
    group: ['爱心物资集中发放'],
  },
  culture: {
    one: ['上门教授老人书法基础'],
    group: ['公益书画课', '社区合唱排练', '长者太极拳活动'],
  },
};

const POPULATIONS_OF: Record<ServiceCategory, Population[]> = {
  daily_care: ['elderly_alone', 'empty_nest', 'disabled'],
  meals: ['elderly_alone', 'empty_nest'],
  health: ['disabled', 'seriously_ill', 'elderly_alone'],
  emotional: ['elderly_alone', 'child_in_difficulty', 'seriously_ill'],
  legal: ['low_income', 'empty_nest'],
  employment: ['low_income', 'disabled'],
  education: ['left_behind_child', 'child_in_difficulty'],
  repair: ['elderly_alone', 'low_income'],
  material_aid: ['low_income', 'child_in_difficulty'],
  culture: ['empty_nest'],
};

const EXPENSE_PURPOSES = ['社工人员服务补贴', '活动物资采购', '专业督导费', '场地与宣传费用', '志愿者交通餐费补贴'];

const actorOf = (c: DemoCommunity): Principal => ({ id: 'sim:orgs', role: 'coordinator', communityId: c.id });
const iso = (ms: number) => new Date(ms).toISOString();
const between = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

function weighted<T extends string>(rand: () => number, weights: Record<T, number>): T {
  const entries = Object.entries(weights) as [T, number][];
  let r = rand() * entries.reduce((a, [, w]) => a + w, 0);
  for (const [k, w] of entries) if ((r -= w) < 0) return k;
  return entries[0]![0];
}

/** A resident's rating: mostly content, now and then not. */
const rating = (rand: () => number) => {
  const r = rand();
  return r < 0.58 ? 5 : r < 0.88 ? 4 : r < 0.97 ? 3 : 2;
};

/** Who and what the community has now, read through the service. */
interface Scene {
  workers: SocialWorkerRecord[];
  orgs: OrgRecord[];
  projects: ProjectRecord[];
  cases: CaseRecord[];
}

function sceneOf(svc: OrgService, p: Principal): Scene {
  return {
    workers: svc.socialWorkers.list(p, { status: 'active', limit: 500 }).items,
    orgs: svc.organizations.list(p, { status: 'active', limit: 500 }).items,
    projects: svc.projects.list(p, { status: 'active', limit: 500 }).items,
    cases: svc.cases.list(p, { status: 'open', limit: 500 }).items,
  };
}

/**
 * A believable service that ended at `endedAt`: by a social worker (two in three) or an
 * organization, under one of their running projects or a social worker's open case when there
 * is one, in their grids, with people served and, often, a rating given on the spot.
 */
export function draftService(rand: () => number, s: Scene, endedAt: number, c: DemoCommunity = DEMO_COMMUNITY): RecordServiceBody {
  const day = localDay(endedAt, c.timeZone);
  const running = s.projects.filter((p) => p.startsOn <= day && day <= p.endsOn);
  const byWorker = s.workers.length > 0 && (rand() < 0.65 || s.orgs.length === 0);
  let kind: ServiceKind;
  let category: ServiceCategory;
  let gridId: string;
  const body: Partial<RecordServiceBody> = {};
  if (byWorker) {
    const w = pick(rand, s.workers);
    const demo = DEMO_SOCIAL_WORKERS.find((d) => d.name === w.name);
    body.socialWorkerId = w.id;
    const cases = s.cases.filter((k) => k.socialWorkerId === w.id && k.openedAt <= endedAt - 2 * HOUR_MS);
    const projects = running.filter((p) => p.socialWorkerId === w.id || (p.orgId !== null && p.orgId === w.orgId));
    const kase = cases.length && rand() < 0.35 ? pick(rand, cases) : null;
    const project = !kase && projects.length && rand() < 0.7 ? pick(rand, projects) : null;
    kind = kase ? 'case_session' : weighted(rand, { visit: 50, group: 14, consultation: 22, referral: 7, other: 7 });
    category = kase?.category ?? project?.category ?? pick(rand, demo?.categories ?? ['daily_care']);
    gridId = kase?.gridId ?? project?.gridId ?? pick(rand, w.grids.length ? w.grids : c.grids.map((g) => g.id));
    if (kase) body.caseId = kase.id;
    if (project) body.projectId = project.id;
  } else {
    const o = pick(rand, s.orgs);
    body.orgId = o.id;
    const projects = running.filter((p) => p.orgId === o.id);
    const project = projects.length && rand() < 0.8 ? pick(rand, projects) : null;
    category = project?.category ?? pick(rand, o.categories.length ? o.categories : ['culture']);
    kind = category === 'repair' ? 'visit'
      : category === 'culture' || category === 'meals' ? weighted(rand, { group: 70, visit: 30 })
      : weighted(rand, { group: 35, visit: 40, consultation: 15, other: 10 });
    gridId = project?.gridId ?? pick(rand, c.grids).id;
    if (project) body.projectId = project.id;
  }
  const group = kind === 'group';
  const beneficiaries = group ? (category === 'meals' ? between(rand, 20, 45) : between(rand, 8, 30))
    : kind === 'visit' ? between(rand, 1, 3) : kind === 'other' ? between(rand, 1, 6) : 1;
  const minutes = { visit: between(rand, 30, 90), case_session: between(rand, 45, 90), group: between(rand, 60, 150),
    consultation: between(rand, 15, 45), referral: between(rand, 20, 40), other: between(rand, 30, 120) }[kind];
  const pool = POPULATIONS_OF[category];
  const populations = [...new Set(Array.from({ length: between(rand, 0, 2) }, () => pick(rand, pool)))];
  const rated = rand() < 0.45;
  return {
    ...body,
    kind, category, gridId, beneficiaries, populations,
    content: pick(rand, group ? CONTENT[category].group : CONTENT[category].one),
    startedAt: iso(endedAt - minutes * MIN),
    endedAt: iso(endedAt),
    ...(rated ? { satisfaction: rating(rand) } : {}),
  } as RecordServiceBody;
}

export interface SeedOrgsResult {
  orgs: number;
  socialWorkers: number;
  projects: number;
  cases: number;
  services: number;
  ratings: number;
  expenses: number;
}

/**
 * Install the demo organizations, social workers, projects, cases and the last `days` days of
 * services (~10 a weekday, fewer at weekends, the last ones earlier today). Run it before the
 * charity and needs seeds, so gifts and matches find the projects. Returns null when the
 * community has an organization already.
 */
export async function seedOrgs(
  deps: SubjectServiceDeps, now: number, opts: { community?: DemoCommunity; seed?: number; days?: number } = {},
): Promise<SeedOrgsResult | null> {
  const c = opts.community ?? DEMO_COMMUNITY;
  const tz = c.timeZone;
  const p = actorOf(c);
  const days = opts.days ?? 30;
  const rand = seededRandom(opts.seed ?? 20260315);
  let clock = now;
  const svc = new OrgService({ ...deps, now: () => clock });
  if (svc.organizations.list(p, { limit: 1 }).items.length) return null;

  const first = startOfLocalDay(now - days * DAY_MS + 12 * HOUR_MS, tz);
  const dayStart = (d: number) => startOfLocalDay(first + d * DAY_MS + 12 * HOUR_MS, tz);
  const out: SeedOrgsResult = { orgs: 0, socialWorkers: 0, projects: 0, cases: 0, services: 0, ratings: 0, expenses: 0 };

  // Day 0, morning: the registry as it stood, then the projects that were already running.
  clock = dayStart(0) + 8.5 * HOUR_MS;
  const orgs = new Map<string, OrgRecord>();
  for (const o of DEMO_ORGS) {
    const registrationNo = o.code === null ? undefined : o.code.length === 17 ? o.code + creditCodeCheck(o.code) : o.code;
    orgs.set(o.name, await svc.organizations.register(p, { name: o.name, kind: o.kind, registrationNo, contactName: o.contactName, contactPhone: o.contactPhone, categories: o.categories }));
    clock += 3 * MIN;
  }
  const workers = new Map<string, SocialWorkerRecord>();
  for (const w of DEMO_SOCIAL_WORKERS) {
    const phone = `1${pick(rand, ['35', '36', '38', '39', '58', '87'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
    workers.set(w.name, await svc.socialWorkers.register(p, {
      name: w.name, phone, qualification: w.qualification, grids: w.grids, ...(w.org ? { orgId: orgs.get(w.org)!.id } : {}),
    }));
    clock += 2 * MIN;
  }
  const projects = new Map<string, ProjectRecord>();
  for (const d of DEMO_PROJECTS) {
    const pr = await svc.projects.create(p, {
      name: d.name, description: d.description, category: d.category, funding: d.funding, budgetCents: d.budget * 100,
      startsOn: localDay(dayStart(d.from) + 12 * HOUR_MS, tz), endsOn: localDay(dayStart(d.to) + 12 * HOUR_MS, tz),
      status: d.status, ...(d.org ? { orgId: orgs.get(d.org)!.id } : {}), ...(d.lead ? { socialWorkerId: workers.get(d.lead)!.id } : {}),
      ...(d.targetServices ? { targetServices: d.targetServices } : {}), ...(d.targetBeneficiaries ? { targetBeneficiaries: d.targetBeneficiaries } : {}),
      ...(d.grid ? { gridId: d.grid } : {}),
    });
    projects.set(d.name, pr);
    clock += 4 * MIN;
  }
  // What the government-purchased and self-funded projects spent before this month, entered as one line each.
  for (const d of DEMO_PROJECTS) {
    if (d.status !== 'active' || (d.funding !== 'government' && d.funding !== 'self') || d.from >= 0) continue;
    const share = Math.min(0.6, (-d.from / (d.to - d.from)) * (0.8 + rand() * 0.3));
    await svc.projects.recordExpense(p, projects.get(d.name)!.id, { amountCents: Math.round(d.budget * share) * 100, purpose: '前期项目执行费用（累计）' });
    out.expenses++;
  }
  out.orgs = orgs.size;
  out.socialWorkers = workers.size;
  out.projects = projects.size;

  // The month, as it happened: fixed moments, services through each day, ratings a day or two later.
  type Step = { at: number; run: () => Promise<unknown> };
  const steps: Step[] = [];
  const clients = [...c.residentNames].sort(() => rand() - 0.5);
  const openCase = (d: number, worker: string, category: ServiceCategory, gridId: string) => steps.push({
    at: dayStart(d) + 9.5 * HOUR_MS,
    run: async () => {
      const w = workers.get(worker)!;
      await svc.cases.open(p, {
        socialWorkerId: w.id, category, clientName: clients[out.cases % clients.length]!, populations: POPULATIONS_OF[category].slice(0, 1),
        gridId, clientPhone: `13${between(rand, 5, 9)}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`,
      });
      out.cases++;
    },
  });
  const closeOldestCase = (d: number) => steps.push({
    at: dayStart(d) + 16 * HOUR_MS,
    run: async () => {
      const open = svc.cases.list(p, { status: 'open', limit: 500 }).items.filter((k) => svc.cases.sessionsOf(k.id) > 0);
      const oldest = open.sort((a, b) => a.openedAt - b.openedAt)[0];
      if (oldest) await svc.cases.close(p, oldest.id, { note: '服务目标达成，转入定期回访' });
    },
  });
  openCase(0, '林思远', 'emotional', 'G01');
  openCase(1, '郑文涛', 'legal', 'G04');
  openCase(2, '骆晓萌', 'daily_care', 'G09');
  openCase(6, '苗佳慧', 'education', 'G06');
  openCase(11, '林思远', 'education', 'G02');
  openCase(17, '郑文涛', 'emotional', 'G03');
  openCase(23, '骆晓萌', 'emotional', 'G10');
  openCase(days - 3, '邢雨桐', 'employment', 'G07');
  closeOldestCase(14);
  closeOldestCase(21);
  closeOldestCase(26);
  const ending = DEMO_PROJECTS.find((d) => d.to > 0 && d.to < days && d.status === 'active');
  if (ending) {
    steps.push({ at: dayStart(ending.to) + 17 * HOUR_MS, run: () => svc.projects.setStatus(p, projects.get(ending.name)!.id, { status: 'completed', note: '八节小组活动全部完成' }) });
  }
  steps.push({ at: dayStart(days - 12) + 10 * HOUR_MS, run: () => svc.organizations.setStatus(p, orgs.get('杭州暖心家政服务有限公司')!.id, { status: 'suspended', note: '服务投诉核查中，暂停派单' }) });
  steps.push({ at: dayStart(days - 4) + 18 * HOUR_MS, run: () => svc.socialWorkers.setStatus(p, workers.get('车志强')!.id, { status: 'on_leave', note: '年休假' }) });
  for (let d = 7; d < days; d += 7) {
    steps.push({
      at: dayStart(d) + 15 * HOUR_MS,
      run: async () => {
        for (const def of DEMO_PROJECTS) {
          if (def.funding !== 'government' && def.funding !== 'self') continue;
          const pr = svc.projects.get(p, projects.get(def.name)!.id);
          if (pr.status !== 'active') continue;
          try {
            await svc.projects.recordExpense(p, pr.id, { amountCents: Math.round(pr.budgetCents * (0.01 + rand() * 0.025)), purpose: pick(rand, EXPENSE_PURPOSES) });
            out.expenses++;
          } catch (err) {
            if (!(err instanceof DomainError && err.status === 409)) throw err;
          }
        }
      },
    });
  }
  // Services: in office hours and early evening, the last ones finished a quarter of an hour ago at most.
  const pendingRatings: { at: number; id: number }[] = [];
  // Follow-up calls are made in office hours.
  const callBack = (at: number) => (withinHours(at, HOURS.office, tz) ? at : nextOpening(at, HOURS.office, tz) + rand() * 2 * HOUR_MS);
  for (let d = 0; d <= days; d++) {
    const start = dayStart(d);
    const weekday = new Date(start + 12 * HOUR_MS).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const count = weekend ? between(rand, 5, 8) : between(rand, 9, 14);
    for (let i = 0; i < count; i++) {
      const endedAt = start + (9 + rand() * 11) * HOUR_MS;
      if (endedAt > now - 15 * MIN) continue;
      steps.push({
        at: endedAt,
        run: async () => {
          const body = draftService(rand, sceneOf(svc, p), endedAt, c);
          advance(endedAt + between(rand, 5, 50) * MIN);
          const s = await svc.services.record(p, body);
          out.services++;
          if (s.satisfaction !== null) out.ratings++;
          else if (rand() < 0.5) pendingRatings.push({ at: callBack(endedAt + (20 + rand() * 30) * HOUR_MS), id: s.id });
        },
      });
    }
  }
  steps.sort((a, b) => a.at - b.at);
  // Entries are made in order: the clock never runs back, so the feed reads as it happened.
  const advance = (to: number) => {
    clock = Math.max(clock, Math.min(now, to));
  };
  for (const step of steps) {
    // Follow-up calls due by now come first (they are entered in the order they were made).
    pendingRatings.sort((a, b) => a.at - b.at);
    while (pendingRatings.length && pendingRatings[0]!.at <= step.at) {
      const r = pendingRatings.shift()!;
      advance(r.at);
      await svc.services.rate(p, r.id, { satisfaction: rating(rand) });
      out.ratings++;
    }
    advance(step.at);
    await step.run();
  }
  return out;
}

// ---- the simulator ---------------------------------------------------------------------------

export interface OrgSimulatorOptions extends TickerOptions {
  service: OrgService;
  /** Story time passes this many times faster (SIM_SPEED): at 1, about a service an hour in the day. */
  speed: number;
}

/**
 * Drives organizations and social work through OrgService, like the other simulators: each
 * step reads the state and does what is due; a 409 (someone at the console moved first) is
 * re-planned from the state on the next step.
 */
export class OrgSimulator extends Ticker<OrgSimulatorOptions> {
  #p: Principal;
  #next: { service: number; rating: number; casework: number; projects: number } | null = null;

  constructor(o: OrgSimulatorOptions) {
    super(o, { intervalMs: 1_000, seedOffset: 11, failure: 'organizations simulator step failed' });
    this.#p = actorOf(this.community);
  }

  /** Service hours until the next service: about one an hour on a weekday (the history's 9 to 14 a day), fewer at weekends. */
  #serviceGap(now: number) {
    const day = startOfLocalDay(now, this.community.timeZone);
    const weekday = new Date(day + 12 * HOUR_MS).getUTCDay();
    return (0.6 + this.rand() * 0.8) * (weekday === 0 || weekday === 6 ? 1.7 : 1);
  }

  /** One turn: a service, a rating, a case opened or closed, projects past their end completed — whatever is due in its hours. */
  protected override async tick() {
    const now = this.now();
    const r = this.rand;
    this.#next ??= {
      service: this.afterWorking(now, r() * 1.5, HOURS.services), rating: this.afterWorking(now, 1 + r() * 3, HOURS.office),
      casework: this.afterWorking(now, 4 + r() * 20, HOURS.office), projects: this.afterWorking(now, 0, HOURS.office),
    };
    const n = this.#next;
    if (now >= n.service && this.within(HOURS.services)) {
      await this.#service(now);
      n.service = this.afterWorking(now, this.#serviceGap(now), HOURS.services);
    }
    if (!this.within(HOURS.office)) return;
    if (now >= n.rating) {
      await this.#rate();
      n.rating = this.afterWorking(now, 2 + r() * 3, HOURS.office);
    }
    if (now >= n.casework) {
      await this.#casework(now);
      n.casework = this.afterWorking(now, 16 + r() * 16, HOURS.office);
    }
    if (now >= n.projects) {
      await this.#completeEnded(now);
      n.projects = this.afterWorking(now, 1, HOURS.office);
    }
  }

  async #service(now: number) {
    const svc = this.options.service;
    // Entered a little after it ended, as staff do (the history: 5 to 50 minutes).
    const body = draftService(this.rand, sceneOf(svc, this.#p), now - (5 + Math.floor(this.rand() * 25)) * MIN, this.community);
    await this.attempt('record service', () => svc.services.record(this.#p, body));
  }

  /** A follow-up call: one of the latest unrated services gets its rating. */
  async #rate() {
    const svc = this.options.service;
    const unrated = svc.services.list(this.#p, { limit: 50 }).items.filter((s) => s.satisfaction === null);
    if (!unrated.length) return;
    const s = pick(this.rand, unrated);
    await this.attempt('rate service', () => svc.services.rate(this.#p, s.id, { satisfaction: rating(this.rand) }));
  }

  /** Open a case when few are open, else now and then close one that has had its sessions. */
  async #casework(now: number) {
    const svc = this.options.service;
    const open = svc.cases.list(this.#p, { status: 'open', limit: 500 }).items;
    const closable = open.filter((k) => svc.cases.sessionsOf(k.id) >= 2 && now - k.openedAt > this.story(24 * 60));
    if (closable.length && (open.length > 4 || this.rand() < 0.4)) {
      const k = pick(this.rand, closable);
      await this.attempt('close case', () => svc.cases.close(this.#p, k.id, { note: '服务目标达成，结案' }));
      return;
    }
    const workers = svc.socialWorkers.list(this.#p, { status: 'active', limit: 500 }).items;
    if (!workers.length) return;
    const w = pick(this.rand, workers);
    const demo = DEMO_SOCIAL_WORKERS.find((d) => d.name === w.name);
    const category: ServiceCategory = pick(this.rand, demo?.categories ?? ['emotional']);
    await this.attempt('open case', () => svc.cases.open(this.#p, {
      socialWorkerId: w.id, category, clientName: pick(this.rand, this.community.residentNames), populations: POPULATIONS_OF[category].slice(0, 1),
      ...(w.grids.length ? { gridId: pick(this.rand, w.grids) } : {}),
    }));
  }

  /** Projects whose period is over are completed (结项). */
  async #completeEnded(now: number) {
    const svc = this.options.service;
    const today = localDay(now, this.community.timeZone);
    for (const pr of svc.projects.list(this.#p, { status: 'active', limit: 500 }).items) {
      if (pr.endsOn < today) await this.attempt('complete project', () => svc.projects.setStatus(this.#p, pr.id, { status: 'completed' }));
    }
  }
}
