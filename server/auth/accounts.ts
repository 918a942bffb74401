/**
 * People: users with a role and a scope, their passwords (scrypt), their sessions (a random
 * cookie whose sha256 is the session's key), login with rate limits per (account, address), per
 * address and per known device, the one-time setup of the first administrator. Every change
 * writes its audit line in its own transaction.
 *
 * One part per concern, built here over one store (`account-store.ts`: the statements and the
 * row work they share) and held as readonly fields: `accounts.users.create(...)`,
 * `accounts.sessions.login(...)`, `accounts.setup.begin()`.
 */
import { AccountStore, type AccountParts, type AccountsDeps } from './account-store.ts';
import { Lockout } from './lockout.ts';
import { SessionService } from './sessions.ts';
import { FirstAdminSetup } from './setup.ts';
import { UserService } from './users.ts';
import { VolunteerInvitations } from './invitations.ts';

export type { AccountsDeps } from './account-store.ts';

/** People's accounts: their parts, built over one store. */
export class Accounts {
  /** Users: create, find, list, update, set a password; their principal and view. */
  readonly users: UserService;
  /** Sessions: log in, resolve a cookie, log out, change one's own password. */
  readonly sessions: SessionService;
  /** The one-time setup of the first administrator. */
  readonly setup: FirstAdminSetup;
  /** A volunteer's account, by a coordinator's one-time invitation. */
  readonly invitations: VolunteerInvitations;
  /** Failed-login limits and the login devices counted apart. */
  readonly lockout: Lockout;
  #now: () => number;

  constructor(deps: AccountsDeps) {
    this.#now = deps.now;
    const parts: AccountParts = { ...deps, store: new AccountStore(deps) };
    this.lockout = new Lockout(parts);
    this.users = new UserService(parts);
    this.sessions = new SessionService(parts, this.lockout);
    this.setup = new FirstAdminSetup(parts, this.lockout);
    this.invitations = new VolunteerInvitations(parts, this.lockout);
  }

  /** End the sessions whose time is up (returns how many) and forget devices unused for DEVICE_DAYS. */
  sweep(): number {
    const now = this.#now();
    this.lockout.sweep(now);
    return this.sessions.sweep(now);
  }
}
