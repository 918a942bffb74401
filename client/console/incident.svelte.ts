/**
 * The community's emergency as the console shows it: the incident bar above every page and the
 * incident page. The console's always-open socket (notices.svelte.ts) brings `incident:changed`
 * as it connects and at each step, and `incident:acked` when a wall acknowledges; the incident
 * page follows the acknowledgements to refresh its list of screens not yet flipped.
 */
import type { IncidentAcked, IncidentNews, PublicIncident } from '../../shared/emergency.ts';

class ConsoleIncident {
  /** The active incident, or the one that just ended (status 'ended'); null when none. */
  current = $state.raw<PublicIncident | null>(null);
  /** Bumped at each step and each acknowledgement: a page that shows them asks again. */
  seen = $state(0);
  #acked = new Set<(a: IncidentAcked) => void>();

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

  /** Call `fn` at each wall's acknowledgement; the returned function stops it. */
  followAcks(fn: (a: IncidentAcked) => void): () => void {
    this.#acked.add(fn);
    return () => this.#acked.delete(fn);
  }
}

export const incident = new ConsoleIncident();
