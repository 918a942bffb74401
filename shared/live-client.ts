/**
 * The client half of the live protocol, free of any UI framework: the `/screen` store and the
 * integration tests both drive it. It subscribes with the last seq it applied, applies replay
 * or snapshot, applies batches in order, detects gaps and resyncs, and tracks staleness.
 *
 * State it keeps is bounded: at most `maxEvents` events (`DISPLAY_EVENT_LIMIT`, chosen by the
 * one rule the server's snapshot uses) and `STREAM_LIMIT` stream entries, so a wall that runs
 * for weeks holds flat memory.
 *
 * With `encoding: 'deflate'` batches arrive compressed (`batch:deflate`). They are inflated with
 * the platform's `DecompressionStream('deflate-raw')` (Chromium, Node ≥ 18: no library in the
 * wall's script), which answers asynchronously; so frames, and the heartbeats that arrive while
 * one is being inflated, are handled strictly in arrival order through one queue, and what was
 * queued before a subscribe is dropped (the answer covers it). The rules are those of plain
 * batches (docs/PROTOCOL.md, "The client's rules").
 */
import type { Socket } from 'socket.io-client';
import {
  STALE_AFTER_MS, STREAM_LIMIT,
  type Batch, type ClientToServerEvents, type CommunityInfo, type Encoding, type Entry, type GridInfo,
  type Heartbeat, type PublicEventView, type ServerToClientEvents, type SubscribeResult, type Views,
} from './protocol.ts';
import { isOpen } from './status.ts';
import { DISPLAY_EVENT_LIMIT, selectForDisplay } from './display-events.ts';
import { startOfLocalDay } from './time.ts';
import type { SubjectViews } from './subjects.ts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A refused or unanswered subscribe is asked again after this long, doubling up to `RETRY_MAX_MS`. */
export const RETRY_MIN_MS = 2_000;
export const RETRY_MAX_MS = 30_000;
/** How long a subscribe waits for its answer. */
export const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** A partial display that may be missing events takes a fresh snapshot at most this often. */
export const REFILL_MS = 15_000;

export interface LiveState {
  dbId: string | null;
  seq: number;
  community: CommunityInfo | null;
  grids: GridInfo[];
  views: Views | null;
  /**
   * By id; open events and those finished today (shared/display-events.ts). The public audience
   * receives `PublicEventView`s; the staff audience whole `EventView`s, which hold those fields too.
   */
  events: Map<number, PublicEventView>;
  /**
   * True when the community has more open events than the display holds (a flood beyond
   * `DISPLAY_EVENT_LIMIT`): the KPIs count them all, the map shows the best of them.
   */
  partial: boolean;
  /** Newest first. */
  stream: Entry[];
  connected: boolean;
  /**
   * When the last batch, heartbeat or snapshot arrived, on the client's monotonic clock
   * (`performance.now()`), never the wall clock: a wall whose clock is set back or forward must
   * neither flash "data 32,400 s late" nor hide a server that has gone quiet. 0 before the first.
   */
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
  /** `'deflate'`: ask for compressed batches (the wall does); left out, plain JSON. */
  encoding?: Encoding;
  maxEvents?: number;
  /** A monotonic clock in ms for ages and waits (staleness, refill); `performance.now` unless a test gives one. */
  now?: () => number;
  /** Called after every change of state. */
  onChange?: (state: LiveState, why: 'snapshot' | 'replay' | 'batch' | 'status') => void;
}

export class LiveClient {
  readonly state: LiveState = {
    dbId: null, seq: 0, community: null, grids: [], views: null,
    events: new Map(), partial: false, stream: [], connected: false, lastHeard: 0, resyncs: 0, error: null,
  };
  #socket: LiveSocket;
  #opts: LiveClientOptions;
  #subscribing = false;
  #resubscribe = false;
  #now: () => number;
  #startedAt: number;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ask for a snapshot rather than a replay at the next subscribe. */
  #wantSnapshot = false;
  #todayCache: { timeZone: string; start: number } | null = null;
  #refillTimer: ReturnType<typeof setTimeout> | undefined;
  #lastRefill = -Infinity;
  /** The encoding asked for: dropped for good if the server does not know it (an older server). */
  #encoding: Encoding | undefined;
  /** Compressed frames and the heartbeats behind them, in arrival order: each waits for the one before. */
  #queue: Promise<void> = Promise.resolve();
  /** How many queued items are not handled yet. */
  #queued = 0;
  /** Goes up at every subscribe (and at close): a queued item from before it is dropped. */
  #generation = 0;

