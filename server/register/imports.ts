/**
 * Importing a register sheet (admins): read and checked row by row (sheets.ts), then against the
 * register as it stands (the grid is this community's; a building already on the register is in
 * the grid the row names; an ID number is not someone else's); previewed; saved only with
 * `save`, all of it in one write of the queue, so a sheet with any problem imports nothing and a
 * sheet that fails halfway (the register changed meanwhile) rolls back whole. Rows of one
 * standard address make one building; rows of one room, one household.
 */
import type { WriteQueue } from '../db/write-queue.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import { authorise } from '../kernel/rules.ts';
import { invalid, type FieldIssue } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { householdAddress, importRegisterBody, type ImportAnswer } from '../../shared/register.ts';
import type { z } from 'zod';
import { sheetCells } from '../community/sheets.ts';
import { IMPORT } from './access.ts';
import { readRegister, type RegisterRow } from './sheets.ts';
import { bindResident } from './residents.ts';
import type { RegisterStore } from './store.ts';

interface Plan {
  rows: RegisterRow[];
  issues: FieldIssue[];
  /** Buildings by address: the one on the register (its id) or one to make. */
  buildings: Map<string, { id: number | null; gridId: string; units: number; floors: number }>;
  /** Households by `address|unit|room`: the one on the register (its id) or one to make. */
  households: Map<string, { id: number | null; row: RegisterRow }>;
}

const roomKey = (r: { address: string; unit: string | null; room: string }) => `${r.address}|${r.unit ?? ''}|${r.room}`;
/** A room's floor as its number says it (302 → 3, 1502 → 15), at least 1. */
const floorOf = (room: string) => (/^\d{3,4}$/.test(room) ? Math.max(1, Math.floor(Number(room) / 100)) : 1);

export class RegisterImports {
  #store: RegisterStore;
  #queue: WriteQueue<SubjectChange>;
  #deps: SubjectServiceDeps;

  constructor(deps: SubjectServiceDeps, store: RegisterStore) {
    this.#store = store;
    this.#queue = deps.queue;
    this.#deps = deps;
  }

