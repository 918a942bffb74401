/**
 * What every demo simulator shares: a timer that calls `step()`, a guard so that a slow step is
 * never overlapped by the next, story time (`speed` times faster than life, 1 by default),
 * working hours in the community's time zone, a seeded random source, and one way to try a
 * command that someone at the console may have pre-empted.
 *
 * The clock is a seam: a simulator reads the time only through `now` (the app's clock) and does
 * only what is due at that time when `step()` is called; the timer just calls `step()`. A test
 * moves a fake clock and calls `step()` itself, so 48 hours pass in seconds
 * (tests/integration/demo-steady.test.ts).
 */
import type { Logger } from 'pino';
import { DomainError } from '../errors.ts';
import { StorageError } from '../db/storage.ts';
import { HOUR_MS } from '../../shared/time.ts';
import { DEMO_COMMUNITY, type DemoCommunity } from './community.ts';
import { seededRandom } from './seed.ts';
import { addWorkingTime, nextOpening, withinHours, type Hours } from './pace.ts';

const MIN = 60_000;

/** The options every simulator takes, besides the service it drives. */
export interface TickerOptions {
  logger: Logger;
  /** Story time passes this many times faster than real time. */
  speed: number;
  now?: () => number;
  seed?: number;
  community?: DemoCommunity;
}

/** How one kind of simulator differs from another. */
export interface TickerSettings {
  /** The interval `start()` steps at when given none. */
  intervalMs: number;
  /** Added to Date.now() for the seed when the options give none, so simulators started together draw differently. */
  seedOffset: number;
  /** What the log says when a step or an attempt fails. Without it a failed step rejects. */
  failure?: string;
}

/**
 * A simulator: `start()` calls `step()` every interval; `step()` runs the subclass's `tick()`
 * unless the previous one is still running.
 *
 * @example
 * class CharitySimulator extends Ticker<CharitySimulatorOptions> {
 *   constructor(o: CharitySimulatorOptions) { super(o, { intervalMs: 2_000, seedOffset: 11, failure: 'charity simulator step failed' }); }
 *   protected override async tick() { … }
 * }
 */
export abstract class Ticker<O extends TickerOptions> {
  protected readonly options: O;
  protected readonly rand: () => number;
  protected readonly now: () => number;
  protected readonly community: DemoCommunity;
  readonly #settings: TickerSettings;
  #timer: NodeJS.Timeout | null = null;
  #busy = false;

  protected constructor(o: O, settings: TickerSettings) {
    this.options = o;
    this.#settings = settings;
    this.rand = seededRandom(o.seed ?? (Date.now() + settings.seedOffset) % 2 ** 31);
    this.now = o.now ?? Date.now;
    this.community = o.community ?? DEMO_COMMUNITY;
  }

  start(intervalMs = this.#settings.intervalMs): void {
    // A step that fails on the timer is logged, never left as an unhandled rejection (which
    // would stop the process); called directly, `step()` still rejects for tests to see.
    this.#timer = setInterval(() => {
      this.step().catch((err) => {
        // A refused write (database locked elsewhere, disk full) is logged once, by the storage health.
        if (!(err instanceof StorageError)) this.options.logger.error({ err }, this.#settings.failure ?? 'simulator step failed');
      });
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One turn, unless the previous one is still running. */
  async step(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.tick();
    } catch (err) {
      if (this.#settings.failure === undefined) throw err;
      this.options.logger.warn({ err }, this.#settings.failure);
    } finally {
      this.#busy = false;
    }
  }

  /** Whatever is due now. */
  protected abstract tick(): Promise<void>;

  /** Real milliseconds for `minutes` of story time. */
  protected story(minutes: number): number {
    return (minutes * MIN) / this.options.speed;
  }

  /** Real milliseconds for `hours` of story time. */
  protected storyHours(hours: number): number {
    return (hours * HOUR_MS) / this.options.speed;
  }

  /** Is `at` (default now) within the local hours `h`? */
  protected within(h: Hours, at = this.now()): boolean {
    return withinHours(at, h, this.community.timeZone);
  }

  /**
   * The instant `hours` of story time after `from`, counting only the local hours `h` of each day:
   * something that happens every few office hours never falls outside them, and what is left at
   * closing time carries over to the next opening.
   */
  protected afterWorking(from: number, hours: number, h: Hours): number {
    return addWorkingTime(from, (hours * HOUR_MS) / this.options.speed, h, this.community.timeZone);
  }

  /** `at` if it falls within `h`, else a moment (up to an hour) after the next opening, so mornings do not start with a burst. */
  protected inHours(at: number, h: Hours): number {
    return this.within(h, at) ? at : nextOpening(at, h, this.community.timeZone) + this.rand() * HOUR_MS;
  }

  /** Do one thing; a 409 (someone at the console moved first) is skipped and re-planned on a later step. */
  protected async attempt(what: string, f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
    } catch (err) {
      if (err instanceof DomainError && err.status === 409) return;
      this.options.logger.warn({ err, what }, this.#settings.failure ?? 'simulator step failed');
    }
  }
}
