/**
 * Time: instants are stored as UTC epoch milliseconds and shown in the community's time zone.
 * Every ISO string this system emits carries its offset, never a bare `Z`-less local time.
 */

/** The zone shown until the community says its own (the server's `TIME_ZONE` defaults to it too). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const partsCache = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

export interface WallTime {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
}

/** The wall-clock reading from ICU: exact, but costs microseconds a call. */
function icuWallTime(ms: number, timeZone: string): WallTime {
  const p: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! };
}

/**
 * Offsets by quarter hour of UTC: every offset change of a modern time zone falls on a
 * quarter hour, so within one the offset is constant. ICU is asked once per zone and quarter,
 * which makes formatting a time (done for every field of every event sent) cheap.
 */
const QUARTER_MS = 900_000;
const offsetCache = new Map<string, Map<number, number>>();

/** Minutes east of UTC in `timeZone` at instant `ms` (480 for Asia/Shanghai). */
export function offsetMinutes(ms: number, timeZone: string): number {
  let zone = offsetCache.get(timeZone);
  if (!zone) offsetCache.set(timeZone, (zone = new Map()));
  const quarter = Math.floor(ms / QUARTER_MS);
  let off = zone.get(quarter);
  if (off === undefined) {
    const at = quarter * QUARTER_MS;
    const w = icuWallTime(at, timeZone);
    off = Math.round((Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - at) / 60_000);
    if (zone.size > 20_000) zone.clear(); // bounded: a long-running server formats mostly recent times
    zone.set(quarter, off);
  }
  return off;
}

/** The wall-clock reading in `timeZone` at instant `ms`. */
export function wallTime(ms: number, timeZone: string): WallTime {
  const d = new Date(Math.floor(ms) + offsetMinutes(ms, timeZone) * 60_000);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
  };
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** `2026-11-22T20:38:05.123+08:00` for the instant `ms` in `timeZone`. */
export function isoInZone(instant: number, timeZone: string): string {
  const ms = Math.round(instant);
  const off = offsetMinutes(ms, timeZone);
  const d = new Date(ms + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}${sign}${pad(Math.trunc(a / 60))}:${pad(a % 60)}`;
}

/** The local calendar day `YYYY-MM-DD` that the instant `ms` falls in, in `timeZone`. */
export function localDay(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

export function isoOrNull(ms: number | null | undefined, timeZone: string): string | null {
  return ms === null || ms === undefined ? null : isoInZone(ms, timeZone);
}

/** The instant of the most recent local midnight in `timeZone` at or before `ms`. */
export function startOfLocalDay(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  const midnightAsUtc = Date.UTC(w.year, w.month - 1, w.day);
  // The offset at midnight differs from the offset now on a day the clocks change, so the
  // guess made with today's offset is corrected with the offset at the guess itself. Where
  // midnight is skipped, this lands on the change, the first instant of the local day.
  const guess = midnightAsUtc - offsetMinutes(ms, timeZone) * 60_000;
  return Math.min(ms, midnightAsUtc - offsetMinutes(guess, timeZone) * 60_000);
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** Check that a time zone name is one the runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
