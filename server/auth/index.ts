/**
 * Accounts, sessions, paired displays, API keys and the audit log, behind one object: `Auth`
 * turns what a request or a socket handshake carries (a session cookie, a display token, an
 * API key) into a Principal, and rechecks it later (a socket's every command).
 */
import type { Db } from '../db/index.ts';
import type { Directory } from '../kernel/community.ts';
import type { Principal } from '../principal.ts';
import { Accounts } from './accounts.ts';
import type { SessionRecord, UserRecord } from './account-record.ts';
import { Displays, type DisplayRecord } from './displays.ts';
import { ApiKeys, type ApiKeyRecord } from './api-keys.ts';
import { Audit } from './audit.ts';
import { SESSION_COOKIE, cookieValue } from './guards.ts';
import { noLive, rooms, type LiveControl } from './live.ts';

export type Credential =
  | { kind: 'session'; user: UserRecord; session: SessionRecord }
  | { kind: 'display'; display: DisplayRecord }
  | { kind: 'api_key'; key: ApiKeyRecord };

/** What a request's credentials come to: nothing, a refusal, or a principal. */
export type Authentication =
  | { ok: true; principal: Principal; credential: Credential }
  | {
    ok: false;
    error: 'error.unauthenticated' | 'error.revoked' | 'error.password_change_required';
    /** a session cookie that no longer stands */
    staleCookie: boolean;
  }
  | null;

export interface AuthDeps {
  db: Db;
  directory: Directory;
  /** The clock of sessions, tokens, rate limits and the audit log. */
  now: () => number;
  scryptCost: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Run a small write soon, in a group commit. */
  defer: (work: () => void) => void;
}

export class Auth {
  readonly audit: Audit;
  readonly accounts: Accounts;
  readonly displays: Displays;
  readonly apiKeys: ApiKeys;
  /** Communities, grids and workers: what accounts are checked against. */
  readonly directory: Directory;
  /** The live sockets, once attached. */
  live: LiveControl = noLive;

  constructor(deps: AuthDeps) {
    this.audit = new Audit(deps.db, deps.now);
    const live = () => this.live;
    this.directory = deps.directory;
    const common = { db: deps.db, directory: deps.directory, audit: this.audit, now: deps.now, defer: deps.defer };
    this.accounts = new Accounts({
      ...common, live, scryptCost: deps.scryptCost, sessionIdleMs: deps.sessionIdleMs, sessionMaxMs: deps.sessionMaxMs,
    });
    this.displays = new Displays({ ...common, live });
    this.apiKeys = new ApiKeys(common);
  }

  /** See `accounts.setup.begin`: the one-time token for the first administrator, while nobody has an account. */
  beginSetup(): string | null {
    return this.accounts.setup.begin();
  }

  /**
   * The principal of a request's `Authorization: Bearer` (an API key `cbk_…` or a display token
   * `cbd_…`), else of its session cookie; null when it carries neither.
   */
  authenticate(h: { authorization?: string | undefined; cookie?: string | undefined }): Authentication {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(h.authorization ?? '')?.[1];
    if (bearer !== undefined) return this.#token(bearer);
    const secret = cookieValue(h.cookie, SESSION_COOKIE);
    if (secret === undefined || secret === '') return null;
    const s = this.accounts.sessions.resolve(secret);
    if (!s) return { ok: false, error: 'error.unauthenticated', staleCookie: true };
    return { ok: true, principal: this.accounts.users.principalOf(s.user), credential: { kind: 'session', ...s } };
  }

  /** A display token (sockets send it in `auth`) or an API key. */
  #token(token: string): Authentication {
    if (token.startsWith('cbd_')) {
      const d = this.displays.authenticate(token);
      if (d === 'revoked') return { ok: false, error: 'error.revoked', staleCookie: false };
      if (!d) return { ok: false, error: 'error.unauthenticated', staleCookie: false };
      this.displays.seen(d.id);
      return { ok: true, principal: this.displays.principalOf(d), credential: { kind: 'display', display: d } };
    }
    if (token.startsWith('cbk_')) {
      const k = this.apiKeys.authenticate(token);
      if (k === 'revoked') return { ok: false, error: 'error.revoked', staleCookie: false };
      if (!k) return { ok: false, error: 'error.unauthenticated', staleCookie: false };
      return { ok: true, principal: this.apiKeys.principalOf(k), credential: { kind: 'api_key', key: k } };
    }
    return { ok: false, error: 'error.unauthenticated', staleCookie: false };
  }

  /** A display token, as a socket hands it over. */
  displayToken(token: string): Authentication {
    return token.startsWith('cbd_') ? this.#token(token) : { ok: false, error: 'error.unauthenticated', staleCookie: false };
  }

  /** Whether a credential a socket connected with still stands. */
  stillValid(c: Credential): boolean {
    if (c.kind === 'session') return this.accounts.sessions.alive(c.session.idHash);
    if (c.kind === 'display') {
      const ok = this.displays.alive(c.display.id);
      if (ok) this.displays.seen(c.display.id);
      return ok;
    }
    return false;
  }

  /** The socket rooms a credential's sockets join, so they can be ended or reloaded together. */
  roomsOf(c: Credential): string[] {
    if (c.kind === 'session') {
      // The desks' notes are for the community's staff; a volunteer's phone hears only its own person's.
      const staff = c.user.role !== 'volunteer';
      return [rooms.session(c.session.idHash), rooms.user(c.user.id), ...(staff ? [rooms.community(c.user.communityId)] : [])];
    }
    if (c.kind === 'display') return [rooms.display(c.display.id)];
    return [];
  }

  /** End expired sessions and pairings (a timer calls this). */
  sweep(): { sessions: number; pairings: number } {
    return { sessions: this.accounts.sweep(), pairings: this.displays.sweep() };
  }
}

export { rooms } from './live.ts';
export type { LiveControl } from './live.ts';
