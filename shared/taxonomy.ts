/**
 * The grid-event taxonomy: categories, sub-categories and their time limits, kept as data.
 *
 * A time limit says how long the centre has to dispatch an accepted event and how long the
 * assignee has to handle a dispatched one, per urgency. The numbers follow common 12345 and
 * digital-city-management practice: critical matters within hours, urgent the same day,
 * ordinary ones within a few working days. A community can override the table (see
 * `timeLimitFor`).
 */

export const URGENCIES = ['normal', 'urgent', 'critical'] as const;
export type Urgency = (typeof URGENCIES)[number];

export interface TimeLimit {
  /** Minutes from acceptance (立案) to dispatch (派遣). */
  dispatchMinutes: number;
  /** Hours from dispatch to feedback (反馈): the handling clock. */
  handleHours: number;
}

export interface SubCategory {
  code: string;
  zh: string;
  en: string;
  /** About one vulnerable resident: the public wall shows less (see `isProtectedEvent`). */
  protected?: true;
}

export interface Category {
  code: string;
  zh: string;
  en: string;
  /** Chart colour, picked to stay distinguishable on a dark wall. */
  color: string;
  limits: Record<Urgency, TimeLimit>;
  subcategories: SubCategory[];
  /** Every event of it is about a vulnerable resident (see `isProtectedEvent`). */
  protected?: true;
}

const standard: Record<Urgency, TimeLimit> = {
  normal: { dispatchMinutes: 120, handleHours: 72 },
  urgent: { dispatchMinutes: 30, handleHours: 24 },
  critical: { dispatchMinutes: 10, handleHours: 4 },
};

const quick: Record<Urgency, TimeLimit> = {
  normal: { dispatchMinutes: 60, handleHours: 24 },
  urgent: { dispatchMinutes: 20, handleHours: 8 },
  critical: { dispatchMinutes: 5, handleHours: 2 },
};

