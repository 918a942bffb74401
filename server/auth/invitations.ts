/**
 * A volunteer's account, by invitation. A coordinator invites a volunteer from their record; the
 * server makes a one-time token (only its sha256 is stored, as the first administrator's setup
 * token and every session are: `crypto.ts`), valid INVITATION_DAYS, and answers the link
 * `/me/join#<token>`. Whoever opens it on the volunteer's phone chooses a password and gets an
 * account of role `volunteer` naming that volunteer record, and is logged in. There is no default
 * password. A wrong token counts against the address's login limit, as a wrong setup token does;
 * a newer invitation ends the older ones of the same volunteer; a used or expired one is refused.
 *
 * The username is the volunteer's phone number (digits), or `vol-<id>` when that is taken or
 * unusable; the join page shows it before the password is chosen.
 */
import { DomainError } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { INVITATION_DAYS, type InvitationView, type JoinBody } from '../../shared/me.ts';
import { isoInZone } from '../../shared/time.ts';
import { MIN_PASSWORD } from '../../shared/auth.ts';
import { actorOf } from './audit.ts';
import { hashPassword, newSecret, sha256 } from './crypto.ts';
import { principalOfUser, type NewSession, type RequestInfo, type UserRecord } from './account-record.ts';
import type { AccountParts } from './account-store.ts';
import type { Lockout } from './lockout.ts';

const DAY_MS = 86_400_000;

interface InvitationRow {
  id: number; community_id: string; volunteer_id: number; expires_at: number; used_at: number | null;
  name: string; phone: string; status: string;
}

