/**
 * The outbox as the page sees it: every record kept on this tablet (IndexedDB, store.ts), the
 * signed-in owner's sent one at a time in order (sender.ts, by the rules of machine.ts), drained
 * in the foreground only — on start, when the network comes back, when the page is shown again
 * and on a timer; never Background Sync (absent on iPad Safari). Other people's records stay
 * untouched until they log in on this tablet.
 */
import { Sender } from './sender.ts';
import { TabletStore } from './store.ts';
import { inOrder, isUnsent, mayForget, nextToSend, recovered, waitingSummary, type OutboxEntry } from './machine.ts';

const TICK_MS = 15_000;

export interface OutboxDeps {
  csrf: () => string | null;
  /** Make sure the session's CSRF token is held; false when there is no session (or no network). */
  ensureSession: () => Promise<boolean>;
  /** Fetch the session's CSRF token afresh (the one held was refused); false when there is none to be had now. */
  refreshSession: () => Promise<boolean>;
  /** A record met a 401: the owner's session ended. */
  onUnauthenticated: () => void;
  /** Records were received (tasks may have changed). */
  onReceived: () => void;
}

class Outbox {
  entries = $state.raw<OutboxEntry[]>([]);
  /** The signed-in person whose records may be sent now (null: nobody's). */
  owner = $state<string | null>(null);
  draining = $state(false);
  ready = $state(false);

  /** This owner's records, oldest first. */
  mine = $derived(inOrder(this.entries.filter((e) => e.owner === this.owner)));
  waiting = $derived(waitingSummary(this.entries, this.owner ?? ''));
  /** Unsent records of people other than the owner. */
  others = $derived(this.entries.filter((e) => e.owner !== this.owner && isUnsent(e)).length);

  #store: TabletStore | null = null;
  #sender: Sender | null = null;
  #deps: OutboxDeps | null = null;
  #wake: ReturnType<typeof setTimeout> | undefined;
  #again = false;

  async start(store: TabletStore, deps: OutboxDeps) {
    this.#store = store;
    this.#deps = deps;
    this.#sender = new Sender({
      csrf: deps.csrf,
      refreshCsrf: deps.refreshSession,
      save: (e) => this.#save(e),
      now: Date.now,
    });
    // A page closed mid-send left a record `sending`: it is saved again, to go with its same key.
    const kept = await store.entries();
    for (const e of kept) if (e.state === 'sending') await store.put(recovered(e));
    const now = Date.now();
    for (const e of kept) if (mayForget(e, now, false)) await store.delete(e.id);
    this.entries = (await store.entries()).map(recovered);
    this.ready = true;
    addEventListener('online', () => void this.drain());
    document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void this.drain());
    setInterval(() => void this.drain(), TICK_MS);
  }

  unsentOf(owner: string): number {
    return this.entries.filter((e) => e.owner === owner && isUnsent(e)).length;
  }

  /** Keep a new record (before anything is sent), then try to send. */
  async add(e: OutboxEntry) {
    await this.#save(e);
    void this.drain();
  }

  /** Forget the owner's received records (only received ones ever leave). */
  async clearReceived() {
    const now = Date.now();
    for (const e of this.mine) if (mayForget(e, now, true)) await this.#store!.delete(e.id);
    this.entries = await this.#store!.entries();
  }

  /** Send now what waits, whatever its backoff (the worker pressed 立即发送). */
  async sendNow() {
    for (const e of this.mine) if (e.state === 'saved' && e.nextTryAt > Date.now()) await this.#save({ ...e, nextTryAt: 0 });
    await this.drain();
  }

  /** Send the owner's records in order, one at a time, until one must wait. */
  async drain(): Promise<void> {
    if (!this.ready || !this.owner) return;
    if (this.draining) {
      this.#again = true;
      return;
    }
    this.draining = true;
    clearTimeout(this.#wake);
    let received = false;
    try {
      const owner = this.owner;
      if (!nextToSend(this.entries, owner, Date.now())) return;
      if (!(await this.#deps!.ensureSession())) return;
      for (;;) {
        if (this.owner !== owner) break;
        const next = nextToSend(this.entries, owner, Date.now());
        if (!next) break;
        if ('wait' in next) {
          this.#wake = setTimeout(() => void this.drain(), next.wait);
          break;
        }
        const after = await this.#sender!.send(next.entry, this.entries.filter((e) => e.owner === owner));
        if (after.state === 'received') received = true;
        if (after.state === 'saved') {
          if (after.lastTrouble === 'error.unauthenticated') this.#deps!.onUnauthenticated();
          else this.#wake = setTimeout(() => void this.drain(), Math.max(0, after.nextTryAt - Date.now()));
          break;
        }
      }
    } finally {
      this.draining = false;
      if (received) this.#deps!.onReceived();
      if (this.#again) {
        this.#again = false;
        void this.drain();
      }
    }
  }

  async #save(e: OutboxEntry) {
    await this.#store!.put(e);
    const i = this.entries.findIndex((o) => o.id === e.id);
    this.entries = i < 0 ? [...this.entries, e] : this.entries.map((o, j) => (j === i ? e : o));
  }
}

export const outbox = new Outbox();
