/**
 * Emergency mode on the live sockets. Every socket of a community but a volunteer's phone (its
 * walls, its staff's consoles and tablets) joins the community's incident room as it connects
 * and is told the community's incident at once (`incident:changed`: the active one, or null),
 * so a wall that connects or reconnects mid-incident starts in the emergency layout, and one
 * that missed the end leaves it. After commit, each step (declared, updated, ended) goes to the
 * room straight away, not with the next batch: one message, projected once, the same for every
 * audience (an incident's public part holds no names).
 *
 * A wall answers with `incident:ack` once it shows a version; the service keeps the last per
 * display, and the community's consoles hear `incident:acked` so the incident page's list of
 * screens not yet flipped moves.
 */
import { incidentAck, type IncidentNews } from '../../shared/emergency.ts';
import { isoInZone } from '../../shared/time.ts';
import { zodIssues } from '../errors.ts';
import type { IncidentChange, IncidentService } from '../emergency/incidents.ts';
import type { ViewContext } from '../events/record.ts';
import { rooms } from '../auth/live.ts';
import type { LiveServer, LiveSocket } from './socket.ts';

export interface IncidentLiveDeps {
  io: LiveServer;
  incidents: IncidentService;
  viewContext: (communityId: string) => ViewContext;
}

/** The room of every wall, console and tablet of a community: incidents reach them all. */
export const incidentRoom = (communityId: string) => `incident:${communityId}`;

export function incidentLive({ io, incidents, viewContext }: IncidentLiveDeps) {
  const news = (communityId: string, incident: Parameters<IncidentService['publicOf']>[0] | null, step?: IncidentNews['step']): IncidentNews => ({
    ...(step ? { step } : {}),
    incident: incident ? incidents.publicOf(incident, viewContext(communityId).names?.()) : null,
  });

  return {
    /** Committed steps, in seq order: each to its community's room. */
    publish(steps: readonly IncidentChange[]) {
      for (const s of steps) io.to(incidentRoom(s.communityId)).emit('incident:changed', news(s.communityId, s.incident, s.step));
    },

    /** A socket connected: join its community's room, hear the current incident, and answer its acknowledgements. */
    connected(socket: LiveSocket) {
      const { principal, credential } = socket.data;
      const communityId = principal.communityId;
      const told = principal.role !== 'volunteer';
      if (told) {
        void socket.join(incidentRoom(communityId));
        socket.emit('incident:changed', news(communityId, incidents.active(communityId)));
      }
      socket.on('incident:ack', (req, ack) => {
        const answer = typeof ack === 'function' ? ack : () => {};
        if (!told) return answer({ ok: false, error: 'error.forbidden' });
        const parsed = incidentAck.safeParse(req);
        if (!parsed.success) return answer({ ok: false, error: 'error.validation', issues: zodIssues(parsed.error) });
        // A person's tablet or console may acknowledge too; only walls are counted as screens.
        if (credential.kind !== 'display') return answer({ ok: true });
        const kept = incidents.acknowledge(credential.display.id, communityId, parsed.data);
        if (!kept) return answer({ ok: false, error: 'error.not_found' });
        answer({ ok: true });
        const last = incidents.acks.last(credential.display.id)!;
        io.to(rooms.community(communityId)).emit('incident:acked', {
          id: last.incidentId, version: last.version, displayId: credential.display.id, at: isoInZone(last.at, viewContext(communityId).timeZone),
        });
      });
    },
  };
}
