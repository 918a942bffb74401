import { describe, it, expect } from 'vitest';
import {
  DEMO_COMMUNITY,
  gridAt,
  gridsGeoJson,
  randomPointIn,
} from '../../server/demo/community.ts';
import type { DemoCommunity, DemoGrid } from '../../server/demo/community.ts';
import { seededRandom } from '../../server/demo/seed.ts';

const SUBS: Record<string, string[]> = {
  environment: ['garbage', 'littering', 'illegal_ads', 'occupation', 'greenery'],
  facilities: ['road', 'streetlight', 'manhole', 'elevator', 'water_leak'],
  security: ['suspicious', 'theft', 'noise', 'illegal_rental'],
  fire: ['blocked_exit', 'ebike_charging', 'extinguisher', 'flammables'],
  dispute: ['neighbour', 'property', 'family', 'labour'],
  livelihood: ['water_power', 'subsidy', 'medical', 'paperwork'],
  care: ['elderly_alone', 'disabled', 'minors', 'mental_health'],
  emergency: ['flooding', 'fire_outbreak', 'accident', 'gas_leak'],
};

type Pt = [number, number];

const mulberry32 = seededRandom;

function signedArea(ring: Pt[]): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

function orient(a: Pt, b: Pt, c: Pt): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return Math.abs(v) < 1e-18 ? 0 : Math.sign(v);
}

function onSegment(a: Pt, b: Pt, p: Pt): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1])
  );
}

function segmentsIntersect(p1: Pt, p2: Pt, p3: Pt, p4: Pt): boolean {
  const d1 = orient(p3, p4, p1);
  const d2 = orient(p3, p4, p2);
  const d3 = orient(p1, p2, p3);
  const d4 = orient(p1, p2, p4);
  if (d1 !== d2 && d3 !== d4 && d1 !== 0 && d2 !== 0 && d3 !== 0 && d4 !== 0) return true;
  if (d1 === 0 && onSegment(p3, p4, p1)) return true;
  if (d2 === 0 && onSegment(p3, p4, p2)) return true;
  if (d3 === 0 && onSegment(p1, p2, p3)) return true;
  if (d4 === 0 && onSegment(p1, p2, p4)) return true;
  return false;
}

function selfIntersects(ring: Pt[]): boolean {
  const n = ring.length - 1; // number of edges
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      if (adjacent) continue;
      if (segmentsIntersect(ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!)) return true;
    }
  }
  return false;
}

const key = (p: Pt) => `${p[0]},${p[1]}`;
const only = (c: DemoCommunity, g: DemoGrid): DemoCommunity => ({ ...c, grids: [g] });
const c = DEMO_COMMUNITY;

describe('demo community: data', () => {
  it('has the basic identity', () => {
    expect(c.id).toBe('guihua');
    expect(c.timeZone).toBe('Asia/Shanghai');
    expect(c.name.zh).toBe('桂花社区');
  });

  it('has 10 grids G01…G10 with buildings and landmarks', () => {
    expect(c.grids).toHaveLength(10);
    expect(c.grids.map((g) => g.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `G${String(i + 1).padStart(2, '0')}`),
    );
    for (const g of c.grids) {
      expect(g.name.zh.length).toBeGreaterThan(0);
      expect(g.name.en.length).toBeGreaterThan(0);
      expect(g.buildings.length).toBeGreaterThanOrEqual(8);
      expect(g.buildings.length).toBeLessThanOrEqual(15);
      expect(new Set(g.buildings).size).toBe(g.buildings.length);
      expect(g.landmarks.length).toBeGreaterThanOrEqual(3);
      expect(g.landmarks.length).toBeLessThanOrEqual(5);
    }
  });

  it('has one worker per grid, each in an existing grid, with a well-formed mobile', () => {
    const gridIds = new Set(c.grids.map((g) => g.id));
    expect(c.workers).toHaveLength(10);
    for (const w of c.workers) {
      expect(gridIds.has(w.gridId)).toBe(true);
      expect(w.id.slice(1)).toBe(w.gridId.slice(1));
      expect(w.phone).toMatch(/^1[358]\d{9}$/);
    }
    expect(new Set(c.workers.map((w) => w.gridId)).size).toBe(10);
  });

  it('has 60+ unique resident names, some with compound surnames', () => {
    expect(c.residentNames.length).toBeGreaterThanOrEqual(60);
    expect(new Set(c.residentNames).size).toBe(c.residentNames.length);
    for (const n of c.residentNames) expect(n).toMatch(/^[\u4e00-\u9fff]{2,4}$/);
    expect(c.residentNames.some((n) => n.length === 2)).toBe(true);
    expect(c.residentNames.some((n) => n.length === 3)).toBe(true);
    expect(c.residentNames.some((n) => n.startsWith('欧阳'))).toBe(true);
  });

  it('has 3–6 titles for every sub-category', () => {
    for (const subs of Object.values(SUBS)) {
      for (const sub of subs) {
        const list = c.titles[sub];
        expect(list, sub).toBeDefined();
        expect(list!.length, sub).toBeGreaterThanOrEqual(3);
        expect(list!.length, sub).toBeLessThanOrEqual(6);
        for (const t of list!) {
          expect(t.title.length).toBeGreaterThan(0);
          expect(t.title.length).toBeLessThanOrEqual(30);
          expect(t.description.length).toBeGreaterThan(0);
          const placeholders = t.description.match(/\{[^}]*\}/g) ?? [];
          for (const p of placeholders) expect(['{building}', '{landmark}']).toContain(p);
        }
      }
    }
  });
});

