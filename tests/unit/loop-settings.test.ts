import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_LOOP_SETTINGS, duplicateRule, handleDueAt, isWorkingDate, loopRules, loopSettingsSchema, saveLoopSettingsBody,
  settingsChanges, type LoopSettings, type WorkCalendar,
} from '../../shared/loop-settings.ts';
import { DEFAULT_RULES } from '../../shared/lifecycle.ts';
import { CATEGORIES, URGENCIES, timeLimitFor } from '../../shared/taxonomy.ts';
import { localDay, wallTime } from '../../shared/time.ts';
import { zodIssues } from '../../server/errors.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
/** A local Shanghai reading as an instant. */
const at = (date: string, time = '10:00') => Date.parse(`${date}T${time}:00+08:00`);
const days = (amount: number) => ({ amount, unit: 'working_days' as const });
const NONE: WorkCalendar = { nonWorkingDays: [], workingDays: [] };

/**
 * 国庆 2026 as the State Council set it: 1–7 October off (a Thursday to a Wednesday), Sunday
 * 27 September and Saturday 10 October worked in their place (调休).
 */
const NATIONAL_DAY: WorkCalendar = {
  nonWorkingDays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  workingDays: ['2026-09-27', '2026-10-10'],
};

const calendarArb = fc.record({
  nonWorkingDays: fc.uniqueArray(fc.integer({ min: 0, max: 120 }), { maxLength: 30 }),
  workingDays: fc.uniqueArray(fc.integer({ min: 0, max: 120 }), { maxLength: 10 }),
}).map(({ nonWorkingDays, workingDays }) => {
  const day = (n: number) => new Date(Date.UTC(2026, 8, 1) + n * 86_400_000).toISOString().slice(0, 10);
  const off = nonWorkingDays.map(day);
  return { nonWorkingDays: off, workingDays: workingDays.map(day).filter((d) => !off.includes(d)) };
});
/** An instant in September–October 2026, to the minute. */
const instantArb = fc.integer({ min: 0, max: 60 * 24 * 60 }).map((m) => at('2026-09-01', '00:00') + m * 60_000);

describe('working days in the community calendar', () => {
  it('never ends a deadline of working days on a day off', () => {
    fc.assert(fc.property(instantArb, fc.integer({ min: 1, max: 20 }), calendarArb, (from, n, cal) => {
      const day = localDay(handleDueAt(from, days(n), TZ, cal), TZ);
      const weekend = [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
      // Read from the calendar here, not through the module's own test of a day.
      expect(cal.workingDays.includes(day) || (!weekend && !cal.nonWorkingDays.includes(day))).toBe(true);
      expect(isWorkingDate(day, cal)).toBe(true);
    }));
  });

  it('keeps the local time of day it started at', () => {
    fc.assert(fc.property(instantArb, fc.integer({ min: 1, max: 20 }), calendarArb, (from, n, cal) => {
      const a = wallTime(from, TZ);
      const b = wallTime(handleDueAt(from, days(n), TZ, cal), TZ);
      expect([b.hour, b.minute]).toEqual([a.hour, a.minute]);
    }));
  });

  it('returns the start when adding nothing', () => {
    fc.assert(fc.property(instantArb, calendarArb, (from, cal) => {
      expect(handleDueAt(from, days(0), TZ, cal)).toBe(from);
      expect(handleDueAt(from, { amount: 0, unit: 'hours' }, TZ, cal)).toBe(from);
    }));
  });

  it('adds N then M working days as N + M from a working day', () => {
    fc.assert(fc.property(instantArb, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), calendarArb, (from, n, m, cal) => {
      fc.pre(isWorkingDate(localDay(from, TZ), cal));
      const stepwise = handleDueAt(handleDueAt(from, days(n), TZ, cal), days(m), TZ, cal);
      expect(stepwise).toBe(handleDueAt(from, days(n + m), TZ, cal));
    }));
  });

  it('takes a Friday plus one working day to Monday at the same time', () => {
    expect(handleDueAt(at('2026-11-20', '16:30'), days(1), TZ, NONE)).toBe(at('2026-11-23', '16:30'));
  });

  it('steps over a holiday week from the day before it, and counts the 调休 Saturday after it', () => {
    // Wednesday 30 September + 1 → Thursday 8 October (1–7 off; Sunday 4 is a weekend anyway).
    expect(handleDueAt(at('2026-09-30', '09:00'), days(1), TZ, NATIONAL_DAY)).toBe(at('2026-10-08', '09:00'));
    // + 3 → Saturday 10 October, worked in place of a holiday.
    expect(handleDueAt(at('2026-09-30', '09:00'), days(3), TZ, NATIONAL_DAY)).toBe(at('2026-10-10', '09:00'));
    // The Sunday before the holiday is worked too: Saturday 26 September + 1 → Sunday 27.
    expect(handleDueAt(at('2026-09-26', '09:00'), days(1), TZ, NATIONAL_DAY)).toBe(at('2026-09-27', '09:00'));
  });

  it('counts from the first working day after a day off (a report taken on Saturday, one working day: Monday)', () => {
    expect(handleDueAt(at('2026-11-21', '11:00'), days(1), TZ, NONE)).toBe(at('2026-11-23', '11:00'));
  });

  it('adds calendar hours over weekends and holidays alike', () => {
    expect(handleDueAt(at('2026-09-30', '09:00'), { amount: 72, unit: 'hours' }, TZ, NATIONAL_DAY)).toBe(at('2026-09-30', '09:00') + 72 * HOUR);
  });

  it('counts local days in a zone with daylight saving (New York, the November change)', () => {
    const from = Date.parse('2026-10-30T10:00:00-04:00'); // Friday, EDT
    expect(handleDueAt(from, days(1), 'America/New_York', NONE)).toBe(Date.parse('2026-11-02T10:00:00-05:00')); // Monday, EST
  });
});

