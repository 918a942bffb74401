/**
 * A believable demo community for demo mode and the simulator: 桂花社区 (Guihua Community),
 * Xihu district, Hangzhou. Ten grids (网格) tile the community without gaps or overlaps,
 * one grid worker (网格员) per grid, resident names and event titles for every sub-category.
 *
 * All names of compounds, streets and people are invented for the demo.
 *
 * Geometry: about 1.65 km (east–west) × 1.04 km (north–south) around [120.1180, 30.2890],
 * WGS84 [lng, lat], rounded to 6 decimals. Every grid ring is built from the shared node
 * table below, so neighbouring grids use bit-identical coordinates on their shared edges
 * (including T-junctions, which appear as vertices in every grid that touches them).
 *
 * Long on purpose: most of it is data (the node table, the grids' rings, buildings, names and
 * titles for every sub-category), kept in one place so the geometry can be checked as a whole.
 */

export interface DemoGrid {
  id: string; // 'G01' … 'G10'
  name: { zh: string; en: string };
  /** Closed outer ring, [lng, lat] pairs (WGS84), first point repeated last; 6–12 vertices, counter-clockwise. */
  ring: [number, number][];
  /** Building names inside this grid, e.g. '桂花苑3幢' (8–15 per grid). */
  buildings: string[];
  /** Street/landmark names inside this grid, e.g. '文二西路', '社区公园', '农贸市场' (3–5). */
  landmarks: string[];
}

export interface DemoWorker {
  id: string;
  name: string;
  phone: string;
  gridId: string;
}

export interface DemoCommunity {
  id: 'guihua';
  name: { zh: '桂花社区'; en: 'Guihua Community' } | { zh: string; en: string };
  timeZone: 'Asia/Shanghai';
  center: [number, number]; // [lng, lat]
  grids: DemoGrid[]; // exactly 10
  workers: DemoWorker[]; // exactly one per grid, id 'W01'…'W10', worker of grid Gnn is Wnn
  /** 60+ plausible Chinese resident names (mixed 2- and 3-character, a few compound surnames like 欧阳). */
  residentNames: string[];
  /** For every sub-category code, 3–6 short Chinese event titles with a one-sentence description template ({building}, {landmark}). */
  titles: Record<string, { title: string; description: string }[]>;
}

/** A minimal GeoJSON Polygon feature (no dependency on @types/geojson). */
export interface GridFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
  properties: { id: string; name_zh: string; name_en: string };
}

/** A minimal GeoJSON FeatureCollection of grid polygons. */
export interface GridFeatureCollection {
  type: 'FeatureCollection';
  features: GridFeature[];
}

// ---------------------------------------------------------------------------------------------
// Geometry: the shared node table.
//
// Local layout (metres east / north of the south-west corner; the centre is at about x 800, y 470):
//
//   north edge 文三西路 (y ≈ 1000)
//     G01 桂花苑      x    0–380   y 540–1000   (west edge bends out at y 800)
//     G02 丹枫新村    x  380–760/820 y 540/500–1000 (丹枫路 jogs east at y 760)
//     G03 金秋小区    x  760/820–1180/1220 y 500–1000 (金秋路 runs slightly slanted)
//     G04 西溪雅苑    x 1180/1220–1600 y 500–1000 (east edge bends out at y 720)
//   文二西路 (y 540 west of x 700, y 500 east of it)
//     G05 丝绸厂宿舍  x    0–300/340 y 0–540     (old estate, east edge jogs at y 150)
//     G06 枫华小区    x  340–700  y 260–540
//     G07 荷塘新村    x  300/340–650 y 0–260
//     G08 桂花小学片区 x 650/700–1100 y 0–500   (contains the community centre point)
//     G09 桂花商业街  x 1100–1600 y 240/200–500 (boundary with G10 jogs at x 1350)
//     G10 溪畔苑      x 1100–1600 y 0–240/200
//   south edge 余杭塘河绿道 (y ≈ 0, slightly slanted)
// ---------------------------------------------------------------------------------------------

