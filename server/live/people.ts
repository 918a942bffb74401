/**
 * An incident's people and places on the live sockets, after commit, each incident once per
 * commit group:
 *
 *   - `people:counts` (shared/emergency-people.ts PublicPeople) to the incident room, every
 *     wall, console and tablet: volunteers mobilised and on duty, each shelter's occupancy
 *     against its capacity, the supplies running low. Counts, never a name.
 *   - `people:changed` { incidentId } to the community's signed-in staff: a notice, not the
 *     data; the resources page reads again (`GET /incidents/:id/people`, `/shelters`).
 *
 * A volunteer's phone hears its own call-outs through its live line (`/me/live`, `tell`). A
 * change outside any incident (a standing shelter with no incident active) tells the staff only.
 */
import type { PeopleChange, PeopleService } from '../emergency/people.ts';
import { rooms } from '../auth/live.ts';
import { incidentRoom } from './incidents.ts';
import type { LiveServer, LiveSocket } from './socket.ts';
import type { IncidentService } from '../emergency/incidents.ts';

export interface PeopleLiveDeps {
  io: LiveServer;
  people: PeopleService;
  incidents: Pick<IncidentService, 'active'>;
  /** Tell a volunteer's phone its call-outs changed (MeLive.tell). */
  tell: (volunteerId: number, seq: number) => void;
}

export function peopleLive({ io, people, incidents, tell }: PeopleLiveDeps) {
  return {
    /** A socket connected (after the incident and the board's counts): the active incident's people counts, if any. */
    connected(socket: LiveSocket) {
      const { principal } = socket.data;
      if (principal.role === 'volunteer') return;
      const active = incidents.active(principal.communityId);
      const counts = active && people.publicCounts(principal.communityId, active.id);
      if (counts) socket.emit('people:counts', counts);
    },

    publish(changes: readonly PeopleChange[]) {
      const incidents = new Map<string, { communityId: string; incidentId: number | null }>();
      const phones = new Map<number, number>();
      for (const ch of changes) {
        incidents.set(`${ch.communityId}:${ch.incidentId}`, { communityId: ch.communityId, incidentId: ch.incidentId });
        for (const v of ch.volunteerIds) phones.set(v, Math.max(phones.get(v) ?? 0, ch.seq));
      }
      for (const { communityId, incidentId } of incidents.values()) {
        io.to(rooms.community(communityId)).emit('people:changed', { incidentId });
        const counts = incidentId === null ? null : people.publicCounts(communityId, incidentId);
        if (counts) io.to(incidentRoom(communityId)).emit('people:counts', counts);
      }
      for (const [v, seq] of phones) tell(v, seq);
    },
  };
}
