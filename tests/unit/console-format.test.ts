/**
 * The console's time helpers: the audit log's date filters name whole local days in the
 * community's zone (with the offset on the wire), and times are read in that zone.
 */
import { describe, expect, it } from 'vitest';
import { dateTime, dayEnd, dayStart, relativeTime, waitParts } from '../../client/lib/format.ts';
import { randomPassword } from '../../client/console/password.ts';

describe('console time helpers', () => {
  it('turns a date filter into the first instant of that local day, with its offset', () => {
    expect(dayStart('2026-11-23', 'Asia/Shanghai')).toBe('2026-11-23T00:00:00.000+08:00');
    expect(dayEnd('2026-11-23', 'Asia/Shanghai')).toBe('2026-11-24T00:00:00.000+08:00');
    // The end of a month and of a year roll over.
    expect(dayEnd('2026-12-31', 'Asia/Shanghai')).toBe('2027-01-01T00:00:00.000+08:00');
    expect(dayStart('not a date', 'Asia/Shanghai')).toBeNull();
  });

  it('finds local midnight in zones far from UTC and on a day the clocks change', () => {
    expect(dayStart('2026-03-08', 'America/New_York')).toBe('2026-03-08T00:00:00.000-05:00');
    expect(dayEnd('2026-03-08', 'America/New_York')).toBe('2026-03-09T00:00:00.000-04:00');
    expect(dayStart('2026-06-01', 'Pacific/Kiritimati')).toBe('2026-06-01T00:00:00.000+14:00');
  });

  it('shows an instant in the community zone, not the browser one', () => {
    expect(dateTime('2026-11-22T16:05:09Z', 'Asia/Shanghai')).toBe('2026-11-23 00:05');
    expect(dateTime('2026-11-22T16:05:09Z', 'Asia/Shanghai', true)).toBe('2026-11-23 00:05:09');
    expect(dateTime(null, 'Asia/Shanghai')).toBe('—');
  });

  it('says how long ago in the console language, with a word of its own for just now', () => {
    const now = Date.parse('2026-11-23T08:00:00+08:00');
    expect(relativeTime('2026-11-23T07:59:30+08:00', now, 'zh-CN', '刚刚')).toBe('刚刚');
    expect(relativeTime('2026-11-23T07:57:00+08:00', now, 'zh-CN', '刚刚')).toBe('3分钟前');
    expect(relativeTime('2026-11-23T05:00:00+08:00', now, 'en', 'just now')).toBe('3 hours ago');
    expect(relativeTime(null, now, 'en', 'just now')).toBe('—');
  });

  it('splits a wait into minutes and seconds', () => {
    expect(waitParts(754)).toEqual({ minutes: 12, seconds: 34 });
    expect(waitParts(0.2)).toEqual({ minutes: 0, seconds: 1 });
    expect(waitParts(-5)).toEqual({ minutes: 0, seconds: 0 });
  });

  it('makes passwords long enough and without look-alike characters', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = randomPassword();
      expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{16}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(50);
  });
});
