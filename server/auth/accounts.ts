/**
 * People: users with a role and a scope, their passwords (scrypt), their sessions (a random
 * cookie whose sha256 is the session's key), login with rate limits per (account, address) and
 * per address, the one-time setup of the first administrator. Every change writes its audit
 * line in its own transaction.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/index.ts';
import type { Directory } from '../kernel/community.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { isoInZone } from '../../shared/time.ts';
import type {
  ChangePasswordBody, CreateUserBody, LoginBody, SetupBody, UpdateUserBody, UserRole, UserStatus, UserView,
} from '../../shared/auth.ts';
import { actorOf, type Audit } from './audit.ts';
import { hashCost, hashPassword, newSecret, sameSecret, sha256, verifyPassword } from './crypto.ts';
import { RateLimiter, loginKeys } from './rate-limit.ts';
import { rooms, type LiveControl } from './live.ts';

export interface UserRecord {
  id: number;
  communityId: string;
  username: string;
  displayName: string;
  role: UserRole;
  grids: string[];
  socialWorkerId: number | null;
  passwordHash: string;
  mustChangePassword: boolean;
  status: UserStatus;
  createdAt: number;
  updatedAt: number;
  passwordChangedAt: number;
}

export interface SessionRecord {
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** Where a request came from, for the audit log, the rate limits and the session row. */
export interface RequestInfo {
  ip: string | null;
  userAgent?: string | null;
  /** The login-device cookie this browser sent (`cb_device`), if any. */
  deviceToken?: string | null;
}

/** A new session: the cookie's value (shown once, never stored) and its CSRF token. */
export interface NewSession {
  user: UserRecord;
  secret: string;
  csrfToken: string;
  /** A new login-device cookie for this browser (first login as this user from it). */
  deviceToken?: string;
}

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

/** Failed logins allowed per (account, address), and per address, in LOGIN_WINDOW_MS. */
export const LOGIN_LIMITS = { account: 5, address: 50, device: 5, windowMs: 15 * 60_000 };
/** How long a browser that logged in stays known as that person's device. */
export const DEVICE_DAYS = 180;
/** A session's last-seen time is written at most this often. */
const TOUCH_EVERY_MS = 60_000;

interface UserRow {
  id: number; community_id: string; username: string; display_name: string; role: UserRole; grids: string; social_worker_id: number | null;
  password_hash: string; must_change_password: number; status: UserStatus; created_at: number; updated_at: number;
  password_changed_at: number;
}

const userFromRow = (r: UserRow): UserRecord => ({
  id: r.id, communityId: r.community_id, username: r.username, displayName: r.display_name, role: r.role,
  grids: JSON.parse(r.grids) as string[], socialWorkerId: r.social_worker_id, passwordHash: r.password_hash, mustChangePassword: r.must_change_password === 1,
  status: r.status, createdAt: r.created_at, updatedAt: r.updated_at, passwordChangedAt: r.password_changed_at,
});

export class Accounts {
  readonly failures: { account: RateLimiter; address: RateLimiter; device: RateLimiter };
  #d: AccountsDeps;
  #setupHash: string | null = null;
  #dummyHash: Promise<string> | null = null;
  #stmt;

