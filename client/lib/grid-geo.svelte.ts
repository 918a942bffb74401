/**
 * The community's grid polygons (GeoJSON from `GET /api/v1/grids`), fetched once at start and
 * registered with ECharts as the map `community`. A failed fetch is retried with backoff (1 s,
 * 2 s, 4 s … up to a minute) so a display that boots before the server comes up still gets its map.
 * A paired wall sends its device token (`Authorization: Bearer cbd_…`): the grids are its community's.
 * ECharts is loaded for the registration, in parallel with the fetch (it is not in the page's
 * first script).
 */
import { chartEngines, mapEngine } from './chart-engine.svelte.ts';
import type { Engine } from './echarts.ts';

export const MAP_NAME = 'community';

interface GridFeature {
  type: 'Feature';
  id?: string | number;
  properties: { id?: string; name_zh?: string; name_en?: string; [k: string]: unknown } | null;
  geometry: { type: string; coordinates: unknown } | null;
}

interface GridCollection {
  type: 'FeatureCollection';
  features: GridFeature[];
}

export interface GridShape {
  id: string;
  name: { zh: string; en: string };
  /** The area centroid of the grid's largest ring: where its label goes, and events with no coordinates. */
  center: [number, number];
  /** Half the width and height of the bounding box, in degrees. */
  span: [number, number];
}

function isCollection(v: unknown): v is GridCollection {
  return !!v && typeof v === 'object' && (v as { type?: unknown }).type === 'FeatureCollection'
    && Array.isArray((v as { features?: unknown }).features);
}

type Ring = [number, number][];

/** The outer rings of a Polygon or MultiPolygon. */
function outerRings(geometry: GridFeature['geometry']): Ring[] {
  if (!geometry) return [];
  const c = geometry.coordinates as unknown;
  if (geometry.type === 'Polygon' && Array.isArray(c) && Array.isArray(c[0])) return [c[0] as Ring];
  if (geometry.type === 'MultiPolygon' && Array.isArray(c)) {
    return (c as unknown[]).filter(Array.isArray).map((p) => (p as Ring[])[0]).filter((r): r is Ring => Array.isArray(r));
  }
  return [];
}

/** Signed-area centroid of a ring; null when the ring is degenerate. */
function ringCentroid(ring: Ring): { x: number; y: number; area: number } | null {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j]!;
    const [x1, y1] = ring[i]!;
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-18) return null;
  return { x: cx / (3 * a), y: cy / (3 * a), area: Math.abs(a / 2) };
}

/** Every [lng, lat] pair in a geometry's coordinates, however deeply nested. */
function eachPosition(coords: unknown, fn: (lng: number, lat: number) => void) {
  if (!Array.isArray(coords)) return;
  if (coords.length >= 2 && typeof coords[0] === 'number' && typeof coords[1] === 'number') {
    fn(coords[0], coords[1]);
    return;
  }
  for (const c of coords) eachPosition(c, fn);
}

class GridGeo {
  registered = $state(false);
  shapes = $state.raw<GridShape[]>([]);
  /** cos(latitude) of the area, so the map is not stretched east–west. */
  aspectScale = $state(0.86);
  attempts = $state(0);

  #started = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The retry the timer will run, while one is waiting. */
  #retry: (() => void) | null = null;
  /** Bumped by stop(): a fetch begun before it is not registered after. */
  #generation = 0;

  /**
   * Fetch once and register. A wall display passes its device token (the grids are those of
   * its community). Safe to call again; after `stop()` it fetches afresh.
   */
  start(opts: { displayToken?: string; url?: string } = {}) {
    if (this.#started) return;
    this.#started = true;
    const headers: Record<string, string> = { accept: 'application/geo+json, application/json' };
    if (opts.displayToken) headers.authorization = `Bearer ${opts.displayToken}`;
    void this.#load(opts.url ?? '/api/v1/grids', headers, 1000, this.#generation);
  }

  /** If the map is not in yet, try again now instead of at the next step of the backoff. */
  retryNow() {
    if (!this.#started || this.registered || !this.#retry) return;
    clearTimeout(this.#retryTimer);
    const again = this.#retry;
    this.#retry = null;
    again();
  }

  /** Stop retrying and forget the map (another token may belong to another community). */
  stop() {
    this.#started = false;
    this.#generation++;
    clearTimeout(this.#retryTimer);
    this.#retry = null;
    this.registered = false;
    this.shapes = [];
    this.attempts = 0;
  }

  async #load(url: string, headers: Record<string, string>, delay: number, gen: number) {
    this.attempts++;
    // The map's parts: `registerMap` does nothing until the geo component is installed.
    const engine = chartEngines.load(mapEngine);
    try {
      const res = await fetch(url, { headers });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body: unknown = await res.json();
      if (!isCollection(body)) throw new Error('not a FeatureCollection');
      const echarts = await engine;
      if (gen !== this.#generation) return;
      this.#register(body, echarts);
    } catch (err) {
      if (gen !== this.#generation) return;
      console.warn(`[screen] grid map not loaded (${String(err)}); retrying in ${delay / 1000} s`);
      const again = () => void this.#load(url, headers, Math.min(delay * 2, 60_000), gen);
      this.#retry = again;
      this.#retryTimer = setTimeout(() => {
        this.#retry = null;
        again();
      }, delay);
    }
  }

  #register(fc: GridCollection, echarts: Engine) {
    const shapes: GridShape[] = [];
    let minLat = Infinity;
    let maxLat = -Infinity;
    const features = fc.features.filter((f) => f && f.geometry).map((f, i) => {
      const p = f.properties ?? {};
      const id = String(p.id ?? f.id ?? `grid-${i}`);
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      eachPosition(f.geometry?.coordinates, (lng, lat) => {
        x0 = Math.min(x0, lng); x1 = Math.max(x1, lng);
        y0 = Math.min(y0, lat); y1 = Math.max(y1, lat);
      });
      if (Number.isFinite(x0)) {
        minLat = Math.min(minLat, y0);
        maxLat = Math.max(maxLat, y1);
        let best: { x: number; y: number; area: number } | null = null;
        for (const ring of outerRings(f.geometry)) {
          const c = ringCentroid(ring);
          if (c && (!best || c.area > best.area)) best = c;
        }
        shapes.push({
          id,
          name: { zh: String(p.name_zh ?? id), en: String(p.name_en ?? p.name_zh ?? id) },
          center: best ? [best.x, best.y] : [(x0 + x1) / 2, (y0 + y1) / 2],
          span: [(x1 - x0) / 2, (y1 - y0) / 2],
        });
      }
      // ECharts names regions by `properties.name`; the grid id is the stable key.
      return { ...f, properties: { ...p, name: id } };
    });
    echarts.registerMap(MAP_NAME, { type: 'FeatureCollection', features } as never);
    if (Number.isFinite(minLat)) {
      const lat = ((minLat + maxLat) / 2) * (Math.PI / 180);
      this.aspectScale = Math.max(0.3, Math.cos(lat));
    }
    this.shapes = shapes;
    this.registered = true;
  }
}

/** The grid map of this page. */
export const gridGeo = new GridGeo();
