/**
 * The field app's one store: who holds the tablet (the staff session, kept for offline starts),
 * where the page is (`/tablet`, `/tablet/tasks/<id>`, `/tablet/report`, `/tablet/patrol`,
 * `/tablet/grid`, `/tablet/households/<id>`, `/tablet/sync`, `/tablet/emergency`), the
 * worker's tasks and each task's page as last loaded (kept in IndexedDB, so they open with no
 * network), the grids, the theme, and what the tablet must say loudly (storage the browser
 * cleared), and a report begun elsewhere (a patrol's note, a visit) for the report page to open
 * with. The records themselves are the outbox's (outbox/outbox.svelte.ts); the patrol and the
 * register are field.svelte.ts's.
 */
import { Api, ApiError, type SessionAnswer } from '../lib/api.ts';
import { DEFAULT_TIME_ZONE } from '../../shared/time.ts';
import type { QueueAnswer, QueueItem } from '../../shared/desk.ts';
import type { EventView } from '../../shared/protocol.ts';
import { askPersistence, TabletStore, type Survival } from './outbox/store.ts';
import { outbox } from './outbox/outbox.svelte.ts';
import { gridsOf, type GridFeature } from './geo.ts';
import { TabletLive } from './live.ts';

export type Screen = 'tasks' | 'task' | 'report' | 'sync' | 'patrol' | 'grid' | 'household' | 'emergency';

/** A report begun from a patrol's note or a visit: what the report page opens with. */
export interface ReportDraft { title: string; description: string; address: string }
export type Theme = 'sun' | 'indoor';

export interface User { id: number; username: string; displayName: string; role: string }

export interface HistoryLine {
  id: number; at: string; action: string; fromStatus: string | null; toStatus: string;
  actorName: string; note: string | null; data: Record<string, unknown> | null;
}
export interface TaskPage { event: EventView & { allowedActions: string[] }; history: HistoryLine[] }

/** Roles the field app is for: grid workers, and admins (to test it). */
const FIELD_ROLES = new Set(['grid_worker', 'admin']);
const THEME_KEY = 'cerebellum.tablet.theme';
const USER_KEY = 'user';

class TabletState {
  status = $state<'loading' | 'anonymous' | 'signed-in'>('loading');
  user = $state.raw<User | null>(null);
  /** The person whose session ended (their records wait for them): the login says so. */
  expired = $state.raw<User | null>(null);
  /** Signed in with a role the tablet is not for. */
  wrongRole = $state(false);
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  screen = $state<Screen>('tasks');
  taskId = $state<number | null>(null);
  householdId = $state<number | null>(null);
  /** The report page opens with this once (then it is the page's). */
  reportDraft = $state.raw<ReportDraft | null>(null);
  theme = $state<Theme>('sun');
  tasks = $state.raw<QueueItem[]>([]);
  /** When the tasks shown were loaded (ISO); null before any. */
  tasksAt = $state<string | null>(null);
  /** The tasks shown are the kept copy (the last load failed). */
  tasksKept = $state(false);
  task = $state.raw<TaskPage | null>(null);
  grids = $state.raw<GridFeature[]>([]);
  timeZone = $state(DEFAULT_TIME_ZONE);
  survival = $state<Survival | null>(null);
  storageDismissed = $state(false);
  now = $state(Date.now());

  /** More to load when the tasks are (the register, field.svelte.ts); set once at start. */
  #alsoRefresh: (() => Promise<void>)[] = [];

