/**
 * The wall's scene playlist, like a Grafana playlist: a list of scenes shown in turn, each for
 * `dwellMs`, or one scene pinned. Pure (no timers, no DOM): the page asks `dueAt` when to
 * switch next and calls `advance` then, so the rotation can be tested with plain numbers.
 *
 * URL parameters of /screen:
 * - `?scenes=subjects,volunteers` — which scenes rotate, in this order (unknown names are ignored;
 *   none left means the default rotation);
 * - `?dwell=30` — seconds each scene stays up (clamped to 10 s … 1 h);
 * - `?scene=volunteers` — pin one scene: no rotation. The arrow keys still step through the
 *   rotation's scenes for someone at the wall, and stepping never starts rotating.
 *
 * @example
 * const config = parsePlaylist('?scenes=subjects,needs&dwell=30');
 * let state = startPlaylist(config, Date.now());
 * // later, when Date.now() >= dueAt(config, state):
 * state = advance(config, state, Date.now());
 */

export const SCENES = ['events', 'subjects', 'volunteers', 'needs'] as const;
export type SceneName = (typeof SCENES)[number];

export const DEFAULT_DWELL_MS = 45_000;
export const MIN_DWELL_MS = 10_000;
export const MAX_DWELL_MS = 3_600_000;

export interface PlaylistConfig {
  /** The scenes in turn (never empty, no repeats). */
  scenes: SceneName[];
  dwellMs: number;
  /** The one scene shown when pinned (`?scene=`); it rotates nowhere. */
  pinned: SceneName | null;
  /** Names from the URL that are not scenes, to log. */
  ignored: string[];
}

export interface PlaylistState {
  /** Index into `config.scenes`, or −1 while the pinned scene is not in the list. */
  index: number;
  /** The scene on the wall. */
  scene: SceneName;
  /** When it came up (epoch ms): the dwell is counted from here. */
  since: number;
}

export function isScene(name: string): name is SceneName {
  return (SCENES as readonly string[]).includes(name);
}

/** Read the playlist from a query string (`location.search`) or its parameters. */
export function parsePlaylist(query: string | URLSearchParams): PlaylistConfig {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const ignored: string[] = [];

  const scenes: SceneName[] = [];
  const list = params.get('scenes');
  if (list !== null) {
    for (const raw of list.split(',')) {
      const name = raw.trim().toLowerCase();
      if (!name) continue;
      if (!isScene(name)) ignored.push(name);
      else if (!scenes.includes(name)) scenes.push(name);
    }
  }
  if (scenes.length === 0) scenes.push(...SCENES);

  let pinned: SceneName | null = null;
  const pin = params.get('scene')?.trim().toLowerCase();
  if (pin) {
    if (isScene(pin)) pinned = pin;
    else ignored.push(pin);
  }

  return { scenes, dwellMs: parseDwell(params.get('dwell')), pinned, ignored };
}

/** Seconds from the URL as ms; missing or not a number gives the default, out of range is clamped. */
export function parseDwell(raw: string | null): number {
  if (raw === null || raw.trim() === '') return DEFAULT_DWELL_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) return DEFAULT_DWELL_MS;
  return Math.min(MAX_DWELL_MS, Math.max(MIN_DWELL_MS, Math.round(seconds * 1000)));
}

/** The first scene: the pinned one, or the head of the list. */
export function startPlaylist(config: PlaylistConfig, now: number): PlaylistState {
  if (config.pinned) return { index: config.scenes.indexOf(config.pinned), scene: config.pinned, since: now };
  return { index: 0, scene: config.scenes[0]!, since: now };
}

/** Does the wall rotate by itself? Not when pinned, and not with a single scene. */
export function rotates(config: PlaylistConfig): boolean {
  return config.pinned === null && config.scenes.length > 1;
}

/** When the current scene should give way (epoch ms), or null when it never does by itself. */
export function dueAt(config: PlaylistConfig, state: PlaylistState): number | null {
  return rotates(config) ? state.since + config.dwellMs : null;
}

/**
 * Move `delta` scenes along the list (wrapping), starting the dwell afresh. From a pinned scene
 * outside the list, +1 goes to the head and −1 to the tail.
 */
export function step(config: PlaylistConfig, state: PlaylistState, delta: number, now: number): PlaylistState {
  const n = config.scenes.length;
  let index: number;
  if (state.index < 0) index = delta >= 0 ? Math.max(0, delta - 1) % n : (((n + delta) % n) + n) % n;
  else index = (((state.index + delta) % n) + n) % n;
  return { index, scene: config.scenes[index]!, since: now };
}

/**
 * The timer fired (or the page checked the time): the next scene if the dwell is over, else the
 * same state. When the page was asleep for several dwells it moves on one scene, not many.
 */
export function advance(config: PlaylistConfig, state: PlaylistState, now: number): PlaylistState {
  const due = dueAt(config, state);
  if (due === null || now < due) return state;
  return step(config, state, 1, now);
}
