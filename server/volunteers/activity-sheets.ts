/**
 * The activities desk's ledgers out (server/http/sheet.ts writes them): the activities list under
 * its filters, and one activity's sign-ups and attendance with the hours and points each earned,
 * lateness and early leaving measured against the activity's start and end.
 */
import type { Locale } from '../../shared/i18n.ts';
import { zhCN, en } from '../../shared/i18n/console-activities.ts';
import type { SheetColumn } from '../http/sheet.ts';
import type { ActivityRecord } from './record.ts';

type Key = keyof typeof zhCN;
const head = (locale: Locale, key: string) => (locale === 'en' ? en : zhCN)[`console.activities.${key}` as Key];

/** An activity with its places taken, as the list's sheet holds it. */
export interface ActivityLine {
  activity: ActivityRecord;
  taken: number;
}

export function activityColumns(locale: Locale, gridName: (id: string) => string | null): SheetColumn<ActivityLine>[] {
  const col = (key: string, kind: SheetColumn<ActivityLine>['kind'], width: number, value: SheetColumn<ActivityLine>['value']) =>
    ({ header: head(locale, `x.${key}`), kind, width, value });
  return [
    col('id', 'number', 8, (l) => l.activity.id),
    col('title', 'text', 30, (l) => l.activity.title),
    col('organiser', 'text', 20, (l) => l.activity.organiser),
    col('place', 'text', 24, (l) => l.activity.place),
    col('grid', 'text', 14, (l) => (l.activity.gridId ? gridName(l.activity.gridId) ?? l.activity.gridId : null)),
    col('startsAt', 'instant', 20, (l) => l.activity.startsAt),
    col('endsAt', 'instant', 20, (l) => l.activity.endsAt),
    col('capacity', 'number', 8, (l) => l.activity.capacity),
    col('taken', 'number', 8, (l) => l.taken),
    col('rate', 'number', 10, (l) => l.activity.pointsPerHour),
    col('skills', 'text', 20, (l) => l.activity.skillsWanted.join('、')),
    col('status', 'text', 10, (l) => head(locale, `status.${l.activity.status}`)),
  ];
}

/** A sign-up row of the attendance sheet: the volunteer, the times, and what the check-out earned. */
export interface AttendanceLine {
  id: number;
  volunteer_name: string;
  volunteer_phone: string;
  card_code: string | null;
  status: string;
  signed_up_at: number;
  checked_in_at: number | null;
  checked_out_at: number | null;
  hours: number | null;
  points: number | null;
  certificate_no: string | null;
}

export const ATTENDANCE_SQL = `
  SELECT s.id, s.status, s.signed_up_at, s.checked_in_at, s.checked_out_at, v.name AS volunteer_name,
         v.phone AS volunteer_phone, v.card_code, r.hours, r.points, r.certificate_no
    FROM activity_signups s JOIN volunteers v ON v.id = s.volunteer_id
    LEFT JOIN service_records r ON r.signup_id = s.id
   WHERE s.activity_id = @activity AND (@status IS NULL OR s.status = @status)
   ORDER BY s.id`;

export function attendanceColumns(locale: Locale, a: ActivityRecord): SheetColumn<AttendanceLine>[] {
  const col = (key: string, kind: SheetColumn<AttendanceLine>['kind'], width: number, value: SheetColumn<AttendanceLine>['value']) =>
    ({ header: head(locale, `x.${key}`), kind, width, value });
  const minutes = (ms: number) => Math.max(0, Math.round(ms / 60_000));
  return [
    col('volunteer', 'text', 12, (l) => l.volunteer_name),
    col('phone', 'text', 15, (l) => l.volunteer_phone),
    col('card', 'text', 12, (l) => l.card_code),
    col('signupStatus', 'text', 10, (l) => head(locale, `s.${l.status}`)),
    col('signedUpAt', 'instant', 20, (l) => l.signed_up_at),
    col('checkedInAt', 'instant', 20, (l) => l.checked_in_at),
    col('checkedOutAt', 'instant', 20, (l) => l.checked_out_at),
    col('late', 'number', 10, (l) => (l.checked_in_at !== null ? minutes(l.checked_in_at - a.startsAt) : null)),
    col('early', 'number', 10, (l) => (l.checked_out_at !== null ? minutes(a.endsAt - l.checked_out_at) : null)),
    col('hours', 'number', 10, (l) => l.hours),
    col('points', 'number', 8, (l) => l.points),
    col('certificate', 'text', 18, (l) => l.certificate_no),
  ];
}
