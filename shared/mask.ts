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
  if (CJK_NAME.test(s)) {
    const keep = chars.length >= 4 ? 2 : 1;
    return chars.slice(0, keep).join('') + '*'.repeat(Math.max(1, chars.length - keep));
  }
  return chars[0] + '***';
}

const CJK_NAME = /^[\u3400-\u9fff·]+$/;

/**
 * 13812341234 → 138****1234, also written +86 138-1234-1234 or with full-width digits;
 * landlines and short numbers keep only the last 2 digits.
 */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const digits = asciiDigits(phone).replace(/\D/g, '');
  // A mobile with its country code (+86 or 0086) is still a mobile.
  const mobile = /^(?:00)?(?:86)?(1\d{10})$/.exec(digits)?.[1];
  if (mobile) return maskMobile(mobile);
  return keepLastTwo(digits);
}

const maskMobile = (mobile: string) => `${mobile.slice(0, 3)}****${mobile.slice(7)}`;
const keepLastTwo = (chars: string) =>
  chars.length <= 2 ? '*'.repeat(chars.length) : '*'.repeat(chars.length - 2) + chars.slice(-2);

/**
 * Full-width digits, signs and the X of an ID (１３８…, typed with a Chinese input method) as
 * ASCII, so the patterns below see them. One code unit maps to one, so lengths do not change.
 */