  readonly api = new Api({ timeoutMs: 15_000, cache: 'no-store', onUnauthenticated: () => this.#sessionEnded() });
  store: TabletStore | null = null;
  /** The tablet's socket (its emergency listener is emergency.svelte.ts). */
  readonly live = new TabletLive();
  #soonTimer: ReturnType<typeof setTimeout> | undefined;

  async start() {
    this.theme = this.#storedTheme();
    this.#route();
    addEventListener('popstate', () => this.#route());
    addEventListener('online', () => {
      this.online = true;
      void this.#resume();
    });
    addEventListener('offline', () => (this.online = false));
    document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void this.refresh());
    setInterval(() => (this.now = Date.now()), 30_000);
    this.store = await TabletStore.open();
    this.survival = await this.store.checkSurvival();
    void askPersistence();
    await outbox.start(this.store, {
      csrf: () => this.api.csrfToken,
      ensureSession: () => this.#ensureSession(),
      // After a 403 error.csrf the token held is stale (a login in another tab replaced the session): fetch it afresh.
      refreshSession: () => {
        this.api.csrfToken = null;
        return this.#ensureSession();
      },
      onUnauthenticated: () => this.#sessionEnded(),
      onReceived: () => void this.refresh(),
    });
    await this.#loadSession();
  }

  /** Load `fn` too whenever the tasks are loaded (start, back online, a record received). */
  alsoRefresh(fn: () => Promise<void>) {
    this.#alsoRefresh.push(fn);
  }

  /** Open the report page with a report begun elsewhere (a patrol's note, a visit). */
  reportFrom(draft: ReportDraft) {
    this.reportDraft = draft;
    this.go('/tablet/report');
  }

  /** The draft the report page opens with, once. */
  takeDraft(): ReportDraft | null {
    const d = this.reportDraft;
    this.reportDraft = null;
    return d;
  }

  /** Go to a path of the app without a reload. */
  go(path: string) {
    history.pushState(null, '', path);
    this.#route();
    scrollTo(0, 0);
  }

  setTheme(theme: Theme) {
    this.theme = theme;
    try {
      localStorage.setItem(THEME_KEY, theme);
    } catch {
      // not remembered
    }
  }

  #storedTheme(): Theme {
    try {
      return localStorage.getItem(THEME_KEY) === 'indoor' ? 'indoor' : 'sun';
    } catch {
      return 'sun';
    }
  }

  #route() {
    const path = location.pathname.replace(/\/+$/, '');
    const task = /^\/tablet\/tasks\/(\d+)$/.exec(path);
    if (task) {
      this.screen = 'task';
      this.taskId = Number(task[1]);
      void this.loadTask(this.taskId);
    } else if (/^\/tablet\/households\/(\d+)$/.test(path)) {
      this.screen = 'household';
      this.householdId = Number(/(\d+)$/.exec(path)![1]);
    } else if (path === '/tablet/report') this.screen = 'report';
    else if (path === '/tablet/patrol') this.screen = 'patrol';
    else if (path === '/tablet/grid') this.screen = 'grid';
    else if (path === '/tablet/sync') this.screen = 'sync';
    else if (path === '/tablet/emergency') this.screen = 'emergency';
    else this.screen = 'tasks';
  }

