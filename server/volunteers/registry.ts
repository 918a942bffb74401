/**
 * The volunteer registry (志愿者登记): who volunteers here, their phone, skills, team and
 * availability, and whether they are active, paused or have left. Registering opens the
 * volunteer's points account in the same write.
 */
import { isDeepStrictEqual } from 'node:util';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import { randomInt } from 'node:crypto';
import { DomainError, notFound } from '../errors.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { CARD_CODE_LENGTH, normaliseCardCode } from '../../shared/volunteers.ts';
import { PAIRING_ALPHABET } from '../../shared/auth.ts';
import type { ListVolunteersQuery, RegisterVolunteerBody, UpdateVolunteerBody, VolunteerStatusBody } from '../../shared/volunteers.ts';
import { MANAGE, STAFF } from './access.ts';
import { volunteerFromRow, type VolunteerRecord } from './record.ts';
import type { VolunteerParts, VolunteerStore } from './store.ts';

/** A random card code: `CARD_CODE_LENGTH` characters of the pairing alphabet. */
export const newCardCode = (): string =>
  Array.from({ length: CARD_CODE_LENGTH }, () => PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)]).join('');

/** Volunteers: register, change, pause or record a departure; find and list them. */
export class RegistryService {
  #store: VolunteerStore;
  #queue: WriteQueue<SubjectChange>;
  #now: () => number;
  #tz: (communityId: string) => string;

