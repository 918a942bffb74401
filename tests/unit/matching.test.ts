/**
 * Matching, as a pure function: which resources are proposed for a need, in what order, and
 * with which reasons a coordinator reads before accepting one.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gridNeighbours, isoWeekday, nextAvailable, proposeMatches, type MatchNeed, type MatchResource } from '../../server/needs/matching.ts';
import { DEMO_COMMUNITY } from '../../server/demo/community.ts';
import { RELATED_CATEGORIES } from '../../shared/needs.ts';
import { SERVICE_CATEGORY_CODES } from '../../shared/subjects.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
/** Tuesday 10 March 2026, 10:00 in Hangzhou. */
const NOW = Date.parse('2026-03-10T10:00:00+08:00');

const need = (over: Partial<MatchNeed> = {}): MatchNeed => ({
  category: 'meals', skills: [], gridId: 'G03', dueAt: NOW + 72 * HOUR, ...over,
});

let nextId = 1;
const resource = (over: Partial<MatchResource> = {}): MatchResource => ({
  id: nextId++, category: 'meals', skills: [], gridId: 'G03', availability: null, capacity: 3, inUse: 0, status: 'available', ...over,
});

const neighbours = gridNeighbours(DEMO_COMMUNITY.grids.map((g) => ({ id: g.id, ring: g.ring })));
const opts = { now: NOW, timeZone: TZ, neighbours };
const keys = (p: { reasons: { key: string }[] }) => p.reasons.map((r) => r.key);

