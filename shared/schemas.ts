/**
 * The zod schemas for everything that crosses the wire: the single source of truth for the
 * HTTP bodies, the socket payloads and the forms. Types come from `z.infer`.
 */
import { z } from 'zod';
import { ACTIONS, STATUSES } from './lifecycle.ts';
import { ALL_REASONS } from './reasons.ts';
import { CATEGORY_CODES, SOURCES, URGENCIES, isSubcategoryOf } from './taxonomy.ts';
import { multiLineText, singleLineText, textProblem, textRule, type TextKind } from './text.ts';

/** An instant with an explicit offset (`2026-11-22T20:38:00+08:00`); a bare local time is ambiguous. */
export const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-22T08:30:00+08:00' });

/**
 * `schema`, whose `parse` and `safeParse` first try `accept`: a hand check that returns what the
 * schema would for the bodies it is sure of, and undefined for anything else, which zod then
 * parses as ever (and names every problem of). `z.safeParse(schema, v)` is zod's alone.
 */
function withFastPath<S extends z.ZodType>(schema: S, accept: (v: unknown) => z.output<S> | undefined): S {
  const own = schema as unknown as { safeParse(data: unknown, params?: unknown): unknown; parse(data: unknown, params?: unknown): unknown };
  const safeParse = own.safeParse.bind(schema);
  const parse = own.parse.bind(schema);
  own.safeParse = (data, params) => {
    const out = accept(data);
    return out !== undefined ? { success: true, data: out } : safeParse(data, params);
  };
  own.parse = (data, params) => accept(data) ?? parse(data, params);
  return schema;
}

/** A report's fields (the tablet's report adds its photos: shared/uploads.ts). */
export const reportEventFields = z
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
  .strict();

/** What a report's fields must agree on between them. */
export function reportEventRules(v: z.output<typeof reportEventFields>, ctx: z.RefinementCtx): void {
    if (v.subcategory !== undefined && !isSubcategoryOf(v.category, v.subcategory)) {
      ctx.addIssue({ code: 'custom', path: ['subcategory'], message: `is not a sub-category of ${v.category}` });
    }
    if ((v.lat === undefined) !== (v.lng === undefined)) {
      ctx.addIssue({ code: 'custom', path: [v.lat === undefined ? 'lat' : 'lng'], message: 'lat and lng go together' });
    }
    if (v.gridId === undefined && v.lat === undefined && v.address === undefined) {
      ctx.addIssue({ code: 'custom', path: ['gridId'], message: 'give a grid, a location (lat and lng) or an address' });
    }
}

export const reportEventBody = reportEventFields.superRefine(reportEventRules);
export type ReportEventBody = z.infer<typeof reportEventBody>;

const bulkIngestSchema = z
  .object({ events: z.array(reportEventBody).min(1, 'at least one event').max(1000, 'at most 1000 events a request') })
  .strict();
export type BulkIngestBody = z.infer<typeof bulkIngestSchema>;

/**
 * Bulk ingest's fast path: a hand check of each report that accepts only bodies the zod schema
 * above accepts, and returns exactly what zod would (same fields, defaults, trimmed text, same
 * key order). Anything it is not sure of (an unknown key, a wrong type, a bound crossed, a
 * missing place) is left to zod, which parses the whole body again and names every bad item and
 * field, so a refusal reads the same as ever. zod's walk of 500 bodies cost ~3 µs per report,
 * about a tenth of a bulk request (docs/PERFORMANCE.md); this costs ~0.5 µs. A property test
 * (tests/unit/schemas-fast-path.test.ts) holds the two to the same answers.
 */
const CATEGORY_SET: ReadonlySet<string> = new Set(CATEGORY_CODES);
const URGENCY_SET: ReadonlySet<string> = new Set(URGENCIES);
const SOURCE_SET: ReadonlySet<string> = new Set(SOURCES);
/**
 * The fields the fast path copies. Named here, not read from the schema: a field added to the
 * schema and not to the fast path makes the fast path step aside (zod parses the body) rather
 * than drop it; tests/unit/schemas-fast-path.test.ts fails until the two lists agree again.
 */
export const FAST_REPORT_KEYS: ReadonlySet<string> = new Set([
  'category', 'subcategory', 'urgency', 'source', 'title', 'description', 'gridId', 'address', 'lat', 'lng',
  'reporterName', 'reporterPhone', 'externalId', 'reportedAt',
]);
const PHONE = /^[0-9+\- ]{5,20}$/;
const reportedAtField = reportEventBody.shape.reportedAt;

