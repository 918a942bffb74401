/**
 * The demo community's register (实有人口): for each of its grids a few buildings at believable
 * standard addresses, their households, and the people who live there, with key-population tags
 * where they fit their age, emergency contacts, evacuation needs and consent. Deterministic (one
 * seeded draw), a few hundred residents, written through the register's own services as the
 * system, in group-commit batches, as the other subjects' demos are.
 */
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { systemPrincipal } from '../principal.ts';
import { RegisterService } from '../register/service.ts';
import type { ResidentTag } from '../../shared/register.ts';
import { seededRandom } from './seed.ts';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高', '沈', '钱', '金', '姚'];
const COMPOUND = ['欧阳', '司马', '上官', '诸葛', '东方', '慕容', '皇甫', '令狐'];
const GIVEN = ['建国', '秀英', '桂兰', '志强', '丽华', '德明', '玉珍', '海燕', '伟', '芳', '敏', '静', '磊', '洋', '婷', '浩然', '子涵', '雨桐', '梓萱', '俊杰',
  '淑芬', '国庆', '春梅', '小红', '明', '雪', '文博', '思远', '佳怡', '一鸣'];
/** Names of people of ethnic minorities, written as their ID cards do (with the middle dot). */
const MINORITY = ['阿依古丽·买买提', '买买提·吐尔逊', '扎西·顿珠', '卓玛·次仁', '古丽米拉·艾则孜', '艾力·阿不都', '巴特尔·乌力吉', '其其格·巴雅尔'];
const ROADS = ['桂花路', '丹枫路', '金秋路', '西溪路', '丝绸路', '枫华路', '荷塘路', '文教路', '商业街', '翠苑路'];
const CONTACT_RELATIONS = ['儿子', '女儿', '侄子', '邻居', '外甥女', '孙子'];

/** Seed the register unless it holds someone already; the number of residents, or null. */
export async function seedRegister(deps: SubjectServiceDeps, now: number): Promise<{ residents: number } | null> {
  if ((deps.db.prepare('SELECT COUNT(*) AS n FROM residents').get() as { n: number }).n > 0) return null;
  const community = deps.directory.defaultCommunity();
  if (!community) return null;
  const register = new RegisterService({ ...deps, now: () => now });
  const p = systemPrincipal(community.id, 'demo');
  const rand = seededRandom(20260314);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const phone = () => `1${pick(['3', '5', '7', '8', '9'])}${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`;
  const name = (surname: string) => {
    const r = rand();
    if (r < 0.05) return pick(MINORITY);
    if (r < 0.12) return `${pick(COMPOUND)}${pick(GIVEN)}`;
    return `${surname}${pick(GIVEN)}`;
  };
  const year = new Date(now).getUTCFullYear();
  let residents = 0;
  const grids = deps.directory.gridInfos(community.id);
  for (const [gi, g] of grids.entries()) {
    const road = ROADS[gi % ROADS.length]!;
    const buildings = await Promise.all([1, 2, 3].map((b) => register.buildings.add(p, {
      gridId: g.id, address: `${road}${(gi + 1) * 10 + b}号${b}栋`, units: 2, floors: 6,
    })));
    for (const b of buildings) {
      const rooms = ['101', '102', '201', '202', '301', '302', '401', '402'].slice(0, 4 + Math.floor(rand() * 4));
      const households = await Promise.all(rooms.map((room, i) => register.households.add(p, {
        buildingId: b.id, unit: String(1 + (i % 2)), room, kind: rand() < 0.1 ? 'vacant' : rand() < 0.25 ? 'rented' : 'owner',
      })));
      const writes: Promise<unknown>[] = [];
      for (const h of households) {
        if (h.kind === 'vacant') continue;
        const surname = pick(SURNAMES);
        const alone = rand() < 0.18;
        const people = alone ? 1 : 2 + Math.floor(rand() * 3);
        for (let k = 0; k < people; k++) {
          const elderly = alone || (k < 2 && rand() < 0.35);
          const born = elderly ? year - 65 - Math.floor(rand() * 25) : k >= 2 ? year - 3 - Math.floor(rand() * 15) : year - 25 - Math.floor(rand() * 35);
          const tags: ResidentTag[] = [];
          if (alone && born <= year - 60) tags.push('elderly_alone');
          else if (elderly && people === 2) tags.push('empty_nest');
          if (rand() < 0.06) tags.push('disabled');
          if (rand() < 0.05) tags.push('low_income');
          if (elderly && rand() < 0.08) tags.push('seriously_ill');
          if (k >= 2 && rand() < 0.15) tags.push('left_behind_child');
          if (!elderly && k === 1 && rand() < 0.08) tags.push('pregnant');
          if (rand() < 0.02) tags.push('extreme_poverty');
          const frail = elderly && rand() < 0.3;
          writes.push(register.residents.add(p, {
            householdId: h.id, name: k === 0 || rand() < 0.5 ? name(surname) : name(pick(SURNAMES)), gender: rand() < 0.5 ? 'male' : 'female',
            birth: rand() < 0.5 ? String(born) : `${born}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`,
            phone: k >= 2 ? null : phone(), relation: k === 0 ? 'head' : k === 1 ? 'spouse' : 'child',
            residence: rand() < 0.08 ? 'away' : h.kind === 'rented' ? 'temporary' : 'resident', tags: [...new Set(tags)],
            emergencyContact: tags.length || elderly ? { name: `${surname}${pick(GIVEN)}`, phone: phone(), relation: pick(CONTACT_RELATIONS) } : null,
            mobility: frail ? [pick(['limited', 'wheelchair', 'bedridden', 'hearing', 'sight'] as const)] : [],
            ...(frail ? { mobilityNote: '需两人协助下楼' } : {}),
            consent: tags.length ? (rand() < 0.8 ? ['care', 'evacuation'] : ['care']) : rand() < 0.5 ? ['notices'] : [],
          }));
          residents++;
        }
      }
      await Promise.all(writes);
    }
  }
  return { residents };
}
