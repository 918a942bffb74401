/**
 * Demo volunteers (志愿服务): teams, ~60 volunteers, the 积分超市 catalogue and a few activities,
 * all created through VolunteerService (so the points ledger and the journal are right), and a
 * simulator that keeps them busy: sign-ups, check-in, check-out (earning points), redemptions,
 * and the coming days' activities published so there is something on most days.
 *
 * Life's hours. Activities keep their templates' local hours (07:00 to 21:30), so nobody
 * volunteers at night: started at 02:00, the demo's first activity is at seven. Volunteers sign
 * up over the days before, in the daytime; they check in as they arrive (check-in opens an hour
 * before the start) and out at the end, so the hours and points are the activity's own. An
 * activity already under way when the demo starts has its paper sign-in sheet entered (check-in
 * `at` back-dated inside its window, as the API allows). Points are spent at the exchange's
 * counter in its opening hours. `speed` (SIM_SPEED) makes sign-ups and redemptions come faster;
 * activities keep their hours whatever it is.
 *
 * Long on purpose: it is the demo's script for one subject, its invented data, the seeder that
 * lives a month through the service and the simulator that carries on, read top to bottom.
 */
import { DomainError } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { VolunteerService } from '../volunteers/service.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { ActivityRecord } from '../volunteers/record.ts';
import { CHECK_IN_OPENS_BEFORE_MS } from '../../shared/volunteers.ts';
import { DAY_MS, HOUR_MS, startOfLocalDay } from '../../shared/time.ts';
import { DEMO_COMMUNITY, type DemoCommunity } from './community.ts';
import { pick, seededRandom } from './seed.ts';
import { HOURS, poisson } from './pace.ts';
import { Ticker, type TickerOptions } from './ticker.ts';

const MIN = 60_000;

export const DEMO_TEAMS = ['党员先锋队', '巾帼志愿队', '青少年志愿队', '银龄互助队', '平安巡逻队'] as const;
export const DEMO_SKILLS = ['助老陪伴', '垃圾分类督导', '平安巡逻', '心理疏导', '家电维修', '理发', '义诊', '文艺'] as const;

/** The 积分超市: name, description, points, stock. */
export const DEMO_ITEMS: readonly [string, string, number, number][] = [
  ['理发券', '社区理发室单次理发', 20, 50],
  ['肥皂', '家用洗衣皂 2 块装', 20, 80],
  ['抽纸', '3 层抽纸 6 包', 25, 60],
  ['牙膏', '120g 牙膏', 25, 50],
  ['毛巾', '纯棉毛巾', 30, 60],
  ['鸡蛋', '土鸡蛋 一盒 10 枚', 40, 40],
  ['洗衣液', '2kg 洗衣液', 60, 30],
  ['食用油', '5L 菜籽油', 80, 20],
  ['家政服务券', '2 小时家政保洁服务', 100, 15],
  ['雨伞', '折叠晴雨伞', 100, 20],
  ['大米 5kg', '东北大米 5kg', 120, 25],
  ['保温杯', '不锈钢保温杯 500ml', 150, 10],
];

interface ActivityTemplate {
  title: string;
  description: string;
  place: (c: DemoCommunity, rand: () => number) => { place: string; gridId?: string };
  skills: string[];
  team: (typeof DEMO_TEAMS)[number];
  hours: number;
  capacity: number;
  /** Local hour it usually starts. */
  hour: number;
}

const landmarkPlace = (c: DemoCommunity, rand: () => number) => {
  const g = pick(rand, c.grids);
  return { place: pick(rand, g.landmarks), gridId: g.id };
};
const fixed = (place: string) => () => ({ place });

