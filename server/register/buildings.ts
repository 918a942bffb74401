/**
 * Buildings at their standard address (标准地址): add, correct, read, list. Each write is one
 * write of the group-commit queue with its journal row; a correction names the version it
 * corrects and keeps the row as it was (register_history).
 */
import type { WriteQueue } from '../db/write-queue.ts';
import type { Page } from '../db/page.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import { authorise, requireGrid } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { householdAddress, type CreateBuildingBody, type ListBuildingsQuery, type UpdateBuildingBody } from '../../shared/register.ts';
import { KEEP, READ, requireInScope } from './access.ts';
import type { BuildingRecord } from './record.ts';
import { buildingFromRow } from './record.ts';
import { RegisterStore, taken } from './store.ts';
import { likeAny } from './search.ts';

export class BuildingService {
  #store: RegisterStore;
  #queue: WriteQueue<SubjectChange>;
  #deps: SubjectServiceDeps;

  constructor(deps: SubjectServiceDeps, store: RegisterStore) {
    this.#store = store;
    this.#queue = deps.queue;
    this.#deps = deps;
  }

  /** Add a building in one of the principal's grids; its address is unique in the community (409 naming the one that has it). */
  async add(p: Principal, body: CreateBuildingBody): Promise<BuildingRecord> {
    authorise(p, KEEP, 'add buildings to the register');
    requireGrid(this.#deps.directory, p, body.gridId, 'gridId');
    requireInScope(p, body.gridId);
    return this.#queue.runAs(p, (ctx) => {
      const at = this.#deps.now();
      this.#unique(p, body.address, null);
      const id = Number(this.#store.stmt.insertBuilding.run({
        community: p.communityId, gridId: body.gridId, address: body.address, units: body.units, floors: body.floors, note: body.note ?? null, at, by: p.id,
      }).lastInsertRowid);
      this.#store.write(ctx, p, at, 'register.building.added', 'building', id, { gridId: body.gridId });
      return this.get(p, id);
    });
  }

  /** Correct a building; a new address re-addresses its households. A correction that changes nothing writes nothing. */
  async update(p: Principal, id: number, body: UpdateBuildingBody): Promise<BuildingRecord> {
    authorise(p, KEEP, 'correct the register');
    return this.#queue.runAs(p, (ctx) => {
      const at = this.#deps.now();
      const b = this.get(p, id);
      this.#store.sameVersion(`building ${id}`, b, body.expectedVersion, this.#deps.directory.timeZoneOf(p.communityId));
      const next = {
        address: body.address ?? b.address, units: body.units ?? b.units, floors: body.floors ?? b.floors,
        note: body.note === undefined ? b.note : body.note,
      };
      const fields = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== b[k]);
      if (!fields.length) return b;
      if (next.address !== b.address) this.#unique(p, next.address, b.id);
      this.#store.keepHistory(p, 'building', b, at);
      this.#store.stmt.updateBuilding.run({ id, ...next, at, by: p.id });
      if (next.address !== b.address) {
        for (const h of this.#store.stmt.householdsOfBuilding.all(id) as { id: number; unit: string | null; room: string }[]) {
          this.#store.stmt.readdress.run(householdAddress(next.address, h.unit, h.room), h.id);
        }
      }
      this.#store.write(ctx, p, at, 'register.building.corrected', 'building', id, { fields, version: b.version + 1 });
      return this.get(p, id);
    });
  }

  get(p: Principal, id: number): BuildingRecord {
    authorise(p, READ, 'read the register');
    return this.#store.building(p, id);
  }

  /** Newest first, within the principal's grids; `q` finds part of the address. */
  list(p: Principal, q: ListBuildingsQuery): Page<BuildingRecord> {
    authorise(p, READ, 'read the register');
    const { where, params } = this.#store.scoped(p, 'b', q.grid);
    if (q.q) (where.push(likeAny(['b.address'], 'q')), (params.q = q.q));
    return this.#store.page(RegisterStore.SELECT.building, 'b', where, params, q, buildingFromRow);
  }

  #unique(p: Principal, address: string, self: number | null) {
    const other = this.#store.stmt.buildingByAddress.get(p.communityId, address) as { id: number } | undefined;
    if (other && other.id !== self) taken('error.register_exists', `a building at ${address} is on the register (${other.id})`, { buildingId: other.id });
  }
}
