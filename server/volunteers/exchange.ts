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
import type {
  CheckoutBody, CreateExchangeItemBody, ListReceiptsQuery, ListRedemptionsQuery, RedeemBody, RestockBody, StockMoveBody,
  StockReason, UpdateExchangeItemBody,
} from '../../shared/volunteers.ts';
import { invalidField } from '../kernel/rules.ts';
import { isoInZone, localDay, startOfLocalDay } from '../../shared/time.ts';
import { MAX_EXPORT_ROWS } from '../../shared/export.ts';
import { CASHIER, STAFF } from './access.ts';
import { itemFromRow, redemptionFromRow, type ExchangeItemRecord, type RedemptionRecord, type VolunteerRecord } from './record.ts';
import type { VolunteerParts, VolunteerStore } from './store.ts';

/** An item as the desk edits it: its version and who changed it last. */
export interface ExchangeItemDeskRecord extends ExchangeItemRecord {
  version: number;
  changedBy: string | null;
  changedAt: number | null;
}

export interface StockMoveRecord {
  id: number;
  itemId: number;
  reason: StockReason;
  quantity: number;
  stockAfter: number;
  note: string;
  by: string;
  at: number;
}

export interface ReceiptLine {
  itemId: number;
  itemName: string;
  quantity: number;
  points: number;
}

/** A checkout's receipt: its number, the volunteer's balance after, the cashier, the lines. */
export interface ReceiptRecord {
  id: number;
  receiptNo: string;
  volunteerId: number;
  volunteerName: string;
  points: number;
  balanceAfter: number;
  cashier: string;
  at: number;
  lines: ReceiptLine[];
}

/** One line of the redemptions export: a receipt's line with the receipt around it. */
export interface ReceiptExportRow extends ReceiptLine {
  receiptNo: string;
  volunteerName: string;
  balanceAfter: number;
  cashier: string;
  at: number;
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const deskItemFromRow = (r: Row): ExchangeItemDeskRecord => ({
  ...itemFromRow(r), version: r.version, changedBy: r.changed_by ?? null, changedAt: r.changed_at ?? null,
});

interface VolunteerRecordLite {
  id: number;
  name: string;
  phone: string;
  status: VolunteerRecord['status'];
}

/** The first instant of local day `day` (`YYYY-MM-DD`), or of the day `plus` days after it. */
function dayStart(day: string, tz: string, plus = 0): number {
  const [y, m, d] = day.split('-').map(Number);
  // Noon UTC of that day is inside that local day in every zone within ±12 h.
  return startOfLocalDay(Date.UTC(y!, m! - 1, d! + plus, 12), tz);
}

const RECEIPT_SELECT = `SELECT x.*, v.name AS volunteer_name FROM exchange_receipts x JOIN volunteers v ON v.id = x.volunteer_id`;

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
  #dir: VolunteerParts['directory'];

  constructor(parts: VolunteerParts) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#now = parts.now;
    this.#dir = parts.directory;
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
      this.#insertMove(p, item.id, 'purchase', body.quantity, item.stock + body.quantity, '', now);
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

  // ---- the desk (issue 13): items as edited, stock movements, checkouts with receipts ------