export const CATEGORIES: readonly Category[] = [
  {
    code: 'environment', zh: '市容环境', en: 'Environment', color: '#36cfc9', limits: standard,
    subcategories: [
      { code: 'garbage', zh: '垃圾堆放', en: 'Piled rubbish' },
      { code: 'littering', zh: '乱扔乱倒', en: 'Littering' },
      { code: 'illegal_ads', zh: '乱张贴', en: 'Illegal posters' },
      { code: 'occupation', zh: '占道经营', en: 'Street vending' },
      { code: 'greenery', zh: '绿化损坏', en: 'Damaged greenery' },
    ],
  },
  {
    code: 'facilities', zh: '公共设施', en: 'Public facilities', color: '#4096ff', limits: standard,
    subcategories: [
      { code: 'road', zh: '道路破损', en: 'Damaged road' },
      { code: 'streetlight', zh: '路灯故障', en: 'Street light out' },
      { code: 'manhole', zh: '井盖缺失', en: 'Missing manhole cover' },
      { code: 'elevator', zh: '电梯故障', en: 'Lift fault' },
      { code: 'water_leak', zh: '管道漏水', en: 'Water leak' },
    ],
  },
  {
    code: 'security', zh: '治安隐患', en: 'Public security', color: '#9254de', limits: quick,
    subcategories: [
      { code: 'suspicious', zh: '可疑人员', en: 'Suspicious person' },
      { code: 'theft', zh: '盗窃', en: 'Theft' },
      { code: 'noise', zh: '噪音扰民', en: 'Noise' },
      { code: 'illegal_rental', zh: '群租房', en: 'Illegal sublet' },
    ],
  },
  {
    code: 'fire', zh: '消防安全', en: 'Fire safety', color: '#ff4d4f', limits: quick,
    subcategories: [
      { code: 'blocked_exit', zh: '消防通道堵塞', en: 'Blocked fire lane' },
      { code: 'ebike_charging', zh: '电动车违规充电', en: 'E-bike charging indoors' },
      { code: 'extinguisher', zh: '消防设施缺失', en: 'Missing extinguisher' },
      { code: 'flammables', zh: '易燃物堆放', en: 'Stored flammables' },
    ],
  },
  {
    code: 'dispute', zh: '矛盾纠纷', en: 'Disputes', color: '#faad14', limits: standard,
    subcategories: [
      { code: 'neighbour', zh: '邻里纠纷', en: 'Neighbours' },
      { code: 'property', zh: '物业纠纷', en: 'Property management' },
      { code: 'family', zh: '家庭纠纷', en: 'Family', protected: true },
      { code: 'labour', zh: '劳资纠纷', en: 'Unpaid wages' },
    ],
  },
  {
    code: 'livelihood', zh: '民生服务', en: 'Livelihood', color: '#73d13d', limits: standard,
    subcategories: [
      { code: 'water_power', zh: '水电气暖', en: 'Water, power, gas, heating' },
      { code: 'subsidy', zh: '社会救助', en: 'Social assistance', protected: true },
      { code: 'medical', zh: '就医协助', en: 'Medical help', protected: true },
      { code: 'paperwork', zh: '证照代办', en: 'Paperwork' },
    ],
  },
  {
    code: 'care', zh: '特殊人群关爱', en: 'Care for key groups', color: '#ff85c0', limits: quick, protected: true,
    subcategories: [
      { code: 'elderly_alone', zh: '独居老人', en: 'Elderly living alone' },
      { code: 'disabled', zh: '残疾人帮扶', en: 'People with disabilities' },
      { code: 'minors', zh: '困境儿童', en: 'Children in difficulty' },
      { code: 'mental_health', zh: '心理疏导', en: 'Mental health' },
    ],
  },
  {
    code: 'emergency', zh: '突发事件', en: 'Emergencies', color: '#ff7a45',
    limits: {
      normal: { dispatchMinutes: 15, handleHours: 4 },
      urgent: { dispatchMinutes: 5, handleHours: 2 },
      critical: { dispatchMinutes: 2, handleHours: 1 },
    },
    subcategories: [
      { code: 'flooding', zh: '积水内涝', en: 'Flooding' },
      { code: 'fire_outbreak', zh: '火情', en: 'Fire' },
      { code: 'accident', zh: '意外伤害', en: 'Accident' },
      { code: 'gas_leak', zh: '燃气泄漏', en: 'Gas leak' },
      // A household on an incident's accounted-for board said it needs help (server/emergency/board.ts): about one household, so guarded on the wall.
      { code: 'needs_help', zh: '住户求助', en: 'Household needs help', protected: true },
    ],
  },
];

const byCode = new Map(CATEGORIES.map((c) => [c.code, c]));

export const CATEGORY_CODES = CATEGORIES.map((c) => c.code) as [string, ...string[]];

export function categoryOf(code: string): Category | undefined {
  return byCode.get(code);
}

export function isSubcategoryOf(category: string, sub: string): boolean {
  return byCode.get(category)?.subcategories.some((s) => s.code === sub) ?? false;
}

/**
 * Is an event of this kind about one vulnerable resident (a key population's care, social
 * assistance, medical help, a family dispute)? The public wall then gets its sub-category in
 * place of the typed title, no description, no address and no map point; it still counts in
 * the figures by category and grid (shared/disclosure.ts, docs/SECURITY.md).
 */
export function isProtectedEvent(category: string, sub: string | null): boolean {
  const c = byCode.get(category);
  return !!c && (c.protected === true || c.subcategories.some((s) => s.code === sub && s.protected === true));
}

/** A sub-category's Chinese label (the category's when the sub-category is unknown): data, like a typed title. */
export function subcategoryLabel(category: string, sub: string | null): string {
  const c = byCode.get(category);
  return c?.subcategories.find((s) => s.code === sub)?.zh ?? c?.zh ?? sub ?? category;
}

/** The time limit for a category and urgency; unknown categories fall back to the standard table. */
export function timeLimitFor(category: string, urgency: Urgency): TimeLimit {
  return (byCode.get(category)?.limits ?? standard)[urgency];
}

export const SOURCES = ['patrol', 'resident', 'hotline', 'sensor', 'assigned'] as const;
export type Source = (typeof SOURCES)[number];
