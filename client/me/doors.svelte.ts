/**
 * The door-knock list on a mobilised volunteer's phone (`/me/doors`): the incident of the
 * call-out they accepted, its board as the server lets them see it (the grids of their accepted
 * call-outs, addresses and statuses, no residents: server/emergency/board.ts), and their
 * claims, releases and results kept until answered (doors.ts), sent one after another whenever
 * the page's store sends its check-ins (on the network's return, on being shown again, every
 * 15 s while any waits). The board is read again after each answered write, when the call-outs
 * change, when the page is shown again and every 30 s while the list is open and seen.
 */
import { ApiError, newIdempotencyKey } from '../lib/api.ts';
import type { BoardAnswer } from '../../shared/emergency-board.ts';
import type { ReportedStatus } from '../../shared/emergency-board-vocabulary.ts';
import { me, TRANSIENT } from './state.svelte.ts';
import { answerDoorWrite, doorRequest, doorsNow, keepDoorWrite, keptDoorWrites, type Door, type DoorWrite } from './doors.ts';

/** Others' claims and results are read again this often while the list is open (no socket on the phone). */
const READ_EVERY_MS = 30_000;
/** The largest list the route gives. */
const LIMIT = 2000;

class DoorsState {
  board = $state.raw<BoardAnswer | null>(null);
  writes = $state.raw<DoorWrite[]>(keptDoorWrites());
  /** The last read failed: the list is the one read before. */
  stale = $state(false);
  /** The accepted call-out whose incident the list is of (the newest). */
  callout = $derived(me.callouts.find((c) => c.answer === 'accepted') ?? null);
  /** The list now: the board with the volunteer's unanswered writes on top. */
  doors = $derived.by((): Door[] => {
    const user = me.user;
    const c = this.callout;
    if (!user || !c || this.board?.incidentId !== c.incidentId) return [];
    return doorsNow(c.incidentId, this.board.households, this.writes, user);
  });
  /** Writes of the signed-in volunteer that wait for an answer: "待发送 N". */
  waiting = $derived(this.writes.filter((w) => w.state === 'pending' && w.owner === me.user?.username).length);

  #sending = false;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    me.also({ flush: () => this.flush(), refresh: () => this.load() });
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void this.load());
    }
  }

  /** Read the board of the accepted call-out's incident, while the list is the screen shown. */
  async load() {
    if (me.screen !== 'doors' || me.status !== 'signed-in') return;
    this.#timer ??= setInterval(() => document.visibilityState === 'visible' && void this.load(), READ_EVERY_MS);
    const c = this.callout;
    if (!c) {
      this.board = null;
      return;
    }
    try {
      const board = await me.api.get<BoardAnswer>(`/incidents/${c.incidentId}/board`, { limit: LIMIT });
      if (this.callout?.incidentId === c.incidentId) this.board = board;
      this.stale = false;
    } catch {
      // offline, or the server said no: the list read before stands
      this.stale = this.board !== null;
    }
  }

  claim(d: Door) {
    this.#keep(d, 'claim');
  }

  release(d: Door) {
    this.#keep(d, 'release');
  }

  /** What was found at the door, with a note: kept at once, then sent. */
  knock(d: Door, status: ReportedStatus, note: string) {
    this.#keep(d, 'done', { status, note: note.trim(), expectedVersion: d.version });
  }

  #keep(d: Door, kind: DoorWrite['kind'], result: Pick<DoorWrite, 'status' | 'note' | 'expectedVersion'> = {}) {
    const user = me.user;
    const incidentId = this.board?.incidentId;
    if (!user || incidentId === undefined) return;
    keepDoorWrite({ key: newIdempotencyKey(), owner: user.username, incidentId, householdId: d.householdId, kind, at: new Date().toISOString(), ...result });
    this.writes = keptDoorWrites();
    void this.flush();
  }

  /**
   * Send the volunteer's waiting writes, oldest first, each with its own key. A network failure
   * (or a busy server) stops the round with the rest kept in order; a refusal is kept with its
   * reason, shown on the door. The board is read again once anything was answered.
   */
  async flush() {
    const owner = me.user?.username;
    if (this.#sending || !owner || me.status !== 'signed-in') return;
    this.#sending = true;
    let answered = 0;
    try {
      for (const w of keptDoorWrites().filter((k) => k.state === 'pending' && k.owner === owner)) {
        const { path, body } = doorRequest(w);
        try {
          await me.api.post(path, body, { idempotencyKey: w.key });
          answerDoorWrite(w.key, null);
        } catch (e) {
          if (!(e instanceof ApiError) || TRANSIENT(e)) break;
          answerDoorWrite(w.key, { code: e.code, message: e.message, details: { ...e.details } });
        }
        answered++;
        this.writes = keptDoorWrites();
      }
    } finally {
      this.#sending = false;
      this.writes = keptDoorWrites();
    }
    if (answered) await this.load();
  }
}

export const doors = new DoorsState();
