/**
 * The zod schemas for everything that crosses the wire: the single source of truth for the
 * HTTP bodies, the socket payloads and the forms. Types come from `z.infer`.
 */
import { z } from 'zod';
import { ACTIONS, ALL_REASONS, STATUSES } from './lifecycle.ts';
import { CATEGORY_CODES, SOURCES, URGENCIES, isSubcategoryOf } from './taxonomy.ts';
import { multiLineText, singleLineText, textRule } from './text.ts';

/** An instant with an explicit offset (`2026-11-22T20:38:00+08:00`); a bare local time is ambiguous. */
export const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-22T08:30:00+08:00' });

export const reportEventBody = z
  .object({
    category: z.enum(CATEGORY_CODES, { message: 'must be a category code from /api/v1/taxonomy' }),
    subcategory: z.string().optional(),
    urgency: z.enum(URGENCIES).default('normal'),
    source: z.enum(SOURCES).default('resident'),
    title: singleLineText(80).min(1, 'required'),
    description: multiLineText(4000).default(''),
    gridId: z.string().min(1).optional(),
    address: singleLineText(200).optional(),
    lat: z.number().min(-90).max(90).optional(),
    lng: z.number().min(-180).max(180).optional(),
    reporterName: singleLineText(40).optional(),
    reporterPhone: z.string().regex(/^[0-9+\- ]{5,20}$/, 'must be a phone number').optional(),
    /** The integration's own id: reporting the same (source, externalId) twice returns the first event. */
    externalId: z.string().superRefine(textRule('single')).min(1).max(100).optional(),
    /** When it happened, if earlier than now (integrations). */
    reportedAt: instant.refine((v) => Date.parse(v) >= Date.UTC(2000, 0, 1), 'must be in 2000 or later').optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.subcategory !== undefined && !isSubcategoryOf(v.category, v.subcategory)) {
      ctx.addIssue({ code: 'custom', path: ['subcategory'], message: `is not a sub-category of ${v.category}` });
    }
    if ((v.lat === undefined) !== (v.lng === undefined)) {
      ctx.addIssue({ code: 'custom', path: [v.lat === undefined ? 'lat' : 'lng'], message: 'lat and lng go together' });
    }
    if (v.gridId === undefined && v.lat === undefined && v.address === undefined) {
      ctx.addIssue({ code: 'custom', path: ['gridId'], message: 'give a grid, a location (lat and lng) or an address' });
    }
  });
export type ReportEventBody = z.infer<typeof reportEventBody>;

export const bulkIngestBody = z
  .object({ events: z.array(reportEventBody).min(1, 'at least one event').max(1000, 'at most 1000 events a request') })
  .strict();

export const transitionBody = z
  .object({
    note: multiLineText(1000).optional(),
    assigneeId: z.string().min(1).optional(),
    hours: z.number().positive().max(720).optional(),
    satisfaction: z.number().int().min(1).max(5).optional(),
    /** Reject, send back, return: a reason code (shared/lifecycle.ts `REASONS`), so passing a case shows in the numbers. */
    reason: z.enum(ALL_REASONS).optional(),
    /** Merge: the id of the open case this report duplicates. */
    targetId: z.number().int().positive().optional(),
    /** Optimistic concurrency: refuse with 409 if the event changed since this version. */
    expectedVersion: z.number().int().nonnegative().optional(),
  })
  .strict();
export type TransitionBody = z.infer<typeof transitionBody>;

export const actionParam = z.enum(ACTIONS);

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(item).min(1, 'must not be empty'));

/** The instants a list can be bounded by (`at=resolved&from=…&to=…`). */
export const LIST_AT = ['reported', 'accepted', 'dispatched', 'signed', 'resolved', 'reviewed'] as const;

export const listEventsQuery = z
  .object({
    status: csv(z.enum(STATUSES)).optional(),
    category: csv(z.enum(CATEGORY_CODES)).optional(),
    grid: csv(z.string().min(1)).optional(),
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    from: instant.optional(),
    to: instant.optional(),
    /** Which instant `from`/`to` bound (default: when reported); the desk's numbers link with it. */
    at: z.enum(LIST_AT).optional(),
    source: csv(z.enum(SOURCES)).optional(),
    /** Cases dispatched to these grid workers (now). */
    assignee: csv(z.string().min(1)).optional(),
    onTime: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    satisfaction: csv(z.enum(['1', '2', '3', '4', '5']).transform(Number)).optional(),
    /** These cases only (the desk's numbers name the cases behind a figure). */
    ids: csv(z.string().regex(/^\d{1,12}$/, 'must be case ids').transform(Number)).pipe(z.array(z.number()).max(500, 'at most 500 ids')).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().regex(/^\d+$/, 'is not a cursor from a previous page').optional(),
  })
  .strict();
export type ListEventsQuery = z.infer<typeof listEventsQuery>;

/** The two audiences a payload is projected for. Grid scopes come with accounts. */
export const AUDIENCES = ['public', 'staff'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const subscribeRequest = z
  .object({
    view: z.enum(['screen', 'events']),
    community: z.string().min(1).max(64).optional(),
    /** The last seq this client applied, and the database it came from. */
    since: z.number().int().nonnegative().optional(),
    dbId: z.string().max(64).optional(),
    /**
     * `'public'`: the masked view a display gets, asked for by a person's browser showing the
     * wall (/screen). Never more than the principal's own audience: a display is public anyway.
     */
    audience: z.enum(['public']).optional(),
    /**
     * `'deflate'`: batches arrive compressed, as `batch:deflate` frames (docs/PROTOCOL.md,
     * "Encodings"); left out, as plain `batch` JSON. The wall asks for it.
     */
    encoding: z.enum(['deflate']).optional(),
  })
  .strict();
export type SubscribeRequest = z.infer<typeof subscribeRequest>;
