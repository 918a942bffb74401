/**
 * The tablet's socket: the signed-in worker's own messages, so a case dispatched to them, sent
 * back for rework or chased (催办, 督办) shows on the tablet without the worker pulling. It
 * subscribes to nothing — no community stream, which a tablet on a weak signal has no use for —
 * so the server sends it only the person's `notice` messages (their sockets share a room), the
 * community's emergency (`incident:changed`, also as it connects; the tablet answers
 * `incident:ack` once its banner shows that version) and notices that the incident's board
 * changed (`board:changed`: read it again). Every
 * notice and every (re)connection asks for the tasks again: a notice written while the tablet
 * was out of signal is caught on the way back in. The socket reconnects by itself (a server
 * restart); with no network (the browser's `offline`) it is closed, and opened on `online`.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol.ts';
import type { IncidentNews } from '../../shared/emergency.ts';
import type { BoardChanged } from '../../shared/emergency-board.ts';

/** Who hears the emergency's news (set once by the store that shows it: emergency.svelte.ts). */
export interface EmergencyListener {
  incident: (n: IncidentNews) => void;
  board: (c: BoardChanged) => void;
}

export class TabletLive {
  #socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  #who: string | null = null;
  /** The emergency's store; null until it listens. */
  emergency: EmergencyListener | null = null;

  /** Follow `username`'s messages (again for the same person: nothing); `changed` asks for the tasks. */
  start(username: string, changed: () => void) {
    if (this.#who === username && this.#socket) return;
    this.stop();
    this.#who = username;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket'], forceNew: true, reconnectionDelayMax: 10_000 });
    this.#socket = socket;
    // The page says whether it is listening (`data-live`): a test waits for it before it sends.
    socket.on('connect', () => ((document.body.dataset.live = 'on'), changed()));
    socket.on('disconnect', () => (document.body.dataset.live = 'off'));
    socket.on('notice', changed);
    socket.on('incident:changed', (n) => this.emergency?.incident(n));
    socket.on('board:changed', (c) => this.emergency?.board(c));

    // No network: no attempts (each would fail, and say so in the console); back online, at once.
    if (!navigator.onLine) socket.disconnect();
    addEventListener('offline', this.#offline);
    addEventListener('online', this.#online);
  }

  /** Say this tablet shows `version` of incident `id`: true when the server took it (false offline or refused). */
  ack(id: number, version: number): Promise<boolean> {
    const socket = this.#socket;
    if (!socket?.connected) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      socket.emit('incident:ack', { id, version }, (r) => (clearTimeout(timer), resolve(r.ok)));
    });
  }

  stop() {
    removeEventListener('offline', this.#offline);
    removeEventListener('online', this.#online);
    this.#socket?.disconnect();
    this.#socket = null;
    this.#who = null;
  }

  readonly #offline = () => this.#socket?.disconnect();
  readonly #online = () => this.#socket?.connect();
}
