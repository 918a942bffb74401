/**
 * The three lists' statements, prepared once, and the row lookups their aggregate services
 * share (a need or a resource as the principal may see it, a match of a need, a provider named
 * in a body, the next need code), with the project rows an accepted match may write and the
 * subject's journal entry. The aggregates (the need lifecycle, resources, matches, tasks) each
 * take this one store, so work that spans two of them (accepting a match takes a resource's
 * place and matches the need) goes through it and never through another aggregate's privates.
 */
import type { Db } from '../db/index.ts';
import type { WriteContext } from '../db/write-queue.ts';
import type { JournalWriter, SubjectChange } from '../kernel/journal.ts';
import { DomainError, notFound } from '../errors.ts';
import { authorise, invalidField, ownRow } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { ProjectRows } from '../orgs/projects.ts';
import type { FeedDraft, SubjectKind } from '../../shared/subjects.ts';
import {
  NEED_TRANSITIONS, type NeedAction, type NeedEntity, type NeedEntryType, type NeedHistoryLine, type ProviderKind,
} from '../../shared/needs.ts';
import { isoInZone } from '../../shared/time.ts';
import { STAFF } from './access.ts';
import { matchFromRow, needFromRow, resourceFromRow, type MatchRecord, type NeedRecord, type ResourceRecord } from './record.ts';
import type { AggregateParts } from '../kernel/deps.ts';

const MATCH_SELECT = `SELECT m.*, r.provider_kind, r.provider_name, r.title AS resource_title, r.category AS resource_category
                        FROM matches m JOIN resources r ON r.id = m.resource_id`;

/** The table and the active statuses of each provider that is a row. */
const PROVIDER_TABLES: Partial<Record<ProviderKind, { table: string; name: string; inactive: readonly string[] | null }>> = {
  org: { table: 'organizations', name: 'name', inactive: ['suspended', 'deregistered'] },
  volunteer: { table: 'volunteers', name: 'name', inactive: ['paused', 'left'] },
  team: { table: 'volunteer_teams', name: 'name', inactive: null },
  social_worker: { table: 'social_workers', name: 'name', inactive: ['on_leave', 'left'] },
};

