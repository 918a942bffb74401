/**
 * The wall's figures for charity resources, from indexed queries over bounded windows: this
 * month's and today's donations (donations_community), disbursements (disbursements_community),
 * the fund's cached balances, the goods on hand, and 30 days grouped by quarter hour in SQL (a
 * row per quarter with any gift) then by local day here. Donors are shown only as `publicDonor` allows.
 */
import type { StatsContext } from '../kernel/stats-context.ts';
import type { CharityViews, DonationGlance } from '../../shared/subjects.ts';
import { publicDonor, type DonorKind } from '../../shared/charity.ts';

const GOODS_SHOWN = 8;
const RECENT_SHOWN = 10;
/** Sums are grouped by quarter hour in SQL: every modern UTC offset is whole quarters, so none straddles a local midnight. */
const QUARTER_MS = 900_000;

/** The statements (the context's `db` prepares each once and keeps it: `keptStatements`). */
function prepare(db: StatsContext['db']) {
  return {
    raised: db.prepare(
      `SELECT COALESCE(SUM(value_cents), 0) AS cents, COUNT(DISTINCT donor_kind || ':' || donor_name) AS donors
         FROM donations WHERE community_id = ? AND received_at >= ? AND received_at <= ?`,
    ),
    donationsSince: db.prepare('SELECT COUNT(*) AS n FROM donations WHERE community_id = ? AND received_at >= ? AND received_at <= ?'),
    disbursed: db.prepare('SELECT COALESCE(SUM(value_cents), 0) AS cents FROM disbursements WHERE community_id = ? AND at >= ? AND at <= ?'),
    balances: db.prepare(
      "SELECT kind, COALESCE(SUM(balance), 0) AS s FROM fund_accounts WHERE community_id = ? AND kind IN ('fund', 'restricted') GROUP BY kind",
    ),
    goods: db.prepare('SELECT name, unit, on_hand FROM goods WHERE community_id = ? AND on_hand > 0 ORDER BY on_hand DESC, id LIMIT ?'),
    recent: db.prepare(
      `SELECT d.donor_kind, d.anonymous, d.public_name, d.kind, d.amount_cents, d.quantity, d.received_at, g.name AS item, g.unit
         FROM donations d LEFT JOIN goods g ON g.id = d.goods_id
        WHERE d.community_id = ? AND d.received_at <= ? ORDER BY d.received_at DESC, d.id DESC LIMIT ?`,
    ),
    raisedHourly: db.prepare(
      `SELECT (received_at / ${QUARTER_MS}) * ${QUARTER_MS} AS h, SUM(value_cents) AS cents FROM donations
        WHERE community_id = ? AND received_at >= ? AND received_at <= ? GROUP BY h`,
    ),
    disbursedHourly: db.prepare(
      `SELECT (at / ${QUARTER_MS}) * ${QUARTER_MS} AS h, SUM(value_cents) AS cents FROM disbursements
        WHERE community_id = ? AND at >= ? AND at <= ? GROUP BY h`,
    ),
  };
}

export function charityStats(ctx: StatsContext): CharityViews {
  const q = prepare(ctx.db);
  const c = ctx.communityId;

  const month = q.raised.get(c, ctx.monthStart, ctx.now) as { cents: number; donors: number };
  const disbursedMonth = (q.disbursed.get(c, ctx.monthStart, ctx.now) as { cents: number }).cents;
  const balances = new Map((q.balances.all(c) as { kind: string; s: number }[]).map((r) => [r.kind, r.s]));

  const goods = (q.goods.all(c, GOODS_SHOWN) as { name: string; unit: string; on_hand: number }[])
    .map((g) => ({ name: g.name, unit: g.unit, onHand: g.on_hand }));

  const recent: DonationGlance[] = (q.recent.all(c, ctx.now, RECENT_SHOWN) as {
    donor_kind: DonorKind; anonymous: number; public_name: string | null; kind: 'money' | 'goods'; amount_cents: number | null;
    quantity: number | null; received_at: number; item: string | null; unit: string | null;
  }[]).map((d) => ({
    donor: publicDonor(d.donor_kind, d.anonymous === 1, d.public_name),
    kind: d.kind, amountCents: d.amount_cents, item: d.item, quantity: d.quantity, unit: d.unit, at: ctx.iso(d.received_at),
  }));

  // Quarters → local days: each quarter belongs to the last day that starts at or before it.
  const first = ctx.days[0]!;
  const daily = ctx.days.map((d) => ({ day: ctx.day(d), raisedCents: 0, disbursedCents: 0 }));
  const dayIndex = (h: number) => {
    let i = daily.length - 1;
    while (i > 0 && ctx.days[i]! > h) i--;
    return i;
  };
  for (const r of q.raisedHourly.all(c, first, ctx.now) as { h: number; cents: number }[]) daily[dayIndex(r.h)]!.raisedCents += r.cents;
  for (const r of q.disbursedHourly.all(c, first, ctx.now) as { h: number; cents: number }[]) daily[dayIndex(r.h)]!.disbursedCents += r.cents;

  return {
    raisedMonthCents: month.cents,
    disbursedMonthCents: disbursedMonth,
    fundBalanceCents: balances.get('fund') ?? 0,
    restrictedCents: balances.get('restricted') ?? 0,
    donationsToday: (q.donationsSince.get(c, ctx.today, ctx.now) as { n: number }).n,
    donorsMonth: month.donors,
    goods,
    recent,
    daily,
  };
}