  /** Preview (`save: false`) or save a register sheet; a 400 naming every row and column with a problem, nothing written. */
  async import(p: Principal, body: z.output<typeof importRegisterBody>): Promise<ImportAnswer> {
    authorise(p, IMPORT, 'import the register');
    const cells = await sheetCells(body.file.name, Buffer.from(body.file.data, 'base64'));
    if (!Array.isArray(cells)) throw invalid([cells]);
    let plan = this.#plan(p, cells);
    if (plan.issues.length) throw invalid(plan.issues);
    const answer = (saved: boolean): ImportAnswer => ({
      rows: plan.rows.map((r) => ({
        row: r.row, gridId: r.gridId, address: r.address, unit: r.unit, room: r.room, name: r.resident.name, tags: r.resident.tags ?? [],
        newBuilding: plan.buildings.get(r.address)?.id === null, newHousehold: plan.households.get(roomKey(r))?.id === null,
      })),
      saved,
      buildings: [...plan.buildings.values()].filter((b) => b.id === null).length,
      households: [...plan.households.values()].filter((h) => h.id === null).length,
      residents: plan.rows.length,
    });
    if (!body.save) return answer(false);
    await this.#queue.runAs(p, (ctx) => {
      // Planned again inside the write: the register may have changed since the preview was read.
      plan = this.#plan(p, cells);
      if (plan.issues.length) throw invalid(plan.issues);
      const at = this.#deps.now();
      const { stmt } = this.#store;
      for (const [address, b] of plan.buildings) {
        if (b.id !== null) continue;
        b.id = Number(stmt.insertBuilding.run({
          community: p.communityId, gridId: b.gridId, address, units: b.units, floors: b.floors, note: null, at, by: p.id,
        }).lastInsertRowid);
        this.#store.write(ctx, p, at, 'register.building.added', 'building', b.id, { gridId: b.gridId, imported: true });
      }
      for (const h of plan.households.values()) {
        if (h.id !== null) continue;
        const b = plan.buildings.get(h.row.address)!;
        h.id = Number(stmt.insertHousehold.run({
          community: p.communityId, gridId: b.gridId, buildingId: b.id, unit: h.row.unit, room: h.row.room,
          address: householdAddress(h.row.address, h.row.unit, h.row.room), kind: h.row.kind, note: null, at, by: p.id,
        }).lastInsertRowid);
        this.#store.write(ctx, p, at, 'register.household.added', 'household', h.id, { buildingId: b.id, gridId: b.gridId, imported: true });
      }
      for (const r of plan.rows) {
        const b = plan.buildings.get(r.address)!;
        const h = plan.households.get(roomKey(r))!;
        const x = r.resident;
        const id = Number(stmt.insertResident.run({
          ...bindResident({
            gridId: b.gridId, householdId: h.id!, name: x.name, gender: x.gender, birth: x.birth, idNumber: x.idNumber ?? null, phone: x.phone ?? null,
            relation: x.relation, residence: x.residence, tags: x.tags ?? [], emergencyName: x.emergencyContact?.name ?? null,
            emergencyPhone: x.emergencyContact?.phone ?? null, emergencyRelation: x.emergencyContact?.relation ?? null, mobility: x.mobility ?? [],
            mobilityNote: null, consent: x.consent ?? [], consentBy: p.id, consentAt: at,
          }),
          community: p.communityId, at, by: p.id,
        }).lastInsertRowid);
        this.#store.write(ctx, p, at, 'register.resident.added', 'resident', id, { householdId: h.id, gridId: b.gridId, imported: true });
      }
    });
    return answer(true);
  }

  /** The sheet's rows checked against the register as it stands now. */
  #plan(p: Principal, cells: string[][]): Plan {
    const { rows, issues } = readRegister(cells);
    const buildings: Plan['buildings'] = new Map();
    const households: Plan['households'] = new Map();
    const ids = new Map<string, number>();
    const { stmt, db } = this.#store;
    const buildingOf = db.prepare('SELECT id, grid_id AS gridId FROM buildings WHERE community_id = ? AND address = ?');
    for (const r of rows) {
      const at = (col: string, problem: string) => issues.push({ field: `row ${r.row}.${col}`, problem: `row ${r.row} (${r.resident.name}): ${problem}` });
      const grid = this.#deps.directory.grids.get(r.gridId);
      if (!grid || grid.communityId !== p.communityId) {
        at('grid', `no grid ${r.gridId} in this community`);
        continue;
      }
      let b = buildings.get(r.address);
      if (!b) {
        const known = buildingOf.get(p.communityId, r.address) as { id: number; gridId: string } | undefined;
        b = { id: known?.id ?? null, gridId: known?.gridId ?? r.gridId, units: 0, floors: 1 };
        buildings.set(r.address, b);
      }
      if (b.gridId !== r.gridId) at('grid', `${r.address} is in grid ${b.gridId}, not ${r.gridId}`);
      if (r.unit && /^\d+$/.test(r.unit)) b.units = Math.max(b.units, Math.min(50, Number(r.unit)));
      else if (r.unit) b.units = Math.max(b.units, 1);
      b.floors = Math.min(120, Math.max(b.floors, floorOf(r.room)));
      const key = roomKey(r);
      if (!households.has(key)) {
        const known = b.id === null ? undefined : (stmt.householdByRoom.get(b.id, r.unit ?? '', r.room) as { id: number } | undefined);
        households.set(key, { id: known?.id ?? null, row: r });
      }
      const idNumber = r.resident.idNumber;
      if (idNumber) {
        const twin = ids.get(idNumber);
        if (twin !== undefined) at('idNumber', `身份证号: the same ID number as row ${twin}`);
        else if (stmt.residentByIdNumber.get(p.communityId, idNumber)) at('idNumber', '身份证号: a resident with this ID number is on the register already');
        ids.set(idNumber, r.row);
      }
    }
    return { rows, issues, buildings, households };
  }
}
