/**
 * The case ledger (案件台账): the cases an export holds (shared/export.ts), read page by page,
 * and the columns a sheet of them has (written by server/http/sheet.ts).
 *
 * The history is read in keyset pages of `PAGE` cases on `events_reported (community_id,
 * reported_at)`, each page one short synchronous read: the connection is never held open while
 * the file goes out (better-sqlite3 allows no other statement during an iteration), and each
 * case comes once even if others are reported meanwhile. The queue scope is the desk's queue
 * (server/events/queue.ts), every case of the tab.
 */
import type { Db } from '../db/index.ts';
import { MAX_EXPORT_ROWS, type ExportQuery } from '../../shared/export.ts';
import { translate, type Locale } from '../../shared/i18n.ts';
import { zhCN as consoleZh, en as consoleEn } from '../../shared/i18n/console.ts';
import { categoryOf } from '../../shared/taxonomy.ts';
import type { Principal } from '../principal.ts';
import { invalid } from '../errors.ts';
import type { SheetColumn } from '../http/sheet.ts';
import type { EventQueue } from './queue.ts';
import { caseWhere } from './filter.ts';
import { fromRow, type EventRecord, type EventRow } from './record.ts';

/** Cases read at a time. */
const PAGE = 500;

/** The cases of an export: how many, and the cases themselves, read lazily. */
export interface Ledger {
  total: number;
  rows: Iterable<EventRecord>;
}

export class EventLedger {
  #db: Db;
  #queue: EventQueue;

  constructor(db: Db, queue: EventQueue) {
    this.#db = db;
    this.#queue = queue;
  }

  /** The cases `q` asks for as `p` may see them; more than `MAX_EXPORT_ROWS` is a 400 naming the filter to narrow. */
  cases(p: Principal, q: ExportQuery, now: number): Ledger {
    const ledger = q.scope === 'queue' ? this.#fromQueue(p, q, now) : this.#fromHistory(p, q);
    if (ledger.total > MAX_EXPORT_ROWS) {
      const field = q.scope === 'queue' ? 'tab' : 'from';
      throw invalid([{ field, problem: `matches ${ledger.total} cases, more than the ${MAX_EXPORT_ROWS} an export holds: narrow ${q.scope === 'queue' ? 'the tab or the filters' : 'the time range (from, to) or the filters'}` }]);
    }
    return ledger;
  }

  #fromQueue(p: Principal, q: ExportQuery, now: number): Ledger {
    const tab = q.tab ?? 'open';
    const page = this.#queue.page(p, {
      tab, sort: q.sort ?? 'deadline', category: q.category, grid: q.grid, source: q.source, urgency: q.urgency, q: q.q,
      limit: MAX_EXPORT_ROWS,
    }, now);
    return { total: page.counts[tab], rows: page.items.map((i) => i.event) };
  }

  #fromHistory(p: Principal, q: ExportQuery): Ledger {
    const { where, params } = caseWhere(p, q);
    const filter = where.join(' AND ');
    const total = (this.#db.prepare(`SELECT COUNT(*) AS n FROM events WHERE ${filter}`).get(params) as { n: number }).n;
    const first = this.#db.prepare(`SELECT * FROM events WHERE ${filter} ORDER BY reported_at, id LIMIT ${PAGE}`);
    const next = this.#db.prepare(`SELECT * FROM events WHERE ${filter} AND (reported_at, id) > (@afterAt, @afterId) ORDER BY reported_at, id LIMIT ${PAGE}`);
    function* rows(): Generator<EventRecord> {
      let page = first.all(params) as EventRow[];
      while (page.length) {
        for (const r of page) yield fromRow(r);
        if (page.length < PAGE) return;
        const last = page[page.length - 1]!;
        page = next.all({ ...params, afterAt: last.reported_at, afterId: last.id }) as EventRow[];
      }
    }
    return { total, rows: { [Symbol.iterator]: rows } };
  }
}

/** What the columns need besides the case: names of grids and workers, the language. */
export interface LedgerContext {
  locale: Locale;
  gridName: (id: string) => { zh: string; en: string } | null;
  workerName: (id: string) => string | null;
}

type ExportKey = keyof typeof consoleZh & `console.export.${string}`;

/** The ledger's sheet (and, in Chinese, its file) name: 案件台账, Cases. */
export const ledgerSheetName = (locale: Locale): string => (locale === 'en' ? consoleEn : consoleZh)['console.export.sheet'];

/** The ledger's columns, headed in `ctx.locale`. */
export function ledgerColumns(ctx: LedgerContext): SheetColumn<EventRecord>[] {
  const en = ctx.locale === 'en';
  const head = (key: ExportKey) => (en ? consoleEn : consoleZh)[key];
  const yesNo = (v: boolean | null) => (v === null ? null : head(v ? 'console.export.yes' : 'console.export.no'));
  const category = (e: EventRecord) => categoryOf(e.category);
  const col = (key: string, kind: SheetColumn<EventRecord>['kind'], width: number, value: SheetColumn<EventRecord>['value']): SheetColumn<EventRecord> =>
    ({ header: head(`console.export.col.${key}` as ExportKey), kind, width, value });
  return [
    col('id', 'number', 8, (e) => e.id),
    col('code', 'text', 17, (e) => e.code),
    col('title', 'text', 30, (e) => e.title),
    col('category', 'text', 12, (e) => { const c = category(e); return c ? (en ? c.en : c.zh) : e.category; }),
    col('subcategory', 'text', 14, (e) => {
      const s = category(e)?.subcategories.find((x) => x.code === e.subcategory);
      return s ? (en ? s.en : s.zh) : e.subcategory;
    }),
    col('urgency', 'text', 8, (e) => translate(ctx.locale, `urgency.${e.urgency}`)),
    col('source', 'text', 12, (e) => translate(ctx.locale, `source.${e.source}`)),
    col('grid', 'text', 14, (e) => { const g = e.gridId ? ctx.gridName(e.gridId) : null; return g ? (en ? g.en : g.zh) : e.gridId; }),
    col('address', 'text', 24, (e) => e.address),
    col('status', 'text', 10, (e) => translate(ctx.locale, `status.${e.status}`)),
    col('assignee', 'text', 10, (e) => (e.assigneeId ? ctx.workerName(e.assigneeId) ?? e.assigneeId : null)),
    col('reporterName', 'text', 10, (e) => e.reporterName),
    col('reporterPhone', 'text', 15, (e) => e.reporterPhone),
    col('reportedAt', 'instant', 20, (e) => e.reportedAt),
    col('acceptedAt', 'instant', 20, (e) => e.acceptedAt),
    col('dispatchedAt', 'instant', 20, (e) => e.dispatchedAt),
    col('signedAt', 'instant', 20, (e) => e.signedAt ?? null),
    col('resolvedAt', 'instant', 20, (e) => e.resolvedAt),
    col('closedAt', 'instant', 20, (e) => e.closedAt),
    // The handling deadline once dispatched, the dispatch deadline before.
    col('deadline', 'instant', 20, (e) => e.handleDueAt ?? e.dispatchDueAt),
    col('overdue', 'text', 8, (e) => yesNo(e.overdue)),
    col('onTime', 'text', 8, (e) => yesNo(e.onTime)),
    col('satisfaction', 'number', 8, (e) => e.satisfaction),
  ];
}