  constructor(deps: AccountsDeps) {
    this.#d = deps;
    const windowMs = LOGIN_LIMITS.windowMs;
    this.failures = {
      account: new RateLimiter({ limit: LOGIN_LIMITS.account, windowMs, now: deps.now }),
      address: new RateLimiter({ limit: LOGIN_LIMITS.address, windowMs, now: deps.now }),
      device: new RateLimiter({ limit: LOGIN_LIMITS.device, windowMs, now: deps.now }),
    };
    const db = deps.db;
    this.#stmt = {
      count: db.prepare('SELECT COUNT(*) AS n FROM users'),
      byId: db.prepare('SELECT * FROM users WHERE id = ?'),
      byName: db.prepare('SELECT * FROM users WHERE username = ?'),
      list: db.prepare('SELECT * FROM users WHERE community_id = ? ORDER BY id'),
      socialWorker: db.prepare('SELECT community_id FROM social_workers WHERE id = ?'),
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

  // ---- the first administrator -------------------------------------------------------------

  count(): number {
    return (this.#stmt.count.get() as { n: number }).n;
  }

  setupNeeded(): boolean {
    return this.count() === 0;
  }

  /**
   * While nobody has an account (and a community exists), a new one-time token for creating the
   * first administrator at `/console/setup#<token>`; null otherwise. A new call replaces the
   * previous token; the token lives in memory only, so a restart prints a new one.
   */
  /** Is any community installed (the first administrator is made in one)? */
  communityInstalled(): boolean {
    return !!this.#d.directory.defaultCommunity();
  }

  beginSetup(): string | null {
    if (!this.setupNeeded() || !this.#d.directory.defaultCommunity()) return null;
    const token = newSecret();
    this.#setupHash = sha256(token);
    return token;
  }

  async setup(body: SetupBody, req: RequestInfo): Promise<NewSession> {
    if (!this.setupNeeded()) throw new DomainError(403, 'error.setup_done', 'an administrator exists already');
    const ip = req.ip ?? 'unknown';
    this.#limit(this.failures.address.retryAfter(ip));
    if (!this.#setupHash || !sameSecret(sha256(body.token), this.#setupHash)) {
      this.failures.address.hit(ip);
      throw new DomainError(403, 'error.setup_token', 'the setup token is not valid (it is printed in the start-up log)');
    }
    const community = this.#d.directory.defaultCommunity();
    if (!community) throw invalid([{ field: '(community)', problem: 'no community is installed yet' }]);
    const hash = await hashPassword(body.password, this.#d.scryptCost);
    // Checked again after the (slow) hash: two requests with the same token make one admin.
    if (!this.setupNeeded()) throw new DomainError(403, 'error.setup_done', 'an administrator exists already');
    if (!this.#setupHash) throw new DomainError(403, 'error.setup_token', 'the setup token was used');
    this.#setupHash = null;
    const user = this.#d.db.transaction(() => {
      const u = this.#insertUser(community.id, { ...body, role: 'admin', grids: [] }, hash, false);
      this.#d.audit.write({ ...actorOf(this.principalOf(u)), action: 'auth.setup', targetType: 'users', targetId: u.id, ip: req.ip });
      return u;
    }).immediate();
    return this.#newSession(user, req);
  }

  // ---- users -------------------------------------------------------------------------------

  /**
   * Create an account in `communityId`. `actor` is the admin who does it (null for the command
   * line and the demo). A grid worker needs at least one grid of the community; nobody else has any.
   */
  async createUser(
    actor: Principal | null,
    communityId: string,
    body: CreateUserBody & { mustChangePassword?: boolean },
    req: RequestInfo = { ip: null },
  ): Promise<UserRecord> {
    const grids = this.#checkScope(communityId, body.role, body.grids ?? []);
    const socialWorkerId = this.#checkWorker(communityId, body.role, body.socialWorkerId ?? null);
    if (this.#stmt.byName.get(body.username)) throw taken(body.username);
    const hash = await hashPassword(body.password, this.#d.scryptCost);
    return this.#d.db.transaction(() => {
      if (this.#stmt.byName.get(body.username)) throw taken(body.username);
      const u = this.#insertUser(communityId, { ...body, grids, socialWorkerId }, hash, body.mustChangePassword ?? true);
      this.#d.audit.write({
        ...actorOf(actor), communityId, action: 'users.create', targetType: 'users', targetId: u.id,
        detail: { username: u.username, role: u.role, ...(u.grids.length ? { grids: u.grids } : {}), ...(socialWorkerId ? { socialWorkerId } : {}) },
        ip: req.ip,
      });
      return u;
    }).immediate();
  }

  #insertUser(
    communityId: string, b: { username: string; displayName: string; role: UserRole; grids: string[]; socialWorkerId?: number | null },
    hash: string, mustChange: boolean,
  ) {
    const now = this.#d.now();
    const id = Number(this.#stmt.insert.run(communityId, b.username, b.displayName, b.role, JSON.stringify(b.grids), b.socialWorkerId ?? null, hash,
      mustChange ? 1 : 0, now, now, now).lastInsertRowid);
    return this.#user(id)!;
  }

