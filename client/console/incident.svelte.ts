/**
 * The community's emergency as the console shows it: the incident bar above every page and the
 * incident page. The console's always-open socket (notices.svelte.ts) brings `incident:changed`
 * as it connects and at each step, and `incident:acked` when a wall acknowledges; the incident
 * page follows the acknowledgements to refresh its list of screens not yet flipped. The same
 * socket brings `board:changed` when an incident's accounted-for board moves; the board page
 * follows it and reads the board again.
 */
import type { IncidentAcked, IncidentNews, PublicIncident } from '../../shared/emergency.ts';
import type { BoardChanged } from '../../shared/emergency-board.ts';

class ConsoleIncident {
  /** The active incident, or the one that just ended (status 'ended'); null when none. */
  current = $state.raw<PublicIncident | null>(null);
  /** Bumped at each step and each acknowledgement: a page that shows them asks again. */
  seen = $state(0);
  #acked = new Set<(a: IncidentAcked) => void>();
  #board = new Set<(c: BoardChanged) => void>();

  /** Emergency mode: an incident is active. */
  get active(): PublicIncident | null {
    return this.current?.status === 'active' ? this.current : null;
  }

  heard(news: IncidentNews): void {
    this.current = news.incident;
    this.seen++;
  }

  acked(a: IncidentAcked): void {
    for (const fn of this.#acked) fn(a);
  }

  boardChanged(c: BoardChanged): void {
    for (const fn of this.#board) fn(c);
  }

  /** Call `fn` when an incident's board changes; the returned function stops it. */
  followBoard(fn: (c: BoardChanged) => void): () => void {
    this.#board.add(fn);
    return () => this.#board.delete(fn);
  }

  /** Call `fn` at each wall's acknowledgement; the returned function stops it. */
  followAcks(fn: (a: IncidentAcked) => void): () => void {
    this.#acked.add(fn);
    return () => this.#acked.delete(fn);
  }
}

export const incident = new ConsoleIncident();