describe('proposeMatches', () => {
  it('proposes only available resources with a free place in the need’s category or a related one', () => {
    const fits = resource();
    const related = resource({ category: 'daily_care' });
    const unrelated = resource({ category: 'legal' });
    const full = resource({ capacity: 2, inUse: 2 });
    const paused = resource({ status: 'paused' });
    const withdrawn = resource({ status: 'withdrawn' });
    const ids = proposeMatches(need(), [fits, related, unrelated, full, paused, withdrawn], opts).map((p) => p.resourceId);
    expect(ids).toEqual([fits.id, related.id]);
  });

  it('ranks the same category above a related one, all else equal', () => {
    const related = resource({ category: 'material_aid' });
    const same = resource();
    const out = proposeMatches(need(), [related, same], opts);
    expect(out.map((p) => p.resourceId)).toEqual([same.id, related.id]);
    expect(keys(out[0]!)).toContain('match.reason.category');
    expect(keys(out[1]!)).toContain('match.reason.related_category');
  });

  it('prefers the same grid, then a neighbouring one, then the whole community, then elsewhere', () => {
    const neighbour = [...neighbours.get('G03')!][0]!;
    const far = DEMO_COMMUNITY.grids.map((g) => g.id).find((g) => g !== 'G03' && !neighbours.get('G03')!.has(g))!;
    const rFar = resource({ gridId: far });
    const rAll = resource({ gridId: null });
    const rNext = resource({ gridId: neighbour });
    const rSame = resource({ gridId: 'G03' });
    const out = proposeMatches(need(), [rFar, rAll, rNext, rSame], opts);
    expect(out.map((p) => p.resourceId)).toEqual([rSame.id, rNext.id, rAll.id, rFar.id]);
    expect(out.map((p) => keys(p).find((k) => /grid|community_wide/.test(k)))).toEqual([
      'match.reason.same_grid', 'match.reason.adjacent_grid', 'match.reason.community_wide', 'match.reason.other_grid',
    ]);
  });

  it('counts the share of the wanted skills a resource has and names them', () => {
    const both = resource({ skills: ['理发', '助老陪伴', '文艺'] });
    const one = resource({ skills: ['理发'] });
    const none = resource({ skills: ['平安巡逻'] });
    const out = proposeMatches(need({ skills: ['理发', '助老陪伴'] }), [none, one, both], opts);
    expect(out.map((p) => p.resourceId)).toEqual([both.id, one.id, none.id]);
    expect(out[0]!.reasons).toContainEqual({ key: 'match.reason.skills', params: { skills: '理发、助老陪伴' } });
    expect(out[1]!.reasons).toContainEqual({ key: 'match.reason.skills', params: { skills: '理发' } });
    expect(keys(out[2]!)).toContain('match.reason.no_skills');
  });

  it('prefers a resource available now to one available before the due time, and that to one not available in time', () => {
    // Tuesday 10:00, due in 48 h: weekday daytime is open now, Tuesday evening in 8 h, the weekend only after the due time.
    const now = resource({ availability: { days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' } });
    const tonight = resource({ availability: { days: [2], from: '18:00', to: '21:00' } });
    const weekend = resource({ availability: { days: [6, 7], from: '09:00', to: '17:00' } });
    const out = proposeMatches(need({ dueAt: NOW + 48 * HOUR }), [weekend, tonight, now], opts);
    expect(out.map((p) => p.resourceId)).toEqual([now.id, tonight.id, weekend.id]);
    expect(keys(out[0]!)).toContain('match.reason.available_now');
    expect(out[1]!.reasons).toContainEqual({ key: 'match.reason.available_soon', params: { hours: 8 } });
    expect(keys(out[2]!)).toContain('match.reason.not_before_due');
  });

  it('breaks a tie by load: the resource with more free places first', () => {
    const busy = resource({ capacity: 4, inUse: 3 });
    const idle = resource({ capacity: 4, inUse: 0 });
    const out = proposeMatches(need(), [busy, idle], opts);
    expect(out.map((p) => p.resourceId)).toEqual([idle.id, busy.id]);
    expect(out[1]!.reasons).toContainEqual({ key: 'match.reason.load', params: { inUse: 3, capacity: 4 } });
  });

  it('returns at most `limit` proposals', () => {
    const many = Array.from({ length: 12 }, () => resource());
    expect(proposeMatches(need(), many, opts)).toHaveLength(5);
    expect(proposeMatches(need(), many, { ...opts, limit: 2 })).toHaveLength(2);
  });

  it('never proposes a full or unavailable resource, and always ranks by descending score (property)', () => {
    const arbResource = fc.record({
      id: fc.integer({ min: 1, max: 10_000 }),
      category: fc.constantFrom(...SERVICE_CATEGORY_CODES),
      skills: fc.subarray(['理发', '助老陪伴', '文艺', '义诊', '家电维修']),
      gridId: fc.constantFrom(null, 'G01', 'G02', 'G03', 'G08', 'G10'),
      availability: fc.constantFrom(null, { days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' }, { days: [6, 7], from: '09:00', to: '12:00' }),
      capacity: fc.integer({ min: 1, max: 5 }),
      inUse: fc.integer({ min: 0, max: 5 }),
      status: fc.constantFrom('available' as const, 'paused' as const, 'withdrawn' as const),
    }).map((r) => ({ ...r, inUse: Math.min(r.inUse, r.capacity) }));
    const arbNeed = fc.record({
      category: fc.constantFrom(...SERVICE_CATEGORY_CODES),
      skills: fc.subarray(['理发', '助老陪伴', '文艺']),
      gridId: fc.constantFrom(null, 'G03', 'G08'),
      dueAt: fc.integer({ min: NOW - 24 * HOUR, max: NOW + 14 * 24 * HOUR }),
    });
    fc.assert(fc.property(arbNeed, fc.uniqueArray(arbResource, { selector: (r) => r.id, maxLength: 30 }), (n, rs) => {
      const out = proposeMatches(n, rs, { ...opts, limit: 30 });
      const byId = new Map(rs.map((r) => [r.id, r]));
      for (const p of out) {
        const r = byId.get(p.resourceId)!;
        expect(r.status).toBe('available');
        expect(r.inUse).toBeLessThan(r.capacity);
        expect(r.category === n.category || RELATED_CATEGORIES[n.category].includes(r.category)).toBe(true);
        expect(p.score).toBeGreaterThan(0);
        expect(p.score).toBeLessThanOrEqual(100);
      }
      for (let i = 1; i < out.length; i++) expect(out[i - 1]!.score).toBeGreaterThanOrEqual(out[i]!.score);
    }));
  });
});

describe('nextAvailable', () => {
  const weekdays = { days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' };

  it('is now inside a window, the next opening outside one, and any time without a window', () => {
    expect(nextAvailable(weekdays, NOW, TZ)).toBe(NOW);
    expect(nextAvailable(weekdays, Date.parse('2026-03-10T07:00:00+08:00'), TZ)).toBe(Date.parse('2026-03-10T08:30:00+08:00'));
    // Friday evening → Monday morning.
    expect(nextAvailable(weekdays, Date.parse('2026-03-13T18:00:00+08:00'), TZ)).toBe(Date.parse('2026-03-16T08:30:00+08:00'));
    expect(nextAvailable(null, NOW, TZ)).toBe(NOW);
  });

  it('reads weekdays in the community’s time zone, not UTC', () => {
    // 2026-03-14 is a Saturday; 07:30 in Hangzhou is still Friday in UTC.
    expect(isoWeekday(Date.parse('2026-03-14T07:30:00+08:00'), TZ)).toBe(6);
    expect(nextAvailable({ days: [6], from: '07:00', to: '12:00' }, Date.parse('2026-03-14T07:30:00+08:00'), TZ))
      .toBe(Date.parse('2026-03-14T07:30:00+08:00'));
  });
});

describe('gridNeighbours', () => {
  it('finds the demo grids across each street, symmetrically, and not a grid itself', () => {
    for (const [g, ns] of neighbours) {
      expect(ns.has(g)).toBe(false);
      for (const n of ns) expect(neighbours.get(n)!.has(g)).toBe(true);
    }
    // 桂花苑 (north-west corner) borders 丹枫新村 to the east and 丝绸厂宿舍 to the south, not 溪畔苑 in the far south-east.
    expect(neighbours.get('G01')!.has('G02')).toBe(true);
    expect(neighbours.get('G01')!.has('G05')).toBe(true);
    expect(neighbours.get('G01')!.has('G10')).toBe(false);
  });
});
