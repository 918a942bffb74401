/**
 * The charity desk's ledgers out (慈善台账导出): donations, disbursements, goods movements and
 * the fund's entries as CSV or XLSX (server/http/sheet.ts writes them: numbers stay numbers,
 * text that looks like a formula is shown, never run). Money is in yuan as a number (12.5), so
 * a treasurer's SUM works; instants are the community's wall-clock time.
 *
 * Donations name their donors in full: the route that serves these is RECORDS and audits every
 * export (records.export, with its filters and size). A need is named by its title with the
 * resident's name masked, as the desk's target list shows it.
 */
import type { Db } from '../db/index.ts';
import { invalid } from '../errors.ts';
import { feedText } from '../kernel/journal.ts';
import type { Principal } from '../principal.ts';
import type { SheetColumn } from '../http/sheet.ts';
import { MAX_EXPORT_ROWS } from '../../shared/export.ts';
import type { Locale } from '../../shared/i18n.ts';
import { zhCN, en as enMessages } from '../../shared/i18n/console-charity.ts';
import { publicDonor, type CharityExportQuery, type CharityLedger, type DonorKind } from '../../shared/charity.ts';
import { authorise } from '../kernel/rules.ts';
import { RECORDS } from './access.ts';

type Key = keyof typeof zhCN;
type Row = Record<string, any>;

/** A ledger ready to write: its sheet name, columns and rows. */
export interface CharitySheet {
  total: number;
  sheetName: string;
  /** The file's ASCII stem (`charity-donations`). */
  ascii: string;
  columns: SheetColumn<Row>[];
  rows: Row[];
}

const yuanOf = (cents: number | null | undefined): number | null => (cents === null || cents === undefined ? null : cents / 100);

/** The target's name: the project's, or the need's title with its resident's name masked. */
const TARGET_SQL = `p.name AS project_name, n.title AS need_title, n.resident_name AS need_resident`;
const targetName = (r: Row): string | null =>
  r.project_name ?? (r.need_title ? feedText(r.need_title, [r.need_resident]) : null);

function window(q: CharityExportQuery, column: string, where: string[], params: Record<string, unknown>) {
  if (q.from) (where.push(`${column} >= @from`), (params.from = Date.parse(q.from)));
  if (q.to) (where.push(`${column} < @to`), (params.to = Date.parse(q.to)));
}

