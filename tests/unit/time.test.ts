import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  DAY_MS,
  HOUR_MS,
  hourOf,
  isValidTimeZone,
  isoInZone,
  isoOrNull,
  offsetMinutes,
  startOfLocalDay,
  wallTime,
} from '../../shared/time.ts';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
/** Instants a community will actually record: 1970 to 2100. */
const instants = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });
/** China last observed daylight saving time in 1991; since then Shanghai is always +08:00. */
const sinceChinaDst = fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2100, 0, 1) });

describe('ISO strings in the community time zone', () => {
  it('shows a Shanghai instant with +08:00 and its local wall time', () => {
    expect(isoInZone(Date.UTC(2026, 10, 22, 12, 38, 5, 123), SH)).toBe('2026-11-22T20:38:05.123+08:00');
  });

  it('rolls over to the next local day and year when UTC is still on the previous one', () => {
    expect(isoInZone(Date.UTC(2026, 11, 31, 16, 0, 0, 0), SH)).toBe('2027-01-01T00:00:00.000+08:00');
  });

  it('always carries +08:00 and parses back to the same instant in Shanghai', () => {
    fc.assert(fc.property(sinceChinaDst, (ms) => {
      const iso = isoInZone(ms, SH);
      expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
      expect(Date.parse(iso)).toBe(ms);
    }), { numRuns: 2000 });
  });

  it.each(['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'UTC'])(
    'parses back to the same instant in %s, through every daylight saving change',
    (tz) => {
      fc.assert(fc.property(instants, (ms) => {
        const iso = isoInZone(ms, tz);
        expect(iso).toMatch(/[+-]\d\d:\d\d$/);
        expect(Date.parse(iso)).toBe(ms);
      }), { numRuns: 500 });
    },
  );

  it('shows New York on both sides of the spring change as -05:00 then -04:00', () => {
    // 2026-03-08 02:00 EST the clocks jump to 03:00 EDT (07:00 UTC).
    const change = Date.UTC(2026, 2, 8, 7);
    expect(isoInZone(change - 1, NY)).toBe('2026-03-08T01:59:59.999-05:00');
    expect(isoInZone(change, NY)).toBe('2026-03-08T03:00:00.000-04:00');
    expect(Date.parse(isoInZone(change - 1, NY))).toBe(change - 1);
    expect(Date.parse(isoInZone(change, NY))).toBe(change);
  });

  it('shows the repeated autumn hour in New York with the offset that tells the two apart', () => {
    // 2026-11-01 02:00 EDT the clocks go back to 01:00 EST (06:00 UTC).
    const change = Date.UTC(2026, 10, 1, 6);
    expect(isoInZone(change - HOUR_MS / 2, NY)).toBe('2026-11-01T01:30:00.000-04:00');
    expect(isoInZone(change + HOUR_MS / 2, NY)).toBe('2026-11-01T01:30:00.000-05:00');
  });

  it('shows half-hour and negative offsets in full', () => {
    const t = Date.UTC(2026, 0, 15, 12);
    expect(isoInZone(t, 'Asia/Kolkata')).toBe('2026-01-15T17:30:00.000+05:30');
    expect(isoInZone(t, 'America/St_Johns')).toBe('2026-01-15T08:30:00.000-03:30');
    expect(isoInZone(t, 'UTC')).toBe('2026-01-15T12:00:00.000+00:00');
  });

  it('rounds a fractional instant to the millisecond', () => {
    expect(isoInZone(Date.UTC(2026, 0, 1) + 0.6, SH)).toBe('2026-01-01T08:00:00.001+08:00');
  });

  it('gives null for a missing instant and an ISO string otherwise', () => {
    expect(isoOrNull(null, SH)).toBeNull();
    expect(isoOrNull(undefined, SH)).toBeNull();
    expect(isoOrNull(0, SH)).toBe('1970-01-01T08:00:00.000+08:00');
  });
});

describe('offsets and wall time', () => {
  it('was 540 minutes east of UTC in a Shanghai summer of daylight saving time', () => {
    expect(offsetMinutes(Date.UTC(1990, 6, 1), SH)).toBe(540);
  });

  it('is 480 minutes east of UTC in Shanghai all year', () => {
    fc.assert(fc.property(sinceChinaDst, (ms) => {
      expect(offsetMinutes(ms, SH)).toBe(480);
    }), { numRuns: 500 });
  });

  it('follows daylight saving time in New York', () => {
    expect(offsetMinutes(Date.UTC(2026, 0, 15), NY)).toBe(-300);
    expect(offsetMinutes(Date.UTC(2026, 6, 15), NY)).toBe(-240);
    expect(offsetMinutes(Date.UTC(2026, 2, 8, 7) - 1, NY)).toBe(-300);
    expect(offsetMinutes(Date.UTC(2026, 2, 8, 7), NY)).toBe(-240);
  });

  it('reads the wall clock in the zone, with midnight as hour 0', () => {
    expect(wallTime(Date.UTC(2026, 10, 22, 16), SH)).toEqual({ year: 2026, month: 11, day: 23, hour: 0, minute: 0, second: 0 });
  });

  it('tells a real time zone from a made-up one', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('the start of the local day', () => {
  it('is local midnight in Shanghai: 16:00 UTC is already 00:00 on the next day', () => {
    const t = Date.UTC(2026, 10, 22, 16);
    expect(startOfLocalDay(t, SH)).toBe(t);
    expect(isoInZone(startOfLocalDay(t, SH), SH)).toBe('2026-11-23T00:00:00.000+08:00');
  });

  it('puts the last millisecond before local midnight on the previous day', () => {
    const t = Date.UTC(2026, 10, 22, 15, 59, 59, 999);
    expect(isoInZone(startOfLocalDay(t, SH), SH)).toBe('2026-11-22T00:00:00.000+08:00');
  });

  it('is a Shanghai midnight at or before the instant and less than a day before it', () => {
    fc.assert(fc.property(sinceChinaDst, (ms) => {
      const start = startOfLocalDay(ms, SH);
      expect(start).toBeLessThanOrEqual(ms);
      expect(ms - start).toBeLessThan(DAY_MS);
      expect(isoInZone(start, SH)).toMatch(/T00:00:00\.000\+08:00$/);
      expect(wallTime(start, SH).day).toBe(wallTime(ms, SH).day);
    }), { numRuns: 1000 });
  });

  it('is local midnight in New York on the days the clocks change', () => {
    // Noon on the spring-forward day: the day is 23 hours long and started at 00:00 EST.
    expect(isoInZone(startOfLocalDay(Date.UTC(2026, 2, 8, 16), NY), NY)).toBe('2026-03-08T00:00:00.000-05:00');
    // Noon on the fall-back day: the day is 25 hours long and started at 00:00 EDT.
    expect(isoInZone(startOfLocalDay(Date.UTC(2026, 10, 1, 17), NY), NY)).toBe('2026-11-01T00:00:00.000-04:00');
  });

  it.each([NY, SH, 'Europe/London'])('is a midnight at or before the instant, on the same local date, whatever the season, in %s', (tz) => {
    fc.assert(fc.property(instants, (ms) => {
      const start = startOfLocalDay(ms, tz);
      expect(start).toBeLessThanOrEqual(ms);
      expect(ms - start).toBeLessThan(25 * HOUR_MS);
      const w = wallTime(start, tz);
      const now = wallTime(ms, tz);
      expect([w.year, w.month, w.day, w.hour, w.minute, w.second]).toEqual([now.year, now.month, now.day, 0, 0, 0]);
    }), { numRuns: 1000 });
  });

  it('starts the day at the change where the clocks skip midnight itself', () => {
    // Chile moves from 00:00 -04:00 to 01:00 -03:00 on the first Sunday of September.
    const noon = Date.UTC(2026, 8, 6, 15);
    expect(isoInZone(startOfLocalDay(noon, 'America/Santiago'), 'America/Santiago')).toBe('2026-09-06T01:00:00.000-03:00');
  });
});

describe('hour buckets', () => {
  it('cuts an instant down to the start of its UTC hour', () => {
    const t = Date.UTC(2026, 10, 22, 12, 38, 5, 123);
    expect(hourOf(t)).toBe(Date.UTC(2026, 10, 22, 12));
    expect(hourOf(Date.UTC(2026, 10, 22, 12))).toBe(Date.UTC(2026, 10, 22, 12));
  });
});
