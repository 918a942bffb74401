/**
 * The live store of a page: wraps the framework-free `LiveClient` and mirrors what the UI reads
 * into `$state`. LiveClient mutates its Maps and arrays in place, so every change copies what
 * the screen needs (fresh arrays, so Svelte sees a new value). Everything kept is bounded by
 * LiveClient itself (events ≤ DISPLAY_EVENT_LIMIT, stream ≤ STREAM_LIMIT).
 *
 * A wall display connects with its device token. When the server says the token is no good
 * (unknown or revoked) the store stops for good and tells the page (`onUnauthorized`), which
 * forgets the token and shows a pairing code; every other failure — a restart, a power cut, a
 * network blip — only makes the data stale while the store keeps reconnecting.
 */
import { io } from 'socket.io-client';
import { LiveClient, type LiveSocket, type LiveState } from '../../shared/live-client.ts';
import type { CommunityInfo, Entry, GridInfo, PublicEventView, Views } from '../../shared/protocol.ts';
import { DEFAULT_TIME_ZONE } from '../../shared/time.ts';
import type { PublicIncident } from '../../shared/emergency.ts';
import type { PublicBoard } from '../../shared/emergency-board.ts';
import type { PublicPeople } from '../../shared/emergency-people.ts';

/** Before the first connection, give the socket this long before calling the screen offline. */
const GRACE_MS = 6_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 30_000;

/** The server's refusals that mean "this token will never work": connect_error messages or subscribe errors. */
const AUTH_FAILURES = new Set(['error.unauthenticated', 'error.revoked']);

/**
 * The i18n key when a refusal means the credentials are gone for good, else null. Anything
 * else (a transport error, a server restart, a timeout) is worth retrying.
 */
export function authFailure(code: string | null | undefined): string | null {
  return code && AUTH_FAILURES.has(code) ? code : null;
}

export interface LiveStartOptions {
  view: 'screen' | 'events';
  community?: string;
  /**
   * Who the socket speaks for at the handshake: a display (its token) or a person (the session
   * cookie). `view: 'screen'` is the public view for both.
   */
  audience: 'display' | 'staff';
  /** A paired wall's device token, sent at the handshake; none for a person's browser. */
  displayToken?: string;
  /** The server refused the credentials for good (`error.unauthenticated` or `error.revoked`); the store has stopped. */
  onUnauthorized?: (code: string) => void;
}

export class LiveStore {
  /** True once the first snapshot has been applied. */
  ready = $state(false);
  /** Why the server refused to subscribe (an i18n key and the field problems), if it did. */
  error = $state.raw<LiveState['error']>(null);
  connected = $state(false);
  /** Seconds since anything was heard, when past the stale threshold; 0 otherwise. */
  staleSeconds = $state(0);
  /** Data may be out of date: disconnected (after a grace period) or silent too long. */
  stale = $state(false);
  community = $state.raw<CommunityInfo | null>(null);
  grids = $state.raw<GridInfo[]>([]);
  views = $state.raw<Views | null>(null);
  /** Open events and ones finished recently, in no particular order. */
  events = $state.raw<PublicEventView[]>([]);
  /** More open events than a display holds: the map shows the most pressing (shared/display-events.ts). */
  partial = $state(false);
  /** The latest journal entries, newest first. */
  stream = $state.raw<Entry[]>([]);
  timeZone = $derived(this.community?.timeZone ?? DEFAULT_TIME_ZONE);
  /**
   * The community's emergency (`incident:changed`): told as the socket connects and at each
   * step; emergency mode while its status is 'active'. Null when none is active.
   */
  incident = $state.raw<PublicIncident | null>(null);
  /**
   * The accounted-for board's per-grid guarded counts (`board:counts`): heard as the socket
   * connects mid-incident and at each change. Only counts, never a name or an address. Null
   * before any, and again once the incident it belongs to is over.
   */
  board = $state.raw<PublicBoard | null>(null);
  /**
   * The incident's people and places (`people:counts`): volunteers mobilised and on duty, each
   * shelter's occupancy against its capacity, supplies running low. Counts and shelter names,
   * never a person's name. Null before any, and once its incident is over.
   */
  people = $state.raw<PublicPeople | null>(null);

  #client: LiveClient | null = null;
  #socket: LiveSocket | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #startedAt = 0;
  #everConnected = false;
  #stopped = false;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  #onUnauthorized: ((code: string) => void) | undefined;

