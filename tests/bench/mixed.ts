/**
 * 7. Mixed load: the foundation's figures with every stream of the cockpit running. The same
 * measurement twice in one run, on copies of one installed demo (subjects.ts): grid events
 * alone (the baseline), then with the other subjects busy —
 *
 *  - every demo simulator (`startSimulators`: grid events, volunteers, organizations, needs,
 *    charity) at story speed `speed`, each stepping every `stepMs`;
 *  - a direct load of `writesPerSec` subject writes through the services on a fixed schedule:
 *    check-ins and check-outs (yesterday's sign-in sheets entered, see subjects.ts), donations
 *    and needs raised.
 *
 * Subject changes reach displays as fresh `views.subjects` in a batch whose seq covers them;
 * latency.ts times each direct write from its resolve to every display's covering batch.
 */
import fs from 'node:fs';
import pino from 'pino';
import type { Cerebellum } from '../../server/app.ts';
import { startSimulators } from '../../server/demo/index.ts';
import { DEMO_COMMUNITY } from '../../server/demo/community.ts';
import { draftDonation } from '../../server/demo/charity.ts';
import { draftNeed } from '../../server/demo/needs.ts';
import { seededRandom } from '../../server/demo/seed.ts';
import { DomainError } from '../../server/errors.ts';
import type { Principal } from '../../server/principal.ts';
import { apiKey, startServer, type TestServer } from '../support/server.ts';
import { benchLatency, type Alongside } from './latency.ts';
import type { ClosedJob, ClosedResult } from './loadgen.ts';
import { copyDataDir, demoTemplate, demoYearTemplate, DEMO_SPEED, type StagedParticipation } from './subjects.ts';
import { clock, forkHelper, nextMessage, round, send, sleep, summarize, waitExit } from './lib.ts';

export interface SubjectLoadOptions {
  /** The simulators' story speed. */
  speed: number;
  /** How often each simulator steps (their own default is 0.5–2 s). */
  stepMs: number;
  /** Grid-event simulator: reports per story hour at the busiest time (SIM_RATE). */
  simRate: number;
  /** Direct subject writes per second, on a fixed schedule. */
  writesPerSec: number;
  /** How long the simulators run before the measured window (their start-up burst). */
  warmupMs: number;
}

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Start every simulator through `startSimulators` (whatever list it holds), each stepping every
 * `ms`: the simulators choose their interval in `start()`, so setInterval is shortened for the
 * duration of this one synchronous call.
 */
function startAllSimulators(app: Cerebellum, o: SubjectLoadOptions, logger: pino.Logger) {
  const original = globalThis.setInterval;
  globalThis.setInterval = ((fn: (...a: unknown[]) => void, _ms?: number, ...args: unknown[]) =>
    original(fn, o.stepMs, ...args)) as typeof setInterval;
  try {
    return startSimulators(app, { speed: o.speed, rate: o.simRate, logger });
  } finally {
    globalThis.setInterval = original;
  }
}

type Kind = 'checkIn' | 'checkOut' | 'donation' | 'need';
const CYCLE: Kind[] = ['checkIn', 'checkOut', 'donation', 'checkIn', 'checkOut', 'need'];

/** Direct subject writes through the services at a fixed rate (a late one does not push the next back). */
function directWriter(app: Cerebellum, rate: number, staged: StagedParticipation[]) {
  const rand = seededRandom(4242);
  const p: Principal = { id: 'bench:coordinator', role: 'coordinator', communityId: DEMO_COMMUNITY.id };
  const targets = app.charity.openTargets(p);
  const checkedIn: StagedParticipation[] = [];
  let nextStaged = 0;
  const done: { seq: number; at: number; issuedAt: number; kind: Kind }[] = [];
  const byKind: Record<string, number> = {};
  let conflicts = 0;
  let errors = 0;
  let firstError = '';
  const inflight = new Set<Promise<unknown>>();

  /** The write due next (a check-out needs someone checked in; the sheets can run out), and what it became. */
  const write = (due: Kind): [Kind, Promise<unknown>] => {
    let kind = due;
    if (kind === 'checkOut' && !checkedIn.length) kind = 'checkIn';
    if (kind === 'checkIn' && nextStaged >= staged.length) kind = 'donation';
    return [kind, start(kind)];
  };
  const start = (kind: Kind): Promise<unknown> => {
    switch (kind) {
      case 'checkIn': {
        const s = staged[nextStaged++]!;
        return app.volunteers.signups.checkIn(p, s.activityId, { volunteerId: s.volunteerId, at: iso(s.startsAt + rand() * 20 * MIN) })
          .then((r) => (checkedIn.push(s), r));
      }
      case 'checkOut': {
        const s = checkedIn.shift()!;
        return app.volunteers.signups.checkOut(p, s.activityId, { volunteerId: s.volunteerId, at: iso(s.endsAt - rand() * 15 * MIN) });
      }
      case 'donation':
        return app.charity.donations.record(p, draftDonation(rand, DEMO_COMMUNITY, targets));
      case 'need': {
        const { body, by } = draftNeed(rand, DEMO_COMMUNITY);
        return app.needs.lifecycle.raise(by, { ...body, raisedAt: iso(Date.now() - (10 + rand() * 50) * MIN) });
      }
    }
  };

  let timer: NodeJS.Timeout | null = null;
  let sent = 0;
  return {
    start() {
      const t0 = clock();
      const tick = () => {
        while (t0 + (sent * 1000) / rate <= clock()) {
          const issuedAt = clock();
          const [kind, pending] = write(CYCLE[sent++ % CYCLE.length]!);
          const w = pending.then(
            () => {
              // Every change committed with this write (or before it) is in the model by now,
              // and the batch that covers the model's head covers this write.
              done.push({ seq: app.model.head, at: clock(), issuedAt, kind });
              byKind[kind] = (byKind[kind] ?? 0) + 1;
            },
            (err: unknown) => {
              if (err instanceof DomainError && err.status === 409) conflicts++;
              else (errors++, (firstError ||= String(err)));
            },
          ).finally(() => inflight.delete(w));
          inflight.add(w);
        }
        timer = setTimeout(tick, Math.max(1, t0 + (sent * 1000) / rate - clock()));
      };
      tick();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      await Promise.all(inflight);
      const req = summarize(done.map((d) => d.at - d.issuedAt));
      return {
        done,
        summary: {
          sent, ok: done.length, conflicts, errors, ...(firstError ? { firstError } : {}), byKind,
          requestMs: { p50: round(req.p50, 1), p99: round(req.p99, 1), max: round(req.max, 1) },
        },
      };
    },
  };
}

