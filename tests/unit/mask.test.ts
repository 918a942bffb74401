import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { maskAddress, maskName, maskPhone, scrubText } from '../../shared/mask.ts';

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

  it('leaves room numbers, dates, times, amounts and counts alone', () => {
    const ordinary = [
      '桂花苑3幢501室楼道堆放杂物',
      '2026年11月22日上午发现',
      '2026-11-22 08:30 巡查',
      '共有12户受影响，损失约3500元',
      '路灯编号 A-1024 不亮',
      '第2单元1201室漏水',
      '温度39.5度',
      '门牌号100号',
    ];
    for (const text of ordinary) expect(scrubText(text), text).toBe(text);
  });

  it('does not mistake a long order number for a phone', () => {
    expect(scrubText('工单2026112213812345678')).toBe('工单2026112213812345678');
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