type P = [number, number];

const N = {
  // outer boundary, west edge (丰潭路), south → north
  w20: [120.109678, 30.284941],
  w540: [120.109678, 30.289631],
  w800: [120.10947, 30.291977],
  w1000: [120.109678, 30.293781],
  // north edge (文三西路), west → east
  n380: [120.113631, 30.293826],
  n820: [120.118208, 30.293871],
  n1220: [120.122369, 30.293736],
  n1400: [120.124242, 30.293709],
  ne: [120.126322, 30.293646],
  // east edge (紫荆花路), north → south
  e720: [120.126635, 30.291255],
  e500: [120.126322, 30.289271],
  e200: [120.126322, 30.286564],
  se: [120.126322, 30.28449],
  // south edge (余杭塘河绿道), east → west
  s1100: [120.121121, 30.284625],
  s650: [120.11644, 30.28476],
  s300: [120.112798, 30.284851],
  // 文二西路, west → east (jogs south at x≈700 m)
  r340: [120.113215, 30.289631],
  r380: [120.113631, 30.289631],
  r700a: [120.11696, 30.289631],
  r700b: [120.11696, 30.289271],
  r760: [120.117584, 30.289271],
  r1100: [120.121121, 30.289271],
  r1180: [120.121953, 30.289271],
  // 丹枫路 jog between G02 and G03
  j760: [120.117584, 30.291616],
  j820: [120.118208, 30.291616],
  // inner nodes of the southern blocks
  k300: [120.112798, 30.286113],
  k340: [120.113215, 30.286113],
  k340b: [120.113215, 30.287106],
  m650: [120.11644, 30.287106],
  m700: [120.11696, 30.287106],
  t1100: [120.121121, 30.286925],
  t1350a: [120.123722, 30.286925],
  t1350b: [120.123722, 30.286564],
} satisfies Record<string, P>;

type NodeId = keyof typeof N;

/** Builds a closed ring from node ids (counter-clockwise order); the first node is repeated last. */
function ring(...ids: NodeId[]): P[] {
  const pts = ids.map((id): P => [N[id][0], N[id][1]]);
  const first = pts[0];
  if (first) pts.push([first[0], first[1]]);
  return pts;
}

function numbered(prefix: string, from: number, to: number, suffix = '幢'): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${prefix}${i}${suffix}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Grids
// ---------------------------------------------------------------------------------------------

