import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { maskAddress, maskName, maskPhone, nameMasker, NameMasker, scrubText } from '../../shared/mask.ts';

describe('names on a public display', () => {
  it('keeps only the surname of a Chinese name', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('李小龙')).toBe('李**');
  });

  it('keeps a two-character surname of a four-character name', () => {
    expect(maskName('欧阳娜娜')).toBe('欧阳**');
  });

  it('never shows a single-character name bare', () => {
    expect(maskName('张')).toBe('张*');
  });

  it('masks names with an interpunct and surrounding spaces', () => {
    expect(maskName('  王五 ')).toBe('王*');
    expect(maskName('阿依·买买提')).toBe('阿依****');
  });

  it('keeps only the initial of a Latin name', () => {
    expect(maskName('Li Wei')).toBe('L***');
    expect(maskName('Anna')).toBe('A***');
  });

  it('gives null when there is no name', () => {
    expect(maskName('')).toBeNull();
    expect(maskName('   ')).toBeNull();
    expect(maskName(null)).toBeNull();
    expect(maskName(undefined)).toBeNull();
  });

  it('never shows more than the first two characters of a Chinese name', () => {
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)), minLength: 2, maxLength: 6 }), (name) => {
      const masked = maskName(name)!;
      expect(Array.from(masked)).toHaveLength(Array.from(name).length);
      expect(masked.replace(/\*/g, '').length).toBeLessThanOrEqual(2);
      expect(masked.startsWith(name[0]!)).toBe(true);
    }));
  });
});

describe('phone numbers on a public display', () => {
  it('shows a mobile as its first three and last four digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('masks a mobile written with +86 and separators the same way', () => {
    expect(maskPhone('+86 138-1234-5678')).toBe('138****5678');
    expect(maskPhone('+8613812345678')).toBe('138****5678');
    expect(maskPhone('0086 138 1234 5678')).toBe('138****5678');
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
  });

  it('masks a mobile typed with full-width digits', () => {
    expect(maskPhone('１３８１２３４５６７８')).toBe('138****5678');
  });

  it('keeps only the last two digits of a landline', () => {
    expect(maskPhone('0571-88886666')).toBe('**********66');
    expect(maskPhone('88886666')).toBe('******66');
  });

  it('hides very short numbers entirely', () => {
    expect(maskPhone('12')).toBe('**');
    expect(maskPhone('1')).toBe('*');
  });

  it('gives null when there is no number', () => {
    expect(maskPhone('')).toBeNull();
    expect(maskPhone(null)).toBeNull();
    expect(maskPhone(undefined)).toBeNull();
  });

  it('never leaves the middle four digits of any mobile visible', () => {
    fc.assert(fc.property(fc.stringMatching(/^1[3-9]\d{9}$/), (phone) => {
      const masked = maskPhone(phone)!;
      expect(masked).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
      expect(masked).not.toContain(phone.slice(3, 7));
    }));
  });
});