  constructor(parts: VolunteerParts) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#now = parts.now;
    this.#tz = (id) => parts.directory.timeZoneOf(id);
  }

  /** A card code no volunteer of the community has (32^8 codes: a clash is rare, and tried again). */
  #freshCardCode(communityId: string): string {
    for (;;) {
      const code = newCardCode();
      if (!this.#store.stmt.volunteerByCard.get(communityId, code)) return code;
    }
  }

  /** A volunteer by the card code on their card (the check-in desk's scan); a 404 for none. */
  byCard(p: Principal, code: string): VolunteerRecord {
    authorise(p, STAFF, 'see volunteers');
    const norm = normaliseCardCode(code);
    const row = norm ? this.#store.stmt.volunteerByCard.get(p.communityId, norm) : undefined;
    if (!row) throw notFound(`volunteer card ${code}`);
    return volunteerFromRow(row);
  }

  /** Register a volunteer (active) and open their points account. */
  async register(p: Principal, body: RegisterVolunteerBody): Promise<VolunteerRecord> {
    authorise(p, MANAGE, 'register volunteers');
    if (body.teamId !== undefined) this.#store.teamRef(p, body.teamId, 'teamId');
    if (body.gridId !== undefined) this.#store.gridRef(p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt } = this.#store;
      if (body.idNumber) {
        const dup = stmt.volunteerByIdNumber.get(p.communityId, body.idNumber) as { id: number } | undefined;
        if (dup) {
          throw new DomainError(409, 'error.volunteer_exists', `a volunteer with this ID number is registered (${dup.id})`,
            undefined, { volunteerId: dup.id });
        }
      }
      const id = Number(stmt.insertVolunteer.run(p.communityId, body.name, body.phone, body.idNumber ?? null,
        JSON.stringify(body.skills), body.teamId ?? null, body.availability ? JSON.stringify(body.availability) : null, now, now,
        body.gridId ?? null, this.#freshCardCode(p.communityId))
        .lastInsertRowid);
      this.#store.ledger.volunteerAccount(p.communityId, id, now);
      this.#store.entry(ctx, p, now, 'volunteer.registered', 'volunteer', id, { teamId: body.teamId ?? null });
      return this.#store.volunteerRow(id);
    });
  }

  /**
   * Change a volunteer's phone, skills, team or availability; fields left out keep their value.
   * A change to what is there already writes nothing (no journal, no audit line, same updatedAt).
   */
  async update(p: Principal, volunteerId: number, body: UpdateVolunteerBody): Promise<VolunteerRecord> {
    authorise(p, MANAGE, 'change volunteers');
    if (body.teamId != null) this.#store.teamRef(p, body.teamId, 'teamId');
    if (body.gridId != null) this.#store.gridRef(p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const v = this.#store.volunteer(p, volunteerId);
      this.#store.checkVersion(p, v, body.expectedVersion, this.#tz(p.communityId));
      const next: VolunteerRecord = {
        ...v,
        phone: body.phone ?? v.phone,
        skills: body.skills ?? v.skills,
        teamId: body.teamId === undefined ? v.teamId : body.teamId,
        availability: body.availability === undefined ? v.availability : body.availability,
        gridId: body.gridId === undefined ? v.gridId : body.gridId,
        updatedAt: now,
      };
      if (isDeepStrictEqual({ ...next, updatedAt: v.updatedAt }, v)) return v;
      next.version = v.version + 1;
      this.#store.stmt.updateVolunteer.run(next.phone, JSON.stringify(next.skills), next.teamId,
        next.availability ? JSON.stringify(next.availability) : null, now, next.gridId, v.id);
      this.#store.entry(ctx, p, now, 'volunteer.updated', 'volunteer', v.id, { fields: Object.keys(body).filter((k) => k !== 'expectedVersion'), by: p.id });
      return next;
    });
  }

  /** Pause, resume or record that a volunteer left. Setting the status they have changes nothing. */
  async setStatus(p: Principal, volunteerId: number, body: VolunteerStatusBody): Promise<VolunteerRecord> {
    authorise(p, MANAGE, 'change volunteers');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const v = this.#store.volunteer(p, volunteerId);
      if (v.status === body.status) return v;
      this.#store.stmt.volunteerStatus.run(body.status, now, v.id);
      this.#store.entry(ctx, p, now, 'volunteer.status_changed', 'volunteer', v.id, { status: body.status, note: body.note ?? null, by: p.id }, v.status);
      return { ...v, status: body.status, updatedAt: now, version: v.version + 1 };
    });
  }

  /** A volunteer of the principal's community; a 404 for one of another. */
  get(p: Principal, id: number): VolunteerRecord {
    return this.#store.volunteer(p, id);
  }

  /** Newest first; the cursor is the id of the last volunteer of the previous page. */
  list(p: Principal, q: ListVolunteersQuery): Page<VolunteerRecord> {
    authorise(p, STAFF, 'see volunteers');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#store.db.prepare(`SELECT * FROM volunteers WHERE ${filterWhere(p, q, where, params)} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(volunteerFromRow), q.limit);
  }

  /** Every volunteer the filters name, oldest first, read in pages of 500 (for an export). */
  *all(p: Principal, q: Omit<ListVolunteersQuery, 'limit' | 'cursor'>): Generator<VolunteerRecord> {
    authorise(p, STAFF, 'see volunteers');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, after: 0 };
    const stmt = this.#store.db.prepare(`SELECT * FROM volunteers WHERE ${filterWhere(p, q, where, params)} AND id > @after ORDER BY id LIMIT 500`);
    for (;;) {
      const rows = stmt.all(params) as { id: number }[];
      for (const r of rows) yield volunteerFromRow(r);
      if (rows.length < 500) return;
      params.after = rows.at(-1)!.id;
    }
  }

  /** How many volunteers the filters name. */
  count(p: Principal, q: Omit<ListVolunteersQuery, 'limit' | 'cursor'>): number {
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId };
    return (this.#store.db.prepare(`SELECT COUNT(*) AS n FROM volunteers WHERE ${filterWhere(p, q, where, params)}`).get(params) as { n: number }).n;
  }

  /** Hours, points and records a volunteer has to their name, all time. */
  totals(p: Principal, volunteerId: number): { hours: number; points: number; records: number } {
    this.#store.volunteer(p, volunteerId);
    return this.#store.stmt.totals.get({ v: volunteerId }) as { hours: number; points: number; records: number };
  }
}

/** The list's filters as SQL: status, team, skill, grid, a weekday they are available, a name or phone. */
function filterWhere(_p: Principal, q: Omit<ListVolunteersQuery, 'limit' | 'cursor'>, where: string[], params: Record<string, unknown>): string {
  if (q.status) (where.push('status = @status'), (params.status = q.status));
  if (q.team !== undefined) (where.push('team_id = @team'), (params.team = q.team));
  if (q.skill) (where.push('EXISTS (SELECT 1 FROM json_each(skills) WHERE value = @skill)'), (params.skill = q.skill));
  if (q.grid) (where.push('grid_id = @grid'), (params.grid = q.grid));
  if (q.day !== undefined) {
    where.push("availability IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(availability, '$.days') WHERE value = @day)");
    params.day = q.day;
  }
  if (q.q) {
    // LIKE with its wildcards escaped: a search for "50%" finds "50%", not everything.
    where.push("(name LIKE @q ESCAPE '\\' OR phone LIKE @q ESCAPE '\\')");
    params.q = `%${q.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  }
  return where.join(' AND ');
}
