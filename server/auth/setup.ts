/**
 * The first administrator. While nobody has an account, the server prints a one-time link
 * `/console/setup#<token>`; whoever opens it names the first administrator and is logged in as
 * them. On a fresh install with no community they name the community too (its grids and grid
 * workers are imported in the console next). The token lives in memory only (a restart prints a new
 * one); wrong tokens count against the address's login limit.
 */
import { DomainError, invalid } from '../errors.ts';
import type { SetupBody } from '../../shared/auth.ts';
import { actorOf } from './audit.ts';
import { hashPassword, newSecret, sameSecret, sha256 } from './crypto.ts';
import { principalOfUser, type NewSession, type RequestInfo } from './account-record.ts';
import type { AccountParts } from './account-store.ts';
import type { Lockout } from './lockout.ts';

/** The one-time setup of the first administrator. */
export class FirstAdminSetup {
  #p: AccountParts;
  #lockout: Lockout;
  #tokenHash: string | null = null;

  constructor(parts: AccountParts, lockout: Lockout) {
    this.#p = parts;
    this.#lockout = lockout;
  }

  /** Whether nobody has an account yet. */
  needed(): boolean {
    return this.#p.store.userCount() === 0;
  }

  /** Is any community installed (the first administrator is made in one)? */
  communityInstalled(): boolean {
    return !!this.#p.directory.defaultCommunity();
  }

  /**
   * While nobody has an account, a new one-time token for creating the first administrator (and,
   * with no community installed, the community) at `/console/setup#<token>`; null otherwise. A
   * new call replaces the previous token; the token lives in memory only, so a restart prints a
   * new one.
   */
  begin(): string | null {
    if (!this.needed()) return null;
    const token = newSecret();
    this.#tokenHash = sha256(token);
    return token;
  }

  /**
   * Make the first administrator with the token of `begin` (403 when it is wrong, used, or an
   * administrator exists already) and log them in.
   */
  async finish(body: SetupBody, req: RequestInfo): Promise<NewSession> {
    const { store } = this.#p;
    const failures = this.#lockout.failures.address;
    if (!this.needed()) throw new DomainError(403, 'error.setup_done', 'an administrator exists already');
    const ip = req.ip ?? 'unknown';
    this.#lockout.check(failures.retryAfter(ip));
    if (!this.#tokenHash || !sameSecret(sha256(body.token), this.#tokenHash)) {
      failures.hit(ip);
      throw new DomainError(403, 'error.setup_token', 'the setup token is not valid (it is printed in the start-up log)');
    }
    const { directory } = this.#p;
    const installed = directory.defaultCommunity();
    if (!installed && !body.community) throw invalid([{ field: 'community', problem: 'no community is installed yet: name it' }]);
    if (installed && body.community) throw invalid([{ field: 'community', problem: `the community ${installed.id} is installed already` }]);
    const hash = await hashPassword(body.password, this.#p.scryptCost);
    // Checked again after the (slow) hash: two requests with the same token make one admin.
    if (!this.needed()) throw new DomainError(403, 'error.setup_done', 'an administrator exists already');
    if (!this.#tokenHash) throw new DomainError(403, 'error.setup_token', 'the setup token was used');
    this.#tokenHash = null;
    const user = this.#p.db.transaction(() => {
      const community = installed ?? body.community!;
      if (!installed) directory.insertCommunity(community, this.#p.now());
      const { community: _, ...admin } = body;
      const u = store.insertUser(community.id, { ...admin, role: 'admin', grids: [] }, hash, false);
      this.#p.audit.write({ ...actorOf(principalOfUser(u)), action: 'auth.setup', targetType: 'users', targetId: u.id, ip: req.ip });
      return u;
    }).immediate();
    if (!installed) directory.reload();
    return store.newSession(user, req);
  }
}
