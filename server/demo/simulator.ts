/**
 * The demo simulator: residents and grid workers report events at the seed's hourly profile, and
 * the centre and workers move them through their lifecycle, both from the model in `pace.ts`
 * that made the seeded history. So the open-event count holds where the history left it (the
 * seeded month ranges 139–201 open events at SIM_RATE 10) at whatever hour the demo starts,
 * and "closed today" grows at the history's pace. `speed` (SIM_SPEED) divides report gaps and
 * step delays alike, which keeps the count but makes the day's totals grow `speed` times faster.
 *
 * It goes through the same EventService as the API, so everything it does is journaled,
 * broadcast and shown exactly like real work. Events that run late under the model get their
 * reminders (催办) and overdue marks (督办) from the deadline timer, as real ones do.
 */
import type { Action, Status } from '../../shared/lifecycle.ts';
import { isOpen, STATUSES } from '../../shared/lifecycle.ts';
import { HOUR_MS } from '../../shared/time.ts';
import { DomainError } from '../errors.ts';
import type { EventService } from '../events/service.ts';
import type { EventRecord } from '../events/record.ts';
import type { Principal } from '../principal.ts';
import { nextEventStep, nextEventStepAfter, poisson, reportRate, type EventStep } from './pace.ts';
import { draftEvent } from './seed.ts';

/** The photo a simulated worker takes when a case's category needs evidence to close (8×6 px of green). */
const SITE_PHOTO = 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAAEUlEQVR42mOoWFCBFTEMpAQA+tFLAeKaA94AAAAASUVORK5CYII=';
import { Ticker, type TickerOptions } from './ticker.ts';

/** Closed events can still be called back (回访) this long after closing (the model's longest wait, and a night). */
const REVIEW_WINDOW_MS = 48 * HOUR_MS;
/** A pause longer than this (a suspended laptop) does not come back as a burst of reports. */
const MAX_CATCH_UP_MS = 5 * 60_000;

export interface SimulatorOptions extends TickerOptions {
  events: EventService;
  /** Reports per hour at the busiest time of day (SIM_RATE); the quietest night hour gets 1/30 of it. */
  ratePerHour: number;
  /** Report gaps and lifecycle delays are divided by this (SIM_SPEED). */
  speed: number;
}

export class Simulator extends Ticker<SimulatorOptions> {
  #plans = new Map<number, EventStep>();
  /** When reports were last drawn; null until the first step, which also takes up the open events. */
  #lastReport: number | null = null;

  constructor(o: SimulatorOptions) {
    // No `failure`: a report the service refuses fails the step, as it always has.
    super(o, { intervalMs: 500, seedOffset: 0 });
  }

