/**
 * The client half of the live protocol, free of any UI framework: the `/screen` store and the
 * integration tests both drive it. It subscribes with the last seq it applied, applies replay
 * or snapshot, applies batches in order, detects gaps and resyncs, and tracks staleness.
 *
 * State it keeps is bounded: at most `maxEvents` events and `STREAM_LIMIT` stream entries, so a
 * wall that runs for weeks holds flat memory.
 */
import type { Socket } from 'socket.io-client';
import {
  SNAPSHOT_EVENT_LIMIT, STALE_AFTER_MS, STREAM_LIMIT,
  type Batch, type ClientToServerEvents, type CommunityInfo, type Entry, type EventView, type GridInfo,
  type Heartbeat, type ServerToClientEvents, type SubscribeResult, type Views,
} from './protocol.ts';
import { isOpen } from './lifecycle.ts';
import type { SubjectViews } from './subjects.ts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 30_000;

export interface LiveState {
  dbId: string | null;
  seq: number;
  community: CommunityInfo | null;
  grids: GridInfo[];
  views: Views | null;
  /** By id; open events and recently finished ones. */
  events: Map<number, EventView>;
  /** Newest first. */
  stream: Entry[];
  connected: boolean;
  /** Epoch ms of the last batch, heartbeat or snapshot received. */
  lastHeard: number;
  resyncs: number;
  /** Why the last subscribe was refused (an i18n key and the fields), or null. */
  error: { code: string; issues?: { field: string; problem: string }[] } | null;
}

export interface LiveClientOptions {
  view: 'screen' | 'events';
  community?: string;
  /** `'public'`: ask for the masked view a display gets (a person's browser showing the wall). */
  audience?: 'public';
  maxEvents?: number;
  now?: () => number;
  /** Called after every change of state. */
  onChange?: (state: LiveState, why: 'snapshot' | 'replay' | 'batch' | 'status') => void;
}

