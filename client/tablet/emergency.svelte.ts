/**
 * The community's emergency on the tablet: the incident the socket was told of (`incident:changed`,
 * on connecting and at each step), acknowledged once the banner shows it (`incident:ack`), and
 * the door-knock list of the worker's grids from the incident's board
 * (`GET /incidents/<id>/board?grid=…`), loaded again when the board changes or a record of the
 * worker's was received. Both are kept in IndexedDB per owner, so an offline start finds the
 * banner and the list. Claims, releases and knocks are outbox records (records.ts); the list
 * with them laid on top is emergency.ts.
 */
import { tick } from 'svelte';
import type { IncidentNews, PublicIncident } from '../../shared/emergency.ts';
import type { BoardAnswer, BoardGrid, BoardHousehold } from '../../shared/emergency-board.ts';
import type { ReportedStatus } from '../../shared/emergency-board-vocabulary.ts';
import { tablet } from './state.svelte.ts';
import { field } from './field.svelte.ts';
import { outbox } from './outbox/outbox.svelte.ts';
import { claimRecord, doneRecord, releaseRecord } from './records.ts';
import { doorsNow, type Door } from './emergency.ts';

export interface KeptBoard {
  incidentId: number;
  drill: boolean;
  grids: BoardGrid[];
  households: BoardHousehold[];
  /** When it was loaded (ISO). */
  at: string;
}

/** The largest list one grid's board answer holds (the route's most). */
const LIMIT = 2000;

class EmergencyState {
  /** The community's incident as last told (active, just ended, or none). */
  incident = $state.raw<PublicIncident | null>(null);
  board = $state.raw<KeptBoard | null>(null);
  /** The list shown is the kept copy (the last load failed). */
  kept = $state(false);
  /** The incident shown while it is active; null otherwise. */
  active = $derived(this.incident?.status === 'active' ? this.incident : null);
  /** The door-knock list now: the board as loaded with the worker's unsent records on top. */
  doors = $derived.by((): Door[] => {
    const a = this.active;
    const user = tablet.user;
    if (!a || !user || this.board?.incidentId !== a.id) return [];
    return doorsNow(a.id, this.board.households, outbox.mine, { username: user.username, displayName: user.displayName });
  });

  #owner: string | null = null;
  #soon: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    tablet.live.emergency = {
      incident: (n) => void this.#news(n),
      board: (c) => {
        if (c.incidentId !== this.active?.id) return;
        // Only a change to a door on this tablet's list (or to the whole board: no ids) is worth a
        // read: with many tablets and a knock every few seconds, reading on every change is a storm.
        const mine = this.board?.households;
        if (mine && c.householdIds.length && !c.householdIds.some((id) => mine.some((h) => h.householdId === id))) return;
        clearTimeout(this.#soon);
        this.#soon = setTimeout(() => void this.loadBoard(), 300);
      },
    };
    tablet.alsoRefresh(() => this.refresh());
  }

  /** Whoever holds the tablet now: their kept incident and list (once per person). */
  async #mine(): Promise<string | null> {
    const owner = tablet.user?.username ?? null;
    if (!owner || !tablet.store) return null;
    if (this.#owner !== owner) {
      this.#owner = owner;
      const incident = (await tablet.store.get<PublicIncident | null>(`incident:${owner}`)) ?? null;
      // News heard while the kept copy was being read wins.
      if (this.incident === null) this.incident = incident;
      this.board = (await tablet.store.get<KeptBoard>(`board:${owner}`)) ?? null;
      this.kept = this.board !== null;
    }
    return owner;
  }

  async #news(n: IncidentNews) {
    const owner = await this.#mine();
    this.incident = n.incident;
    if (owner) await tablet.store!.set(`incident:${owner}`, n.incident);
    if (!n.incident) return;
    // Acknowledged once the banner shows this version (or has gone, at the end).
    await tick();
    const { id, version } = n.incident;
    if (await tablet.live.ack(id, version)) document.body.dataset.incidentAcked = `${id}:${version}`;
    if (this.active) await this.loadBoard();
  }

  async refresh() {
    if (!(await this.#mine())) return;
    if (this.active) await this.loadBoard();
  }

  /** The board of the worker's affected grids (one request per grid), kept for offline. */
  async loadBoard() {
    const a = this.active;
    const owner = tablet.user?.username;
    if (!a || !owner || !tablet.store) return;
    const mine = field.gridIds.filter((g) => a.grids === 'all' || a.grids.includes(g));
    // Before the register names the worker's grids, the server's scope is theirs already.
    const asks = mine.length ? mine.map((grid) => ({ grid, limit: LIMIT })) : [{ limit: LIMIT }];
    try {
      const answers = await Promise.all(asks.map((q) => tablet.api.get<BoardAnswer>(`/incidents/${a.id}/board`, q)));
      if (tablet.user?.username !== owner || this.active?.id !== a.id) return;
      const fresh: KeptBoard = {
        incidentId: a.id, drill: answers[0]!.drill, grids: answers[0]!.grids.filter((g) => !mine.length || mine.includes(g.gridId)),
        households: answers.flatMap((x) => x.households), at: new Date().toISOString(),
      };
      this.board = fresh;
      this.kept = false;
      await tablet.store.set(`board:${owner}`, fresh);
    } catch {
      // offline, or the server said no: the kept copy stands
      this.kept = this.board !== null;
    }
  }

  claim(d: Door) {
    if (tablet.user) void outbox.add(claimRecord(tablet.user.username, d));
  }

  release(d: Door) {
    if (tablet.user) void outbox.add(releaseRecord(tablet.user.username, d));
  }

  async knock(d: Door, status: ReportedStatus, note: string) {
    if (tablet.user) await outbox.add(doneRecord(tablet.user.username, d, status, note, Date.now()));
  }
}

export const emergency = new EmergencyState();
