/**
 * Who is signed in to the console. One `Api` for the page: its writes carry the session's
 * CSRF token, and a 401 anywhere brings the login back (with "your session ended").
 */
import { Api, ApiError, type SessionAnswer } from '../lib/api.ts';
import { DEFAULT_TIME_ZONE } from '../../shared/time.ts';
import type { Community, User } from './types.ts';

class Session {
  /** `loading` until `/auth/me` has answered once. */
  status = $state<'loading' | 'anonymous' | 'signed-in' | 'offline'>('loading');
  user = $state.raw<User | null>(null);
  community = $state.raw<Community | null>(null);
  /** The session ended under the person (expired, ended elsewhere): the login says so. */
  ended = $state(false);
  timeZone = $derived(this.community?.timeZone ?? DEFAULT_TIME_ZONE);
  isAdmin = $derived(this.user?.role === 'admin');

  readonly api = new Api({
    onUnauthenticated: () => this.expire(),
    // An admin set this person's password meanwhile: ask again, which brings the forced change.
    onError: (e) => {
      if (e.code === 'error.password_change_required' && this.user && !this.user.mustChangePassword) this.load().catch(() => {});
    },
  });

  /** Ask the server who we are (on start, and after a password change). */
  async load(): Promise<void> {
    try {
      const me = await this.api.me<User>();
      this.#signedIn(me);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        this.user = null;
        this.status = 'anonymous';
      } else {
        this.status = this.user ? 'signed-in' : 'offline';
        throw e;
      }
    }
  }

  async login(username: string, password: string): Promise<void> {
    const answer = await this.api.post<SessionAnswer<User>>('/auth/login', { username, password });
    this.#signedIn(answer);
  }

  /** The first admin, from the one-time setup link. */
  async setup(body: { token: string; username: string; displayName: string; password: string }): Promise<void> {
    const answer = await this.api.post<SessionAnswer<User>>('/auth/setup', body);
    this.#signedIn(answer);
  }

  async logout(): Promise<void> {
    try {
      await this.api.post('/auth/logout');
    } catch {
      // an ended session or no network: signed out on this page all the same
    } finally {
      this.ended = false;
      this.#signedOut();
    }
  }

  /** The server replaced our session (a password change): its new CSRF token from now on. */
  renewed(answer: SessionAnswer<User>) {
    this.#signedIn(answer);
  }

  /** The server no longer knows the session. */
  expire() {
    if (this.user) this.ended = true;
    this.#signedOut();
  }

  #signedIn(answer: SessionAnswer<User>) {
    this.api.csrfToken = answer.csrfToken;
    this.user = answer.user;
    this.ended = false;
    this.status = 'signed-in';
    // Until a required password change is done, the server answers nothing else.
    if (answer.user.mustChangePassword) return;
    if (!this.community || this.community.id !== answer.user.communityId) void this.#loadCommunity();
  }

  #signedOut() {
    this.api.csrfToken = null;
    this.user = null;
    this.community = null;
    this.status = 'anonymous';
  }

  async #loadCommunity() {
    try {
      this.community = await this.api.get<Community>('/community');
    } catch {
      // the name and time zone are a nicety: Asia/Shanghai and no name until it answers
    }
  }
}

export const session = new Session();
