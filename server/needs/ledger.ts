/**
 * The three lists' ledgers out (需求台账 · 资源台账 · 任务台账): the rows a list's filters select,
 * all of them, and the columns a sheet of them has (written by server/http/sheet.ts, CSV with a
 * BOM or streamed XLSX, formula-like text made inert). At community scale a list is a few
 * thousand rows, read in one statement; more than MAX_EXPORT_ROWS is a 400 naming the filter to
 * narrow. The board's counts per status are here too: one GROUP BY on (community, status).
 */
import type { Db } from '../db/index.ts';
import { MAX_EXPORT_ROWS } from '../../shared/export.ts';
import { translate, type Locale, type MessageKey } from '../../shared/i18n.ts';
import { zhCN as listsZh, en as listsEn } from '../../shared/i18n/console-lists.ts';
import { POPULATIONS, SERVICE_CATEGORIES } from '../../shared/subjects.ts';
import { NEED_STATUSES, RESOURCE_STATUSES, type NeedStatus, type ResourceStatus } from '../../shared/needs.ts';
import { PROJECT_STATUSES, type ProjectStatus } from '../../shared/orgs.ts';
import { invalid } from '../errors.ts';
import type { SheetColumn } from '../http/sheet.ts';
import type { Principal } from '../principal.ts';
import type { Page } from '../db/page.ts';
import type { NeedRecord, ResourceRecord, TaskRecord } from './record.ts';

type ListsKey = keyof typeof listsZh & `console.lists.${string}`;

/** What the columns need besides the rows: the language, the grids' names, the clock. */
export interface ListsSheetContext {
  locale: Locale;
  gridName: (id: string) => { zh: string; en: string } | null;
  now: number;
}

/** Every row of a list (asked for with the largest page), or a 400 when there are too many for one file. */
export function allRows<T>(page: (limit: number) => Page<T>, field: string): T[] {
  const p = page(MAX_EXPORT_ROWS);
  if (p.nextCursor !== null) {
    throw invalid([{ field, problem: `selects more than the ${MAX_EXPORT_ROWS} rows an export holds: narrow the filters` }]);
  }
  return p.items;
}

function helpers(ctx: ListsSheetContext) {
  const en = ctx.locale === 'en';
  const head = (key: ListsKey) => (en ? listsEn : listsZh)[key];
  const t = (key: string) => translate(ctx.locale, key as MessageKey);
  const category = (code: string) => { const c = SERVICE_CATEGORIES.find((x) => x.code === code); return c ? (en ? c.en : c.zh) : code; };
  const grid = (id: string | null) => { if (!id) return null; const g = ctx.gridName(id); return g ? (en ? g.en : g.zh) : id; };
  function col<T>(key: string, kind: SheetColumn<T>['kind'], width: number, value: SheetColumn<T>['value']): SheetColumn<T> {
    return { header: head(`console.lists.col.${key}` as ListsKey), kind, width, value };
  }
  return { en, head, t, category, grid, col };
}

/** The sheet's (and, in Chinese, the file's) name. */
export const listSheetName = (locale: Locale, list: 'needs' | 'resources' | 'tasks'): string =>
  (locale === 'en' ? listsEn : listsZh)[`console.lists.sheet.${list}`];

