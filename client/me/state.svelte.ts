/**
 * The phone page's one store: who is signed in, where the page is (`/me`, `/me/mine`,
 * `/me/doors`, `/me/join#token`, `/me/check-in/<code>`), the volunteer's profile and activities, and the
 * check-ins kept until the server answers (pending.ts), sent again whenever the network comes
 * back, the page is shown again, or every 15 s while any waits.
 */
import { Api, ApiError, newIdempotencyKey, type SessionAnswer } from '../lib/api.ts';
import { DEFAULT_TIME_ZONE } from '../../shared/time.ts';
import type { InvitationView, MeActivity, MeCheckInAnswer, MeProfile } from '../../shared/me.ts';
import type { LedgerLineView, RedemptionView, ServiceRecordView } from '../../shared/volunteers.ts';
import type { CalloutAnswer, DutyAction, MeCalloutView } from '../../shared/emergency-people.ts';
import { answerCheckIn, forgetCheckIns, keepCheckIn, keptCheckIns, type KeptCheckIn } from './pending.ts';
import { forgetRefusedDoorWrites } from './doors.ts';

export type Screen = 'activities' | 'mine' | 'join' | 'check-in' | 'doors';

/** A part of the page with writes of its own kept until answered, and lists of its own (doors.svelte.ts). */
export interface MePart {
  /** Send what waits: called with the check-ins' round (network back, page shown, every 15 s). */
  flush(): Promise<void>;
  /** Read what the part shows, after the page's own refresh. */
  refresh(): Promise<void>;
}

interface User { id: number; username: string; displayName: string; role: string }

/** A status the server gave that says "try again later", not "no". */
export const TRANSIENT = (e: ApiError) => e.status === 0 || e.status === 401 || e.status === 408 || e.status === 429 || e.status >= 500;

const RETRY_EVERY_MS = 15_000;
/** Changes close together (a check-out writes its record and its points) come to one refresh. */
const SETTLE_MS = 300;

class MeState {
  status = $state<'loading' | 'anonymous' | 'signed-in' | 'offline'>('loading');
  user = $state.raw<User | null>(null);
  screen = $state<Screen>('activities');
  /** The code of `/me/check-in/<code>`, or the token of `/me/join#token`. */
  param = $state('');
  profile = $state.raw<MeProfile | null>(null);
  activities = $state.raw<MeActivity[]>([]);
  /** Emergency call-outs of active incidents, newest first (server/emergency/people.ts). */
  callouts = $state.raw<MeCalloutView[]>([]);
  records = $state.raw<ServiceRecordView[]>([]);
  ledger = $state.raw<LedgerLineView[]>([]);
  redemptions = $state.raw<RedemptionView[]>([]);
  checkIns = $state.raw<KeptCheckIn[]>([]);
  /** The last load failed for want of network. */
  stale = $state(false);
  busy = $state(false);
  timeZone = $derived(this.profile?.timeZone ?? DEFAULT_TIME_ZONE);

  readonly api = new Api({ onUnauthenticated: () => this.#anonymous() });
  #sending = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  /** The live line (server/volunteers/me-live.ts): the volunteer's own records changed. */
  #live: EventSource | null = null;
  #settle: ReturnType<typeof setTimeout> | undefined;
  #parts: MePart[] = [];

  /** A part of the page sends with the check-ins and reads with the page (a part's store registers itself). */
  also(part: MePart) {
    this.#parts.push(part);
  }

  start() {
    this.#route();
    addEventListener('popstate', () => this.#route());
    addEventListener('online', () => void this.flush());
    document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void this.flush());
    this.checkIns = keptCheckIns();
    if (this.screen === 'join') {
      this.status = 'anonymous';
      return;
    }
    void this.#loadSession();
  }

  /** Go to a path of the page (pushState: no reload on a poor network). */
  go(path: string) {
    history.pushState(null, '', path);
    this.#route();
  }

  #route() {
    const path = location.pathname.replace(/\/+$/, '');
    const checkIn = /^\/me\/check-in\/([^/]+)$/.exec(path);
    if (path === '/me/join') (this.screen = 'join'), (this.param = location.hash.slice(1));
    else if (checkIn) {
      this.screen = 'check-in';
      this.param = decodeURIComponent(checkIn[1]!).toUpperCase();
      // Kept at once, before any network: the scan is not lost whatever happens next.
      this.#keep(this.param);
    } else if (path === '/me/mine') this.screen = 'mine';
    else if (path === '/me/doors') this.screen = 'doors';
    else this.screen = 'activities';
    if (this.status === 'signed-in') void this.refresh();
  }

  async #loadSession() {
    try {
      const me = await this.api.me<User>();
      this.#signedIn(me);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.#anonymous();
      else this.status = 'offline';
    }
  }

