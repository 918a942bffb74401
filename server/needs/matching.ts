/**
 * Matching (供需对接): which resources could meet a need, best first, each with the reasons a
 * coordinator reads before accepting one. A pure function of the need, the resources and the
 * clock: the service reads the rows, this ranks them, the service stores the proposals.
 *
 * Candidates are resources that are available, have a free place (in use < capacity) and
 * serve the need's category or a related one (RELATED_CATEGORIES). Each scores points:
 *
 * | what                                   | points |
 * |----------------------------------------|--------|
 * | same category / a related one          | 40 / 20 |
 * | skills: share of the wanted skills it has | up to 25 |
 * | place: same grid / a neighbouring grid / the whole community (or the need has no grid) / another grid | 20 / 12 / 10 / 0 |
 * | time: available now / before the need is due (at least the next 24 h) / not before | 10 / 5 / 0 |
 * | load: share of its capacity still free | up to 5 |
 *
 * Ties go to the less loaded resource, then the older one (lower id), so the ranking is stable.
 */
import { RELATED_CATEGORIES, type Availability, type MatchReason, type ResourceStatus } from '../../shared/needs.ts';
import type { ServiceCategory } from '../../shared/subjects.ts';
import { DAY_MS, HOUR_MS, startOfLocalDay, wallTime } from '../../shared/time.ts';

export const MATCH_POINTS = {
  category: 40,
  relatedCategory: 20,
  skills: 25,
  sameGrid: 20,
  adjacentGrid: 12,
  communityWide: 10,
  availableNow: 10,
  availableSoon: 5,
  load: 5,
} as const;

/** The part of a need matching reads. */
export interface MatchNeed {
  category: ServiceCategory;
  skills: readonly string[];
  gridId: string | null;
  dueAt: number;
}

/** The part of a resource matching reads. */
export interface MatchResource {
  id: number;
  category: ServiceCategory;
  skills: readonly string[];
  gridId: string | null;
  availability: Availability | null;
  capacity: number;
  inUse: number;
  status: ResourceStatus;
}

export interface MatchOptions {
  now: number;
  /** The community's time zone: availability windows are local times. */
  timeZone: string;
  /** Each grid's neighbours (see `gridNeighbours`); none when absent. */
  neighbours?: ReadonlyMap<string, ReadonlySet<string>>;
  /** At most this many proposals (5). */
  limit?: number;
}

export interface Proposal {
  resourceId: number;
  /** 0–100, one decimal. */
  score: number;
  reasons: MatchReason[];
}

/**
 * The resources that could meet `need`, best first, at most `limit`.
 *
 * @example proposeMatches({ category: 'meals', skills: [], gridId: 'G03', dueAt }, resources, { now, timeZone })
 *   → [{ resourceId: 7, score: 75, reasons: [{ key: 'match.reason.category' }, { key: 'match.reason.same_grid' }, …] }, …]
 */