export const ACTIVITY_TEMPLATES: readonly ActivityTemplate[] = [
  { title: '敬老院陪伴', description: '陪伴老人聊天、读报，协助助餐。', place: fixed('社区老年活动室'), skills: ['助老陪伴'], team: '银龄互助队', hours: 2, capacity: 8, hour: 9 },
  { title: '垃圾分类桶边督导', description: '早晚投放高峰桶边指导居民分类投放。', place: landmarkPlace, skills: ['垃圾分类督导'], team: '巾帼志愿队', hours: 2, capacity: 6, hour: 7 },
  { title: '夜间平安巡逻', description: '沿主要道路和小区巡逻，关注电动车充电和消防通道。', place: landmarkPlace, skills: ['平安巡逻'], team: '平安巡逻队', hours: 2, capacity: 6, hour: 19 },
  { title: '社区义诊', description: '量血压、测血糖，健康咨询。', place: fixed('社区党群服务中心'), skills: ['义诊'], team: '党员先锋队', hours: 3, capacity: 6, hour: 9 },
  { title: '家电义务维修', description: '为居民免费维修小家电。', place: fixed('社区党群服务中心'), skills: ['家电维修'], team: '党员先锋队', hours: 3, capacity: 5, hour: 14 },
  { title: '爱心义剪', description: '为高龄、行动不便老人免费理发。', place: fixed('社区老年活动室'), skills: ['理发'], team: '巾帼志愿队', hours: 2, capacity: 4, hour: 14 },
  { title: '绿道环境清洁', description: '捡拾垃圾、清理小广告。', place: fixed('余杭塘河绿道'), skills: [], team: '青少年志愿队', hours: 2, capacity: 12, hour: 15 },
  { title: '独居老人上门探访', description: '入户探访独居老人，排查安全隐患。', place: landmarkPlace, skills: ['助老陪伴', '心理疏导'], team: '银龄互助队', hours: 2, capacity: 6, hour: 10 },
  { title: '广场文艺汇演', description: '社区文艺队排练演出。', place: fixed('口袋公园'), skills: ['文艺'], team: '青少年志愿队', hours: 2, capacity: 10, hour: 18 },
];

const ORGANISER = '桂花社区志愿服务站';
const SURNAMES = '王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文'.split('');
const GIVEN = ['秀兰', '桂英', '建华', '志强', '丽娟', '海燕', '国平', '玉梅', '卫东', '春燕', '文杰', '雅琴', '晓明', '丹丹', '立新', '美华',
  '振宇', '淑芬', '子涵', '欣怡', '浩然', '梓萱', '宇轩', '佳怡', '慧敏', '永康', '红霞', '德明', '凤英', '俊杰', '思远', '静', '敏', '磊', '婷', '军', '芳', '勇', '琳', '涛'];

const actorOf = (c: DemoCommunity): Principal => ({ id: 'sim:volunteers', role: 'coordinator', communityId: c.id });
const iso = (ms: number) => new Date(ms).toISOString();

/** Distinct plausible names, avoiding the demo residents' names. */
export function volunteerNames(rand: () => number, n: number, c: DemoCommunity = DEMO_COMMUNITY): string[] {
  const taken = new Set(c.residentNames);
  const out: string[] = [];
  for (let tries = 0; out.length < n && tries < n * 50; tries++) {
    const name = pick(rand, SURNAMES) + pick(rand, GIVEN);
    if (!taken.has(name)) (taken.add(name), out.push(name));
  }
  return out;
}

