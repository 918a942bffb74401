/**
 * Wide walls (LED walls of 32:9, 48:9 …): the 16:9 design would use only the middle of them, so
 * they get several 16:9 canvases side by side under one title bar, each showing its own scenes
 * — 3840×1080 two, 5760×1080 three. Pure: the page passes the window size and the playlist.
 *
 * The playlist is dealt out over the columns, so each column keeps its place on the wall and
 * rotates only its own share: with the four scenes on three columns, events | subjects |
 * volunteers ↔ needs; on two, events ↔ needs | subjects ↔ volunteers. A pinned scene (`?scene=`)
 * takes the first column and the rest of the playlist shares the others. `?columns=1` keeps a
 * wide wall at one letterboxed 16:9 canvas; `?columns=2…4` asks for that many.
 *
 * @example
 * columnsFor(5760, 1080, null, 4)               // 3
 * dealScenes(parsePlaylist(''), 3)              // [['events'], ['subjects'], ['volunteers', 'needs']]
 */
import type { PlaylistConfig, SceneName } from './playlist.ts';

/** From this width:height a wall is wide. 21:9 monitors (2.37) keep the 16:9 design. */
export const WIDE_ASPECT = 2.6;
export const MAX_COLUMNS = 4;
const DESIGN_ASPECT = 16 / 9;

/** `?columns=` as a number of columns (1 … MAX_COLUMNS), or null when absent or not one. */
export function parseColumns(query: string | URLSearchParams): number | null {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const raw = params.get('columns');
  if (raw === null || !/^\d+$/.test(raw.trim())) return null;
  const n = Number(raw);
  return n >= 1 && n <= MAX_COLUMNS ? n : null;
}

/**
 * How many 16:9 canvases a window of `width`×`height` shows: 1 below WIDE_ASPECT, else as many
 * as fill it best (never fewer than 2), and never more than there are scenes to show.
 */
export function columnsFor(width: number, height: number, requested: number | null, scenes: number): number {
  const most = Math.max(1, Math.min(MAX_COLUMNS, scenes));
  if (requested !== null) return Math.min(requested, most);
  if (!(width > 0 && height > 0)) return 1;
  const aspect = width / height;
  if (aspect < WIDE_ASPECT) return 1;
  return Math.min(most, Math.max(2, Math.round(aspect / DESIGN_ASPECT)));
}

/** How many scenes the playlist can show at once (the pinned one counts too). */
export function sceneCount(config: PlaylistConfig): number {
  return new Set([...(config.pinned ? [config.pinned] : []), ...config.scenes]).size;
}

/**
 * Deal the playlist out over `columns` (from columnsFor): one scene to each column from the
 * left, then the rest from the right; the pinned scene alone in the first. Every column gets at
 * least one scene, and each shows its scenes in turn.
 */
export function dealScenes(config: PlaylistConfig, columns: number): SceneName[][] {
  const pinned = config.pinned;
  const rest = config.scenes.filter((s) => s !== pinned);
  const first = pinned ? [[pinned]] : [];
  const n = Math.max(1, columns - first.length);
  const dealt: SceneName[][] = Array.from({ length: n }, () => []);
  // One each from the left (the playlist's head, events first, stays put), then the rest from
  // the right, so the last columns rotate and the first stays.
  rest.forEach((scene, i) => dealt[i < n ? i : n - 1 - ((i - n) % n)]!.push(scene));
  return [...first, ...dealt].filter((list) => list.length > 0);
}