  /** Connect (once: calling again while running does nothing; after `stop()` it starts afresh). */
  start(opts: LiveStartOptions) {
    if (this.#client) return;
    this.#reset();
    this.#onUnauthorized = opts.onUnauthorized;
    const socket: LiveSocket = io({
      transports: ['websocket'],
      reconnectionDelayMax: 5000,
      // A new Manager each time: a store restarted with another token must not reuse the old handshake.
      forceNew: true,
      auth: { audience: opts.audience, ...(opts.displayToken ? { displayToken: opts.displayToken } : {}) },
    });
    this.#socket = socket;
    socket.on('screen:reload', () => location.reload());
    socket.on('incident:changed', (n) => {
      if (this.#stopped) return;
      this.incident = n.incident;
      if (this.board && this.board.incidentId !== n.incident?.id) this.board = null;
      if (this.people && this.people.incidentId !== n.incident?.id) this.people = null;
    });
    socket.on('people:counts', (p) => {
      if (!this.#stopped) this.people = p;
    });
    socket.on('board:counts', (b) => {
      if (!this.#stopped) this.board = b;
    });
    // socket.io gives up by design when the server refuses the handshake (middleware error) or
    // disconnects the socket itself; an unattended wall must keep trying, gently — unless the
    // server said the token itself is no good.
    socket.on('connect', () => {
      this.#retryMs = RETRY_MIN_MS;
      clearTimeout(this.#retryTimer);
    });
    socket.on('connect_error', (err) => {
      const code = authFailure(err?.message);
      if (code) return this.#unauthorized(code);
      if (!socket.active) this.#retryLater();
    });
    socket.on('disconnect', (reason) => {
      if (socket.active) return;
      // The server let go of us (a shutdown, a revoked display): try again soon; the handshake
      // answers 'error.revoked' or 'error.unauthenticated' if the token is gone.
      if (reason === 'io server disconnect') this.#retryLater(200);
      else this.#retryLater();
    });
    this.#client = new LiveClient(socket, {
      view: opts.view,
      // The wall shows the public (masked) view whoever opens it: a display, or a person's browser.
      ...(opts.view === 'screen' ? { audience: 'public' as const } : {}),
      // Compressed batches: a tenth of the bytes, one frame shared by every wall of the room.
      encoding: 'deflate',
      ...(opts.community ? { community: opts.community } : {}),
      onChange: (state, why) => this.#apply(state, why),
    });
    this.#timer = setInterval(() => this.#checkStale(), 1000);
  }

  /** Tell the server this wall now shows `version` of incident `id` (its layout drawn). */
  acknowledge(id: number, version: number) {
    this.#socket?.emit('incident:ack', { id, version });
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#timer);
    this.#client?.close();
    this.#socket?.off('screen:reload');
    this.#socket?.disconnect();
    this.#client = null;
    this.#socket = null;
  }

  /** A fresh start: nothing from a previous token (another community, perhaps) survives. */
  #reset() {
    this.#stopped = false;
    this.#startedAt = performance.now();
    this.#everConnected = false;
    this.#retryMs = RETRY_MIN_MS;
    this.ready = false;
    this.error = null;
    this.connected = false;
    this.staleSeconds = 0;
    this.stale = false;
    this.community = null;
    this.grids = [];
    this.views = null;
    this.events = [];
    this.stream = [];
    this.incident = null;
    this.board = null;
    this.people = null;
  }

  #unauthorized(code: string) {
    if (this.#stopped) return;
    const notify = this.#onUnauthorized;
    this.stop();
    notify?.(code);
  }

  #retryLater(soon?: number) {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    const wait = soon ?? this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    this.#retryTimer = setTimeout(() => {
      if (!this.#stopped && this.#socket && !this.#socket.connected) this.#socket.connect();
    }, wait);
  }

  #apply(state: LiveState, why: 'snapshot' | 'replay' | 'batch' | 'status') {
    if (this.#stopped) return; // the socket's last words after stop()
    // `subscribe` rechecks the principal: a token revoked between handshake and subscribe.
    const refused = authFailure(state.error?.code);
    if (refused) return this.#unauthorized(refused);
    this.connected = state.connected;
    this.error = state.error;
    if (state.connected) this.#everConnected = true;
    if (why === 'status') {
      this.#checkStale();
      return;
    }
    if (why === 'snapshot') {
      this.community = state.community;
      this.grids = state.grids;
    }
    this.views = state.views;
    this.events = [...state.events.values()];
    this.partial = state.partial;
    this.stream = state.stream.slice();
    this.#checkStale();
    if (why === 'snapshot') this.ready = true;
  }

  #checkStale() {
    const client = this.#client;
    if (!client) return;
    const connected = client.state.connected;
    this.connected = connected;
    this.staleSeconds = client.staleSeconds();
    const inGrace = !this.#everConnected && performance.now() - this.#startedAt < GRACE_MS;
    this.stale = connected ? this.staleSeconds > 0 : !inGrace && client.isStale();
  }
}

/** The one live store of this page. */
export const live = new LiveStore();
