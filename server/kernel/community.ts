/**
 * Communities, their grids (GeoJSON polygons) and grid workers: reference data, small enough
 * to hold in memory and read on every request without a query.
 */
import type { Db } from '../db/index.ts';
import type { CommunityInfo, GridInfo } from '../../shared/protocol.ts';
import type { GridWorkerStatus } from '../../shared/community.ts';

export interface Polygon {
  type: 'Polygon';
  coordinates: [number, number][][];
}

export interface MultiPolygon {
  type: 'MultiPolygon';
  coordinates: [number, number][][][];
}

export interface GridRecord {
  id: string;
  communityId: string;
  name: { zh: string; en: string };
  geometry: Polygon | MultiPolygon;
  workerId: string | null;
}

export interface WorkerRecord {
  id: string;
  communityId: string;
  name: string;
  phone: string | null;
  gridId: string | null;
  /** A retired worker (退出) keeps their history but is not suggested for dispatch nor linked to a new account. */
  status: GridWorkerStatus;
}

export interface CommunityRecord extends CommunityInfo {}

export interface CommunitySeed {
  community: CommunityRecord;
  grids: GridRecord[];
  workers: Omit<WorkerRecord, 'status'>[];
}

export class Directory {
  readonly communities = new Map<string, CommunityRecord>();
  readonly grids = new Map<string, GridRecord>();
  readonly workers = new Map<string, WorkerRecord>();
  #db: Db;

  /** @param defaultTimeZone for a community that names none (TIME_ZONE). */
  constructor(db: Db, readonly defaultTimeZone = 'Asia/Shanghai') {
    this.#db = db;
    this.reload();
  }

  timeZoneOf(communityId: string): string {
    return this.communities.get(communityId)?.timeZone ?? this.defaultTimeZone;
  }

  reload() {
    this.communities.clear();
    this.grids.clear();
    this.workers.clear();
    for (const r of this.#db.prepare('SELECT * FROM communities ORDER BY created_at, id').all() as any[]) {
      this.communities.set(r.id, {
        id: r.id, name: { zh: r.name_zh, en: r.name_en }, timeZone: r.time_zone, center: [r.center_lng, r.center_lat],
      });
    }
    for (const r of this.#db.prepare('SELECT * FROM grids ORDER BY id').all() as any[]) {
      this.grids.set(r.id, {
        id: r.id, communityId: r.community_id, name: { zh: r.name_zh, en: r.name_en },
        geometry: JSON.parse(r.geometry) as Polygon | MultiPolygon, workerId: r.worker_id,
      });
    }
    for (const r of this.#db.prepare('SELECT * FROM workers ORDER BY id').all() as any[]) {
      this.workers.set(r.id, { id: r.id, communityId: r.community_id, name: r.name, phone: r.phone, gridId: r.grid_id, status: r.status ?? 'active' });
    }
  }

  /** The community a request falls back to when it names none: the first one created. */
  defaultCommunity(): CommunityRecord | undefined {
    return this.communities.values().next().value;
  }

  gridsOf(communityId: string): GridRecord[] {
    return [...this.grids.values()].filter((g) => g.communityId === communityId);
  }

  gridInfos(communityId: string): GridInfo[] {
    return this.gridsOf(communityId).map((g) => ({
      id: g.id, name: g.name, workerId: g.workerId,
      workerName: g.workerId ? (this.workers.get(g.workerId)?.name ?? null) : null,
    }));
  }

  workerName = (id: string): string | null => this.workers.get(id)?.name ?? null;

  /** The grid whose polygon (or one of whose polygons) contains the point, if any. */
  gridAt(communityId: string, lng: number, lat: number): GridRecord | undefined {
    return this.gridsOf(communityId).find((g) => pointInGeometry(lng, lat, g.geometry));
  }

  /** The community's grids as a GeoJSON FeatureCollection. */
  geoJson(communityId: string) {
    return {
      type: 'FeatureCollection' as const,
      features: this.gridsOf(communityId).map((g) => ({
        type: 'Feature' as const,
        id: g.id,
        properties: { id: g.id, name_zh: g.name.zh, name_en: g.name.en, worker_id: g.workerId },
        geometry: g.geometry,
      })),
    };
  }

  /**
   * Add a community with no grids yet (the console's setup), in the caller's transaction; 409 when
   * its id is taken. `reload()` after the commit.
   */
  insertCommunity(c: CommunityRecord, now: number) {
    this.#db.prepare(
      'INSERT INTO communities (id, name_zh, name_en, time_zone, center_lng, center_lat, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(c.id, c.name.zh, c.name.en, c.timeZone, c.center[0], c.center[1], now);
  }

  /** Insert or replace a community with its grids and workers, in one transaction. */
  upsert(seed: CommunitySeed, now: number) {
    const db = this.#db;
    db.transaction(() => {
      const c = seed.community;
      db.prepare(
        `INSERT INTO communities (id, name_zh, name_en, time_zone, center_lng, center_lat, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name_zh=excluded.name_zh, name_en=excluded.name_en,
           time_zone=excluded.time_zone, center_lng=excluded.center_lng, center_lat=excluded.center_lat`,
      ).run(c.id, c.name.zh, c.name.en, c.timeZone, c.center[0], c.center[1], now);
      const grid = db.prepare(
        `INSERT INTO grids (id, community_id, name_zh, name_en, geometry, worker_id) VALUES (?, ?, ?, ?, ?, NULL)
         ON CONFLICT(id) DO UPDATE SET name_zh=excluded.name_zh, name_en=excluded.name_en, geometry=excluded.geometry`,
      );
      for (const g of seed.grids) grid.run(g.id, c.id, g.name.zh, g.name.en, JSON.stringify(g.geometry));
      const worker = db.prepare(
        `INSERT INTO workers (id, community_id, name, phone, grid_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name=excluded.name, phone=excluded.phone, grid_id=excluded.grid_id`,
      );
      for (const w of seed.workers) worker.run(w.id, c.id, w.name, w.phone, w.gridId);
      const assign = db.prepare('UPDATE grids SET worker_id = ? WHERE id = ?');
      for (const g of seed.grids) assign.run(g.workerId, g.id);
    })();
    this.reload();
  }
}

/** The outer rings of a grid's polygons: one for a Polygon, one per polygon of a MultiPolygon. */
export function outerRings(geometry: Polygon | MultiPolygon): [number, number][][] {
  const polygons = geometry.type === 'MultiPolygon' ? geometry.coordinates : [geometry.coordinates];
  return polygons.flatMap((p) => (p[0] ? [p[0]] : []));
}

/** Inside a Polygon's outer ring and none of its holes, or inside one such polygon of a MultiPolygon. */
export function pointInGeometry(x: number, y: number, geometry: Polygon | MultiPolygon): boolean {
  const polygons = geometry.type === 'MultiPolygon' ? geometry.coordinates : [geometry.coordinates];
  return polygons.some(([outer, ...holes]) => !!outer && pointInRing(x, y, outer) && !holes.some((h) => pointInRing(x, y, h)));
}

/** Ray casting; the ring is [lng, lat] pairs. */
export function pointInRing(x: number, y: number, ring: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
