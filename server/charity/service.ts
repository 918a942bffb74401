/**
 * Charity resources (慈善资源): donations of money and goods, the community fund, goods on
 * hand, and disbursements to projects and needs.
 *
 * Shaped like VolunteerService: validate, authorise with the Principal, then do the work as one
 * write in the group-commit queue, where the donation or disbursement row, the fund's ledger
 * entries, the goods movement, the project's spending, the service metrics and the journal entry
 * are written together or not at all. The queue runs writes one after another, so a balance or
 * a stock checked inside a write still holds when it commits: however many disbursements race,
 * the fund, a designated (restricted) account and the stock on hand never go below zero.
 *
 * The books always balance: money given = fund + restricted + paid out (a double-entry ledger,
 * see ledger.ts), and per item, goods received = on hand + given out (goods_movements). `books`
 * checks both against the donation and disbursement records.
 *
 * Donors are named in full to staff only. The wall's feed and views show `publicDonor`: 爱心人士
 * for anonymous gifts and donors who agreed to no public name, a masked name (王*) for people,
 * the consented name for enterprises and organizations.
 */
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteContext, WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { DomainError, notFound } from '../errors.ts';
import { authorise, instantFrom, invalidField, ownRow } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { feedText, type SubjectChange, type JournalWriter } from '../kernel/journal.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { serviceCategoryZh, type FeedDraft, type ServiceCategory } from '../../shared/subjects.ts';
import { singlesOut } from '../../shared/disclosure.ts';
import { wallTime } from '../../shared/time.ts';
import {
  publicDonor, receiptNumber, yuan,
  type CharityBooks, type CharityEntity, type CharityEntryType, type CharityPageQuery, type DisburseBody, type FundSummary,
  type GoodsBooks, type ListDisbursementsQuery, type ListDonationsQuery, type ListGoodsQuery, type RecordDonationBody,
} from '../../shared/charity.ts';
import { chargeProject } from '../orgs/spending.ts';
import { FundLedger, type Designation, type FundLine } from './ledger.ts';
import {
  DISBURSEMENT_SELECT, DONATION_SELECT, disbursementFromRow, donationFromRow, goodsFromRow, viewFundAccount,
  type DisbursementRecord, type DonationRecord, type GoodsMovement, type GoodsRecord,
} from './record.ts';
import { PAY, RECEIVE, RECORDS, STAFF } from './access.ts';

/** Project statuses that take no more gifts or payments. */
const CLOSED_PROJECT = new Set(['completed', 'cancelled']);
const CLOSED_NEED = new Set(['closed']);
const NONE: ReadonlySet<string> = new Set();

/** Where a gift or a disbursement goes, as far as this service needs to know. */
interface Target {
  projectId: number | null;
  needId: number | null;
  gridId: string | null;
  /** People the need concerns (a disbursement to it counts them as beneficiaries); 0 without a need. */
  beneficiaries: number;
  /** Names the target's records carry (the need's resident), masked if they turn up in free text. */
  names: string[];
  /**
   * The need's category when it could single out a key population's resident: the wall's line
   * names that category instead of the typed purpose, with no grid (shared/disclosure.ts).
   */
  guardedCategory: ServiceCategory | null;
}

/** The grid a feed line and the wall's figures give `t`: none for a need that could single someone out. */
const publicGrid = (t: Target): string | null => (t.guardedCategory ? null : t.gridId);

/** A project or a need that can still receive, for forms and the demo. */
export interface OpenTarget {
  kind: 'project' | 'need';
  id: number;
  name: string;
  gridId: string | null;
}

export class CharityService {
  #db: Db;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;
  #metrics: Metrics;
  #journal: JournalWriter;
  #ledger: FundLedger;
  #stmt;

