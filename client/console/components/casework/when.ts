/**
 * A wall-clock time in the community's zone, as a `datetime-local` input holds it
 * (`2026-12-07T09:30`), and back to an instant with its offset for the API.
 */
import { dayStart } from '../../../lib/format.ts';

/** `now` (epoch ms) as `YYYY-MM-DDTHH:MM` in `timeZone`. */
export function localInput(now: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(now));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** `YYYY-MM-DDTHH:MM` read in `timeZone` as an ISO instant; null when it is not one. */
export function instantOf(value: string, timeZone: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const start = dayStart(m[1]!, timeZone);
  if (!start) return null;
  return new Date(Date.parse(start) + (Number(m[2]) * 60 + Number(m[3])) * 60_000).toISOString();
}
