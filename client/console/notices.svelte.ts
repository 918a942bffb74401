/**
 * The notice centre's state: the signed-in person's notices (newest first), how many are unread,
 * and the socket that brings new ones. It opens a socket of its own rather than the desk's
 * (desk.svelte.ts): the desk's socket lives only while a desk page is open and follows the
 * community's whole event stream, while notices must arrive on every page from sign-in to
 * sign-out. This socket subscribes to nothing, so the server sends it no batches: only the
 * person's `notice` and `notice:read` messages (their sockets share a room, server/auth/live.ts),
 * and the community's `desk:changed` notes for the five subjects' desks (changes.svelte.ts).
 * On every (re)connection it asks for the list again, so a notice written while it was away is
 * counted.
 */
import { io, type Socket } from 'socket.io-client';
import { peopleNews } from './people.svelte.ts';
import type { ClientToServerEvents, Notice, ServerToClientEvents } from '../../shared/protocol.ts';
import { session } from './session.svelte.ts';
import { changes } from './changes.svelte.ts';
import { incident } from './incident.svelte.ts';

/** How many notices the panel shows. */
export const NOTICE_PAGE = 20;

class Notices {
  /** Newest first; the first page. */
  items = $state.raw<Notice[]>([]);
  unread = $state(0);
  /** The list has been read once since sign-in. */
  loaded = $state(false);

  #socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  #user: number | null = null;

  /** Follow the signed-in person's notices (calling again for the same person does nothing). */
  start(userId: number) {
    if (this.#user === userId && this.#socket) return;
    this.stop();
    this.#user = userId;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket'], forceNew: true, reconnectionDelayMax: 10_000 });
    this.#socket = socket;
    socket.on('connect', () => void this.load());
    socket.on('notice', ({ notice, unread }) => {
      this.items = [notice, ...this.items.filter((n) => n.id !== notice.id)].slice(0, NOTICE_PAGE);
      this.unread = unread;
    });
    // The five subjects' change notes ride on this socket too: it is open on every page.
    socket.on('desk:changed', (note) => changes.heard(note));
    // And emergency mode (incident.svelte.ts): the community's incident, and walls acknowledging it.
    socket.on('incident:changed', (news) => incident.heard(news));
    socket.on('incident:acked', (a) => incident.acked(a));
    socket.on('board:changed', (c) => incident.boardChanged(c));
    socket.on('people:changed', () => peopleNews.seen++);
    socket.on('notice:read', ({ ids, unread }) => {
      this.#markedRead(ids);
      this.unread = unread;
    });
  }

  stop() {
    this.#socket?.disconnect();
    this.#socket = null;
    this.#user = null;
    this.items = [];
    this.unread = 0;
    this.loaded = false;
  }

  /** Read the first page and the unread count. */
  async load(): Promise<void> {
    try {
      const page = await session.api.get<{ items: Notice[]; unread: number }>('/notices', { limit: NOTICE_PAGE });
      this.items = page.items;
      this.unread = page.unread;
      this.loaded = true;
    } catch {
      // offline or signed out: the badge keeps what it had; the next connection asks again
    }
  }

  async markRead(id: number): Promise<void> {
    if (!this.items.some((n) => n.id === id && n.readAt === null)) return;
    this.#markedRead([id]);
    this.unread = Math.max(0, this.unread - 1);
    const r = await session.api.post<{ unread: number }>(`/notices/${id}/read`);
    this.unread = r.unread;
  }

  async markAllRead(): Promise<void> {
    this.#markedRead('all');
    this.unread = 0;
    await session.api.post<{ unread: number }>('/notices/read-all');
  }

  #markedRead(ids: number[] | 'all') {
    const now = new Date().toISOString();
    this.items = this.items.map((n) => (n.readAt === null && (ids === 'all' || ids.includes(n.id)) ? { ...n, readAt: now } : n));
  }
}

export const notices = new Notices();
