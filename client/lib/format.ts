/**
 * Formatting for every surface: numbers as people read them, times in the community's zone
 * (instants read there, never in the browser's zone).
 */
import { isoInZone, localDay, startOfLocalDay, wallTime } from '../../shared/time.ts';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `14:05` for an ISO instant, read in `timeZone` (never the browser's zone). */
export function hhmm(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '--:--';
  const w = wallTime(ms, timeZone);
  return `${pad2(w.hour)}:${pad2(w.minute)}`;
}

/** The hour of an ISO instant in `timeZone`, as `08:00`. */
export function hourLabel(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  return `${pad2(wallTime(ms, timeZone).hour)}:00`;
}

/** A 0–1 rate as a percentage with one decimal (`87.5`); `100` stays `100`. */
export function percentText(percent: number): string {
  const p = Math.min(100, Math.max(0, percent));
  return p >= 99.95 ? '100' : p.toFixed(1);
}

/** Minutes as hours with one decimal, or whole minutes under an hour. */
export function durationParts(minutes: number): { value: string; unit: 'hours' | 'minutes' } {
  if (minutes < 59.5) return { value: String(Math.max(0, Math.round(minutes))), unit: 'minutes' };
  return { value: (minutes / 60).toFixed(1), unit: 'hours' };
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;',
};

/** Text for innerHTML (ECharts tooltips): user text stays text. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Grid names often read `第一网格·桂花苑` / `Grid 1 · Guihua Garden`: a number and a place.
 * Returns the two parts (the second empty when there is no separator).
 */
export function splitGridName(name: string): [string, string] {
  const m = /^(.+?)\s*[·・•]\s*(.+)$/u.exec(name);
  return m ? [m[1]!, m[2]!] : [name, ''];
}

/** The place part of a grid name where room is short (`桂花苑`), or the whole name. */
export function shortGridName(name: string): string {
  const [a, b] = splitGridName(name);
  return b || a;
}

const groupers = new Map<string, Intl.NumberFormat>();
function grouper(locale: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${digits}`;
  let f = groupers.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    groupers.set(key, f);
  }
  return f;
}

/** A number with thousands separators and a fixed count of decimals (`12,480`, `1,234.5`). */
export function groupedText(value: number, locale: string, digits = 0): string {
  return grouper(locale, digits).format(value);
}

/**
 * A large figure as people read it: in Chinese by 万 and 亿 (`12.5` + `万`), in English by k and M;
 * under 10 000 it is written out with separators and no unit.
 */
export function compactParts(value: number, locale: string): { text: string; unit: string } {
  const abs = Math.abs(value);
  const fixed = (v: number) => {
    const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
    // 12.50 → 12.5, 3.00 → 3: trailing zeros say nothing on a wall.
    return String(Number(v.toFixed(digits)));
  };
  if (locale === 'en') {
    if (abs >= 1e6) return { text: fixed(value / 1e6), unit: 'M' };
    if (abs >= 1e4) return { text: fixed(value / 1e3), unit: 'k' };
  } else {
    if (abs >= 1e8) return { text: fixed(value / 1e8), unit: '亿' };
    if (abs >= 1e4) return { text: fixed(value / 1e4), unit: '万' };
  }
  return { text: groupedText(Math.round(value), locale), unit: '' };
}

/** Money kept in fen (分) as yuan: `¥` + `12.5` + `万` in Chinese, `¥` + `125` + `k` in English. */
export function moneyParts(cents: number, locale: string): { sign: string; text: string; unit: string } {
  return { sign: '¥', ...compactParts(cents / 100, locale) };
}

/** Money in fen as one string (`¥12.5万`, `¥8,560`), for lists and tooltips. */
export function moneyText(cents: number, locale: string): string {
  const m = moneyParts(cents, locale);
  return `${m.sign}${m.text}${m.unit}`;
}

/** `2026-03-10` (a local day) as `3/10`. */
export function shortDay(day: string): string {
  const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(day);
  return m ? `${Number(m[1])}/${Number(m[2])}` : day;
}

/** `2026-11-23 14:05` (or with seconds) for an ISO instant, in `timeZone`; `—` when absent. */
export function dateTime(iso: string | null | undefined, timeZone: string, seconds = false): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const w = wallTime(ms, timeZone);
  const base = `${w.year}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}:${pad2(w.minute)}`;
  return seconds ? `${base}:${pad2(w.second)}` : base;
}

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

/**
 * `3 分钟前` / `3 minutes ago`; under a minute, `justNow` (`刚刚` reads better than ICU's `现在`).
 */
export function relativeTime(iso: string | null | undefined, now: number, locale: string, justNow: string): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  let f = relativeFormats.get(locale);
  if (!f) relativeFormats.set(locale, (f = new Intl.RelativeTimeFormat(locale === 'en' ? 'en' : 'zh-CN', { numeric: 'auto' })));
  const s = Math.round((ms - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return justNow;
  if (abs < 3600) return f.format(Math.round(s / 60), 'minute');
  if (abs < 86_400) return f.format(Math.round(s / 3600), 'hour');
  return f.format(Math.round(s / 86_400), 'day');
}

/**
 * The first instant of the local day `YYYY-MM-DD` in `timeZone`, as ISO with its offset
 * (`2026-11-23T00:00:00.000+08:00`); null for anything that is not such a date.
 */
export function dayStart(day: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  // Noon UTC of that date falls on that local date in every zone within ±12 h; from there,
  // back to the local midnight.
  const noon = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12);
  if (!Number.isFinite(noon)) return null;
  const probe = localDay(noon, timeZone) === day ? noon : noon + (localDay(noon, timeZone) < day ? 12 : -12) * 3_600_000;
  return isoInZone(startOfLocalDay(probe, timeZone), timeZone);
}

/** The first instant after the local day `YYYY-MM-DD` (the end of a date range that includes it). */
export function dayEnd(day: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const next = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1));
  return dayStart(`${next.getUTCFullYear()}-${pad2(next.getUTCMonth() + 1)}-${pad2(next.getUTCDate())}`, timeZone);
}

/** Minutes and seconds of a wait, as `{ minutes, seconds }` for a message. */
export function waitParts(totalSeconds: number): { minutes: number; seconds: number } {
  const s = Math.max(0, Math.ceil(totalSeconds));
  return { minutes: Math.floor(s / 60), seconds: s % 60 };
}
