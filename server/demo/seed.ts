/**
 * Demo data: installs 桂花社区 and 30 days of believable history, so the screen has trends,
 * rates and rankings from the first start. History is made with the real lifecycle (the pure
 * `applyAction`) at back-dated instants and written in one transaction with its journal.
 */
import type { Db } from '../db/index.ts';
import type { Directory } from '../kernel/community.ts';
import { applyAction, reminderTime, runningDeadline } from '../../shared/lifecycle.ts';
import { CATEGORIES, type Source, type Urgency } from '../../shared/taxonomy.ts';
import { DAY_MS, HOUR_MS } from '../../shared/time.ts';
import { eventCode, type EventRecord } from '../events/record.ts';
import { EventStore } from '../events/store.ts';
import { JournalWriter } from '../kernel/journal.ts';
import { DEMO_COMMUNITY, randomPointIn, type DemoCommunity } from './community.ts';
import { busiestRate, nextEventStep, reportRate } from './pace.ts';

const MIN = 60_000;

/** A small seeded generator (mulberry32) so demo data is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Category weights: what a city-centre community actually reports most. */
const CATEGORY_WEIGHTS: Record<string, number> = {
  environment: 30, facilities: 22, security: 8, fire: 9, dispute: 9, livelihood: 12, care: 7, emergency: 3,
};

function weighted(rand: () => number, weights: Record<string, number>): string {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  let r = rand() * total;
  for (const [k, w] of Object.entries(weights)) if ((r -= w) < 0) return k;
  return Object.keys(weights)[0]!;
}

export { hourlyWeight } from './pace.ts';

export interface NewEventDraft {
  category: string;
  subcategory: string;
  urgency: Urgency;
  source: Source;
  title: string;
  description: string;
  gridId: string;
  lat: number;
  lng: number;
  address: string;
  reporterName: string | null;
  reporterPhone: string | null;
}

/** A plausible report: what, where, by whom. */
export function draftEvent(rand: () => number, c: DemoCommunity = DEMO_COMMUNITY): NewEventDraft {
  const category = weighted(rand, CATEGORY_WEIGHTS);
  const cat = CATEGORIES.find((x) => x.code === category)!;
  const sub = pick(rand, cat.subcategories);
  const grid = pick(rand, c.grids);
  const building = pick(rand, grid.buildings);
  const landmark = pick(rand, grid.landmarks);
  const t = pick(rand, c.titles[sub.code] ?? [{ title: sub.zh, description: sub.zh }]);
  const fill = (s: string) => s.replaceAll('{building}', building).replaceAll('{landmark}', landmark);
  const u = rand();
  const urgency: Urgency = category === 'emergency' ? (u < 0.5 ? 'urgent' : 'critical') : u < 0.8 ? 'normal' : u < 0.96 ? 'urgent' : 'critical';
  const s = rand();
  const source: Source = s < 0.45 ? 'patrol' : s < 0.7 ? 'resident' : s < 0.9 ? 'hotline' : s < 0.96 ? 'sensor' : 'assigned';
  const [lng, lat] = randomPointIn(grid, rand);
  const byResident = source === 'resident' || source === 'hotline';
  const name = byResident ? pick(rand, c.residentNames) : null;
  const phone = byResident ? `1${pick(rand, ['35', '38', '39', '52', '58', '86', '89'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}` : null;
  return {
    category, subcategory: sub.code, urgency, source, title: fill(t.title), description: fill(t.description),
    gridId: grid.id, lat, lng, address: `${building}${1 + Math.floor(rand() * 4)}单元${1 + Math.floor(rand() * 18)}0${1 + Math.floor(rand() * 4)}室`,
    reporterName: name, reporterPhone: phone,
  };
}

/** Install the demo community (grids and workers) if it is not there yet. */
export function installDemoCommunity(dir: Directory, now: number, c: DemoCommunity = DEMO_COMMUNITY): boolean {
  if (dir.communities.has(c.id)) return false;
  dir.upsert(
    {
      community: { id: c.id, name: c.name, timeZone: c.timeZone, center: c.center },
      grids: c.grids.map((g) => ({
        id: g.id, communityId: c.id, name: g.name, geometry: { type: 'Polygon', coordinates: [g.ring] },
        workerId: c.workers.find((w) => w.gridId === g.id)?.id ?? null,
      })),
      workers: c.workers.map((w) => ({ ...w, communityId: c.id })),
    },
    now,
  );
  return true;
}

/**
 * Seed `days` of history ending at `now` for the demo community: ~110 reports a day, most
 * closed within their limits, some late, the last days' still open at every stage.
 */
