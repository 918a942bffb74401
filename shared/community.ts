/**
 * A community's reference data as files and forms: the community itself, its grids (GeoJSON
 * Polygon or MultiPolygon, [lng, lat] in WGS-84) and its grid workers (网格员). One set of
 * schemas for the command line (`npm run import-community`, server/import-community.ts) and the
 * console (community setup, grid import, the grid-worker records), so both take the same files.
 */
import { z } from 'zod';
import { singleLineText } from './text.ts';
import { isValidTimeZone } from './time.ts';

/** The id of a community, grid or grid worker: `guihua`, `G01`, `W01`. */
export const refId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or -, at most 32');

/** A name in both languages; names reach every wall, so they keep the text rules of every name. */
export const bilingualName = z.object({ zh: singleLineText(60).min(1), en: singleLineText(80).min(1) }).strict();

/** [lng, lat] in degrees. */
export const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

export const ring = z
  .array(position)
  .min(4, 'a ring needs at least 4 positions')
  .refine((r) => r[0]![0] === r[r.length - 1]![0] && r[0]![1] === r[r.length - 1]![1], 'a ring must end where it starts');

/** A grid's shape: one polygon (outer ring, then holes) or several. */
export const gridGeometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1)).min(1) }),
], { message: 'must be a Polygon or a MultiPolygon' });
export type GridGeometry = z.infer<typeof gridGeometry>;

export const timeZone = z.string().refine(isValidTimeZone, 'is not a time zone, e.g. Asia/Shanghai');

/** A community as the setup page creates it. */
export const newCommunity = z.object({
  id: refId,
  name: bilingualName,
  timeZone: timeZone.default('Asia/Shanghai'),
  center: position,
}).strict();
export type NewCommunity = z.infer<typeof newCommunity>;

export const WORKER_STATUSES = ['active', 'retired'] as const;
export type GridWorkerStatus = (typeof WORKER_STATUSES)[number];

const workerName = singleLineText(40).min(1, 'required');
const phone = singleLineText(20).nullable();

/** A grid worker as a file or a sheet row names one. */
export const gridWorkerRow = z.object({ id: refId, name: workerName, phone: phone.default(null), gridId: refId.nullable().default(null) }).strict();

/** `POST /community/workers`: a new grid worker. */
export const createGridWorkerBody = gridWorkerRow;
export type CreateGridWorkerBody = z.infer<typeof createGridWorkerBody>;

/** `PATCH /community/workers/:id`: name, phone, grid, or retired (退出) and back. */
export const updateGridWorkerBody = z.object({
  name: workerName.optional(),
  phone: phone.optional(),
  gridId: refId.nullable().optional(),
  status: z.enum(WORKER_STATUSES, { message: 'must be active or retired' }).optional(),
}).strict();
export type UpdateGridWorkerBody = z.infer<typeof updateGridWorkerBody>;

/** The coordinate systems a grid file may be in: GPS (WGS-84) or China's GCJ-02 (高德, 腾讯 maps). */
export const GRID_CRS = ['wgs84', 'gcj02'] as const;
export type GridCrs = (typeof GRID_CRS)[number];

const propertyName = z.string().min(1, 'required').max(100);

/**
 * `POST /community/grids/import`: a GeoJSON FeatureCollection, which of its features' properties
 * is the grid's id and which its name (Chinese, and optionally English), the coordinate system.
 * `save: false` answers the grids as they would be saved (converted), for the preview.
 */
export const importGridsBody = z.object({
  geojson: z.object({
    type: z.literal('FeatureCollection', { message: 'must be a GeoJSON FeatureCollection' }),
    features: z.array(z.unknown()).min(1, 'at least one grid').max(500, 'at most 500 grids'),
  }),
  idProperty: propertyName,
  nameProperty: propertyName,
  nameEnProperty: propertyName.nullable().default(null),
  crs: z.enum(GRID_CRS, { message: 'must be wgs84 or gcj02' }),
  save: z.boolean().default(false),
}).strict();
export type ImportGridsBody = z.input<typeof importGridsBody>;

/** A sheet of at most this many bytes (base64 adds a third on the wire). */
export const MAX_SHEET_BYTES = 1024 * 1024;

/**
 * `POST /community/workers/import`: a CSV (UTF-8) or XLSX sheet whose columns are id, name,
 * phone and grid (the header row names them, in any order), as base64. `save: false` answers
 * the rows as read, for the preview.
 */
export const importWorkersBody = z.object({
  file: z.object({
    name: singleLineText(200).min(1),
    data: z.base64({ message: 'must be the file as base64' }).max(Math.ceil(MAX_SHEET_BYTES / 3) * 4, 'the file is larger than 1 MB'),
  }).strict(),
  save: z.boolean().default(false),
}).strict();
export type ImportWorkersBody = z.input<typeof importWorkersBody>;

/** A grid as the import answers it: converted to WGS-84, ready for the map. */
export interface ImportedGrid {
  id: string;
  name: { zh: string; en: string };
  geometry: GridGeometry;
  /** Whether a grid with this id exists already (it is updated). */
  exists: boolean;
}

/** A grid worker as the console lists it. */
export interface GridWorkerView {
  id: string;
  name: string;
  phone: string | null;
  gridId: string | null;
  status: GridWorkerStatus;
  /** Cases dispatched to them and not yet resolved. */
  openCases: number;
  /** The account linked to this record, if any. */
  account: { id: number; username: string; displayName: string } | null;
}