export class LiveClient {
  readonly state: LiveState = {
    dbId: null, seq: 0, community: null, grids: [], views: null,
    events: new Map(), stream: [], connected: false, lastHeard: 0, resyncs: 0, error: null,
  };
  #socket: LiveSocket;
  #opts: LiveClientOptions;
  #subscribing = false;
  #resubscribe = false;
  #now: () => number;
  #startedAt: number;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: LiveSocket, opts: LiveClientOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#startedAt = this.#now();
    socket.on('connect', () => {
      this.state.connected = true;
      this.#notify('status');
      void this.subscribe();
    });
    socket.on('disconnect', () => {
      this.state.connected = false;
      this.#notify('status');
    });
    socket.on('batch', (b) => this.#onBatch(b));
    socket.on('heartbeat', (h) => this.#onHeartbeat(h));
    if (socket.connected) {
      this.state.connected = true;
      void this.subscribe();
    }
  }

  /** Seconds since anything was heard (or since the start, before the first answer), or 0 when fresh. */
  staleSeconds(): number {
    const age = this.#now() - (this.state.lastHeard || this.#startedAt);
    return age > STALE_AFTER_MS ? Math.floor(age / 1000) : 0;
  }

  isStale(): boolean {
    return !this.state.connected || this.staleSeconds() > 0;
  }

  /** (Re)subscribe with the last seq applied; the server answers with a replay or a snapshot. */
  subscribe(): Promise<void> {
    if (this.#subscribing) {
      this.#resubscribe = true;
      return Promise.resolve();
    }
    this.#subscribing = true;
    const s = this.state;
    const req = {
      view: this.#opts.view,
      ...(this.#opts.community ? { community: this.#opts.community } : {}),
      ...(this.#opts.audience ? { audience: this.#opts.audience } : {}),
      ...(s.dbId ? { since: s.seq, dbId: s.dbId } : {}),
    };
    return new Promise<void>((resolve) => {
      // The answer is applied in the ack callback itself, not after an await: a batch that
      // arrives right behind the answer (in the same network read) must find the client
      // subscribed, or it is dropped and the display resyncs for nothing.
      this.#socket.timeout(10_000).emit('subscribe', req, (err: Error | null, res: SubscribeResult) => {
        try {
          if (!err) this.#applySubscribe(res);
          // No answer while still connected (a stalled server), or a refusal: ask again later,
          // backing off. After a disconnect the next connect subscribes anyway.
          if ((err || !res.ok) && this.#socket.connected) this.#retryLater();
          else this.#retryMs = RETRY_MIN_MS;
        } finally {
          this.#subscribing = false;
          if (this.#resubscribe) {
            this.#resubscribe = false;
            void this.subscribe();
          }
          resolve();
        }
      });
    });
  }

  #applySubscribe(res: SubscribeResult) {
    const s = this.state;
    if (!res.ok) {
      // A wall with a wrong ?community= must say so, not load forever.
      s.error = { code: res.error, ...(res.issues ? { issues: res.issues } : {}) };
      this.#notify('status');
      return;
    }
    s.error = null;
    s.lastHeard = this.#now();
    if (res.mode === 'snapshot') {
      const snap = res.snapshot;
      s.dbId = snap.dbId;
      s.seq = snap.seq;
      s.community = snap.community;
      s.grids = snap.grids;
      s.views = snap.views;
      s.events = new Map(snap.events.map((e) => [e.id, e]));
      s.stream = snap.recent.slice(0, STREAM_LIMIT);
      this.#notify('snapshot');
    } else {
      this.#applyEntries(res.entries);
      s.seq = Math.max(s.seq, res.seq);
      s.views = res.views;
      this.#notify('replay');
    }
  }

  #onBatch(b: Batch) {
    const s = this.state;
    if (!s.dbId) return; // the subscribe answer will cover it
    s.lastHeard = this.#now();
    if (this.#subscribing) return;
    // Older than what we hold (a snapshot taken after this batch was built): nothing to apply.
    // A batch with no entries and seq === prev refreshes the views (the day rolled over, say).
    if (b.seq < s.seq) return;
    if (b.prev > s.seq) {
      // Something between s.seq and b.prev never arrived: ask again from where we are.
      s.resyncs++;
      void this.subscribe();
      return;
    }
    this.#applyEntries(b.entries);
    s.seq = b.seq;
    // A batch carries only the parts of the five-subject views that changed: merge them over ours.
    const { subjects: changed, ...rest } = b.views;
    const subjects = s.views?.subjects ? { ...s.views.subjects, ...changed } : (changed as SubjectViews | undefined);
    s.views = { ...rest, ...(subjects ? { subjects } : {}) };
    this.#notify('batch');
  }

  #retryLater() {
    clearTimeout(this.#retryTimer);
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    this.#retryTimer = setTimeout(() => {
      if (this.#socket.connected) void this.subscribe();
    }, wait);
  }

  #onHeartbeat(h: Heartbeat) {
    const s = this.state;
    // Before the first answer there is nothing to be fresh about: heartbeats don't count.
    if (!s.dbId) return;
    s.lastHeard = this.#now();
    if (s.dbId && !this.#subscribing && h.seq > s.seq) {
      // The server has sent entries we never saw; a heartbeat never runs ahead of its batches.
      s.resyncs++;
      void this.subscribe();
    }
    this.#notify('status');
  }

  #applyEntries(entries: Entry[]) {
    const s = this.state;
    const fresh = entries.filter((e) => e.seq > s.seq);
    if (!fresh.length) return;
    for (const e of fresh) s.events.set(e.event.id, e.event);
    s.stream = [...fresh.slice().reverse(), ...s.stream].slice(0, STREAM_LIMIT);
    s.seq = fresh[fresh.length - 1]!.seq;
    this.#trimEvents();
  }

  /** Keep open events first, then the most recently updated finished ones, up to the bound. */
  #trimEvents() {
    const max = this.#opts.maxEvents ?? SNAPSHOT_EVENT_LIMIT;
    const events = this.state.events;
    if (events.size <= max) return;
    const finished = [...events.values()]
      .filter((e) => !isOpen(e.status))
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    for (const e of finished) {
      if (events.size <= max) break;
      events.delete(e.id);
    }
    if (events.size > max) {
      const oldest = [...events.values()].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
      for (const e of oldest) {
        if (events.size <= max) break;
        events.delete(e.id);
      }
    }
  }

  #notify(why: 'snapshot' | 'replay' | 'batch' | 'status') {
    this.#opts.onChange?.(this.state, why);
  }

  close() {
    clearTimeout(this.#retryTimer);
    this.#socket.off('batch');
    this.#socket.off('heartbeat');
  }
}
