/**
 * Which screens show an incident: each wall acknowledges the incident version it shows
 * (`incident:ack`, after its emergency layout rendered, or its playlist came back after the
 * end); this keeps the last acknowledgement of each display, in memory. A restart forgets
 * them, and every wall acknowledges again as it reconnects and is told the current incident.
 */
import { isoOrNull } from '../../shared/time.ts';
import type { IncidentScreen } from '../../shared/emergency.ts';

export interface Ack {
  incidentId: number;
  version: number;
  at: number;
}

/** A display of the community as the screens list needs it. */
export interface ScreenInfo {
  id: number;
  name: string;
  online: boolean;
  revoked: boolean;
}

export class ScreenAcks {
  #byDisplay = new Map<number, Ack>();

  /** A display shows `version` of incident `incidentId` since `at`. Returns false for an older ack than the one kept. */
  ack(displayId: number, incidentId: number, version: number, at: number): boolean {
    const last = this.#byDisplay.get(displayId);
    if (last && last.incidentId === incidentId && last.version > version) return false;
    this.#byDisplay.set(displayId, { incidentId, version, at });
    return true;
  }

  last(displayId: number): Ack | null {
    return this.#byDisplay.get(displayId) ?? null;
  }

  /**
   * The displays (revoked ones left out) with whether each acknowledged `version` of the
   * incident: not yet flipped first, then by name.
   */
  screens(incidentId: number, version: number, displays: readonly ScreenInfo[], timeZone: string): IncidentScreen[] {
    return displays.filter((d) => !d.revoked).map((d) => {
      const ack = this.#byDisplay.get(d.id);
      const mine = ack && ack.incidentId === incidentId ? ack : null;
      return {
        displayId: d.id, name: d.name, online: d.online, flipped: mine !== null && mine.version >= version,
        ackedVersion: mine?.version ?? null, ackedAt: isoOrNull(ack?.at ?? null, timeZone),
      };
    }).sort((a, b) => Number(a.flipped) - Number(b.flipped) || a.name.localeCompare(b.name, 'zh-CN') || a.displayId - b.displayId);
  }
}
