/**
 * The live store of a page: wraps the framework-free `LiveClient` and mirrors what the UI reads
 * into `$state`. LiveClient mutates its Maps and arrays in place, so every change copies what
 * the screen needs (fresh arrays, so Svelte sees a new value). Everything kept is bounded by
 * LiveClient itself (events ≤ SNAPSHOT_EVENT_LIMIT, stream ≤ STREAM_LIMIT).
 */
import { io } from 'socket.io-client';
import { LiveClient, type LiveSocket, type LiveState } from '../../shared/live-client.ts';
import type { CommunityInfo, Entry, EventView, GridInfo, Views } from '../../shared/protocol.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** Before the first connection, give the socket this long before calling the screen offline. */
const GRACE_MS = 6_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 30_000;

export interface LiveStartOptions {
  view: 'screen' | 'events';
  community?: string;
  /** Who the socket speaks for at the handshake; wall displays are the public audience. */
  audience: 'display' | 'staff';
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
  events = $state.raw<EventView[]>([]);
  /** The latest journal entries, newest first. */
  stream = $state.raw<Entry[]>([]);
  timeZone = $derived(this.community?.timeZone ?? DEFAULT_TIME_ZONE);

  #client: LiveClient | null = null;
  #socket: LiveSocket | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #startedAt = 0;
  #everConnected = false;
  #stopped = false;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  /** Connect once per page. Safe to call again: later calls do nothing. */
  start(opts: LiveStartOptions) {
    if (this.#client) return;
    this.#startedAt = Date.now();
    const socket: LiveSocket = io({
      transports: ['websocket'],
      reconnectionDelayMax: 5000,
      auth: { audience: opts.audience },
    });
    this.#socket = socket;
    socket.on('screen:reload', () => location.reload());
    // socket.io gives up by design when the server refuses the handshake (middleware error) or
    // disconnects the socket itself; an unattended wall must keep trying, gently.
    socket.on('connect', () => {
      this.#retryMs = RETRY_MIN_MS;
      clearTimeout(this.#retryTimer);
    });
    socket.on('connect_error', () => {
      if (!socket.active) this.#retryLater();
    });
    socket.on('disconnect', () => {
      if (!socket.active) this.#retryLater();
    });
    this.#client = new LiveClient(socket, {
      view: opts.view,
      ...(opts.community ? { community: opts.community } : {}),
      onChange: (state, why) => this.#apply(state, why),
    });
    this.#timer = setInterval(() => this.#checkStale(), 1000);
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

  #retryLater() {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    this.#retryTimer = setTimeout(() => {
      if (!this.#stopped && this.#socket && !this.#socket.connected) this.#socket.connect();
    }, wait);
  }

  #apply(state: LiveState, why: 'snapshot' | 'replay' | 'batch' | 'status') {
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
    const inGrace = !this.#everConnected && Date.now() - this.#startedAt < GRACE_MS;
    this.stale = connected ? this.staleSeconds > 0 : !inGrace && client.isStale();
  }
}

/** The one live store of this page. */
export const live = new LiveStore();
