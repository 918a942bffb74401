/**
 * The community's reference data as an admin keeps it in the console: grid workers (网格员) added,
 * edited, moved between grids, retired (退出) and back; grids imported from a GeoJSON file and
 * workers from a sheet, each previewed first and saved in one transaction, so a bad file writes
 * nothing. The Directory (server/kernel/community.ts) holds all of it in memory: it is reloaded
 * after each change commits.
 */
import type { Db } from '../db/index.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { authorise } from '../kernel/rules.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import type {
  CreateGridWorkerBody, GridWorkerView, ImportedGrid, UpdateGridWorkerBody, importGridsBody, importWorkersBody,
} from '../../shared/community.ts';
import type { z } from 'zod';
import { readGrids, readWorkers, sheetCells, type SheetRow } from './sheets.ts';
import { ADMINS } from './access.ts';

export interface CommunityServiceDeps {
  db: Db;
  // The service emits no changes: its writes say they changed something (`ctx.changed()`), so each has its audit line.
  queue: WriteQueue<any>;
  directory: Directory;
  /** Cases dispatched to each worker and not yet resolved, by worker id (the events' queue). */
  openLoad: (communityId: string) => Map<string, number>;
  /** The active accounts linked to grid-worker records, by worker id (the accounts' table). */
  linkedAccounts: (communityId: string) => Map<string, { id: number; username: string; displayName: string }>;
}

export class CommunityService {
  #d: CommunityServiceDeps;
  #stmt;