const GRIDS: DemoGrid[] = [
  {
    id: 'G01',
    name: { zh: '第一网格·桂花苑', en: 'Grid 1 · Guihua Garden' },
    ring: ring('w540', 'r340', 'r380', 'n380', 'w1000', 'w800'),
    buildings: [...numbered('桂花苑', 1, 12), '桂花苑物业楼'],
    landmarks: ['文二西路', '丰潭路', '桂花路', '桂花苑北门', '丰潭路口公交站'],
  },
  {
    id: 'G02',
    name: { zh: '第二网格·丹枫新村', en: 'Grid 2 · Danfeng New Village' },
    ring: ring('r380', 'r700a', 'r700b', 'r760', 'j760', 'j820', 'n820', 'n380'),
    buildings: [...numbered('丹枫新村', 1, 10), '丹枫新村配套用房'],
    landmarks: ['文二西路', '丹枫路', '文三西路', '社区公园'],
  },
  {
    id: 'G03',
    name: { zh: '第三网格·金秋小区', en: 'Grid 3 · Jinqiu Estate' },
    ring: ring('r760', 'r1100', 'r1180', 'n1220', 'n820', 'j820', 'j760'),
    buildings: numbered('金秋小区', 1, 14),
    landmarks: ['丹枫路', '金秋路', '金秋小区健身广场', '地下车库入口'],
  },
  {
    id: 'G04',
    name: { zh: '第四网格·西溪雅苑', en: 'Grid 4 · Xixi Ya Garden' },
    ring: ring('r1180', 'e500', 'e720', 'ne', 'n1400', 'n1220'),
    buildings: [...numbered('西溪雅苑', 1, 9), '西溪雅苑会所'],
    landmarks: ['文二西路', '金秋路', '紫荆花路', '雅苑中心花园'],
  },
  {
    id: 'G05',
    name: { zh: '第五网格·丝绸厂宿舍（老旧小区）', en: 'Grid 5 · Silk Mill Quarters (old estate)' },
    ring: ring('w20', 's300', 'k300', 'k340', 'k340b', 'r340', 'w540'),
    buildings: [...numbered('丝绸厂宿舍', 1, 13), '丝绸厂宿舍平房区'],
    landmarks: ['丰潭路', '文二西路', '老年活动室', '自行车棚'],
  },
  {
    id: 'G06',
    name: { zh: '第六网格·枫华小区', en: 'Grid 6 · Fenghua Estate' },
    ring: ring('k340b', 'm650', 'm700', 'r700b', 'r700a', 'r380', 'r340'),
    buildings: [...numbered('枫华小区', 1, 8), '枫华小区配套用房'],
    landmarks: ['文二西路', '桂花路南段', '桂花农贸市场'],
  },
  {
    id: 'G07',
    name: { zh: '第七网格·荷塘新村', en: 'Grid 7 · Hetang New Village' },
    ring: ring('s300', 's650', 'm650', 'k340b', 'k340', 'k300'),
    buildings: numbered('荷塘新村', 1, 11),
    landmarks: ['桂花路南段', '余杭塘河绿道', '荷塘公厕', '垃圾分类亭'],
  },
  {
    id: 'G08',
    name: { zh: '第八网格·桂花小学片区', en: 'Grid 8 · Guihua Primary School Block' },
    ring: ring('s650', 's1100', 't1100', 'r1100', 'r760', 'r700b', 'm700', 'm650'),
    buildings: [
      '桂花小学教学楼',
      '桂花小学综合楼',
      '桂花小学体育馆',
      '桂花幼儿园',
      '教师公寓1幢',
      '教师公寓2幢',
      '教师公寓3幢',
      '社区党群服务中心',
      '社区卫生服务站',
      '居家养老服务中心',
    ],
    landmarks: ['文二西路', '丹枫路南段', '学校东门', '社区党群服务中心', '余杭塘河绿道'],
  },
  {
    id: 'G09',
    name: { zh: '第九网格·桂花商业街', en: 'Grid 9 · Guihua Commercial Street' },
    ring: ring('t1100', 't1350a', 't1350b', 'e200', 'e500', 'r1180', 'r1100'),
    buildings: [
      '商业街A座',
      '商业街B座',
      '商业街C座',
      '桂花广场1号楼',
      '桂花广场2号楼',
      '沿街商铺1号楼',
      '沿街商铺2号楼',
      '沿街商铺3号楼',
      '金秋菜场',
      '快捷酒店楼',
    ],
    landmarks: ['文二西路', '金秋路', '桂花商业街', '共享单车停放点'],
  },
  {
    id: 'G10',
    name: { zh: '第十网格·溪畔苑', en: 'Grid 10 · Xipan Garden' },
    ring: ring('s1100', 'se', 'e200', 't1350b', 't1350a', 't1100'),
    buildings: numbered('溪畔苑', 1, 12),
    landmarks: ['余杭塘河绿道', '金秋路南段', '溪畔苑南门', '口袋公园'],
  },
];

// ---------------------------------------------------------------------------------------------
// People (invented)
// ---------------------------------------------------------------------------------------------