  constructor(socket: LiveSocket, opts: LiveClientOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.#encoding = opts.encoding;
    this.#now = opts.now ?? (() => performance.now());
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
    socket.on('batch:deflate', (frame) => this.#onFrame(frame));
    socket.on('heartbeat', (h) => {
      // Behind a frame still being inflated, a heartbeat must wait for it, or it would see the
      // seq of that batch as missing and resync for nothing.
      if (this.#queued) this.#enqueue(Promise.resolve(), () => this.#onHeartbeat(h));
      else this.#onHeartbeat(h);
    });
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
    this.#generation++;
    const s = this.state;
    const req = {
      view: this.#opts.view,
      ...(this.#opts.community ? { community: this.#opts.community } : {}),
      ...(this.#opts.audience ? { audience: this.#opts.audience } : {}),
      ...(this.#encoding ? { encoding: this.#encoding } : {}),
      ...(s.dbId && !this.#wantSnapshot ? { since: s.seq, dbId: s.dbId } : {}),
    };
    this.#wantSnapshot = false;
    return new Promise<void>((resolve) => {
      // The answer is applied in the ack callback itself, not after an await: a batch that
      // arrives right behind the answer (in the same network read) must find the client
      // subscribed, or it is dropped and the display resyncs for nothing.
      this.#socket.timeout(SUBSCRIBE_TIMEOUT_MS).emit('subscribe', req, (err: Error | null, res: SubscribeResult) => {
        try {
          if (!err) this.#applySubscribe(res);
          // No answer while still connected (a stalled server), or a refusal: ask again later,
          // backing off. After a disconnect the next connect subscribes anyway.
          // (An answer that asked to be resubscribed at once, below, needs no retry.)
          if ((err || !res.ok) && this.#socket.connected && !this.#resubscribe) this.#retryLater();
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
    if (!res.ok && res.error === 'error.validation' && this.#encoding && res.issues?.some((i) => i.field === 'encoding')) {
      // A server from before encodings: take plain batches from it, at once.
      this.#encoding = undefined;
      this.#resubscribe = true;
      return;
    }
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
      this.#trimEvents();
      this.#notify('snapshot');
    } else {
      this.#applyEntries(res.entries);
      s.seq = Math.max(s.seq, res.seq);
      s.views = res.views;
      this.#trimEvents();
      this.#notify('replay');
    }
  }

  #onBatch(b: Batch) {
    const s = this.state;
    if (!s.dbId) return; // the subscribe answer will cover it
    s.lastHeard = this.#now();
    if (this.#subscribing) return;
    // Older than what we hold (a snapshot taken after this batch was built): nothing to apply.
    // A batch with no entries refreshes the views (the day rolled over, say; docs/PROTOCOL.md).
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
    this.#trimEvents();
    this.#notify('batch');
  }

  /** A compressed batch: inflated now, handled in its turn. */
  #onFrame(frame: string) {
    if (!this.state.dbId) return; // the subscribe answer will cover it
    // Heard when applied (#onBatch), not when it arrived: a wall whose frames fail must go stale.
    this.#enqueue(inflateBatch(frame), (b) => {
      if (b) return this.#onBatch(b);
      // A frame that does not inflate to a batch is a batch lost: ask again from where we are.
      this.state.resyncs++;
      void this.subscribe();
    });
  }

  /**
   * Run `then` with what `work` gives, after everything queued before it; not at all if a
   * subscribe came between. If `then` throws (a frame that inflated to something that is not a
   * batch, an `onChange` that failed), that batch is lost, never the queue: the client asks again
   * from where it is, and what comes after is still handled.
   */
  #enqueue<T>(work: Promise<T>, then: (value: T | null) => void) {
    const generation = this.#generation;
    this.#queued++;
    this.#queue = this.#queue
      .then(() => work.catch(() => null))
      .then((value) => {
        if (generation === this.#generation) then(value);
      })
      .catch(() => {
        if (generation !== this.#generation) return;
        this.state.resyncs++;
        void this.subscribe();
      })
      .finally(() => {
        this.#queued--;
      });
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
  }

  /**
   * Hold what the server's snapshot would: finished events of earlier days go, then the best
   * `maxEvents` by the display rule stay. A display that was already partial when the day
   * turned may have dropped events that now rank in: it takes a fresh snapshot.
   */
  #trimEvents() {
    const s = this.state;
    const max = this.#opts.maxEvents ?? DISPLAY_EVENT_LIMIT;
    let aged = false;
    const today = s.community ? this.#today(s.community.timeZone) : null;
    if (today !== null) {
      for (const [id, e] of s.events) {
        if (!isOpen(e.status) && Date.parse(e.closedAt ?? e.updatedAt) < today) {
          s.events.delete(id);
          aged = true;
        }
      }
    }
    const wasPartial = s.partial;
    if (s.events.size > max) s.events = new Map(selectForDisplay(s.events.values(), viewRank, max).map((e) => [e.id, e]));
    let open = 0;
    for (const e of s.events.values()) if (isOpen(e.status)) open++;
    s.partial = (s.views?.kpis.openNow ?? 0) > open;
    // Partial, yet holding a finished event or room to spare: open events this display dropped
    // earlier rank in again (others were closed), and no batch will bring them unchanged.
    const short = s.partial && (open < s.events.size || s.events.size < max);
    if ((aged && wasPartial) || short) this.#refill();
  }

  /** Take a fresh snapshot, at most once per `REFILL_MS` (a flood's snapshot is megabytes). */
  #refill() {
    if (this.#refillTimer !== undefined || this.#subscribing) return;
    const wait = Math.max(0, this.#lastRefill + REFILL_MS - this.#now());
    this.#refillTimer = setTimeout(() => {
      this.#refillTimer = undefined;
      if (!this.#socket.connected) return;
      this.#lastRefill = this.#now();
      this.#wantSnapshot = true;
      void this.subscribe();
    }, wait);
  }

  /**
   * The community's local midnight by the server's clock (the views' `asOf`: a wall's own clock
   * may be wrong), looked up again only when the day may have turned (it costs ICU calls).
   */
  #today(timeZone: string): number | null {
    const asOf = this.state.views?.asOf;
    if (!asOf) return null;
    const now = Date.parse(asOf);
    const c = this.#todayCache;
    if (!c || c.timeZone !== timeZone || now < c.start || now >= c.start + 86_400_000) {
      this.#todayCache = { timeZone, start: startOfLocalDay(now, timeZone) };
    }
    return this.#todayCache!.start;
  }

  #notify(why: 'snapshot' | 'replay' | 'batch' | 'status') {
    this.#opts.onChange?.(this.state, why);
  }

  close() {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#refillTimer);
    this.#generation++;
    this.#socket.off('batch');
    this.#socket.off('batch:deflate');
    this.#socket.off('heartbeat');
  }
}

/**
 * A `batch:deflate` frame back to its `Batch`: base64 of the raw DEFLATE of UTF-8 JSON
 * (docs/PROTOCOL.md, "Encodings"), inflated by the platform. Rejects when the frame is not one.
 */
export async function inflateBatch(frame: string): Promise<Batch> {
  const bytes = Uint8Array.from(atob(frame), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return JSON.parse(await new Response(stream).text()) as Batch;
}

/** What the display rule reads of an event as a display receives it. */
const viewRank = (e: PublicEventView) => ({ id: e.id, open: isOpen(e.status), overdue: e.overdue, changedAt: Date.parse(e.updatedAt) });