export function proposeMatches(need: MatchNeed, resources: readonly MatchResource[], opts: MatchOptions): Proposal[] {
  const ranked: { p: Proposal; load: number }[] = [];
  for (const r of resources) {
    if (r.status !== 'available' || r.inUse >= r.capacity) continue;
    const same = r.category === need.category;
    if (!same && !RELATED_CATEGORIES[need.category].includes(r.category)) continue;
    const reasons: MatchReason[] = [];
    let score = 0;

    if (same) (score += MATCH_POINTS.category, reasons.push({ key: 'match.reason.category' }));
    else (score += MATCH_POINTS.relatedCategory, reasons.push({ key: 'match.reason.related_category' }));

    if (need.skills.length) {
      const shared = need.skills.filter((s) => r.skills.includes(s));
      score += (MATCH_POINTS.skills * shared.length) / need.skills.length;
      reasons.push(shared.length ? { key: 'match.reason.skills', params: { skills: shared.join('、') } } : { key: 'match.reason.no_skills' });
    }

    if (!need.gridId || !r.gridId) {
      score += MATCH_POINTS.communityWide;
      if (!r.gridId) reasons.push({ key: 'match.reason.community_wide' });
    } else if (r.gridId === need.gridId) {
      score += MATCH_POINTS.sameGrid;
      reasons.push({ key: 'match.reason.same_grid' });
    } else if (opts.neighbours?.get(need.gridId)?.has(r.gridId)) {
      score += MATCH_POINTS.adjacentGrid;
      reasons.push({ key: 'match.reason.adjacent_grid' });
    } else {
      reasons.push({ key: 'match.reason.other_grid' });
    }

    const horizon = Math.max(need.dueAt, opts.now + DAY_MS);
    const next = nextAvailable(r.availability, opts.now, opts.timeZone);
    if (next === opts.now) {
      score += MATCH_POINTS.availableNow;
      reasons.push({ key: 'match.reason.available_now' });
    } else if (next !== null && next <= horizon) {
      score += MATCH_POINTS.availableSoon;
      reasons.push({ key: 'match.reason.available_soon', params: { hours: Math.ceil((next - opts.now) / HOUR_MS) } });
    } else {
      reasons.push({ key: 'match.reason.not_before_due' });
    }

    const free = (r.capacity - r.inUse) / r.capacity;
    score += MATCH_POINTS.load * free;
    reasons.push({ key: 'match.reason.load', params: { inUse: r.inUse, capacity: r.capacity } });

    ranked.push({ p: { resourceId: r.id, score: Math.round(score * 10) / 10, reasons }, load: 1 - free });
  }
  ranked.sort((a, b) => b.p.score - a.p.score || a.load - b.load || a.p.resourceId - b.p.resourceId);
  return ranked.slice(0, opts.limit ?? 5).map((x) => x.p);
}

/**
 * The first instant at or after `from` when a resource with `availability` can serve: `from`
 * itself inside a window, else the start of the next window within a week; null when it has
 * none (no day listed can be reached). No availability means any time.
 */
export function nextAvailable(availability: Availability | null, from: number, timeZone: string): number | null {
  if (!availability) return from;
  const [fh, fm] = availability.from.split(':').map(Number) as [number, number];
  const [th, tm] = availability.to.split(':').map(Number) as [number, number];
  const today = startOfLocalDay(from, timeZone);
  for (let k = 0; k <= 7; k++) {
    // Noon of day k, snapped to its midnight: safe across a clock change.
    const day = k === 0 ? today : startOfLocalDay(today + k * DAY_MS + 12 * HOUR_MS, timeZone);
    if (!availability.days.includes(isoWeekday(day, timeZone))) continue;
    const opens = day + (fh * 60 + fm) * 60_000;
    const closes = day + (th * 60 + tm) * 60_000;
    if (closes > from) return Math.max(opens, from);
  }
  return null;
}

/** 1 = Monday … 7 = Sunday, of the local day `ms` falls in. */
export function isoWeekday(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  return ((new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7) + 1;
}

/**
 * Neighbouring grids: those whose outlines share a corner. Grids that tile a community share
 * their boundary points (imported GeoJSON and the demo community both do), so this finds the
 * grids across each street without any geometry library.
 */
export function gridNeighbours(grids: readonly { id: string; ring: readonly (readonly [number, number])[] }[]): Map<string, Set<string>> {
  const at = new Map<string, Set<string>>();
  for (const g of grids) {
    for (const [x, y] of g.ring) {
      const key = `${x.toFixed(6)},${y.toFixed(6)}`;
      let s = at.get(key);
      if (!s) at.set(key, (s = new Set()));
      s.add(g.id);
    }
  }
  const out = new Map<string, Set<string>>(grids.map((g) => [g.id, new Set<string>()]));
  for (const ids of at.values()) {
    for (const a of ids) for (const b of ids) if (a !== b) out.get(a)!.add(b);
  }
  return out;
}
