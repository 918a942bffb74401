/**
 * The community fund's reads (慈善资金): its balances (given, the fund, money designated per
 * project or need, paid out), an account's entries, and the books checked against the records.
 * The books always balance: money given = fund + restricted + paid out (a double-entry ledger,
 * see ledger.ts), and per item, goods received = on hand + given out (goods_movements).
 * Money moves only through donations and disbursements (donations.ts, disbursements.ts).
 */
import { feedText } from '../kernel/journal.ts';
import type { Page } from '../db/page.ts';
import { notFound } from '../errors.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { CharityBooks, CharityPageQuery, FundSummary, GoodsBooks } from '../../shared/charity.ts';
import { RECORDS, STAFF } from './access.ts';
import type { FundLine } from './ledger.ts';
import { viewFundAccount } from './record.ts';
import type { CharityStore } from './store.ts';

/** The fund: `charity.fund.summary(...)`, `.entries`, `.books`. */
export class FundService {
  #store: CharityStore;

  constructor(store: CharityStore) {
    this.#store = store;
  }

  /** Balances: given, the fund, money designated (per project or need), paid out. */
  summary(p: Principal): FundSummary {
    authorise(p, STAFF, 'see the fund');
    const { ledger, stmt } = this.#store;
    const t = ledger.totals(p.communityId);
    // A need's title may name its resident: masked as on the wall (the bookkeeper never reads residents' names).
    type Named = { id: number; project_name: string | null; need_title: string | null; need_resident: string | null };
    const names = new Map((stmt.restrictedNames.all(p.communityId) as Named[]).map((r) =>
      [r.id, r.project_name ?? (r.need_title === null ? null : feedText(r.need_title, [r.need_resident]))]));
    return {
      givenCents: -t.donors, fundCents: t.fund, restrictedCents: t.restricted, paidOutCents: t.paidOut,
      accounts: ledger.accounts(p.communityId).map((a) => viewFundAccount(a, names.get(a.id) ?? null)),
    };
  }

  /** A fund account's entries, newest first, with the balance after each. */
  entries(p: Principal, accountId: number, q: CharityPageQuery): Page<FundLine> {
    authorise(p, RECORDS, 'see the fund’s entries');
    const { ledger } = this.#store;
    const a = ledger.account(accountId);
    if (!a || a.communityId !== p.communityId) throw notFound(`fund account ${accountId}`);
    return ledger.history(accountId, q);
  }

  /**
   * The books, checked against the records: money given (donation records) = fund + restricted
   * + paid out (the ledger), paid out = money disbursement records, the ledger itself balanced;
   * per item, goods received = on hand + given out, and the movements sum to what is on hand.
   */
  books(p: Principal): CharityBooks {
    authorise(p, STAFF, 'see the books');
    const { ledger, stmt } = this.#store;
    const c = p.communityId;
    const t = ledger.totals(c);
    const givenCents = (stmt.moneyGiven.get(c) as { s: number }).s;
    const paidOutCents = (stmt.moneyPaid.get(c) as { s: number }).s;
    const check = ledger.verify(c);
    const balanced = givenCents === t.fund + t.restricted + t.paidOut && givenCents === -t.donors && paidOutCents === t.paidOut;
    const goods: GoodsBooks[] = (stmt.goodsBooks.all(c) as {
      id: number; name: string; unit: string; on_hand: number; received: number; given_out: number; movements: number;
    }[]).map((g) => ({
      goodsId: g.id, name: g.name, unit: g.unit, received: g.received, givenOut: g.given_out, onHand: g.on_hand, movements: g.movements,
      balanced: g.received === g.on_hand + g.given_out && g.movements === g.on_hand,
    }));
    return {
      money: { givenCents, fundCents: t.fund, restrictedCents: t.restricted, paidOutCents, balanced },
      ledger: check,
      goods,
      ok: balanced && check.ok && goods.every((g) => g.balanced),
    };
  }
}
