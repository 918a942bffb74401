/**
 * The demo simulator: residents and grid workers report events at a configurable pace, and
 * the centre and workers move them through their lifecycle, `speed` times faster than life.
 * It goes through the same EventService as the API, so everything it does is journaled,
 * broadcast and shown exactly like real work. A few events are left to stall so that the
 * deadline timer has something to remind and escalate.
 */
import type { Action } from '../../shared/lifecycle.ts';
import { isOpen } from '../../shared/lifecycle.ts';
import { DomainError } from '../errors.ts';
import type { EventService } from '../events/service.ts';
import type { EventRecord } from '../events/record.ts';
import type { Principal } from '../principal.ts';
import type { ReadModel } from '../live/read-model.ts';
import { draftEvent, hourlyWeight, pick } from './seed.ts';
import { Ticker, type TickerOptions } from './ticker.ts';

const MIN = 60_000;

export interface SimulatorOptions extends TickerOptions {
  events: EventService;
  model: ReadModel;
  /** Reports per hour at the busiest time of day. */
  ratePerHour: number;
  /** Lifecycle delays are divided by this. */
  speed: number;
}

interface Plan {
  at: number;
  action: Action;
}

export class Simulator extends Ticker<SimulatorOptions> {
  #plans = new Map<number, Plan>();
  #nextReport = 0;

  constructor(o: SimulatorOptions) {
    // No `failure`: a report the service refuses fails the step, as it always has.
    super(o, { intervalMs: 500, seedOffset: 0 });
  }

  #actor(id: string, role: Principal['role']): Principal {
    return { id, role, communityId: this.community.id };
  }

  /** Plans the open events' next moves, then steps every `intervalMs` (default 500). */
  override start(intervalMs?: number) {
    this.#nextReport = this.now() + this.#gap();
    for (const e of this.options.model.currentEvents(this.community.id)) if (isOpen(e.status)) this.#planNext(e);
    super.start(intervalMs);
  }

  /** Milliseconds until the next report: exponential, slower at night. */
  #gap(): number {
    const rate = this.options.ratePerHour * Math.max(0.05, hourlyWeight(this.now(), this.community.timeZone));
    if (rate <= 0) return Infinity;
    return (-Math.log(1 - this.rand()) / rate) * 3_600_000;
  }

  /** One turn: report what is due, move what is due. */
  protected override async tick() {
    const now = this.now();
    const work: Promise<unknown>[] = [];
    while (this.#nextReport <= now) {
      work.push(this.#report());
      this.#nextReport += this.#gap();
    }
    for (const [id, p] of this.#plans) {
      if (p.at > now) continue;
      this.#plans.delete(id);
      work.push(this.#advance(id, p.action));
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

  async #advance(id: number, action: Action) {
    const worker = (e: EventRecord) => this.community.workers.find((w) => w.gridId === e.gridId) ?? this.community.workers[0]!;
    try {
      const e = this.options.events.get(this.#actor('dispatcher', 'dispatcher'), id);
      const byWorker = action === 'start' || action === 'resolve' || action === 'send_back';
      const who = byWorker ? this.#actor(worker(e).id, 'grid_worker') : this.#actor('dispatcher', 'dispatcher');
      const after = await this.options.events.transition(who, id, action, {
        ...(action === 'dispatch' ? { assigneeId: worker(e).id } : {}),
        ...(action === 'resolve' ? { note: pick(this.rand, ['已现场处置完毕', '已联系物业整改到位', '已协调相关部门处理', '已上门走访落实']) } : {}),
        ...(action === 'reject' ? { note: '经核实不属于本社区管辖' } : {}),
        ...(action === 'return' ? { note: '现场核查未整改到位' } : {}),
        ...(action === 'review' ? { satisfaction: this.rand() < 0.7 ? 5 : this.rand() < 0.8 ? 4 : 3 } : {}),
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

  /** Decide the next action for an event and when (in compressed time). */
  #planNext(e: EventRecord) {
    const r = this.rand;
    const after = (minutes: number) => this.now() + this.story(minutes);
    let p: Plan | null = null;
    switch (e.status) {
      case 'reported': p = r() < 0.04 ? { action: 'reject', at: after(3 + r() * 20) } : { action: 'accept', at: after(2 + r() * 20) }; break;
      case 'accepted':
      case 'returned': p = { action: 'dispatch', at: after(3 + r() * 40) }; break;
      case 'dispatched': p = { action: 'start', at: after(5 + r() * 30) }; break;
      case 'in_progress': p = { action: 'resolve', at: after(30 + r() * 240) }; break;
      case 'resolved': p = r() < 0.05 ? { action: 'return', at: after(30 + r() * 60) } : { action: 'close', at: after(20 + r() * 120) }; break;
      case 'closed': p = r() < 0.5 ? { action: 'review', at: after(60 * (6 + r() * 18)) } : null; break;
      default: p = null;
    }
    // A few events stall in real time until past their deadline, so reminders (催办) and
    // overdue escalations (督办) happen live; then someone finally handles them.
    if (p && e.status === 'in_progress' && e.handleDueAt !== null && r() < 0.03) {
      p.at = e.handleDueAt + (20 + r() * 160) * MIN;
    }
    if (p) this.#plans.set(e.id, p);
  }
}
