/**
 * The field logs page's rules without a browser (client/console/fieldwork-view.ts): a period is
 * read in the community's zone, the filters survive a trip through the address, and the answers
 * that need someone are the loud ones.
 */
import { describe, expect, it } from 'vitest';
import { answerTone, answersOf, filtersOf, periodRange, queryOf } from '../../client/console/fieldwork-view.ts';
import { needsAttention } from '../../shared/fieldwork.ts';

// 2026-12-07 01:30 in Shanghai is still 12-06 in UTC.
const NOW = Date.parse('2026-12-06T17:30:00Z');
const TZ = 'Asia/Shanghai';

describe('periodRange', () => {
  it('starts today at the local midnight, not the UTC one', () => {
    expect(periodRange({ period: 'today', from: '', to: '' }, NOW, TZ)).toEqual({ from: '2026-12-07T00:00:00.000+08:00' });
  });

  it('counts today among the last 7 and 30 days', () => {
    expect(periodRange({ period: '7d', from: '', to: '' }, NOW, TZ).from).toBe('2026-12-01T00:00:00.000+08:00');
    expect(periodRange({ period: '30d', from: '', to: '' }, NOW, TZ).from).toBe('2026-11-08T00:00:00.000+08:00');
  });

  it('runs a custom period from its first day to the end of its last, either end open', () => {
    expect(periodRange({ period: 'custom', from: '2026-11-01', to: '2026-11-03' }, NOW, TZ))
      .toEqual({ from: '2026-11-01T00:00:00.000+08:00', to: '2026-11-04T00:00:00.000+08:00' });
    expect(periodRange({ period: 'custom', from: '', to: '2026-11-03' }, NOW, TZ)).toEqual({ to: '2026-11-04T00:00:00.000+08:00' });
    expect(periodRange({ period: 'custom', from: 'soon', to: '' }, NOW, TZ)).toEqual({});
  });
});

describe('the filters in the address', () => {
  it('leave the plain page a plain address and come back as they went', () => {
    expect(queryOf(filtersOf(new URLSearchParams('')))).toEqual({});
    const q = { tab: 'visits', grid: 'G02', by: 'wang-li', period: 'custom', from: '2026-11-01', to: '2026-11-30', attention: 'true' };
    expect(queryOf(filtersOf(new URLSearchParams(q)))).toEqual(q);
  });

  it('drop what the tab does not use, and what they do not know', () => {
    expect(queryOf(filtersOf(new URLSearchParams('tab=patrols&attention=true&period=30d&from=2026-11-01')))).toEqual({ period: '30d' });
    expect(filtersOf(new URLSearchParams('tab=cases&period=year'))).toMatchObject({ tab: 'patrols', period: '7d' });
  });
});

describe('the answers', () => {
  it('make danger, poor and difficult loud, concern and fair amber, the rest quiet', () => {
    expect(answersOf({ safety: 'danger', health: 'poor', living: 'difficult' }).map((a) => a.tone)).toEqual(['danger', 'danger', 'danger']);
    expect(answersOf({ safety: 'concern', health: 'fair', living: 'ok' }).map((a) => a.tone)).toEqual(['warn', 'warn', 'neutral']);
    expect(answerTone('health', 'good')).toBe('neutral');
  });

  it('need follow-up as the server\'s attention=true says', () => {
    expect(needsAttention({ followUp: false, safety: 'concern', health: 'fair' })).toBe(false);
    expect(needsAttention({ followUp: true, safety: 'ok', health: 'good' })).toBe(true);
    expect(needsAttention({ followUp: false, safety: 'danger', health: 'good' })).toBe(true);
    expect(needsAttention({ followUp: false, safety: 'ok', health: 'poor' })).toBe(true);
  });
});
