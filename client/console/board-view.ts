/**
 * The accounted-for board's page as data (client/console/pages/IncidentBoardPage.svelte): who
 * may do what there (server/emergency/board-access.ts decides; the page only hides what the
 * server would refuse), each status's tone, and the filters kept in the address.
 */
import { BOARD_STATUSES, UNSETTLED, type BoardStatus } from '../../shared/emergency-board.ts';

/** Staff who read the board in the console (volunteers use their phones). */
export const BOARD_ROLES: readonly string[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator'];
/** Log a phone call's result. */
export const CALL_ROLES: readonly string[] = BOARD_ROLES;
/** Issue and print the households' self-report links. */
export const LINK_ROLES: readonly string[] = ['admin', 'dispatcher', 'grid_worker'];
/** Release a door someone else holds. */
export const CENTRE_ROLES: readonly string[] = ['admin', 'dispatcher'];

/** needs help red, no answer amber, unknown grey, safe green; sheltered and away settled too. */
export type StatusTone = 'danger' | 'warn' | 'neutral' | 'ok' | 'info';
export function statusTone(s: BoardStatus): StatusTone {
  switch (s) {
    case 'needs_help': return 'danger';
    case 'no_answer': return 'warn';
    case 'unknown': return 'neutral';
    case 'safe': return 'ok';
    default: return 'info';
  }
}

export const isUnsettled = (s: BoardStatus): boolean => UNSETTLED.includes(s);

/** The list's filters: a grid, and a status or 'open' (not visited + no answer). */
export interface BoardFilters {
  grid: string;
  status: BoardStatus | 'open' | '';
}

export function filtersOf(q: URLSearchParams): BoardFilters {
  const s = q.get('status') ?? '';
  return {
    grid: q.get('grid') ?? '',
    status: s === 'open' || (BOARD_STATUSES as readonly string[]).includes(s) ? (s as BoardFilters['status']) : '',
  };
}

export function queryOf(f: BoardFilters): Record<string, string> {
  return { ...(f.grid ? { grid: f.grid } : {}), ...(f.status ? { status: f.status } : {}) };
}

/** The server's query for these filters. */
export function boardQueryOf(f: BoardFilters): Record<string, string | undefined> {
  return {
    grid: f.grid || undefined,
    status: f.status && f.status !== 'open' ? f.status : undefined,
    open: f.status === 'open' ? 'true' : undefined,
  };
}

/** How long the page waits after a `board:changed` before reading the board again: a burst of knocks is one read. */
export const BOARD_SETTLE_MS = 250;