const WORKERS: DemoWorker[] = [
  { id: 'W01', name: '王丽萍', phone: '13905712384', gridId: 'G01' },
  { id: 'W02', name: '陈建军', phone: '15858106427', gridId: 'G02' },
  { id: 'W03', name: '张晓燕', phone: '18867132095', gridId: 'G03' },
  { id: 'W04', name: '刘海涛', phone: '13757160318', gridId: 'G04' },
  { id: 'W05', name: '周秀英', phone: '15167184672', gridId: 'G05' },
  { id: 'W06', name: '吴志刚', phone: '18758021936', gridId: 'G06' },
  { id: 'W07', name: '孙佳怡', phone: '13588437201', gridId: 'G07' },
  { id: 'W08', name: '黄雪梅', phone: '15957119843', gridId: 'G08' },
  { id: 'W09', name: '徐振东', phone: '18069827514', gridId: 'G09' },
  { id: 'W10', name: '沈丹', phone: '13336159207', gridId: 'G10' },
];

const RESIDENT_NAMES: string[] = [
  '李桂英', '王建华', '张秀兰', '刘洋', '陈静', '杨国庆', '赵丽', '黄志明', '周敏', '吴淑珍',
  '徐磊', '孙玉梅', '胡晓东', '朱婷', '高凤英', '林涛', '何雅琴', '郭伟', '马金花', '罗杰',
  '梁玉兰', '宋佳', '郑国平', '谢婉婷', '韩冬梅', '唐鑫', '冯秀芳', '于海', '董兰芳', '萧然',
  '程建新', '曹琳', '袁德福', '邓丽华', '许晨', '傅秋菊', '沈浩', '曾美玲', '彭勇', '吕素琴',
  '蒋欣怡', '蔡明', '贾文斌', '丁香', '魏长海', '薛红', '叶子涵', '阎春生', '余芳', '潘立新',
  '杜梦瑶', '戴强', '夏雨', '钟桂珍', '汪鹏飞', '田甜', '任金宝', '姜慧', '范家豪', '方巧云',
  '欧阳丽华', '欧阳明', '司马文静', '上官晓月', '诸葛远航', '尉迟红梅', '金月华', '楼伟东', '应小芬', '俞建良',
];

// ---------------------------------------------------------------------------------------------
// Event titles per sub-category (description templates may use {building} and {landmark})
// ---------------------------------------------------------------------------------------------

type T = { title: string; description: string };

