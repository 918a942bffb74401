import { describe, expect, it } from 'vitest';
import { capacityOf, runningLow } from '../../shared/emergency-people-rules.ts';

describe("a shelter's capacity", () => {
  it('is the usable area at 3.5 m² a person, rounded down, with no floating-point shortfall', () => {
    expect(capacityOf(70, null)).toBe(20);
    expect(capacityOf(100, null)).toBe(28);
    expect(capacityOf(3.49, null)).toBe(0);
    expect(capacityOf(7.7, null)).toBe(2);
  });
  it('is what was set by hand when it was, and unknown with neither', () => {
    expect(capacityOf(100, 40)).toBe(40);
    expect(capacityOf(null, null)).toBeNull();
  });
});

describe('an item running low', () => {
  it('is below 20 % of the most ever on hand, or below its own threshold when set', () => {
    expect(runningLow(9, 50, null)).toBe(true);
    expect(runningLow(10, 50, null)).toBe(false);
    expect(runningLow(30, 50, 40)).toBe(true);
    expect(runningLow(0, 0, null)).toBe(false);
  });
});