describe('free text on a public display', () => {
  const HIDDEN = '[证件号已隐藏]';

  it('removes an 18-digit resident ID', () => {
    expect(scrubText('身份证号330102199001011234，请核实')).toBe(`身份证号${HIDDEN}，请核实`);
  });

  it('removes an 18-character ID that ends in X or x', () => {
    expect(scrubText('证件33010219900101123X已登记')).toBe(`证件${HIDDEN}已登记`);
    expect(scrubText('证件33010219900101123x已登记')).toBe(`证件${HIDDEN}已登记`);
  });

  it('removes an old 15-digit ID', () => {
    expect(scrubText('旧证330102900101123号码')).toBe(`旧证${HIDDEN}号码`);
  });

  it('removes an ID written in groups', () => {
    expect(scrubText('身份证 330102 19900101 1234 已核')).toBe(`身份证 ${HIDDEN} 已核`);
    expect(scrubText('身份证330102-19900101-123X')).toBe(`身份证${HIDDEN}`);
  });

  it('masks a mobile number inside Chinese text', () => {
    expect(scrubText('请联系王先生13812345678处理')).toBe('请联系王先生138****5678处理');
    expect(scrubText('电话：138-1234-5678。')).toBe('电话：138****5678。');
    expect(scrubText('电话+86 138 1234 5678')).toBe('电话138****5678');
  });

  it('masks a mobile and removes an ID typed with full-width characters', () => {
    expect(scrubText('电话１３８１２３４５６７８')).toBe('电话138****5678');
    expect(scrubText('身份证３３０１０２１９９００１０１１２３Ｘ')).toBe(`身份证${HIDDEN}`);
  });

  it('masks landlines with an area code however they are written', () => {
    expect(scrubText('座机0571-88886666')).toBe('座机**********66');
    expect(scrubText('座机057188886666')).toBe('座机**********66');
    expect(scrubText('座机(0571)88886666')).toBe('座机**********66');
    expect(scrubText('座机（0571）88886666')).toBe('座机**********66');
    expect(scrubText('座机010 8888 6666')).toBe('座机*********66');
  });

  it('masks every number in a text with several', () => {
    const out = scrubText('张三13812345678、李四13987654321，身份证330102199001011234');
    expect(out).toBe(`张三138****5678、李四139****4321，身份证${HIDDEN}`);
  });

  it('leaves dates, times, amounts, counts and street numbers alone (a room number is hidden: below)', () => {
    const ordinary = [
      '2026年11月22日上午发现',
      '2026-11-22 08:30 巡查',
      '共有12户受影响，损失约3500元',
      '路灯编号 A-1024 不亮',
      '温度39.5度',
      '门牌号100号',
    ];
    for (const text of ordinary) expect(scrubText(text), text).toBe(text);
  });

  it('masks a long number whole rather than picking a phone out of it', () => {
    // 19 digits may be a bank card: nothing in it is shown but the last two.
    expect(scrubText('工单2026112213812345678')).toBe('工单*****************78');
  });

  it('removes an ID written in any grouping after its region code', () => {
    expect(scrubText('身份证 110105 1949 1231 002X 已核')).toBe(`身份证 ${HIDDEN} 已核`);
    expect(scrubText('证件110105-19491231-002X。')).toBe(`证件${HIDDEN}。`);
    expect(scrubText('证件110105.1949.1231.0021')).toBe(`证件${HIDDEN}`);
    expect(scrubText('旧证330102 900101 123号码')).toBe(`旧证${HIDDEN}号码`);
    expect(scrubText('编号ID330102199001011234')).toBe(`编号ID${HIDDEN}`);
  });

  it('masks a mobile written with any separators', () => {
    expect(scrubText('电话1381 234 5678')).toBe('电话138****5678');
    expect(scrubText('电话138.1234.5678')).toBe('电话138****5678');
    expect(scrubText('电话138 - 1234 - 5678')).toBe('电话138****5678');
    expect(scrubText('电话138_1234_5678')).toBe('电话138****5678');
    expect(scrubText('电话138/1234/5678')).toBe('电话138****5678');
    expect(scrubText('电话138  1234  5678')).toBe('电话138****5678');
    expect(scrubText('电话１３８　１２３４　５６７８')).toBe('电话138****5678');
  });

  it('masks a local landline written without its area code', () => {
    expect(scrubText('座机88886666')).toBe('座机******66');
    expect(scrubText('座机 8888-6666，转分机')).toBe('座机 ******66，转分机');
    expect(scrubText('座机8888 6666')).toBe('座机******66');
    expect(scrubText('老号码8886666')).toBe('老号码*****66');
  });

  it('keeps at most the last two digits of any other run of seven or more', () => {
    expect(scrubText('卡号6222 0212 3456 7890 123')).toBe('卡号*****************23');
    expect(scrubText('编号1234567')).toBe('编号*****67');
    expect(scrubText('户号12-34-567')).toBe('户号*****67');
    expect(scrubText('日期写成20261122')).toBe('日期写成******22');
  });

  it('masks each of several numbers written side by side', () => {
    expect(scrubText('13812345678/13987654321')).toBe('138****5678/139****4321');
    expect(scrubText('88886666 13812345678')).toBe('******66 138****5678');
    expect(scrubText('8888-6666 138 1234 5678')).toBe('******66 138****5678');
  });

  it('hides a run whole rather than leave digits around a phone picked out of it', () => {
    expect(scrubText('0571 13812345678')).toBe('*************78');
    expect(scrubText('分机0571-88886666-8001')).toBe('分机**************01');
    expect(scrubText('138 1234 5678 9')).toBe('**********89');
  });

  it('hides a mobile number cut by dots where its start reads as a date (found by the property below)', () => {
    expect(scrubText('1900.9.8.00000')).toBe('190****0000');
    expect(scrubText('电话1900.9.8.00000')).toBe('电话190****0000');
    // A date followed by a number that does not make a mobile stays as written.
    expect(scrubText('2026.11.22 第3次')).toBe('2026.11.22 第3次');
  });

  it('leaves dates, times, amounts with a unit and short numbers alone', () => {
    const ordinary = [
      '2026年11月22日',
      '共12户',
      '下午3点',
      '2026/11/22 巡查，2026.11.23 复查',
      '2026-11-22 08:30-17:30',
      '2026-11-22至2026-11-25',
      '2026.11.22-2026.12.01 施工',
      '2025-2026年度',
      '损失约1500000元',
      '损失约 1 500 000 元',
      '预算￥2500000',
      '面积12345678平方米',
      '电表读数1234567.8度',
      '邮编310012',
      '浙A12345',
    ];
    for (const text of ordinary) expect(scrubText(text), text).toBe(text);
  });

  it('never shows the middle of a mobile, however it is grouped and separated', () => {
    const sep = fc.constantFrom(' ', '-', '.', '_', '/', ' - ', '  ', '　');
    fc.assert(fc.property(fc.stringMatching(/^1[3-9]\d{9}$/), fc.uniqueArray(fc.integer({ min: 1, max: 10 }), { maxLength: 3 }), sep, (phone, cuts, s) => {
      const at = [...cuts].sort((a, b) => a - b);
      const written = [0, ...at].map((c, k) => phone.slice(c, at[k] ?? 11)).join(s);
      const out = scrubText(`请联系${written}，谢谢`);
      expect(out, written).toBe(`请联系${phone.slice(0, 3)}****${phone.slice(7)}，谢谢`);
    }));
  });

  it('never shows more than the last two digits of a local number, however it is grouped', () => {
    const sep = fc.constantFrom(' ', '-', '.', '_', '/', ' - ');
    fc.assert(fc.property(fc.stringMatching(/^[2-9]\d{6,7}$/), fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 2 }), sep, (num, cuts, s) => {
      const at = [...cuts].filter((c) => c < num.length).sort((a, b) => a - b);
      const groups = [0, ...at].map((c, k) => num.slice(c, at[k] ?? num.length));
      // 2026-11-22 is a date, not a number to hide.
      fc.pre(!(groups.length === 3 && /^(?:19|20)\d\d$/.test(groups[0]!)));
      const out = scrubText(`座机${groups.join(s)}转`);
      expect(out).toBe(`座机${'*'.repeat(num.length - 2)}${num.slice(-2)}转`);
    }));
  });

  it('gives an empty string for missing text', () => {
    expect(scrubText(null)).toBe('');
    expect(scrubText(undefined)).toBe('');
    expect(scrubText('')).toBe('');
  });

  it('never lets a mobile number through, whatever Chinese text surrounds it', () => {
    const chinese = fc.string({ unit: fc.constantFrom('请', '联', '系', '电', '话', '，', '。', '幢', ' ') });
    fc.assert(fc.property(chinese, fc.stringMatching(/^1[3-9]\d{9}$/), chinese, (before, phone, after) => {
      const out = scrubText(`${before}${phone}${after}`);
      expect(out).not.toContain(phone);
      expect(out).toContain(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    }));
  });

  it('never lets an 18-digit ID through, whatever Chinese text surrounds it', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('身', '份', '证', '：') }), fc.stringMatching(/^\d{17}[\dX]$/), (before, id) => {
      const out = scrubText(`${before}${id}`);
      expect(out).toBe(`${before}${HIDDEN}`);
    }));
  });
});

