/**
 * What the activities desk's pages share: the local date-time of a form field and back, a status's
 * badge tone, and the hours rule of a check-out as the desk shows it before confirming
 * (shared/volunteers.ts `creditedHours` and `pointsFor`, the very functions the server's check-out runs).
 */
import { creditedHours, pointsFor, type ActivityStatus, type SignupStatus } from '../../../../shared/volunteers.ts';
import { dateTime, dayStart, hhmm } from '../../../lib/format.ts';
import { isoInZone } from '../../../../shared/time.ts';

/** An ISO instant as a `datetime-local` field holds it (`2026-12-07T09:00`), in `timeZone`. */
export const toInput = (iso: string | null | undefined, timeZone: string): string => (iso ? dateTime(iso, timeZone).replace(' ', 'T') : '');

/** A `datetime-local` value, read in `timeZone`, as an ISO instant with its offset; '' for an empty or broken one. */
export function fromInput(value: string, timeZone: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return '';
  const midnight = dayStart(m[1]!, timeZone);
  if (!midnight) return '';
  return isoInZone(Date.parse(midnight) + (Number(m[2]) * 60 + Number(m[3])) * 60_000, timeZone);
}

export const STATUS_TONE: Record<ActivityStatus, 'neutral' | 'ok' | 'warn' | 'danger' | 'info'> = {
  planned: 'neutral', open: 'ok', closed: 'info', cancelled: 'danger',
};

export const SIGNUP_TONE: Record<SignupStatus, 'neutral' | 'ok' | 'warn' | 'danger' | 'info'> = {
  signed_up: 'neutral', checked_in: 'ok', checked_out: 'info', cancelled: 'neutral', no_show: 'warn',
};

/** `2026-12-07 09:00–12:00` (or the end's date too when it ends another day). */
export function timeRange(startsAt: string, endsAt: string, timeZone: string): string {
  const start = dateTime(startsAt, timeZone);
  const end = dateTime(endsAt, timeZone);
  return start.slice(0, 10) === end.slice(0, 10) ? `${start}–${end.slice(11)}` : `${start} – ${end}`;
}

/** Whole minutes late (after the start) or early (before the end); 0 within a minute. */
export const lateMinutes = (at: string | null, startsAt: string): number =>
  at ? Math.max(0, Math.floor((Date.parse(at) - Date.parse(startsAt)) / 60_000)) : 0;
export const earlyMinutes = (at: string | null, endsAt: string): number =>
  at ? Math.max(0, Math.floor((Date.parse(endsAt) - Date.parse(at)) / 60_000)) : 0;

/** What a check-out at `outAt` would credit: the counted window, the hours and the points. */
export function checkOutPreview(inAt: string, outAt: number, a: { startsAt: string; endsAt: string; pointsPerHour: number }, timeZone: string) {
  const start = Date.parse(a.startsAt);
  const end = Date.parse(a.endsAt);
  const from = Math.max(Date.parse(inAt), start);
  const to = Math.min(outAt, end);
  const hours = creditedHours(Date.parse(inAt), outAt, start, end);
  return {
    hours, points: pointsFor(hours, a.pointsPerHour),
    from: hhmm(isoInZone(from, timeZone), timeZone), to: hhmm(isoInZone(Math.max(from, to), timeZone), timeZone),
    in: hhmm(inAt, timeZone), out: hhmm(isoInZone(outAt, timeZone), timeZone),
    start: hhmm(a.startsAt, timeZone), end: hhmm(a.endsAt, timeZone), rate: a.pointsPerHour,
  };
}
