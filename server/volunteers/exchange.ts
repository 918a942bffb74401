/**
 * The exchange (积分超市): the catalogue of goods volunteers buy with their points, its stock,
 * and the redemptions. A redemption spends the points, takes the stock and records itself in
 * one write; the queue runs writes one after another, so concurrent redemptions cannot
 * overspend a balance or oversell a stock.
 */
import { pageOf, type Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { maskName } from '../../shared/mask.ts';
import type { CreateExchangeItemBody, ListRedemptionsQuery, RedeemBody, RestockBody } from '../../shared/volunteers.ts';
import { CASHIER, STAFF } from './access.ts';
import { itemFromRow, redemptionFromRow, type ExchangeItemRecord, type RedemptionRecord } from './record.ts';
import type { VolunteerParts, VolunteerStore } from './store.ts';

export interface RedeemResult {
  redemption: RedemptionRecord;
  item: ExchangeItemRecord;
  balance: number;
}

/** The exchange: its items and stock, and the redemptions. */
export class ExchangeService {
  #store: VolunteerStore;
  #queue: WriteQueue<SubjectChange>;
  #now: () => number;

  constructor(parts: VolunteerParts) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#now = parts.now;
  }

  /** Put an item in the catalogue with its price in points and its stock. */
  async addItem(p: Principal, body: CreateExchangeItemBody): Promise<ExchangeItemRecord> {
    authorise(p, CASHIER, 'change the exchange catalogue');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt } = this.#store;
      const id = Number(stmt.insertItem.run(p.communityId, body.name, body.description, body.pointsCost, body.stock, now, now)
        .lastInsertRowid);
      this.#store.entry(ctx, p, now, 'exchange.item_added', 'exchange_item', id, { pointsCost: body.pointsCost, stock: body.stock });
      return itemFromRow(stmt.item.get(id));
    });
  }

  /** Add to an item's stock. */
  async restock(p: Principal, itemId: number, body: RestockBody): Promise<ExchangeItemRecord> {
    authorise(p, CASHIER, 'restock the exchange');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const item = this.#store.item(p, itemId);
      this.#store.stmt.addStock.run(body.quantity, now, item.id);
      this.#store.entry(ctx, p, now, 'exchange.restocked', 'exchange_item', item.id, { quantity: body.quantity, stock: item.stock + body.quantity });
      return { ...item, stock: item.stock + body.quantity, updatedAt: now };
    });
  }

  /** An item of the principal's community; a 404 for one of another. */
  item(p: Principal, id: number): ExchangeItemRecord {
    return this.#store.item(p, id);
  }

  /** The catalogue, cheapest first. */
  items(p: Principal): ExchangeItemRecord[] {
    authorise(p, STAFF, 'see the exchange');
    return this.#store.stmt.items.all(p.communityId).map(itemFromRow);
  }

  /**
   * Spend a volunteer's points on an item: −volunteer, +redemption in one ledger transaction,
   * the stock taken down and the redemption recorded in the same write. Refused with 409
   * `error.out_of_stock` or `error.insufficient_points`, and then nothing changes.
   */
  async redeem(p: Principal, body: RedeemBody): Promise<RedeemResult> {
    authorise(p, CASHIER, 'redeem points');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt, ledger } = this.#store;
      const v = this.#store.volunteer(p, body.volunteerId);
      const item = this.#store.item(p, body.itemId);
      if (item.stock < body.quantity) {
        throw new DomainError(409, 'error.out_of_stock', `${item.stock} of ${item.name} left, ${body.quantity} asked for`,
          undefined, { stock: item.stock });
      }
      const cost = item.pointsCost * body.quantity;
      const account = ledger.volunteerAccount(p.communityId, v.id, now);
      const balance = ledger.balance(account);
      if (balance < cost) {
        throw new DomainError(409, 'error.insufficient_points', `the balance is ${balance} points; ${cost} are needed`,
          undefined, { balance, needed: cost });
      }
      const txnId = ledger.post({
        communityId: p.communityId, kind: 'redeem', at: now, actor: p.id, memo: `${item.name} ×${body.quantity}`,
        legs: [
          { accountId: account, amount: -cost },
          { accountId: ledger.systemAccount(p.communityId, 'redemption', now), amount: cost },
        ],
      });
      // The guard in the WHERE clause is the stock check restated where it cannot race.
      if (stmt.takeStock.run(body.quantity, now, item.id, body.quantity).changes !== 1) {
        throw new DomainError(409, 'error.out_of_stock', `${item.name} is out of stock`, undefined, { stock: item.stock });
      }
      const id = Number(stmt.insertRedemption.run(p.communityId, v.id, item.id, body.quantity, cost, txnId, now, p.id)
        .lastInsertRowid);
      this.#store.entry(ctx, p, now, 'points.redeemed', 'points_txn', txnId,
        { volunteerId: v.id, itemId: item.id, quantity: body.quantity, points: cost, redemptionId: id }, null,
        { subject: 'volunteer', key: 'feed.points.redeemed', params: { name: maskName(v.name) ?? '', item: feedText(item.name), points: cost }, gridId: null });
      return {
        redemption: redemptionFromRow(stmt.redemption.get(id)),
        item: { ...item, stock: item.stock - body.quantity, updatedAt: now },
        balance: balance - cost,
      };
    });
  }

  /** Redemptions, newest first, of one volunteer or the whole community. */
  redemptions(p: Principal, q: ListRedemptionsQuery): Page<RedemptionRecord> {
    authorise(p, STAFF, 'see redemptions');
    if (q.volunteer !== undefined) this.#store.volunteer(p, q.volunteer);
    const where = ['r.community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.volunteer !== undefined) (where.push('r.volunteer_id = @volunteer'), (params.volunteer = q.volunteer));
    if (q.cursor) (where.push('r.id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#store.db
      .prepare(`SELECT r.*, i.name AS item_name FROM redemptions r JOIN exchange_items i ON i.id = r.item_id
                 WHERE ${where.join(' AND ')} ORDER BY r.id DESC LIMIT @limit`)
      .all(params);
    return pageOf(rows.map(redemptionFromRow), q.limit);
  }
}
