/**
 * Charity resources (慈善资源): donations of money and goods, the community fund, goods on
 * hand, and disbursements to projects and needs, one service per aggregate:
 * `charity.donations`, `charity.disbursements`, `charity.goods`, `charity.fund`. They share one
 * CharityStore (statements, the fund's ledger, the targets and goods a body names, the stock).
 *
 * Shaped like every subject service: authorise with the Principal (access.ts), validate, then
 * do the work as one write in the group-commit queue, where the donation or disbursement row,
 * the fund's ledger entries, the goods movement, the project's spending, the service metrics and
 * the journal entry are written together or not at all. The queue runs writes one after
 * another, so a balance or a stock checked inside a write still holds when it commits: however
 * many disbursements race, the fund, a designated (restricted) account and the stock on hand
 * never go below zero.
 *
 * The books always balance: money given = fund + restricted + paid out (a double-entry ledger,
 * see ledger.ts), and per item, goods received = on hand + given out (goods_movements).
 * `charity.fund.books` checks both against the donation and disbursement records.
 *
 * Donors are named in full to staff only. The wall's feed and views show `publicDonor`: 爱心人士
 * for anonymous gifts and donors who agreed to no public name, a masked name (王*) for people,
 * the consented name for enterprises and organizations.
 */
import type { Directory } from '../kernel/community.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { STAFF } from './access.ts';
import { DisbursementService } from './disbursements.ts';
import { DonationService } from './donations.ts';
import { FundService } from './fund.ts';
import { GoodsService } from './goods.ts';
import { CharityStore, type OpenTarget } from './store.ts';
import { charitySheet, type CharitySheet } from './sheets.ts';
import type { CharityExportQuery } from '../../shared/charity.ts';
import type { Locale } from '../../shared/i18n.ts';

export type { OpenTarget };

/** The subject's entry point: its aggregates, built once over one store. */
export class CharityService {
  /** Gifts of money and goods, with their receipts. */
  readonly donations: DonationService;
  /** Money paid and goods given out to projects and needs. */
  readonly disbursements: DisbursementService;
  /** The stock on hand and its movements. */
  readonly goods: GoodsService;
  /** The fund's balances, an account's entries, the books checked. */
  readonly fund: FundService;
  #store: CharityStore;
  #dir: Directory;
  /** The clock (the export's file is named by its day). */
  readonly now: () => number;

  constructor(deps: SubjectServiceDeps) {
    this.#dir = deps.directory;
    this.now = deps.now;
    this.#store = new CharityStore(deps.db, deps.journal);
    this.donations = new DonationService(deps, this.#store);
    this.disbursements = new DisbursementService(deps, this.#store);
    this.goods = new GoodsService(this.#store);
    this.fund = new FundService(this.#store);
  }

  /** The time zone of the principal's community (the API shows instants in it). */
  timeZoneOf(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }

  /**
   * Projects and needs of the community that can still receive (for forms and the demo): what
   * a gift may be designated to and a disbursement may go to alike.
   */
  /** One of the ledgers (donations, disbursements, goods movements, fund entries) as sheet rows (RECORDS). */
  sheet(p: Principal, q: CharityExportQuery, locale: Locale): CharitySheet {
    return charitySheet(this.#store.db, p, q, locale);
  }

  openTargets(p: Principal): OpenTarget[] {
    authorise(p, STAFF, 'see projects and needs');
    return this.#store.openTargets(p.communityId);
  }
}
