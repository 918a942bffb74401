/**
 * Bulk ingest's fast path (shared/schemas.ts, `fastBulkIngest`) against the zod schema it stands
 * in for: on any body, generated near every bound and with every kind of wrong value, it either
 * leaves the body to zod or gives back exactly what zod gives (same fields, defaults, trimmed
 * text, key order); on bodies zod accepts it never steps aside, so accept and refuse are zod's and
 * a refusal names the same items and fields as before.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { FAST_REPORT_KEYS, bulkIngestBody, fastBulkIngest, reportEventBody } from '../../shared/schemas.ts';
import { CATEGORIES, SOURCES, URGENCIES } from '../../shared/taxonomy.ts';

/** zod's own answer, past the fast path the schema's `safeParse` takes. */
const zodAnswer = (v: unknown) => z.safeParse(bulkIngestBody, v);

const pad = fc.constantFrom('', '', ' ', '  ', '\u3000', '\t', '\n');
const padOneLine = fc.constantFrom('', '', '', '', '', ' ', '  ', '\u3000');
const BAD = ['\u0000', '\u001B', '\u202E', '\u2066', '\uD800', '\uDC00', '\uFEFF', '\uFDD0', '\u2028', '\r', '\n', '\t', '\u0085'];
/** Text of about `len` characters, padded with spaces or breaks, `bad` characters refused by the rules or not. */
const text = (lens: fc.Arbitrary<number>, bad: boolean, oneLine = true) =>
  fc.record({
    len: lens,
    ch: fc.constantFrom('a', '楼', '楼', '😀', '\u200D', ' '),
    before: bad || !oneLine ? pad : padOneLine,
    after: bad || !oneLine ? pad : padOneLine,
    bad: bad ? fc.constantFrom(...BAD) : fc.constant(''),
    at: fc.nat(10),
    cut: fc.boolean(),
  }).map(({ len, ch, before, after, bad, at, cut }) => {
    // `len` characters; with `cut` (only when a refused character may be added anyway), `len`
    // UTF-16 units, which may leave half an emoji.
    let s = bad && cut ? ch.repeat(len).slice(0, len) : ch.repeat(len);
    if (bad) s = s.slice(0, at) + bad + s.slice(at);
    return before + s + after;
  });
/** Lengths at and around each bound, and some in between. */
const near = (...bounds: number[]) =>
  fc.oneof(fc.constantFrom(...bounds.flatMap((b) => [b - 1, b, b + 1]).filter((n) => n >= 0)), fc.integer({ min: 0, max: 30 }));
const within = (min: number, max: number) => fc.oneof(fc.constantFrom(min, max), fc.integer({ min, max: Math.min(max, 30) }));
const wrong = fc.constantFrom(null, 0, 1.5, true, [], {}, '', 'nope');

const subOf = new Map(CATEGORIES.map((c) => [c.code, c.subcategories.map((s) => s.code)]));

/** A report zod accepts, mostly: fields valid, some near their bounds (padding may still push one over). */
const valid = fc.record({
  category: fc.constantFrom(...CATEGORIES.map((c) => c.code)),
  pickSub: fc.option(fc.nat(), { nil: undefined }),
  urgency: fc.option(fc.constantFrom(...URGENCIES), { nil: undefined }),
  source: fc.option(fc.constantFrom(...SOURCES), { nil: undefined }),
  title: text(within(1, 80), false),
  description: fc.option(text(fc.oneof(within(0, 4000), fc.constantFrom(3999, 4000)), false, false), { nil: undefined }),
  gridId: fc.option(fc.constantFrom('grid-1', 'g'), { nil: undefined }),
  point: fc.option(fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) }), { nil: undefined }),
  address: fc.option(text(within(0, 200), false), { nil: undefined }),
  reporterName: fc.option(text(within(0, 40), false), { nil: undefined }),
  reporterPhone: fc.option(fc.constantFrom('13812345678', '+86 138-1234-5678', '12345', '1'.repeat(20)), { nil: undefined }),
  externalId: fc.option(text(within(1, 100), false), { nil: undefined }),
  reportedAt: fc.option(fc.constantFrom('2026-11-22T08:30:00+08:00', '2026-11-22T00:30:00.123Z', '2000-01-01T00:00:00Z'), { nil: undefined }),
}).map(({ pickSub, point, ...r }) => {
  const subs = subOf.get(r.category) ?? [];
  const o: Record<string, unknown> = { ...r, ...point };
  if (pickSub !== undefined && subs.length) o.subcategory = subs[pickSub % subs.length];
  if (o.gridId === undefined && o.lat === undefined && o.address === undefined) o.gridId = 'grid-1';
  return o;
});

