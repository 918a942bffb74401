/**
 * Fan-out to displays. Committed changes are collected per community and, at most every
 * `intervalMs`, sent as one batch per audience: projected and masked once per audience, then
 * encoded once per room: by socket.io as JSON for the plain room, and compressed once here for
 * the room of displays that asked for `deflate` (they all share the one frame). Each batch
 * names the seq of the batch before it for that audience, so a display that missed one notices
 * and resyncs. A heartbeat says "nothing new up to seq N" to quiet rooms.
 */
import { deflateRawSync } from 'node:zlib';
import { AUDIENCES, type Audience } from '../../shared/schemas.ts';
import {
  HEARTBEAT_MS, type Batch, type BatchViews, type Encoding, type Entry, type Heartbeat, type Views,
} from '../../shared/protocol.ts';
import type { SubjectViews } from '../../shared/subjects.ts';
import { isoInZone } from '../../shared/time.ts';
import type { EventChange } from '../events/service.ts';
import { displayEvent, type ViewContext } from '../events/record.ts';
import type { ReadModel } from './read-model.ts';

/** The part of socket.io the broadcaster needs; a Redis adapter behind it changes nothing here. */
export interface Fanout {
  emit(room: string, event: 'batch', payload: Batch): void;
  emit(room: string, event: 'batch:deflate', frame: string): void;
  emit(room: string, event: 'heartbeat', payload: Heartbeat): void;
  /** How many sockets are in a room on this node. */
  size(room: string): number;
}

/** Every this many heartbeats (30 s), rooms get fresh views if time changed them (`refreshViews`). */
export const REFRESH_EVERY_BEATS = 6;

/** The room of a community's displays of one audience that take batches in `encoding` (none: plain JSON). */
export const roomOf = (communityId: string, audience: Audience, encoding?: Encoding) =>
  `c:${communityId}:${audience}${encoding ? `:${encoding}` : ''}`;

/**
 * How hard batches are compressed (zlib's 1–9). Level 1 is half the CPU of the default 6 for
 * ~14 % more bytes on a batch of grid events (docs/PERFORMANCE.md, "Fewer bytes to every display").
 */
export const DEFLATE_LEVEL = 1;

/**
 * A batch as the `deflate` encoding sends it: the base64 of the raw DEFLATE (no zlib or gzip
 * wrapper) of its UTF-8 JSON. Text, not a binary attachment: socket.io sends a binary
 * attachment as two WebSocket messages and frames them again for every socket, while a text
 * message is framed once per room and written to each socket in one piece; measured, that
 * costs a third less server CPU per display than the binary attachment, for a third more
 * bytes (docs/PERFORMANCE.md, "Fewer bytes to every display"). Synchronous: a batch is a few
 * to tens of kB and compresses in a fraction of a millisecond, once per audience; the thread
 * pool would cost more in hand-offs than it saves.
 */
export function deflateBatch(batch: Batch): string {
  return deflateRawSync(JSON.stringify(batch), { level: DEFLATE_LEVEL }).toString('base64');
}

export function toEntry(ch: EventChange, audience: Audience, ctx: ViewContext): Entry {
  return {
    seq: ch.seq,
    at: isoInZone(ch.at, ctx.timeZone),
    type: ch.type,
    ...(ch.action ? { action: ch.action } : {}),
    ...(ch.from && audience === 'staff' ? { from: ch.from } : {}),
    event: displayEvent(ch.after, audience, ctx),
  };
}

export interface BroadcasterDeps {
  fanout: Fanout;
  model: ReadModel;
  viewContext: (communityId: string) => ViewContext;
  now: () => number;
  intervalMs: number;
  communities: () => string[];
}

