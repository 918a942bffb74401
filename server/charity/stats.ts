/** The wall's figures for charity resources. */
import type { StatsContext } from '../subjects/context.ts';
import type { CharityViews } from '../../shared/subjects.ts';

export function charityStats(ctx: StatsContext): CharityViews {
  return {
    raisedMonthCents: 0, disbursedMonthCents: 0, fundBalanceCents: 0, restrictedCents: 0, donationsToday: 0, donorsMonth: 0,
    goods: [], recent: [], daily: ctx.days.map((d) => ({ day: ctx.day(d), raisedCents: 0, disbursedCents: 0 })),
  };
}
