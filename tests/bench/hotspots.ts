/**
 * 5. Where the time goes: the per-call cost of the functions a profile of the benchmarks shows
 * on top, measured in isolation, and of a candidate fix for the first of them.
 *
 * `isoInZone` (shared/time.ts) formats an instant with its offset by asking ICU for the
 * wall-clock parts twice (formatToParts, ~10 µs each). Every event a display or the API
 * receives carries up to a dozen such instants, so it dominates projection. The candidate below
 * asks ICU only for the offset, once per zone and hour (an offset cannot change twice within an
 * hour; when it changes inside one, that hour is not cached), and formats with Date's UTC
 * getters. It is checked against the current function on instants around DST changes.
 *
 * Last, what one wall display spends decoding one batch (socket.io-parser, as socket.io-client
 * does): the latency benchmark runs 200 of them on this machine, next to the server.
 */
import { isoInZone, offsetMinutes } from '../../shared/time.ts';
import { reportEventBody } from '../../shared/schemas.ts';
import { projectEvent, type EventRecord } from '../../server/events/record.ts';
import { scrubText } from '../../shared/mask.ts';
import { Decoder, Encoder } from 'socket.io-parser';
import { clock, reportBodies, round } from './lib.ts';

const HOUR_MS = 3_600_000;
const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** The candidate: offset cached per (zone, hour), digits from Date's UTC getters. */
export function makeCachedIso() {
  const cache = new Map<string, number>();
  return (instant: number, timeZone: string): string => {
    const ms = Math.round(instant);
    const hour = Math.floor(ms / HOUR_MS);
    const key = `${timeZone}|${hour}`;
    let off = cache.get(key);
    if (off === undefined) {
      const a = offsetMinutes(hour * HOUR_MS, timeZone);
      const b = offsetMinutes(hour * HOUR_MS + HOUR_MS - 1, timeZone);
      if (a === b) {
        off = a;
        if (cache.size > 50_000) cache.clear();
        cache.set(key, off);
      } else off = offsetMinutes(ms, timeZone);
    }
    const d = new Date(ms + off * 60_000);
    const sign = off < 0 ? '-' : '+';
    return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
  };
}

function perCall(fn: (i: number) => unknown, n: number): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn(i); // warm up
  const t0 = clock();
  for (let i = 0; i < n; i++) fn(i);
  return ((clock() - t0) * 1000) / n;
}

export function benchHotspots() {
  const cached = makeCachedIso();
  const now = Date.now();
  // The candidate must agree with the current function, including around DST changes.
  const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns'];
  let checked = 0;
  let mismatches = 0;
  for (const tz of zones) {
    for (let i = 0; i < 4000; i++) {
      // Every 1h 59m 7.3s over ~330 days, crossing each zone's transitions at odd minutes.
      const t = Date.UTC(2025, 0, 1) + i * 7_147_300;
      checked++;
      if (cached(t, tz) !== isoInZone(t, tz)) mismatches++;
    }
  }

  const tz = 'Asia/Shanghai';
  const isoUs = perCall((i) => isoInZone(now + i * 1000, tz), 20_000);
  const cachedUs = perCall((i) => cached(now + i * 1000, tz), 200_000);

  const bodies = reportBodies(1000, 9);
  const zodUs = perCall((i) => reportEventBody.safeParse(bodies[i % bodies.length]), 20_000);
  const scrubUs = perCall((i) => scrubText(String(bodies[i % bodies.length]!.description)), 20_000);

  // A closed event carries ten instants: the worst case for projection.
  const e: EventRecord = {
    id: 1, code: '20261122000001', communityId: 'guihua', gridId: 'G01', category: 'environment', subcategory: 'garbage',
    urgency: 'normal', source: 'resident', title: '桂花苑3幢楼下垃圾堆放', description: '住户王建国反映，电话13812345678，垃圾两天未清运。',
    address: '桂花苑3幢2单元501室', lat: 30.28, lng: 120.11, reporterName: '王建国', reporterPhone: '13812345678', externalId: null,
    status: 'closed', assigneeId: 'W01', pending: null, shelvedFrom: null, shelvedAt: null, reportedAt: now - 9e6,
    acceptedAt: now - 8e6, dispatchedAt: now - 7e6, resolvedAt: now - 3e6, closedAt: now - 1e6, reviewedAt: null,
    dispatchDueAt: now - 6e6, handleDueAt: now + 6e7, onTime: true, satisfaction: null, overdue: false, remindedAt: null,
    remindedDue: null, escalatedAt: null, version: 6, updatedAt: now - 1e6,
  };
  const ctx = { timeZone: tz, workerName: () => '李建华' };
  const projectPublicUs = perCall(() => projectEvent(e, 'public', ctx), 5_000);
  const projectStaffUs = perCall(() => projectEvent(e, 'staff', ctx), 5_000);
  // How many instants a closed event's projection formats.
  let calls = 0;
  for (const k of ['reportedAt', 'acceptedAt', 'dispatchedAt', 'resolvedAt', 'closedAt', 'dispatchDueAt', 'handleDueAt', 'updatedAt'] as const) if (e[k] !== null) calls++;

  // What one display does with one batch at 500 events/s and 100 ms batching: 50 new reports
  // (public projection) and the views, as socket.io frames and decodes them.
  const entries = bodies.slice(0, 50).map((b, i) => ({
    seq: i + 1, at: isoInZone(now, tz), type: 'event.reported',
    event: projectEvent({ ...e, id: i + 1, status: 'reported', title: `${String(b.title)} [b:${i}]`, description: String(b.description),
      acceptedAt: null, dispatchedAt: null, resolvedAt: null, closedAt: null, dispatchDueAt: null, handleDueAt: null, onTime: null }, 'public', ctx),
  }));
  const views = {
    kpis: { reportedToday: 1, closedToday: 1, overdueNow: 1, openNow: 1, closureRate: 0.9, onTimeRate: 0.9, avgHandleMinutes: 100, satisfaction: 4.5 },
    trend: Array.from({ length: 24 }, (_, h) => ({ hour: isoInZone(now - h * HOUR_MS, tz), reported: h, closed: h })),
    categories: Array.from({ length: 8 }, () => ({ code: 'environment', reported: 10, open: 3 })),
    grids: Array.from({ length: 10 }, (_, g) => ({ gridId: `G${g}`, reported: 1, resolved: 1, onTimeRate: 0.5, open: 1, overdue: 0 })),
    asOf: isoInZone(now, tz),
  };
  const [frame] = new Encoder().encode({ type: 2, nsp: '/', data: ['batch', { prev: 0, seq: 50, entries, views }] }) as string[];
  const decoder = new Decoder();
  decoder.on('decoded', () => {});
  const decodeUs = perCall(() => decoder.add(frame!), 1_000);

  return {
    isoInZoneUs: round(isoUs, 2),
    candidateIsoUs: round(cachedUs, 2),
    candidateCheck: { checked, mismatches },
    projectEventPublicUs: round(projectPublicUs, 1),
    projectEventStaffUs: round(projectStaffUs, 1),
    instantsPerClosedEvent: calls,
    reportBodyZodUs: round(zodUs, 1),
    scrubTextUs: round(scrubUs, 1),
    batchOf50Bytes: Buffer.byteLength(frame!),
    displayDecodeBatchMs: round(decodeUs / 1000, 3),
  };
}
