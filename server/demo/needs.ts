/**
 * Demo needs and resources (需求清单 · 资源清单): ~25 resources offered by the demo's
 * organizations, volunteer teams, volunteers and social workers (read from their tables: their
 * seeds run first) plus a few donors and community services; ~150 needs over the last 30 days,
 * lived through NeedService on a moving clock — raised, matched, started, met and mostly rated,
 * a few withdrawn or not met, the last days' still open and some overdue. And a simulator that
 * keeps the lists moving.
 *
 * The simulator works at the needs desk in office hours, at the history's pace: about five needs
 * a day, each matched, started, met and rated after as many hours as in the history (a step due
 * at night waits for the morning). A need is entered as staff enter them at a station: some
 * hours after the resident raised it in the daytime (补录, `raisedAt` back-dated), so response
 * times on the wall stay in hours, as they are.
 *
 * Long on purpose: it is the demo's script for one subject, its invented data, the seeder that
 * lives a month through the service and the simulator that carries on, read top to bottom.
 */
import { DomainError } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { NeedService } from '../needs/service.ts';
import type { MatchRecord, NeedRecord } from '../needs/record.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { CreateResourceBody, NeedUrgency, RaiseNeedBody, RaisedByKind } from '../../shared/needs.ts';
import { SERVICE_CATEGORIES, serviceCategoryZh, type Population, type ServiceCategory } from '../../shared/subjects.ts';
import { DAY_MS, HOUR_MS, startOfLocalDay } from '../../shared/time.ts';
import { DEMO_COMMUNITY, type DemoCommunity } from './community.ts';
import { pick, seededRandom } from './seed.ts';
import { HOURS } from './pace.ts';
import { Ticker, type TickerOptions } from './ticker.ts';

const MIN = 60_000;

interface NeedTemplate {
  category: ServiceCategory;
  title: string;
  /** {building} and {landmark} are filled in. */
  description: string;
  skills?: string[];
  populations: Population[];
  /** A group need: this many people (a project when an organization takes it on). */
  group?: [number, number];
}