const TITLES: Record<string, T[]> = {
  // 市容环境 environment
  garbage: [
    { title: '垃圾桶满溢未及时清运', description: '{building}楼下垃圾桶已满溢两天，异味较大，请尽快安排清运。' },
    { title: '垃圾分类投放不规范', description: '{landmark}附近垃圾分类亭厨余垃圾与其他垃圾混投，需督促整改。' },
    { title: '装修垃圾乱堆放', description: '{building}单元门口堆放大量装修垃圾，影响居民通行。' },
    { title: '大件垃圾长期未清理', description: '{landmark}旁堆放旧沙发和床垫已一周，请物业协助清理。' },
  ],
  littering: [
    { title: '绿化带内乱扔垃圾', description: '{landmark}绿化带内有大量塑料袋和饮料瓶，需安排保洁。' },
    { title: '高空抛物', description: '{building}有住户从楼上抛下垃圾袋，险些砸到路过居民。' },
    { title: '路面油污未清理', description: '{landmark}路面有大片油污，行人容易滑倒。' },
  ],
  illegal_ads: [
    { title: '楼道内乱贴小广告', description: '{building}楼道墙面被贴满开锁、疏通小广告，需清理。' },
    { title: '电线杆上张贴办证广告', description: '{landmark}电线杆上有多张办证小广告，影响市容。' },
    { title: '私设广告牌', description: '{landmark}沿街有商户私自设置落地广告牌占用人行道。' },
  ],
  occupation: [
    { title: '店外经营占道', description: '{landmark}有商户在店门外摆摊经营，占用人行道。' },
    { title: '流动摊贩占道经营', description: '{landmark}早晚有流动摊贩聚集，造成交通拥堵。' },
    { title: '私家车占用消防通道', description: '{building}旁消防通道长期停放私家车，需劝离。' },
    { title: '共享单车乱停放', description: '{landmark}共享单车堆放杂乱，挡住盲道和出入口。' },
  ],
  greenery: [
    { title: '绿地被毁种菜', description: '{building}旁公共绿地被个别居民开垦种菜，需恢复绿化。' },
    { title: '树枝遮挡路灯', description: '{landmark}行道树枝叶过密遮挡路灯，夜间照明不足。' },
    { title: '枯树有倒伏风险', description: '{building}北侧一棵枯树倾斜，台风天有倒伏风险。' },
  ],

  // 公共设施 facilities
  road: [
    { title: '路面塌陷', description: '{landmark}路面出现约一平方米塌陷，已设临时警示。' },
    { title: '人行道地砖松动', description: '{building}门前人行道地砖松动翘起，老人容易绊倒。' },
    { title: '小区道路坑洼积水', description: '{building}附近道路坑洼不平，雨后积水严重。' },
  ],
  streetlight: [
    { title: '路灯不亮', description: '{landmark}有两盏路灯连续多晚不亮，夜间行走不安全。' },
    { title: '楼道感应灯损坏', description: '{building}楼道感应灯损坏，老人上下楼看不清台阶。' },
    { title: '路灯白天常亮', description: '{landmark}路灯白天一直亮着，浪费电能。' },
  ],
  manhole: [
    { title: '窨井盖缺失', description: '{landmark}一处窨井盖缺失，已临时用锥桶围挡。' },
    { title: '井盖破损下沉', description: '{building}旁井盖破损下沉，车辆经过响声很大。' },
    { title: '雨水井堵塞', description: '{landmark}雨水井被落叶和垃圾堵塞，下雨时排水不畅。' },
  ],
  elevator: [
    { title: '电梯困人', description: '{building}电梯停在两层之间，有居民被困，已联系维保单位。' },
    { title: '电梯异响', description: '{building}电梯运行时有明显异响和抖动，居民担心安全。' },
    { title: '电梯年检标志过期', description: '{building}电梯内年检标志已过期，需督促物业处理。' },
  ],
  water_leak: [
    { title: '楼顶漏水', description: '{building}顶楼住户反映雨天屋顶渗水，墙面发霉。' },
    { title: '地下水管爆裂', description: '{landmark}地面持续冒水，疑似地下供水管爆裂。' },
    { title: '楼上渗水到楼下', description: '{building}住户反映楼上卫生间渗水，天花板滴水。' },
  ],

  // 治安隐患 security
  suspicious: [
    { title: '陌生人挨户敲门推销', description: '{building}有陌生人挨家挨户敲门推销保健品，居民不放心。' },
    { title: '可疑人员夜间徘徊', description: '{landmark}连续两晚有可疑人员在车棚附近徘徊。' },
    { title: '门禁损坏外人随意进出', description: '{building}单元门禁损坏，外来人员可随意进出。' },
  ],
  theft: [
    { title: '电动车电瓶被盗', description: '{building}车棚内一辆电动车电瓶夜间被盗。' },
    { title: '快递包裹被冒领', description: '{landmark}快递柜旁包裹多次被冒领，居民要求查看监控。' },
    { title: '自行车被盗', description: '{building}楼下停放的自行车被盗，已报警。' },
  ],
  noise: [
    { title: '夜间装修噪音扰民', description: '{building}有住户晚上十点后仍在装修，噪音扰民。' },
    { title: '广场舞音响声音过大', description: '{landmark}广场舞音响音量过大，影响周边居民休息。' },
    { title: '商铺夜间噪音', description: '{landmark}沿街餐饮店深夜排风机和喧哗声扰民。' },
  ],
  illegal_rental: [
    { title: '群租房隔断出租', description: '{building}一套住房被隔成多间出租，居住人数较多。' },
    { title: '出租房未登记', description: '{building}新入住租客未办理居住登记，需上门核实。' },
    { title: '地下室违规住人', description: '{building}地下室有人员居住，存在安全隐患。' },
  ],

  // 消防安全 fire
  blocked_exit: [
    { title: '楼道堆放杂物', description: '{building}楼道堆满纸箱和旧家具，堵塞疏散通道。' },
    { title: '安全出口被锁', description: '{landmark}商铺安全出口被上锁，火灾时无法疏散。' },
    { title: '消防通道被占用', description: '{building}旁消防通道被违停车辆长期占用。' },
  ],
  ebike_charging: [
    { title: '电动车进楼道充电', description: '{building}有居民把电动车推进楼道充电，存在火灾隐患。' },
    { title: '飞线充电', description: '{building}住户从窗口拉电线到楼下给电动车充电。' },
    { title: '充电桩故障', description: '{landmark}集中充电桩多个插口故障，居民只能私拉电线。' },
  ],
  extinguisher: [
    { title: '灭火器过期', description: '{building}楼道灭火器压力表指针已在红区，需要更换。' },
    { title: '消火栓箱被损坏', description: '{building}一楼消火栓箱玻璃破碎，水带缺失。' },
    { title: '灭火器缺失', description: '{landmark}配置的灭火器不见了，需补充。' },
  ],
  flammables: [
    { title: '居民家中囤放液化气罐', description: '{building}一户居民家中存放多个液化气罐，需上门劝导。' },
    { title: '楼道堆放易燃纸板', description: '{building}楼道有人长期收集废纸板堆放，极易引燃。' },
    { title: '商铺违规存放油漆', description: '{landmark}一家商铺后仓堆放大量油漆和稀释剂。' },
  ],

  // 矛盾纠纷 dispute
  neighbour: [
    { title: '邻里漏水纠纷', description: '{building}上下楼因漏水赔偿问题发生争执，需调解。' },
    { title: '公共区域占用纠纷', description: '{building}邻居因楼道堆物问题多次争吵。' },
    { title: '宠物扰邻', description: '{building}住户养狗夜间吠叫，邻居多次投诉未果。' },
  ],
  property: [
    { title: '物业费收缴纠纷', description: '{building}部分业主因服务不满拒交物业费，与物业僵持。' },
    { title: '停车位分配争议', description: '{landmark}业主对停车位分配方案有意见，聚集反映。' },
    { title: '维修基金使用争议', description: '{building}业主对电梯维修动用维修基金意见不一。' },
  ],
  family: [
    { title: '家庭赡养纠纷', description: '{building}一户子女因赡养老人问题发生争吵，老人求助。' },
    { title: '夫妻争吵疑似家暴', description: '{building}邻居反映一户夫妻经常激烈争吵，疑似家暴。' },
    { title: '遗产房屋分割纠纷', description: '{building}兄妹因父母遗留房屋分割产生矛盾。' },
  ],
  labour: [
    { title: '装修工人讨薪', description: '{building}装修工人反映工头拖欠工资，聚集讨要。' },
    { title: '商铺拖欠员工工资', description: '{landmark}一家餐饮店拖欠员工两个月工资。' },
    { title: '保洁员劳动合同纠纷', description: '{building}物业保洁员反映未签劳动合同、无社保。' },
  ],

  // 民生服务 livelihood
  water_power: [
    { title: '整栋楼停水', description: '{building}整栋楼突然停水，未收到停水通知。' },
    { title: '水压不足', description: '{building}高层住户反映水压低，早晚用水困难。' },
    { title: '频繁跳闸停电', description: '{building}近期频繁停电，居民冰箱食物变质。' },
  ],
  subsidy: [
    { title: '咨询低保申请', description: '{building}一户居民家庭收入骤降，咨询低保申请条件。' },
    { title: '高龄津贴未到账', description: '{building}一位老人反映本月高龄津贴未到账。' },
    { title: '残疾人补贴申领', description: '{building}残疾人家属咨询两项补贴申领材料。' },
  ],
  medical: [
    { title: '行动不便老人需上门就医', description: '{building}一位行动不便的老人需要家庭医生上门服务。' },
    { title: '慢病配药困难', description: '{building}独居老人慢病药快吃完，无人陪同去医院配药。' },
    { title: '咨询医保报销', description: '{landmark}居民咨询异地就医医保报销流程。' },
  ],
  paperwork: [
    { title: '代办居住证', description: '{building}新租客需要办理居住证，请网格员协助。' },
    { title: '老人办理社保认证', description: '{building}老人不会使用手机做养老金资格认证。' },
    { title: '开具居住证明', description: '{building}居民因孩子入学需要开具居住证明。' },
  ],

  // 特殊人群关爱 care
  elderly_alone: [
    { title: '独居老人多日未出门', description: '{building}一位独居老人已三天未出门，邻居担心。' },
    { title: '独居老人家中跌倒', description: '{building}独居老人在家中跌倒，智能手环发出报警。' },
    { title: '独居老人定期探访', description: '按计划上门探访{building}独居老人，了解身体和生活情况。' },
    { title: '老人水电燃气安全检查', description: '为{building}独居老人检查燃气和电器使用安全。' },
  ],
  disabled: [
    { title: '残疾人出行无障碍需求', description: '{building}轮椅居民反映单元门口台阶无法通行。' },
    { title: '残疾人家庭入户走访', description: '走访{building}残疾人家庭，了解康复和就业需求。' },
    { title: '助残辅具申请', description: '{building}一位残疾居民申请更换助行器。' },
  ],
  minors: [
    { title: '留守儿童放学无人照看', description: '{building}一名小学生放学后长期独自在家。' },
    { title: '未成年人夜间在外逗留', description: '{landmark}深夜有多名未成年人聚集逗留。' },
    { title: '困境儿童走访', description: '走访{building}困境儿童家庭，了解学习和生活情况。' },
  ],
  mental_health: [
    { title: '精神障碍患者情绪异常', description: '{building}一位在册精神障碍患者近期情绪激动，家属求助。' },
    { title: '居民疑似抑郁需关注', description: '{building}邻居反映一位居民长期闭门不出、情绪低落。' },
    { title: '严重精神障碍患者随访', description: '按期随访{building}在册患者，核实服药情况。' },
  ],

  // 突发事件 emergency
  flooding: [
    { title: '地下车库进水', description: '暴雨导致{building}地下车库进水，需紧急排涝。' },
    { title: '道路积水严重', description: '{landmark}积水已没过脚踝，车辆和行人无法通行。' },
    { title: '低洼住户进水', description: '{building}一楼住户家中进水，需转移老人。' },
  ],
  fire_outbreak: [
    { title: '楼道起火冒烟', description: '{building}楼道有浓烟冒出，已拨打119并组织疏散。' },
    { title: '电动车充电起火', description: '{landmark}电动车充电处起火，已使用灭火器扑救。' },
    { title: '厨房油锅起火', description: '{building}一户住户厨房起火，邻居协助扑灭后需检查。' },
  ],
  accident: [
    { title: '老人摔倒受伤', description: '{landmark}一位老人摔倒无法起身，已拨打120。' },
    { title: '车辆刮擦致人受伤', description: '{landmark}一辆汽车倒车刮倒骑车居民。' },
    { title: '外墙脱落砸车', description: '{building}外墙瓷砖脱落砸坏楼下车辆，需设置警戒。' },
  ],
  gas_leak: [
    { title: '楼道燃气味浓', description: '{building}楼道闻到明显燃气味，已通知燃气公司抢修。' },
    { title: '燃气管道被挖断', description: '{landmark}施工挖断燃气管道，需紧急疏散周边人员。' },
    { title: '住户燃气报警器报警', description: '{building}一户燃气报警器持续报警，家中无人。' },
  ],
};

