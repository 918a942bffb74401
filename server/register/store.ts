/**
 * What the register's aggregates share: their prepared statements, the row lookups (a building,
 * a household, a resident of this community and within the principal's grids), the version
 * check, the history line of a correction and the journal row of a change. One store per
 * database; buildings.ts, households.ts, residents.ts and imports.ts each take it.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteContext } from '../db/write-queue.ts';
import type { JournalWriter, SubjectChange } from '../kernel/journal.ts';
import { DomainError, notFound } from '../errors.ts';
import { invalidField } from '../kernel/rules.ts';
import { isoInZone } from '../../shared/time.ts';
import type { Principal } from '../principal.ts';
import { inScope } from './access.ts';
import {
  buildingFromRow, householdFromRow, residentFromRow, type BuildingRecord, type HouseholdRecord, type ResidentRecord, type Stamp,
} from './record.ts';

export type RegisterEntity = 'building' | 'household' | 'resident';

/** A building's row with its households and residents counted. */
const BUILDING = `SELECT b.*,
  (SELECT COUNT(*) FROM households h WHERE h.building_id = b.id) AS households,
  (SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id WHERE h.building_id = b.id) AS residents
  FROM buildings b`;
/** A household's row with its residents counted. */
const HOUSEHOLD = 'SELECT h.*, (SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id) AS residents FROM households h';
/** A resident's row with the household's address line. */
const RESIDENT = 'SELECT r.*, h.address AS address FROM residents r JOIN households h ON h.id = r.household_id';

type Statements = Record<
  | 'building' | 'buildingByAddress' | 'insertBuilding' | 'updateBuilding' | 'householdsOfBuilding' | 'readdress'
  | 'household' | 'householdByRoom' | 'insertHousehold' | 'updateHousehold' | 'regridResidents'
  | 'resident' | 'residentByIdNumber' | 'insertResident' | 'updateResident' | 'history',
  Statement
>;

export class RegisterStore {
  readonly db: Db;
  readonly stmt: Statements;
  #journal: JournalWriter;

