/**
 * Demo charity resources (慈善资源) for 桂花社区: about 40 gifts over the last 30 days from
 * residents, local enterprises and a foundation, in money (¥50 to ¥20,000) and goods (大米, 食用油,
 * 棉被, 口罩, 书包, 牛奶), some designated to the community's projects and needs; and disbursements
 * of money and goods to projects and needs. All through CharityService, so the fund's ledger,
 * the stock, the metrics and the journal are what real use would make: the seed drives a service
 * whose clock moves through the 30 days, each gift and payment recorded at its own instant.
 *
 * The simulator keeps it alive at the history's pace, at the office in office hours (gifts are
 * recorded and handed out at the desk, so none at 03:00): about one gift a day, now and then
 * goods handed out, and once in a while money paid to a need or a project.
 */
import { DomainError } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { CharityService, type OpenTarget } from '../charity/service.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { DisburseBody, DonorKind, RecordDonationBody } from '../../shared/charity.ts';
import { DAY_MS, HOUR_MS, startOfLocalDay } from '../../shared/time.ts';
import { DEMO_COMMUNITY, type DemoCommunity } from './community.ts';
import { pick, seededRandom } from './seed.ts';
import { HOURS, lastWithin, withinHours } from './pace.ts';
import { Ticker, type TickerOptions } from './ticker.ts';

const MIN = 60_000;

interface DemoDonor {
  kind: Exclude<DonorKind, 'person'>;
  name: string;
  publicName: string;
  phone: string;
  /** Goods they usually give. */
  goods: readonly string[];
  /** Money they give, in yuan: [min, max]. */
  yuan: readonly [number, number];
}

/** Local enterprises and a foundation (all invented for the demo). */
export const DEMO_DONORS: readonly DemoDonor[] = [
  { kind: 'enterprise', name: '杭州桂香食品有限公司', publicName: '杭州桂香食品有限公司', phone: '0571-88231066', goods: ['大米', '食用油', '牛奶'], yuan: [5_000, 20_000] },
  { kind: 'enterprise', name: '杭州文新医药连锁有限公司', publicName: '文新医药', phone: '0571-88076512', goods: ['口罩'], yuan: [3_000, 10_000] },
  { kind: 'enterprise', name: '浙江西溪数码科技有限公司', publicName: '西溪数码科技', phone: '0571-86651200', goods: ['书包'], yuan: [5_000, 15_000] },
  { kind: 'enterprise', name: '杭州桂花苑物业服务有限公司', publicName: '桂花苑物业', phone: '0571-88960031', goods: ['棉被', '大米'], yuan: [2_000, 8_000] },
  { kind: 'org', name: '浙江桂语公益基金会', publicName: '桂语公益基金会', phone: '0571-87112890', goods: ['棉被', '书包'], yuan: [10_000, 20_000] },
];

/** Goods: unit, estimated value per unit in fen, and a usual quantity range. */
export const DEMO_GOODS: Readonly<Record<string, { unit: string; unitCents: number; quantity: readonly [number, number] }>> = {
  大米: { unit: '袋', unitCents: 6_000, quantity: [10, 40] },
  食用油: { unit: '桶', unitCents: 7_500, quantity: [10, 30] },
  棉被: { unit: '床', unitCents: 16_000, quantity: [5, 20] },
  口罩: { unit: '盒', unitCents: 2_500, quantity: [20, 100] },
  书包: { unit: '个', unitCents: 8_000, quantity: [10, 40] },
  牛奶: { unit: '箱', unitCents: 5_500, quantity: [10, 40] },
};
const GOODS_NAMES = Object.keys(DEMO_GOODS);

const NEED_PURPOSES = {
  money: ['困难家庭临时救助', '大病医疗救助', '独居老人助餐补贴', '困境儿童助学金'],
  goods: ['为困难家庭送去生活物资', '冬季送温暖', '独居老人生活物资慰问', '留守儿童开学物资'],
} as const;
const PROJECT_PURPOSES = {
  money: ['项目执行经费', '助老食堂食材采购', '活动场地与物资费用'],
  goods: ['项目活动物资', '助老服务慰问品'],
} as const;

