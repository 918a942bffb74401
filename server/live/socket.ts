/**
 * The socket.io side of the live protocol: principal at the handshake (a session cookie or a
 * display token; anything else is refused), `subscribe` answered with a replay since the
 * client's seq or a snapshot, then batches from the broadcaster. The credential is rechecked at
 * every command and by a sweep; an ended session or revoked display loses its sockets at once.
 */
import type { Server, Socket } from 'socket.io';
import { subscribeRequest } from '../../shared/schemas.ts';
import type { ClientToServerEvents, ServerToClientEvents, Snapshot, SubscribeResult } from '../../shared/protocol.ts';
import { maskName } from '../../shared/mask.ts';
import { zodIssues } from '../errors.ts';
import { audienceOf, WALL, type Principal } from '../principal.ts';
import type { Authentication, Credential } from '../auth/index.ts';
import type { LiveControl } from '../auth/live.ts';
import type { Directory } from '../kernel/community.ts';
import type { JournalReader } from './journal.ts';
import type { ViewContext } from '../events/record.ts';
import type { ReadModel } from './read-model.ts';
import { roomOf, toEntry, type Broadcaster, type Fanout } from './broadcaster.ts';
import { displayEvent } from '../events/record.ts';

export interface SocketData {
  principal: Principal;
  credential: Credential;
  room?: string;
  /** When this socket's recent subscribes came (its rate limit). */
  subscribes: number[];
}

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Displays this far behind get a snapshot rather than a replay. */
export const REPLAY_LIMIT = 2_000;

/**
 * socket.io's transport limits (docs/PROTOCOL.md, "Transport"): an incoming message larger than
 * `maxHttpBufferSize` (a WebSocket frame or a long-polling POST), like a malformed packet,
 * closes the connection; the server pings every `pingInterval` and drops a connection whose
 * pong takes longer than `pingTimeout`.
 */
export const SOCKET_LIMITS = { maxHttpBufferSize: 64 * 1024, pingInterval: 10_000, pingTimeout: 10_000 } as const;

/** A socket may subscribe this often (a display resubscribes on a gap; a loop must not cost the server). */
export const SUBSCRIBE_LIMIT = { limit: 10, windowMs: 10_000 };

export interface LiveDeps {
  io: LiveServer;
  dbId: string;
  directory: Directory;
  model: ReadModel;
  journal: JournalReader;
  broadcaster: Broadcaster;
  viewContext: (communityId: string) => ViewContext;
  /** Who a handshake is: a session cookie (staff) or `auth.displayToken` (a display). */
  authenticate: (handshake: LiveSocket['handshake']) => Authentication;
  /** Whether a socket's credential still stands (rechecked at each command). */
  stillValid: (credential: Credential) => boolean;
  /** The rooms a credential's sockets join, to be ended or reloaded together. */
  roomsOf: (credential: Credential) => string[];
  onError: (error: unknown) => void;
  now: () => number;
  /** After a socket joined its credential's rooms (emergency mode: server/live/incidents.ts). */
  onConnect?: (socket: LiveSocket) => void;
}

export function socketFanout(io: LiveServer): Fanout {
  return {
    emit: (room: string, event: 'batch' | 'batch:deflate' | 'heartbeat', payload: any) => void io.to(room).emit(event, payload),
    size: (room: string) => io.sockets.adapter.rooms.get(room)?.size ?? 0,
  };
}

/** What accounts and devices use to end, reload and count sockets (server/auth/live.ts). */
export function liveControl(io: LiveServer): LiveControl {
  return {
    disconnect: (room) => io.in(room).disconnectSockets(true),
    reload: (room) => void io.to(room).emit('screen:reload'),
    count: (room) => io.sockets.adapter.rooms.get(room)?.size ?? 0,
  };
}

export function attachLive(deps: LiveDeps) {
  const { io } = deps;
  io.use((socket, next) => {
    const who = deps.authenticate(socket.handshake);
    // The message is the i18n key: connect_error says 'error.unauthenticated' or 'error.revoked'.
    if (!who?.ok) return next(new Error(who?.error ?? 'error.unauthenticated'));
    socket.data.principal = who.principal;
    socket.data.credential = who.credential;
    socket.data.subscribes = [];
    next();
  });
  io.on('connection', (socket) => {
    for (const room of deps.roomsOf(socket.data.credential)) void socket.join(room);
    try {
      deps.onConnect?.(socket);
    } catch (error) {
      deps.onError(error);
    }
    socket.on('subscribe', (req, ack) => {
      if (typeof ack !== 'function') return;
      try {
        if (!deps.stillValid(socket.data.credential)) {
          // A display stops being valid only by being revoked; a session by ending.
          ack({ ok: false, error: socket.data.credential.kind === 'display' ? 'error.revoked' : 'error.unauthenticated' });
          socket.disconnect(true);
          return;
        }
        // Wall-clock time: the domain clock (deps.now) stands still in tests.
        if (!withinLimit(socket.data, Date.now())) {
          ack({ ok: false, error: 'error.rate_limited' });
          return;
        }
        ack(subscribe(deps, socket, req));
      } catch (error) {
        // Log, never rethrow: socket.io runs handlers outside any catch, and one bad
        // subscription must not take the server and every other display down.
        deps.onError(error);
        ack({ ok: false, error: 'error.internal' });
      }
    });
  });
}