describe('addresses on a public display', () => {
  it('cuts an address to the building', () => {
    expect(maskAddress('桂花苑3幢2单元501室')).toBe('桂花苑3幢');
    expect(maskAddress('幸福里小区12栋1单元302')).toBe('幸福里小区12栋');
    expect(maskAddress('阳光花园5号楼3单元1102室')).toBe('阳光花园5号楼');
    expect(maskAddress('文三路100号桂花苑三幢501')).toBe('文三路100号桂花苑三幢');
    expect(maskAddress('金座B区2座1501')).toBe('金座B区2座');
  });

  it('drops the room number when there is no building marker', () => {
    expect(maskAddress('文三路100号501室')).toBe('文三路100号');
    expect(maskAddress('和平新村2单元301室')).toBe('和平新村');
    expect(maskAddress('幸福小区12-3-501')).toBe('幸福小区');
  });

  it('cuts at the first unit, room or floor wherever it is', () => {
    expect(maskAddress('桂花苑501室旁')).toBe('桂花苑');
    expect(maskAddress('桂花苑 501室 (独居老人)')).toBe('桂花苑');
    expect(maskAddress('桂花苑（501室）门口')).toBe('桂花苑');
    expect(maskAddress('和平新村三单元西侧')).toBe('和平新村');
    expect(maskAddress('幸福小区12-3-501室旁')).toBe('幸福小区');
    expect(maskAddress('文三路100号12号房后面')).toBe('文三路100号');
    expect(maskAddress('社区服务中心2层')).toBe('社区服务中心');
    expect(maskAddress('桂花苑501室旁边3幢')).toBe('桂花苑');
    expect(maskAddress('桂花苑3幢 2单元 501室旁')).toBe('桂花苑3幢');
  });

  it('keeps rooms that are not homes and a building marked after its number', () => {
    expect(maskAddress('桂花苑活动室门口')).toBe('桂花苑活动室门口');
    expect(maskAddress('居委会办公室')).toBe('居委会办公室');
    expect(maskAddress('阳光花园5号楼旁')).toBe('阳光花园5号楼');
  });

  it('keeps an address that already names no room', () => {
    expect(maskAddress('桂花苑北门')).toBe('桂花苑北门');
    expect(maskAddress('文三路与学院路交叉口')).toBe('文三路与学院路交叉口');
  });

  it('never shows a phone number written into the address', () => {
    const out = maskAddress('桂花苑北门 13812345678，身份证330102199001011234')!;
    expect(out.startsWith('桂花苑北门')).toBe(true);
    expect(out).not.toMatch(/1234|330102/);
  });

  it('gives null when there is no address', () => {
    expect(maskAddress('')).toBeNull();
    expect(maskAddress(null)).toBeNull();
    expect(maskAddress(undefined)).toBeNull();
    expect(maskAddress('501室')).toBeNull();
  });
});