/**
 * Within `min` (0 or 1) and `max` as zod measures: in code points (a surrogate pair counts once),
 * which only a string longer than `max` in UTF-16 units needs counting for.
 */
function fits(s: string, min: 0 | 1, max: number): boolean {
  if (s.length < min) return false;
  if (s.length <= max) return true;
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) (n--, i++);
  }
  return n <= max;
}

/** Text as `singleLineText`/`multiLineText(max)` would give it back, or undefined when zod must judge. */
function text(v: unknown, kind: TextKind, max: number, min: 0 | 1): string | undefined {
  if (typeof v !== 'string' || textProblem(v, kind)) return undefined;
  const t = v.trim();
  return fits(t, min, max) ? t : undefined;
}

function fastReport(v: unknown): ReportEventBody | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const b = v as Record<string, unknown>;
  for (const k in b) if (!FAST_REPORT_KEYS.has(k)) return undefined;
  const { category, subcategory, urgency = 'normal', source = 'resident', gridId, lat, lng, reporterPhone, externalId, reportedAt } = b;
  if (typeof category !== 'string' || !CATEGORY_SET.has(category)) return undefined;
  if (subcategory !== undefined && (typeof subcategory !== 'string' || !isSubcategoryOf(category, subcategory))) return undefined;
  if (typeof urgency !== 'string' || !URGENCY_SET.has(urgency) || typeof source !== 'string' || !SOURCE_SET.has(source)) return undefined;
  const title = text(b.title, 'single', 80, 1);
  const description = b.description === undefined ? '' : text(b.description, 'multi', 4000, 0);
  if (title === undefined || description === undefined) return undefined;
  if (gridId !== undefined && (typeof gridId !== 'string' || gridId.length < 1)) return undefined;
  const address = b.address === undefined ? undefined : text(b.address, 'single', 200, 0);
  if (address === undefined && b.address !== undefined) return undefined;
  if ((lat === undefined) !== (lng === undefined)) return undefined;
  if (lat !== undefined && !(typeof lat === 'number' && lat >= -90 && lat <= 90 && typeof lng === 'number' && lng >= -180 && lng <= 180)) return undefined;
  if (gridId === undefined && lat === undefined && address === undefined) return undefined;
  const reporterName = b.reporterName === undefined ? undefined : text(b.reporterName, 'single', 40, 0);
  if (reporterName === undefined && b.reporterName !== undefined) return undefined;
  if (reporterPhone !== undefined && (typeof reporterPhone !== 'string' || !PHONE.test(reporterPhone))) return undefined;
  if (externalId !== undefined && (typeof externalId !== 'string' || !fits(externalId, 1, 100) || textProblem(externalId, 'single'))) {
    return undefined;
  }
  if (reportedAt !== undefined && !reportedAtField.safeParse(reportedAt).success) return undefined;
  // The schema's key order, a key only where the body has it (or a default fills it).
  const out: Record<string, unknown> = { category };
  if (subcategory !== undefined) out.subcategory = subcategory;
  out.urgency = urgency;
  out.source = source;
  out.title = title;
  out.description = description;
  if (gridId !== undefined) out.gridId = gridId;
  if (address !== undefined) out.address = address;
  if (lat !== undefined) (out.lat = lat), (out.lng = lng);
  if (reporterName !== undefined) out.reporterName = reporterName;
  if (reporterPhone !== undefined) out.reporterPhone = reporterPhone;
  if (externalId !== undefined) out.externalId = externalId;
  if (reportedAt !== undefined) out.reportedAt = reportedAt;
  return out as ReportEventBody;
}

/** `{ events: [...] }` through the fast path, or undefined when zod must parse it. */
export function fastBulkIngest(v: unknown): BulkIngestBody | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const { events } = v as Record<string, unknown>;
  for (const k in v) if (k !== 'events') return undefined;
  if (!Array.isArray(events) || events.length < 1 || events.length > 1000) return undefined;
  const out: ReportEventBody[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const r = fastReport(events[i]);
    if (!r) return undefined;
    out[i] = r;
  }
  return { events: out };
}

export const bulkIngestBody = withFastPath(bulkIngestSchema, fastBulkIngest);

export const transitionBody = z
  .object({
    note: multiLineText(1000).optional(),
    assigneeId: z.string().min(1).optional(),
    hours: z.number().positive().max(720).optional(),
    satisfaction: z.number().int().min(1).max(5).optional(),
    /** Reject, send back, return: a reason code (shared/reasons.ts), so passing a case shows in the numbers. */
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

/** A local calendar day, `2026-10-01`, that exists. */
export const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => {
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d && y >= 2000 && y <= 2100;
}, 'is not a calendar date from 2000 to 2100');