  /** The catalogue as the desk edits it, cheapest first. */
  deskItems(p: Principal): ExchangeItemDeskRecord[] {
    authorise(p, STAFF, 'see the exchange');
    return (this.#store.stmt.items.all(p.communityId) as Row[]).map(deskItemFromRow);
  }

  deskItem(p: Principal, id: number): ExchangeItemDeskRecord {
    this.#store.item(p, id);
    return deskItemFromRow(this.#store.stmt.item.get(id) as Row);
  }

  /**
   * Change an item's name, description or price. The version read when the form opened comes
   * back; a change meanwhile is a 409 `error.version_conflict` naming who changed it and when.
   */
  async updateItem(p: Principal, id: number, body: UpdateExchangeItemBody): Promise<ExchangeItemDeskRecord> {
    authorise(p, CASHIER, 'change the exchange catalogue');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const before = this.deskItem(p, id);
      if (before.version !== body.version) {
        const changedBy = before.changedBy ? this.nameOf(before.changedBy) : null;
        const tz = this.#tz(p);
        throw new DomainError(409, 'error.version_conflict',
          `item ${id} is at version ${before.version}, not ${body.version}${changedBy ? `: changed by ${changedBy}` : ''}`,
          undefined, { version: before.version, changedBy, changedAt: before.changedAt === null ? null : isoInZone(before.changedAt, tz) });
      }
      const next = {
        name: body.name ?? before.name, description: body.description ?? before.description, pointsCost: body.pointsCost ?? before.pointsCost,
      };
      const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => before[k as keyof typeof next] !== v));
      // A save that changes nothing writes nothing (docs/SECURITY.md): no new version, no journal line.
      if (Object.keys(changed).length === 0) return this.deskItem(p, id);
      this.#store.db.prepare(
        `UPDATE exchange_items SET name = ?, description = ?, points_cost = ?, version = version + 1, changed_by = ?, changed_at = ?,
                updated_at = ? WHERE id = ?`,
      ).run(next.name, next.description, next.pointsCost, p.id, now, now, id);
      this.#store.entry(ctx, p, now, 'exchange.item_changed', 'exchange_item', id, { ...changed, version: before.version + 1 });
      return this.deskItem(p, id);
    });
  }

  /**
   * Move an item's stock other than by a redemption: stock in, or a correction with its reason
   * and note, journalled. Stock never goes below zero: that is a 400 naming `quantity`.
   */
  async moveStock(p: Principal, id: number, body: StockMoveBody, key: string | null = null): Promise<{ item: ExchangeItemDeskRecord; move: StockMoveRecord; created: boolean }> {
    authorise(p, CASHIER, 'move the exchange\'s stock');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      if (key !== null) {
        // A retry answers the movement the first one wrote; the key with another movement is refused.
        const prior = this.#store.db.prepare('SELECT * FROM exchange_stock_moves WHERE community_id = ? AND idempotency_key = ?')
          .get(p.communityId, key) as Row | undefined;
        if (prior) {
          if (prior.item_id !== id || prior.reason !== body.reason || prior.quantity !== body.quantity || prior.note !== body.note) {
            throw new DomainError(422, 'error.idempotency_key_reused', 'this Idempotency-Key was sent before with another stock movement',
              [{ field: 'Idempotency-Key', problem: 'was used for another stock movement' }]);
          }
          const move = { id: prior.id, itemId: prior.item_id, reason: prior.reason, quantity: prior.quantity, stockAfter: prior.stock_after, note: prior.note, by: prior.by, at: prior.at };
          return { item: this.deskItem(p, id), move, created: false };
        }
      }
      const item = this.#store.item(p, id);
      const after = item.stock + body.quantity;
      if (after < 0) invalidField('quantity', `would leave ${after} in stock; ${item.stock} are in stock`);
      this.#store.db.prepare('UPDATE exchange_items SET stock = ?, updated_at = ? WHERE id = ?').run(after, now, id);
      const moveId = this.#insertMove(p, id, body.reason, body.quantity, after, body.note, now, key);
      this.#store.entry(ctx, p, now, 'exchange.stock_moved', 'exchange_item', id,
        { reason: body.reason, quantity: body.quantity, stock: after, note: body.note, moveId });
      return {
        item: this.deskItem(p, id), created: true,
        move: { id: moveId, itemId: id, reason: body.reason, quantity: body.quantity, stockAfter: after, note: body.note, by: p.id, at: now },
      };
    });
  }

  #insertMove(p: Principal, itemId: number, reason: StockReason, quantity: number, after: number, note: string, now: number, key: string | null = null): number {
    return Number(this.#store.db.prepare(
      'INSERT INTO exchange_stock_moves (community_id, item_id, reason, quantity, stock_after, note, by, at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(p.communityId, itemId, reason, quantity, after, note, p.id, now, key).lastInsertRowid);
  }

  /** An item's stock card: its movements other than redemptions, newest first. */
  moves(p: Principal, itemId: number): StockMoveRecord[] {
    this.#store.item(p, itemId);
    return (this.#store.db.prepare('SELECT * FROM exchange_stock_moves WHERE item_id = ? ORDER BY id DESC LIMIT 200').all(itemId) as Row[])
      .map((r) => ({ id: r.id, itemId: r.item_id, reason: r.reason, quantity: r.quantity, stockAfter: r.stock_after, note: r.note, by: r.by, at: r.at }));
  }

  /**
   * A checkout at the till: every line's stock taken, the points spent in one ledger
   * transaction, a receipt numbered, all in one write (the queue runs writes one after another,
   * and the stock's guard is in the UPDATE's WHERE). Refused with 409 `error.insufficient_points`
   * naming the balance, or `error.out_of_stock` naming the item and its stock; then nothing changes.
   * With an idempotency key, a retry (a double click, a lost answer) finds the first receipt:
   * `created` is false and nothing is spent twice.
   */
  async checkout(p: Principal, body: CheckoutBody, key: string | null): Promise<{ receipt: ReceiptRecord; created: boolean }> {
    authorise(p, CASHIER, 'redeem points');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt, ledger, db } = this.#store;
      if (key !== null) {
        const prior = db.prepare('SELECT id, volunteer_id FROM exchange_receipts WHERE community_id = ? AND idempotency_key = ?')
          .get(p.communityId, key) as { id: number; volunteer_id: number } | undefined;
        if (prior) {
          // A retry answers the first receipt; the same key with another basket is a client's mistake, refused
          // (as the IETF Idempotency-Key draft asks: 422), never a silent answer about something else.
          const first = this.#receipt(prior.id);
          const basket = (ls: { itemId: number; quantity: number }[]) => ls.map((l) => `${l.itemId}x${l.quantity}`).sort().join(',');
          if (prior.volunteer_id !== body.volunteerId || basket(first.lines) !== basket(body.lines)) {
            throw new DomainError(422, 'error.idempotency_key_reused', 'this Idempotency-Key was sent before with another checkout',
              [{ field: 'Idempotency-Key', problem: 'was used for another checkout' }]);
          }
          return { receipt: first, created: false };
        }
      }
      const v = this.#store.volunteer(p, body.volunteerId);
      const lines = body.lines.map((l) => {
        const item = this.#store.item(p, l.itemId);
        if (item.stock < l.quantity) {
          throw new DomainError(409, 'error.out_of_stock', `${item.stock} of ${item.name} left, ${l.quantity} asked for`,
            undefined, { itemId: item.id, item: item.name, stock: item.stock });
        }
        return { item, quantity: l.quantity, points: item.pointsCost * l.quantity };
      });
      const cost = lines.reduce((n, l) => n + l.points, 0);
      const account = ledger.volunteerAccount(p.communityId, v.id, now);
      const balance = ledger.balance(account);
      if (balance < cost) {
        throw new DomainError(409, 'error.insufficient_points', `the balance is ${balance} points; ${cost} are needed`,
          undefined, { balance, needed: cost });
      }
      const memo = lines.map((l) => `${l.item.name} ×${l.quantity}`).join('、');
      const txnId = ledger.post({
        communityId: p.communityId, kind: 'redeem', at: now, actor: p.id, memo: memo.length > 200 ? `${memo.slice(0, 199)}…` : memo,
        legs: [
          { accountId: account, amount: -cost },
          { accountId: ledger.systemAccount(p.communityId, 'redemption', now), amount: cost },
        ],
      });
      const id = (db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM exchange_receipts').get() as { n: number }).n;
      const receiptNo = `DH${localDay(now, this.#tz(p)).replaceAll('-', '')}-${String(id).padStart(4, '0')}`;
      db.prepare(
        `INSERT INTO exchange_receipts (id, community_id, receipt_no, volunteer_id, points, balance_after, txn_id, cashier, at, idempotency_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(id, p.communityId, receiptNo, v.id, cost, balance - cost, txnId, p.id, now, key);
      const setReceipt = db.prepare('UPDATE redemptions SET receipt_id = ? WHERE id = ?');
      for (const l of lines) {
        // The guard in the WHERE clause is the stock check restated where it cannot race.
        if (stmt.takeStock.run(l.quantity, now, l.item.id, l.quantity).changes !== 1) {
          throw new DomainError(409, 'error.out_of_stock', `${l.item.name} is out of stock`, undefined, { itemId: l.item.id, item: l.item.name, stock: l.item.stock });
        }
        const rid = Number(stmt.insertRedemption.run(p.communityId, v.id, l.item.id, l.quantity, l.points, txnId, now, p.id).lastInsertRowid);
        setReceipt.run(id, rid);
        this.#store.entry(ctx, p, now, 'points.redeemed', 'exchange_item', l.item.id,
          { receiptId: id, quantity: l.quantity, stock: l.item.stock - l.quantity });
      }
      this.#store.entry(ctx, p, now, 'points.redeemed', 'points_txn', txnId,
        { volunteerId: v.id, receiptId: id, receiptNo, points: cost, lines: lines.map((l) => ({ itemId: l.item.id, quantity: l.quantity })) }, null,
        { subject: 'volunteer', key: 'feed.points.redeemed', params: { name: maskName(v.name) ?? '', item: feedText(lines.map((l) => l.item.name).join('、')), points: cost }, gridId: null });
      return { receipt: this.#receipt(id), created: true };
    });
  }

  /** A receipt of the principal's community; a 404 otherwise. */
  receipt(p: Principal, id: number): ReceiptRecord {
    authorise(p, STAFF, 'see redemptions');
    const row = this.#store.db.prepare('SELECT community_id FROM exchange_receipts WHERE id = ?').get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) throw new DomainError(404, 'error.not_found', `receipt ${id} not found`);
    return this.#receipt(id);
  }

  #receipt(id: number): ReceiptRecord {
    const r = this.#store.db.prepare(`${RECEIPT_SELECT} WHERE x.id = ?`).get(id) as Row;
    return this.#receiptFromRow(r, this.#linesOf([id]).get(id) ?? []);
  }

  #receiptFromRow(r: Row, lines: ReceiptLine[]): ReceiptRecord {
    return {
      id: r.id, receiptNo: r.receipt_no, volunteerId: r.volunteer_id, volunteerName: r.volunteer_name, points: r.points,
      balanceAfter: r.balance_after, cashier: r.cashier, at: r.at, lines,
    };
  }

  #linesOf(ids: number[]): Map<number, ReceiptLine[]> {
    const out = new Map<number, ReceiptLine[]>();
    if (!ids.length) return out;
    const rows = this.#store.db.prepare(
      `SELECT r.receipt_id, r.item_id, i.name AS item_name, r.quantity, r.points FROM redemptions r JOIN exchange_items i ON i.id = r.item_id
        WHERE r.receipt_id IN (${ids.map(() => '?').join(', ')}) ORDER BY r.id`,
    ).all(...ids) as Row[];
    for (const r of rows) {
      const list = out.get(r.receipt_id) ?? [];
      list.push({ itemId: r.item_id, itemName: r.item_name, quantity: r.quantity, points: r.points });
      out.set(r.receipt_id, list);
    }
    return out;
  }

  #receiptWhere(p: Principal, q: { from?: string; to?: string; volunteer?: number }) {
    if (q.volunteer !== undefined) this.#store.volunteer(p, q.volunteer);
    const tz = this.#tz(p);
    const where = ['x.community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId };
    if (q.volunteer !== undefined) (where.push('x.volunteer_id = @volunteer'), (params.volunteer = q.volunteer));
    if (q.from) (where.push('x.at >= @from'), (params.from = dayStart(q.from, tz)));
    if (q.to) (where.push('x.at < @to'), (params.to = dayStart(q.to, tz, 1)));
    return { where: where.join(' AND '), params };
  }

  /** Receipts, newest first: of a day range, of a volunteer. */
  receipts(p: Principal, q: ListReceiptsQuery): Page<ReceiptRecord> {
    authorise(p, STAFF, 'see redemptions');
    const { where, params } = this.#receiptWhere(p, q);
    const cursor = q.cursor ? ' AND x.id < @cursor' : '';
    const rows = this.#store.db.prepare(`${RECEIPT_SELECT} WHERE ${where}${cursor} ORDER BY x.id DESC LIMIT @limit`)
      .all({ ...params, ...(q.cursor ? { cursor: Number(q.cursor) } : {}), limit: q.limit + 1 }) as Row[];
    const lines = this.#linesOf(rows.slice(0, q.limit).map((r) => r.id));
    return pageOf(rows.map((r) => this.#receiptFromRow(r, lines.get(r.id) ?? [])), q.limit);
  }

  /** The redemptions export: a row per receipt line, oldest first; more than MAX_EXPORT_ROWS is a 400. */
  receiptRows(p: Principal, q: { from?: string; to?: string; volunteer?: number }): { total: number; rows: Iterable<ReceiptExportRow> } {
    authorise(p, STAFF, 'see redemptions');
    const { where, params } = this.#receiptWhere(p, q);
    const from = `FROM exchange_receipts x JOIN volunteers v ON v.id = x.volunteer_id JOIN redemptions r ON r.receipt_id = x.id
                  JOIN exchange_items i ON i.id = r.item_id WHERE ${where}`;
    const total = (this.#store.db.prepare(`SELECT COUNT(*) AS n ${from}`).get(params) as { n: number }).n;
    if (total > MAX_EXPORT_ROWS) invalidField('from', `${total} rows; narrow the days to at most ${MAX_EXPORT_ROWS}`);
    const stmt = this.#store.db.prepare(
      `SELECT x.receipt_no, x.at, v.name AS volunteer_name, x.balance_after, x.cashier, r.item_id, i.name AS item_name, r.quantity, r.points
       ${from} ORDER BY x.id, r.id`,
    );
    const names = new Map<string, string>();
    const nameOf = (id: string) => names.get(id) ?? (names.set(id, this.nameOf(id)), names.get(id)!);
    // Read whole (at most MAX_EXPORT_ROWS), not iterated while the file streams: an open
    // iterator holds the one connection, and every write would fail until a slow download ends.
    const rows = (stmt.all(params) as Row[]).map((r) => ({
      receiptNo: r.receipt_no, at: r.at, volunteerName: r.volunteer_name, balanceAfter: r.balance_after, cashier: nameOf(r.cashier),
      itemId: r.item_id, itemName: r.item_name, quantity: r.quantity, points: r.points,
    }));
    return { total, rows };
  }

  /** Volunteers a cashier finds by name or phone (or a card code, where the registry has one), active first. */
  find(p: Principal, q: string): (VolunteerRecordLite & { balance: number })[] {
    authorise(p, CASHIER, 'find a volunteer at the till');
    const like = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const hasCard = (this.#store.db.prepare("SELECT COUNT(*) AS n FROM pragma_table_info('volunteers') WHERE name = 'card_code'").get() as { n: number }).n > 0;
    const rows = this.#store.db.prepare(
      `SELECT v.id, v.name, v.phone, v.status, COALESCE(a.balance, 0) AS balance
         FROM volunteers v LEFT JOIN points_accounts a ON a.kind = 'volunteer' AND a.owner_id = v.id
        WHERE v.community_id = ? AND v.status <> 'left'
          AND (v.name LIKE ? ESCAPE '\\' OR v.phone LIKE ? ESCAPE '\\'${hasCard ? ' OR v.card_code = ?' : ''})
        ORDER BY v.status = 'active' DESC, v.name = ? DESC, v.id LIMIT 12`,
    ).all(p.communityId, like, like, ...(hasCard ? [q] : []), q) as Row[];
    return rows.map((r) => ({ id: r.id, name: r.name, phone: r.phone, status: r.status, balance: r.balance }));
  }

  /** A user's display name (a cashier on a receipt, who changed an item); the username when none. */
  nameOf(username: string): string {
    const row = this.#store.db.prepare('SELECT display_name FROM users WHERE username = ?').get(username) as { display_name: string } | undefined;
    return row?.display_name ?? username;
  }

  #tz(p: Principal): string {
    return this.#dir.timeZoneOf(p.communityId);
  }
}
