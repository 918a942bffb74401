/**
 * The community register's vocabulary and pure rules (一标三实), with no schema library: the
 * tablet reads its labels and checks a phone number offline without downloading zod. The
 * schemas built on it are shared/register.ts, which re-exports all of this.
 */
import { POPULATIONS } from './subjects.ts';

// ---- vocabulary -------------------------------------------------------------------------------

/**
 * Key-population tags (重点人群) a resident may carry. The first eight are the codes of
 * `POPULATIONS` (shared/subjects.ts), which needs and services use too, so a count by tag lines
 * up with the wall's care panel; the register adds the ones only it keeps.
 */
export const RESIDENT_TAGS = [
  ...POPULATIONS,
  { code: 'extreme_poverty', zh: '特困人员', en: 'Extreme poverty (特困)' },
  { code: 'pregnant', zh: '孕产妇', en: 'Pregnant or new mother' },
] as const;
export type ResidentTag = (typeof RESIDENT_TAGS)[number]['code'];
export const RESIDENT_TAG_CODES = RESIDENT_TAGS.map((t) => t.code) as unknown as readonly [ResidentTag, ...ResidentTag[]];

/** What an evacuation must plan for (疏散需要): shown to whoever knocks on the door in an emergency. */
export const MOBILITY_NEEDS = [
  { code: 'limited', zh: '行动不便', en: 'Limited mobility' },
  { code: 'wheelchair', zh: '需轮椅', en: 'Needs a wheelchair' },
  { code: 'bedridden', zh: '卧床', en: 'Bedridden' },
  { code: 'sight', zh: '视力障碍', en: 'Visually impaired' },
  { code: 'hearing', zh: '听力障碍', en: 'Hearing impaired' },
  { code: 'medical_device', zh: '依赖医疗设备', en: 'Depends on a medical device' },
] as const;
export type MobilityNeed = (typeof MOBILITY_NEEDS)[number]['code'];
export const MOBILITY_CODES = MOBILITY_NEEDS.map((t) => t.code) as unknown as readonly [MobilityNeed, ...MobilityNeed[]];

/**
 * What the resident agreed may be shared in normal times (平时共享同意), beyond the grid workers
 * and admins who keep the register: `care` 关爱服务 (social workers and volunteers who visit),
 * `evacuation` 避难协助 (the building's helpers named for evacuation), `notices` 社区通知.
 * In a declared disaster the emergency issue may override it, logged: see
 * `server/register/consent.ts` (`mayShare`).
 */
export const CONSENT_PURPOSES = ['care', 'evacuation', 'notices'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** owner 自住 · rented 租住 · vacant 空置 · collective 集体户 · other 其他. */
export const HOUSEHOLD_KINDS = ['owner', 'rented', 'vacant', 'collective', 'other'] as const;
export type HouseholdKind = (typeof HOUSEHOLD_KINDS)[number];

/** Relation to the head of household (与户主关系). */
export const RELATIONS = ['head', 'spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'tenant', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];

/** resident 常住 · temporary 暂住 · away 外出 (registered here, living elsewhere for now). */
export const RESIDENCE_STATUSES = ['resident', 'temporary', 'away'] as const;
export type ResidenceStatus = (typeof RESIDENCE_STATUSES)[number];

export const GENDERS = ['male', 'female'] as const;
export type Gender = (typeof GENDERS)[number];

/** The labels of the register's smaller vocabularies, as data in both languages (as the tags are). */
export const LABELS = {
  kind: {
    owner: { zh: '自住', en: 'Owner-occupied' }, rented: { zh: '租住', en: 'Rented' }, vacant: { zh: '空置', en: 'Vacant' },
    collective: { zh: '集体户', en: 'Collective' }, other: { zh: '其他', en: 'Other' },
  },
  relation: {
    head: { zh: '户主', en: 'Head' }, spouse: { zh: '配偶', en: 'Spouse' }, child: { zh: '子女', en: 'Child' }, parent: { zh: '父母', en: 'Parent' },
    grandchild: { zh: '孙子女', en: 'Grandchild' }, grandparent: { zh: '祖父母', en: 'Grandparent' }, sibling: { zh: '兄弟姐妹', en: 'Sibling' },
    tenant: { zh: '租客', en: 'Tenant' }, other: { zh: '其他', en: 'Other' },
  },
  residence: { resident: { zh: '常住', en: 'Lives here' }, temporary: { zh: '暂住', en: 'Staying for now' }, away: { zh: '外出', en: 'Away' } },
  gender: { male: { zh: '男', en: 'Male' }, female: { zh: '女', en: 'Female' } },
  consent: {
    care: { zh: '关爱服务', en: 'Care services' }, evacuation: { zh: '避难协助', en: 'Evacuation helpers' },
    notices: { zh: '社区通知', en: 'Community notices' },
  },
} as const satisfies {
  kind: Record<HouseholdKind, { zh: string; en: string }>;
  relation: Record<Relation, { zh: string; en: string }>;
  residence: Record<ResidenceStatus, { zh: string; en: string }>;
  gender: Record<Gender, { zh: string; en: string }>;
  consent: Record<ConsentPurpose, { zh: string; en: string }>;
};

// ---- pure rules ---------------------------------------------------------------------------------

/** A mainland mobile (11 digits, 13x–19x) or a landline with its area code (010-12345678, 0571 87654321, ext. -123). */
export const PHONE_PATTERN = /^(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}(?:-\d{1,6})?)$/;

/** A birth as a year (1948) or a date (1948-03-09): many elderly residents know only the year. */
export function isBirth(s: string, today = new Date()): boolean {
  const m = /^(\d{4})(?:-(\d{2})-(\d{2}))?$/.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  if (y < 1900 || y > today.getUTCFullYear()) return false;
  if (m[2] === undefined) return true;
  const d = new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) && d.getTime() <= today.getTime();
}

/** A household's address line: the building's standard address, the unit, the room (幸福路12号3栋2单元302室). */
export function householdAddress(buildingAddress: string, unit: string | null, room: string): string {
  const u = unit ? (/^\d+$/.test(unit) ? `${unit}单元` : unit) : '';
  const r = /^\d+$/.test(room) ? `${room}室` : room;
  return `${buildingAddress}${u}${r}`;
}
