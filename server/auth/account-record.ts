/**
 * What an account is, as the rest of the server holds it: a user (a role, a scope, a password
 * hash), a session (the sha256 of its cookie, its CSRF token, its times), a new session to hand
 * to a browser, where a request came from; the user row's mapping, the principal a user acts
 * as, and the view the console and the API answer with.
 */
import type { Principal } from '../principal.ts';
import { isoInZone } from '../../shared/time.ts';
import type { UserRole, UserStatus, UserView } from '../../shared/auth.ts';

/** Where a request came from, for the audit log, the rate limits and the session row. */
export interface RequestInfo {
  ip: string | null;
  userAgent?: string | null;
  /** The login-device cookie this browser sent (`cb_device`), if any. */
  deviceToken?: string | null;
}

/** A person's account: who they are, what they may do (role, grids, social-worker record), their password. */
export interface UserRecord {
  id: number;
  communityId: string;
  username: string;
  displayName: string;
  role: UserRole;
  grids: string[];
  socialWorkerId: number | null;
  /** A grid worker's account: the grid-worker record it is (cases dispatched to it are theirs). */
  workerId: string | null;
  /** A volunteer's account (made by invitation): the volunteer record it is; they see only its own data. */
  volunteerId: number | null;
  passwordHash: string;
  mustChangePassword: boolean;
  status: UserStatus;
  createdAt: number;
  updatedAt: number;
  passwordChangedAt: number;
}

/** A logged-in browser: keyed by the sha256 of its cookie (the cookie itself is never stored). */
export interface SessionRecord {
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** A new session: the cookie's value (shown once, never stored) and its CSRF token. */
export interface NewSession {
  user: UserRecord;
  secret: string;
  csrfToken: string;
  /** A new login-device cookie for this browser (first login as this user from it). */
  deviceToken?: string;
}

/** A `users` row as SQLite gives it. */
export interface UserRow {
  id: number; community_id: string; username: string; display_name: string; role: UserRole; grids: string; social_worker_id: number | null; worker_id: string | null;
  volunteer_id?: number | null;
  password_hash: string; must_change_password: number; status: UserStatus; created_at: number; updated_at: number;
  password_changed_at: number;
}

/** A user from its row (the grids are stored as JSON). */
export const userFromRow = (r: UserRow): UserRecord => ({
  id: r.id, communityId: r.community_id, username: r.username, displayName: r.display_name, role: r.role,
  grids: JSON.parse(r.grids) as string[], socialWorkerId: r.social_worker_id, workerId: r.worker_id ?? null, volunteerId: r.volunteer_id ?? null, passwordHash: r.password_hash, mustChangePassword: r.must_change_password === 1,
  status: r.status, createdAt: r.created_at, updatedAt: r.updated_at, passwordChangedAt: r.password_changed_at,
});

/** The principal a user acts as: a grid worker carries their grids, a linked social worker their record. */
export function principalOfUser(u: UserRecord): Principal {
  return {
    id: u.username, role: u.role, communityId: u.communityId,
    ...(u.role === 'grid_worker' ? { grids: u.grids, ...(u.workerId !== null ? { workerId: u.workerId } : {}) } : {}),
    ...(u.role === 'social_worker' && u.socialWorkerId !== null ? { socialWorkerId: u.socialWorkerId } : {}),
    ...(u.role === 'volunteer' && u.volunteerId !== null ? { volunteerId: u.volunteerId } : {}),
  };
}

/** What the API shows of a user (never the hash), its instant in the community's time zone. */
export function userView(u: UserRecord, timeZone: string): UserView {
  return {
    id: u.id, username: u.username, displayName: u.displayName, role: u.role, communityId: u.communityId, grids: u.grids,
    socialWorkerId: u.socialWorkerId, workerId: u.workerId, status: u.status, mustChangePassword: u.mustChangePassword,
    createdAt: isoInZone(u.createdAt, timeZone),
  };
}