// ---------------------------------------------------------------------------------------------
// The community
// ---------------------------------------------------------------------------------------------

export const DEMO_COMMUNITY: DemoCommunity = {
  id: 'guihua',
  name: { zh: '桂花社区', en: 'Guihua Community' },
  timeZone: 'Asia/Shanghai',
  center: [120.118, 30.289],
  grids: GRIDS,
  workers: WORKERS,
  residentNames: RESIDENT_NAMES,
  titles: TITLES,
};

// ---------------------------------------------------------------------------------------------
// Geometry helpers
// ---------------------------------------------------------------------------------------------

/** The grids as a GeoJSON FeatureCollection of Polygons with properties { id, name_zh, name_en }. */
export function gridsGeoJson(c: DemoCommunity = DEMO_COMMUNITY): GridFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: c.grids.map((g) => ({
      type: 'Feature',
      id: g.id,
      geometry: { type: 'Polygon', coordinates: [g.ring.map((p): [number, number] => [p[0], p[1]])] },
      properties: { id: g.id, name_zh: g.name.zh, name_en: g.name.en },
    })),
  };
}

/** Ray-casting point-in-polygon for a closed ring (first point repeated last). */
function inRing(r: readonly [number, number][], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0; i + 1 < r.length; i++) {
    const a = r[i]!;
    const b = r[i + 1]!;
    if (a[1] > y !== b[1] > y) {
      const xCross = a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]);
      if (x < xCross) inside = !inside;
    }
  }
  return inside;
}

