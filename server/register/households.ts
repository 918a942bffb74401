/**
 * Households (户): a room of a building, with its kind (自住, 租住, 空置 …). Add, correct, read,
 * list; a room is unique in its building (409 naming the household that has it).
 */
import type { WriteQueue } from '../db/write-queue.ts';
import type { Page } from '../db/page.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { householdAddress, type CreateHouseholdBody, type ListHouseholdsQuery, type UpdateHouseholdBody } from '../../shared/register.ts';
import { KEEP, READ } from './access.ts';
import { householdFromRow, type HouseholdRecord } from './record.ts';
import { RegisterStore, taken } from './store.ts';
import { likeAny } from './search.ts';

export class HouseholdService {
  #store: RegisterStore;
  #queue: WriteQueue<SubjectChange>;
  #deps: SubjectServiceDeps;

  constructor(deps: SubjectServiceDeps, store: RegisterStore) {
    this.#store = store;
    this.#queue = deps.queue;
    this.#deps = deps;
  }

  /** Add a household to a building of the principal's grids. */
  async add(p: Principal, body: CreateHouseholdBody): Promise<HouseholdRecord> {
    authorise(p, KEEP, 'add households to the register');
    return this.#queue.runAs(p, (ctx) => {
      const at = this.#deps.now();
      const b = this.#store.buildingRef(p, body.buildingId, 'buildingId');
      const unit = body.unit || null;
      this.#unique(b.id, unit, body.room, null);
      const id = Number(this.#store.stmt.insertHousehold.run({
        community: p.communityId, gridId: b.gridId, buildingId: b.id, unit, room: body.room, address: householdAddress(b.address, unit, body.room),
        kind: body.kind, note: body.note ?? null, at, by: p.id,
      }).lastInsertRowid);
      this.#store.write(ctx, p, at, 'register.household.added', 'household', id, { buildingId: b.id, gridId: b.gridId });
      return this.get(p, id);
    });
  }

  /** Correct a household's unit, room, kind or note. */
  async update(p: Principal, id: number, body: UpdateHouseholdBody): Promise<HouseholdRecord> {
    authorise(p, KEEP, 'correct the register');
    return this.#queue.runAs(p, (ctx) => {
      const at = this.#deps.now();
      const h = this.get(p, id);
      this.#store.sameVersion(`household ${id}`, h, body.expectedVersion, this.#deps.directory.timeZoneOf(p.communityId));
      const next = {
        unit: body.unit === undefined ? h.unit : body.unit || null, room: body.room ?? h.room, kind: body.kind ?? h.kind,
        note: body.note === undefined ? h.note : body.note,
      };
      const fields = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== h[k]);
      if (!fields.length) return h;
      if (next.unit !== h.unit || next.room !== h.room) this.#unique(h.buildingId, next.unit, next.room, h.id);
      const b = this.#store.building(p, h.buildingId);
      this.#store.keepHistory(p, 'household', h, at);
      this.#store.stmt.updateHousehold.run({ id, ...next, address: householdAddress(b.address, next.unit, next.room), at, by: p.id });
      this.#store.write(ctx, p, at, 'register.household.corrected', 'household', id, { fields, version: h.version + 1 });
      return this.get(p, id);
    });
  }

  get(p: Principal, id: number): HouseholdRecord {
    authorise(p, READ, 'read the register');
    return this.#store.household(p, id);
  }

  /** Newest first, within the principal's grids; by building, by grid, or by part of the address. */
  list(p: Principal, q: ListHouseholdsQuery): Page<HouseholdRecord> {
    authorise(p, READ, 'read the register');
    const { where, params } = this.#store.scoped(p, 'h', q.grid);
    if (q.building !== undefined) (where.push('h.building_id = @building'), (params.building = q.building));
    if (q.q) (where.push(likeAny(['h.address'], 'q')), (params.q = q.q));
    return this.#store.page(RegisterStore.SELECT.household, 'h', where, params, q, householdFromRow);
  }

  #unique(buildingId: number, unit: string | null, room: string, self: number | null) {
    const other = this.#store.stmt.householdByRoom.get(buildingId, unit ?? '', room) as { id: number } | undefined;
    if (other && other.id !== self) taken('error.register_exists', `room ${room} of this building is on the register (household ${other.id})`, { householdId: other.id });
  }
}
