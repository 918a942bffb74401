/**
 * An amount in capital figures (人民币大写), as a Chinese receipt writes it so no one can add a
 * stroke: 125050 fen → 壹仟贰佰伍拾元零伍角; 100000105 → 壹佰万零壹元零伍分. Written by hand: it
 * is a few lines, and no kept library does just this.
 */
const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const PLACES = ['', '拾', '佰', '仟'];
const GROUPS = ['', '万', '亿', '万亿'];

/** 0..9999 without leading zeros: 105 → 壹佰零伍. */
function fourDigits(n: number): string {
  let out = '';
  let zero = false;
  for (let p = 3; p >= 0; p--) {
    const d = Math.floor(n / 10 ** p) % 10;
    if (d === 0) {
      if (out) zero = true;
    } else {
      if (zero) out += '零';
      zero = false;
      out += DIGITS[d] + PLACES[p]!;
    }
  }
  return out;
}

/** Fen as 人民币大写 (whole yuan end in 整). */
export function capitalYuan(cents: number): string {
  const total = Math.max(0, Math.round(cents));
  let whole = Math.floor(total / 100);
  const jiao = Math.floor((total % 100) / 10);
  const fen = total % 10;
  if (total === 0) return '零元整';
  const groups: number[] = [];
  while (whole > 0) {
    groups.push(whole % 10000);
    whole = Math.floor(whole / 10000);
  }
  let yuanPart = '';
  let gap = false;
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    if (g === 0) {
      gap = yuanPart !== '';
      continue;
    }
    if (yuanPart && (gap || g < 1000)) yuanPart += '零';
    yuanPart += fourDigits(g) + GROUPS[i]!;
    gap = false;
  }
  if (yuanPart) yuanPart += '元';
  if (jiao === 0 && fen === 0) return `${yuanPart}整`;
  const jiaoPart = jiao ? `${DIGITS[jiao]}角` : yuanPart ? '零' : '';
  return `${yuanPart}${jiaoPart}${fen ? `${DIGITS[fen]}分` : ''}`;
}