/** One change that may or may not break it: a value near or past a bound, of the wrong type, refused text, a field dropped or unknown. */
const change = fc.oneof(
  fc.record({ key: fc.constantFrom('title', 'address', 'reporterName', 'externalId'), value: text(near(0, 1, 40, 80, 100, 200), true) }),
  fc.record({ key: fc.constantFrom('title', 'description', 'address', 'reporterName', 'externalId'), value: text(near(0, 1, 40, 80, 100, 200), false) }),
  fc.record({ key: fc.constant('description'), value: text(fc.constantFrom(3999, 4000, 4001), false, false) }),
  fc.record({ key: fc.constant('description'), value: text(near(0, 5), true) }),
  fc.record({ key: fc.constantFrom('lat', 'lng'), value: fc.oneof(fc.double({ min: -200, max: 200, noNaN: true }), fc.constantFrom(-90, 90, -180, 180, -90.0001, 180.5)) }),
  fc.record({ key: fc.constant('subcategory'), value: fc.constantFrom(...[...subOf.values()].flat().slice(0, 12), 'nope') }),
  fc.record({ key: fc.constant('reporterPhone'), value: fc.constantFrom('1234', '1'.repeat(21), ' 12345 ', '12345a', '138 1234 5678') }),
  fc.record({ key: fc.constant('reportedAt'), value: fc.constantFrom('1999-12-31T23:59:59Z', '2026-11-22 08:30', '2026-11-22T08:30:00', 'yesterday', '2026-13-01T00:00:00Z') }),
  fc.record({ key: fc.constantFrom('category', 'urgency', 'source', 'gridId'), value: fc.constantFrom('nope', '', 'fire', 'urgent', 'hotline') }),
  fc.record({ key: fc.constantFrom('category', 'subcategory', 'urgency', 'source', 'title', 'description', 'gridId', 'address', 'lat', 'lng', 'reporterName', 'reporterPhone', 'externalId', 'reportedAt'), value: wrong }),
  fc.record({ key: fc.constantFrom('category', 'title', 'gridId', 'address', 'lat', 'lng', 'subcategory'), value: fc.constant(undefined) }),
  fc.record({ key: fc.constantFrom('priority', '__proto__', 'constructor', 'toString'), value: fc.constant(1) }),
  // Exactly at and one past each text field's bound.
  fc.constantFrom<[string, number, boolean]>(['title', 80, true], ['address', 200, true], ['reporterName', 40, true], ['externalId', 100, true], ['description', 4000, false])
    .chain(([key, max, oneLine]) => fc.record({ key: fc.constant(key), value: text(fc.constantFrom(max, max + 1), false, oneLine) })),
  fc.constant({ key: '(no place)', value: undefined }),
);

/** As JSON.parse gives it: absent keys absent, any key (`__proto__` too) an own property. */
const report = fc.tuple(valid, fc.oneof(fc.constant([]), fc.array(change, { minLength: 1, maxLength: 2 }))).map(([r, changes]) => {
  const o: Record<string, unknown> = { ...r };
  for (const { key, value } of changes) {
    if (key === '(no place)') for (const k of ['gridId', 'lat', 'lng', 'address']) delete o[k];
    else if (value === undefined) delete o[key];
    else Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
});

const body = fc.oneof(
  { weight: 8, arbitrary: fc.array(report, { minLength: 1, maxLength: 3 }).map((events) => ({ events })) },
  { weight: 1, arbitrary: fc.oneof(fc.constant({ events: [] }), wrong, fc.constant({ events: {} }), fc.array(report, { maxLength: 2 }).map((events) => ({ events, more: 1 }))) },
);

const sameAnswer = (v: unknown) => {
  const fast = fastBulkIngest(v);
  const slow = zodAnswer(v);
  if (fast !== undefined) {
    // Only what zod accepts, given back exactly as zod gives it (key order included).
    expect(slow.success).toBe(true);
    expect(fast).toStrictEqual(slow.data);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
  } else {
    // Whatever zod accepts, the fast path accepts too: a refusal is zod's, with zod's fields.
    expect(slow.success).toBe(false);
  }
  const viaSchema = bulkIngestBody.safeParse(v);
  expect(viaSchema.success).toBe(slow.success);
  if (!viaSchema.success) expect(viaSchema.error.issues).toEqual(slow.error!.issues);
  else expect(viaSchema.data).toStrictEqual(slow.data);
};

describe('bulk ingest’s fast path', () => {
  it('copies every field the report schema has: a field added to one and not the other fails here', () => {
    expect([...FAST_REPORT_KEYS].sort()).toEqual(Object.keys(reportEventBody.shape).sort());
  });

  it('accepts exactly what the zod schema accepts, gives back the same body, and leaves every refusal to zod', () => {
    fc.assert(fc.property(body, sameAnswer), { numRuns: 3000 });
  });

  it('takes the bodies integrations send, so zod does not walk them', () => {
    const ok = { category: 'environment', title: ' 楼道堆放杂物 ', gridId: 'grid-1', lat: 30.27, lng: 120.15, address: '桂花苑3幢', externalId: 'ext-1', reportedAt: '2026-11-22T08:30:00+08:00' };
    const out = fastBulkIngest({ events: [ok, { category: 'fire', subcategory: 'ebike_charging', title: '电动车充电', address: '3幢' }] });
    expect(out?.events.map((e) => e.title)).toEqual(['楼道堆放杂物', '电动车充电']);
    sameAnswer({ events: [ok] });
  });

  it('names the bad item and field exactly as zod does when one report of many is wrong', () => {
    const ok = { category: 'environment', title: '垃圾', gridId: 'grid-1' };
    const r = bulkIngestBody.safeParse({ events: [ok, { ...ok, title: 'x'.repeat(81) }, { ...ok, lat: 91 }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['events.1.title', 'events.2.lat', 'events.2.lng']);
  });
});
