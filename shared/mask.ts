/**
 * Masking of personal information for audiences that must not see it (public wall displays).
 * It runs on the server, once per audience, before anything is sent. PIPL and GB/T 35273:
 * names as 张*, phones as 138****1234, addresses to building level, never ID numbers.
 */

/** 张三 → 张*, 欧阳娜娜 → 欧阳**; Latin names keep their initial: Li Wei → L*** */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return null;
  const s = name.trim();
  if (!s) return null;
  const chars = Array.from(s);
  if (/^[\u3400-\u9fff·]+$/.test(s)) {
    const keep = chars.length >= 4 ? 2 : 1;
    return chars.slice(0, keep).join('') + '*'.repeat(Math.max(1, chars.length - keep));
  }
  return chars[0] + '***';
}

/**
 * 13812341234 → 138****1234, also written +86 138-1234-1234 or with full-width digits;
 * landlines and short numbers keep only the last 2 digits.
 */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const digits = asciiDigits(phone).replace(/\D/g, '');
  // A mobile with its country code (+86 or 0086) is still a mobile.
  const mobile = /^(?:00)?(?:86)?(1\d{10})$/.exec(digits)?.[1];
  if (mobile) return `${mobile.slice(0, 3)}****${mobile.slice(7)}`;
  if (digits.length <= 2) return '*'.repeat(digits.length);
  return '*'.repeat(digits.length - 2) + digits.slice(-2);
}

/**
 * Full-width digits, signs and the X of an ID (１３８…, typed with a Chinese input method) as
 * ASCII, so the patterns below see them. One code unit maps to one, so lengths do not change.
 */
function asciiDigits(text: string): string {
  return text.replace(/[０-９＋－Ｘｘ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

// An 18-character resident ID (last character may be X), also grouped 6-8-4 with spaces or
// hyphens, or a 15-digit old one.
const ID_NUMBER = /(?<![0-9A-Za-z])(\d{6}[- ]?\d{8}[- ]?\d{3}[\dXx]|\d{15})(?![0-9A-Za-z])/g;
// Mainland mobiles, optionally with +86 and separators.
const MOBILE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g;
// Landlines with an area code: 0571-88886666, 057188886666, (0571)88886666, （0571）88886666,
// 010 8888 6666.
const LANDLINE = /(?<!\d)(?:0\d{2,3}|[(（]0\d{2,3}[)）])[- ]?(?:\d{7,8}|\d{3,4}[- ]\d{4})(?!\d)/g;

/** Free text with ID numbers removed and phone numbers masked. */
export function scrubText(text: string | null | undefined): string {
  if (!text) return '';
  return asciiDigits(text)
    .replace(ID_NUMBER, '[证件号已隐藏]')
    .replace(MOBILE, (m) => maskPhone(m) ?? '')
    .replace(LANDLINE, (m) => maskPhone(m) ?? '');
}

/**
 * An address cut to building level: 桂花苑3幢2单元501室 → 桂花苑3幢. Anything after the first
 * building marker (幢, 栋, 号楼) is dropped; without one, trailing room numbers are dropped.
 */
export function maskAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const s = scrubText(address);
  const m = /^(.*?(?:\d+|[一二三四五六七八九十]+)(?:幢|栋|号楼|座))/.exec(s);
  if (m) return m[1]!;
  return s.replace(/\d+(?:单元|室|户|号房|层)[\d\-单元室户层号]*$/u, '').replace(/[-\d]+室?$/, '').trim() || null;
}
