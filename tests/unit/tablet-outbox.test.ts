/**
 * The tablet's outbox rules (client/tablet/outbox/machine.ts), pure: what each answer does to a
 * record, the order records go in, where a photo's upload resumes, and the version an action
 * made offline expects. docs/OFFLINE.md §3 is the contract.
 */
import { describe, expect, it } from 'vitest';
import {
  afterChunk, afterOutcome, backoffMs, bodyToSend, expectedVersionFor, mayForget, nextChunk, nextToSend, recovered,
  startSending, verdictOf, waitingSummary, CHUNK_BYTES, type OutboxEntry,
} from '../../client/tablet/outbox/machine.ts';

const T0 = Date.parse('2026-05-01T08:00:00+08:00');
let n = 0;
function entry(over: Partial<OutboxEntry> = {}): OutboxEntry {
  n++;
  return {
    id: `id-${String(n).padStart(3, '0')}`, owner: 'wang', kind: 'report', createdAt: new Date(T0 + n * 1000).toISOString(), label: 'x',
    request: { method: 'POST', path: '/events', body: { title: '井盖破损' } }, eventId: null, seenVersion: null,
    photos: [], uploaded: {}, idempotencyKey: `key-${n}-abcdef`, state: 'saved', tries: 0, nextTryAt: 0, ...over,
  };
}
const photo = (sha: string) => ({ sha256: sha, bytes: 10, type: 'image/jpeg', name: `${sha}.jpg`, blob: new Blob(['0123456789']) });

describe('an answer to a record', () => {
  it('is received on a 2xx, with the server\'s case number and every photo counted', () => {
    const e = startSending(entry({ photos: [photo('a'), photo('b')] }));
    expect(e.state).toBe('sending');
    const out = afterOutcome(e, { type: 'answer', status: 201, body: { event: { id: 12, code: '20260501000012', status: 'reported', version: 1 }, created: true, photos: 2 } }, T0);
    expect(out.state).toBe('received');
    expect(out.receipt).toMatchObject({ eventId: 12, code: '20260501000012', version: 1, photos: { received: 2, total: 2 }, replayed: false });
    expect(out.error).toBeUndefined();
  });

  it('says a replayed answer is the first one, still received (never "failed")', () => {
    const out = afterOutcome(startSending(entry()), { type: 'answer', status: 200, body: { event: { id: 3, code: 'C3' } }, replayed: true }, T0);
    expect(out.state).toBe('received');
    expect(out.receipt?.replayed).toBe(true);
  });

  it.each([0, 408, 425, 429, 500, 502, 503])('keeps the record saved for a later try after a %i', (status) => {
    const e = startSending(entry());
    const out = afterOutcome(e, status === 0 ? { type: 'network' } : { type: 'answer', status, body: null }, T0);
    expect(out.state).toBe('saved');
    expect(out.nextTryAt).toBeGreaterThan(T0);
    expect(out.error).toBeUndefined();
  });

  it.each([400, 403, 404, 409, 422])('refuses the record on a %i, with the server\'s words', (status) => {
    const body = { error: { code: 'error.version_conflict', message: 'event 7 is at version 4, not 3', version: 4, changedBy: '陈晓' } };
    const out = afterOutcome(startSending(entry()), { type: 'answer', status, body }, T0);
    expect(out.state).toBe('refused');
    expect(out.error).toEqual({ status, code: 'error.version_conflict', message: 'event 7 is at version 4, not 3', details: { version: 4, changedBy: '陈晓' } });
  });

  it('uploads the photos again when the server says it does not hold them whole, then gives up with its words', () => {
    const body = { error: { code: 'error.photos_incomplete', message: '1 of the 2 photos named are not uploaded whole yet' } };
    const e = startSending(entry({ photos: [photo('a'), photo('b')], uploaded: { a: 10, b: 10 } }));
    const again = afterOutcome(e, { type: 'answer', status: 409, body }, T0);
    expect(again).toMatchObject({ state: 'saved', uploaded: {} });
    const last = afterOutcome(startSending({ ...again, tries: 3 }), { type: 'answer', status: 409, body }, T0);
    expect(last.state).toBe('refused');
  });

  it('keeps a record whose session ended for its owner\'s next login, ready at once', () => {
    const out = afterOutcome(startSending(entry({ tries: 2 })), { type: 'answer', status: 401, body: { error: { code: 'error.unauthenticated' } } }, T0);
    expect(out).toMatchObject({ state: 'saved', tries: 2, nextTryAt: T0, lastTrouble: 'error.unauthenticated' });
    expect(verdictOf(401)).toBe('unauthenticated');
  });

  it('backs off 5 s doubling to 5 minutes, longer when the server asks', () => {
    expect([1, 2, 3, 4].map((t) => backoffMs(t))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffMs(20)).toBe(300_000);
    expect(backoffMs(1, 30)).toBe(30_000);
    expect(backoffMs(1, 3600)).toBe(300_000);
  });

  it('sends a record a closed page left "sending" again, with its same key', () => {
    const e = startSending(entry());
    const back = recovered(e);
    expect(back.state).toBe('saved');
    expect(back.idempotencyKey).toBe(e.idempotencyKey);
  });
});

