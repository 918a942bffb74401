/** The wall's volunteer figures: on duty now, this month's hours and points, the leaderboard, today's activities. */
import type { StatsContext } from '../kernel/stats-context.ts';
import type { ActivityToday, LeaderboardEntry, VolunteerViews } from '../../shared/subjects.ts';
import { maskName } from '../../shared/mask.ts';
import { feedText } from '../kernel/journal.ts';
import { DAY_MS } from '../../shared/time.ts';
import { MAX_ACTIVITY_MS } from '../../shared/volunteers.ts';

const LEADERBOARD_SIZE = 10;
const ACTIVITIES_TODAY = 12;

export function volunteerStats(ctx: StatsContext): VolunteerViews {
  const { db, communityId: c, now, today, monthStart } = ctx;
  const one = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as T;
  const people = one<{ registered: number; active: number }>(
    `SELECT COUNT(*) AS registered, COALESCE(SUM(status = 'active'), 0) AS active FROM volunteers WHERE community_id = ? AND status <> 'left'`, c);
  const onDuty = one<{ n: number }>(
    // The partial index holds only the checked-in rows: without it SQLite walks every activity.
    `SELECT COUNT(*) AS n FROM activity_signups s INDEXED BY activity_signups_on_duty JOIN activities a ON a.id = s.activity_id
      WHERE s.status = 'checked_in' AND s.checked_in_at IS NOT NULL AND a.community_id = ?`, c).n;
  const month = one<{ hours: number; points: number }>(
    'SELECT COALESCE(SUM(hours), 0) AS hours, COALESCE(SUM(points), 0) AS points FROM service_records WHERE community_id = ? AND issued_at >= ?',
    c, monthStart);
  const redeemed = one<{ n: number }>('SELECT COALESCE(SUM(points), 0) AS n FROM redemptions WHERE community_id = ? AND at >= ?', c, monthStart).n;
  const outstanding = one<{ n: number }>(
    "SELECT COALESCE(SUM(balance), 0) AS n FROM points_accounts WHERE community_id = ? AND kind = 'volunteer'", c).n;
  const servicesToday = one<{ n: number }>('SELECT COUNT(*) AS n FROM service_records WHERE community_id = ? AND issued_at >= ?', c, today).n;

  const leaders = db.prepare(
    `SELECT v.name, t.name AS team, SUM(r.hours) AS hours, SUM(r.points) AS points
       FROM service_records r JOIN volunteers v ON v.id = r.volunteer_id LEFT JOIN volunteer_teams t ON t.id = v.team_id
      WHERE r.community_id = ? AND r.issued_at >= ?
      GROUP BY r.volunteer_id ORDER BY hours DESC, points DESC, MIN(r.issued_at) LIMIT ?`,
  ).all(c, monthStart, LEADERBOARD_SIZE) as { name: string; team: string | null; hours: number; points: number }[];
  const leaderboard: LeaderboardEntry[] = leaders.map((l) => ({ name: maskName(l.name) ?? '', team: l.team, hours: l.hours, points: l.points }));

  // Today's activities: those starting today and any still running from earlier.
  const rows = db.prepare(
    `SELECT a.id, a.title, a.place, a.grid_id, a.starts_at, a.ends_at, a.status, a.capacity,
            COALESCE(SUM(s.status IN ('signed_up', 'checked_in', 'checked_out')), 0) AS signed_up,
            COALESCE(SUM(s.status IN ('checked_in', 'checked_out')), 0) AS checked_in
       FROM activities a LEFT JOIN activity_signups s ON s.activity_id = a.id
      WHERE a.community_id = ? AND a.starts_at < ? AND a.ends_at > ? AND a.status <> 'cancelled'
        AND a.starts_at >= ? -- an activity lasts at most a day (MAX_ACTIVITY_MS): the index range stays small
      GROUP BY a.id ORDER BY a.starts_at, a.id LIMIT ?`,
  ).all(c, today + DAY_MS, today, today - MAX_ACTIVITY_MS, ACTIVITIES_TODAY) as {
    id: number; title: string; place: string; grid_id: string | null; starts_at: number; ends_at: number;
    status: string; capacity: number; signed_up: number; checked_in: number;
  }[];
  const activitiesToday: ActivityToday[] = rows.map((a) => ({
    id: a.id, title: feedText(a.title), place: feedText(a.place), gridId: a.grid_id,
    startsAt: ctx.iso(a.starts_at), endsAt: ctx.iso(a.ends_at), status: a.status,
    running: a.starts_at <= now && now < a.ends_at,
    capacity: a.capacity, signedUp: a.signed_up, checkedIn: a.checked_in,
  }));

  return {
    registered: people.registered, active: people.active, onDuty,
    hoursMonth: month.hours, pointsIssuedMonth: month.points, pointsRedeemedMonth: redeemed, pointsOutstanding: outstanding,
    servicesToday, leaderboard, activitiesToday,
  };
}
