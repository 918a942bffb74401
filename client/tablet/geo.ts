/**
 * The community's grids on the tablet, pure: which grid a point lies in (point in polygon, holes
 * and MultiPolygons included) and the flat projection the map's SVG is drawn in, both ways (a
 * tap on the map back to a place). No tiles, no chart library: the grids GeoJSON is the map.
 *
 * Coordinates are WGS-84 [lng, lat] throughout, as the database keeps them (grids are converted
 * to WGS-84 when imported: docs/DOMAIN.md) and as the tablet's GPS gives them: stored as is.
 * Only a place copied from a Chinese map app (高德, 腾讯: GCJ-02) is converted, by `fromGcj02`
 * in report-location.ts, with gcoord.
 */

export type Position = [number, number];
type Ring = Position[];

export interface GridFeature {
  id: string;
  name: { zh: string; en: string };
  /** Polygons, each its outer ring then its holes. */
  polygons: Ring[][];
}

interface RawFeature {
  id?: string | number;
  properties?: { id?: unknown; name_zh?: unknown; name_en?: unknown } | null;
  geometry?: { type?: unknown; coordinates?: unknown } | null;
}

/** The grids of `GET /api/v1/grids` (a FeatureCollection), as polygons; features without one are skipped. */
export function gridsOf(geojson: unknown): GridFeature[] {
  const features = (geojson as { features?: unknown } | null)?.features;
  if (!Array.isArray(features)) return [];
  const out: GridFeature[] = [];
  for (const f of features as RawFeature[]) {
    const g = f.geometry;
    const polygons = g?.type === 'Polygon' ? [g.coordinates as Ring[]] : g?.type === 'MultiPolygon' ? (g.coordinates as Ring[][]) : null;
    if (!polygons || !Array.isArray(polygons)) continue;
    const id = String(f.properties?.id ?? f.id ?? '');
    if (!id) continue;
    const zh = typeof f.properties?.name_zh === 'string' ? f.properties.name_zh : id;
    const en = typeof f.properties?.name_en === 'string' ? f.properties.name_en : zh;
    out.push({ id, name: { zh, en }, polygons });
  }
  return out;
}

/** Whether `p` lies inside `ring` (even-odd ray casting; a point on an edge may fall either way). */
export function inRing([x, y]: Position, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside a polygon: inside its outer ring and in none of its holes. */
export function inPolygon(p: Position, polygon: Ring[]): boolean {
  const [outer, ...holes] = polygon;
  return !!outer && inRing(p, outer) && !holes.some((h) => inRing(p, h));
}

/** The grid `p` lies in, or null (outside every grid). */
export function gridAt(p: Position, grids: readonly GridFeature[]): GridFeature | null {
  return grids.find((g) => g.polygons.some((poly) => inPolygon(p, poly))) ?? null;
}

/** An equirectangular view of the grids, east–west shrunk by cos(latitude) so shapes look true. */
export interface MapFrame {
  minLng: number;
  maxLat: number;
  /** SVG units per degree of longitude and of latitude. */
  kx: number;
  ky: number;
  width: number;
  height: number;
}

/** A frame holding every grid with `pad` (a share of the size) around, `width` SVG units wide. */
export function frameOf(grids: readonly GridFeature[], width = 1000, pad = 0.04): MapFrame | null {
  let minLng = Infinity, maxLng = -Infinity, minLat = Infinity, maxLat = -Infinity;
  for (const g of grids) for (const poly of g.polygons) for (const [lng, lat] of poly[0] ?? []) {
    minLng = Math.min(minLng, lng); maxLng = Math.max(maxLng, lng);
    minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
  }
  if (!Number.isFinite(minLng) || maxLng <= minLng || maxLat <= minLat) return null;
  const dx = (maxLng - minLng) * pad, dy = (maxLat - minLat) * pad;
  minLng -= dx; maxLng += dx; minLat -= dy; maxLat += dy;
  const cos = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const kx = width / (maxLng - minLng);
  const ky = kx / cos;
  return { minLng, maxLat, kx, ky, width, height: Math.round((maxLat - minLat) * ky) };
}

/** A place to SVG coordinates. */
export function project(f: MapFrame, [lng, lat]: Position): [number, number] {
  return [(lng - f.minLng) * f.kx, (f.maxLat - lat) * f.ky];
}

/** SVG coordinates back to a place (a tap on the map). */
export function unproject(f: MapFrame, [x, y]: [number, number]): Position {
  return [f.minLng + x / f.kx, f.maxLat - y / f.ky];
}

/** The SVG path of a grid. */
export function pathOf(f: MapFrame, g: GridFeature): string {
  const r = (n: number) => Math.round(n * 10) / 10;
  return g.polygons.flatMap((poly) => poly.map((ring) => 'M' + ring.map((p) => project(f, p).map(r).join(',')).join('L') + 'Z')).join('');
}

/** The middle of a grid's largest ring's bounding box: where its label goes. */
export function labelAt(f: MapFrame, g: GridFeature): [number, number] {
  let best: Ring = [];
  for (const poly of g.polygons) if ((poly[0]?.length ?? 0) > best.length) best = poly[0]!;
  const xs = best.map((p) => project(f, p)[0]), ys = best.map((p) => project(f, p)[1]);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}