/** Journal entries after `seq`: subject changes, grid-event reports (the load generator's too) and other grid-event changes. */
function journalSince(app: Cerebellum, seq: number) {
  return app.db.prepare(
    `SELECT COUNT(entity) AS subjects, COALESCE(SUM(type = 'event.reported'), 0) AS reports,
            COALESCE(SUM(event_id IS NOT NULL AND type <> 'event.reported'), 0) AS transitions
       FROM journal WHERE seq > ?`,
  ).get(seq) as { subjects: number; reports: number; transitions: number };
}

/**
 * The other streams, as latency.ts's `alongside`: simulators first (their warm-up), then the
 * direct writes; `stop()` stops both, waits for writes in flight and reports.
 */
export function subjectLoad(o: SubjectLoadOptions, staged: StagedParticipation[]) {
  return async (server: TestServer): Promise<Alongside> => {
    const app = server.app;
    let warnings = 0;
    const logger = pino({ level: 'warn' }, { write: () => void warnings++ });
    const t0 = clock();
    const head0 = app.model.head;
    const demo = startAllSimulators(app, o, logger);
    await sleep(o.warmupMs);
    const head1 = app.model.head;
    const t1 = clock();
    const writer = directWriter(app, o.writesPerSec, staged);
    writer.start();
    return {
      async stop() {
        demo.stop();
        const w = await writer.stop();
        const seconds = (clock() - t1) / 1000;
        const warm = journalSince(app, head0);
        const window = journalSince(app, head1);
        return {
          timed: { seq: Float64Array.from(w.done.map((d) => d.seq)), at: Float64Array.from(w.done.map((d) => d.at)) },
          summary: {
            speed: o.speed, stepMs: o.stepMs, simRate: o.simRate, writesPerSec: o.writesPerSec, warmupMs: o.warmupMs,
            direct: w.summary,
            /** Journal entries per second from the window's start to stop (simulators, direct writes, the load generator's reports). */
            perSecond: {
              subjectChanges: round(window.subjects / seconds, 1), gridReports: round(window.reports / seconds, 1),
              gridTransitions: round(window.transitions / seconds, 1),
            },
            warmup: {
              seconds: round((t1 - t0) / 1000, 1), subjectChanges: warm.subjects - window.subjects,
              gridTransitions: warm.transitions - window.transitions,
            },
            simulatorWarnings: warnings,
          },
        };
      },
    };
  };
}

/**
 * Single-event ingest (the foundation's figure 1: 64 connections, one POST /api/v1/events each
 * in flight) for one window on a copy of the demo, with or without the subject load beside it.
 */
