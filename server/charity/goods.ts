/**
 * Goods on hand (物资库存): every item ever received (one per name and unit), what is on hand,
 * and its movements in and out, each with the stock after it. Gifts add to the stock and
 * disbursements take from it, through the store (store.ts); this aggregate only reads.
 */
import { pageOf, type Page } from '../db/page.ts';
import { authorise, ownRow } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { CharityPageQuery, ListGoodsQuery } from '../../shared/charity.ts';
import { STAFF } from './access.ts';
import { goodsFromRow, type GoodsMovement, type GoodsRecord } from './record.ts';
import type { CharityStore } from './store.ts';

/** The stock: `charity.goods.get(...)`, `.list`, `.movements`. */
export class GoodsService {
  #store: CharityStore;

  constructor(store: CharityStore) {
    this.#store = store;
  }

  /** An item and what is on hand of it: every member of staff (STAFF). */
  get(p: Principal, id: number): GoodsRecord {
    authorise(p, STAFF, 'see goods');
    return goodsFromRow(ownRow(p, this.#store.stmt.goods.get(id), `goods ${id}`));
  }

  /** Every item ever received, in the order first received; the cursor is the last id. */
  list(p: Principal, q: ListGoodsQuery): Page<GoodsRecord> {
    authorise(p, STAFF, 'see goods');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.inStock) where.push('on_hand > 0');
    if (q.cursor) (where.push('id > @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#store.db.prepare(`SELECT * FROM goods WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`).all(params);
    return pageOf(rows.map(goodsFromRow), q.limit);
  }

  /** An item's movements, newest first, each with the stock on hand after it. */
  movements(p: Principal, goodsId: number, q: CharityPageQuery): Page<GoodsMovement> {
    this.get(p, goodsId);
    const rows = this.#store.stmt.movements.all(goodsId, q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER, q.limit + 1) as {
      id: number; goods_id: number; delta: number; donation_id: number | null; disbursement_id: number | null; at: number; on_hand_after: number;
    }[];
    const items = rows.map((r) => ({
      id: r.id, goodsId: r.goods_id, delta: r.delta, donationId: r.donation_id, disbursementId: r.disbursement_id,
      onHandAfter: r.on_hand_after, at: r.at,
    }));
    return pageOf(items, q.limit);
  }
}