export class Broadcaster {
  #deps: BroadcasterDeps;
  #pending = new Map<string, EventChange[]>();
  /** Per community, the last seq of a committed subject change not yet announced. */
  #touched = new Map<string, number>();
  #lastSent = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #lastFlush = 0;
  /**
   * The journal head when this process started. Every subscriber has the state up to it (by
   * snapshot or replay), so it stands for "the last seq sent" to a room before its first
   * batch; 0 would make a restarted server's view refreshes and heartbeats look older than
   * what reconnected displays hold, and they would ignore them.
   */
  #startHead = 0;
  /** Per community, the views last sent (JSON, all but `subjects`: those are kept by part below). */
  #lastViews = new Map<string, string>();
  /** Per community, each part of the five-subject views as last sent (JSON): a batch carries only the parts that changed. */
  #lastSubjects = new Map<string, Map<string, string>>();
  /** Communities whose next batch carries the subject views whole (a socket joined since). */
  #wholeSubjects = new Set<string>();
  #beats = 0;
  /** Batches sent (one per audience, whatever the encodings), for the benchmark and tests. */
  sent = 0;
  /** Batches compressed for a `deflate` room: one per batch sent to one, however many displays it holds. */
  compressed = 0;

  constructor(deps: BroadcasterDeps) {
    this.#deps = deps;
  }

  start() {
    this.#startHead = this.#deps.model.head;
    this.#heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  stop() {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#timer = this.#heartbeat = null;
  }

  /** The seq the next batch of a community's audience will name as `prev` (the same for every encoding). */
  lastSent(communityId: string, audience: Audience): number {
    return this.#lastSent.get(roomOf(communityId, audience)) ?? this.#startHead;
  }

