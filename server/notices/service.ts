/**
 * The notice centre: who is told of a case's change, written in the change's own transaction
 * (the events' store calls `record` as it journals the change, so a write that rolls back, a
 * refused transition included, leaves no notice, and one that commits leaves exactly one per
 * person), and a person's own notices: listed newest first, marked read one at a time or all.
 * After commit, `publish` (a subscriber of the commit feed) sends each new notice to its
 * person's sockets.
 */
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { EventChange } from '../events/store.ts';
import type { EventRecord } from '../events/record.ts';
import { authorise } from '../kernel/rules.ts';
import { notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { runningDeadline } from '../../shared/lifecycle.ts';
import type { Notice, NoticeAlert, NoticeKind, NoticesRead } from '../../shared/protocol.ts';
import type { ListNoticesQuery } from '../../shared/notices.ts';
import { OWN } from './access.ts';
import { NoticeStore } from './store.ts';
import { viewNotice, type WrittenNotice } from './record.ts';

/** Who hears of a change: the case's assignee, the centre, or the person whose request was decided. */
export type Audience = 'assignee' | 'centre' | 'requester';

/** The people on the move now: the assignee while the case is in their hands, the centre otherwise. */
const WITH_ASSIGNEE = new Set<EventRecord['status']>(['dispatched', 'in_progress']);

/**
 * What a change tells whom, as data: a case dispatched to a worker, returned to them for rework
 * (退回) or sent back to the centre (回退), a reminder (催办) to whoever must move next,
 * supervision (督办) to the assignee and the centre, and a decision on a request to who asked.
 */
export function noticesFor(change: Pick<EventChange, 'type' | 'action' | 'after'>): { kind: NoticeKind; to: Audience[] } | null {
  const { after } = change;
  const assigned = after.assigneeId !== null && WITH_ASSIGNEE.has(after.status);
  if (change.type === 'event.reminded') return { kind: 'reminded', to: [assigned ? 'assignee' : 'centre'] };
  if (change.type === 'event.overdue') return { kind: 'overdue', to: assigned ? ['assignee', 'centre'] : ['centre'] };
  if (change.type !== 'event.transitioned') return null;
  switch (change.action) {
    case 'dispatch': return { kind: 'dispatched', to: ['assignee'] };
    case 'return': return { kind: 'returned', to: ['assignee'] };
    case 'send_back': return { kind: 'sent_back', to: ['centre'] };
    case 'approve_extension': return { kind: 'extension_approved', to: ['requester'] };
    case 'deny_extension': return { kind: 'extension_denied', to: ['requester'] };
    case 'approve_shelve': return { kind: 'shelve_approved', to: ['requester'] };
    case 'deny_shelve': return { kind: 'shelve_denied', to: ['requester'] };
    // The centre chasing the case in someone's hands (催办, 督办).
    case 'urge': return { kind: 'urged', to: ['assignee'] };
    case 'supervise': return { kind: 'supervised', to: ['assignee'] };
    default: return null;
  }
}

/** How notices reach sockets: a person's sockets share a room (server/auth/live.ts `rooms.user`). */
export interface NoticeSockets {
  notice(userId: number, alert: NoticeAlert): void;
  read(userId: number, read: NoticesRead): void;
}

const noSockets: NoticeSockets = { notice() {}, read() {} };

export interface NoticeServiceDeps {
  db: Db;
  queue: WriteQueue<EventChange>;
  directory: Directory;
  now: () => number;
}

export class NoticeService {
  #store: NoticeStore;
  #queue: WriteQueue<EventChange>;
  #dir: Directory;
  #now: () => number;
  /** The sockets, once attached (server/app.ts). */
  live: NoticeSockets = noSockets;

  constructor(deps: NoticeServiceDeps) {
    this.#store = new NoticeStore(deps.db);
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
  }

  // ---- in the change's transaction ---------------------------------------------------------

  /**
   * Write the notices `change` causes, in the transaction that records it (called by the events'
   * store before the change is emitted); they ride on the change to `publish`.
   */
  record(change: EventChange): void {
    const rule = noticesFor(change);
    if (!rule) return;
    const { before, after } = change;
    const community = after.communityId;
    const users = new Set<number>();
    for (const to of rule.to) {
      if (to === 'assignee' && after.assigneeId) for (const u of this.#store.workerAccounts(community, after.assigneeId)) users.add(u);
      if (to === 'centre') for (const u of this.#store.centreOf(community, after.id)) users.add(u);
      if (to === 'requester' && before?.pending) {
        const u = this.#store.userId(before.pending.by, community);
        if (u !== null) users.add(u);
      }
    }
    if (!users.size) return;
    // A person is not told of what they did themselves (an admin deciding their own request).
    const step = change.type === 'event.transitioned' ? this.#store.lastStep(after.id) : null;
    const actor = step?.actor ?? null;
    if (actor !== null) {
      const self = this.#store.userId(actor, community);
      if (self !== null) users.delete(self);
    }
    if (!users.size) return;
    const timed = change.type !== 'event.transitioned' && before !== null;
    const data = {
      code: after.code, title: after.title,
      byName: actor === null ? null : this.#store.displayName(actor),
      hours: rule.kind === 'extension_approved' ? before?.pending?.hours ?? null : null,
      dueAt: timed ? runningDeadline(before) : null,
      // What the centre or the worker wrote with the step (a 催办's request, why a fix was returned).
      note: step?.note ?? null,
    };
    const tz = this.#dir.timeZoneOf(community);
    const written: WrittenNotice[] = [];
    for (const userId of users) {
      const row = this.#store.insert(community, userId, rule.kind, after.id, change.at, data);
      written.push({ userId, notice: viewNotice(row, tz) });
    }
    (change.notices ??= []).push(...written);
  }

  // ---- after commit ------------------------------------------------------------------------

  /** Send committed changes' notices to their people's sockets, with each one's unread count. */
  publish(changes: readonly EventChange[]): void {
    for (const change of changes) {
      for (const { userId, notice } of change.notices ?? []) this.live.notice(userId, { notice, unread: this.#store.unread(userId) });
    }
  }

  // ---- the person's own --------------------------------------------------------------------

  /** The asker's notices, newest first; the cursor is the id of the last notice of the previous page. */
  list(p: Principal, q: ListNoticesQuery): Page<Notice> & { unread: number } {
    const userId = this.#me(p);
    const rows = this.#store.page(userId, q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER, q.limit + 1, q.unread ?? false);
    const tz = this.#dir.timeZoneOf(p.communityId);
    return { ...pageOf(rows.map((r) => viewNotice(r, tz)), q.limit), unread: this.#store.unread(userId) };
  }

  /** Mark one of the asker's notices read (again is no change); another person's is a 404. */
  async read(p: Principal, id: number): Promise<{ unread: number }> {
    const userId = this.#me(p);
    const unread = await this.#queue.run(() => {
      if (!this.#store.byId(id, userId)) throw notFound(`notice ${id}`);
      this.#store.markRead(id, userId, this.#now());
      return this.#store.unread(userId);
    });
    this.live.read(userId, { ids: [id], unread });
    return { unread };
  }

  /** Mark every notice of the asker's read. */
  async readAll(p: Principal): Promise<{ unread: number }> {
    const userId = this.#me(p);
    await this.#queue.run(() => this.#store.markAllRead(userId, this.#now()));
    this.live.read(userId, { ids: 'all', unread: 0 });
    return { unread: 0 };
  }

  /** The asker's account: notices are a person's (not a display's, a key's or the system's). */
  #me(p: Principal): number {
    authorise(p, OWN, 'read notices');
    const id = this.#store.userId(p.id, p.communityId);
    if (id === null) throw notFound(`account ${p.id}`);
    return id;
  }
}