describe('the default settings', () => {
  it('are taxonomy\'s table, so an install that never saved settings keeps its deadlines', () => {
    const rules = loopRules(DEFAULT_LOOP_SETTINGS, TZ);
    const from = at('2026-10-01', '08:00');
    for (const c of CATEGORIES) {
      for (const u of URGENCIES) {
        expect(rules.dispatchDueAt(c.code, u, from)).toBe(DEFAULT_RULES.dispatchDueAt(c.code, u, from));
        expect(rules.handleDueAt(c.code, u, from)).toBe(from + timeLimitFor(c.code, u).handleHours * HOUR);
      }
    }
    expect(rules.remindAtRemaining).toBe(0.2);
  });

  it('fit the schema, and ask for evidence where a photo proves the fix', () => {
    expect(loopSettingsSchema.safeParse(DEFAULT_LOOP_SETTINGS).success).toBe(true);
    expect(DEFAULT_LOOP_SETTINGS.evidence.environment).toBe(true);
    expect(DEFAULT_LOOP_SETTINGS.evidence.dispute).toBe(false);
    expect(duplicateRule(DEFAULT_LOOP_SETTINGS, 'environment')).toEqual({ radiusM: 100, windowHours: 72 });
  });
});

describe('checking settings', () => {
  const copy = (): LoopSettings => structuredClone(DEFAULT_LOOP_SETTINGS) as LoopSettings;
  const fields = (v: unknown) => {
    const r = saveLoopSettingsBody.safeParse(v);
    return r.success ? [] : zodIssues(r.error).map((i) => i.field);
  };

  it('names the path of a limit out of bounds for its unit', () => {
    const s = copy();
    s.limits.environment!.urgent.handle = { amount: 61, unit: 'working_days' };
    expect(fields({ ...s, expectedVersion: 0 })).toEqual(['limits.environment.urgent.handle.amount']);
  });

  it('wants every category, and no unknown one', () => {
    const s = copy() as unknown as { limits: Record<string, unknown> };
    delete s.limits.fire;
    s.limits.weather = s.limits.environment;
    expect(fields({ ...s, expectedVersion: 0 }).sort()).toEqual(['limits.fire', 'limits.weather']);
  });

  it('refuses a date that does not exist and one both worked and off', () => {
    const s = copy();
    s.calendar = { nonWorkingDays: ['2026-02-30', '2026-10-01'], workingDays: ['2026-10-01'] };
    expect(fields({ ...s, expectedVersion: 0 }).sort()).toEqual(['calendar.nonWorkingDays[0]', 'calendar.workingDays[0]']);
    s.calendar.nonWorkingDays = ['2026-10-01'];
    expect(fields({ ...s, expectedVersion: 0 })).toEqual(['calendar.workingDays[0]']);
  });

  it('lists what changed, field by field', () => {
    const s = copy();
    s.limits.environment!.normal.handle = { amount: 1, unit: 'working_days' };
    s.calendar.nonWorkingDays = ['2026-10-01'];
    expect(settingsChanges(DEFAULT_LOOP_SETTINGS, s)).toEqual([
      { path: 'limits.environment.normal.handle', before: { amount: 72, unit: 'hours' }, after: { amount: 1, unit: 'working_days' } },
      { path: 'calendar.nonWorkingDays', before: [], after: ['2026-10-01'] },
    ]);
  });
});