describe('demo community: geometry', () => {
  it('rings are closed, 6–12 vertices, counter-clockwise, rounded, non-self-intersecting', () => {
    for (const g of c.grids) {
      const r = g.ring;
      expect(r[0]).toEqual(r[r.length - 1]);
      const distinct = new Set(r.slice(0, -1).map(key));
      expect(distinct.size, g.id).toBe(r.length - 1);
      expect(r.length - 1, g.id).toBeGreaterThanOrEqual(6);
      expect(r.length - 1, g.id).toBeLessThanOrEqual(12);
      expect(signedArea(r), g.id).toBeGreaterThan(0);
      for (const [x, y] of r) {
        expect(Math.round(x * 1e6) / 1e6).toBe(x);
        expect(Math.round(y * 1e6) / 1e6).toBe(y);
      }
      expect(selfIntersects(r), g.id).toBe(false);
    }
  });

  it('tiles without gaps: inner edges are shared in opposite directions, the rest form one outer ring', () => {
    const directed = new Map<string, number>();
    for (const g of c.grids) {
      for (let i = 0; i + 1 < g.ring.length; i++) {
        const k = `${key(g.ring[i]!)}>${key(g.ring[i + 1]!)}`;
        directed.set(k, (directed.get(k) ?? 0) + 1);
      }
    }
    const boundary = new Map<string, string>(); // from → to
    for (const [k, n] of directed) {
      expect(n, k).toBe(1);
      const [a, b] = k.split('>') as [string, string];
      if (!directed.has(`${b}>${a}`)) {
        expect(boundary.has(a)).toBe(false);
        boundary.set(a, b);
      }
    }
    // the boundary edges form a single cycle
    const start = boundary.keys().next().value!;
    let cur = start;
    let steps = 0;
    do {
      cur = boundary.get(cur)!;
      steps++;
    } while (cur !== start && steps <= boundary.size);
    expect(steps).toBe(boundary.size);
    // areas add up to the outer ring's area
    const outer: Pt[] = [];
    cur = start;
    for (let i = 0; i <= boundary.size; i++) {
      const [x, y] = cur.split(',').map(Number) as [number, number];
      outer.push([x, y]);
      cur = boundary.get(cur)!;
    }
    const sum = c.grids.reduce((s, g) => s + signedArea(g.ring), 0);
    expect(sum).toBeCloseTo(signedArea(outer), 12);
  });

  it('spans about 1.6 km × 1.0 km around the centre', () => {
    const pts = c.grids.flatMap((g) => g.ring);
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const widthKm = (Math.max(...xs) - Math.min(...xs)) * 111.32 * Math.cos((30.289 * Math.PI) / 180);
    const heightKm = (Math.max(...ys) - Math.min(...ys)) * 110.86;
    expect(widthKm).toBeGreaterThan(1.4);
    expect(widthKm).toBeLessThan(1.8);
    expect(heightKm).toBeGreaterThan(0.85);
    expect(heightKm).toBeLessThan(1.2);
  });

  it('puts the community centre inside some grid', () => {
    expect(gridAt(c, c.center[0], c.center[1])).not.toBeNull();
  });

  it('randomPointIn(A) is always found by gridAt as A and by no other grid (no overlaps)', () => {
    const rand = mulberry32(20240601);
    for (const g of c.grids) {
      for (let i = 0; i < 200; i++) {
        const [x, y] = randomPointIn(g, rand);
        expect(gridAt(c, x, y)?.id).toBe(g.id);
        for (const other of c.grids) {
          if (other !== g) expect(gridAt(only(c, other), x, y)).toBeNull();
        }
      }
    }
  });

  it('randomPointIn is deterministic and survives a degenerate rand', () => {
    const g = c.grids[4]!;
    const sample = (seed: number): Pt[] => {
      const r = mulberry32(seed);
      return Array.from({ length: 5 }, () => randomPointIn(g, r));
    };
    expect(sample(7)).toEqual(sample(7));
    expect(sample(7)).not.toEqual(sample(8));
    for (const grid of c.grids) {
      const p = randomPointIn(grid, () => 0);
      expect(gridAt(c, p[0], p[1])?.id).toBe(grid.id);
    }
  });

  it('a grid of points over the whole area is in at most one grid', () => {
    const pts = c.grids.flatMap((g) => g.ring);
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    let inside = 0;
    for (let i = 0; i <= 80; i++) {
      for (let j = 0; j <= 50; j++) {
        const x = x0 + ((x1 - x0) * (i + 0.5)) / 81;
        const y = y0 + ((y1 - y0) * (j + 0.5)) / 51;
        const hits = c.grids.filter((g) => gridAt(only(c, g), x, y) !== null).length;
        expect(hits).toBeLessThanOrEqual(1);
        inside += hits;
      }
    }
    expect(inside).toBeGreaterThan(81 * 51 * 0.9);
    expect(gridAt(c, x0 - 0.01, y0 - 0.01)).toBeNull();
  });

  it('exports the grids as GeoJSON', () => {
    const fc = gridsGeoJson();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(10);
    const f = fc.features[0]!;
    expect(f.geometry.type).toBe('Polygon');
    expect(f.geometry.coordinates[0]).toEqual(c.grids[0]!.ring);
    expect(f.properties).toEqual({ id: 'G01', name_zh: c.grids[0]!.name.zh, name_en: c.grids[0]!.name.en });
    expect(JSON.parse(JSON.stringify(fc))).toEqual(fc);
  });
});