describe('names in free text on a public display', () => {
  const workers = ['王丽萍', '李建华', '沈丹'];

  it('masks a worker named anywhere in the text', () => {
    const m = new NameMasker(workers);
    expect(m.apply('网格员王丽萍已到场')).toBe('网格员王**已到场');
    expect(m.apply('李建华、沈丹协助，王丽萍负责')).toBe('李**、沈*协助，王**负责');
  });

  it('masks the reporter given with the text, wherever it appears', () => {
    const m = new NameMasker(workers);
    expect(m.apply('王建国家门口积水，王建国来电', '王建国')).toBe('王**家门口积水，王**来电');
    expect(m.apply('请回电王建国，网格员王丽萍已到场', '  王建国 ')).toBe('请回电王**，网格员王**已到场');
  });

  it('masks the longer of two names that contain one another whole', () => {
    expect(new NameMasker(['王建']).apply('王建国来电，王建到场', '王建国')).toBe('王**来电，王*到场');
    expect(new NameMasker(['王建国华']).apply('王建国华和王建国', '王建国')).toBe('王建**和王**');
    expect(new NameMasker(['王丽', '王丽萍']).apply('王丽萍和王丽')).toBe('王**和王*');
  });

  it('masks Latin names only as whole words', () => {
    const m = new NameMasker(['Li Wei']);
    expect(m.apply('Li Wei came; Li Weiming did not', 'Anna')).toBe('L*** came; Li Weiming did not');
    expect(m.apply('Anna called, not Annabel', 'Anna')).toBe('A*** called, not Annabel');
  });

  it('leaves text alone for names too short or too generic to be names', () => {
    const m = new NameMasker(['王', '']);
    for (const reporter of ['王', '匿名', '住户', '热心市民', null, undefined, '']) {
      expect(m.apply('住户王先生反映匿名信', reporter), String(reporter)).toBe('住户王先生反映匿名信');
    }
  });

  it('keeps ordinary text with no listed name as it is', () => {
    const m = new NameMasker(workers);
    for (const text of ['3幢501室', '2026年11月22日', '共12户', '下午3点', '']) expect(m.apply(text, '王建国')).toBe(text);
  });

  it('builds the masker once and reuses it while the list is unchanged', () => {
    const list = ['王丽萍'];
    const a = nameMasker(list);
    expect(nameMasker(list)).toBe(a);
    expect(nameMasker(['王丽萍'])).toBe(a);
    const b = nameMasker(['王丽萍', '沈丹']);
    expect(b).not.toBe(a);
    expect(b.apply('沈丹到场')).toBe('沈*到场');
  });
});

