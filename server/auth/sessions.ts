/**
 * Sessions: logging in (the same 401 after the same work for an unknown user, a wrong password
 * and a disabled account; the limits of `lockout.ts`), the session a cookie stands for (ended
 * when idle or too old), logging out, changing one's own password, and the timer's sweep. A
 * session's key is the sha256 of its random cookie; its CSRF token goes with it.
 */
import { DomainError } from '../errors.ts';
import type { ChangePasswordBody, LoginBody } from '../../shared/auth.ts';
import { actorOf } from './audit.ts';
import { hashCost, hashPassword, newSecret, sha256, verifyPassword } from './crypto.ts';
import { rooms } from './live.ts';
import {
  principalOfUser, userFromRow, type NewSession, type RequestInfo, type SessionRecord, type UserRecord, type UserRow,
} from './account-record.ts';
import type { AccountParts } from './account-store.ts';
import type { Lockout } from './lockout.ts';

/** A session's last-seen time is written at most this often. */
const TOUCH_EVERY_MS = 60_000;

/** Sessions: log in, resolve a cookie, recheck a socket's session, log out, change one's password, sweep. */
export class SessionService {
  #p: AccountParts;
  #lockout: Lockout;
  #dummyHash: Promise<string> | null = null;

  constructor(parts: AccountParts, lockout: Lockout) {
    this.#p = parts;
    this.#lockout = lockout;
  }

  /**
   * Log in. Unknown user, wrong password and disabled account get the same 401, after the same
   * work. Failures count per (username, address) and per address, or per known login device
   * (see `Lockout.login`); over a limit, 429. A browser new to this user gets a device cookie.
   */
  async login(body: LoginBody, req: RequestInfo): Promise<NewSession> {
    const { store, audit } = this.#p;
    const ip = req.ip ?? 'unknown';
    const user = store.byUsername(body.username);
    const device = this.#lockout.knownDevice(req.deviceToken, user);
    const attempt = this.#lockout.login(body.username, ip, device);
    const ok = await verifyPassword(body.password, user?.passwordHash ?? (await this.#dummy()));
    if (!user || !ok || user.status !== 'active') {
      audit.write({
        communityId: user?.communityId ?? null, actorId: null, actorRole: null, action: 'auth.login_failed',
        targetType: 'users', targetId: user?.id ?? null,
        detail: { username: body.username, reason: !user ? 'unknown' : !ok ? 'password' : 'disabled' }, ip: req.ip,
      });
      throw new DomainError(401, 'error.bad_credentials', 'wrong username or password');
    }
    attempt.succeeded();
    if (hashCost(user.passwordHash) !== this.#p.scryptCost) {
      // SCRYPT_COST changed since this hash was made: bring it to today's cost while we know the password.
      store.stmt.rehash.run(await hashPassword(body.password, this.#p.scryptCost), user.id);
    }
    return this.#p.db.transaction(() => {
      const deviceToken = this.#lockout.loggedIn(device, user, this.#p.now());
      audit.write({ ...actorOf(principalOfUser(user)), action: 'auth.login', targetType: 'users', targetId: user.id, ip: req.ip });
      return { ...store.newSession(user, req), ...(deviceToken ? { deviceToken } : {}) };
    }).immediate();
  }

  /** A hash of a random password, checked against when the user is unknown: the same work as a known one. */
  #dummy(): Promise<string> {
    return (this.#dummyHash ??= hashPassword(newSecret(), this.#p.scryptCost));
  }

  /** A live session and its user for the cookie's value, or null (unknown, ended, expired, user disabled). */
  resolve(secret: string): { user: UserRecord; session: SessionRecord } | null {
    const { store } = this.#p;
    if (!secret || secret.length > 100) return null;
    const idHash = sha256(secret);
    const row = store.stmt.session.get(idHash) as (UserRow & {
      id_hash: string; user_id: number; csrf_token: string; s_created_at: number; last_seen_at: number; expires_at: number;
    }) | undefined;
    if (!row) return null;
    const now = this.#p.now();
    if (now >= row.expires_at || now >= row.last_seen_at + this.#p.sessionIdleMs) {
      this.#p.defer(() => store.stmt.endSession.run(idHash));
      return null;
    }
    const user = userFromRow(row);
    if (user.status !== 'active') return null;
    if (now - row.last_seen_at > TOUCH_EVERY_MS) this.#p.defer(() => store.stmt.touch.run(now, idHash, now));
    return {
      user,
      session: {
        idHash, userId: row.user_id, csrfToken: row.csrf_token, createdAt: row.s_created_at,
        lastSeenAt: row.last_seen_at, expiresAt: row.expires_at,
      },
    };
  }

  /** Whether the session `idHash` still stands (a socket's recheck). */
  alive(idHash: string): boolean {
    const row = this.#p.store.stmt.session.get(idHash) as { last_seen_at: number; expires_at: number; status: string } | undefined;
    const now = this.#p.now();
    return !!row && row.status === 'active' && now < row.expires_at && now < row.last_seen_at + this.#p.sessionIdleMs;
  }

  /** End this session (and its sockets). */
  logout(user: UserRecord, session: SessionRecord, req: RequestInfo): void {
    this.#p.db.transaction(() => {
      this.#p.store.stmt.endSession.run(session.idHash);
      this.#p.audit.write({ ...actorOf(principalOfUser(user)), action: 'auth.logout', targetType: 'users', targetId: user.id, ip: req.ip });
    }).immediate();
    this.#p.live().disconnect(rooms.session(session.idHash));
  }

  /**
   * Change one's own password. Every session of the user ends, this one included, and this
   * browser gets a new one (new cookie, new CSRF token): whoever held a copy of the old cookie is
   * out.
   */
  async changePassword(user: UserRecord, session: SessionRecord, body: ChangePasswordBody, req: RequestInfo): Promise<NewSession> {
    const { store } = this.#p;
    const attempt = this.#lockout.passwordCheck(user.username, req.ip ?? 'unknown');
    if (!(await verifyPassword(body.currentPassword, user.passwordHash))) {
      throw new DomainError(403, 'error.wrong_password', 'the current password is wrong', [{ field: 'currentPassword', problem: 'is wrong' }]);
    }
    attempt.succeeded();
    const hash = await hashPassword(body.newPassword, this.#p.scryptCost);
    const { ended, fresh } = this.#p.db.transaction(() => {
      const now = this.#p.now();
      store.stmt.setHash.run(hash, 0, now, now, user.id);
      const all = store.endSessionsOf(user.id);
      this.#p.audit.write({ ...actorOf(principalOfUser(user)), action: 'auth.password', targetType: 'users', targetId: user.id, ip: req.ip });
      return { ended: all, fresh: store.newSession({ ...user, mustChangePassword: false }, req) };
    }).immediate();
    const live = this.#p.live();
    for (const h of ended) live.disconnect(rooms.session(h));
    return fresh;
  }

  /** End the sessions whose time is up at `now` (idle or too old); how many. */
  sweep(now: number): number {
    return this.#p.store.stmt.expired.run(now, now - this.#p.sessionIdleMs).changes;
  }
}