  #actor(id: string, role: Principal['role']): Principal {
    return { id, role, communityId: this.community.id };
  }

  /** Open events, and closed ones a call-back may still come for, as they are in the database. */
  #current(now: number): EventRecord[] {
    const dispatcher = this.#actor('sim:dispatcher', 'dispatcher');
    const all: EventRecord[] = [];
    const read = (status: Status[], from?: number) => {
      let cursor: string | null = null;
      do {
        const page = this.options.events.list(dispatcher, {
          status, limit: 500, ...(cursor ? { cursor } : {}), ...(from !== undefined ? { from: new Date(from).toISOString() } : {}),
        });
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
    };
    read(STATUSES.filter((s) => isOpen(s)));
    read(['closed'], now - 10 * 24 * HOUR_MS); // reported at most this long before closing, in the model
    return all.filter((e) => isOpen(e.status) || (e.closedAt !== null && e.closedAt > now - REVIEW_WINDOW_MS));
  }

  /** When `e` entered its status: its last transition (reminders and overdue marks leave the status as it was). */
  #enteredAt(e: EventRecord): number {
    const lines = this.options.events.history(e.id);
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i]!;
      if (l.toStatus === e.status && l.fromStatus !== l.toStatus) return l.at;
    }
    return e.updatedAt;
  }

  /** Take up the events the history (or an earlier run) left in flight, each where its own life has got to. */
  #join(now: number) {
    const tz = this.community.timeZone;
    for (const e of this.#current(now)) {
      this.#plan(e.id, nextEventStepAfter(this.rand, e, this.#enteredAt(e), now, tz), now);
    }
  }

  /** Plan a step drawn in story time: its delay from now is divided by `speed`. */
  #plan(id: number, step: EventStep | null, now: number) {
    if (step) this.#plans.set(id, { ...step, at: now + Math.max(0, step.at - now) / this.options.speed });
    else this.#plans.delete(id);
  }

  /** One turn: the reports that fall in the time since the last, then every step that is due. */
  protected override async tick() {
    const now = this.now();
    if (this.#lastReport === null) {
      this.#lastReport = now;
      this.#join(now);
    }
    const elapsed = Math.min(now - this.#lastReport, MAX_CATCH_UP_MS);
    this.#lastReport = now;
    const mean = (reportRate(this.options.ratePerHour, now, this.community.timeZone) * this.options.speed * elapsed) / HOUR_MS;
    const work: Promise<unknown>[] = [];
    for (let n = poisson(this.rand, mean); n > 0; n--) work.push(this.#report());
    for (const [id, step] of this.#plans) {
      if (step.at > now) continue;
      this.#plans.delete(id);
      work.push(this.#advance(id, step));
    }
    await Promise.all(work);
  }

  async #report() {
    const d = draftEvent(this.rand, this.community);
    const reporter = d.source === 'patrol' ? this.community.workers.find((w) => w.gridId === d.gridId)!.id : `sim:${d.source}`;
    const { event } = await this.options.events.report(this.#actor(reporter, d.source === 'patrol' ? 'grid_worker' : 'integration'), {
      category: d.category, subcategory: d.subcategory, urgency: d.urgency, source: d.source, title: d.title,
      description: d.description, gridId: d.gridId, lat: d.lat, lng: d.lng, address: d.address,
      ...(d.reporterName ? { reporterName: d.reporterName } : {}),
      ...(d.reporterPhone ? { reporterPhone: d.reporterPhone } : {}),
    });
    this.#planNext(event);
  }

  async #advance(id: number, step: EventStep) {
    const worker = (e: EventRecord) => this.community.workers.find((w) => w.gridId === e.gridId) ?? this.community.workers[0]!;
    const action: Action = step.action;
    try {
      const e = this.options.events.get(this.#actor('dispatcher', 'dispatcher'), id);
      const byWorker = action === 'sign' || action === 'start' || action === 'resolve' || action === 'send_back';
      const who = byWorker ? this.#actor(worker(e).id, 'grid_worker') : this.#actor('dispatcher', 'dispatcher');
      // Where closing will need evidence, the worker takes a photo before feeding back (once: the key says so).
      if (action === 'resolve' && this.options.events.evidenceRequired(e) && this.options.events.photos.count(e.id) === 0) {
        await this.options.events.photos.add(who, e, { name: '现场照片.png', type: 'image/png', data: SITE_PHOTO }, `sim-resolve-${e.id}`);
      }
      const after = await this.options.events.transition(who, id, action, {
        ...(action === 'dispatch' ? { assigneeId: worker(e).id } : {}),
        ...(step.note ? { note: step.note } : {}),
        ...(step.reason ? { reason: step.reason as never } : {}),
        ...(step.satisfaction ? { satisfaction: step.satisfaction } : {}),
      });
      this.#planNext(after);
    } catch (err) {
      // Someone else (a person at the console) moved it first: re-plan from where it is.
      if (err instanceof DomainError && err.status === 409) {
        try {
          this.#planNext(this.options.events.get(this.#actor('dispatcher', 'dispatcher'), id));
        } catch { /* gone */ }
        return;
      }
      this.options.logger.warn({ err, id, action }, 'simulator step failed');
    }
  }

  /** Plan the next step of an event that has just entered its status. */
  #planNext(e: EventRecord) {
    const now = this.now();
    this.#plan(e.id, nextEventStep(this.rand, e, now, this.community.timeZone), now);
  }
}
