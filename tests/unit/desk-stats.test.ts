/** The desk's percentiles are exact by nearest rank: the ⌈p·n⌉-th of the sorted durations, never interpolated. */
import { describe, expect, it } from 'vitest';
import { percentile } from '../../shared/desk-stats.ts';

describe('percentile by nearest rank', () => {
  it('picks the ⌈p·n⌉-th value, so p90 of six is the sixth and p50 the third', () => {
    const six = [1, 2, 3, 4, 5, 6];
    expect(percentile(six, 90)).toBe(6);
    expect(percentile(six, 50)).toBe(3);
    expect(percentile(six, 10)).toBe(1);
  });

  it('gives a value that was measured, never one between two', () => {
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([7], 90)).toBe(7);
  });

  it('has nothing to say about no durations', () => {
    expect(percentile([], 50)).toBeNull();
  });
});
