/**
 * Residents (实有人口): the people who actually live in a household, with their key-population
 * tags, emergency contact, evacuation needs and consent. Add, correct (a move to another
 * household is a correction), read, list and search. A resident's record is personal: every
 * staff read of it is logged by the gate (the routes declare `reads`), and nothing of it reaches a
 * wall but guarded counts (stats.ts); their name and their emergency contact's join
 * `known_names` (triggers), so the wall's masker knows them.
 */
import { isDeepStrictEqual } from 'node:util';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Page } from '../db/page.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { CreateResidentBody, ListResidentsQuery, UpdateResidentBody } from '../../shared/register.ts';
import { KEEP, READ } from './access.ts';
import { residentFromRow, type ResidentRecord } from './record.ts';
import { RegisterStore, taken } from './store.ts';
import { likeAny } from './search.ts';

/** What a resident's row holds, as the statements bind it. */
type ResidentFields = Omit<ResidentRecord, 'id' | 'communityId' | 'address' | 'version' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'>;

const FIELDS: readonly (keyof ResidentFields)[] = [
  'gridId', 'householdId', 'name', 'gender', 'birth', 'idNumber', 'phone', 'relation', 'residence', 'tags', 'emergencyName', 'emergencyPhone',
  'emergencyRelation', 'mobility', 'mobilityNote', 'consent', 'consentBy', 'consentAt',
];

/** The fields as SQLite takes them: lists as JSON. */
export const bindResident = (f: ResidentFields) => ({
  ...f, tags: JSON.stringify(f.tags), mobility: JSON.stringify(f.mobility), consent: JSON.stringify(f.consent),
});

export class ResidentService {
  #store: RegisterStore;
  #queue: WriteQueue<SubjectChange>;
  #deps: SubjectServiceDeps;

  constructor(deps: SubjectServiceDeps, store: RegisterStore) {
    this.#store = store;
    this.#queue = deps.queue;
    this.#deps = deps;
  }

  /** Add a resident to a household of the principal's grids. Consent given is recorded as taken by the principal, now. */
  async add(p: Principal, body: CreateResidentBody): Promise<ResidentRecord> {
    authorise(p, KEEP, 'add residents to the register');
    return this.#queue.runAs(p, (ctx) => {
      const at = this.#deps.now();
      const h = this.#store.householdRef(p, body.householdId, 'householdId');
      const idNumber = body.idNumber ?? null;
      this.#uniqueId(p, idNumber, null);
      const consent = body.consent ?? [];
      const fields: ResidentFields = {
        gridId: h.gridId, householdId: h.id, name: body.name, gender: body.gender, birth: body.birth, idNumber, phone: body.phone ?? null,
        relation: body.relation, residence: body.residence, tags: body.tags ?? [], emergencyName: body.emergencyContact?.name ?? null,
        emergencyPhone: body.emergencyContact?.phone ?? null, emergencyRelation: body.emergencyContact?.relation ?? null,
        mobility: body.mobility ?? [], mobilityNote: body.mobilityNote || null, consent,
        consentBy: body.consent !== undefined ? p.id : null, consentAt: body.consent !== undefined ? at : null,
      };
      const id = Number(this.#store.stmt.insertResident.run({ ...bindResident(fields), community: p.communityId, at, by: p.id }).lastInsertRowid);
      this.#store.write(ctx, p, at, 'register.resident.added', 'resident', id, { householdId: h.id, gridId: h.gridId });
      return this.get(p, id);
    });
  }

  /**
   * Correct a resident. The form names the version it showed (`expectedVersion`): a change
   * meanwhile is a 409 naming who made it and when. The row as it was is kept; a change of
   * consent records who took it and when. A correction that changes nothing writes nothing.
   */
  async update(p: Principal, id: number, body: UpdateResidentBody): Promise<ResidentRecord> {
    authorise(p, KEEP, 'correct the register');
    return this.#queue.runAs(p, (ctx) => {
      const at = this.#deps.now();
      const r = this.get(p, id);
      this.#store.sameVersion(`resident ${id}`, r, body.expectedVersion, this.#deps.directory.timeZoneOf(p.communityId));
      const h = body.householdId !== undefined && body.householdId !== r.householdId ? this.#store.householdRef(p, body.householdId, 'householdId') : null;
      const contact = body.emergencyContact === undefined
        ? { emergencyName: r.emergencyName, emergencyPhone: r.emergencyPhone, emergencyRelation: r.emergencyRelation }
        : { emergencyName: body.emergencyContact?.name ?? null, emergencyPhone: body.emergencyContact?.phone ?? null,
          emergencyRelation: body.emergencyContact?.relation ?? null };
      const consentChanged = body.consent !== undefined && !isDeepStrictEqual(body.consent, r.consent);
      const next: ResidentFields = {
        gridId: h?.gridId ?? r.gridId, householdId: h?.id ?? r.householdId, name: body.name ?? r.name, gender: body.gender ?? r.gender,
        birth: body.birth ?? r.birth, idNumber: body.idNumber === undefined ? r.idNumber : body.idNumber,
        phone: body.phone === undefined ? r.phone : body.phone, relation: body.relation ?? r.relation, residence: body.residence ?? r.residence,
        tags: body.tags ?? r.tags, ...contact, mobility: body.mobility ?? r.mobility,
        mobilityNote: body.mobilityNote === undefined ? r.mobilityNote : body.mobilityNote || null,
        consent: body.consent ?? r.consent, consentBy: consentChanged ? p.id : r.consentBy, consentAt: consentChanged ? at : r.consentAt,
      };
      const fields = FIELDS.filter((k) => !isDeepStrictEqual(next[k], r[k]));
      if (!fields.length) return r;
      if (next.idNumber !== r.idNumber) this.#uniqueId(p, next.idNumber, r.id);
      this.#store.keepHistory(p, 'resident', r, at);
      this.#store.stmt.updateResident.run({ ...bindResident(next), id, at, by: p.id });
      this.#store.write(ctx, p, at, 'register.resident.corrected', 'resident', id, { fields, version: r.version + 1 });
      return this.get(p, id);
    });
  }

  get(p: Principal, id: number): ResidentRecord {
    authorise(p, READ, 'read the register');
    return this.#store.resident(p, id);
  }

  /** Newest first, within the principal's grids: by grid, building, household, tag, or part of a name, phone or address. */
  list(p: Principal, q: ListResidentsQuery): Page<ResidentRecord> {
    authorise(p, READ, 'read the register');
    const { where, params } = this.#store.scoped(p, 'r', q.grid);
    if (q.building !== undefined) (where.push('h.building_id = @building'), (params.building = q.building));
    if (q.household !== undefined) (where.push('r.household_id = @household'), (params.household = q.household));
    if (q.tag) (where.push('EXISTS (SELECT 1 FROM json_each(r.tags) WHERE value = @tag)'), (params.tag = q.tag));
    if (q.q) (where.push(likeAny(['r.name', 'r.phone', 'h.address'], 'q')), (params.q = q.q));
    return this.#store.page(RegisterStore.SELECT.resident, 'r', where, params, q, residentFromRow);
  }

  #uniqueId(p: Principal, idNumber: string | null, self: number | null) {
    if (idNumber === null) return;
    const other = this.#store.stmt.residentByIdNumber.get(p.communityId, idNumber) as { id: number } | undefined;
    if (other && other.id !== self) taken('error.register_exists', `a resident with this ID number is on the register (${other.id})`, { residentId: other.id });
  }
}
