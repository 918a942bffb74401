/**
 * `npm run import-community -- <file.json>`: install or update a community, its grids (GeoJSON
 * Polygons or MultiPolygons, WGS-84) and grid workers from a file, so `npm start` can run on a real community without
 * the demo. Safe to run again: grids and workers are updated by id. Example file:
 *
 *   { "id": "xinhua", "name": { "zh": "新华社区", "en": "Xinhua Community" },
 *     "timeZone": "Asia/Shanghai", "center": [120.16, 30.27],
 *     "grids": { "type": "FeatureCollection", "features": [
 *       { "type": "Feature", "properties": { "id": "X01", "name_zh": "第一网格", "name_en": "Grid 1" },
 *         "geometry": { "type": "Polygon", "coordinates": [[[120.15, 30.26], …, [120.15, 30.26]]] } } ] },
 *     "workers": [ { "id": "XW01", "name": "李娜", "phone": "13800000000", "gridId": "X01" } ] }
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { singleLineText } from '../shared/text.ts';
import { bilingualName, gridGeometry, gridWorkerRow, position, refId, timeZone } from '../shared/community.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './database.ts';
import { Directory, type CommunitySeed, type GridRecord } from './kernel/community.ts';
import { zodIssues } from './errors.ts';

// The same pieces as the console's setup and imports (shared/community.ts), so both take the same grids and workers.
export const communityFile = z
  .object({
    id: refId,
    name: bilingualName,
    timeZone: timeZone.default('Asia/Shanghai'),
    center: position,
    grids: z.object({
      type: z.literal('FeatureCollection'),
      features: z
        .array(
          z.object({
            type: z.literal('Feature'),
            properties: z.object({ id: refId, name_zh: singleLineText(60).min(1), name_en: singleLineText(80).min(1) }).passthrough(),
            geometry: gridGeometry,
          }).passthrough(),
        )
        .min(1, 'at least one grid'),
    }).passthrough(),
    workers: z.array(gridWorkerRow).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const gridIds = new Set(c.grids.features.map((f) => f.properties.id));
    if (gridIds.size !== c.grids.features.length) ctx.addIssue({ code: 'custom', path: ['grids'], message: 'grid ids must be unique' });
    c.workers.forEach((w, i) => {
      if (w.gridId !== null && !gridIds.has(w.gridId)) {
        ctx.addIssue({ code: 'custom', path: ['workers', i, 'gridId'], message: `no grid ${w.gridId} in this file` });
      }
    });
  });

/** The file's content as a seed for `Directory.upsert`, or the list of what is wrong with it. */
export function parseCommunityFile(json: unknown): { ok: true; seed: CommunitySeed } | { ok: false; problems: string[] } {
  const r = communityFile.safeParse(json);
  if (!r.success) return { ok: false, problems: zodIssues(r.error).map((i) => `${i.field}: ${i.problem}`) };
  const c = r.data;
  return {
    ok: true,
    seed: {
      community: { id: c.id, name: c.name, timeZone: c.timeZone, center: c.center },
      grids: c.grids.features.map((f) => ({
        id: f.properties.id, communityId: c.id, name: { zh: f.properties.name_zh, en: f.properties.name_en },
        geometry: f.geometry as GridRecord['geometry'],
        workerId: c.workers.find((w) => w.gridId === f.properties.id)?.id ?? null,
      })),
      workers: c.workers.map((w) => ({ ...w, communityId: c.id })),
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [file] = process.argv.slice(2);
  try {
    if (!file) throw new ConfigError('Usage: npm run import-community -- <community.json>');
    const config = loadConfig(process.env, []);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(path.resolve(file), 'utf8'));
    } catch (e) {
      throw new ConfigError(`Cannot read ${file} as JSON: ${e instanceof Error ? e.message : e}`);
    }
    const parsed = parseCommunityFile(json);
    if (!parsed.ok) throw new ConfigError(`${file} is not a valid community file:\n  ${parsed.problems.join('\n  ')}`);
    const db = openDatabase(config.dbFile);
    const dir = new Directory(db, config.TIME_ZONE);
    dir.upsert(parsed.seed, Date.now());
    db.close();
    const { community, grids, workers } = parsed.seed;
    console.log(`Imported ${community.name.zh} (${community.id}): ${grids.length} grids, ${workers.length} workers, into ${config.dbFile}. Restart the server to show it.`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
