/**
 * The socket.io side of the live protocol: principal at the handshake, `subscribe` answered
 * with a replay since the client's seq or a snapshot, then batches from the broadcaster.
 */
import type { Server, Socket } from 'socket.io';
import { subscribeRequest } from '../../shared/schemas.ts';
import type { ClientToServerEvents, ServerToClientEvents, Snapshot, SubscribeResult } from '../../shared/protocol.ts';
import { maskName } from '../../shared/mask.ts';
import { zodIssues } from '../errors.ts';
import { audienceOf, type Principal } from '../principal.ts';
import type { Directory } from '../community.ts';
import type { Journal } from '../journal.ts';
import { projectEvent, type ViewContext } from '../events/record.ts';
import type { ReadModel } from './read-model.ts';
import { roomOf, toEntry, type Broadcaster, type Fanout } from './broadcaster.ts';

export interface SocketData {
  principal: Principal;
  room?: string;
}

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Displays this far behind get a snapshot rather than a replay. */
export const REPLAY_LIMIT = 2_000;

export interface LiveDeps {
  io: LiveServer;
  dbId: string;
  directory: Directory;
  model: ReadModel;
  journal: Journal;
  broadcaster: Broadcaster;
  viewContext: (communityId: string) => ViewContext;
  resolvePrincipal: (handshake: LiveSocket['handshake']) => Principal | null;
  onError: (error: unknown) => void;
  now: () => number;
}

export function socketFanout(io: LiveServer): Fanout {
  return {
    emit: (room: string, event: 'batch' | 'heartbeat', payload: any) => void io.to(room).emit(event, payload),
    size: (room: string) => io.sockets.adapter.rooms.get(room)?.size ?? 0,
  };
}

export function attachLive(deps: LiveDeps) {
  const { io } = deps;
  io.use((socket, next) => {
    const principal = deps.resolvePrincipal(socket.handshake);
    if (!principal) return next(new Error('unauthorized'));
    socket.data.principal = principal;
    next();
  });
  io.on('connection', (socket) => {
    socket.on('subscribe', (req, ack) => {
      if (typeof ack !== 'function') return;
      try {
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

function subscribe(deps: LiveDeps, socket: LiveSocket, req: unknown): SubscribeResult {
  const parsed = subscribeRequest.safeParse(req);
  if (!parsed.success) return { ok: false, error: 'error.validation', issues: zodIssues(parsed.error) };
  const principal = socket.data.principal;
  const communityId = parsed.data.community ?? principal.communityId;
  if (communityId !== principal.communityId || !deps.directory.communities.has(communityId)) {
    return { ok: false, error: 'error.not_found', issues: [{ field: 'community', problem: `no community ${communityId} for you` }] };
  }
  const audience = audienceOf(principal);
  const room = roomOf(communityId, audience);
  if (socket.data.room && socket.data.room !== room) void socket.leave(socket.data.room);
  void socket.join(room);
  socket.data.room = room;

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
  const key = `${communityId}:${audience}`;
  const cached = snapshotCache.get(deps)?.get(key);
  if (cached && cached.seq === head && now - cached.at < SNAPSHOT_REUSE_MS) {
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
    events: deps.model.currentEvents(communityId).map((e) => projectEvent(e, audience, ctx)),
    recent: deps.model.recent(communityId).map((ch) => toEntry(ch, audience, ctx)),
  };
  let perServer = snapshotCache.get(deps);
  if (!perServer) snapshotCache.set(deps, (perServer = new Map()));
  perServer.set(key, { seq: head, at: now, snapshot });
  return { ok: true, mode: 'snapshot', snapshot };
}

/** How long an unchanged snapshot may be handed out again (its views carry `asOf`). */
const SNAPSHOT_REUSE_MS = 1_000;
const snapshotCache = new WeakMap<LiveDeps, Map<string, { seq: number; at: number; snapshot: Snapshot }>>();
