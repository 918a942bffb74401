/** Times for the console: instants read in the community's zone, never the browser's. */
import { isoInZone, localDay, startOfLocalDay, wallTime } from '../../shared/time.ts';

const pad2 = (n: number) => String(n).padStart(2, '0');

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

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

/** A random password for an admin to hand over (16 characters, no look-alikes). */
export function randomPassword(length = 16): string {
  const bytes = new Uint32Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => PASSWORD_ALPHABET[b % PASSWORD_ALPHABET.length]).join('');
}
