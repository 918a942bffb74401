/**
 * Reading what an admin brings to set a community up: a GeoJSON file of grids (each feature
 * checked on its own, so a problem names the feature by its index and id; GCJ-02 converted to
 * WGS-84 with gcoord, the system the wall and the tablets' GPS use) and a sheet of grid workers
 * (CSV in UTF-8 or GBK, as Excel saves it in China, with csv-parse; XLSX with exceljs).
 * Pure: nothing here writes.
 */
import ExcelJS from 'exceljs';
import gcoord from 'gcoord';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { gridGeometry, gridWorkerRow, refId, type GridCrs, type GridGeometry } from '../../shared/community.ts';
import { singleLineText } from '../../shared/text.ts';
import type { FieldIssue } from '../../shared/errors.ts';
import { zodIssues } from '../errors.ts';

/** At most this many problems are listed: a file wrong throughout says so in its first lines. */
const MAX_ISSUES = 20;
export const MAX_SHEET_ROWS = 2000;

export interface GridDraft {
  id: string;
  name: { zh: string; en: string };
  geometry: GridGeometry;
}

const feature = z.object({
  type: z.literal('Feature', { message: 'must be a GeoJSON Feature' }),
  properties: z.record(z.string(), z.unknown(), { message: 'must be an object of properties' }).nullable(),
  geometry: gridGeometry,
});
const zhName = singleLineText(60).min(1, 'required');
const enName = singleLineText(80).min(1, 'required');

/** A property as text: strings as they are, numbers (an id of 3) as written; anything else is none. */
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/** Round to 6 decimals (about 0.1 m), as the demo's grids are. */
const round = (n: number) => Math.round(n * 1e6) / 1e6;

function convert(geometry: GridGeometry, crs: GridCrs): GridGeometry {
  const copy = structuredClone(geometry);
  // gcoord transforms a GeoJSON geometry in place.
  if (crs === 'gcj02') gcoord.transform(copy as never, gcoord.GCJ02, gcoord.WGS84);
  const fix = (ring: [number, number][]) => ring.map(([x, y]) => [round(x), round(y)] as [number, number]);
  return copy.type === 'Polygon'
    ? { type: 'Polygon', coordinates: copy.coordinates.map(fix) }
    : { type: 'MultiPolygon', coordinates: copy.coordinates.map((p) => p.map(fix)) };
}

export interface GridMapping {
  idProperty: string;
  nameProperty: string;
  nameEnProperty: string | null;
  crs: GridCrs;
}

/**
 * The grids of a FeatureCollection's features, converted to WGS-84, or every problem (at most
 * 20), each naming the feature by index and, where it has one, its id:
 * `geojson.features[2].geometry.coordinates[0]: grid X03: a ring must end where it starts`.
 */
