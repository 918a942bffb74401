/**
 * People's accounts, as an administrator keeps them: create one (a role and, for a grid worker,
 * grids; for a social worker, maybe their record), change it, set a password, list and show
 * them. A community always keeps an active administrator. Every change writes its audit line in
 * its own transaction; a change of role, scope or status ends the person's sockets at once.
 */
import { isDeepStrictEqual } from 'node:util';
import { DomainError, invalid, notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import type { CreateUserBody, UpdateUserBody, UserRole, UserView } from '../../shared/auth.ts';
import { actorOf } from './audit.ts';
import { hashPassword } from './crypto.ts';
import { rooms } from './live.ts';
import { principalOfUser, userFromRow, userView, type RequestInfo, type UserRecord, type UserRow } from './account-record.ts';
import type { AccountParts } from './account-store.ts';

/** Users: create, find, list, update, set a password; their principal and view. */
export class UserService {
  #p: AccountParts;

  constructor(parts: AccountParts) {
    this.#p = parts;
  }

  /**
   * Create an account in `communityId`. `actor` is the admin who does it (null for the command
   * line and the demo). A grid worker needs at least one grid of the community; nobody else has any.
   */
  async create(
    actor: Principal | null,
    communityId: string,
    body: CreateUserBody & { mustChangePassword?: boolean },
    req: RequestInfo = { ip: null },
  ): Promise<UserRecord> {
    const { store } = this.#p;
    const grids = this.#checkScope(communityId, body.role, body.grids ?? []);
    const socialWorkerId = this.#checkWorker(communityId, body.role, body.socialWorkerId ?? null);
    const workerId = this.#checkGridWorker(communityId, body.role, body.workerId ?? null);
    if (store.stmt.byName.get(body.username)) throw taken(body.username);
    const hash = await hashPassword(body.password, this.#p.scryptCost);
    return this.#p.db.transaction(() => {
      if (store.stmt.byName.get(body.username)) throw taken(body.username);
      const u = store.insertUser(communityId, { ...body, grids, socialWorkerId, workerId }, hash, body.mustChangePassword ?? true);
      this.#p.audit.write({
        ...actorOf(actor), communityId, action: 'users.create', targetType: 'users', targetId: u.id,
        detail: { username: u.username, role: u.role, ...(u.grids.length ? { grids: u.grids } : {}), ...(socialWorkerId ? { socialWorkerId } : {}), ...(workerId ? { workerId } : {}) },
        ip: req.ip,
      });
      return u;
    }).immediate();
  }

  /** The grids a `role` account may be limited to: a grid worker's, at least one, all of the community. */
  #checkScope(communityId: string, role: UserRole, grids: string[]): string[] {
    if (role !== 'grid_worker') {
      if (grids.length) throw invalid([{ field: 'grids', problem: 'only grid workers are limited to grids' }]);
      return [];
    }
    if (!grids.length) throw invalid([{ field: 'grids', problem: 'a grid worker needs at least one grid' }]);
    grids.forEach((g, i) => {
      const grid = this.#p.directory.grids.get(g);
      if (!grid || grid.communityId !== communityId) throw invalid([{ field: `grids[${i}]`, problem: `no grid ${g} in this community` }]);
    });
    return grids;
  }

  /** The social-worker record a `role` account may name: only a social worker's, and one of the community. */
  #checkWorker(communityId: string, role: UserRole, id: number | null): number | null {
    if (id === null) return null;
    if (role !== 'social_worker') throw invalid([{ field: 'socialWorkerId', problem: 'only a social worker’s account is a social worker' }]);
    const row = this.#p.store.stmt.socialWorker.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== communityId) throw invalid([{ field: 'socialWorkerId', problem: `no social worker ${id} in this community` }]);
    return id;
  }

  /** The grid-worker record a `role` account may name: only a grid worker's, and one of the community. */
  #checkGridWorker(communityId: string, role: UserRole, id: string | null, linked: string | null = null): string | null {
    if (id === null) return null;
    if (role !== 'grid_worker') throw invalid([{ field: 'workerId', problem: 'only a grid worker’s account is a grid worker' }]);
    const w = this.#p.directory.workers.get(id);
    if (!w || w.communityId !== communityId) throw invalid([{ field: 'workerId', problem: `no grid worker ${id} in this community` }]);
    // A retired worker keeps the account they had, but no account is newly linked to them.
    if (w.status === 'retired' && id !== linked) throw invalid([{ field: 'workerId', problem: `grid worker ${id} is retired` }]);
    return id;
  }

  /** A user by username (trimmed, lower-cased), in any community; null when there is none. */
  byUsername(username: string): UserRecord | null {
    return this.#p.store.byUsername(username);
  }

  /** The users of a community, oldest first. */
  list(communityId: string): UserRecord[] {
    return (this.#p.store.stmt.list.all(communityId) as UserRow[]).map(userFromRow);
  }

  /** A user of the admin's community, or 404. */
  get(actor: Principal, id: number): UserRecord {
    const u = this.#p.store.user(id);
    if (!u || u.communityId !== actor.communityId) throw notFound(`user ${id}`);
    return u;
  }

  /**
   * Change a user's name, role, grids, social-worker record or status. The last active
   * administrator stays one (409); a disabled user's sessions end; a body that changes nothing
   * writes nothing.
   */
  update(actor: Principal, id: number, body: UpdateUserBody, req: RequestInfo): UserRecord {
    const { db, audit, store } = this.#p;
    const live = this.#p.live();
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
    // Likewise a grid worker's record: another role drops it.
    const workerId = role !== 'grid_worker' && body.workerId === undefined
      ? null
      : this.#checkGridWorker(before.communityId, role, body.workerId !== undefined ? body.workerId : before.workerId, before.workerId);
    const displayName = body.displayName ?? before.displayName;
    // Nothing to change: nothing written, no audit line, no socket ended.
    if (isDeepStrictEqual({ displayName, role, grids, socialWorkerId, workerId, status },
      { displayName: before.displayName, role: before.role, grids: before.grids, socialWorkerId: before.socialWorkerId, workerId: before.workerId, status: before.status })) {
      return before;
    }
    const after = db.transaction(() => {
      const losesAdmin = before.role === 'admin' && before.status === 'active' && (role !== 'admin' || status !== 'active');
      if (losesAdmin && (store.stmt.activeAdmins.get(before.communityId) as { n: number }).n <= 1) {
        throw new DomainError(409, 'error.last_admin', 'the community would be left without an active administrator');
      }
      store.stmt.update.run(displayName, role, JSON.stringify(grids), socialWorkerId, status, this.#p.now(), id);
      if (workerId !== before.workerId) store.stmt.setWorker.run(workerId, this.#p.now(), id);
      if (status === 'disabled') ended = store.endSessionsOf(id);
      const changed: string[] = (Object.keys(body) as (keyof UpdateUserBody)[]).filter((k) => body[k] !== undefined);
      // A role change drops the link to a social-worker record: say so.
      if (socialWorkerId !== before.socialWorkerId && !changed.includes('socialWorkerId')) changed.push('socialWorkerId');
      if (workerId !== before.workerId && !changed.includes('workerId')) changed.push('workerId');
      audit.write({
        ...actorOf(actor), action: 'users.update', targetType: 'users', targetId: id,
        detail: { username: before.username, changed, ...(body.role ? { role } : {}), ...(body.status ? { status } : {}) }, ip: req.ip,
      });
      return store.user(id)!;
    }).immediate();
    // Sockets carry the principal of their handshake: a changed role, scope or status takes
    // effect at once by ending them (they reconnect as the user is now, or not at all).
    if (after.role !== before.role || after.status !== before.status || JSON.stringify(after.grids) !== JSON.stringify(before.grids)
      || after.socialWorkerId !== before.socialWorkerId || after.workerId !== before.workerId) {
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
    const hash = await hashPassword(password, this.#p.scryptCost);
    const ended = this.#p.db.transaction(() => {
      const now = this.#p.now();
      this.#p.store.stmt.setHash.run(hash, mustChange ? 1 : 0, now, now, u.id);
      const hashes = this.#p.store.endSessionsOf(u.id);
      this.#p.audit.write({ ...actorOf(actor), action: 'users.password', targetType: 'users', targetId: u.id, detail: { username: u.username }, ip: req.ip });
      return hashes;
    }).immediate();
    const live = this.#p.live();
    for (const h of ended) live.disconnect(rooms.session(h));
  }

  /** The principal `u` acts as (see `principalOfUser`). */
  principalOf(u: UserRecord): Principal {
    return principalOfUser(u);
  }

  /** What the API shows of `u`, its instant in its community's time zone. */
  view(u: UserRecord): UserView {
    return userView(u, this.#p.directory.timeZoneOf(u.communityId));
  }
}

const taken = (username: string) => new DomainError(409, 'error.username_taken', `the username ${username} is taken`, [{ field: 'username', problem: 'is taken' }]);