export const NEED_TEMPLATES: readonly NeedTemplate[] = [
  { category: 'meals', title: '独居老人助餐配送', description: '{building}独居老人腿脚不便，希望每天中午送餐上门。', populations: ['elderly_alone'] },
  { category: 'meals', title: '高龄老人午餐代订', description: '家住{building}的高龄老人子女在外地，需要社区食堂代订午餐。', populations: ['empty_nest'] },
  { category: 'meals', title: '术后居民临时送餐', description: '{building}居民术后居家休养两周，需要临时送餐。', populations: ['seriously_ill'] },
  { category: 'meals', title: '楼栋老人集体助餐', description: '{building}及周边十余位老人希望在{landmark}附近设助餐点。', populations: ['elderly_alone', 'empty_nest'], group: [8, 20] },
  { category: 'daily_care', title: '失能老人上门助浴', description: '{building}失能老人长期卧床，家属请求上门助浴。', skills: ['助老陪伴'], populations: ['disabled'] },
  { category: 'daily_care', title: '行动不便老人上门理发', description: '{building}老人行动不便，希望有人上门理发。', skills: ['理发'], populations: ['elderly_alone'] },
  { category: 'daily_care', title: '独居老人陪同就医', description: '{building}独居老人下周复诊，需要有人陪同去医院。', skills: ['助老陪伴'], populations: ['elderly_alone'] },
  { category: 'repair', title: '老人家中水龙头漏水', description: '{building}独居老人家中水龙头漏水多日，无力自行维修。', skills: ['家电维修'], populations: ['elderly_alone'] },
  { category: 'repair', title: '电视机、电饭煲维修', description: '{building}低保户家中电视机和电饭煲坏了，请求义务维修。', skills: ['家电维修'], populations: ['low_income'] },
  { category: 'repair', title: '困难家庭电路老化检修', description: '{building}困难家庭电线老化，存在安全隐患。', skills: ['家电维修'], populations: ['low_income'] },
  { category: 'repair', title: '楼道加装扶手', description: '{building}楼道没有扶手，楼里多位老人上下楼困难。', populations: ['elderly_alone', 'disabled'], group: [6, 15] },
  { category: 'health', title: '慢病老人定期测血压', description: '{building}高血压老人希望每周有人上门测量血压。', skills: ['义诊'], populations: ['empty_nest'] },
  { category: 'health', title: '重病患者康复指导', description: '{building}居民出院后需要居家康复指导。', skills: ['义诊'], populations: ['seriously_ill'] },
  { category: 'health', title: '居家老人健康体检', description: '{landmark}周边居家老人希望在社区集中体检。', skills: ['义诊'], populations: ['elderly_alone', 'empty_nest'], group: [10, 30] },
  { category: 'emotional', title: '独居老人心理疏导', description: '{building}独居老人近来情绪低落，邻居请社区关心。', skills: ['心理疏导'], populations: ['elderly_alone'] },
  { category: 'emotional', title: '困境儿童情绪关怀', description: '{building}困境儿童在校表现退缩，家长请求帮助。', skills: ['心理疏导'], populations: ['child_in_difficulty'] },
  { category: 'emotional', title: '退役军人家庭探访', description: '{building}退役军人家庭遇到困难，希望社区走访了解。', populations: ['veteran'] },
  { category: 'education', title: '留守儿童作业辅导', description: '{building}留守儿童放学后无人辅导作业。', populations: ['left_behind_child'] },
  { category: 'education', title: '困境儿童假期托管', description: '{landmark}附近几户困境儿童假期无人照看。', populations: ['child_in_difficulty'], group: [8, 25] },
  { category: 'education', title: '初三学生数学辅导', description: '{building}低保家庭孩子面临中考，希望有人辅导数学。', populations: ['low_income'] },
  { category: 'legal', title: '赡养纠纷法律咨询', description: '{building}老人与子女赡养纠纷，希望法律咨询。', populations: ['empty_nest'] },
  { category: 'legal', title: '劳动欠薪法律援助', description: '{building}居民被拖欠工资三个月，请求法律援助。', populations: ['low_income'] },
  { category: 'employment', title: '失业居民求职帮扶', description: '{building}居民失业半年，希望推荐工作。', populations: ['low_income'] },
  { category: 'employment', title: '残疾人就业推荐', description: '{building}残疾居民有手工技能，希望找到合适工作。', populations: ['disabled'] },
  { category: 'material_aid', title: '低保户生活物资', description: '{building}低保户家中米面油短缺。', populations: ['low_income'] },
  { category: 'material_aid', title: '困难家庭助学物资', description: '{building}困难家庭孩子缺少学习用品和冬衣。', populations: ['child_in_difficulty'] },
  { category: 'material_aid', title: '重病家庭临时救助', description: '{building}居民重病住院，家庭生活困难。', populations: ['seriously_ill'] },
  { category: 'culture', title: '老年合唱队排练指导', description: '{landmark}老年合唱队缺少专业指导老师。', skills: ['文艺'], populations: ['empty_nest'], group: [10, 30] },
  { category: 'culture', title: '残疾人文体活动', description: '社区残疾人希望定期组织文体活动。', skills: ['文艺'], populations: ['disabled'], group: [6, 12] },
];

/** How often each category is asked for in a residential community. */
const CATEGORY_WEIGHTS: Record<ServiceCategory, number> = {
  meals: 20, daily_care: 18, repair: 14, health: 12, emotional: 8, education: 8, material_aid: 8, legal: 4, employment: 4, culture: 4,
};
const URGENCY_WEIGHTS: Record<NeedUrgency, number> = { low: 15, normal: 50, high: 25, urgent: 10 };
const RAISED_BY_WEIGHTS: Record<RaisedByKind, number> = { resident: 50, grid_worker: 30, social_worker: 15, org: 5 };

