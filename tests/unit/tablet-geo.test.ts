/**
 * The tablet's map and photos, pure (client/tablet/geo.ts, client/tablet/photo-plan.ts): the
 * grid a pin falls in fills the report's grid; a tap on the drawn map comes back to the same
 * place; a camera's 12-megapixel photo is drawn at 2,048 px, a small JPEG is kept as is.
 */
import { describe, expect, it } from 'vitest';
import { frameOf, gridAt, gridsOf, inPolygon, project, unproject } from '../../client/tablet/geo.ts';
import { hex, photoPlan } from '../../client/tablet/photo-plan.ts';

// Two grids side by side; the east one has a courtyard (a hole), and a detached MultiPolygon part.
const square = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
const geojson = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', id: 'G01', properties: { id: 'G01', name_zh: '一网格', name_en: 'Grid 1' }, geometry: { type: 'Polygon', coordinates: [square(120.0, 30.0, 120.01, 30.01)] } },
    {
      type: 'Feature', id: 'G02', properties: { id: 'G02', name_zh: '二网格', name_en: 'Grid 2' },
      geometry: { type: 'MultiPolygon', coordinates: [[square(120.01, 30.0, 120.02, 30.01), square(120.014, 30.004, 120.016, 30.006)], [square(120.03, 30.0, 120.04, 30.01)]] },
    },
    { type: 'Feature', id: 'G09', properties: { id: 'G09' }, geometry: null },
  ],
};
const grids = gridsOf(geojson);

describe('the grid a pin falls in', () => {
  it('reads the grids, skipping a feature with no shape', () => {
    expect(grids.map((g) => g.id)).toEqual(['G01', 'G02']);
    expect(grids[0]!.name).toEqual({ zh: '一网格', en: 'Grid 1' });
  });

  it('is the polygon the point lies in', () => {
    expect(gridAt([120.005, 30.005], grids)?.id).toBe('G01');
    expect(gridAt([120.012, 30.002], grids)?.id).toBe('G02');
    expect(gridAt([120.035, 30.005], grids)?.id).toBe('G02'); // the detached part
  });

  it('is none in a hole or outside every grid', () => {
    expect(gridAt([120.015, 30.005], grids)).toBeNull();
    expect(gridAt([120.025, 30.005], grids)).toBeNull();
    expect(gridAt([121, 31], grids)).toBeNull();
  });

  it('handles a concave polygon', () => {
    const l = [[[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]] as [number, number][][];
    expect(inPolygon([0.5, 1.5], l)).toBe(true);
    expect(inPolygon([1.5, 1.5], l)).toBe(false);
  });
});

describe('the drawn map', () => {
  const f = frameOf(grids)!;
  it('holds every grid, north up, shapes kept true', () => {
    const [x0, y0] = project(f, [120.0, 30.01]);
    const [x1, y1] = project(f, [120.04, 30.0]);
    expect(x0).toBeGreaterThan(0);
    expect(y0).toBeGreaterThan(0);
    expect(x1).toBeLessThan(f.width);
    expect(y1).toBeLessThan(f.height);
    // A degree of latitude is longer on the map than one of longitude at 30°N (1 / cos 30° ≈ 1.155).
    expect(f.ky / f.kx).toBeCloseTo(1 / Math.cos((30.005 * Math.PI) / 180), 3);
  });

  it('brings a tap back to the place it shows', () => {
    const place: [number, number] = [120.0123, 30.0077];
    const back = unproject(f, project(f, place));
    expect(back[0]).toBeCloseTo(place[0], 9);
    expect(back[1]).toBeCloseTo(place[1], 9);
  });
});

describe('a photo before it is kept', () => {
  it('draws a 12-megapixel camera photo at 2,048 px on its long side, portrait or landscape', () => {
    expect(photoPlan({ width: 4032, height: 3024, type: 'image/jpeg', bytes: 3_500_000 })).toEqual({ keep: false, width: 2048, height: 1536 });
    expect(photoPlan({ width: 3024, height: 4032, type: 'image/jpeg', bytes: 3_500_000 })).toEqual({ keep: false, width: 1536, height: 2048 });
  });

  it('keeps a small, light JPEG as the camera wrote it', () => {
    expect(photoPlan({ width: 1600, height: 1200, type: 'image/jpeg', bytes: 400_000 })).toEqual({ keep: true });
  });

  it('redraws a small but heavy photo, or one in another format, as a JPEG at its own size', () => {
    expect(photoPlan({ width: 1600, height: 1200, type: 'image/jpeg', bytes: 2_000_000 })).toEqual({ keep: false, width: 1600, height: 1200 });
    expect(photoPlan({ width: 800, height: 600, type: 'image/png', bytes: 90_000 })).toEqual({ keep: false, width: 800, height: 600 });
  });

  it('names bytes by their lower-case hex digest', async () => {
    const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'));
    expect(hex(d)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