const actorOf = (c: DemoCommunity): Principal => ({ id: 'demo:charity', role: 'coordinator', communityId: c.id });

const between = (rand: () => number, [lo, hi]: readonly [number, number]) => lo + Math.floor(rand() * (hi - lo + 1));

function randomMobile(rand: () => number): string {
  return `1${pick(rand, ['35', '37', '38', '39', '58', '86', '88'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
}

/** Resident gifts in yuan: mostly small, now and then generous. */
function residentYuan(rand: () => number): number {
  const r = rand();
  if (r < 0.45) return pick(rand, [50, 100, 100, 200, 200]);
  if (r < 0.8) return pick(rand, [300, 500, 500, 800]);
  if (r < 0.95) return pick(rand, [1_000, 1_000, 2_000]);
  return 5_000;
}

/**
 * One believable gift: a resident (money, now and then goods; anonymous a quarter of the time,
 * else named in public with their consent about half the time), an enterprise or the
 * foundation; designated to a project or need of `targets` now and then.
 */
export function draftDonation(rand: () => number, c: DemoCommunity, targets: readonly OpenTarget[]): RecordDonationBody {
  const projects = targets.filter((t) => t.kind === 'project');
  const needs = targets.filter((t) => t.kind === 'need');
  const r = rand();
  let donor: Pick<RecordDonationBody, 'donorKind' | 'donorName' | 'donorPhone' | 'anonymous' | 'publicName'>;
  let money: number | null;
  let goodsName: string | null = null;
  if (r < 0.68) {
    const name = pick(rand, c.residentNames);
    const a = rand();
    donor = {
      donorKind: 'person', donorName: name, donorPhone: randomMobile(rand), anonymous: a < 0.25,
      ...(a >= 0.25 && a < 0.7 ? { publicName: name } : {}),
    };
    if (rand() < 0.2) (goodsName = pick(rand, ['大米', '食用油', '牛奶', '棉被']), (money = null));
    else money = residentYuan(rand);
  } else {
    const d = pick(rand, DEMO_DONORS);
    donor = { donorKind: d.kind, donorName: d.name, donorPhone: d.phone, anonymous: false, publicName: d.publicName };
    if (rand() < 0.5) (goodsName = pick(rand, d.goods), (money = null));
    else money = Math.round(between(rand, d.yuan) / 500) * 500;
  }
  // Designated: organizations' money mostly to a project; some residents' to a need they know of.
  let designation: { projectId: number } | { needId: number } | Record<string, never> = {};
  const d = rand();
  if (money !== null && projects.length && (donor.donorKind !== 'person' ? d < 0.6 : d < 0.2)) designation = { projectId: pick(rand, projects).id };
  else if (needs.length && d > 0.9) designation = { needId: pick(rand, needs).id };
  const common = { ...donor, ...designation, note: '' };
  if (money !== null) return { kind: 'money', amountCents: money * 100, ...common };
  const g = DEMO_GOODS[goodsName!]!;
  const quantity = donor.donorKind === 'person' ? between(rand, [1, 5]) : between(rand, g.quantity);
  return { kind: 'goods', item: goodsName!, unit: g.unit, quantity, valueCents: quantity * g.unitCents, ...common };
}

/** A gift of `item` from a donor who gives it (an enterprise, the foundation, or a resident for everyday goods). */
export function draftGoodsDonation(rand: () => number, c: DemoCommunity, item: string): RecordDonationBody {
  const g = DEMO_GOODS[item]!;
  const givers = DEMO_DONORS.filter((d) => d.goods.includes(item));
  if (!givers.length || rand() < 0.15) {
    const name = pick(rand, c.residentNames);
    const quantity = between(rand, [2, 6]);
    return {
      kind: 'goods', item, unit: g.unit, quantity, valueCents: quantity * g.unitCents, donorKind: 'person', donorName: name,
      donorPhone: randomMobile(rand), anonymous: rand() < 0.3, note: '',
    };
  }
  const d = pick(rand, givers);
  const quantity = between(rand, g.quantity);
  return {
    kind: 'goods', item, unit: g.unit, quantity, valueCents: quantity * g.unitCents, donorKind: d.kind, donorName: d.name,
    donorPhone: d.phone, anonymous: false, publicName: d.publicName, note: '',
  };
}

/**
 * A believable disbursement given what is on hand: goods to a need (or a project), or money
 * to a need from the fund, or to a project from what was designated to it (else the fund).
 * Null when there is nothing to give or nobody to give it to.
 */
export function draftDisbursement(
  rand: () => number, svc: CharityService, p: Principal, targets: readonly OpenTarget[], kind: 'money' | 'goods',
): DisburseBody | null {
  if (!targets.length) return null;
  const needs = targets.filter((t) => t.kind === 'need');
  const projects = targets.filter((t) => t.kind === 'project');
  const toNeed = needs.length > 0 && (projects.length === 0 || rand() < 0.7);
  const target = toNeed ? { needId: pick(rand, needs).id } : { projectId: pick(rand, projects).id };
  const purpose = pick(rand, (toNeed ? NEED_PURPOSES : PROJECT_PURPOSES)[kind]);
  if (kind === 'goods') {
    const stock = svc.goods.list(p, { inStock: true, limit: 50 }).items;
    if (!stock.length) return null;
    const g = pick(rand, stock);
    const quantity = Math.max(1, Math.min(g.onHand, toNeed ? between(rand, [1, 4]) : between(rand, [5, 15])));
    return { kind: 'goods', goodsId: g.id, quantity, purpose, ...target };
  }
  const fund = svc.fund.summary(p);
  if ('projectId' in target) {
    const designated = fund.accounts.find((a) => a.kind === 'restricted' && a.projectId === target.projectId)?.balanceCents ?? 0;
    if (designated >= 100_000) {
      return { kind: 'money', from: 'restricted', amountCents: Math.round((designated * (0.3 + rand() * 0.5)) / 10_000) * 10_000, purpose, ...target };
    }
  }
  const amountCents = (toNeed ? pick(rand, [300, 500, 800, 1_000, 2_000]) : pick(rand, [2_000, 3_000, 5_000])) * 100;
  if (fund.fundCents < amountCents) return null;
  return { kind: 'money', from: 'fund', amountCents, purpose, ...target };
}

export interface SeedCharityResult {
  donations: number;
  disbursements: number;
  raisedCents: number;
  disbursedCents: number;
}

/**
 * Install the demo gifts and disbursements of the last 30 days (~`donations` gifts and about a
 * third as many disbursements), the last gift earlier today. Run it after the organizations'
 * seed, so some gifts can be designated to their projects. Returns null when the community has
 * a donation already.
 */
export async function seedCharity(
  deps: SubjectServiceDeps, now: number, opts: { community?: DemoCommunity; seed?: number; donations?: number } = {},
): Promise<SeedCharityResult | null> {
  const c = opts.community ?? DEMO_COMMUNITY;
  const p = actorOf(c);
  let clock = now;
  const svc = new CharityService({ ...deps, now: () => clock });
  if (svc.donations.list(p, { limit: 1 }).items.length) return null;
  const rand = seededRandom(opts.seed ?? 20260322);
  const targets = svc.openTargets(p);

  // Instants: gifts in office hours over 30 days, the last one at the last office hours; disbursements in between.
  const n = opts.donations ?? 40;
  const dayStart = (ms: number) => startOfLocalDay(ms, c.timeZone);
  const [opens, closes] = HOURS.office;
  const inOfficeHours = (day: number) => day + (opens + rand() * (closes - opens)) * HOUR_MS;
  const plan: { at: number; what: 'donation' | 'money' | 'goods'; item?: string }[] = [];
  // Every kind of goods arrives once in the first fortnight, so the store has all of them to give out.
  for (const item of GOODS_NAMES) plan.push({ at: inOfficeHours(dayStart(now - (16 + Math.floor(rand() * 13)) * DAY_MS)), what: 'donation', item });
  for (let i = GOODS_NAMES.length; i < n - 1; i++) plan.push({ at: inOfficeHours(dayStart(now - (1 + Math.floor(rand() * 29)) * DAY_MS)), what: 'donation' });
  const last = now - (10 + rand() * 80) * MIN;
  plan.push({ at: withinHours(last, HOURS.office, c.timeZone) ? last : lastWithin(last, HOURS.office, c.timeZone) - rand() * 80 * MIN, what: 'donation' });
  for (let i = 0; i < Math.round(n / 3); i++) {
    plan.push({ at: inOfficeHours(dayStart(now - (1 + Math.floor(rand() * 26)) * DAY_MS)), what: rand() < 0.55 ? 'goods' : 'money' });
  }
  plan.sort((a, b) => a.at - b.at);

  const out: SeedCharityResult = { donations: 0, disbursements: 0, raisedCents: 0, disbursedCents: 0 };
  for (const step of plan) {
    clock = Math.min(step.at, now);
    if (step.what === 'donation') {
      const d = await svc.donations.record(p, step.item ? draftGoodsDonation(rand, c, step.item) : draftDonation(rand, c, targets));
      out.donations++;
      out.raisedCents += d.valueCents;
      continue;
    }
    const body = draftDisbursement(rand, svc, p, targets, step.what);
    if (!body) continue;
    try {
      const b = await svc.disbursements.disburse(p, body);
      out.disbursements++;
      out.disbursedCents += b.valueCents;
    } catch (err) {
      // A project not yet running or at its budget: skipped, as the office would.
      if (!(err instanceof DomainError && err.status === 409)) throw err;
    }
  }
  return out;
}

// ---- the simulator ---------------------------------------------------------------------------

export interface CharitySimulatorOptions extends TickerOptions {
  service: CharityService;
  /** Story time passes this many times faster (SIM_SPEED): at 1, about a gift a working day. */
  speed: number;
}

/**
 * Keeps the charity books alive through CharityService, in office hours: a gift every three to
 * eleven office hours (the history has 40 in 30 days), goods handed out every day or two, money
 * paid every few days.
 */
export class CharitySimulator extends Ticker<CharitySimulatorOptions> {
  #p: Principal;
  #next: { donation: number; goods: number; money: number } | null = null;

  constructor(o: CharitySimulatorOptions) {
    super(o, { intervalMs: 2_000, seedOffset: 11, failure: 'charity simulator step failed' });
    this.#p = actorOf(this.community);
  }

  /** One turn: whatever is due of a gift, goods handed out, a payment, if the office is open. */
  protected override async tick() {
    const now = this.now();
    const r = this.rand;
    const office = HOURS.office;
    this.#next ??= {
      donation: this.afterWorking(now, 1 + r() * 6, office), goods: this.afterWorking(now, 6 + r() * 12, office),
      money: this.afterWorking(now, 15 + r() * 20, office),
    };
    if (!this.within(office)) return;
    const next = this.#next;
    const svc = this.options.service;
    if (now >= next.donation) {
      next.donation = this.afterWorking(now, 3 + r() * 8, office);
      await this.attempt('donation', () => svc.donations.record(this.#p, draftDonation(r, this.community, svc.openTargets(this.#p))));
    }
    if (now >= next.goods) {
      next.goods = this.afterWorking(now, 9 + r() * 18, office);
      const body = draftDisbursement(r, svc, this.#p, svc.openTargets(this.#p), 'goods');
      if (body) await this.attempt('give goods', () => svc.disbursements.disburse(this.#p, body));
    }
    if (now >= next.money) {
      next.money = this.afterWorking(now, 20 + r() * 25, office);
      const body = draftDisbursement(r, svc, this.#p, svc.openTargets(this.#p), 'money');
      if (body) await this.attempt('pay', () => svc.disbursements.disburse(this.#p, body));
    }
  }
}