describe('NameMasker against the one-pattern reference', () => {
  // The masker it replaced: one regular expression of every name, longest first.
  const reference = (names: string[], text: string) => {
    const usable = [...new Set(names.map((n) => n.trim()).filter((n) => n.length >= 2 && !/[*\d]/.test(n)))];
    usable.sort((a, b) => b.length - a.length);
    if (!usable.length) return text;
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const cjk = /^[\u3400-\u9fff·]+$/;
    const re = new RegExp(usable.map((n) => (cjk.test(n) ? esc(n) : `(?<![A-Za-z])${esc(n)}(?![A-Za-z])`)).join('|'), 'g');
    return text.replace(re, (m) => maskName(m)!);
  };
  // A small alphabet, so names overlap, nest and sit side by side in the text.
  const letter = fc.constantFrom('王', '丽', '萍', '欧', '阳', '·', 'L', 'i', ' ', 'W', 'e', '说');
  const word = fc.array(letter, { minLength: 1, maxLength: 5 }).map((a) => a.join(''));

  it('masks exactly what one pattern of every name, longest first, would', () => {
    fc.assert(fc.property(fc.array(word, { maxLength: 8 }), fc.array(letter, { maxLength: 30 }).map((a) => a.join('')), (names, text) => {
      expect(new NameMasker(names).apply(text)).toBe(reference(names, text));
    }), { numRuns: 2_000 });
  });

  it('masks the same whether it learns its names at once or one by one', () => {
    fc.assert(fc.property(fc.array(word, { maxLength: 8 }), fc.array(letter, { maxLength: 30 }).map((a) => a.join('')), (names, text) => {
      const learnt = new NameMasker();
      for (const n of names) learnt.add([n]);
      expect(learnt.apply(text)).toBe(new NameMasker(names).apply(text));
    }), { numRuns: 500 });
  });

  it('masks a name outside the basic plane, and counts what it learns', () => {
    const m = new NameMasker(['𠮷田花子']);
    expect(m.apply('𠮷田花子来电')).toBe('𠮷***来电');
    expect(m.add(['𠮷田花子', '李勇', '李'])).toBe(1);
    expect(m.size).toBe(2);
  });
});

describe('house numbers in free text on a public display', () => {
  it('hides a room typed with 室 or 号房, however it is numbered', () => {
    expect(scrubText('桂花苑3幢1701室漏水')).toBe('桂花苑3幢某室漏水');
    expect(scrubText('3幢2单元501室老人求助')).toBe('3幢2单元某室老人求助');
    expect(scrubText('A1201室门口堆物')).toBe('某室门口堆物');
    expect(scrubText('12-3-501室噪音')).toBe('某室噪音');
    expect(scrubText('明月路1号楼12号房')).toBe('明月路1号楼某号房');
  });

  it('hides a room written building-unit-room with dashes', () => {
    expect(scrubText('5-1-302独居老人')).toBe('某室独居老人');
    expect(scrubText('住5－2－1101的住户')).toBe('住某室的住户');
  });

  it('leaves what names no door: units, floors, counts, dates, times', () => {
    for (const t of ['2单元楼道灯不亮', '3层消防通道堵塞', '共3户居民反映', '2026-12-07 20:00 前转移', '会议室开会', '活动室 14:00', '8-10人']) {
      expect(scrubText(t)).toBe(t);
    }
  });
});
