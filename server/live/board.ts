/**
 * The accounted-for board on the live sockets, kept small: after commit, each incident whose
 * board changed is announced twice.
 *
 *   - `board:changed` { incidentId, householdIds } to the community's signed-in staff
 *     (consoles and tablets; not a volunteer's phone, not a wall): a notice, not the data. A
 *     surface showing the board reads it again (`GET /incidents/:id/board`), as its person's
 *     rights allow; `householdIds` is empty when the whole board changed.
 *   - `board:counts` (shared/emergency-board.ts PublicBoard) to the incident room, every wall,
 *     console and tablet: per grid, counts guarded by the small-numbers rule, never a name,
 *     a phone or a house number.
 *
 * The incident's own news (`incident:changed`, and what a socket hears as it connects) is
 * server/live/incidents.ts's. A socket told the incident as it connects (every one but a
 * volunteer's phone) hears the active incident's counts right after it, so a wall that connects
 * mid-incident shows them at once rather than at the next change.
 */
import type { BoardChange, BoardService } from '../emergency/board.ts';
import type { IncidentService } from '../emergency/incidents.ts';
import { NOTICE_IDS } from '../emergency/board.ts';
import { rooms } from '../auth/live.ts';
import { incidentRoom } from './incidents.ts';
import type { LiveServer, LiveSocket } from './socket.ts';

export interface BoardLiveDeps {
  io: LiveServer;
  board: BoardService;
  incidents: Pick<IncidentService, 'active'>;
}

export function boardLive({ io, board, incidents }: BoardLiveDeps) {
  return {
    /** A socket connected (after server/live/incidents.ts told it the incident): the active incident's counts, if any. */
    connected(socket: LiveSocket) {
      const { principal } = socket.data;
      if (principal.role === 'volunteer') return;
      const active = incidents.active(principal.communityId);
      const counts = active && board.publicCounts(principal.communityId, active.id);
      if (counts) socket.emit('board:counts', counts);
    },

    /** One commit group's board changes: merged per incident, each incident announced once. */
    publish(changes: readonly BoardChange[]) {
      const by = new Map<number, { communityId: string; ids: Set<number>; whole: boolean }>();
      for (const ch of changes) {
        const seen = by.get(ch.incidentId) ?? { communityId: ch.communityId, ids: new Set<number>(), whole: false };
        if (!ch.householdIds.length) seen.whole = true;
        for (const id of ch.householdIds) seen.ids.add(id);
        by.set(ch.incidentId, seen);
      }
      for (const [incidentId, { communityId, ids, whole }] of by) {
        const householdIds = whole || ids.size > NOTICE_IDS ? [] : [...ids];
        io.to(rooms.community(communityId)).emit('board:changed', { incidentId, householdIds });
        const counts = board.publicCounts(communityId, incidentId);
        if (counts) io.to(incidentRoom(communityId)).emit('board:counts', counts);
      }
    },
  };
}