  /** Whether any socket follows a community's audience, in any encoding. */
  #watched(communityId: string, audience: Audience): boolean {
    const { fanout } = this.#deps;
    return fanout.size(roomOf(communityId, audience)) > 0 || fanout.size(roomOf(communityId, audience, 'deflate')) > 0;
  }

  /** One batch to a community's audience: JSON to the plain room, one compressed frame shared by the deflate room. */
  #send(communityId: string, audience: Audience, batch: Batch) {
    const { fanout } = this.#deps;
    const plain = roomOf(communityId, audience);
    if (fanout.size(plain)) fanout.emit(plain, 'batch', batch);
    const packed = roomOf(communityId, audience, 'deflate');
    if (fanout.size(packed)) {
      fanout.emit(packed, 'batch:deflate', deflateBatch(batch));
      this.compressed++;
    }
    this.sent++;
  }

  /**
   * Take committed changes; they go out within `intervalMs`. Grid-event changes travel as
   * entries; subject changes (volunteers, charity, …) as the fresh views of their community,
   * in a batch whose seq covers them.
   */
  publish(changes: EventChange[], subjects: readonly { seq: number; communityId: string }[] = []) {
    for (const ch of changes) {
      const id = ch.after.communityId;
      let list = this.#pending.get(id);
      if (!list) this.#pending.set(id, (list = []));
      list.push(ch);
    }
    for (const s of subjects) this.#touched.set(s.communityId, Math.max(this.#touched.get(s.communityId) ?? 0, s.seq));
    if (!changes.length && !subjects.length) return;
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastFlush + this.#deps.intervalMs - this.#deps.now());
    this.#timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#lastFlush = this.#deps.now();
    const { model } = this.#deps;
    for (const communityId of new Set([...this.#pending.keys(), ...this.#touched.keys()])) {
      const changes = this.#pending.get(communityId) ?? [];
      const touched = this.#touched.get(communityId) ?? 0;
      if (!changes.length && !touched) continue;
      const ctx = this.#deps.viewContext(communityId);
      // Aggregates cost O(open events): computed only when some room will receive them.
      let views: Views | undefined;
      let wire: BatchViews | undefined;
      const seq = Math.max(changes.length ? changes[changes.length - 1]!.seq : 0, touched);
      for (const audience of AUDIENCES) {
        const prev = this.lastSent(communityId, audience);
        this.#lastSent.set(roomOf(communityId, audience), seq);
        if (!this.#watched(communityId, audience)) continue;
        if (!views) {
          views = model.views(communityId, this.#deps.now());
          wire = this.#leanViews(communityId, views);
        }
        this.#send(communityId, audience, { prev, seq, entries: changes.map((ch) => toEntry(ch, audience, ctx)), views: wire! });
      }
      if (views) this.#lastViews.set(communityId, viewsKey(views));
      else this.#lastViews.delete(communityId);
    }
    this.#pending.clear();
    this.#touched.clear();
  }

  /**
   * Aggregates change with time as well as with events (today becomes yesterday at midnight,
   * an hour leaves the trend): send rooms the fresh views, as an empty batch, when they differ.
   */
  refreshViews() {
    const { model } = this.#deps;
    for (const communityId of this.#deps.communities()) {
      if (this.#pending.get(communityId)?.length || this.#touched.has(communityId)) continue; // the next flush carries fresh views
      if (!AUDIENCES.some((a) => this.#watched(communityId, a))) continue;
      const views = model.views(communityId, this.#deps.now());
      const key = viewsKey(views);
      const subjectsChanged = this.#changedSubjects(communityId, views) !== null;
      if (this.#lastViews.get(communityId) === key && !subjectsChanged) continue;
      this.#lastViews.set(communityId, key);
      this.#wholeSubjects.delete(communityId); // a refresh carries them whole
      for (const audience of AUDIENCES) {
        if (!this.#watched(communityId, audience)) continue;
        // Nothing of this community is pending, so the room has every entry up to the journal
        // head: saying so lets a display whose seq came from another community's entries
        // (seq is global) accept the refresh.
        this.#send(communityId, audience, { prev: this.lastSent(communityId, audience), seq: model.head, entries: [], views });
      }
    }
  }

  /** The next batch of `communityId` carries the subject views whole (a socket joined with views of its own). */
  forgetSubjects(communityId: string) {
    this.#wholeSubjects.add(communityId);
  }

  /**
   * `views` as a batch carries them: `subjects` only with the parts (top-level keys) that differ
   * from what this community's rooms were last sent, absent when none do. The figures of the
   * five subjects change at human pace, while a stream of grid events moves only the community's
   * glance: without this every batch would repeat ~18 kB of unchanged views ten times a second
   * (docs/PROTOCOL.md). Every member of a room holds the rest: a socket joins with a snapshot or
   * replay answer, which carries the views whole.
   */
  #leanViews(communityId: string, views: Views): BatchViews {
    const changed = this.#changedSubjects(communityId, views);
    if (this.#wholeSubjects.delete(communityId) || !views.subjects) return views;
    const { subjects: _all, ...rest } = views;
    return changed ? { ...rest, subjects: changed } : rest;
  }

  /** The parts of `views.subjects` that differ from what was last sent (now recorded as sent), or null. */
  #changedSubjects(communityId: string, views: Views): Partial<SubjectViews> | null {
    if (!views.subjects) return null;
    let last = this.#lastSubjects.get(communityId);
    if (!last) this.#lastSubjects.set(communityId, (last = new Map()));
    const changed: Record<string, unknown> = {};
    let any = false;
    for (const [key, value] of Object.entries(views.subjects)) {
      const json = JSON.stringify(value);
      if (last.get(key) === json) continue;
      last.set(key, json);
      changed[key] = value;
      any = true;
    }
    return any ? (changed as Partial<SubjectViews>) : null;
  }

  /** Tell every room the last seq it was sent, so a display that missed a batch notices. */
  beat() {
    const { fanout } = this.#deps;
    if (++this.#beats % REFRESH_EVERY_BEATS === 0) this.refreshViews();
    for (const communityId of this.#deps.communities()) {
      const tz = this.#deps.viewContext(communityId).timeZone;
      for (const audience of AUDIENCES) {
        for (const room of [roomOf(communityId, audience), roomOf(communityId, audience, 'deflate')]) {
          if (!fanout.size(room)) continue;
          fanout.emit(room, 'heartbeat', { seq: this.lastSent(communityId, audience), at: isoInZone(this.#deps.now(), tz) });
        }
      }
    }
  }
}

/** The views as compared from send to send: all but `asOf`, and `subjects`, which are compared part by part. */
const viewsKey = (v: Views) => JSON.stringify({ ...v, asOf: '', subjects: undefined });