export function seedHistory(db: Db, now: number, opts: { days?: number; perDay?: number; seed?: number } = {}, c: DemoCommunity = DEMO_COMMUNITY) {
  const days = opts.days ?? 30;
  const perDay = opts.perDay ?? 110;
  const rand = seededRandom(opts.seed ?? 20261122);
  const journal = new JournalWriter(db);
  // The same statements as live reports and transitions (server/events/store.ts).
  const store = new EventStore(db, journal);
  const journalRows: [number, string, number, string | null, string | null][] = [];
  let count = 0;

  db.transaction(() => {
    const start = now - days * DAY_MS;
    for (let t = start; t < now; t += HOUR_MS) {
      const expected = reportRate(busiestRate(perDay), t, c.timeZone);
      let n = Math.floor(expected) + (rand() < expected % 1 ? 1 : 0);
      while (n-- > 0) {
        const reportedAt = t + Math.floor(rand() * HOUR_MS);
        if (reportedAt >= now) continue;
        const d = draftEvent(rand, c);
        const worker = c.workers.find((w) => w.gridId === d.gridId)!;
        const id = store.takeId();
        let e: EventRecord = {
          id, code: eventCode(id, reportedAt, c.timeZone),
          communityId: c.id, gridId: d.gridId, category: d.category, subcategory: d.subcategory, urgency: d.urgency,
          source: d.source, title: d.title, description: d.description, address: d.address, lat: d.lat, lng: d.lng,
          reporterName: d.reporterName, reporterPhone: d.reporterPhone, externalId: null, status: 'reported',
          assigneeId: null, pending: null, shelvedFrom: null, shelvedAt: null, reportedAt, acceptedAt: null,
          dispatchedAt: null, resolvedAt: null, closedAt: null, reviewedAt: null, dispatchDueAt: null,
          handleDueAt: null, onTime: null, satisfaction: null, overdue: false, remindedAt: null, remindedDue: null,
          escalatedAt: null, version: 1, updatedAt: reportedAt,
        };
        const lines: [number, string, string | null, string, string | null, string | null][] = [
          [reportedAt, 'report', null, 'reported', null, JSON.stringify({ source: e.source })],
        ];
        journalRows.push([reportedAt, 'event.reported', id, null, null]);
        // Its life up to now, step by step, from the same model the simulator carries on with.
        for (let since = reportedAt; ;) {
          const step = nextEventStep(rand, e, since, c.timeZone);
          const at = step ? Math.round(step.at) : now;
          if (!step || at >= now) break;
          const input = { ...step, ...(step.action === 'dispatch' ? { assigneeId: worker.id } : {}) };
          const out = applyAction(e, step.action, { ...input, actor: step.action === 'resolve' || step.action === 'start' || step.action === 'sign' ? worker.id : 'dispatcher' }, at);
          if (!out.ok) break;
          const from = e.status;
          e = { ...e, ...out.state, version: e.version + 1, updatedAt: at };
          if (step.action === 'review') e.reviewedAt = at;
          // What the history line carries, as the service writes it: the worker dispatched to, the reason, the rating.
          const data = {
            ...(step.action === 'dispatch' ? { assigneeId: worker.id } : {}),
            ...(step.reason ? { reason: step.reason } : {}),
            ...(step.satisfaction ? { satisfaction: step.satisfaction } : {}),
          };
          lines.push([at, step.action, from, e.status, step.note ?? null, Object.keys(data).length ? JSON.stringify(data) : null]);
          journalRows.push([at, 'event.transitioned', id, step.action, from]);
          since = at;
        }
        const due = runningDeadline(e);
        const remindAt = reminderTime(e);
        if (due !== null && remindAt !== null && remindAt < now) {
          // The reminder (催办) the timer would have sent when 80 % of the window was spent.
          const at = Math.round(remindAt);
          e.remindedAt = at;
          e.remindedDue = due;
          lines.push([at, 'remind', e.status, e.status, null, JSON.stringify({ dueAt: due })]);
          journalRows.push([at, 'event.reminded', id, null, e.status]);
        }
        if (due !== null && now > due) {
          const at = Math.min(now - 1, due + 60_000);
          e.overdue = true;
          e.escalatedAt = at;
          lines.push([at, 'escalate', e.status, e.status, null, JSON.stringify({ dueAt: due })]);
          journalRows.push([at, 'event.overdue', id, null, e.status]);
        }
        store.insert(e);
        for (const [at, action, from, to, note, data] of lines) {
          const actor = action === 'report' ? (e.reporterName ? 'resident' : worker.id) : action === 'escalate' || action === 'remind' ? 'system' : action === 'start' || action === 'resolve' || action === 'sign' ? worker.id : 'dispatcher';
          store.addHistory(id, at, action, from, to, actor, actor === 'system' ? 'system' : actor === worker.id ? 'grid_worker' : 'dispatcher', note, data);
        }
        count++;
      }
    }
    // The journal in time order, so seq follows time as it does live.
    journalRows.sort((a, b) => a[0] - b[0]);
    for (const [at, type, eventId, action, from] of journalRows) journal.writeEvent(at, c.id, type, eventId, action, from);
  })();
  return count;
}
