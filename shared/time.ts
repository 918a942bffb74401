/**
 * Time: instants are stored as UTC epoch milliseconds and shown in the community's time zone.
 * Every ISO string this system emits carries its offset, never a bare `Z`-less local time.
 */

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

/** The wall-clock reading in `timeZone` at instant `ms`. */
export function wallTime(ms: number, timeZone: string): WallTime {
  const p: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! };
}

/** Minutes east of UTC in `timeZone` at instant `ms` (480 for Asia/Shanghai). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** `2026-11-22T20:38:05.123+08:00` for the instant `ms` in `timeZone`. */
export function isoInZone(instant: number, timeZone: string): string {
  const ms = Math.round(instant);
  const off = offsetMinutes(ms, timeZone);
  const w = wallTime(ms, timeZone);
  const sign = off < 0 ? '-' : '+';
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}.${pad(((ms % 1000) + 1000) % 1000, 3)}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
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