  #checkScope(communityId: string, role: UserRole, grids: string[]): string[] {
    if (role !== 'grid_worker') {
      if (grids.length) throw invalid([{ field: 'grids', problem: 'only grid workers are limited to grids' }]);
      return [];
    }
    if (!grids.length) throw invalid([{ field: 'grids', problem: 'a grid worker needs at least one grid' }]);
    grids.forEach((g, i) => {
      const grid = this.#d.directory.grids.get(g);
      if (!grid || grid.communityId !== communityId) throw invalid([{ field: `grids[${i}]`, problem: `no grid ${g} in this community` }]);
    });
    return grids;
  }

  /** The social-worker record a `role` account may name: only a social worker's, and one of the community. */
  #checkWorker(communityId: string, role: UserRole, id: number | null): number | null {
    if (id === null) return null;
    if (role !== 'social_worker') throw invalid([{ field: 'socialWorkerId', problem: 'only a social worker’s account is a social worker' }]);
    const row = this.#stmt.socialWorker.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== communityId) throw invalid([{ field: 'socialWorkerId', problem: `no social worker ${id} in this community` }]);
    return id;
  }

  #user(id: number): UserRecord | null {
    const row = this.#stmt.byId.get(id) as UserRow | undefined;
    return row ? userFromRow(row) : null;
  }

  byUsername(username: string): UserRecord | null {
    const row = this.#stmt.byName.get(username.trim().toLowerCase()) as UserRow | undefined;
    return row ? userFromRow(row) : null;
  }

  list(communityId: string): UserRecord[] {
    return (this.#stmt.list.all(communityId) as UserRow[]).map(userFromRow);
  }

  /** A user of the admin's community, or 404. */
  get(actor: Principal, id: number): UserRecord {
    const u = this.#user(id);
    if (!u || u.communityId !== actor.communityId) throw notFound(`user ${id}`);
    return u;
  }

  update(actor: Principal, id: number, body: UpdateUserBody, req: RequestInfo): UserRecord {
    const { db, audit } = this.#d;
    const live = this.#d.live();
    let ended: string[] = [];
    const before = this.get(actor, id);
    const role = body.role ?? before.role;
    const grids = body.grids !== undefined || body.role !== undefined
      ? this.#checkScope(before.communityId, role, body.grids ?? (role === 'grid_worker' ? before.grids : []))
      : before.grids;
    const status = body.status ?? before.status;
    // A role other than social worker drops the link; staying one keeps it unless the body says otherwise.
    const socialWorkerId = role !== 'social_worker' && body.socialWorkerId === undefined
      ? null
      : this.#checkWorker(before.communityId, role, body.socialWorkerId !== undefined ? body.socialWorkerId : before.socialWorkerId);
    const displayName = body.displayName ?? before.displayName;
    // Nothing to change: nothing written, no audit line, no socket ended.
    if (isDeepStrictEqual({ displayName, role, grids, socialWorkerId, status },
      { displayName: before.displayName, role: before.role, grids: before.grids, socialWorkerId: before.socialWorkerId, status: before.status })) {
      return before;
    }
    const after = db.transaction(() => {
      const losesAdmin = before.role === 'admin' && before.status === 'active' && (role !== 'admin' || status !== 'active');
      if (losesAdmin && (this.#stmt.activeAdmins.get(before.communityId) as { n: number }).n <= 1) {
        throw new DomainError(409, 'error.last_admin', 'the community would be left without an active administrator');
      }
      this.#stmt.update.run(displayName, role, JSON.stringify(grids), socialWorkerId, status, this.#d.now(), id);
      if (status === 'disabled') {
        ended = (this.#stmt.sessionsOf.all(id) as { id_hash: string }[]).map((r) => r.id_hash);
        this.#stmt.endSessionsOf.run(id);
      }
      const changed: string[] = (Object.keys(body) as (keyof UpdateUserBody)[]).filter((k) => body[k] !== undefined);
      // A role change drops the link to a social-worker record: say so.
      if (socialWorkerId !== before.socialWorkerId && !changed.includes('socialWorkerId')) changed.push('socialWorkerId');
      audit.write({
        ...actorOf(actor), action: 'users.update', targetType: 'users', targetId: id,
        detail: { username: before.username, changed, ...(body.role ? { role } : {}), ...(body.status ? { status } : {}) }, ip: req.ip,
      });
      return this.#user(id)!;
    }).immediate();
    // Sockets carry the principal of their handshake: a changed role, scope or status takes
    // effect at once by ending them (they reconnect as the user is now, or not at all).
    if (after.role !== before.role || after.status !== before.status || JSON.stringify(after.grids) !== JSON.stringify(before.grids)
      || after.socialWorkerId !== before.socialWorkerId) {
      live.disconnect(rooms.user(id));
    }
    for (const h of ended) live.disconnect(rooms.session(h));
    return after;
  }

  /**
   * An admin sets a user's password: the user must change it at next login (unless
   * `mustChange` is false: the command line, where the person sets their own); their sessions end.
   */
  async setPassword(actor: Principal, id: number, password: string, req: RequestInfo, mustChange = true): Promise<void> {
    const u = this.get(actor, id);
    const hash = await hashPassword(password, this.#d.scryptCost);
    const ended = this.#d.db.transaction(() => {
      const now = this.#d.now();
      this.#stmt.setHash.run(hash, mustChange ? 1 : 0, now, now, u.id);
      const hashes = (this.#stmt.sessionsOf.all(u.id) as { id_hash: string }[]).map((r) => r.id_hash);
      this.#stmt.endSessionsOf.run(u.id);
      this.#d.audit.write({ ...actorOf(actor), action: 'users.password', targetType: 'users', targetId: u.id, detail: { username: u.username }, ip: req.ip });
      return hashes;
    }).immediate();
    this.#endSockets(ended);
  }

  #endSockets(sessionHashes: string[]) {
    const live = this.#d.live();
    for (const h of sessionHashes) live.disconnect(rooms.session(h));
  }

  // ---- login and sessions ------------------------------------------------------------------

  /**
   * Log in. Unknown user, wrong password and disabled account get the same 401, after the same
   * work. Failures count per (username, address) and per address; over either limit, 429.
   *
   * A browser that logged in as this user before (its `cb_device` cookie, OWASP's "device
   * cookie") is counted on its own instead: someone guessing from the same office network
   * cannot lock the people who work there out. Its own failures are limited alike.
   */
  async login(body: LoginBody, req: RequestInfo): Promise<NewSession> {
    const ip = req.ip ?? 'unknown';
    const keys = loginKeys(body.username, ip);
    const user = this.byUsername(body.username);
    const device = this.#knownDevice(req.deviceToken, user);
    const limits: [RateLimiter, string][] = device
      ? [[this.failures.device, device]]
      : [[this.failures.account, keys.account], [this.failures.address, keys.address]];
    this.#limit(Math.max(...limits.map(([l, k]) => l.retryAfter(k))));
    // Counted as a failure before the slow check, so a burst of parallel guesses cannot all pass
    // the limit while the first are still hashing; taken back below when it succeeds.
    for (const [l, k] of limits) l.hit(k);
    const ok = await verifyPassword(body.password, user?.passwordHash ?? (await this.#dummy()));
    if (!user || !ok || user.status !== 'active') {
      this.#d.audit.write({
        communityId: user?.communityId ?? null, actorId: null, actorRole: null, action: 'auth.login_failed',
        targetType: 'users', targetId: user?.id ?? null,
        detail: { username: body.username, reason: !user ? 'unknown' : !ok ? 'password' : 'disabled' }, ip: req.ip,
      });
      throw new DomainError(401, 'error.bad_credentials', 'wrong username or password');
    }
    if (device) this.failures.device.reset(device);
    else (this.failures.account.reset(keys.account), this.failures.address.forgive(keys.address));
    if (hashCost(user.passwordHash) !== this.#d.scryptCost) {
      // SCRYPT_COST changed since this hash was made: bring it to today's cost while we know the password.
      this.#stmt.rehash.run(await hashPassword(body.password, this.#d.scryptCost), user.id);
    }
    return this.#d.db.transaction(() => {
      const now = this.#d.now();
      let deviceToken: string | undefined;
      if (device) this.#stmt.deviceUsed.run(now, device);
      else {
        deviceToken = newSecret();
        this.#stmt.newDevice.run(sha256(deviceToken), user.id, now, now);
      }
      this.#d.audit.write({ ...actorOf(this.principalOf(user)), action: 'auth.login', targetType: 'users', targetId: user.id, ip: req.ip });
      return { ...this.#newSession(user, req), ...(deviceToken ? { deviceToken } : {}) };
    }).immediate();
  }

  /** The hash of `token` if it is a device `user` logged in from within DEVICE_DAYS; else null. */
  #knownDevice(token: string | null | undefined, user: UserRecord | null): string | null {
    if (!token || !user || token.length > 100) return null;
    const hash = sha256(token);
    const row = this.#stmt.device.get(hash) as { user_id: number; last_used_at: number } | undefined;
    return row && row.user_id === user.id && row.last_used_at > this.#d.now() - DEVICE_DAYS * 86_400_000 ? hash : null;
  }

  #dummy(): Promise<string> {
    return (this.#dummyHash ??= hashPassword(newSecret(), this.#d.scryptCost));
  }

  #limit(retryAfterMs: number) {
    if (retryAfterMs > 0) {
      throw new DomainError(429, 'error.rate_limited', 'too many failed attempts; try again later', undefined,
        { retryAfter: Math.ceil(retryAfterMs / 1000) });
    }
  }

  #newSession(user: UserRecord, req: RequestInfo): NewSession {
    const secret = newSecret();
    const csrfToken = newSecret();
    const now = this.#d.now();
    this.#stmt.newSession.run(sha256(secret), user.id, csrfToken, now, now, now + this.#d.sessionMaxMs, req.ip,
      req.userAgent?.slice(0, 300) ?? null);
    return { user, secret, csrfToken };
  }

  /** A live session and its user for the cookie's value, or null (unknown, ended, expired, user disabled). */
  resolveSession(secret: string): { user: UserRecord; session: SessionRecord } | null {
    if (!secret || secret.length > 100) return null;
    const idHash = sha256(secret);
    const row = this.#stmt.session.get(idHash) as (UserRow & {
      id_hash: string; user_id: number; csrf_token: string; s_created_at: number; last_seen_at: number; expires_at: number;
    }) | undefined;
    if (!row) return null;
    const now = this.#d.now();
    if (now >= row.expires_at || now >= row.last_seen_at + this.#d.sessionIdleMs) {
      this.#d.defer(() => this.#stmt.endSession.run(idHash));
      return null;
    }
    const user = userFromRow(row);
    if (user.status !== 'active') return null;
    if (now - row.last_seen_at > TOUCH_EVERY_MS) this.#d.defer(() => this.#stmt.touch.run(now, idHash, now));
    return {
      user,
      session: {
        idHash, userId: row.user_id, csrfToken: row.csrf_token, createdAt: row.s_created_at,
        lastSeenAt: row.last_seen_at, expiresAt: row.expires_at,
      },
    };
  }

  /** Whether the session `idHash` still stands (a socket's recheck). */
  sessionAlive(idHash: string): boolean {
    const row = this.#stmt.session.get(idHash) as { last_seen_at: number; expires_at: number; status: string } | undefined;
    const now = this.#d.now();
    return !!row && row.status === 'active' && now < row.expires_at && now < row.last_seen_at + this.#d.sessionIdleMs;
  }

  logout(user: UserRecord, session: SessionRecord, req: RequestInfo): void {
    this.#d.db.transaction(() => {
      this.#stmt.endSession.run(session.idHash);
      this.#d.audit.write({ ...actorOf(this.principalOf(user)), action: 'auth.logout', targetType: 'users', targetId: user.id, ip: req.ip });
    }).immediate();
    this.#d.live().disconnect(rooms.session(session.idHash));
  }

  /**
   * Change one's own password. Every session of the user ends, this one included, and this
   * browser gets a new one (new cookie, new CSRF token): whoever held a copy of the old cookie is
   * out.
   */
  async changePassword(user: UserRecord, session: SessionRecord, body: ChangePasswordBody, req: RequestInfo): Promise<NewSession> {
    const keys = loginKeys(user.username, req.ip ?? 'unknown');
    this.#limit(this.failures.account.retryAfter(keys.account));
    this.failures.account.hit(keys.account); // before the slow check, as in login
    if (!(await verifyPassword(body.currentPassword, user.passwordHash))) {
      throw new DomainError(403, 'error.wrong_password', 'the current password is wrong', [{ field: 'currentPassword', problem: 'is wrong' }]);
    }
    this.failures.account.forgive(keys.account);
    const hash = await hashPassword(body.newPassword, this.#d.scryptCost);
    const { ended, fresh } = this.#d.db.transaction(() => {
      const now = this.#d.now();
      this.#stmt.setHash.run(hash, 0, now, now, user.id);
      const all = (this.#stmt.sessionsOf.all(user.id) as { id_hash: string }[]).map((r) => r.id_hash);
      for (const h of all) this.#stmt.endSession.run(h);
      this.#d.audit.write({ ...actorOf(this.principalOf(user)), action: 'auth.password', targetType: 'users', targetId: user.id, ip: req.ip });
      return { ended: all, fresh: this.#newSession({ ...user, mustChangePassword: false }, req) };
    }).immediate();
    this.#endSockets(ended);
    return fresh;
  }

  /** End the sessions whose time is up (returns how many) and forget devices unused for DEVICE_DAYS. */
  sweep(): number {
    const now = this.#d.now();
    this.#stmt.oldDevices.run(now - DEVICE_DAYS * 86_400_000);
    return this.#stmt.expired.run(now, now - this.#d.sessionIdleMs).changes;
  }

  // ---- views -------------------------------------------------------------------------------

  principalOf(u: UserRecord): Principal {
    return {
      id: u.username, role: u.role, communityId: u.communityId,
      ...(u.role === 'grid_worker' ? { grids: u.grids } : {}),
      ...(u.role === 'social_worker' && u.socialWorkerId !== null ? { socialWorkerId: u.socialWorkerId } : {}),
    };
  }

  view(u: UserRecord): UserView {
    return {
      id: u.id, username: u.username, displayName: u.displayName, role: u.role, communityId: u.communityId, grids: u.grids,
      socialWorkerId: u.socialWorkerId, status: u.status, mustChangePassword: u.mustChangePassword,
      createdAt: isoInZone(u.createdAt, this.#d.directory.timeZoneOf(u.communityId)),
    };
  }
}

const taken = (username: string) => new DomainError(409, 'error.username_taken', `the username ${username} is taken`, [{ field: 'username', problem: 'is taken' }]);