function asciiDigits(text: string): string {
  return text.replace(/[０-９＋－Ｘｘ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

const ID_HIDDEN = '[证件号已隐藏]';

// A number in free text is a run of digit groups joined by single separators: a space, or one
// of - . _ / (or a dash, full-width . / _) with at most a few spaces either side, so
// 138 1234 5678, 138.1234.5678, 138 - 1234 - 5678, 110105-19491231-002X and 8888-6666 are each
// one run. It may open with + (+86 …) or an area code in brackets, and end in the X of an ID.
const SPACE = '[ \\t\\u00a0\\u3000]';
const SEP = `(?:${SPACE}{0,3}[-._/\\u2010-\\u2015\\uff0e\\uff0f\\uff3f]${SPACE}{0,3}|${SPACE}{1,3})`;
const NUMBER_RUN = new RegExp(
  `(?:[(（]0\\d{2,3}[)）]${SPACE}{0,3}|\\+${SPACE}?)?\\d+(?:${SEP}\\d+)*(?:[Xx](?![A-Za-z]))?`, 'g');
const GROUP = /\d+[Xx]?/g;
// What makes a run an amount or a quantity rather than a number to hide: a unit after it…
const UNIT_AFTER = new RegExp(`${SPACE}{0,3}(?:元|块|角|万|亿|美元|港元|港币|欧元|平方米|平方公里|平方|平米|㎡|m²|公里|千米|厘米|毫米|米|km|cm|mm|公斤|千克|克|斤|吨|kg|毫升|升|ml|千瓦时|kWh|kW|瓦|度|%|‰|个|户|人|次|件|份|台|辆|棵|株|袋|箱|条|张|套|间|岁|天|小时|分钟|秒|年|周)`, 'y');
// …or a currency before it.
const CURRENCY_BEFORE = new RegExp(`(?:[¥￥$]|RMB|CNY|人民币)${SPACE}{0,3}$`);
// Runs of fewer digits than this are ordinary numbers: rooms, counts, times, short codes.
const MIN_HIDDEN_DIGITS = 7;

interface Group { start: number; end: number; digits: string }

/**
 * Free text with ID numbers removed and phone numbers masked: the digits of any run of
 * MIN_HIDDEN_DIGITS or more that is not a date (2026-11-22) or an amount with its unit are
 * masked, keeping the last two; within a run, a mobile keeps 138****5678 and an ID is removed.
 */
export function scrubText(text: string | null | undefined): string {
  if (!text) return '';
  return scrubRooms(scrubNumbers(text));
}

/** scrubText without the house numbers: what maskAddress cuts at building level itself. */
function scrubNumbers(text: string): string {
  return asciiDigits(text).replace(NUMBER_RUN, scrubNumber);
}

// A house number typed into free text — 1701室, 12号房, 5-1-302 (building, unit, room) — is
// where a resident lives: a display sees 某室. A unit (2单元) or a floor (3层) says no door.
const ROOM_NUMBER = /(?<![\dA-Za-z])[A-Za-z]?\d+(?:[-－—]\d+)*(?=室|号房)/gu;
const DASHED_ROOM = /(?<![\d-])\d{1,3}[-－—]\d{1,2}[-－—]\d{3,4}(?![\d-])/gu;
const MAY_HOLD_ROOM = /室|号房|\d[-－—]\d/;

/** Free text with house numbers hidden (see ROOM_NUMBER): cheap when there is none. */
function scrubRooms(text: string): string {
  if (!MAY_HOLD_ROOM.test(text)) return text;
  return text.replace(ROOM_NUMBER, '某').replace(DASHED_ROOM, '某室');
}

// The helpers below are plain functions, not closures made per call: under tsx every named
// closure costs a defineProperty, and this runs for every text of every event sent to a display.

/** A run of digits as a display may see it (a String.replace callback). */
function scrubNumber(run: string, offset: number, text: string): string {
  // A short run cannot hold anything to hide: the common case, kept cheap.
  if (run.length < MIN_HIDDEN_DIGITS) return run;
  // One group of digits, no separators: 13812345678, 330102199001011234, 88886666.
  if (PLAIN_DIGITS.test(run)) return whole(run) ?? (isQuantity(text, offset, run, true, true) ? run : keepLastTwo(run));
  // One number in groups: 138 1234 5678, 110105-19491231-002X, (0571)88886666.
  if (!DATE_START.test(run)) {
    const known = whole(run.replace(NOT_DIGIT, ''));
    if (known) return known;
  }
  const groups: Group[] = [];
  GROUP.lastIndex = 0;
  for (let g = GROUP.exec(run); g; g = GROUP.exec(run)) groups.push({ start: g.index, end: g.index + g[0].length, digits: g[0] });
  return scrubGroups(text, offset, run, groups);
}

const PLAIN_DIGITS = /^\d+[Xx]?$/;
const NOT_DIGIT = /[^\dXx]/g;
// 1990-01-01 123 is a date and a number, not the mobile 199 0010 1123.
const DATE_START = /^(?:19|20)\d\d[ \t\u00a0\u3000]{0,3}[-./]/;
const ID18 = /^\d{17}[\dXx]$/;
// An old ID begins with a province code, never 0.
const ID15 = /^[1-9]\d{14}$/;
const MOBILE = /^(?:0086|86)?(1[3-9]\d{9})$/;
const LANDLINE = /^0[1-9]\d{8,10}$/;

/** How a number written in one piece is shown, if it is an ID, a mobile or a landline. */
function whole(digits: string): string | null {
  if (ID18.test(digits) || ID15.test(digits)) return ID_HIDDEN;
  const mobile = MOBILE.exec(digits);
  if (mobile) return maskMobile(mobile[1]!);
  if (LANDLINE.test(digits)) return keepLastTwo(digits);
  return null;
}

/**
 * Whether digits of `run` (found at `offset` in `text`) are an amount or a quantity: the end of
 * the run followed by a unit (`atEnd`), or its start preceded by a currency (`atStart`).
 */
function isQuantity(text: string, offset: number, run: string, atEnd: boolean, atStart: boolean): boolean {
  if (atEnd) {
    UNIT_AFTER.lastIndex = offset + run.length;
    if (UNIT_AFTER.test(text)) return true;
  }
  return atStart && CURRENCY_BEFORE.test(text.slice(Math.max(0, offset - 8), offset));
}

/**
 * A run of several groups, read left to right as the numbers we know (dates kept, phones and
 * IDs masked) with whatever lies between them masked when it is long enough to be a number.
 */
function scrubGroups(text: string, offset: number, run: string, groups: Group[]): string {
  let out = '';
  let done = 0; // run[0, done) is written to out
  let hidden = false; // a phone or ID was recognised in the run
  let shortLeft = false; // digits not recognised were left visible as too few to matter
  for (let i = 0; i < groups.length;) {
    // The groups from i up to the next number we know are a number we do not.
    let next = i;
    let found: Found | null = null;
    while (next < groups.length && !(found = recognise(run, groups, next))) next++;
    if (next > i) {
      // The first span of the run takes a leading + or bracket with it.
      const from = i === 0 ? 0 : groups[i]!.start;
      const to = groups[next - 1]!.end;
      let chars = '';
      for (let k = i; k < next; k++) chars += groups[k]!.digits;
      // An amount or a quantity with its unit is neither hidden nor a fragment of a number.
      const quantity = isQuantity(text, offset, run, next === groups.length, i === 0);
      const hide = chars.length >= MIN_HIDDEN_DIGITS && !quantity;
      if (!hide && !quantity) shortLeft = true;
      out += run.slice(done, from) + (hide ? keepLastTwo(chars) : run.slice(from, to));
      done = to;
    }
    if (!found) break;
    const from = next === 0 ? 0 : groups[next]!.start;
    const to = groups[found.last]!.end;
    if (found.masked !== null) hidden = true;
    out += run.slice(done, from) + (found.masked ?? run.slice(from, to));
    done = to;
    i = found.last + 1;
  }
  // A phone picked out of the middle of a longer number (6222 0212 3456 7890 123 read as a
  // landline between 6222 and 123) would leave the rest of it readable: hide the run whole.
  if (hidden && shortLeft) {
    let all = '';
    for (const g of groups) all += g.digits;
    return keepLastTwo(all);
  }
  return out + run.slice(done);
}

/** A number recognised in a run: its last group, and how it is shown (null: as written). */
interface Found { last: number; masked: string | null }

/**
 * The number that starts at group i, if it is one we know: a date (kept as it is), an ID
 * (removed), a mobile (138****5678), an old 15-digit ID, a landline with its area code.
 */
function recognise(run: string, groups: Group[], i: number): Found | null {
  // The digits of groups i..i+k for each k, while they could still be one number.
  const spans: string[] = [];
  for (let j = i, acc = ''; j < groups.length && acc.length < 18; j++) spans.push((acc += groups[j]!.digits));
  // A date, unless its digits run on into a mobile number (1900.9.8.00000 is 19009800000 cut by
  // dots): then it is the number, and the safe reading is to hide it.
  if (isDate(run, groups, i) && !spans.slice(3).some((s) => MOBILE.test(s))) return { last: i + 2, masked: null };
  // An ID is written whole or in groups after its 6-digit region code (110105 1949 1231 002X);
  // 15 digits across other groups are more likely two numbers side by side.
  const idLike = groups[i]!.digits.length === 6;
  for (let k = 0; k < spans.length; k++) if (ID18.test(spans[k]!) && (k === 0 || idLike)) return { last: i + k, masked: ID_HIDDEN };
  for (let k = 0; k < spans.length; k++) {
    const mobile = MOBILE.exec(spans[k]!);
    if (mobile) return { last: i + k, masked: maskMobile(mobile[1]!) };
  }
  for (let k = 0; k < spans.length; k++) if (ID15.test(spans[k]!) && (k === 0 || idLike)) return { last: i + k, masked: ID_HIDDEN };
  for (let k = spans.length - 1; k >= 0; k--) if (LANDLINE.test(spans[k]!)) return { last: i + k, masked: keepLastTwo(spans[k]!) };
  return null;
}

/** 2026-11-22, 2026/11/22, 2026.11.22: year, month and day joined by the same mark. */
function isDate(run: string, groups: Group[], i: number): boolean {
  const [y, m, d] = [groups[i], groups[i + 1], groups[i + 2]];
  if (!y || !m || !d) return false;
  if (!YEAR.test(y.digits) || !MONTH.test(m.digits) || !DAY.test(d.digits)) return false;
  const mark1 = run.slice(y.end, m.start).trim();
  const mark2 = run.slice(m.end, d.start).trim();
  return mark1 === mark2 && DATE_MARK.test(mark1);
}

const YEAR = /^(?:19|20)\d\d$/;
const MONTH = /^(?:0?[1-9]|1[0-2])$/;
const DAY = /^(?:0?[1-9]|[12]\d|3[01])$/;
const DATE_MARK = /^[-./]$/;

/**
 * Full names to mask wherever they appear in free text: 网格员王丽萍已到场 → 网格员王**已到场.
 * Build it with `nameMasker`, which keeps the last one built while the list is unchanged, or
 * keep one and `add` names as the community learns them (server/privacy/known-names.ts).
 *
 * Written by hand rather than as one regular expression of every name: a community knows
 * thousands of people, an alternation of thousands of literals is tried name by name at every
 * position of the text (V8 builds no trie for it), and it must be rebuilt whole for each new
 * name. Here names are kept in buckets by their first two code units, so a scan costs one map
 * lookup per position and adding a name costs one insert. The matching is the regular
 * expression's: leftmost first, and at one position the longest name; Latin names only as
 * whole words.
 */
export class NameMasker {
  /** Names by their first two code units, each bucket longest first. */
  readonly #buckets = new Map<string, string[]>();
  readonly #masked = new Map<string, string>();

  constructor(names: readonly string[] = []) {
    this.add(names);
  }

  /** How many names it masks. */
  get size(): number {
    return this.#masked.size;
  }

  /** Learn more names; returns how many were new. */
  add(names: Iterable<string | null | undefined>): number {
    let added = 0;
    for (const raw of names) {
      const name = usableName(raw);
      if (name === null || this.#masked.has(name)) continue;
      this.#masked.set(name, maskName(name)!);
      const key = name.slice(0, 2);
      const bucket = this.#buckets.get(key);
      if (!bucket) this.#buckets.set(key, [name]);
      else {
        // Longest first, so 王丽萍 is masked whole and not as 王丽 followed by 萍.
        let i = 0;
        while (i < bucket.length && bucket[i]!.length >= name.length) i++;
        bucket.splice(i, 0, name);
      }
      added++;
    }
    return added;
  }

  /** Whether `name` is one it masks. */
  has(name: string): boolean {
    return this.#masked.has(name.trim());
  }

  /** `text` with every listed name masked, and also `extra` (the event's reporter). */
  apply(text: string, extra?: string | null): string {
    if (!text) return text;
    const name = usableName(extra);
    if (!name || this.#masked.has(name) || !text.includes(name)) return this.#listed(text);
    // Mask the longer name first: the reporter 王建 inside a listed 王建国, or the other way round.
    let inListed = false;
    for (const bucket of this.#buckets.values()) {
      for (const n of bucket) if (n.length > name.length && n.includes(name)) inListed = true;
    }
    return inListed ? maskOne(this.#listed(text), name) : this.#listed(maskOne(text, name));
  }

  #listed(text: string): string {
    if (!this.#buckets.size || text.length < 2) return text;
    let out = '';
    let done = 0;
    for (let i = 0; i + 1 < text.length;) {
      const bucket = this.#buckets.get(text.slice(i, i + 2));
      const found = bucket ? matchAt(text, i, bucket) : null;
      if (found === null) {
        i++;
        continue;
      }
      out += text.slice(done, i) + this.#masked.get(found)!;
      i += found.length;
      done = i;
    }
    return done ? out + text.slice(done) : text;
  }
}

/** The longest name of `bucket` written at `i` in `text` (a Latin name as a whole word only). */
function matchAt(text: string, i: number, bucket: readonly string[]): string | null {
  for (const n of bucket) {
    if (!text.startsWith(n, i)) continue;
    if (CJK_NAME.test(n)) return n;
    if (i > 0 && LATIN_LETTER.test(text[i - 1]!)) continue;
    if (i + n.length < text.length && LATIN_LETTER.test(text[i + n.length]!)) continue;
    return n;
  }
  return null;
}

const LATIN_LETTER = /[A-Za-z]/;

let lastList: readonly string[] | null = null;
let lastKey: string | null = null;
let lastMasker = new NameMasker([]);

/** The masker for `names`, built once and reused until the list changes. */
export function nameMasker(names: readonly string[]): NameMasker {
  if (names === lastList) return lastMasker;
  const key = names.join('\u0000');
  if (key !== lastKey) {
    lastMasker = new NameMasker(names);
    lastKey = key;
  }
  lastList = names;
  return lastMasker;
}

// Words a reporter may give instead of a name; masking them in text would only garble it.
const NOT_NAMES = new Set(['匿名', '匿名用户', '居民', '市民', '热心市民', '群众', '热心群众', '住户', '业主', '租户', '村民', '网格员', '物业', '未知', '不详', '无']);

/** A name worth searching text for: Chinese of two characters or more, or Latin of two letters. */
function usableName(name: string | null | undefined): string | null {
  const s = name?.trim();
  if (!s || NOT_NAMES.has(s) || s.length < 2 || /[*\d]/.test(s)) return null;
  return s;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Chinese names match anywhere (no spaces between words); Latin names only as whole words. */
const namePattern = (name: string) =>
  CJK_NAME.test(name) ? escapeRegExp(name) : `(?<![A-Za-z])${escapeRegExp(name)}(?![A-Za-z])`;

function maskOne(text: string, name: string): string {
  const masked = maskName(name)!;
  return CJK_NAME.test(name) ? text.replaceAll(name, masked) : text.replace(new RegExp(namePattern(name), 'g'), masked);
}

// A unit, room or floor with its number: 2单元, 501室, 12-3-501室, 三层, 12号房, A1201室.
const ROOM = /(?:[A-Za-z]?\d+(?:[-－—]\d+)*|[一二三四五六七八九十百零〇两]+)(?:单元|室|户|层|号房)/u;
// A building with its number: 3幢, 十二栋, 5号楼, 2座.
const BUILDING = /^.*?(?:\d+|[一二三四五六七八九十百零〇两]+)(?:幢|栋|号楼|座)/u;

/**
 * An address cut to building level: 桂花苑3幢2单元501室 → 桂花苑3幢. Everything from the first
 * unit, room or floor (单元, 室, 户, 层, 号房) on is dropped, wherever it is (桂花苑501室旁 →
 * 桂花苑), and anything after the building (幢, 栋, 号楼, 座); with neither, a trailing bare
 * room number (文三路100号501, 12-3-501) is dropped.
 */
export function maskAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const s = scrubNumbers(address);
  const room = ROOM.exec(s);
  const building = BUILDING.exec(s);
  let cut: string;
  if (building && (!room || building[0].length <= room.index)) cut = building[0];
  else if (room) cut = s.slice(0, room.index);
  else cut = s.replace(/[-\d]+室?$/, '');
  return cut.replace(/[\s\-－—_/,，、(（:：]+$/u, '').trim() || null;
}