/** What a volunteer's skill offers, as a resource. */
const SKILL_OFFERS: Record<string, { category: ServiceCategory; title: string }> = {
  家电维修: { category: 'repair', title: '上门家电维修' },
  理发: { category: 'daily_care', title: '上门义剪' },
  义诊: { category: 'health', title: '上门测血压' },
  心理疏导: { category: 'emotional', title: '心理陪伴' },
  助老陪伴: { category: 'daily_care', title: '助老陪伴' },
  文艺: { category: 'culture', title: '文艺辅导' },
};

/** What each demo volunteer team offers. */
const TEAM_OFFERS: Record<string, { category: ServiceCategory; title: string; skills: string[] }[]> = {
  党员先锋队: [{ category: 'repair', title: '党员家电义修', skills: ['家电维修'] }, { category: 'health', title: '党员义诊', skills: ['义诊'] }],
  巾帼志愿队: [{ category: 'daily_care', title: '巾帼上门助老', skills: ['理发', '助老陪伴'] }],
  青少年志愿队: [{ category: 'education', title: '大学生课业辅导', skills: [] }],
  银龄互助队: [{ category: 'emotional', title: '银龄结对关怀', skills: ['助老陪伴', '心理疏导'] }],
};

const WORKER_OFFERS: { category: ServiceCategory; title: string }[] = [
  { category: 'emotional', title: '个案心理支持' },
  { category: 'legal', title: '政策与法律咨询转介' },
  { category: 'employment', title: '就业帮扶个案' },
];