/** Smallest distance (in degrees) from a point to any edge of the ring. */
function distToRing(r: readonly [number, number][], x: number, y: number): number {
  let best = Infinity;
  for (let i = 0; i + 1 < r.length; i++) {
    const [ax, ay] = r[i]!;
    const [bx, by] = r[i + 1]!;
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
    const d = Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
    if (d < best) best = d;
  }
  return best;
}

/** About 1 cm: points closer than this to an edge are not "strictly inside". */
const EDGE_EPS = 1e-7;

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function strictlyInside(r: readonly [number, number][], x: number, y: number): boolean {
  return inRing(r, x, y) && distToRing(r, x, y) > EDGE_EPS;
}

function bbox(r: readonly [number, number][]): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of r) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

/** A guaranteed interior point: the middle of the widest span on a horizontal scanline. */
function interiorPoint(r: readonly [number, number][]): [number, number] {
  const [, minY, , maxY] = bbox(r);
  for (const f of [0.5, 0.37, 0.63, 0.21, 0.79]) {
    const y = minY + (maxY - minY) * f;
    const xs: number[] = [];
    for (let i = 0; i + 1 < r.length; i++) {
      const a = r[i]!;
      const b = r[i + 1]!;
      if (a[1] > y !== b[1] > y) xs.push(a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]));
    }
    xs.sort((p, q) => p - q);
    let best: [number, number] | null = null;
    let width = 0;
    for (let i = 0; i + 1 < xs.length; i += 2) {
      const w = xs[i + 1]! - xs[i]!;
      if (w > width) {
        width = w;
        best = [round6((xs[i]! + xs[i + 1]!) / 2), round6(y)];
      }
    }
    if (best && strictlyInside(r, best[0], best[1])) return best;
  }
  const first = r[0];
  return first ? [first[0], first[1]] : [0, 0];
}

/**
 * Pseudo-random point strictly inside a grid's polygon (rounded to 6 decimals), deterministic for
 * a given rand() (returning [0,1)). Rejection sampling on the bounding box with a
 * point-in-polygon test; a degenerate rand() falls back to a fixed interior point.
 */
export function randomPointIn(grid: DemoGrid, rand: () => number): [number, number] {
  const r = grid.ring;
  const [minX, minY, maxX, maxY] = bbox(r);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const x = round6(minX + rand() * (maxX - minX));
    const y = round6(minY + rand() * (maxY - minY));
    if (strictlyInside(r, x, y)) return [x, y];
  }
  return interiorPoint(r);
}

/** Which grid contains the point, or null. */
export function gridAt(c: DemoCommunity, lng: number, lat: number): DemoGrid | null {
  for (const g of c.grids) {
    const [minX, minY, maxX, maxY] = bbox(g.ring);
    if (lng < minX || lng > maxX || lat < minY || lat > maxY) continue;
    if (inRing(g.ring, lng, lat)) return g;
  }
  return null;
}
