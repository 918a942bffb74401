/**
 * The notices' statements, prepared once: writing one, a person's page and unread count,
 * marking read, and finding who a case's notices go to in the accounts' table (which this
 * subject reads, never writes).
 */
import type { Db } from '../db/index.ts';
import type { NoticeData, NoticeRow } from './record.ts';
import type { NoticeKind } from '../../shared/protocol.ts';

export class NoticeStore {
  #stmt;

  constructor(db: Db) {
    this.#stmt = {
      insert: db.prepare(
        'INSERT INTO notices (community_id, user_id, kind, event_id, at, read_at, data) VALUES (?, ?, ?, ?, ?, NULL, ?) RETURNING *',
      ),
      page: db.prepare(
        `SELECT * FROM notices WHERE user_id = @user AND id < @cursor AND (@unread = 0 OR read_at IS NULL)
         ORDER BY id DESC LIMIT @limit`,
      ),
      unread: db.prepare('SELECT COUNT(*) FROM notices WHERE user_id = ? AND read_at IS NULL').pluck(),
      byId: db.prepare('SELECT * FROM notices WHERE id = ? AND user_id = ?'),
      markRead: db.prepare('UPDATE notices SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL'),
      markAllRead: db.prepare('UPDATE notices SET read_at = ? WHERE user_id = ? AND read_at IS NULL'),
      userId: db.prepare("SELECT id FROM users WHERE username = ? AND community_id = ? AND status = 'active'").pluck(),
      displayName: db.prepare('SELECT display_name FROM users WHERE username = ?').pluck(),
      // A grid worker's accounts (users.worker_id, migration 8): usually one.
      workerAccounts: db.prepare("SELECT id FROM users WHERE community_id = ? AND worker_id = ? AND status = 'active'").pluck(),
      // The centre's person for a case: whoever last dispatched or accepted it, if still at the centre.
      caseDispatcher: db.prepare(
        `SELECT u.id FROM event_history h JOIN users u ON u.username = h.actor
          WHERE h.event_id = ? AND h.action IN ('dispatch', 'accept') AND u.community_id = ?
            AND u.status = 'active' AND u.role IN ('admin', 'dispatcher')
          ORDER BY h.id DESC LIMIT 1`,
      ).pluck(),
      centre: db.prepare("SELECT id FROM users WHERE community_id = ? AND status = 'active' AND role IN ('admin', 'dispatcher') ORDER BY id").pluck(),
      lastStep: db.prepare('SELECT actor, note FROM event_history WHERE event_id = ? ORDER BY id DESC LIMIT 1'),
    };
  }

  insert(communityId: string, userId: number, kind: NoticeKind, eventId: number, at: number, data: NoticeData): NoticeRow {
    return this.#stmt.insert.get(communityId, userId, kind, eventId, at, JSON.stringify(data)) as NoticeRow;
  }

  /** A person's notices below `cursor`, newest first, `limit` of them. */
  page(userId: number, cursor: number, limit: number, unreadOnly: boolean): NoticeRow[] {
    return this.#stmt.page.all({ user: userId, cursor, limit, unread: unreadOnly ? 1 : 0 }) as NoticeRow[];
  }

  unread(userId: number): number {
    return this.#stmt.unread.get(userId) as number;
  }

  byId(id: number, userId: number): NoticeRow | undefined {
    return this.#stmt.byId.get(id, userId) as NoticeRow | undefined;
  }

  markRead(id: number, userId: number, at: number): void {
    this.#stmt.markRead.run(at, id, userId);
  }

  markAllRead(userId: number, at: number): number {
    return this.#stmt.markAllRead.run(at, userId).changes;
  }

  /** The account of an active person of the community, by username (a principal's id). */
  userId(username: string, communityId: string): number | null {
    return (this.#stmt.userId.get(username, communityId) as number | undefined) ?? null;
  }

  displayName(username: string): string | null {
    return (this.#stmt.displayName.get(username) as string | undefined) ?? null;
  }

  workerAccounts(communityId: string, workerId: string): number[] {
    return this.#stmt.workerAccounts.all(communityId, workerId) as number[];
  }

  /** Who at the centre hears of a case: its dispatcher, or every active admin and dispatcher when it has none. */
  centreOf(communityId: string, eventId: number): number[] {
    const one = this.#stmt.caseDispatcher.get(eventId, communityId) as number | undefined;
    return one !== undefined ? [one] : (this.#stmt.centre.all(communityId) as number[]);
  }

  /** Who wrote the case's latest history line (the change being recorded wrote it just before). */
  /** Who took the case's latest step and the note they wrote: the step a notice is about. */
  lastStep(eventId: number): { actor: string; note: string | null } | null {
    return (this.#stmt.lastStep.get(eventId) as { actor: string; note: string | null } | undefined) ?? null;
  }
}
