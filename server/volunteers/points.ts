/**
 * Points (积分): what volunteers hold, what they earned and spent, the month's leaderboard, and
 * the community's books. The ledger itself (double entry, `ledger.ts`) is written by check-outs
 * and redemptions; here it is read.
 */
import type { Page } from '../db/page.ts';
import type { Directory } from '../kernel/community.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { monthOf, monthRange, type LeaderboardQuery, type LeaderboardRow, type PageQuery } from '../../shared/volunteers.ts';
import { STAFF } from './access.ts';
import type { LedgerCheck, LedgerLine } from './ledger.ts';
import type { VolunteerParts, VolunteerStore } from './store.ts';

export interface Leaderboard {
  month: string;
  totals: { hours: number; points: number; records: number; volunteers: number };
  items: LeaderboardRow[];
}

export interface PointsSummary {
  /** Every point ever issued for service. */
  issued: number;
  /** Every point spent in the exchange. */
  redeemed: number;
  /** Held by volunteers now: issued − redeemed. */
  outstanding: number;
  check: LedgerCheck;
}

/** Points: balances, a volunteer's ledger, the leaderboard and the books. */
export class PointsService {
  #store: VolunteerStore;
  #dir: Directory;
  #now: () => number;

  constructor(parts: VolunteerParts) {
    this.#store = parts.store;
    this.#dir = parts.directory;
    this.#now = parts.now;
  }

  /** A volunteer's balance (the cached SUM of their entries). */
  balance(p: Principal, volunteerId: number): number {
    this.#store.volunteer(p, volunteerId);
    const { ledger } = this.#store;
    return ledger.balance(ledger.findVolunteerAccount(volunteerId));
  }

  /** Balances of many volunteers of the principal's community, by id. */
  balances(volunteerIds: number[]): Map<number, number> {
    const out = new Map<number, number>();
    if (!volunteerIds.length) return out;
    const rows = this.#store.db
      .prepare(`SELECT owner_id, balance FROM points_accounts WHERE kind = 'volunteer' AND owner_id IN (${volunteerIds.map(() => '?').join(', ')})`)
      .all(...volunteerIds) as { owner_id: number; balance: number }[];
    for (const r of rows) out.set(r.owner_id, r.balance);
    return out;
  }

  /** A volunteer's ledger, newest first, with the balance after each entry. */
  ledger(p: Principal, volunteerId: number, q: PageQuery): Page<LedgerLine> {
    this.#store.volunteer(p, volunteerId);
    const { ledger } = this.#store;
    return ledger.history(ledger.findVolunteerAccount(volunteerId), q);
  }

  /** The community's books: issued, redeemed, held, and whether they balance. */
  summary(p: Principal): PointsSummary {
    authorise(p, STAFF, 'see the points ledger');
    const { stmt } = this.#store;
    const issuance = stmt.systemBalance.get(p.communityId, 'issuance') as { balance: number } | undefined;
    const redemption = stmt.systemBalance.get(p.communityId, 'redemption') as { balance: number } | undefined;
    const issued = -(issuance?.balance ?? 0);
    const redeemed = redemption?.balance ?? 0;
    return { issued, redeemed, outstanding: issued - redeemed, check: this.#store.ledger.verify(p.communityId) };
  }

  /** Hours and points earned in a local month (this month by default), most hours first. */
  leaderboard(p: Principal, q: LeaderboardQuery): Leaderboard {
    authorise(p, STAFF, 'see the leaderboard');
    const { stmt } = this.#store;
    const tz = this.#dir.timeZoneOf(p.communityId);
    const month = q.month ?? monthOf(this.#now(), tz);
    const { start, end } = monthRange(month, tz);
    const items = (stmt.leaderboard.all(p.communityId, start, end, q.limit) as {
      volunteer_id: number; name: string; hours: number; points: number; records: number;
    }[]).map((r) => ({ volunteerId: r.volunteer_id, name: r.name, hours: r.hours, points: r.points, records: r.records }));
    const totals = stmt.monthTotals.get(p.communityId, start, end) as Leaderboard['totals'];
    return { month, totals, items };
  }

  /** Check the community's books (every transaction balances, cached balances are the SUMs). */
  verify(p: Principal): LedgerCheck {
    authorise(p, STAFF, 'see the points ledger');
    return this.#store.ledger.verify(p.communityId);
  }
}