const COMMUNITY_OFFERS: (Omit<CreateResourceBody, 'providerKind' | 'providerId' | 'skills' | 'description' | 'capacity'> & { capacity: number })[] = [
  { providerName: '桂花社区老年食堂', title: '老年食堂助餐', category: 'meals', capacity: 12, gridId: 'G08', availability: { days: [1, 2, 3, 4, 5, 6, 7], from: '10:30', to: '18:00' } },
  { providerName: '桂花社区法律顾问', title: '每周法律咨询', category: 'legal', capacity: 3, availability: { days: [2, 4], from: '14:00', to: '17:00' } },
  { providerName: '桂花社区就业服务站', title: '就业岗位推荐', category: 'employment', capacity: 4, availability: { days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' } },
  { providerName: '桂花社区四点半课堂', title: '放学后托管辅导', category: 'education', capacity: 10, gridId: 'G08', availability: { days: [1, 2, 3, 4, 5], from: '16:30', to: '18:30' } },
  { providerName: '社区卫生服务站', title: '家庭医生上门', category: 'health', capacity: 6, availability: { days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '17:00' } },
  { providerName: '桂花社区文化家园', title: '文体活动场地与指导', category: 'culture', capacity: 6, gridId: 'G08', availability: { days: [2, 4, 6, 7], from: '09:00', to: '20:30' } },
];

const DONOR_OFFERS: (Omit<CreateResourceBody, 'providerKind' | 'providerId' | 'skills' | 'description' | 'capacity'> & { capacity: number })[] = [
  { providerName: '杭州味香园餐饮有限公司', title: '爱心午餐', category: 'meals', capacity: 10 },
  { providerName: '桂花邻里超市', title: '爱心物资包', category: 'material_aid', capacity: 8 },
];

const WEEKDAYS = { days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' };
const EVENINGS_AND_WEEKENDS = [
  { days: [6, 7], from: '09:00', to: '17:00' },
  { days: [1, 3, 5], from: '18:30', to: '21:00' },
  { days: [2, 4, 6], from: '09:00', to: '11:30' },
];

const NOTES = {
  withdrawn: ['居民家属已自行解决', '老人已随子女外出居住', '居民表示暂不需要'],
  not_met: ['暂无合适资源，已转街道协调', '居民要求超出服务范围，已做解释', '多次联系居民未果'],
};

const coordinator = (c: DemoCommunity): Principal => ({ id: 'sim:needs', role: 'coordinator', communityId: c.id });

function weighted<K extends string>(rand: () => number, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as [K, number][];
  let r = rand() * entries.reduce((a, [, w]) => a + w, 0);
  for (const [k, w] of entries) if ((r -= w) < 0) return k;
  return entries[0]![0];
}

const between = (rand: () => number, lo: number, hi: number) => lo + rand() * (hi - lo);

/** A need as staff would enter it, and who enters it: a coordinator, the grid's worker or a social worker. */
export function draftNeed(rand: () => number, c: DemoCommunity = DEMO_COMMUNITY): { body: RaiseNeedBody; by: Principal } {
  const category = weighted(rand, CATEGORY_WEIGHTS);
  const t = pick(rand, NEED_TEMPLATES.filter((x) => x.category === category));
  const grid = pick(rand, c.grids);
  const building = pick(rand, grid.buildings);
  const landmark = pick(rand, grid.landmarks);
  const raisedByKind = weighted(rand, RAISED_BY_WEIGHTS);
  const worker = c.workers.find((w) => w.gridId === grid.id);
  const by: Principal = raisedByKind === 'grid_worker' && worker
    ? { id: worker.id, role: 'grid_worker', communityId: c.id, grids: [grid.id] }
    : raisedByKind === 'social_worker'
      ? { id: 'sim:social_worker', role: 'social_worker', communityId: c.id }
      : coordinator(c);
  const group = t.group ? Math.round(between(rand, t.group[0], t.group[1])) : null;
  const body: RaiseNeedBody = {
    title: t.title,
    description: t.description.replace('{building}', building).replace('{landmark}', landmark),
    category, skills: t.skills ?? [], urgency: weighted(rand, URGENCY_WEIGHTS), gridId: grid.id,
    address: group ? landmark : `${building}${1 + Math.floor(rand() * 4)}单元${1 + Math.floor(rand() * 18)}0${1 + Math.floor(rand() * 4)}室`,
    raisedByKind, populations: t.populations, beneficiaries: group ?? (rand() < 0.8 ? 1 : 2),
    ...(group ? {} : { residentName: pick(rand, c.residentNames), residentPhone: `1${pick(rand, ['35', '37', '38', '39', '58', '86'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}` }),
  };
  return { body, by };
}

/**
 * Propose matches and accept one, as a coordinator would: a group need goes to an organization
 * or a social worker (a project) when one is among the best three; a single resident's need
 * mostly to a volunteer, a team or the community (a task). Falls back down the list when a
 * place was taken meanwhile. Null when nothing fits now.
 */
export async function matchNeed(svc: NeedService, p: Principal, n: NeedRecord, rand: () => number): Promise<MatchRecord | null> {
  const proposals = await svc.matches.propose(p, n.id, { limit: 5 });
  if (!proposals.length) return null;
  const top = proposals.slice(0, 3);
  const projectLike = (m: MatchRecord) => m.providerKind === 'org' || m.providerKind === 'social_worker';
  const preferred = n.beneficiaries > 5 ? top.find(projectLike) : rand() < 0.8 ? top.find((m) => !projectLike(m)) : undefined;
  const order = preferred ? [preferred, ...proposals.filter((m) => m !== preferred)] : proposals;
  for (const m of order) {
    try {
      const funded = n.beneficiaries > 5 && rand() < 0.6;
      const out = await svc.matches.accept(p, n.id, m.id, funded
        ? { funding: pick(rand, ['government', 'community_fund'] as const), budgetCents: Math.round(between(rand, 20, 200)) * 10_000 }
        : { funding: 'self', budgetCents: 0 });
      return out.match;
    } catch (err) {
      if (err instanceof DomainError && err.status === 409) continue;
      throw err;
    }
  }
  return null;
}

/** A resident's rating: mostly content, now and then not. */
const rating = (rand: () => number) => weighted(rand, { 5: 55, 4: 30, 3: 10, 2: 4, 1: 1 } as Record<'1' | '2' | '3' | '4' | '5', number>);

/** Hours from raising a need to matching it, by urgency (the history's and the simulator's). */
const matchHours = (rand: () => number, u: NeedUrgency) => between(rand, 0.3, { urgent: 2, high: 6, normal: 12, low: 24 }[u]);

/** Hours from matching to starting. */
const startHours = (rand: () => number, u: NeedUrgency) => between(rand, 0.5, u === 'urgent' ? 2 : 12);

/** Hours from meeting a need to the resident's rating (three in four give one). */
const rateHours = (rand: () => number) => between(rand, 2, 36);

/** Hours from starting to meeting a need, by urgency; one in ten runs late. */
function serviceHours(rand: () => number, u: NeedUrgency): number {
  const [lo, hi] = { urgent: [1, 10], high: [4, 36], normal: [8, 60], low: [12, 96] }[u] as [number, number];
  return between(rand, lo, hi) * (rand() < 0.1 ? 1.6 : 1);
}

export interface SeedNeedsResult {
  resources: number;
  needs: number;
  met: number;
  rated: number;
  open: number;
  closed: number;
}

/**
 * Install the demo's resources and a month of needs on first demo start, through NeedService on
 * a clock that moves from 30 days ago to `now`. Returns null when the community has resources
 * or needs already. Run after the organizations' and volunteers' seeds: their rows become
 * resources.
 */
export async function seedNeeds(
  deps: SubjectServiceDeps, now: number,
  opts: { days?: number; needs?: number; rand?: () => number; community?: DemoCommunity } = {},
): Promise<SeedNeedsResult | null> {
  const c = opts.community ?? DEMO_COMMUNITY;
  const rand = opts.rand ?? seededRandom(20260315);
  const days = opts.days ?? 30;
  // The resources are listed on the first morning, after the registries the other seeds fill.
  let clock = now - days * DAY_MS;
  const svc = new NeedService({ ...deps, now: () => clock });
  const p = coordinator(c);
  if (svc.resources.list(p, { limit: 1 }).items.length || svc.lifecycle.list(p, { limit: 1 }).items.length) return null;

  const resources = await seedResources(deps, svc, p, c, rand);

  // The month's needs, raised mostly in the daytime, then lived in time order.
  type Step = 'raise' | 'match' | 'start' | 'meet' | 'rate' | 'close';
  interface Plan { draft: ReturnType<typeof draftNeed>; fate: 'normal' | 'stuck' | 'withdrawn' | 'not_met'; need?: NeedRecord; tries: number }
  const queue: { at: number; step: Step; plan: Plan }[] = [];
  const total = opts.needs ?? 150;
  const start = now - days * DAY_MS;
  for (let i = 0; i < total; i++) {
    let at = start + rand() * (now - start);
    const hour = new Date(at + 8 * HOUR_MS).getUTCHours();
    if (hour < 7 || hour > 20) {
      // Night → day: ten hours later or earlier, earlier when later is still to come.
      const shift = (rand() < 0.5 ? 10 : -10) * HOUR_MS;
      at += at + shift > now - 10 * MIN ? -10 * HOUR_MS : at + shift < start + 30 * MIN ? 10 * HOUR_MS : shift;
    }
    at = Math.min(now - 10 * MIN, Math.max(start + 30 * MIN, at));
    const r = rand();
    const fate = r < 0.04 ? 'stuck' : r < 0.07 ? 'withdrawn' : r < 0.1 ? 'not_met' : 'normal';
    queue.push({ at, step: 'raise', plan: { draft: draftNeed(rand, c), fate, tries: 0 } });
  }
  const later = (plan: Plan, step: Step, hours: number) => queue.push({ at: clock + hours * HOUR_MS, step, plan });

  for (;;) {
    let next = -1;
    for (let i = 0; i < queue.length; i++) if (next < 0 || queue[i]!.at < queue[next]!.at) next = i;
    if (next < 0 || queue[next]!.at > now) break;
    const { at, step, plan } = queue.splice(next, 1)[0]!;
    clock = at;
    const u = plan.draft.body.urgency;
    const id = plan.need?.id ?? 0;
    try {
      switch (step) {
        case 'raise':
          plan.need = await svc.lifecycle.raise(plan.draft.by, plan.draft.body);
          if (plan.fate === 'withdrawn') later(plan, 'close', between(rand, 2, 48));
          else if (plan.fate !== 'stuck') later(plan, 'match', matchHours(rand, u));
          break;
        case 'match':
          if (await matchNeed(svc, p, plan.need!, rand)) {
            if (plan.fate === 'not_met') later(plan, 'close', between(rand, 24, 96));
            else later(plan, 'start', startHours(rand, u));
          } else if (++plan.tries < 4) {
            later(plan, 'match', between(rand, 4, 12));
          }
          break;
        case 'start':
          await svc.lifecycle.start(p, id, {});
          later(plan, 'meet', serviceHours(rand, u));
          break;
        case 'meet':
          await svc.lifecycle.meet(p, id, {});
          if (rand() < 0.75) later(plan, 'rate', rateHours(rand));
          break;
        case 'rate':
          await svc.lifecycle.rate(p, id, { satisfaction: Number(rating(rand)) });
          break;
        case 'close': {
          const reason = plan.fate === 'withdrawn' ? 'withdrawn' : 'not_met';
          await svc.lifecycle.close(p, id, { reason, note: pick(rand, NOTES[reason]) });
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
    }
  }

  const count = (where: string) =>
    (deps.db.prepare(`SELECT COUNT(*) AS n FROM needs WHERE community_id = ? AND ${where}`).get(c.id) as { n: number }).n;
  return {
    resources,
    needs: count('1'),
    met: count("status IN ('met', 'rated')"),
    rated: count("status = 'rated'"),
    open: count("status IN ('raised', 'matched', 'in_progress')"),
    closed: count("status = 'closed'"),
  };
}

/** Resources from the providers the other seeds made, and a few donors' and the community's own. */
async function seedResources(deps: SubjectServiceDeps, svc: NeedService, p: Principal, c: DemoCommunity, rand: () => number): Promise<number> {
  const db = deps.db;
  const bodies: CreateResourceBody[] = [];
  const grid = () => pick(rand, c.grids).id;

  const orgs = db.prepare("SELECT id, categories FROM organizations WHERE community_id = ? AND status = 'active' ORDER BY id LIMIT 8")
    .all(c.id) as { id: number; categories: string }[];
  for (const o of orgs) {
    const cats = (JSON.parse(o.categories) as ServiceCategory[]).filter((x) => SERVICE_CATEGORIES.some((s) => s.code === x));
    const category = cats[0] ?? 'daily_care';
    bodies.push({
      providerKind: 'org', providerId: o.id, title: `${serviceCategoryZh(category)}服务`, description: '', category, skills: [],
      availability: WEEKDAYS, capacity: 3 + Math.floor(rand() * 3),
    });
  }
  const teams = db.prepare('SELECT id, name FROM volunteer_teams WHERE community_id = ? ORDER BY id').all(c.id) as { id: number; name: string }[];
  for (const t of teams) {
    for (const offer of TEAM_OFFERS[t.name] ?? []) {
      bodies.push({
        providerKind: 'team', providerId: t.id, title: offer.title, description: '', category: offer.category, skills: offer.skills,
        availability: pick(rand, EVENINGS_AND_WEEKENDS), capacity: 2 + Math.floor(rand() * 3),
      });
    }
  }
  const volunteers = db.prepare("SELECT id, skills FROM volunteers WHERE community_id = ? AND status = 'active' ORDER BY id")
    .all(c.id) as { id: number; skills: string }[];
  let taken = 0;
  for (const v of volunteers) {
    const skill = (JSON.parse(v.skills) as string[]).find((s) => SKILL_OFFERS[s]);
    if (!skill || taken >= 4) continue;
    taken++;
    const offer = SKILL_OFFERS[skill]!;
    bodies.push({
      providerKind: 'volunteer', providerId: v.id, title: offer.title, description: '', category: offer.category, skills: [skill],
      gridId: grid(), availability: pick(rand, EVENINGS_AND_WEEKENDS), capacity: 1 + Math.floor(rand() * 2),
    });
  }
  const workers = db.prepare("SELECT id, grids FROM social_workers WHERE community_id = ? AND status = 'active' ORDER BY id LIMIT 3")
    .all(c.id) as { id: number; grids: string }[];
  workers.forEach((w, i) => {
    const offer = WORKER_OFFERS[i % WORKER_OFFERS.length]!;
    const grids = JSON.parse(w.grids) as string[];
    bodies.push({
      providerKind: 'social_worker', providerId: w.id, title: offer.title, description: '', category: offer.category, skills: ['心理疏导'],
      ...(grids[0] && c.grids.some((g) => g.id === grids[0]) ? { gridId: grids[0] } : {}), availability: WEEKDAYS, capacity: 3,
    });
  });
  for (const d of DONOR_OFFERS) bodies.push({ providerKind: 'donor', description: '', skills: [], ...d });
  for (const o of COMMUNITY_OFFERS) bodies.push({ providerKind: 'community', description: '', skills: [], ...o });
  // Every category has someone to turn to, if only the community's service centre.
  for (const cat of SERVICE_CATEGORIES) {
    if (!bodies.some((b) => b.category === cat.code)) {
      bodies.push({
        providerKind: 'community', providerName: '桂花社区党群服务中心', title: `${cat.zh}服务`, description: '', category: cat.code,
        skills: [], availability: WEEKDAYS, capacity: 3,
      });
    }
  }
  let n = 0;
  for (const b of bodies) {
    try {
      await svc.resources.create(p, b);
      n++;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
    }
  }
  return n;
}

// ---- the simulator -----------------------------------------------------------------------------

export interface NeedSimulatorOptions extends TickerOptions {
  service: NeedService;
  /** Story time passes this many times faster (SIM_SPEED). */
  speed: number;
}

/**
 * Drives the three lists through NeedService at the needs desk, in office hours: a need raised
 * every one to two and a half office hours, matched (propose, accept the best that fits),
 * started, met and mostly rated after the history's delays. Each step reads the lists and does
 * what is due; a 409 (someone at the console moved the need first) is re-planned on the next
 * step. One need in ten is left alone, as some are in life, and goes overdue.
 */
export class NeedSimulator extends Ticker<NeedSimulatorOptions> {
  #p: Principal;
  #nextRaise = 0;
  #nextScan = 0;
  /** When each need's next step is due, by `id:status`. */
  #due = new Map<string, number>();
  /** When each met need gets its rating, or null for none; decided once. */
  #rating = new Map<number, number | null>();

  constructor(o: NeedSimulatorOptions) {
    super(o, { intervalMs: 1_000, seedOffset: 11, failure: 'needs simulator step failed' });
    this.#p = coordinator(this.community);
  }

  /**
   * When a step that may take `draw()` hours from `since` happens, given it has not by `now`
   * (a need seeded before start carries on as the history would have), at the desk's hours.
   */
  #when(since: number, now: number, draw: () => number): number {
    for (let i = 0; i < 20; i++) {
      const at = since + this.storyHours(draw());
      if (at > now) return this.inHours(at, HOURS.office);
    }
    return this.inHours(now + this.storyHours(draw()), HOURS.office);
  }

  /** One turn: raise, match, start, meet, rate — whatever is due, while the desk is open. */
  protected override async tick() {
    const now = this.now();
    const svc = this.options.service;
    const r = this.rand;
    if (!this.#nextRaise) this.#nextRaise = this.afterWorking(now, between(r, 0.2, 1.5), HOURS.office);
    if (!this.within(HOURS.office)) return;
    if (now >= this.#nextRaise) {
      await this.#raise(now);
      this.#nextRaise = this.afterWorking(now, between(r, 1, 2.6), HOURS.office);
    }
    // The lists are gone through every few story minutes: desk work is not timed closer.
    if (now < this.#nextScan) return;
    this.#nextScan = now + this.story(5);

    const open = svc.lifecycle.list(this.#p, { open: true, limit: 200 }).items;
    const live = new Set<string>();
    for (const n of open) {
      const key = `${n.id}:${n.status}`;
      live.add(key);
      if (n.id % 10 === 7) continue; // left alone: it goes overdue
      let due = this.#due.get(key);
      if (due === undefined) {
        const u = n.urgency;
        due = n.status === 'raised' ? this.#when(n.raisedAt, now, () => matchHours(r, u))
          : n.status === 'matched' ? this.#when(n.matchedAt ?? now, now, () => startHours(r, u))
          : this.#when(n.startedAt ?? now, now, () => serviceHours(r, u));
        this.#due.set(key, due);
      }
      if (now < due) continue;
      await this.attempt(`advance ${n.code}`, async () => {
        if (n.status === 'raised') {
          if (!(await matchNeed(svc, this.#p, n, r))) this.#due.set(key, this.inHours(now + this.storyHours(between(r, 4, 12)), HOURS.office));
        } else if (n.status === 'matched') {
          await svc.lifecycle.start(this.#p, n.id, {});
        } else {
          await svc.lifecycle.meet(this.#p, n.id, {});
        }
      });
    }
    for (const k of this.#due.keys()) if (!live.has(k)) this.#due.delete(k);

    const met = svc.lifecycle.list(this.#p, { status: 'met', limit: 50 }).items;
    const still = new Set(met.map((n) => n.id));
    for (const n of met) {
      let at = this.#rating.get(n.id);
      if (at === undefined) this.#rating.set(n.id, (at = r() < 0.75 ? this.#when(n.metAt ?? now, now, () => rateHours(r)) : null));
      if (at === null || now < at) continue;
      this.#rating.set(n.id, null);
      await this.attempt(`rate ${n.code}`, () => svc.lifecycle.rate(this.#p, n.id, { satisfaction: Number(rating(r)) }));
    }
    for (const id of this.#rating.keys()) if (!still.has(id)) this.#rating.delete(id);
  }

  /** A need entered now, raised by the resident some hours ago in the daytime (补录); now and then one is withdrawn. */
  async #raise(now: number) {
    const { body, by } = draftNeed(this.rand, this.community);
    const tz = this.community.timeZone;
    let raisedAt = now - between(this.rand, 0.5, 6) * HOUR_MS;
    const morning = startOfLocalDay(now, tz) + 7 * HOUR_MS;
    if (raisedAt < morning) raisedAt = Math.min(now - 10 * MIN, morning + this.rand() * Math.max(0, now - 10 * MIN - morning));
    await this.attempt('raise', () => this.options.service.lifecycle.raise(by, { ...body, raisedAt: new Date(raisedAt).toISOString() }));
    if (this.rand() < 0.05) {
      const waiting = this.options.service.lifecycle.list(this.#p, { status: 'raised', limit: 20 }).items.filter((n) => n.id % 10 !== 7);
      if (waiting.length) {
        const n = pick(this.rand, waiting);
        await this.attempt('withdraw', () => this.options.service.lifecycle.close(this.#p, n.id, { reason: 'withdrawn', note: pick(this.rand, NOTES.withdrawn) }));
      }
    }
  }
}