  constructor(db: Db, journal: JournalWriter) {
    this.db = db;
    this.#journal = journal;
    this.stmt = {
      building: db.prepare(`${BUILDING} WHERE b.id = ?`),
      buildingByAddress: db.prepare('SELECT id FROM buildings WHERE community_id = ? AND address = ?'),
      insertBuilding: db.prepare(
        `INSERT INTO buildings (community_id, grid_id, address, units, floors, note, created_at, created_by, updated_at, updated_by)
         VALUES (@community, @gridId, @address, @units, @floors, @note, @at, @by, @at, @by)`,
      ),
      updateBuilding: db.prepare(
        `UPDATE buildings SET address = @address, units = @units, floors = @floors, note = @note, version = version + 1,
                updated_at = @at, updated_by = @by WHERE id = @id`,
      ),
      householdsOfBuilding: db.prepare('SELECT id, unit, room FROM households WHERE building_id = ?'),
      readdress: db.prepare('UPDATE households SET address = ? WHERE id = ?'),
      household: db.prepare(`${HOUSEHOLD} WHERE h.id = ?`),
      householdByRoom: db.prepare("SELECT id FROM households WHERE building_id = ? AND COALESCE(unit, '') = ? AND room = ?"),
      insertHousehold: db.prepare(
        `INSERT INTO households (community_id, grid_id, building_id, unit, room, address, kind, note, created_at, created_by, updated_at, updated_by)
         VALUES (@community, @gridId, @buildingId, @unit, @room, @address, @kind, @note, @at, @by, @at, @by)`,
      ),
      updateHousehold: db.prepare(
        `UPDATE households SET unit = @unit, room = @room, address = @address, kind = @kind, note = @note, version = version + 1,
                updated_at = @at, updated_by = @by WHERE id = @id`,
      ),
      regridResidents: db.prepare('UPDATE residents SET grid_id = ? WHERE household_id = ?'),
      resident: db.prepare(`${RESIDENT} WHERE r.id = ?`),
      residentByIdNumber: db.prepare('SELECT id FROM residents WHERE community_id = ? AND id_number = ?'),
      insertResident: db.prepare(
        `INSERT INTO residents (community_id, grid_id, household_id, name, gender, birth, id_number, phone, relation, residence, tags,
                               emergency_name, emergency_phone, emergency_relation, mobility, mobility_note, consent, consent_by, consent_at,
                               created_at, created_by, updated_at, updated_by)
         VALUES (@community, @gridId, @householdId, @name, @gender, @birth, @idNumber, @phone, @relation, @residence, @tags,
                 @emergencyName, @emergencyPhone, @emergencyRelation, @mobility, @mobilityNote, @consent, @consentBy, @consentAt,
                 @at, @by, @at, @by)`,
      ),
      updateResident: db.prepare(
        `UPDATE residents SET grid_id = @gridId, household_id = @householdId, name = @name, gender = @gender, birth = @birth,
                id_number = @idNumber, phone = @phone, relation = @relation, residence = @residence, tags = @tags,
                emergency_name = @emergencyName, emergency_phone = @emergencyPhone, emergency_relation = @emergencyRelation,
                mobility = @mobility, mobility_note = @mobilityNote, consent = @consent, consent_by = @consentBy, consent_at = @consentAt,
                version = version + 1, updated_at = @at, updated_by = @by
          WHERE id = @id`,
      ),
      history: db.prepare(
        'INSERT INTO register_history (community_id, entity, entity_id, version, before, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  // ---- one record, of this community and within the principal's grids: 404 otherwise -------

  building(p: Principal, id: number): BuildingRecord {
    return buildingFromRow(this.#own(p, this.stmt.building.get(id), `building ${id}`));
  }

  household(p: Principal, id: number): HouseholdRecord {
    return householdFromRow(this.#own(p, this.stmt.household.get(id), `household ${id}`));
  }

  resident(p: Principal, id: number): ResidentRecord {
    return residentFromRow(this.#own(p, this.stmt.resident.get(id), `resident ${id}`));
  }

  /** A row another grid's worker asks for is "not found", as another community's is. */
  #own(p: Principal, row: unknown, what: string): unknown {
    const r = row as { community_id: string; grid_id: string } | undefined;
    if (!r || r.community_id !== p.communityId || !inScope(p, r.grid_id)) throw notFound(what);
    return r;
  }

  /** A building a body names (`field`): unknown, or outside the principal's grids, is a 400 on that field. */
  buildingRef(p: Principal, id: number, field: string): BuildingRecord {
    const r = this.stmt.building.get(id) as { community_id: string; grid_id: string } | undefined;
    if (!r || r.community_id !== p.communityId || !inScope(p, r.grid_id)) invalidField(field, `no building ${id} in your grids`);
    return buildingFromRow(r);
  }

  /** A household a body names (`field`), likewise. */
  householdRef(p: Principal, id: number, field: string): HouseholdRecord {
    const r = this.stmt.household.get(id) as { community_id: string; grid_id: string } | undefined;
    if (!r || r.community_id !== p.communityId || !inScope(p, r.grid_id)) invalidField(field, `no household ${id} in your grids`);
    return householdFromRow(r);
  }

  // ---- lists ---------------------------------------------------------------------------------

  /**
   * The start of a list's WHERE over `alias`: the principal's community and, for a grid worker,
   * their grids only; then the grid asked for. The one place the register's lists are scoped.
   */
  scoped(p: Principal, alias: string, grid: string | undefined): { where: string[]; params: Record<string, unknown> } {
    const where = [`${alias}.community_id = @community`];
    const params: Record<string, unknown> = { community: p.communityId };
    if (p.grids) (where.push(`${alias}.grid_id IN (SELECT value FROM json_each(@scope))`), (params.scope = JSON.stringify(p.grids)));
    if (grid) (where.push(`${alias}.grid_id = @grid`), (params.grid = grid));
    return { where, params };
  }

  /** A page of `select` (aliased `alias`), newest first; the cursor is the last id of the previous page. */
  page<T extends { id: number }>(select: string, alias: string, where: string[], params: Record<string, unknown>,
    q: { limit: number; cursor?: string | undefined }, map: (row: unknown) => T): Page<T> {
    if (q.cursor) (where.push(`${alias}.id < @cursor`), (params.cursor = Number(q.cursor)));
    const rows = this.db.prepare(`${select} WHERE ${where.join(' AND ')} ORDER BY ${alias}.id DESC LIMIT @limit`).all({ ...params, limit: q.limit + 1 });
    return pageOf(rows.map(map), q.limit);
  }

  static readonly SELECT = { building: BUILDING, household: HOUSEHOLD, resident: RESIDENT };

  // ---- versions, history, the journal --------------------------------------------------------

  /**
   * A 409 `error.version_conflict` when the record changed since the form was opened (it showed
   * `expected`): who changed it (their display name) and when, so the desk or the tablet says so
   * instead of overwriting silently.
   */
  sameVersion(what: string, rec: Stamp, expected: number, tz: string): void {
    if (expected === rec.version) return;
    const changedBy = (this.db.prepare('SELECT display_name FROM users WHERE username = ?').pluck().get(rec.updatedBy) as string | undefined) ?? rec.updatedBy;
    const changedAt = isoInZone(rec.updatedAt, tz);
    throw new DomainError(409, 'error.version_conflict',
      `${what} was changed by ${changedBy} at ${changedAt} (version ${rec.version}, the form had ${expected}); reload it`,
      undefined, { changedBy, changedAt, version: rec.version });
  }

  /** The row as it was before a correction, kept with who corrected it and when. */
  keepHistory(p: Principal, entity: RegisterEntity, before: { id: number; version: number }, at: number): void {
    this.stmt.history.run(p.communityId, entity, before.id, before.version, JSON.stringify(before), p.id, at);
  }

  /** The journal row of a change: which record, which fields (never their values: the journal is not the register). */
  write(ctx: WriteContext<SubjectChange>, p: Principal, at: number, type: string, entity: RegisterEntity, entityId: number,
    data: Record<string, unknown>): void {
    this.#journal.write(ctx, p, at, { subject: 'community', type, entity, entityId, data });
  }
}

/** A 409 naming the record that already holds a unique value (an address, a room, an ID number). */
export function taken(code: 'error.register_exists', message: string, extra: Record<string, unknown>): never {
  throw new DomainError(409, code, message, undefined, extra);
}