  constructor(deps: SubjectServiceDeps) {
    this.#db = deps.db;
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
    this.#metrics = deps.metrics;
    this.#journal = deps.journal;
    this.#ledger = new FundLedger(deps.db);
    const db = deps.db;
    this.#stmt = {
      project: db.prepare('SELECT id, community_id, name, status, grid_id FROM projects WHERE id = ?'),
      need: db.prepare('SELECT id, community_id, title, category, status, grid_id, beneficiaries, resident_name, populations FROM needs WHERE id = ?'),
      goods: db.prepare('SELECT * FROM goods WHERE id = ?'),
      goodsByName: db.prepare('SELECT * FROM goods WHERE community_id = ? AND name = ? AND unit = ?'),
      insertGoods: db.prepare('INSERT INTO goods (community_id, name, unit, on_hand, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)'),
      addStock: db.prepare('UPDATE goods SET on_hand = on_hand + ?, updated_at = ? WHERE id = ?'),
      takeStock: db.prepare('UPDATE goods SET on_hand = on_hand - ?, updated_at = ? WHERE id = ? AND on_hand >= ?'),
      movement: db.prepare('INSERT INTO goods_movements (goods_id, delta, donation_id, disbursement_id, at) VALUES (?, ?, ?, ?, ?)'),
      stockValue: db.prepare(
        `SELECT (SELECT COALESCE(SUM(value_cents), 0) FROM donations WHERE goods_id = @id)
              - (SELECT COALESCE(SUM(value_cents), 0) FROM disbursements WHERE goods_id = @id) AS v`,
      ),
      nextDonationId: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM donations'),
      insertDonation: db.prepare(
        `INSERT INTO donations (id, community_id, receipt_no, donor_kind, donor_name, donor_phone, anonymous, public_name, kind,
                                amount_cents, goods_id, quantity, value_cents, project_id, need_id, note, received_at, recorded_at,
                                recorded_by)
         VALUES (@id, @communityId, @receiptNo, @donorKind, @donorName, @donorPhone, @anonymous, @publicName, @kind,
                 @amountCents, @goodsId, @quantity, @valueCents, @projectId, @needId, @note, @receivedAt, @recordedAt, @recordedBy)`,
      ),
      insertDisbursement: db.prepare(
        `INSERT INTO disbursements (community_id, kind, source, amount_cents, goods_id, quantity, value_cents, project_id, need_id,
                                    purpose, approved_by, at)
         VALUES (@communityId, @kind, @source, @amountCents, @goodsId, @quantity, @valueCents, @projectId, @needId,
                 @purpose, @approvedBy, @at)`,
      ),
      donation: db.prepare(`${DONATION_SELECT} WHERE d.id = ?`),
      receipt: db.prepare(`${DONATION_SELECT} WHERE d.receipt_no = ?`),
      disbursement: db.prepare(`${DISBURSEMENT_SELECT} WHERE b.id = ?`),
      movements: db.prepare(
        `SELECT * FROM (
           SELECT m.*, SUM(m.delta) OVER (ORDER BY m.id ROWS UNBOUNDED PRECEDING) AS on_hand_after
             FROM goods_movements m WHERE m.goods_id = @goods
         ) WHERE id < @cursor ORDER BY id DESC LIMIT @limit`,
      ),
      moneyGiven: db.prepare("SELECT COALESCE(SUM(amount_cents), 0) AS s FROM donations WHERE community_id = ? AND kind = 'money'"),
      moneyPaid: db.prepare("SELECT COALESCE(SUM(amount_cents), 0) AS s FROM disbursements WHERE community_id = ? AND kind = 'money'"),
      goodsBooks: db.prepare(
        `SELECT g.id, g.name, g.unit, g.on_hand,
                (SELECT COALESCE(SUM(quantity), 0) FROM donations WHERE goods_id = g.id) AS received,
                (SELECT COALESCE(SUM(quantity), 0) FROM disbursements WHERE goods_id = g.id) AS given_out,
                (SELECT COALESCE(SUM(delta), 0) FROM goods_movements WHERE goods_id = g.id) AS movements
           FROM goods g WHERE g.community_id = ? ORDER BY g.id`,
      ),
      restrictedNames: db.prepare(
        `SELECT a.id, COALESCE(p.name, n.title) AS name
           FROM fund_accounts a LEFT JOIN projects p ON p.id = a.project_id LEFT JOIN needs n ON n.id = a.need_id
          WHERE a.community_id = ? AND a.kind = 'restricted'`,
      ),
      openProjects: db.prepare(
        "SELECT id, name, grid_id FROM projects WHERE community_id = ? AND status IN ('planned', 'active') ORDER BY id",
      ),
      openNeeds: db.prepare(
        "SELECT id, title, grid_id FROM needs WHERE community_id = ? AND status NOT IN ('met', 'rated', 'closed') ORDER BY id DESC LIMIT 200",
      ),
    };
  }

  timeZoneOf(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }

  // ---- donations -------------------------------------------------------------------------

  /**
   * Record a gift and issue its receipt number. Money goes into the fund (or the restricted
   * account of the project or need it is designated to) through the ledger; goods add to the
   * stock on hand of their item (same name and unit). `receivedAt` may lie in the past (a paper
   * receipt entered later), never in the future. Raised-money metrics count the gift at the
   * hour it was received; the wall's feed names the donor only as `publicDonor` allows.
   */
  async recordDonation(p: Principal, body: RecordDonationBody): Promise<DonationRecord> {
    authorise(p, RECEIVE, 'record donations');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const receivedAt = instantFrom('receivedAt', body.receivedAt, now);
      const target = this.#target(p, { projectId: body.projectId, needId: body.needId });
      const tz = this.#dir.timeZoneOf(p.communityId);
      const id = (this.#stmt.nextDonationId.get() as { n: number }).n;
      const receiptNo = receiptNumber(wallTime(receivedAt, tz).year, id);
      let goods: GoodsRecord | null = null;
      if (body.kind === 'goods') goods = this.#goodsFor(p.communityId, body.item, body.unit, now);
      const valueCents = body.kind === 'money' ? body.amountCents : body.valueCents;
      this.#stmt.insertDonation.run({
        id, communityId: p.communityId, receiptNo, donorKind: body.donorKind, donorName: body.donorName,
        donorPhone: body.donorPhone ?? null, anonymous: body.anonymous ? 1 : 0, publicName: body.publicName ?? null,
        kind: body.kind, amountCents: body.kind === 'money' ? body.amountCents : null, goodsId: goods?.id ?? null,
        quantity: body.kind === 'goods' ? body.quantity : null, valueCents, projectId: target.projectId, needId: target.needId,
        note: body.note, receivedAt, recordedAt: now, recordedBy: p.id,
      });

      if (body.kind === 'money') {
        const into = target.projectId !== null || target.needId !== null
          ? this.#ledger.restrictedAccount(p.communityId, designationOf(target), now)
          : this.#ledger.systemAccount(p.communityId, 'fund', now);
        this.#ledger.post({
          communityId: p.communityId, kind: 'donation', donationId: id, at: receivedAt, actor: p.id, memo: receiptNo,
          legs: [
            { accountId: this.#ledger.systemAccount(p.communityId, 'donors', now), amount: -body.amountCents },
            { accountId: into, amount: body.amountCents },
          ],
        });
      } else {
        this.#stmt.addStock.run(body.quantity, now, goods!.id);
        this.#stmt.movement.run(goods!.id, body.quantity, id, null, receivedAt);
      }

      if (valueCents > 0) this.#metrics.bump(p.communityId, receivedAt, 'charity', publicGrid(target), { raisedCents: valueCents });
      const donor = publicDonor(body.donorKind, body.anonymous, body.publicName);
      const feed: FeedDraft = body.kind === 'money'
        ? { subject: 'charity', key: 'feed.charity.donated_money', params: { donor, amount: yuan(body.amountCents) }, gridId: publicGrid(target) }
        : {
          subject: 'charity', key: 'feed.charity.donated_goods',
          params: { donor, item: feedText(goods!.name, [body.donorName]), quantity: body.quantity, unit: feedText(goods!.unit) },
          gridId: publicGrid(target),
        };
      this.#write(ctx, p, now, 'charity.donation_received', 'donation', id, {
        receiptNo, kind: body.kind, valueCents, goodsId: goods?.id ?? null, quantity: body.kind === 'goods' ? body.quantity : null,
        projectId: target.projectId, needId: target.needId, receivedAt,
      }, feed);
      return donationFromRow(this.#stmt.donation.get(id));
    });
  }

  donation(p: Principal, id: number): DonationRecord {
    authorise(p, RECORDS, 'see donations');
    return donationFromRow(ownRow(p, this.#stmt.donation.get(id), `donation ${id}`));
  }

  /** A donation by its receipt number (JZ-2026-000123): the basis of the printed receipt. */
  receipt(p: Principal, receiptNo: string): DonationRecord {
    authorise(p, RECORDS, 'see receipts');
    return donationFromRow(ownRow(p, this.#stmt.receipt.get(receiptNo), `receipt ${receiptNo}`));
  }

  /** Newest recorded first; the cursor is the id of the last donation of the previous page. */
  listDonations(p: Principal, q: ListDonationsQuery): Page<DonationRecord> {
    authorise(p, RECORDS, 'see donations');
    const where = ['d.community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.kind) (where.push('d.kind = @kind'), (params.kind = q.kind));
    if (q.donorKind) (where.push('d.donor_kind = @donorKind'), (params.donorKind = q.donorKind));
    if (q.project !== undefined) (where.push('d.project_id = @project'), (params.project = q.project));
    if (q.need !== undefined) (where.push('d.need_id = @need'), (params.need = q.need));
    if (q.from) (where.push('d.received_at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('d.received_at < @to'), (params.to = Date.parse(q.to)));
    if (q.cursor) (where.push('d.id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db.prepare(`${DONATION_SELECT} WHERE ${where.join(' AND ')} ORDER BY d.id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(donationFromRow), q.limit);
  }

  // ---- disbursements ---------------------------------------------------------------------

  /**
   * Pay money or hand out goods to a project or a need. Money comes out of the fund, or out of
   * the money designated to the target (`from: 'restricted'`), into paid-out; a payment to a
   * project adds to its spending in the same write (projects.spent_cents, through the
   * organizations' `chargeProject`, which refuses a project not running or a payment past its
   * budget). Goods come off the stock on hand, valued at their share of what the remaining stock
   * was estimated to be worth.
   * Refused with 409 `error.insufficient_funds`, `error.insufficient_goods`,
   * `error.project_not_active` or `error.over_budget`, and then nothing changes.
   */
  async disburse(p: Principal, body: DisburseBody): Promise<DisbursementRecord> {
    authorise(p, body.kind === 'money' ? PAY : RECEIVE, body.kind === 'money' ? 'pay money out of the fund' : 'give out goods');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      // For money, whether a project can be paid is `chargeProject`'s rule (below).
      const target = this.#target(p, { projectId: body.projectId, needId: body.needId }, body.kind === 'money' ? NONE : CLOSED_PROJECT);
      const base = {
        communityId: p.communityId, kind: body.kind, projectId: target.projectId, needId: target.needId, purpose: body.purpose,
        approvedBy: p.id, at: now,
      };
      let id: number;
      let valueCents: number;
      let feed: FeedDraft;
      // A need that could single a resident out is named by its category, not the typed purpose.
      const guarded = target.guardedCategory;
      const why: Record<string, string> = guarded
        ? { category: serviceCategoryZh(guarded), categoryCode: guarded }
        : { purpose: feedText(body.purpose, target.names) };
      const key = (k: 'feed.charity.disbursed_money' | 'feed.charity.disbursed_goods') => (guarded ? `${k}_protected` : k);

      if (body.kind === 'money') {
        const from = body.from === 'fund'
          ? this.#ledger.findSystem(p.communityId, 'fund')
          : this.#ledger.findRestricted(designationOf(target));
        const balance = this.#ledger.balance(from);
        if (from === null || balance < body.amountCents) {
          throw new DomainError(409, 'error.insufficient_funds',
            `the ${body.from} balance is ${balance} fen; ${body.amountCents} are needed`, undefined,
            { balanceCents: balance, neededCents: body.amountCents, account: body.from });
        }
        // Money to a project is its spending: refused for a project not running or over its budget.
        if (target.projectId !== null) chargeProject(this.#db, p.communityId, target.projectId, body.amountCents, now);
        valueCents = body.amountCents;
        id = Number(this.#stmt.insertDisbursement.run({
          ...base, source: body.from, amountCents: body.amountCents, goodsId: null, quantity: null, valueCents,
        }).lastInsertRowid);
        this.#ledger.post({
          communityId: p.communityId, kind: 'disbursement', disbursementId: id, at: now, actor: p.id, memo: body.purpose,
          legs: [
            { accountId: from, amount: -body.amountCents },
            { accountId: this.#ledger.systemAccount(p.communityId, 'paid_out', now), amount: body.amountCents },
          ],
        });
        feed = { subject: 'charity', key: key('feed.charity.disbursed_money'), params: { amount: yuan(body.amountCents), ...why }, gridId: publicGrid(target) };
      } else {
        const goods = this.#goodsRow(p, body.goodsId);
        if (goods.onHand < body.quantity) {
          throw new DomainError(409, 'error.insufficient_goods', `${goods.onHand} ${goods.unit} of ${goods.name} on hand, ${body.quantity} asked for`,
            undefined, { onHand: goods.onHand, needed: body.quantity });
        }
        const stockValue = Math.max(0, (this.#stmt.stockValue.get({ id: goods.id }) as { v: number }).v);
        valueCents = body.quantity === goods.onHand ? stockValue : Math.round((stockValue * body.quantity) / goods.onHand);
        id = Number(this.#stmt.insertDisbursement.run({
          ...base, source: null, amountCents: null, goodsId: goods.id, quantity: body.quantity, valueCents,
        }).lastInsertRowid);
        // The guard in the WHERE clause is the stock check restated where it cannot race.
        if (this.#stmt.takeStock.run(body.quantity, now, goods.id, body.quantity).changes !== 1) {
          throw new DomainError(409, 'error.insufficient_goods', `${goods.name} ran out`, undefined, { onHand: goods.onHand, needed: body.quantity });
        }
        this.#stmt.movement.run(goods.id, -body.quantity, null, id, now);
        feed = {
          subject: 'charity', key: key('feed.charity.disbursed_goods'),
          params: { item: feedText(goods.name), quantity: body.quantity, unit: feedText(goods.unit), ...why }, gridId: publicGrid(target),
        };
      }

      this.#metrics.bump(p.communityId, now, 'charity', publicGrid(target), {
        disbursedCents: valueCents, ...(target.needId !== null ? { services: 1, beneficiaries: target.beneficiaries } : {}),
      });
      this.#write(ctx, p, now, 'charity.disbursed', 'disbursement', id, {
        kind: body.kind, source: body.kind === 'money' ? body.from : null, valueCents,
        goodsId: body.kind === 'goods' ? body.goodsId : null, quantity: body.kind === 'goods' ? body.quantity : null,
        projectId: target.projectId, needId: target.needId,
      }, feed);
      return disbursementFromRow(this.#stmt.disbursement.get(id));
    });
  }

  disbursement(p: Principal, id: number): DisbursementRecord {
    authorise(p, RECORDS, 'see disbursements');
    return disbursementFromRow(ownRow(p, this.#stmt.disbursement.get(id), `disbursement ${id}`));
  }

  /** Newest first; the cursor is the id of the last disbursement of the previous page. */
  listDisbursements(p: Principal, q: ListDisbursementsQuery): Page<DisbursementRecord> {
    authorise(p, RECORDS, 'see disbursements');
    const where = ['b.community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.kind) (where.push('b.kind = @kind'), (params.kind = q.kind));
    if (q.project !== undefined) (where.push('b.project_id = @project'), (params.project = q.project));
    if (q.need !== undefined) (where.push('b.need_id = @need'), (params.need = q.need));
    if (q.from) (where.push('b.at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('b.at < @to'), (params.to = Date.parse(q.to)));
    if (q.cursor) (where.push('b.id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db.prepare(`${DISBURSEMENT_SELECT} WHERE ${where.join(' AND ')} ORDER BY b.id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(disbursementFromRow), q.limit);
  }

  // ---- goods -------------------------------------------------------------------------------

  goods(p: Principal, id: number): GoodsRecord {
    authorise(p, STAFF, 'see goods');
    return goodsFromRow(ownRow(p, this.#stmt.goods.get(id), `goods ${id}`));
  }

  /** Every item ever received, in the order first received; the cursor is the last id. */
  listGoods(p: Principal, q: ListGoodsQuery): Page<GoodsRecord> {
    authorise(p, STAFF, 'see goods');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.inStock) where.push('on_hand > 0');
    if (q.cursor) (where.push('id > @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#db.prepare(`SELECT * FROM goods WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`).all(params);
    return pageOf(rows.map(goodsFromRow), q.limit);
  }

  /** An item's movements, newest first, each with the stock on hand after it. */
  movements(p: Principal, goodsId: number, q: CharityPageQuery): Page<GoodsMovement> {
    this.goods(p, goodsId);
    const rows = this.#stmt.movements.all({
      goods: goodsId, cursor: q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER, limit: q.limit + 1,
    }) as { id: number; goods_id: number; delta: number; donation_id: number | null; disbursement_id: number | null; at: number; on_hand_after: number }[];
    const items = rows.map((r) => ({
      id: r.id, goodsId: r.goods_id, delta: r.delta, donationId: r.donation_id, disbursementId: r.disbursement_id,
      onHandAfter: r.on_hand_after, at: r.at,
    }));
    return pageOf(items, q.limit);
  }

  // ---- the fund ------------------------------------------------------------------------------

  /** Balances: given, the fund, money designated (per project or need), paid out. */
  fund(p: Principal): FundSummary {
    authorise(p, STAFF, 'see the fund');
    const t = this.#ledger.totals(p.communityId);
    const names = new Map((this.#stmt.restrictedNames.all(p.communityId) as { id: number; name: string | null }[]).map((r) => [r.id, r.name]));
    return {
      givenCents: -t.donors, fundCents: t.fund, restrictedCents: t.restricted, paidOutCents: t.paidOut,
      accounts: this.#ledger.accounts(p.communityId).map((a) => viewFundAccount(a, names.get(a.id) ?? null)),
    };
  }

  /** A fund account's entries, newest first, with the balance after each. */
  accountEntries(p: Principal, accountId: number, q: CharityPageQuery): Page<FundLine> {
    authorise(p, RECORDS, 'see the fund’s entries');
    const a = this.#ledger.account(accountId);
    if (!a || a.communityId !== p.communityId) throw notFound(`fund account ${accountId}`);
    return this.#ledger.history(accountId, q);
  }

  /**
   * The books, checked against the records: money given (donation records) = fund + restricted
   * + paid out (the ledger), paid out = money disbursement records, the ledger itself balanced;
   * per item, goods received = on hand + given out, and the movements sum to what is on hand.
   */
  books(p: Principal): CharityBooks {
    authorise(p, STAFF, 'see the books');
    const c = p.communityId;
    const t = this.#ledger.totals(c);
    const givenCents = (this.#stmt.moneyGiven.get(c) as { s: number }).s;
    const paidOutCents = (this.#stmt.moneyPaid.get(c) as { s: number }).s;
    const ledger = this.#ledger.verify(c);
    const balanced = givenCents === t.fund + t.restricted + t.paidOut && givenCents === -t.donors && paidOutCents === t.paidOut;
    const goods: GoodsBooks[] = (this.#stmt.goodsBooks.all(c) as {
      id: number; name: string; unit: string; on_hand: number; received: number; given_out: number; movements: number;
    }[]).map((g) => ({
      goodsId: g.id, name: g.name, unit: g.unit, received: g.received, givenOut: g.given_out, onHand: g.on_hand, movements: g.movements,
      balanced: g.received === g.on_hand + g.given_out && g.movements === g.on_hand,
    }));
    return {
      money: { givenCents, fundCents: t.fund, restrictedCents: t.restricted, paidOutCents, balanced },
      ledger,
      goods,
      ok: balanced && ledger.ok && goods.every((g) => g.balanced),
    };
  }

  /** Projects and needs of the community that can still receive (for forms and the demo). */
  openTargets(p: Principal): OpenTarget[] {
    authorise(p, STAFF, 'see projects and needs');
    const projects = (this.#stmt.openProjects.all(p.communityId) as { id: number; name: string; grid_id: string | null }[])
      .map((r) => ({ kind: 'project' as const, id: r.id, name: r.name, gridId: r.grid_id }));
    const needs = (this.#stmt.openNeeds.all(p.communityId) as { id: number; title: string; grid_id: string | null }[])
      .map((r) => ({ kind: 'need' as const, id: r.id, name: r.title, gridId: r.grid_id }));
    return [...projects, ...needs];
  }

  // ---- internals ---------------------------------------------------------------------------

  /** The project and/or need named in a body: of this community (else 400), still open (else 409). */
  #target(
    p: Principal, ids: { projectId?: number | undefined; needId?: number | undefined }, closedProject: ReadonlySet<string> = CLOSED_PROJECT,
  ): Target {
    const t: Target = { projectId: null, needId: null, gridId: null, beneficiaries: 0, names: [], guardedCategory: null };
    if (ids.projectId !== undefined) {
      const row = this.#stmt.project.get(ids.projectId) as
        | { id: number; community_id: string; name: string; status: string; grid_id: string | null }
        | undefined;
      if (!row || row.community_id !== p.communityId) invalidField('projectId', `no project ${ids.projectId} in this community`);
      if (closedProject.has(row.status)) {
        throw new DomainError(409, 'error.charity_target_closed', `project ${row.id} is ${row.status}`, undefined, { status: row.status });
      }
      t.projectId = row.id;
      t.gridId = row.grid_id;
    }
    if (ids.needId !== undefined) {
      const row = this.#stmt.need.get(ids.needId) as
        | {
          id: number; community_id: string; title: string; category: ServiceCategory; status: string; grid_id: string | null;
          beneficiaries: number; resident_name: string | null; populations: string;
        }
        | undefined;
      if (!row || row.community_id !== p.communityId) invalidField('needId', `no need ${ids.needId} in this community`);
      if (CLOSED_NEED.has(row.status)) {
        throw new DomainError(409, 'error.charity_target_closed', `need ${row.id} is ${row.status}`, undefined, { status: row.status });
      }
      t.needId = row.id;
      t.gridId = row.grid_id ?? t.gridId;
      t.beneficiaries = row.beneficiaries;
      if (row.resident_name) t.names.push(row.resident_name);
      if (singlesOut(JSON.parse(row.populations) as string[], row.beneficiaries)) t.guardedCategory = row.category;
    }
    return t;
  }

  /** The item with this name and unit, created on its first gift. */
  #goodsFor(communityId: string, name: string, unit: string, now: number): GoodsRecord {
    const row = this.#stmt.goodsByName.get(communityId, name, unit);
    if (row) return goodsFromRow(row);
    const id = Number(this.#stmt.insertGoods.run(communityId, name, unit, now, now).lastInsertRowid);
    return goodsFromRow(this.#stmt.goods.get(id));
  }

  /** Goods named in a body: of this community, else 400. */
  #goodsRow(p: Principal, id: number): GoodsRecord {
    const row = this.#stmt.goods.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField('goodsId', `no goods ${id} in this community`);
    return goodsFromRow(row);
  }

  #write(
    ctx: WriteContext<SubjectChange>, p: Principal, at: number, type: CharityEntryType, entity: CharityEntity, entityId: number,
    data: Record<string, unknown>, feed: FeedDraft | null,
  ) {
    this.#journal.write(ctx, p, at, { subject: 'charity', type, entity, entityId, data, feed });
  }
}

/** The restricted account a target's designated money sits in: the project's, else the need's. */
function designationOf(t: Target): Designation {
  if (t.projectId !== null) return { projectId: t.projectId };
  if (t.needId !== null) return { needId: t.needId };
  throw new Error('a designation names a project or a need');
}

