/**
 * The page's scene player: the pure playlist (playlist.ts) plus the one timer that moves it on.
 * The timer is re-armed on every change and cleared by `stop()`, so however long the wall runs
 * there is never more than one pending.
 */
import {
  advance, dueAt, parsePlaylist, rotates, startPlaylist, step, type PlaylistConfig, type PlaylistState, type SceneName,
} from './playlist.ts';

export class ScenePlayer {
  readonly config: PlaylistConfig;
  state = $state.raw<PlaylistState>({ index: 0, scene: 'events', since: 0 });
  /** The scene on the wall. */
  scene = $derived(this.state.scene);
  /** The scenes the indicator shows: the rotation, or the pinned scene alone when it is not in it. */
  list = $derived.by((): SceneName[] =>
    this.state.index < 0 ? [this.state.scene] : this.config.scenes);
  rotating: boolean;

  #timer: ReturnType<typeof setTimeout> | undefined;
  #now: () => number;

  constructor(config: PlaylistConfig, now: () => number = Date.now) {
    this.config = config;
    this.rotating = rotates(config);
    this.#now = now;
    this.state = startPlaylist(config, now());
  }

  /** Start rotating (a pinned or single-scene playlist only listens to the keys). */
  start() {
    if (this.config.ignored.length) console.warn(`[screen] not scenes, ignored: ${this.config.ignored.join(', ')}`);
    this.#arm();
  }

  stop() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  next() {
    this.#go(step(this.config, this.state, 1, this.#now()));
  }

  previous() {
    this.#go(step(this.config, this.state, -1, this.#now()));
  }

  #go(state: PlaylistState) {
    this.state = state;
    this.#arm();
  }

  #arm() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const due = dueAt(this.config, this.state);
    if (due === null) return;
    // Never wait longer than a dwell: a wall clock set back (NTP correcting a kiosk's clock) would
    // otherwise hold the scene for as long as the step.
    const wait = Math.min(this.config.dwellMs, Math.max(0, due - this.#now()));
    this.#timer = setTimeout(() => this.#go(advance(this.config, this.state, Math.max(this.#now(), due))), wait);
  }
}

/** The scene player of /screen, configured from the URL. */
export function scenePlayerFromUrl(): ScenePlayer {
  return new ScenePlayer(parsePlaylist(typeof location === 'undefined' ? '' : location.search));
}
