/**
 * The community register (一标三实): buildings at their standard address, households, residents,
 * one service per aggregate: `register.buildings`, `register.households`, `register.residents`,
 * and `register.imports` (a sheet, previewed, saved whole or not at all). They share one
 * RegisterStore (statements, lookups, versions, history, the journal row).
 *
 * Shaped like every subject service: authorise with the Principal (access.ts: grid workers in
 * their own grids), validate, then do the work as one write in the group-commit queue, where the
 * rows, the history of a correction, the journal entry and the audit line are written together
 * or not at all. The journal names records and fields, never a resident's details.
 */
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { Principal } from '../principal.ts';
import { authorise } from '../kernel/rules.ts';
import type { GridSummaryView } from '../../shared/register.ts';
import { READ } from './access.ts';
import { BuildingService } from './buildings.ts';
import { HouseholdService } from './households.ts';
import { RegisterImports } from './imports.ts';
import { ResidentService } from './residents.ts';
import { RegisterStore } from './store.ts';

export class RegisterService {
  readonly buildings: BuildingService;
  readonly households: HouseholdService;
  readonly residents: ResidentService;
  readonly imports: RegisterImports;
  readonly store: RegisterStore;
  #deps: SubjectServiceDeps;

  constructor(deps: SubjectServiceDeps) {
    this.#deps = deps;
    const store = new RegisterStore(deps.db, deps.journal);
    this.buildings = new BuildingService(deps, store);
    this.households = new HouseholdService(deps, store);
    this.residents = new ResidentService(deps, store);
    this.imports = new RegisterImports(deps, store);
    this.store = store;
  }

  /** The time zone of the principal's community (the API shows instants in it). */
  timeZoneOf(p: Principal): string {
    return this.#deps.directory.timeZoneOf(p.communityId);
  }

  /** The principal's grids with what the register holds in each: buildings, households, residents, residents per tag. */
  grids(p: Principal): GridSummaryView[] {
    authorise(p, READ, 'read the register');
    const grids = this.#deps.directory.gridInfos(p.communityId).map((g) => g.id).filter((id) => !p.grids || p.grids.includes(id));
    const db = this.#deps.db;
    const count = (sql: string) => new Map((db.prepare(sql).all(p.communityId) as { g: string; n: number }[]).map((r) => [r.g, r.n]));
    const buildings = count('SELECT grid_id AS g, COUNT(*) AS n FROM buildings WHERE community_id = ? GROUP BY grid_id');
    const households = count('SELECT grid_id AS g, COUNT(*) AS n FROM households WHERE community_id = ? GROUP BY grid_id');
    const residents = count('SELECT grid_id AS g, COUNT(*) AS n FROM residents WHERE community_id = ? GROUP BY grid_id');
    const tags = db.prepare(`SELECT r.grid_id AS g, j.value AS tag, COUNT(*) AS n FROM residents r, json_each(r.tags) j
                              WHERE r.community_id = ? GROUP BY r.grid_id, j.value`).all(p.communityId) as { g: string; tag: string; n: number }[];
    return grids.map((g) => ({
      gridId: g, buildings: buildings.get(g) ?? 0, households: households.get(g) ?? 0, residents: residents.get(g) ?? 0,
      tags: Object.fromEntries(tags.filter((t) => t.g === g).map((t) => [t.tag, t.n])),
    }));
  }
}
