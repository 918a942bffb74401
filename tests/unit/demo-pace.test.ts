/**
 * The demo's clock of life (server/demo/pace.ts): working hours in the community's time zone,
 * and the one lifecycle model the seeded history and the simulator share.
 */
import { describe, expect, it } from 'vitest';
import {
  addWorkingTime, busiestRate, HOURS, lastWithin, nextEventStep, nextEventStepAfter, nextOpening, poisson, reportsPerDay,
  withinHours, type PacedEvent,
} from '../../server/demo/pace.ts';
import { seededRandom } from '../../server/demo/seed.ts';
import { HOUR_MS } from '../../shared/time.ts';

const TZ = 'Asia/Shanghai';
const at = (local: string) => Date.parse(`${local}+08:00`);
const MIN = 60_000;

describe('working hours in the community\'s time zone', () => {
  it('opens at 08:30 after a night, and is open at noon', () => {
    expect(nextOpening(at('2026-03-10T02:08:00'), HOURS.office, TZ)).toBe(at('2026-03-10T08:30:00'));
    expect(nextOpening(at('2026-03-10T12:00:00'), HOURS.office, TZ)).toBe(at('2026-03-10T12:00:00'));
    expect(nextOpening(at('2026-03-10T18:00:00'), HOURS.office, TZ)).toBe(at('2026-03-11T08:30:00'));
  });

  it('carries what is left at closing time over to the next morning', () => {
    expect(addWorkingTime(at('2026-03-10T16:00:00'), 3 * HOUR_MS, HOURS.office, TZ)).toBe(at('2026-03-11T10:00:00'));
    expect(addWorkingTime(at('2026-03-10T02:08:00'), 0, HOURS.office, TZ)).toBe(at('2026-03-10T08:30:00'));
    // Two whole office days (9 hours each) and an hour.
    expect(addWorkingTime(at('2026-03-10T08:30:00'), 19 * HOUR_MS, HOURS.office, TZ)).toBe(at('2026-03-12T09:30:00'));
  });

  it('finds the last office moment before a night start: yesterday\'s closing', () => {
    const last = lastWithin(at('2026-03-10T02:08:00'), HOURS.office, TZ);
    expect(last).toBe(at('2026-03-09T17:30:00') - 1);
    expect(withinHours(last, HOURS.office, TZ)).toBe(true);
  });
});

describe('the grid-event pace shared by history and simulator', () => {
  it('reports about 109 events a day at SIM_RATE 10, and a seed of that many a day has the same peak rate', () => {
    expect(Math.round(reportsPerDay(10))).toBe(109);
    expect(busiestRate(reportsPerDay(10))).toBeCloseTo(10);
  });

  it('draws as many reports as the mean asks for, on average', () => {
    const rand = seededRandom(5);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += poisson(rand, 0.3);
    expect(sum / 20_000).toBeCloseTo(0.3, 1);
    expect(poisson(rand, 0)).toBe(0);
  });

  it('carries an event on from where its life has got to: the next step is always after the start, never a burst', () => {
    const rand = seededRandom(9);
    const now = at('2026-03-10T02:08:00');
    const e: PacedEvent = { status: 'in_progress', category: 'environment', urgency: 'normal', source: 'resident', dispatchedAt: now - 30 * HOUR_MS };
    const steps = Array.from({ length: 500 }, () => nextEventStepAfter(rand, e, now - 29 * HOUR_MS, now, TZ)!);
    expect(steps.every((s) => s.action === 'resolve' && s.at > now)).toBe(true);
    // Spread over the hours to come, not all at once.
    const within10min = steps.filter((s) => s.at < now + 10 * MIN).length;
    expect(within10min).toBeLessThan(25);
  });

  it('has grid workers resolve an ordinary event in street hours, an urgent one at once', () => {
    const rand = seededRandom(3);
    const night = at('2026-03-10T01:00:00');
    for (let i = 0; i < 200; i++) {
      const ordinary = nextEventStep(rand, { status: 'dispatched', category: 'environment', urgency: 'normal', source: 'patrol', dispatchedAt: night, signedAt: night }, night, TZ)!;
      expect(withinHours(ordinary.at, HOURS.street, TZ)).toBe(true);
      const urgent = nextEventStep(rand, { status: 'dispatched', category: 'fire', urgency: 'urgent', source: 'patrol', dispatchedAt: night, signedAt: night }, night, TZ)!;
      expect(urgent.at).toBeLessThan(night + HOUR_MS);
    }
  });
});