/** The needs' ledger: personal data (the resident's name and phone), so its export is audited. */
export function needColumns(ctx: ListsSheetContext): SheetColumn<NeedRecord>[] {
  const { en, t, category, grid, col, head } = helpers(ctx);
  const populations = (codes: string[]) =>
    codes.map((c) => { const p = POPULATIONS.find((x) => x.code === c); return p ? (en ? p.en : p.zh) : c; }).join(en ? ', ' : '、') || null;
  const open = (n: NeedRecord) => n.status === 'raised' || n.status === 'matched' || n.status === 'in_progress';
  return [
    col('id', 'number', 8, (n) => n.id),
    col('code', 'text', 15, (n) => n.code),
    col('title', 'text', 30, (n) => n.title),
    col('category', 'text', 12, (n) => category(n.category)),
    col('urgency', 'text', 8, (n) => t(`need.urgency.${n.urgency}`)),
    col('status', 'text', 10, (n) => t(`need.status.${n.status}`)),
    col('grid', 'text', 14, (n) => grid(n.gridId)),
    col('address', 'text', 24, (n) => n.address),
    col('resident', 'text', 10, (n) => n.residentName),
    col('phone', 'text', 15, (n) => n.residentPhone),
    col('populations', 'text', 16, (n) => populations(n.populations)),
    col('beneficiaries', 'number', 8, (n) => n.beneficiaries),
    col('raisedBy', 'text', 12, (n) => t(`need.raised_by.${n.raisedByKind}`)),
    col('metBy', 'text', 12, (n) => (n.metBy ? t(`linkage.subject.${n.metBy}`) : null)),
    col('satisfaction', 'number', 8, (n) => n.satisfaction),
    col('raisedAt', 'instant', 20, (n) => n.raisedAt),
    col('dueAt', 'instant', 20, (n) => n.dueAt),
    col('matchedAt', 'instant', 20, (n) => n.matchedAt),
    col('metAt', 'instant', 20, (n) => n.metAt),
    col('ratedAt', 'instant', 20, (n) => n.ratedAt),
    col('closedAt', 'instant', 20, (n) => n.closedAt),
    col('overdue', 'text', 8, (n) => head(open(n) && ctx.now > n.dueAt ? 'console.lists.yes' : 'console.lists.no')),
  ];
}

export function resourceColumns(ctx: ListsSheetContext): SheetColumn<ResourceRecord>[] {
  const { t, category, grid, col } = helpers(ctx);
  return [
    col('id', 'number', 8, (r) => r.id),
    col('title', 'text', 24, (r) => r.title),
    col('provider', 'text', 12, (r) => t(`resource.provider.${r.providerKind}`)),
    col('providerName', 'text', 20, (r) => r.providerName),
    col('category', 'text', 12, (r) => category(r.category)),
    col('skills', 'text', 20, (r) => r.skills.join(', ') || null),
    col('grid', 'text', 14, (r) => grid(r.gridId)),
    col('capacity', 'number', 8, (r) => r.capacity),
    col('inUse', 'number', 8, (r) => r.inUse),
    col('status', 'text', 8, (r) => t(`resource.status.${r.status}`)),
    col('createdAt', 'instant', 20, (r) => r.createdAt),
  ];
}

export function taskColumns(ctx: ListsSheetContext): SheetColumn<TaskRecord>[] {
  const { t, col } = helpers(ctx);
  return [
    col('id', 'number', 8, (x) => x.id),
    col('needId', 'number', 8, (x) => x.needId),
    col('title', 'text', 30, (x) => x.title),
    col('assignee', 'text', 12, (x) => t(`resource.provider.${x.assigneeKind}`)),
    col('status', 'text', 8, (x) => t(`task.status.${x.status}`)),
    col('dueAt', 'instant', 20, (x) => x.dueAt),
    col('createdAt', 'instant', 20, (x) => x.createdAt),
    col('doneAt', 'instant', 20, (x) => x.doneAt),
    col('note', 'text', 24, (x) => x.note),
  ];
}

/** Needs per status now, as the principal may see them (a grid worker: their grids). */
export function needsByStatus(db: Db, p: Principal): Record<NeedStatus, number> {
  const scope = p.grids ? ' AND grid_id IN (SELECT value FROM json_each(?))' : '';
  const args: unknown[] = [p.communityId, ...(p.grids ? [JSON.stringify(p.grids)] : [])];
  const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM needs WHERE community_id = ?${scope} GROUP BY status`).all(...args) as { status: NeedStatus; n: number }[];
  const out = Object.fromEntries(NEED_STATUSES.map((s) => [s, 0])) as Record<NeedStatus, number>;
  for (const r of rows) out[r.status] = r.n;
  return out;
}

/** Resources and projects per status now, the community's (the board's other two lists). */
export function listsByStatus(db: Db, p: Principal): { resources: Record<ResourceStatus, number>; projects: Record<ProjectStatus, number> } {
  const count = <S extends string>(table: string, statuses: readonly S[]) => {
    const out = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
    for (const r of db.prepare(`SELECT status, COUNT(*) AS n FROM ${table} WHERE community_id = ? GROUP BY status`).all(p.communityId) as { status: S; n: number }[]) out[r.status] = r.n;
    return out;
  };
  return { resources: count('resources', RESOURCE_STATUSES), projects: count('projects', PROJECT_STATUSES) };
}