  async #loadSession() {
    const kept = (await this.store!.get<User>(USER_KEY)) ?? null;
    try {
      this.#signedIn(await this.api.me<User>());
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        // The session ended while the tablet was away: their records wait for their login.
        this.expired = kept;
        this.status = 'anonymous';
      } else if (kept) {
        // No network: the tablet is still theirs; records are kept and sent once it is back.
        this.online = false;
        this.#enter(kept);
      } else this.status = 'anonymous';
    }
  }

  #signedIn(answer: SessionAnswer<User>) {
    this.api.csrfToken = answer.csrfToken;
    if (!FIELD_ROLES.has(answer.user.role)) {
      this.wrongRole = true;
      this.status = 'anonymous';
      return;
    }
    this.wrongRole = false;
    this.expired = null;
    void this.store!.set(USER_KEY, answer.user);
    this.#enter(answer.user);
  }

  #enter(user: User) {
    if (this.user?.username !== user.username) {
      this.tasks = [];
      this.task = null;
    }
    this.user = user;
    this.status = 'signed-in';
    outbox.owner = user.username;
    void this.#loadKept().then(() => this.refresh());
    void outbox.drain();
    this.live.start(user.username, () => this.#soon());
  }

  /** A notice or a reconnection: the tasks again, once for a burst of them. */
  #soon() {
    clearTimeout(this.#soonTimer);
    this.#soonTimer = setTimeout(() => void this.refresh(), 300);
  }

  /** The session ended (a 401): back to the login, keeping who it was; their records stay. */
  #sessionEnded() {
    if (this.status !== 'signed-in' || !this.user) return;
    this.expired = this.user;
    this.api.csrfToken = null;
    this.live.stop();
    outbox.owner = null;
    this.status = 'anonymous';
  }

  /** Back online: the session (and its CSRF token) first, then the records, then fresh tasks. */
  async #resume() {
    if (this.status !== 'signed-in') return;
    if (await this.#ensureSession()) {
      await outbox.drain();
      await this.refresh();
    }
  }

  async #ensureSession(): Promise<boolean> {
    if (this.api.csrfToken) return true;
    try {
      const answer = await this.api.me<User>();
      if (answer.user.username !== this.user?.username) {
        // Someone else logged in on this browser meanwhile: this person's records wait for them.
        this.#sessionEnded();
        return false;
      }
      this.api.csrfToken = answer.csrfToken;
      this.online = true;
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.#sessionEnded();
      return false;
    }
  }

  async login(username: string, password: string) {
    this.#signedIn(await this.api.post<SessionAnswer<User>>('/auth/login', { username, password }));
  }

  /** Log out; the records stay on the tablet for this person's next login (the page warned). */
  async logout() {
    try {
      await this.api.post('/auth/logout');
    } catch {
      // logged out on this tablet all the same
    }
    await this.store!.set(USER_KEY, null);
    this.live.stop();
    outbox.owner = null;
    this.api.csrfToken = null;
    this.user = null;
    this.expired = null;
    this.tasks = [];
    this.task = null;
    this.status = 'anonymous';
    this.go('/tablet');
  }

  #key(what: string) {
    return `${what}:${this.user?.username ?? ''}`;
  }

  async #loadKept() {
    const tasks = await this.store!.get<{ items: QueueItem[]; at: string }>(this.#key('tasks'));
    if (tasks && !this.tasksAt) (this.tasks = tasks.items), (this.tasksAt = tasks.at), (this.tasksKept = true);
    const geo = await this.store!.get<unknown>('grids');
    if (geo && !this.grids.length) this.grids = gridsOf(geo);
    this.timeZone = (await this.store!.get<string>('timeZone')) ?? this.timeZone;
    if (this.screen === 'task' && this.taskId !== null) await this.loadTask(this.taskId);
  }

  /** Load the worker's tasks (and each one's page, so it opens offline), and the grids once. */
  async refresh() {
    if (this.status !== 'signed-in' || !this.user) return;
    const owner = this.user.username;
    for (const fn of this.#alsoRefresh) void fn();
    try {
      const answer = await this.api.get<QueueAnswer>('/events/queue', { tab: 'mine', sort: 'deadline' });
      if (this.user?.username !== owner) return;
      const at = new Date().toISOString();
      this.tasks = answer.items;
      this.tasksAt = at;
      this.tasksKept = false;
      this.online = true;
      await this.store!.set(this.#key('tasks'), { items: answer.items, at });
      if (!this.grids.length) await this.#loadGrids();
      for (const t of answer.items) await this.#fetchTask(t.id);
      if (this.screen === 'task' && this.taskId !== null) await this.loadTask(this.taskId);
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) (this.online = false), (this.tasksKept = true);
    }
  }

  async #loadGrids() {
    const [geo, community] = await Promise.all([
      this.api.get<unknown>('/grids'),
      this.api.get<{ timeZone?: string }>('/community').catch(() => null),
    ]);
    this.grids = gridsOf(geo);
    await this.store!.set('grids', geo);
    if (community?.timeZone) (this.timeZone = community.timeZone), await this.store!.set('timeZone', community.timeZone);
  }

  async #fetchTask(id: number): Promise<TaskPage | null> {
    const page = await this.api.get<TaskPage>(`/events/${id}`);
    await this.store!.set(this.#key(`event:${id}`), page);
    return page;
  }

  /** A task's page: fresh when the network answers, else as kept. */
  async loadTask(id: number) {
    if (!this.store || !this.user) return;
    const kept = await this.store.get<TaskPage>(this.#key(`event:${id}`));
    if (this.taskId === id) this.task = kept ?? null;
    try {
      const fresh = await this.#fetchTask(id);
      if (this.taskId === id && fresh) this.task = fresh;
    } catch {
      // offline: the kept copy stands
    }
  }
}

export const tablet = new TabletState();
