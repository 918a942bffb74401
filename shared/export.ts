/**
 * Ledgers out (台账导出): the query of `GET /api/v1/events/export`, the case list as a CSV or
 * XLSX file. One schema, two scopes:
 *
 * - `scope=queue` (the default): what the desk shows, with the queue's own filters (`tab`,
 *   `category`, `grid`, `source`, `urgency`, `q`, `sort`: shared/desk.ts), every case of the tab
 *   rather than the first 200;
 * - `scope=history`: every case reported in a time range (`from`, `to`: instants with an
 *   offset), with the list's filters (`status`, `category`, `grid`, `source`, `urgency`,
 *   `overdue`, `q`: shared/schemas.ts `listEventsQuery`), in the order they were recorded.
 *
 * A filter of the other scope is refused, naming it, rather than silently ignored.
 */
import { z } from 'zod';
import { LOCALES } from './i18n.ts';
import { QUEUE_TABS, queueQuery } from './desk.ts';
import { listEventsQuery } from './schemas.ts';

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_SCOPES = ['queue', 'history'] as const;

/** More rows than this is a 400 asking to narrow the filters: a ledger, not a database dump. */
export const MAX_EXPORT_ROWS = 100_000;

const QUEUE_ONLY = ['tab', 'sort'] as const;
const HISTORY_ONLY = ['status', 'overdue', 'from', 'to'] as const;

export const exportQuery = z
  .object({
    format: z.enum(EXPORT_FORMATS, { message: `must be one of ${EXPORT_FORMATS.join(', ')}` }),
    scope: z.enum(EXPORT_SCOPES, { message: `must be one of ${EXPORT_SCOPES.join(', ')}` }).default('queue'),
    /** The headers' and labels' language; left out, the request's Accept-Language, then zh-CN. */
    lang: z.enum(LOCALES, { message: `must be one of ${LOCALES.join(', ')}` }).optional(),
    tab: z.enum(QUEUE_TABS, { message: `must be one of ${QUEUE_TABS.join(', ')}` }).optional(),
    sort: queueQuery.shape.sort.unwrap().optional(),
    category: queueQuery.shape.category,
    grid: queueQuery.shape.grid,
    source: queueQuery.shape.source,
    urgency: queueQuery.shape.urgency,
    q: queueQuery.shape.q,
    status: listEventsQuery.shape.status,
    overdue: listEventsQuery.shape.overdue,
    from: listEventsQuery.shape.from,
    to: listEventsQuery.shape.to,
  })
  .strict()
  .superRefine((v, ctx) => {
    const other = v.scope === 'queue' ? HISTORY_ONLY : QUEUE_ONLY;
    for (const key of other) {
      if (v[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `is a filter of scope=${v.scope === 'queue' ? 'history' : 'queue'}` });
    }
    if (v.from && v.to && Date.parse(v.to) <= Date.parse(v.from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  });
export type ExportQuery = z.infer<typeof exportQuery>;