  constructor(deps: CommunityServiceDeps) {
    this.#d = deps;
    const db = deps.db;
    this.#stmt = {
      // Checked again in the write: a check before it is queued races another request's.
      workerCommunity: db.prepare('SELECT community_id FROM workers WHERE id = ?').pluck(),
      gridCommunity: db.prepare('SELECT community_id FROM grids WHERE id = ?').pluck(),
      upsertWorker: db.prepare(
        `INSERT INTO workers (id, community_id, name, phone, grid_id) VALUES (@id, @community, @name, @phone, @gridId)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone, grid_id = excluded.grid_id`,
      ),
      updateWorker: db.prepare('UPDATE workers SET name = @name, phone = @phone, grid_id = @gridId, status = @status WHERE id = @id'),
      upsertGrid: db.prepare(
        `INSERT INTO grids (id, community_id, name_zh, name_en, geometry, worker_id) VALUES (@id, @community, @zh, @en, @geometry, NULL)
         ON CONFLICT(id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, geometry = excluded.geometry`,
      ),
      // A grid's own worker (what the wall names): kept while still active there, else the first active one, else none.
      ownWorker: db.prepare(
        `UPDATE grids SET worker_id = (SELECT id FROM workers WHERE grid_id = grids.id AND status = 'active' ORDER BY id LIMIT 1)
          WHERE id = ? AND (worker_id IS NULL OR worker_id NOT IN (SELECT id FROM workers WHERE grid_id = grids.id AND status = 'active'))`,
      ),
    };
  }

  /** The community's grid workers, active first, by id: their grid, open cases and linked account. */
  workers(p: Principal): GridWorkerView[] {
    authorise(p, ADMINS, 'manage grid workers');
    const load = this.#d.openLoad(p.communityId);
    const accounts = this.#d.linkedAccounts(p.communityId);
    return [...this.#d.directory.workers.values()]
      .filter((w) => w.communityId === p.communityId)
      .sort((a, b) => Number(a.status === 'retired') - Number(b.status === 'retired') || a.id.localeCompare(b.id))
      .map((w) => ({
        id: w.id, name: w.name, phone: w.phone, gridId: w.gridId, status: w.status,
        openCases: load.get(w.id) ?? 0, account: accounts.get(w.id) ?? null,
      }));
  }

  worker(p: Principal, id: string): GridWorkerView {
    const w = this.workers(p).find((x) => x.id === id);
    if (!w) throw notFound(`grid worker ${id}`);
    return w;
  }

  /** A new grid worker (active), in one of the community's grids or none. */
  async add(p: Principal, body: CreateGridWorkerBody): Promise<GridWorkerView> {
    authorise(p, ADMINS, 'manage grid workers');
    this.#grid(p, body.gridId, 'gridId');
    const taken = this.#d.directory.workers.get(body.id);
    if (taken) throw new DomainError(409, 'error.worker_exists', `grid worker ${body.id} exists already`, [{ field: 'id', problem: `${body.id} is taken` }]);
    await this.#d.queue.runAs(p, (ctx) => {
      if (this.#stmt.workerCommunity.get(body.id) !== undefined) {
        throw new DomainError(409, 'error.worker_exists', `grid worker ${body.id} exists already`, [{ field: 'id', problem: `${body.id} is taken` }]);
      }
      ctx.changed();
      this.#stmt.upsertWorker.run({ ...body, community: p.communityId });
      if (body.gridId) this.#stmt.ownWorker.run(body.gridId);
    });
    this.#d.directory.reload();
    return this.worker(p, body.id);
  }

  /** Name, phone, grid, or retire (退出) and bring back; the grids they leave and join keep an own worker if they have one. */
  async update(p: Principal, id: string, body: UpdateGridWorkerBody): Promise<GridWorkerView> {
    authorise(p, ADMINS, 'manage grid workers');
    const w = this.#d.directory.workers.get(id);
    if (!w || w.communityId !== p.communityId) throw notFound(`grid worker ${id}`);
    if (body.gridId !== undefined) this.#grid(p, body.gridId, 'gridId');
    const next = {
      id, name: body.name ?? w.name, phone: body.phone !== undefined ? body.phone : w.phone,
      gridId: body.gridId !== undefined ? body.gridId : w.gridId, status: body.status ?? w.status,
    };
    await this.#d.queue.runAs(p, (ctx) => {
      ctx.changed();
      this.#stmt.updateWorker.run(next);
      for (const g of new Set([w.gridId, next.gridId])) if (g) this.#stmt.ownWorker.run(g);
    });
    this.#d.directory.reload();
    return this.worker(p, id);
  }

  /**
   * Grids from a GeoJSON FeatureCollection: read, checked feature by feature and converted to
   * WGS-84; saved (added, or updated by id) only with `save`, all in one transaction.
   */
  async importGrids(p: Principal, body: z.output<typeof importGridsBody>): Promise<{ grids: ImportedGrid[]; saved: boolean }> {
    authorise(p, ADMINS, 'import grids');
    const { grids, issues } = readGrids(body.geojson.features, body);
    grids.forEach((g, i) => {
      const other = this.#d.directory.grids.get(g.id);
      if (other && other.communityId !== p.communityId) {
        issues.push({ field: `geojson.features[${i}]`, problem: `grid ${g.id}: the id is another community's grid` });
      }
    });
    if (issues.length) throw invalid(issues);
    const answer = grids.map((g) => ({ ...g, exists: this.#d.directory.grids.has(g.id) }));
    if (!body.save) return { grids: answer, saved: false };
    await this.#d.queue.runAs(p, (ctx) => {
      grids.forEach((g, i) => {
        const owner = this.#stmt.gridCommunity.get(g.id);
        if (owner !== undefined && owner !== p.communityId) {
          throw invalid([{ field: `geojson.features[${i}]`, problem: `grid ${g.id}: the id is another community's grid` }]);
        }
      });
      ctx.changed();
      for (const g of grids) {
        this.#stmt.upsertGrid.run({ id: g.id, community: p.communityId, zh: g.name.zh, en: g.name.en, geometry: JSON.stringify(g.geometry) });
        this.#stmt.ownWorker.run(g.id);
      }
    });
    this.#d.directory.reload();
    return { grids: answer, saved: true };
  }

  /**
   * Grid workers from a CSV or XLSX sheet (columns id, name, phone, grid): checked row by row
   * against the community's grids; saved (added, or updated by id) only with `save`, all in one
   * transaction.
   */
  async importWorkers(p: Principal, body: z.output<typeof importWorkersBody>): Promise<{ workers: (SheetRow & { exists: boolean })[]; saved: boolean }> {
    authorise(p, ADMINS, 'import grid workers');
    const cells = await sheetCells(body.file.name, Buffer.from(body.file.data, 'base64'));
    if (!Array.isArray(cells)) throw invalid([cells]);
    const { rows, issues } = readWorkers(cells);
    for (const r of rows) {
      const grid = r.gridId ? this.#d.directory.grids.get(r.gridId) : undefined;
      if (r.gridId && (!grid || grid.communityId !== p.communityId)) {
        issues.push({ field: `row ${r.row}.grid`, problem: `row ${r.row} (${r.id}): no grid ${r.gridId} in this community` });
      }
      const other = this.#d.directory.workers.get(r.id);
      if (other && other.communityId !== p.communityId) {
        issues.push({ field: `row ${r.row}.id`, problem: `row ${r.row} (${r.id}): the id is another community's grid worker` });
      }
    }
    if (issues.length) throw invalid(issues);
    const answer = rows.map((r) => ({ ...r, exists: this.#d.directory.workers.has(r.id) }));
    if (!body.save) return { workers: answer, saved: false };
    const touched = new Set<string>();
    for (const r of rows) {
      const before = this.#d.directory.workers.get(r.id)?.gridId;
      if (before) touched.add(before);
      if (r.gridId) touched.add(r.gridId);
    }
    await this.#d.queue.runAs(p, (ctx) => {
      for (const r of rows) {
        const owner = this.#stmt.workerCommunity.get(r.id);
        if (owner !== undefined && owner !== p.communityId) {
          throw invalid([{ field: `row ${r.row}.id`, problem: `row ${r.row} (${r.id}): the id is another community's grid worker` }]);
        }
      }
      ctx.changed();
      for (const r of rows) this.#stmt.upsertWorker.run({ id: r.id, community: p.communityId, name: r.name, phone: r.phone, gridId: r.gridId });
      for (const g of touched) this.#stmt.ownWorker.run(g);
    });
    this.#d.directory.reload();
    return { workers: answer, saved: true };
  }

  #grid(p: Principal, gridId: string | null, field: string) {
    if (gridId === null) return;
    const g = this.#d.directory.grids.get(gridId);
    if (!g || g.communityId !== p.communityId) throw invalid([{ field, problem: `no grid ${gridId} in this community` }]);
  }
}