async function ingestWindow(dir: string, durationMs: number, load: ((s: TestServer) => Promise<Alongside>) | null) {
  const server = await startServer({ env: { BATCH_MS: '100' }, dataDir: copyDataDir(dir) });
  try {
    const port = Number(new URL(server.url).port);
    const along = load ? await load(server) : null;
    const child = forkHelper('./loadgen.ts');
    // The server's CPU and commits between the load generator's window-open and window-close.
    const q = server.app.queue.stats;
    let at0 = { t: clock(), cpu: process.cpuUsage(), commits: q.commits, writes: q.writes };
    let window = { seconds: NaN, cpu: NaN, commits: 0, writes: 0 };
    child.on('message', (m: any) => {
      if (m?.type === 'window-open') at0 = { t: clock(), cpu: process.cpuUsage(), commits: q.commits, writes: q.writes };
      else if (m?.type === 'window-close') {
        const c = process.cpuUsage(at0.cpu);
        const seconds = (clock() - at0.t) / 1000;
        window = { seconds, cpu: (c.user + c.system) / 1e6 / seconds, commits: q.commits - at0.commits, writes: q.writes - at0.writes };
      }
    });
    const done = nextMessage<ClosedResult>(child, 'done', durationMs + 60_000);
    send(child, { type: 'closed', port, path: '/api/v1/events', perRequest: 1, concurrency: 64, warmupMs: 2_000, durationMs, seed: 11, apiKey: apiKey(server.app).secret } satisfies ClosedJob);
    const r = await done;
    await waitExit(child);
    const a = along ? await along.stop() : null;
    return {
      eventsPerSec: round(r.events / (r.windowMs / 1000), 0),
      errors: r.errors,
      requestMs: { p50: round(r.latencyMs.p50, 1), p99: round(r.latencyMs.p99, 1) },
      serverCpu: round(window.cpu, 2),
      loadgenCpu: round(r.cpuShare, 2),
      commits: window.commits, avgGroup: window.commits ? round(window.writes / window.commits, 1) : 0,
      subjects: a?.summary ?? null,
    };
  } finally {
    await server.stop();
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
}

export interface MixedOptions {
  /** Window of the 20-display latency runs. */
  latencyMs: number;
  /** Window of the 200-display latency runs; 0 skips them. */
  latency200Ms: number;
  /** Window of the ingest runs; 0 skips them. */
  ingestMs: number;
  load: SubjectLoadOptions;
}

export async function benchMixed(o: MixedOptions) {
  const t = await demoTemplate();
  const latency = (displays: number, durationMs: number, withLoad: boolean, dir = t.dir) =>
    benchLatency({
      displays, displayProcs: displays > 100 ? 2 : 1, rate: 500, durationMs, dataDir: copyDataDir(dir),
      ...(withLoad ? { alongside: subjectLoad(o.load, t.staged) } : {}),
    });
  const line = (label: string, r: Awaited<ReturnType<typeof latency>>) => {
    const s = r.subjectChanges;
    const v = r.subjectViews;
    console.log(`  ${label}: events p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, missing ${r.missing} of ${r.expectedReceipts}; ack → emit p99 ${r.ackToEmitMs.p99} ms; server CPU ${r.serverCpu}, event loop p99 ${r.eventLoopDelayMs.p99} ms`);
    console.log(`    subject views: ${v.recomputes} recomputes (p50 ${v.recomputeMs.p50} ms, p99 ${v.recomputeMs.p99} ms, ${v.recomputeMs.total} ms in all), ${v.applies} applies (p50 ${v.applyMs.p50} ms); batch p50 ${r.batchBytes.p50} B of which subjects ${r.batchBytes.subjectViewsP50} B`);
    if (s) console.log(`    subject changes, direct writes' resolve → displays (${s.changes} writes × ${r.displays}): p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, max ${s.max} ms, missing ${s.missing}`);
    const c = r.subjectCommits;
    if (c) console.log(`    every commit with subject changes → displays (${c.changes} commits): p50 ${c.p50} ms, p99 ${c.p99} ms, missing ${c.missing}`);
    if (r.alongside) console.log(`    streams: ${JSON.stringify(r.alongside)}`);
  };

  const baseline = await latency(20, o.latencyMs, false);
  line('20 displays, grid events only (baseline)', baseline);
  const mixed = await latency(20, o.latencyMs, true);
  line('20 displays, all streams', mixed);
  // The same on a server a year old: the subject tables and rollups hold 12 months.
  const mixedYear = await latency(20, o.latencyMs, true, await demoYearTemplate(12));
  line('20 displays, all streams, a year of subject history', mixedYear);

  let baseline200 = null;
  let mixed200 = null;
  if (o.latency200Ms > 0) {
    baseline200 = await latency(200, o.latency200Ms, false);
    line('200 displays, grid events only (baseline)', baseline200);
    mixed200 = await latency(200, o.latency200Ms, true);
    line('200 displays, all streams', mixed200);
  }

  let ingest = null;
  if (o.ingestMs > 0) {
    const alone = await ingestWindow(t.dir, o.ingestMs, null);
    const busy = await ingestWindow(t.dir, o.ingestMs, subjectLoad(o.load, t.staged));
    console.log(`  ingest POST /events, 64 in flight: grid events only ${alone.eventsPerSec} events/s (server CPU ${alone.serverCpu}); with all streams ${busy.eventsPerSec} events/s (server CPU ${busy.serverCpu}), subject writes ${JSON.stringify(busy.subjects?.direct)}`);
    ingest = { baseline: alone, withSubjects: busy };
  }
  return { speed: DEMO_SPEED, load: o.load, baseline, mixed, mixedYear, baseline200, mixed200, ingest };
}
