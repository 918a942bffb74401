/**
 * The statements of accounts (users, sessions, login devices), prepared once, and the row work
 * their parts share: a user by id or username, a new user row, a new session, ending every
 * session of a user. The parts (users, sessions, the first-run setup, the lockout) each take this one store,
 * so work that spans two of them (an admin's new password ends the user's sessions; the first
 * administrator is logged in at once) goes through it and never through another part's privates.
 */
import type { Db } from '../db/index.ts';
import type { Directory } from '../kernel/community.ts';
import type { UserRole } from '../../shared/auth.ts';
import type { Audit } from './audit.ts';
import { newSecret, sha256 } from './crypto.ts';
import type { LiveControl } from './live.ts';
import { userFromRow, type NewSession, type RequestInfo, type UserRecord, type UserRow } from './account-record.ts';

/** What accounts are built from. */
export interface AccountsDeps {
  db: Db;
  directory: Directory;
  audit: Audit;
  now: () => number;
  /** scrypt N for new hashes (SCRYPT_COST). */
  scryptCost: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Run a small write soon, in a group commit (a session's last-seen time). */
  defer: (work: () => void) => void;
  live: () => LiveControl;
}

/** What every part of accounts takes: the deps and the one store. */
export interface AccountParts extends AccountsDeps {
  store: AccountStore;
}

function prepare(db: Db) {
  return {
    count: db.prepare('SELECT COUNT(*) AS n FROM users'),
    byId: db.prepare('SELECT * FROM users WHERE id = ?'),
    byName: db.prepare('SELECT * FROM users WHERE username = ?'),
    list: db.prepare('SELECT * FROM users WHERE community_id = ? ORDER BY id'),
    socialWorker: db.prepare('SELECT community_id FROM social_workers WHERE id = ?'),
    setWorker: db.prepare('UPDATE users SET worker_id = ?, updated_at = ? WHERE id = ?'),
    insert: db.prepare(
      `INSERT INTO users (community_id, username, display_name, role, grids, social_worker_id, password_hash, must_change_password, status,
         created_at, updated_at, password_changed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)`,
    ),
    update: db.prepare(
      'UPDATE users SET display_name = ?, role = ?, grids = ?, social_worker_id = ?, status = ?, updated_at = ? WHERE id = ?',
    ),
    setHash: db.prepare(
      'UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?, updated_at = ? WHERE id = ?',
    ),
    rehash: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    activeAdmins: db.prepare("SELECT COUNT(*) AS n FROM users WHERE community_id = ? AND role = 'admin' AND status = 'active'"),
    device: db.prepare('SELECT user_id, last_used_at FROM login_devices WHERE token_hash = ?'),
    newDevice: db.prepare('INSERT INTO login_devices (token_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)'),
    deviceUsed: db.prepare('UPDATE login_devices SET last_used_at = ? WHERE token_hash = ?'),
    newSession: db.prepare(
      `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    session: db.prepare(
      `SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at, u.*
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
    ),
    touch: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?'),
    endSession: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
    sessionsOf: db.prepare('SELECT id_hash FROM sessions WHERE user_id = ?'),
    endSessionsOf: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
    expired: db.prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?'),
    oldDevices: db.prepare('DELETE FROM login_devices WHERE last_used_at <= ?'),
  };
}

/** The statements of users, sessions and login devices, and the row work the parts share. */
export class AccountStore {
  readonly stmt: ReturnType<typeof prepare>;
  #now: () => number;
  #sessionMaxMs: number;

  constructor(deps: Pick<AccountsDeps, 'db' | 'now' | 'sessionMaxMs'>) {
    this.stmt = prepare(deps.db);
    this.#now = deps.now;
    this.#sessionMaxMs = deps.sessionMaxMs;
  }

  /** How many accounts there are, in every community. */
  userCount(): number {
    return (this.stmt.count.get() as { n: number }).n;
  }

  /** A user by id, unchecked (no community): for a row this write has just made or read. */
  user(id: number): UserRecord | null {
    const row = this.stmt.byId.get(id) as UserRow | undefined;
    return row ? userFromRow(row) : null;
  }

  /** A user by username (trimmed, lower-cased), in any community; null when there is none. */
  byUsername(username: string): UserRecord | null {
    const row = this.stmt.byName.get(username.trim().toLowerCase()) as UserRow | undefined;
    return row ? userFromRow(row) : null;
  }

  /** Insert an active user with the password hash `hash`; the new row. Run inside the caller's transaction. */
  insertUser(
    communityId: string, b: { username: string; displayName: string; role: UserRole; grids: string[]; socialWorkerId?: number | null; workerId?: string | null },
    hash: string, mustChange: boolean,
  ): UserRecord {
    const now = this.#now();
    const id = Number(this.stmt.insert.run(communityId, b.username, b.displayName, b.role, JSON.stringify(b.grids), b.socialWorkerId ?? null, hash,
      mustChange ? 1 : 0, now, now, now).lastInsertRowid);
    if (b.workerId) this.stmt.setWorker.run(b.workerId, now, id);
    return this.user(id)!;
  }

  /** Start a session for `user`: a new cookie value and CSRF token; the row keeps only the cookie's sha256. */
  newSession(user: UserRecord, req: RequestInfo): NewSession {
    const secret = newSecret();
    const csrfToken = newSecret();
    const now = this.#now();
    this.stmt.newSession.run(sha256(secret), user.id, csrfToken, now, now, now + this.#sessionMaxMs, req.ip,
      req.userAgent?.slice(0, 300) ?? null);
    return { user, secret, csrfToken };
  }

  /** End every session of user `userId`; the ended sessions' hashes (their sockets are to be closed after commit). */
  endSessionsOf(userId: number): string[] {
    const hashes = (this.stmt.sessionsOf.all(userId) as { id_hash: string }[]).map((r) => r.id_hash);
    this.stmt.endSessionsOf.run(userId);
    return hashes;
  }
}