function prepare(db: Db) {
  return {
    need: db.prepare('SELECT * FROM needs WHERE id = ?'),
    needByCode: db.prepare('SELECT * FROM needs WHERE code = ?'),
    insertNeed: db.prepare(
      `INSERT INTO needs (community_id, code, title, description, category, skills, urgency, grid_id, address, raised_by_kind,
                          raised_by, resident_name, resident_phone, populations, beneficiaries, status, due_at, raised_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'raised', ?, ?, ?)`,
    ),
    matched: db.prepare(
      `UPDATE needs SET status = 'matched', met_by = ?, resource_id = ?, matched_at = ?, updated_at = ?, version = version + 1
        WHERE id = ? AND status = 'raised'`,
    ),
    started: db.prepare(
      "UPDATE needs SET status = 'in_progress', started_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'matched'",
    ),
    met: db.prepare(
      "UPDATE needs SET status = 'met', met_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'in_progress'",
    ),
    rated: db.prepare(
      "UPDATE needs SET status = 'rated', satisfaction = ?, rated_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'met'",
    ),
    closed: db.prepare(
      `UPDATE needs SET status = 'closed', close_reason = ?, closed_at = ?, updated_at = ?, version = version + 1
        WHERE id = ? AND status IN ('raised', 'matched', 'in_progress')`,
    ),
    resource: db.prepare('SELECT * FROM resources WHERE id = ?'),
    insertResource: db.prepare(
      `INSERT INTO resources (community_id, provider_kind, provider_id, provider_name, title, description, category, skills,
                              grid_id, availability, capacity, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'available', ?, ?)`,
    ),
    resourceStatus: db.prepare('UPDATE resources SET status = ?, updated_at = ? WHERE id = ?'),
    // The capacity check restated where it cannot race: it takes a place only if one is free.
    takePlace: db.prepare('UPDATE resources SET in_use = in_use + 1, updated_at = ? WHERE id = ? AND in_use < capacity'),
    freePlace: db.prepare('UPDATE resources SET in_use = in_use - 1, updated_at = ? WHERE id = ? AND in_use > 0'),
    candidates: db.prepare(
      `SELECT * FROM resources
        WHERE community_id = ? AND status = 'available' AND in_use < capacity
          AND category IN (SELECT value FROM json_each(?))
          AND id NOT IN (SELECT resource_id FROM matches WHERE need_id = ? AND status = 'declined')`,
    ),
    match: db.prepare(`${MATCH_SELECT} WHERE m.id = ?`),
    matchesOf: db.prepare(`${MATCH_SELECT} WHERE m.need_id = ? ORDER BY m.status = 'accepted' DESC, m.status = 'proposed' DESC, m.score DESC, m.id`),
    upsertMatch: db.prepare(
      `INSERT INTO matches (need_id, resource_id, score, reasons, status, proposed_at) VALUES (?, ?, ?, ?, 'proposed', ?)
       ON CONFLICT (need_id, resource_id) DO UPDATE SET score = excluded.score, reasons = excluded.reasons, proposed_at = excluded.proposed_at
       WHERE matches.status = 'proposed'`,
    ),
    staleMatches: db.prepare(
      "DELETE FROM matches WHERE need_id = ? AND status = 'proposed' AND resource_id NOT IN (SELECT value FROM json_each(?))",
    ),
    decide: db.prepare(
      'UPDATE matches SET status = ?, project_id = ?, task_id = ?, decided_at = ?, decided_by = ?, note = ? WHERE id = ?',
    ),
    supersede: db.prepare(
      "UPDATE matches SET status = 'declined', decided_at = ?, decided_by = ? WHERE need_id = ? AND status = 'proposed' AND id <> ?",
    ),
    task: db.prepare('SELECT * FROM tasks WHERE id = ?'),
    taskOf: db.prepare('SELECT * FROM tasks WHERE need_id = ? ORDER BY id DESC LIMIT 1'),
    insertTask: db.prepare(
      `INSERT INTO tasks (community_id, need_id, resource_id, assignee_kind, assignee_id, title, status, due_at, created_at, note)
       VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
    ),
    finishTask: db.prepare("UPDATE tasks SET status = ?, done_at = ?, note = COALESCE(?, note) WHERE need_id = ? AND status = 'open'"),
    projectOf: db.prepare('SELECT id, code FROM projects WHERE need_id = ? ORDER BY id DESC LIMIT 1'),
    /** The project the need's accepted match made, if any. */
    matchProject: db.prepare(
      "SELECT p.id, p.status FROM matches m JOIN projects p ON p.id = m.project_id WHERE m.need_id = ? AND m.status = 'accepted'",
    ),
    projectStatus: db.prepare('UPDATE projects SET status = ?, updated_at = ? WHERE id = ?'),
    // A need's history: its own entries, its matches' (a decline names the need) and its project's.
    history: db.prepare(
      `SELECT seq, at, type, from_status, data FROM journal
        WHERE (entity = 'need' AND entity_id = @id)
           OR (entity = 'match' AND entity_id IN (SELECT id FROM matches WHERE need_id = @id))
           OR (entity = 'project' AND entity_id IN (SELECT project_id FROM matches WHERE need_id = @id AND project_id IS NOT NULL))
        ORDER BY seq`,
    ),
    // The entry that last moved the need's version (a step of its lifecycle).
    lastStep: db.prepare(
      `SELECT at, type, data FROM journal WHERE entity = 'need' AND entity_id = ?
          AND type IN ('need.raised', 'need.matched', 'need.started', 'need.met', 'need.rated', 'need.closed')
        ORDER BY seq DESC LIMIT 1`,
    ),
    displayName: db.prepare('SELECT display_name FROM users WHERE username = ?').pluck(),
  };
}

/** What each aggregate service of the three lists is built from. */
export type NeedParts = AggregateParts<NeedStore>;

/** The three lists' statements and shared lookups; one per service, built with it. */
export class NeedStore {
  /** For the lists whose filters make their SQL (prepared per call). */
  readonly db: Db;
  readonly stmt: ReturnType<typeof prepare>;
  /** Project rows (orgs/projects.ts): an accepted match may make a project. */
  readonly projects: ProjectRows;
  #journal: JournalWriter;

  constructor(db: Db, journal: JournalWriter) {
    this.db = db;
    this.stmt = prepare(db);
    this.projects = new ProjectRows(db);
    this.#journal = journal;
  }

  /** A need by id or code (XQ-2026-0001); a grid worker finds only their grids' needs; a 404 otherwise. */
  need(p: Principal, idOrCode: number | string): NeedRecord {
    authorise(p, STAFF, 'see needs');
    const row = (typeof idOrCode === 'number' || /^\d+$/.test(idOrCode)
      ? this.stmt.need.get(Number(idOrCode))
      : this.stmt.needByCode.get(idOrCode)) as { community_id: string; grid_id: string | null } | undefined;
    if (!row || row.community_id !== p.communityId || !inScope(p, row.grid_id)) throw notFound(`need ${idOrCode}`);
    return needFromRow(row);
  }

  /** A need by id, unchecked: for a row this write has just made or read. */
  needRow(id: number): NeedRecord {
    return needFromRow(this.stmt.need.get(id));
  }

  /** A resource of the principal's community, for anyone on the staff; a 404 otherwise. */
  resource(p: Principal, id: number): ResourceRecord {
    authorise(p, STAFF, 'see resources');
    return resourceFromRow(ownRow(p, this.stmt.resource.get(id), `resource ${id}`));
  }

  /** Match `matchId` of need `n`; a 404 for a match of another need. */
  matchOf(n: NeedRecord, matchId: number): MatchRecord {
    const row = this.stmt.match.get(matchId) as { need_id: number } | undefined;
    if (!row || row.need_id !== n.id) throw notFound(`match ${matchId} of need ${n.code}`);
    return matchFromRow(row);
  }

  /** The provider's name; a 400 when there is no such provider here, a 409 when it is not active. */
  provider(p: Principal, kind: ProviderKind, id: number): string {
    const t = PROVIDER_TABLES[kind]!;
    const row = this.db.prepare(`SELECT * FROM ${t.table} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
    if (!row || row.community_id !== p.communityId) invalidField('providerId', `no ${kind} ${id} in this community`);
    if (t.inactive && t.inactive.includes(String(row.status))) {
      throw new DomainError(409, 'error.provider_inactive', `${kind} ${id} is ${String(row.status)}`, undefined, { status: row.status });
    }
    return String(row[t.name]);
  }

  /** The next sequence number of `prefix-year-` codes in `table` (codes are unique across communities). */
  nextSeq(table: 'needs', prefix: string, year: number): number {
    const lo = `${prefix}-${year}-`;
    const row = this.db
      .prepare(`SELECT MAX(CAST(substr(code, ${lo.length + 1}) AS INTEGER)) AS n FROM ${table} WHERE code >= ? AND code < ?`)
      .get(lo, `${prefix}-${year}.`) as { n: number | null };
    return (row.n ?? 0) + 1;
  }

  /** Who an actor is to people: their display name, else the id as written. */
  nameOf(actor: string): string {
    return (this.stmt.displayName.get(actor) as string | undefined) ?? actor;
  }

  /**
   * The need as the form read it, or a 409 `error.version_conflict` naming who changed it
   * meanwhile and when (the dispatcher's desk does the same for a case).
   */
  requireVersion(n: NeedRecord, expected: number | undefined, timeZone: string): void {
    if (expected === undefined || expected === n.version) return;
    const last = this.stmt.lastStep.get(n.id) as { at: number; type: string; data: string } | undefined;
    const by = last ? (JSON.parse(last.data) as { by?: string }).by : undefined;
    const changedBy = by ? this.nameOf(by) : null;
    throw new DomainError(409, 'error.version_conflict',
      `need ${n.code} is at version ${n.version}, not ${expected}${changedBy ? `: changed by ${changedBy}` : ''}`, undefined,
      { version: n.version, status: n.status, changedBy, changedAt: last ? isoInZone(last.at, timeZone) : null, type: last?.type ?? null });
  }

  /** The need's history, oldest first, each line naming who (when its entry says). */
  history(needId: number, timeZone: string): NeedHistoryLine[] {
    const rows = this.stmt.history.all({ id: needId }) as { seq: number; at: number; type: NeedHistoryLine['type']; from_status: string | null; data: string | null }[];
    return rows.map((r) => {
      const { by, feed: _feed, ...data } = JSON.parse(r.data ?? '{}') as Record<string, unknown> & { by?: string };
      return { seq: r.seq, type: r.type, at: isoInZone(r.at, timeZone), by: by ? this.nameOf(by) : null, fromStatus: r.from_status, data };
    });
  }

  /** The journal entry for a change made in this write, credited to `subject` (emitted after commit). */
  entry(
    ctx: WriteContext<SubjectChange>, p: Principal, at: number, subject: SubjectKind,
    type: NeedEntryType | 'project.created' | 'project.status_changed',
    entity: NeedEntity | 'project', entityId: number, data: Record<string, unknown>, fromStatus: string | null = null,
    feed: FeedDraft | null = null,
  ): void {
    // `by`: who did it, so the history and a refused change (409) can name them.
    this.#journal.write(ctx, p, at, { subject, type, entity, entityId, data: { ...data, by: p.id }, fromStatus, feed });
  }
}

/** A 409 naming the status and what it allows, like a grid event's refused transition. */
export function requireAction(n: NeedRecord, action: NeedAction): void {
  const allowed = NEED_TRANSITIONS[n.status];
  if (!allowed.includes(action)) {
    throw new DomainError(409, 'error.transition_not_allowed',
      `cannot ${action} need ${n.code}: it is ${n.status}; allowed: ${allowed.join(', ') || 'none'}`, undefined,
      { status: n.status, allowed });
  }
}

/** Within a grid worker's grids (everyone else's scope is the whole community). */
export function inScope(p: Principal, gridId: string | null): boolean {
  return !p.grids || (gridId !== null && p.grids.includes(gridId));
}