function randomPhone(rand: () => number): string {
  return `1${pick(rand, ['35', '37', '38', '39', '50', '58', '86', '88'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
}

async function createFromTemplate(
  svc: VolunteerService, c: DemoCommunity, rand: () => number, t: ActivityTemplate, startsAt: number, endsAt: number,
): Promise<ActivityRecord> {
  const where = t.place(c, rand);
  return svc.activities.create(actorOf(c), {
    title: t.title, description: t.description, organiser: `${ORGANISER}·${t.team}`, startsAt: iso(startsAt), endsAt: iso(endsAt),
    place: where.place, ...(where.gridId ? { gridId: where.gridId } : {}), capacity: t.capacity, skillsWanted: t.skills, status: 'open',
  });
}

/** An activity at its usual local hour (or half an hour later) on the day `dayStart` (local midnight). */
function createOnDay(svc: VolunteerService, c: DemoCommunity, rand: () => number, t: ActivityTemplate, dayStart: number, late = rand() < 0.5) {
  const startsAt = dayStart + t.hour * HOUR_MS + (late ? 30 * MIN : 0);
  return createFromTemplate(svc, c, rand, t, startsAt, startsAt + t.hours * HOUR_MS);
}

/** The activities of a coming day: two to four of the templates, each at its hour. */
async function planDay(svc: VolunteerService, c: DemoCommunity, rand: () => number, dayStart: number): Promise<number> {
  const templates = [...ACTIVITY_TEMPLATES].sort(() => rand() - 0.5).slice(0, 2 + Math.floor(rand() * 3));
  for (const t of templates) await createOnDay(svc, c, rand, t, dayStart);
  return templates.length;
}

export interface SeedVolunteersResult {
  teams: number;
  volunteers: number;
  items: number;
  activities: number;
}

/**
 * Install the demo volunteers on first demo start (when the community has no team yet): teams,
 * volunteers with skills, the exchange catalogue, today's activities (one under way if the hour
 * has one, a few still to come) and two to four a day for the coming three days. Returns null
 * when the community has volunteers already.
 *
 * What the service's rules do not allow is not seeded: sign-ups close when an activity ends,
 * so there are no finished activities from earlier days here (`seedVolunteerHistory` lives
 * them through on a moving clock).
 */
export async function seedVolunteers(
  svc: VolunteerService, now: number, rand: () => number = seededRandom(20260310),
  opts: { community?: DemoCommunity; volunteers?: number } = {},
): Promise<SeedVolunteersResult | null> {
  const c = opts.community ?? DEMO_COMMUNITY;
  const p = actorOf(c);
  if (svc.teams.list(p).length > 0) return null;

  const teams = [];
  for (const name of DEMO_TEAMS) teams.push(await svc.teams.create(p, { name }));
  const teamSkills: Record<string, string[]> = {
    党员先锋队: ['义诊', '家电维修', '心理疏导'], 巾帼志愿队: ['垃圾分类督导', '理发', '助老陪伴'], 青少年志愿队: ['文艺', '垃圾分类督导'],
    银龄互助队: ['助老陪伴', '文艺'], 平安巡逻队: ['平安巡逻'],
  };

  const names = volunteerNames(rand, opts.volunteers ?? 60, c);
  for (const name of names) {
    const team = rand() < 0.85 ? pick(rand, teams) : null;
    const skills = new Set<string>();
    if (team) skills.add(pick(rand, teamSkills[team.name]!));
    const extra = Math.floor(rand() * 3);
    for (let i = 0; i < extra; i++) skills.add(pick(rand, DEMO_SKILLS));
    await svc.registry.register(p, { name, phone: randomPhone(rand), skills: [...skills], ...(team ? { teamId: team.id } : {}) });
  }

  for (const [name, description, pointsCost, stock] of DEMO_ITEMS) await svc.exchange.addItem(p, { name, description, pointsCost, stock });

  // Today: one under way now if the hour has one, then some of what is still to come; then the coming three days.
  let activities = 0;
  const today = startOfLocalDay(now, c.timeZone);
  const underWay = ACTIVITY_TEMPLATES.filter((t) => today + t.hour * HOUR_MS <= now && now < today + (t.hour + t.hours) * HOUR_MS - 20 * MIN);
  if (underWay.length) (await createOnDay(svc, c, rand, pick(rand, underWay), today, false), activities++);
  for (const t of ACTIVITY_TEMPLATES) {
    if (today + t.hour * HOUR_MS > now + 30 * MIN && rand() < 0.35) (await createOnDay(svc, c, rand, t, today), activities++);
  }
  for (let d = 1; d <= 3; d++) activities += await planDay(svc, c, rand, startOfLocalDay(today + d * DAY_MS + 12 * HOUR_MS, c.timeZone));
  return { teams: teams.length, volunteers: names.length, items: DEMO_ITEMS.length, activities };
}

// ---- the simulator ---------------------------------------------------------------------------

export interface VolunteerHistoryResult {
  activities: number;
  records: number;
  redemptions: number;
}

/**
 * The last `days` days of volunteer service, lived through the service on a moving clock (as a
 * coordinator would have entered them at the time): each day two or three activities from the
 * templates, volunteers signing up the day before, checking in around the start and out at
 * the end, so hours, points, certificates and the leaderboard have a month behind them. Some
 * points are spent. Call it after `seedVolunteers`, on a community with no past activities.
 */
export async function seedVolunteerHistory(
  deps: SubjectServiceDeps, now: number, opts: { days?: number; rand?: () => number; pointsPerHour?: number; community?: DemoCommunity } = {},
): Promise<VolunteerHistoryResult | null> {
  const c = opts.community ?? DEMO_COMMUNITY;
  const rand = opts.rand ?? seededRandom(20260301);
  const tz = c.timeZone;
  let clock = now;
  const svc = new VolunteerService({ ...deps, now: () => clock, pointsPerHour: opts.pointsPerHour });
  const p = actorOf(c);
  const today = startOfLocalDay(now, tz);
  const days = opts.days ?? 30;
  if (svc.activities.list(p, { to: iso(today), limit: 1 }).items.length) return null;
  const volunteers = svc.registry.list(p, { status: 'active', limit: 500 }).items;
  if (!volunteers.length) return null;
  const items = svc.exchange.items(p);
  const result: VolunteerHistoryResult = { activities: 0, records: 0, redemptions: 0 };
  for (let d = days; d >= 1; d--) {
    const dayStart = startOfLocalDay(today - d * DAY_MS + 12 * HOUR_MS, tz);
    const templates = [...ACTIVITY_TEMPLATES].sort(() => rand() - 0.5).slice(0, 2 + Math.floor(rand() * 2));
    for (const t of templates) {
      clock = dayStart - 10 * HOUR_MS; // the evening before
      const a = await createOnDay(svc, c, rand, t, dayStart);
      result.activities++;
      const people = [...volunteers].sort(() => rand() - 0.5).slice(0, Math.max(2, Math.round(a.capacity * (0.5 + rand() * 0.5))));
      // The writes of one moment are queued together: they share a group commit.
      await Promise.all(people.map((v) => svc.signups.signUp(p, a.id, { volunteerId: v.id })));
      clock = a.startsAt + 5 * MIN;
      await Promise.all(people.map((v) => rand() < 0.06
        ? svc.signups.markNoShow(p, a.id, { volunteerId: v.id })
        : svc.signups.checkIn(p, a.id, { volunteerId: v.id, at: iso(a.startsAt - Math.floor(rand() * 15) * MIN) })));
      clock = a.endsAt + 10 * MIN;
      const outs = await Promise.all(svc.signups.list(p, a.id).filter((x) => x.status === 'checked_in')
        .map((s) => svc.signups.checkOut(p, a.id, { volunteerId: s.volunteerId, at: iso(a.endsAt) })));
      result.records += outs.filter((o) => o.record).length;
      await svc.activities.setStatus(p, a.id, { status: 'closed' });
    }
    // Now and then someone spends their points at the 积分超市, before it closes.
    if (items.length && rand() < 0.6) {
      clock = dayStart + (HOURS.exchange[1] - 1 + rand()) * HOUR_MS;
      const balances = svc.points.balances(volunteers.map((v) => v.id));
      const rich = volunteers.filter((v) => (balances.get(v.id) ?? 0) >= 40);
      if (rich.length) {
        const who = pick(rand, rich);
        const item = pick(rand, items.filter((i) => i.pointsCost <= (balances.get(who.id) ?? 0)));
        try {
          await svc.exchange.redeem(p, { volunteerId: who.id, itemId: item.id, quantity: 1 });
          result.redemptions++;
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
        }
      }
    }
  }
  return result;
}

export interface VolunteerSimulatorOptions extends TickerOptions {
  volunteers: VolunteerService;
  /** Sign-ups and redemptions come this many times faster (SIM_SPEED); activities keep their hours. */
  speed: number;
}

/** When a signed-up volunteer turns up, decided once: most a little before the start, a few late, one in twenty not at all. */
interface Arrival {
  at: number;
  noShow: boolean;
}

/**
 * Drives the volunteer ledger through VolunteerService, like Simulator drives grid events:
 * each step reads the state, does what is due at that time, and a 409 (someone at the console
 * moved it first: a place taken, a check-in already made) is simply re-planned from the state
 * on the next step.
 */
export class VolunteerSimulator extends Ticker<VolunteerSimulatorOptions> {
  #p: Principal;
  /** The first step's time: an activity under way then has its sheet filled at once. */
  #first: number | null = null;
  /** When the activities were last looked after. */
  #tended = 0;
  #nextPlan = 0;
  #nextRedeem = 0;
  /** Activities whose every sign-up is settled (checked out, no-show or cancelled). */
  #done = new Set<number>();
  /** How full each activity gets (a fraction of its capacity), decided once. */
  #fill = new Map<number, number>();
  /** By sign-up id. */
  #arrivals = new Map<number, Arrival>();

  constructor(o: VolunteerSimulatorOptions) {
    super(o, { intervalMs: 1_000, seedOffset: 7, failure: 'volunteer simulator step failed' });
    this.#p = actorOf(this.community);
  }

  /** One turn: publish the coming days, sign up, check in, check out, redeem — whatever is due now. */
  protected override async tick() {
    const now = this.now();
    if (this.#first === null) {
      this.#first = now;
      this.#tended = now - this.story(1);
      this.#nextPlan = now;
      this.#nextRedeem = this.afterWorking(now, 0.5 + this.rand() * 2, HOURS.exchange);
    }
    const svc = this.options.volunteers;

    // The coordinator keeps the next three days' programme published, in office hours.
    if (now >= this.#nextPlan && this.within(HOURS.office)) {
      await this.#planAhead(now);
      this.#nextPlan = this.afterWorking(now, 2 + this.rand() * 2, HOURS.office);
    }

    // The activities are looked after once a story minute: nobody's arrival is timed closer.
    if (now - this.#tended >= this.story(1)) {
      const elapsed = now - this.#tended;
      this.#tended = now;
      const live = svc.activities
        .list(this.#p, { from: iso(now - DAY_MS - HOUR_MS), to: iso(now + 4 * DAY_MS), limit: 200 })
        .items.filter((a) => a.status !== 'cancelled' && !this.#done.has(a.id));
      for (const a of live) await this.#tend(a, now, elapsed);
    }

    if (now >= this.#nextRedeem && this.within(HOURS.exchange)) {
      await this.#redeem();
      this.#nextRedeem = this.afterWorking(now, 1.5 + this.rand() * 2.5, HOURS.exchange);
    }
  }

  /** Each of the next three days that has no activity yet gets its programme. */
  async #planAhead(now: number) {
    const svc = this.options.volunteers;
    const tz = this.community.timeZone;
    const today = startOfLocalDay(now, tz);
    for (let d = 1; d <= 3; d++) {
      const day = startOfLocalDay(today + d * DAY_MS + 12 * HOUR_MS, tz);
      const next = startOfLocalDay(day + 36 * HOUR_MS, tz);
      const planned = svc.activities.list(this.#p, { from: iso(day), to: iso(next), limit: 1 }).items.length;
      if (!planned) await this.attempt('plan a day', () => planDay(svc, this.community, this.rand, day));
    }
  }

  /** Sign-ups, check-ins, check-outs and closing for one activity, whatever is due; `elapsed` since the last time. */
  async #tend(a: ActivityRecord, now: number, elapsed: number) {
    const svc = this.options.volunteers;
    const r = this.rand;
    const started = now >= a.startsAt;
    // Before check-in opens, only sign-ups can happen, and only in the daytime.
    if (now < a.startsAt - CHECK_IN_OPENS_BEFORE_MS && !this.within(HOURS.volunteering)) return;
    const signups = svc.signups.list(this.#p, a.id);

    // Sign-ups: up to how full it gets. Before the start they trickle in through the day-time
    // hours left; one already under way (the demo started during it) has its sheet filled at once.
    if (a.status === 'open' && now < a.endsAt) {
      let fill = this.#fill.get(a.id);
      if (fill === undefined) this.#fill.set(a.id, (fill = 0.5 + r() * 0.5));
      const want = Math.max(1, Math.round(a.capacity * fill)) - svc.activities.taken(a.id);
      let n = 0;
      if (want > 0 && started) n = a.startsAt <= this.#first! ? want : 0;
      else if (want > 0 && this.within(HOURS.volunteering)) {
        // Spread over the time left, of which about 15 hours a day are awake.
        const left = Math.max(30 * MIN, ((a.startsAt - now) * 15) / 24);
        n = Math.min(want, poisson(r, (want * elapsed * this.options.speed) / left));
      }
      if (n > 0) {
        const already = new Set(signups.filter((s) => s.status !== 'cancelled').map((s) => s.volunteerId));
        for (const v of this.#candidates(a, already).slice(0, n)) {
          await this.attempt('sign up', () => svc.signups.signUp(this.#p, a.id, { volunteerId: v }));
        }
      }
    }

    const fresh = svc.signups.list(this.#p, a.id);
    // Check-in opens an hour before the start; each volunteer is checked in when they arrive
    // (an arrival already past is entered from the sheet at its own time).
    if (now >= a.startsAt - CHECK_IN_OPENS_BEFORE_MS && now <= a.endsAt) {
      for (const s of fresh.filter((x) => x.status === 'signed_up')) {
        const arrival = this.#arrival(s.id, a);
        if (now < arrival.at) continue;
        if (arrival.noShow) {
          if (now >= a.startsAt + 30 * MIN) await this.attempt('no-show', () => svc.signups.markNoShow(this.#p, a.id, { volunteerId: s.volunteerId }));
          continue;
        }
        await this.attempt('check in', () => svc.signups.checkIn(this.#p, a.id, { volunteerId: s.volunteerId, at: iso(arrival.at) }));
        this.#arrivals.delete(s.id);
      }
    }

    if (now >= a.endsAt) {
      for (const s of fresh) {
        if (s.status === 'checked_in') {
          await this.attempt('check out', () => svc.signups.checkOut(this.#p, a.id, { volunteerId: s.volunteerId, at: iso(a.endsAt) }));
        } else if (s.status === 'signed_up') {
          await this.attempt('no-show', () => svc.signups.markNoShow(this.#p, a.id, { volunteerId: s.volunteerId }));
        }
        this.#arrivals.delete(s.id);
      }
      if (a.status === 'open') await this.attempt('close activity', () => svc.activities.setStatus(this.#p, a.id, { status: 'closed' }));
      if (svc.signups.list(this.#p, a.id).every((s) => s.status !== 'signed_up' && s.status !== 'checked_in')) {
        this.#done.add(a.id);
        this.#fill.delete(a.id);
      }
    }
  }

  #arrival(signupId: number, a: ActivityRecord): Arrival {
    let x = this.#arrivals.get(signupId);
    if (!x) {
      const r = this.rand;
      const early = a.startsAt - r() * 20 * MIN;
      const at = r() < 0.1 ? a.startsAt + r() * 20 * MIN : early;
      this.#arrivals.set(signupId, (x = { at: Math.max(at, a.startsAt - CHECK_IN_OPENS_BEFORE_MS), noShow: r() < 0.05 }));
    }
    return x;
  }

  /** Active volunteers not yet on the activity, those with a wanted skill first, shuffled. */
  #candidates(a: ActivityRecord, already: Set<number>): number[] {
    const vs = this.options.volunteers.registry.list(this.#p, { status: 'active', limit: 500 }).items.filter((v) => !already.has(v.id));
    const scored = vs.map((v) => ({
      id: v.id, score: (a.skillsWanted.some((s) => v.skills.includes(s)) ? 1 : 0) + this.rand() * 0.8,
    }));
    return scored.sort((x, y) => y.score - x.score).map((x) => x.id);
  }

  /** Someone with points spends them on something they can afford; an empty shelf is restocked. */
  async #redeem() {
    const svc = this.options.volunteers;
    const items = svc.exchange.items(this.#p);
    if (!items.length) return;
    const ids = svc.registry.list(this.#p, { status: 'active', limit: 500 }).items.map((v) => v.id);
    const balances = svc.points.balances(ids);
    const cheapest = Math.min(...items.map((i) => i.pointsCost));
    const rich = ids.filter((id) => (balances.get(id) ?? 0) >= cheapest);
    if (!rich.length) return;
    const who = pick(this.rand, rich);
    const affordable = items.filter((i) => i.pointsCost <= (balances.get(who) ?? 0));
    const item = pick(this.rand, affordable);
    if (item.stock < 1) {
      await this.attempt('restock', () => svc.exchange.restock(this.#p, item.id, { quantity: 20 }));
      return;
    }
    await this.attempt('redeem', () => svc.exchange.redeem(this.#p, { volunteerId: who, itemId: item.id, quantity: 1 }));
  }
}