function prepare(db: AccountParts['db']) {
  return {
    insert: db.prepare(
      'INSERT INTO volunteer_invitations (community_id, volunteer_id, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    endOlder: db.prepare('UPDATE volunteer_invitations SET expires_at = ? WHERE volunteer_id = ? AND used_at IS NULL AND expires_at > ?'),
    byHash: db.prepare(
      `SELECT i.id, i.community_id, i.volunteer_id, i.expires_at, i.used_at, v.name, v.phone, v.status
         FROM volunteer_invitations i JOIN volunteers v ON v.id = i.volunteer_id WHERE i.token_hash = ?`,
    ),
    use: db.prepare('UPDATE volunteer_invitations SET used_at = ?, user_id = ? WHERE id = ? AND used_at IS NULL'),
    accountOf: db.prepare("SELECT id FROM users WHERE volunteer_id = ? AND role = 'volunteer'"),
    volunteer: db.prepare('SELECT id, community_id, name, phone, status FROM volunteers WHERE id = ?'),
    link: db.prepare('UPDATE users SET volunteer_id = ? WHERE id = ?'),
  };
}

/** Invitations: make one (a coordinator), read one and use it (the volunteer's phone). */
export class VolunteerInvitations {
  #p: AccountParts;
  #lockout: Lockout;
  #stmt: ReturnType<typeof prepare>;

  constructor(parts: AccountParts, lockout: Lockout) {
    this.#p = parts;
    this.#lockout = lockout;
    this.#stmt = prepare(parts.db);
  }

  /**
   * A new invitation for volunteer `volunteerId` of the actor's community (the caller checked the
   * actor may; the record was found in the actor's community). Refused (409) when the volunteer
   * has an account already or is not active. The token is answered once and never stored.
   */
  invite(actor: Principal, volunteerId: number, req: RequestInfo): { token: string; expiresAt: number } {
    const v = this.#stmt.volunteer.get(volunteerId) as { id: number; community_id: string; status: string } | undefined;
    if (!v || v.community_id !== actor.communityId) throw new DomainError(404, 'error.not_found', `volunteer ${volunteerId} not found`);
    if (v.status !== 'active') throw new DomainError(409, 'error.volunteer_inactive', `volunteer ${volunteerId} is ${v.status}`, undefined, { status: v.status });
    if (this.#stmt.accountOf.get(volunteerId)) {
      throw new DomainError(409, 'error.volunteer_has_account', `volunteer ${volunteerId} has an account already`);
    }
    const token = newSecret();
    const now = this.#p.now();
    const expiresAt = now + INVITATION_DAYS * DAY_MS;
    this.#p.db.transaction(() => {
      this.#stmt.endOlder.run(now, volunteerId, now);
      const id = Number(this.#stmt.insert.run(actor.communityId, volunteerId, sha256(token), actor.id, now, expiresAt).lastInsertRowid);
      this.#p.audit.write({
        ...actorOf(actor), action: 'volunteers.invite', targetType: 'volunteers', targetId: volunteerId, detail: { invitation: id, expiresAt }, ip: req.ip,
      });
    }).immediate();
    return { token, expiresAt };
  }

  /** What an unused, unexpired invitation is for (403 otherwise; a wrong token counts against the address). */
  read(token: string, req: RequestInfo): InvitationView {
    const row = this.#valid(token, req);
    return {
      displayName: row.name, username: this.#username(row), minPassword: MIN_PASSWORD, expiresAt: isoInZone(row.expires_at, this.#p.directory.timeZoneOf(row.community_id)),
    };
  }

  /** Use an invitation: the volunteer's account with the password they chose, logged in at once. Once only. */
  async join(body: JoinBody, req: RequestInfo): Promise<NewSession> {
    const row = this.#valid(body.token, req);
    const hash = await hashPassword(body.password, this.#p.scryptCost);
    const user = this.#p.db.transaction(() => {
      // Checked again after the (slow) hash: two requests with one token make one account.
      const again = this.#stmt.byHash.get(sha256(body.token)) as InvitationRow | undefined;
      if (!again || again.used_at !== null || this.#stmt.accountOf.get(row.volunteer_id)) throw used();
      const u = this.#insert(row.community_id, row.volunteer_id, row.name, this.#username(row), hash);
      if (this.#stmt.use.run(this.#p.now(), u.id, row.id).changes !== 1) throw used();
      this.#p.audit.write({
        ...actorOf(principalOfUser(u)), action: 'volunteers.join', targetType: 'users', targetId: u.id,
        detail: { volunteerId: row.volunteer_id, invitation: row.id }, ip: req.ip,
      });
      return u;
    }).immediate();
    return this.#p.store.newSession(user, req);
  }

  /**
   * The demo's volunteer account (server/auth/demo.ts): made directly, with a random password
   * shown once in the start-up log. Null when the volunteer has an account already.
   */
  async demoAccount(communityId: string, volunteerId: number, username: string, password: string): Promise<UserRecord | null> {
    const v = this.#stmt.volunteer.get(volunteerId) as { community_id: string; name: string } | undefined;
    if (!v || v.community_id !== communityId || this.#stmt.accountOf.get(volunteerId) || this.#p.store.byUsername(username)) return null;
    const hash = await hashPassword(password, this.#p.scryptCost);
    return this.#p.db.transaction(() => this.#insert(communityId, volunteerId, v.name, username, hash)).immediate();
  }

  #insert(communityId: string, volunteerId: number, name: string, username: string, hash: string): UserRecord {
    const u = this.#p.store.insertUser(communityId, { username, displayName: name.slice(0, 60), role: 'volunteer', grids: [] }, hash, false);
    this.#stmt.link.run(volunteerId, u.id);
    return this.#p.store.user(u.id)!;
  }

  /** The invitation a token stands for, unused and unexpired, or a 403 (and a failure counted against the address). */
  #valid(token: string, req: RequestInfo): InvitationRow {
    const ip = req.ip ?? 'unknown';
    const failures = this.#lockout.failures.address;
    this.#lockout.check(failures.retryAfter(ip));
    const row = this.#stmt.byHash.get(sha256(token)) as InvitationRow | undefined;
    if (!row || row.used_at !== null || row.expires_at <= this.#p.now() || row.status !== 'active') {
      failures.hit(ip);
      throw used();
    }
    return row;
  }

  /** The phone number's digits when they make a free username, else `vol-<id>`. */
  #username(row: InvitationRow): string {
    const digits = row.phone.replace(/\D/g, '');
    if (digits.length >= 5 && digits.length <= 32 && !this.#p.store.byUsername(digits)) return digits;
    return `vol-${row.volunteer_id}`;
  }
}

const used = () => new DomainError(403, 'error.invitation_invalid', 'this invitation is not valid: used, expired or replaced by a newer one; ask the coordinator for a new link');