  #signedIn(answer: SessionAnswer<User>) {
    // Writes carry the session's CSRF token from the first (a login or a join answers it).
    this.api.csrfToken = answer.csrfToken;
    this.user = answer.user;
    this.status = 'signed-in';
    this.#timer ??= setInterval(() => {
      void this.flush();
      if (this.status === 'signed-in') this.#listen();
    }, RETRY_EVERY_MS);
    this.#listen();
    void this.flush().then(() => this.refresh());
  }

  /**
   * Hear the volunteer's own records change — a check-out at the desk, a redemption at the till —
   * and show the new figures without a reload. EventSource reconnects by itself after a drop;
   * each (re)connection refreshes once, so nothing missed while away stays missed.
   */
  #listen() {
    if (this.#live || typeof EventSource === 'undefined') return;
    const live = new EventSource('/api/v1/me/live');
    this.#live = live;
    const soon = () => {
      clearTimeout(this.#settle);
      this.#settle = setTimeout(() => void this.refresh(), SETTLE_MS);
    };
    live.addEventListener('changed', soon);
    live.addEventListener('ready', soon);
    // EventSource retries a dropped line itself, but gives up on an error answer (a 502 while the
    // server restarts): then the retry timer opens a new one.
    live.addEventListener('error', () => {
      if (live.readyState === EventSource.CLOSED && this.#live === live) this.#live = null;
    });
  }

  #stopListening() {
    clearTimeout(this.#settle);
    this.#live?.close();
    this.#live = null;
  }

  #anonymous() {
    this.#stopListening();
    this.user = null;
    if (this.screen !== 'join') this.status = 'anonymous';
  }

  async login(username: string, password: string) {
    this.#signedIn(await this.api.post<SessionAnswer<User>>('/auth/login', { username, password }));
  }

  async readInvitation(token: string): Promise<InvitationView> {
    return (await this.api.post<{ invitation: InvitationView }>('/auth/invitation', { token })).invitation;
  }

  async join(token: string, password: string) {
    const answer = await this.api.post<SessionAnswer<User>>('/auth/join', { token, password });
    // The token leaves the address bar and the history.
    history.replaceState(null, '', '/me');
    this.screen = 'activities';
    this.#signedIn(answer);
  }

  async logout() {
    try {
      await this.api.post('/auth/logout');
    } catch {
      // signed out on this phone all the same
    }
    this.#stopListening();
    forgetCheckIns();
    if (this.user) forgetRefusedDoorWrites(this.user.username);
    this.checkIns = [];
    this.profile = null;
    this.user = null;
    this.api.csrfToken = null;
    this.status = 'anonymous';
  }

  /** Load what the screen shows. */
  async refresh() {
    if (this.status !== 'signed-in') return;
    try {
      const profile = this.api.get<{ profile: MeProfile }>('/me/profile');
      // Awaited below, but never left to reject unheard if the lists fail first.
      profile.catch(() => {});
      if (this.screen === 'mine') {
        const [records, points, redemptions] = await Promise.all([
          this.api.get<{ items: ServiceRecordView[] }>('/me/records'),
          this.api.get<{ balance: number; items: LedgerLineView[] }>('/me/points'),
          this.api.get<{ items: RedemptionView[] }>('/me/redemptions'),
        ]);
        this.records = records.items;
        this.ledger = points.items;
        this.redemptions = redemptions.items;
      } else {
        const [activities, callouts] = await Promise.all([
          this.api.get<{ items: MeActivity[] }>('/me/activities'),
          this.api.get<{ items: MeCalloutView[] }>('/me/callouts'),
        ]);
        this.activities = activities.items;
        this.callouts = callouts.items;
      }
      this.profile = (await profile).profile;
      this.stale = false;
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) this.stale = true;
    }
    for (const part of this.#parts) await part.refresh();
  }

  async signUp(id: number) {
    await this.api.post(`/me/activities/${id}/signup`);
    await this.refresh();
  }

  async cancel(id: number) {
    await this.api.post(`/me/activities/${id}/cancel`);
    await this.refresh();
  }

  /** Accept or decline a call-out; a retry on a poor line sends the same key and applies once. */
  async answerCallout(id: number, answer: CalloutAnswer) {
    await this.#calloutWrite(id, 'answer', { answer });
  }

  /** 我已到岗 / 结束值守 on an accepted call-out. */
  async duty(id: number, action: DutyAction) {
    await this.#calloutWrite(id, 'duty', { action });
  }

  async #calloutWrite(id: number, what: 'answer' | 'duty', body: object) {
    const key = newIdempotencyKey();
    const send = () => this.api.post<{ callout: MeCalloutView }>(`/me/callouts/${id}/${what}`, body, { idempotencyKey: key });
    let answer: { callout: MeCalloutView };
    try {
      answer = await send();
    } catch (e) {
      if (!(e instanceof ApiError) || !TRANSIENT(e) || e.status === 401) throw e;
      answer = await send();
    }
    this.callouts = this.callouts.map((c) => (c.id === id ? answer.callout : c));
  }

  /** A check-in typed in by its code (when the QR code will not scan): kept, then sent. */
  checkInByCode(code: string) {
    this.#keep(code.trim().toUpperCase());
  }

  #keep(code: string) {
    if (!code) return;
    keepCheckIn(code, newIdempotencyKey(), new Date().toISOString());
    this.checkIns = keptCheckIns();
    void this.flush();
  }

  /** Send everything kept until answered: the check-ins, then each part's writes (each round guards itself). */
  async flush() {
    if (this.status !== 'signed-in') return;
    await this.#flushCheckIns();
    for (const part of this.#parts) await part.flush();
  }

  /** Send every pending check-in, each with its own key and scan time, one after another. */
  async #flushCheckIns() {
    if (this.#sending) return;
    this.#sending = true;
    try {
      for (const c of keptCheckIns().filter((k) => k.state === 'pending')) {
        try {
          const a = await this.api.post<MeCheckInAnswer>('/me/check-in', { code: c.code, at: c.at }, { idempotencyKey: c.key });
          answerCheckIn(c.key, { state: 'done', checkedInAt: a.signup.checkedInAt ?? undefined, title: a.activity.title });
        } catch (e) {
          if (!(e instanceof ApiError) || TRANSIENT(e)) break;
          answerCheckIn(c.key, { state: 'refused', error: e.code });
        }
      }
    } finally {
      this.#sending = false;
      this.checkIns = keptCheckIns();
    }
    if (this.checkIns.some((c) => c.state === 'done')) void this.refresh();
  }
}

export const me = new MeState();