export function readGrids(features: unknown[], m: GridMapping): { grids: GridDraft[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const grids: GridDraft[] = [];
  const seen = new Map<string, number>();
  features.forEach((raw, i) => {
    if (issues.length >= MAX_ISSUES) return;
    const at = `geojson.features[${i}]`;
    const props = (raw as { properties?: unknown } | null)?.properties;
    const idText = props && typeof props === 'object' ? text((props as Record<string, unknown>)[m.idProperty]) : undefined;
    const who = idText ? `grid ${idText}` : `feature ${i + 1}`;
    const problem = (field: string, p: string) => issues.push({ field: field ? `${at}.${field}` : at, problem: `${who}: ${p}` });
    const f = feature.safeParse(raw);
    if (!f.success) {
      for (const issue of zodIssues(f.error)) problem(issue.field === '(body)' ? '' : issue.field, issue.problem);
      return;
    }
    const p = f.data.properties ?? {};
    const id = refId.safeParse(text(p[m.idProperty]));
    if (!id.success) {
      problem(`properties.${m.idProperty}`, text(p[m.idProperty]) === undefined ? 'has no grid id' : 'the grid id must be letters, digits, _ or -, at most 32');
      return;
    }
    const zh = zhName.safeParse(text(p[m.nameProperty]) ?? '');
    if (!zh.success) return problem(`properties.${m.nameProperty}`, `the name ${zh.error.issues[0]?.message ?? 'is not valid'}`);
    const en = enName.safeParse((m.nameEnProperty ? text(p[m.nameEnProperty]) : undefined) || zh.data);
    if (!en.success) return problem(`properties.${m.nameEnProperty}`, `the English name ${en.error.issues[0]?.message ?? 'is not valid'}`);
    const before = seen.get(id.data);
    if (before !== undefined) return problem(`properties.${m.idProperty}`, `the same id as feature ${before + 1}`);
    seen.set(id.data, i);
    grids.push({ id: id.data, name: { zh: zh.data, en: en.data }, geometry: convert(f.data.geometry, m.crs) });
  });
  return { grids, issues };
}

export interface SheetRow {
  /** The row's number in the sheet as a spreadsheet shows it (the header is row 1). */
  row: number;
  id: string;
  name: string;
  phone: string | null;
  gridId: string | null;
}

/** Header names (lower-cased, spaces and _ dropped) each column may go by. */
const COLUMNS = {
  id: ['id', '编号', '工号', '网格员编号'],
  name: ['name', '姓名', '名字'],
  phone: ['phone', '电话', '手机', '手机号', '联系电话'],
  grid: ['grid', 'gridid', '网格', '网格编号'],
} as const;
type Column = keyof typeof COLUMNS;
const normal = (s: string) => s.trim().toLowerCase().replace(/[\s_]/g, '');

/** The cells of a sheet's rows as text: an XLSX's first worksheet, or a CSV in UTF-8 (with or without BOM) or GBK. */
export async function sheetCells(name: string, bytes: Buffer): Promise<string[][] | FieldIssue> {
  const isZip = bytes.length > 3 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (isZip || /\.xlsx$/i.test(name)) {
    const book = new ExcelJS.Workbook();
    try {
      await book.xlsx.load(bytes as never);
    } catch {
      return { field: 'file', problem: `${name} is not an XLSX workbook that can be read` };
    }
    const sheet = book.worksheets[0];
    if (!sheet) return { field: 'file', problem: `${name} has no worksheet` };
    const rows: string[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, c) => (cells[c - 1] = cell.text ?? ''));
      rows[n - 1] = Array.from(cells, (v) => v ?? '');
    });
    return Array.from(rows, (r) => r ?? []);
  }
  let content: string;
  try {
    content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    content = new TextDecoder('gbk').decode(bytes);
  }
  try {
    return parseCsv(content.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false, trim: true }) as string[][];
  } catch (e) {
    return { field: 'file', problem: `${name} is not a CSV file that can be read: ${e instanceof Error ? e.message : e}` };
  }
}

/**
 * The grid workers of a sheet's cells: the header row names the columns (id, name, phone, grid;
 * or 编号, 姓名, 电话, 网格), blank rows are skipped; every problem names its row.
 */
export function readWorkers(cells: string[][]): { rows: SheetRow[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const header = (cells[0] ?? []).map(normal);
  const col = {} as Record<Column, number>;
  for (const [key, names] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
    col[key] = header.findIndex((h) => names.some((n) => normal(n) === h));
  }
  const missing = (['id', 'name', 'grid'] as const).filter((k) => col[k] < 0);
  if (missing.length) {
    return { rows: [], issues: [{ field: 'file', problem: `row 1 must name the columns id, name, phone and grid (missing: ${missing.join(', ')})` }] };
  }
  const rows: SheetRow[] = [];
  const seen = new Map<string, number>();
  const data = cells.slice(1);
  if (data.length > MAX_SHEET_ROWS) return { rows: [], issues: [{ field: 'file', problem: `more than ${MAX_SHEET_ROWS} rows` }] };
  data.forEach((cellsOfRow, i) => {
    if (issues.length >= MAX_ISSUES) return;
    const n = i + 2;
    const cell = (k: Column) => (col[k] < 0 ? '' : (cellsOfRow[col[k]] ?? '').trim());
    if (cellsOfRow.every((c) => !c.trim())) return;
    const id = cell('id');
    const r = gridWorkerRow.safeParse({ id, name: cell('name'), phone: cell('phone') || null, gridId: cell('grid') || null });
    if (!r.success) {
      for (const issue of zodIssues(r.error)) issues.push({ field: `row ${n}.${issue.field === 'gridId' ? 'grid' : issue.field}`, problem: `row ${n}${id ? ` (${id})` : ''}: ${issue.problem}` });
      return;
    }
    const before = seen.get(r.data.id);
    if (before !== undefined) {
      issues.push({ field: `row ${n}.id`, problem: `row ${n} (${r.data.id}): the same id as row ${before}` });
      return;
    }
    seen.set(r.data.id, n);
    rows.push({ row: n, ...r.data });
  });
  if (!rows.length && !issues.length) issues.push({ field: 'file', problem: 'no grid workers below the header row' });
  return { rows, issues };
}
