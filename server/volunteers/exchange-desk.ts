/**
 * The exchange desk's views and sheets (积分超市工作台): what the staff API shows of an item as
 * edited, a stock movement and a receipt, and the columns of the catalogue's and the
 * redemptions' exports (server/http/sheet.ts), headed in the asker's language from the desk's
 * own catalogue (shared/i18n/console-exchange.ts).
 */
import type { SheetColumn } from '../http/sheet.ts';
import type { Locale } from '../../shared/i18n.ts';
import { en as exchangeEn, zhCN as exchangeZh } from '../../shared/i18n/console-exchange.ts';
import { isoInZone } from '../../shared/time.ts';
import type { ExchangeItemDeskView, ReceiptView, StockMoveView } from '../../shared/volunteers.ts';
import type { ExchangeItemDeskRecord, ReceiptExportRow, ReceiptRecord, StockMoveRecord } from './exchange.ts';

type NameOf = (username: string) => string;
type Key = keyof typeof exchangeZh;

const head = (locale: Locale, key: Key): string => (locale === 'en' ? exchangeEn : exchangeZh)[key];

export const viewDeskItem = (i: ExchangeItemDeskRecord, nameOf: NameOf, tz: string): ExchangeItemDeskView => ({
  id: i.id, name: i.name, description: i.description, pointsCost: i.pointsCost, stock: i.stock, version: i.version,
  changedBy: i.changedBy ? nameOf(i.changedBy) : null, changedAt: i.changedAt === null ? null : isoInZone(i.changedAt, tz),
});

export const viewMove = (m: StockMoveRecord, nameOf: NameOf, tz: string): StockMoveView => ({
  id: m.id, itemId: m.itemId, reason: m.reason, quantity: m.quantity, stockAfter: m.stockAfter, note: m.note, by: m.by,
  byName: nameOf(m.by), at: isoInZone(m.at, tz),
});

export const viewReceipt = (r: ReceiptRecord, nameOf: NameOf, tz: string): ReceiptView => ({
  id: r.id, receiptNo: r.receiptNo, volunteerId: r.volunteerId, volunteerName: r.volunteerName, points: r.points,
  balanceAfter: r.balanceAfter, cashier: r.cashier, cashierName: nameOf(r.cashier), at: isoInZone(r.at, tz),
  lines: r.lines.map((l) => ({ ...l, unitPoints: Math.round(l.points / l.quantity) })),
});

export const sheetNames = (locale: Locale) => ({
  items: head(locale, 'console.exchange.sheet.items'),
  receipts: head(locale, 'console.exchange.sheet.receipts'),
});

function column<T>(locale: Locale, key: Key, kind: SheetColumn<T>['kind'], width: number, value: SheetColumn<T>['value']): SheetColumn<T> {
  return { header: head(locale, key), kind, width, value };
}

/** The catalogue and its stock. */
export function itemColumns(locale: Locale): SheetColumn<ExchangeItemDeskRecord>[] {
  return [
    column(locale, 'console.exchange.col.itemId', 'number', 8, (i) => i.id),
    column(locale, 'console.exchange.col.item', 'text', 24, (i) => i.name),
    column(locale, 'console.exchange.col.price', 'number', 10, (i) => i.pointsCost),
    column(locale, 'console.exchange.col.stock', 'number', 10, (i) => i.stock),
    column(locale, 'console.exchange.col.description', 'text', 40, (i) => i.description),
    column(locale, 'console.exchange.col.updatedAt', 'instant', 20, (i) => i.updatedAt),
  ];
}

/** The redemptions: a row per receipt line. */
export function receiptColumns(locale: Locale): SheetColumn<ReceiptExportRow>[] {
  return [
    column(locale, 'console.exchange.col.receiptNo', 'text', 18, (r) => r.receiptNo),
    column(locale, 'console.exchange.col.at', 'instant', 20, (r) => r.at),
    column(locale, 'console.exchange.col.volunteer', 'text', 12, (r) => r.volunteerName),
    column(locale, 'console.exchange.col.item', 'text', 24, (r) => r.itemName),
    column(locale, 'console.exchange.col.quantity', 'number', 8, (r) => r.quantity),
    column(locale, 'console.exchange.col.points', 'number', 10, (r) => r.points),
    column(locale, 'console.exchange.col.balanceAfter', 'number', 12, (r) => r.balanceAfter),
    column(locale, 'console.exchange.col.cashier', 'text', 12, (r) => r.cashier),
  ];
}