/** The rows and columns of one of the charity ledgers, as `p` may read them; past `MAX_EXPORT_ROWS`, a 400 on `from`. */
export function charitySheet(db: Db, p: Principal, q: CharityExportQuery, locale: Locale): CharitySheet {
  authorise(p, RECORDS, 'export the charity ledgers');
  const m = locale === 'en' ? enMessages : zhCN;
  const head = (k: string) => m[`console.charity.col.${k}` as Key];
  const t = (k: string) => m[k as Key] ?? k;
  const col = (key: string, kind: SheetColumn<Row>['kind'], width: number, value: SheetColumn<Row>['value']): SheetColumn<Row> =>
    ({ header: head(key), kind, width, value });
  const where = ['x.community_id = @community'];
  const params: Record<string, unknown> = { community: p.communityId };
  const kindFilter = () => { if (q.kind) (where.push('x.kind = @kind'), (params.kind = q.kind)); };
  let sql: string;
  let columns: SheetColumn<Row>[];

  const ledger: CharityLedger = q.ledger;
  if (ledger === 'donations') {
    kindFilter();
    window(q, 'x.received_at', where, params);
    sql = `SELECT x.*, g.name AS item, g.unit AS unit, ${TARGET_SQL}
             FROM donations x LEFT JOIN goods g ON g.id = x.goods_id
             LEFT JOIN projects p ON p.id = x.project_id LEFT JOIN needs n ON n.id = x.need_id
            WHERE ${where.join(' AND ')} ORDER BY x.received_at, x.id`;
    columns = [
      col('receiptNo', 'text', 16, (r) => r.receipt_no),
      col('receivedAt', 'instant', 20, (r) => r.received_at),
      col('donorKind', 'text', 10, (r) => t(`console.charity.donorKind.${r.donor_kind}`)),
      col('donorName', 'text', 20, (r) => r.donor_name),
      col('donorPhone', 'text', 15, (r) => r.donor_phone),
      col('anonymous', 'text', 8, (r) => t(r.anonymous === 1 ? 'console.charity.yes' : 'console.charity.no')),
      col('shownAs', 'text', 16, (r) => publicDonor(r.donor_kind as DonorKind, r.anonymous === 1, r.public_name)),
      col('kind', 'text', 8, (r) => t(`console.charity.kind.${r.kind}`)),
      col('amountYuan', 'number', 12, (r) => yuanOf(r.amount_cents)),
      col('item', 'text', 12, (r) => r.item),
      col('quantity', 'number', 8, (r) => r.quantity),
      col('unit', 'text', 6, (r) => r.unit),
      col('valueYuan', 'number', 12, (r) => yuanOf(r.value_cents)),
      col('target', 'text', 24, targetName),
      col('note', 'text', 24, (r) => r.note),
      col('recordedBy', 'text', 12, (r) => r.recorded_by),
    ];
  } else if (ledger === 'disbursements') {
    kindFilter();
    window(q, 'x.at', where, params);
    sql = `SELECT x.*, g.name AS item, g.unit AS unit, ${TARGET_SQL}
             FROM disbursements x LEFT JOIN goods g ON g.id = x.goods_id
             LEFT JOIN projects p ON p.id = x.project_id LEFT JOIN needs n ON n.id = x.need_id
            WHERE ${where.join(' AND ')} ORDER BY x.at, x.id`;
    columns = [
      col('id', 'number', 8, (r) => r.id),
      col('at', 'instant', 20, (r) => r.at),
      col('kind', 'text', 8, (r) => t(`console.charity.kind.${r.kind}`)),
      col('source', 'text', 10, (r) => (r.source ? t(`console.charity.source.${r.source}`) : null)),
      col('amountYuan', 'number', 12, (r) => yuanOf(r.amount_cents)),
      col('item', 'text', 12, (r) => r.item),
      col('quantity', 'number', 8, (r) => r.quantity),
      col('unit', 'text', 6, (r) => r.unit),
      col('valueYuan', 'number', 12, (r) => yuanOf(r.value_cents)),
      col('project', 'text', 20, (r) => r.project_name),
      col('need', 'text', 20, (r) => (r.need_title ? feedText(r.need_title, [r.need_resident]) : null)),
      col('purpose', 'text', 28, (r) => r.purpose),
      col('approvedBy', 'text', 12, (r) => r.approved_by),
    ];
  } else if (ledger === 'goods') {
    window(q, 'x.at', where, params);
    sql = `SELECT x.*, g.name AS item, g.unit AS unit, d.receipt_no,
                  SUM(x.delta) OVER (PARTITION BY x.goods_id ORDER BY x.id ROWS UNBOUNDED PRECEDING) AS on_hand_after
             FROM goods_movements x JOIN goods g ON g.id = x.goods_id LEFT JOIN donations d ON d.id = x.donation_id
            WHERE g.community_id = @community`;
    // The stock after each movement counts every earlier movement, so the window filters the result, not the rows summed.
    sql = `SELECT * FROM (${sql}) x WHERE ${['1 = 1', ...where.slice(1)].join(' AND ')} ORDER BY x.at, x.id`;
    columns = [
      col('id', 'number', 8, (r) => r.id),
      col('at', 'instant', 20, (r) => r.at),
      col('item', 'text', 14, (r) => r.item),
      col('unit', 'text', 6, (r) => r.unit),
      col('delta', 'number', 8, (r) => r.delta),
      col('onHandAfter', 'number', 8, (r) => r.on_hand_after),
      col('receiptNo', 'text', 16, (r) => r.receipt_no),
      col('disbursementId', 'number', 10, (r) => r.disbursement_id),
    ];
  } else {
    window(q, 'x.at', where, params);
    sql = `SELECT * FROM (
             SELECT e.id, e.at, e.amount, t.kind AS txn_kind, t.memo, t.donation_id, t.disbursement_id, a.community_id,
                    a.kind AS account_kind, ${TARGET_SQL},
                    SUM(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id ROWS UNBOUNDED PRECEDING) AS balance_after
               FROM fund_entries e JOIN fund_txns t ON t.id = e.txn_id JOIN fund_accounts a ON a.id = e.account_id
               LEFT JOIN projects p ON p.id = a.project_id LEFT JOIN needs n ON n.id = a.need_id
              WHERE a.community_id = @community
           ) x WHERE ${where.join(' AND ')} ORDER BY x.at, x.id`;
    columns = [
      col('entryId', 'number', 8, (r) => r.id),
      col('at', 'instant', 20, (r) => r.at),
      col('account', 'text', 20, (r) => {
        const kind = t(`console.charity.account.${r.account_kind}`);
        const name = targetName(r);
        return name ? `${kind} · ${name}` : kind;
      }),
      col('txnKind', 'text', 8, (r) => t(`console.charity.txn.${r.txn_kind}`)),
      col('amountYuan', 'number', 12, (r) => yuanOf(r.amount)),
      col('balanceYuan', 'number', 12, (r) => yuanOf(r.balance_after)),
      col('memo', 'text', 24, (r) => r.memo),
    ];
  }
  const rows = db.prepare(`${sql} LIMIT ${MAX_EXPORT_ROWS + 1}`).all(params) as Row[];
  if (rows.length > MAX_EXPORT_ROWS) {
    throw invalid([{ field: 'from', problem: `more than the ${MAX_EXPORT_ROWS} rows an export holds: narrow the time range (from, to)` }]);
  }
  return { total: rows.length, sheetName: m[`console.charity.sheet.${ledger}` as Key], ascii: `charity-${ledger}`, columns, rows };
}