describe('the order records go in', () => {
  it('sends the owner\'s oldest unsent record first, one at a time, and waits behind one backing off', () => {
    const a = entry({ state: 'received' });
    const b = entry({ nextTryAt: T0 + 10_000 });
    const c = entry();
    const other = entry({ owner: 'li' });
    expect(nextToSend([c, other, b, a], 'wang', T0)).toEqual({ wait: 10_000 });
    expect(nextToSend([c, other, b, a], 'wang', T0 + 10_000)).toEqual({ entry: b });
    expect(nextToSend([c, other, { ...b, state: 'refused' }, a], 'wang', T0)).toEqual({ entry: c });
    expect(nextToSend([a], 'wang', T0)).toBeNull();
  });

  it('sends only the logged-in owner\'s records', () => {
    const li = entry({ owner: 'li' });
    expect(nextToSend([li], 'wang', T0)).toBeNull();
    expect(nextToSend([li], 'li', T0)).toEqual({ entry: li });
  });

  it('counts what waits and since when, per owner', () => {
    const a = entry();
    const b = entry({ state: 'sending' });
    entry({ state: 'received' });
    const li = entry({ owner: 'li' });
    expect(waitingSummary([b, a, li], 'wang')).toEqual({ count: 2, oldest: a.createdAt });
    expect(waitingSummary([b, a, li], 'zhao')).toEqual({ count: 0, oldest: null });
  });

  it('forgets only received records, when cleared or a week on', () => {
    const got = afterOutcome(entry(), { type: 'answer', status: 201, body: { event: { id: 1 } } }, T0);
    expect(mayForget(got, T0 + 1000, false)).toBe(false);
    expect(mayForget(got, T0 + 1000, true)).toBe(true);
    expect(mayForget(got, T0 + 8 * 86_400_000, false)).toBe(true);
    expect(mayForget(entry(), T0 + 30 * 86_400_000, true)).toBe(false);
    expect(mayForget(entry({ state: 'refused' }), T0, true)).toBe(false);
  });
});

describe('the version an action expects', () => {
  const action = (kind: OutboxEntry['kind'], seenVersion: number, over: Partial<OutboxEntry> = {}) =>
    entry({ kind, eventId: 7, seenVersion, request: { method: 'POST', path: `/events/7/${kind}`, body: { note: 'n' } }, ...over });

  it('is the version the worker saw for the first action', () => {
    const sign = action('sign', 5);
    expect(expectedVersionFor(sign, [sign])).toBe(5);
    expect(bodyToSend(sign, [sign])).toEqual({ note: 'n', expectedVersion: 5 });
  });

  it('follows the worker\'s own earlier action on the case once it was received (sign, start, resolve made offline)', () => {
    const sign = action('sign', 5);
    const start = action('start', 5);
    const signed = afterOutcome(sign, { type: 'answer', status: 200, body: { event: { id: 7, version: 6 } } }, T0);
    expect(expectedVersionFor(start, [signed, start])).toBe(6);
    // Still unsent: the start would carry the version seen (and the sender waits its turn anyway).
    expect(expectedVersionFor(start, [sign, start])).toBe(5);
  });

  it('does not carry an old receipt into a later chain the worker began from a fresh view', () => {
    const old = afterOutcome(action('sign', 3), { type: 'answer', status: 200, body: { event: { id: 7, version: 4 } } }, T0);
    const again = action('sign', 8);
    expect(expectedVersionFor(again, [old, again])).toBe(8);
  });

  it('is none for a report', () => {
    const r = entry();
    expect(bodyToSend(r, [r])).toEqual({ title: '井盖破损' });
  });
});

describe('a photo\'s upload', () => {
  it('goes in chunks of at most 1 MiB from where the server stands', () => {
    const size = 2.5 * CHUNK_BYTES;
    expect(nextChunk(0, size)).toEqual({ start: 0, end: CHUNK_BYTES });
    expect(nextChunk(CHUNK_BYTES, size)).toEqual({ start: CHUNK_BYTES, end: 2 * CHUNK_BYTES });
    expect(nextChunk(2 * CHUNK_BYTES, size)).toEqual({ start: 2 * CHUNK_BYTES, end: size });
    expect(nextChunk(size, size)).toBeNull();
  });

  it('begins at 0 when never begun, is done when the server holds it whole, and resumes after an offset 409', () => {
    expect(afterChunk({ type: 'answer', status: 404, body: null })).toEqual({ step: 'continue', received: 0 });
    expect(afterChunk({ type: 'answer', status: 200, body: { received: 10, complete: true } })).toEqual({ step: 'complete' });
    expect(afterChunk({ type: 'answer', status: 200, body: { received: 1048576, complete: false } })).toEqual({ step: 'continue', received: 1048576 });
    expect(afterChunk({ type: 'answer', status: 409, body: { error: { code: 'error.upload_offset', received: 524288 } } })).toEqual({ step: 'continue', received: 524288 });
  });

  it('starts again after a hash mismatch, waits after a network error or 5xx, stops on another refusal', () => {
    expect(afterChunk({ type: 'answer', status: 422, body: { error: { code: 'error.upload_hash' } } })).toEqual({ step: 'restart' });
    expect(afterChunk({ type: 'network' })).toEqual({ step: 'retry' });
    expect(afterChunk({ type: 'answer', status: 503, body: null })).toEqual({ step: 'retry' });
    expect(afterChunk({ type: 'answer', status: 401, body: null })).toEqual({ step: 'unauthenticated' });
    expect(afterChunk({ type: 'answer', status: 413, body: { error: { code: 'error.payload_too_large', message: 'too big' } } }))
      .toEqual({ step: 'refused', refusal: { status: 413, code: 'error.payload_too_large', message: 'too big' } });
  });
});