/**
 * Close the sockets whose session ended or display was revoked since they connected (expiry
 * needs no event to happen: a timer calls this). Returns how many were closed.
 */
export function recheckSockets(io: LiveServer, stillValid: (c: Credential) => boolean): number {
  let closed = 0;
  for (const socket of io.sockets.sockets.values()) {
    if (socket.data.credential && !stillValid(socket.data.credential)) {
      socket.disconnect(true);
      closed++;
    }
  }
  return closed;
}

function withinLimit(data: SocketData, now: number): boolean {
  const recent = data.subscribes.filter((t) => t > now - SUBSCRIBE_LIMIT.windowMs);
  data.subscribes = recent;
  if (recent.length >= SUBSCRIBE_LIMIT.limit) return false;
  recent.push(now);
  return true;
}

function subscribe(deps: LiveDeps, socket: LiveSocket, req: unknown): SubscribeResult {
  const parsed = subscribeRequest.safeParse(req);
  if (!parsed.success) return { ok: false, error: 'error.validation', issues: zodIssues(parsed.error) };
  const principal = socket.data.principal;
  // A charity bookkeeper's or a volunteer's socket hears its notes (desk:changed, notices) but follows no view.
  if (!WALL.includes(principal.role)) return { ok: false, error: 'error.forbidden' };
  const communityId = parsed.data.community ?? principal.communityId;
  if (communityId !== principal.communityId || !deps.directory.communities.has(communityId)) {
    return { ok: false, error: 'error.not_found', issues: [{ field: 'community', problem: `no community ${communityId} for you` }] };
  }
  // A staff browser showing the wall asks for the public view; nobody gets less masking than theirs.
  const audience = parsed.data.audience ?? audienceOf(principal);
  // Displays that asked for compressed batches share a room of their own: one frame for them all.
  const room = roomOf(communityId, audience, parsed.data.encoding);
  if (socket.data.room && socket.data.room !== room) void socket.leave(socket.data.room);
  void socket.join(room);
  socket.data.room = room;
  // This socket's answer holds the subject views of now, which may differ from what the room
  // was last sent in parts that have since changed back: the next batch carries them whole.
  deps.broadcaster.forgetSubjects(communityId);

  const ctx = deps.viewContext(communityId);
  const now = deps.now();
  const { since, dbId } = parsed.data;
  const head = deps.model.head;
  if (since !== undefined && dbId === deps.dbId && since <= head) {
    const changes = deps.journal.since(communityId, since, REPLAY_LIMIT);
    if (changes) {
      return {
        ok: true, mode: 'replay', dbId: deps.dbId, seq: head,
        entries: changes.map((ch) => toEntry(ch, audience, ctx)),
        views: deps.model.views(communityId, now),
      };
    }
  }
  // Walls reconnect together (after a restart, a network blip): while nothing has changed,
  // they share one snapshot rather than each paying for a projection of the whole view.
  const key = `${communityId}:${audience}`; // the answer is plain JSON whatever the encoding
  const cached = snapshotCache.get(deps)?.get(key);
  // Nothing changed means no new entry and no new name to mask (an account is written outside
  // the journal): this pass catches up with the names first.
  ctx.names?.();
  const names = ctx.namesGeneration?.() ?? 0;
  if (cached && cached.seq === head && cached.names === names && now - cached.at < SNAPSHOT_REUSE_MS) {
    return { ok: true, mode: 'snapshot', snapshot: cached.snapshot };
  }
  const community = deps.directory.communities.get(communityId)!;
  const snapshot: Snapshot = {
    dbId: deps.dbId,
    seq: head,
    community,
    grids: deps.directory.gridInfos(communityId).map((g) =>
      audience === 'public' ? { ...g, workerName: maskName(g.workerName) } : g),
    views: deps.model.views(communityId, now),
    events: deps.model.currentEvents(communityId).map((e) => displayEvent(e, audience, ctx)),
    recent: deps.model.recent(communityId).map((ch) => toEntry(ch, audience, ctx)),
  };
  let perServer = snapshotCache.get(deps);
  if (!perServer) snapshotCache.set(deps, (perServer = new Map()));
  perServer.set(key, { seq: head, names, at: now, snapshot });
  return { ok: true, mode: 'snapshot', snapshot };
}

/** How long an unchanged snapshot may be handed out again (its views carry `asOf`). */
const SNAPSHOT_REUSE_MS = 1_000;
const snapshotCache = new WeakMap<LiveDeps, Map<string, { seq: number; names: number; at: number; snapshot: Snapshot }>>();
