/**
 * `npm run bench`: Cerebellum's performance figures (issue 3), measured on this machine.
 *
 *   1. ingest through HTTP with durable commit, against raw better-sqlite3 loops of the same rows
 *   2. end-to-end latency from API acknowledgement to receipt by 200 wall displays
 *   3. snapshot time with 1,000,000 events in history
 *   4. size of the /screen bundle: gzip -9, and as served (brotli), in all and before the first scene
 *   5. where the time goes (per-call costs of the hot functions)
 *   6. the five subjects' views: recompute cost on a month and on a year of history
 *   7. mixed load: latency (and ingest) with every subject stream running, against grid events alone
 *   8. fan-out: one batch per 100 ms against one emit per event, same events and room
 *   9. the emergency flip: a declaration over HTTP to 200 walls, against a bare emit to the same walls
 *
 * This machine is shared and its speed swings 2–6× between runs, so the figures we steer by are
 * ratios against baselines measured in the same run: single ingest as a share of a bare Hono
 * handler, bulk ingest as a share of raw better-sqlite3 inserting the same rows, batched fan-out
 * against naive emits (server CPU per delivered event), the emergency flip against a bare emit
 * to the same walls, and bytes: per display per second, and
 * /screen's JavaScript as served. The summary prints them against their targets first; the
 * absolute figures follow as information. Everything goes to tests/artifacts/bench.json. How
 * each figure is measured: docs/PERFORMANCE.md.
 *
 *   npm run bench                      the full run (about 7 minutes on 2 cores)
 *   npm run bench -- --quick           shorter windows and 200k events, to try changes
 *   npm run bench -- --only=ingest,latency,latency20,snapshot,bundle,hotspots,subjects,mixed,fanout,flip
 *   npm run bench -- --journal-all     snapshot history keeps the whole year's journal (slower to build)
 *   npm run bench -- --quick --mixed200  the quick run with the mixed load's 200-display pair too
 */
import fs from 'node:fs';
import os from 'node:os';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchIngest } from './ingest.ts';
import { benchLatency } from './latency.ts';
import { benchSnapshot } from './snapshot.ts';
import { benchBundle } from './bundle.ts';
import { benchHotspots } from './hotspots.ts';
import { benchSubjects } from './subjects.ts';
import { benchMixed } from './mixed.ts';
import { benchFanout } from './fanout.ts';
import { benchFlip } from './flip.ts';
import { clock, machine, round, sleep } from './lib.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (s: string) => !only || only.includes(s);
/** Keep every journal entry of the year instead of the default 30-day retention. */
const journalAll = args.includes('--journal-all');
/** The mixed load's 200-display pair in a --quick run too (a full run always has it). */
const mixed200 = args.includes('--mixed200');

/** The ratios we steer by (issue 11's targets), each against a baseline of the same run. */
const RATIO_TARGETS = {
  /** Single ingest, events/s, as a share of a bare Hono handler's requests/s. */
  ingestShareOfHono: 0.25,
  /** Bulk ingest, events/s, as a share of raw better-sqlite3 inserting the same rows in the same groups. */
  bulkShareOfRaw: 0.65,
  /** What one display receives at 500 events/s, bytes per second. */
  bytesPerDisplayPerSec: 90 * 1000,
  /** Naive emit's server CPU per delivered event over the batched broadcaster's. */
  fanoutCpuRatio: 15,
  /** /screen's JavaScript as served (brotli), bytes: in all, and before the first scene shows. */
  screenJsServedBytes: 250 * 1000,
  firstSceneJsServedBytes: 150 * 1000,
  /** The emergency flip (declaration over HTTP → every wall), p99, over a bare io.emit to the same walls, p99 (issue 15). */
  flipOverEmitP99: 3,
};

/** Absolute targets: informative only on a machine whose speed swings between runs. */
const TARGETS = {
  ingestEventsPerSec: 5_000,
  latencyP99Ms: 250,
  snapshotMs: 50,
  /** A snapshot built on the server right after a change (its shared copy stale), 1M history, p50 (issue 11). */
  snapshotBuildMs: 20,
  screenJsGzipBytes: 350 * 1000,
  /** Our own: one recompute of a community's subject views, p99. */
  subjectRecomputeP99Ms: 20,
  /** A subject change, from its write's resolve to the displays' covering batch, p99 (as the events'). */
  subjectLatencyP99Ms: 250,
  /** Declaration → every connected wall showing the emergency layout, p99 (issue 15). */
  flipP99Ms: 1_000,
};

/** Share of the machine's CPU time (0–1 per core) used by other processes over `ms` while we wait. */
function busyElsewhere(ms: number): Promise<number> {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3]! + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { idle, total };
  };
  try {
    const a = read();
    const self0 = process.cpuUsage();
    return sleep(ms).then(() => {
      const b = read();
      const ticks = b.total - a.total;
      const self = process.cpuUsage(self0);
      const busyCores = ((ticks - (b.idle - a.idle)) / ticks) * os.cpus().length;
      return Math.max(0, round(busyCores - (self.user + self.system) / 1000 / ms, 2));
    });
  } catch {
    return Promise.resolve(NaN);
  }
}

/**
 * Machine-wide CPU ticks and this process's own (with its reaped children: the helpers a
 * section forks have exited by its end), for the reading of other processes over a section.
 */
function ticks() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const self = fs.readFileSync('/proc/self/stat', 'utf8');
    const p = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    // Fields 14–17 of /proc/<pid>/stat (utime, stime, cutime, cstime), counted after the name.
    const own = p[11]! + p[12]! + p[13]! + p[14]!;
    return { total: f.reduce((a, b) => a + b, 0), idle: f[3]! + (f[4] ?? 0), own };
  } catch {
    return null;
  }
}

/** Cores used by other processes between two `ticks()` readings. */
function otherCores(a: ReturnType<typeof ticks>, b: ReturnType<typeof ticks>): number {
  if (!a || !b) return NaN;
  const span = b.total - a.total;
  const busy = span - (b.idle - a.idle);
  return Math.max(0, round(((busy - (b.own - a.own)) / span) * os.cpus().length, 2));
}

const results: Record<string, any> = {};
const env: Record<string, any> = {};

async function section<T>(name: string, title: string, run: () => Promise<T> | T): Promise<T | undefined> {
  if (!want(name)) return undefined;
  const busy = await busyElsewhere(1000);
  const load = os.loadavg().map((v) => round(v, 2));
  console.log(`\n== ${title}   (load ${load.join(' ')}; other processes busy: ${busy} cores)`);
  if (busy > 0.15) console.log(`   ! other processes are using ${busy} cores: figures will be lower than on a quiet machine`);
  const t0 = clock();
  const at0 = ticks();
  const r = await run();
  const during = otherCores(at0, ticks());
  console.log(`   (other processes during this section: ${during} cores${during > 0.15 ? ': a noisy measurement' : ''})`);
  env[name] = { otherProcessesBusyCoresBefore: busy, otherProcessesBusyCoresDuring: during, loadavgBefore: load, seconds: round((clock() - t0) / 1000, 1) };
  results[name] = r;
  return r;
}

const started = clock();
const m = machine();
let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  if (execSync('git status --porcelain -- server shared client', { encoding: 'utf8' }).trim()) commit += ' (with local changes)';
} catch {
  // not a checkout
}
console.log(`Cerebellum benchmark${quick ? ' (quick)' : ''}: ${m.nproc} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, commit ${commit}`);

const bundle = await section('bundle', '4. /screen bundle, gzip -9 and as served', () => benchBundle('screen'));
if (bundle) {
  for (const f of bundle.files) console.log(`  ${f.file}: ${f.bytes} B, gzip ${f.gzip} B, as served ${f.served} B${f.initial ? '' : ' (loaded on demand)'}`);
}

const hot = await section('hotspots', '5. Hot functions, per call', () => benchHotspots());
if (hot) console.log(`  ${JSON.stringify(hot)}`);

const ingest = await section('ingest', '1. Ingest through HTTP, durable (WAL + synchronous=FULL, group commit)', () =>
  benchIngest({
    repeats: 3,
    durationMs: quick ? 4_000 : 10_000,
    concurrency: 64,
    bulkDurationMs: quick ? 4_000 : 10_000,
    bulkSize: 500,
    bulkConcurrency: 4,
    rawPerRowMaxMs: quick ? 2_000 : 5_000,
    floorDurationMs: quick ? 3_000 : 5_000,
  }));

const latency = await section('latency', '2. End-to-end latency, API ack → 200 displays, 500 events/s', () =>
  benchLatency({ displays: 200, displayProcs: 2, rate: 500, durationMs: quick ? 8_000 : 20_000 }));
if (latency) {
  console.log(`  ${latency.receipts} receipts of ${latency.expectedReceipts} expected, missing ${latency.missing}, duplicates ${latency.duplicates}, gaps ${latency.gaps}; p50 ${latency.latencyMs.p50} ms, p95 ${latency.latencyMs.p95} ms, p99 ${latency.latencyMs.p99} ms, max ${latency.latencyMs.max} ms`);
  console.log(`  ack → server emit p50 ${latency.ackToEmitMs.p50} ms, p99 ${latency.ackToEmitMs.p99} ms; emit → receipt p50 ${latency.emitToReceiptMs.p50} ms, p99 ${latency.emitToReceiptMs.p99} ms; one emit call p50 ${latency.emitCallMs.p50} ms`);
  console.log(`  fan-out spread p50 ${latency.fanoutSpreadMs.p50} ms; server CPU ${latency.serverCpu}, displays CPU ${latency.displaysCpu.join('+')}, load generator CPU ${latency.loadgenCpu}`);
  console.log(`  event loop delay p99/max: server ${latency.eventLoopDelayMs.p99}/${latency.eventLoopDelayMs.max} ms, display processes ${latency.displaysEventLoopDelayMs.map((d) => `${d.p99}/${d.max}`).join(', ')} ms; disconnects ${latency.disconnects}`);
}

// The same with 20 displays: how much of the figure above is the displays' own decoding
// (200 socket.io clients sharing this machine's cores with the server).
const latency20 = await section('latency20', '2b. The same with 20 displays (reference)', () =>
  benchLatency({ displays: 20, displayProcs: 1, rate: 500, durationMs: quick ? 5_000 : 10_000 }));
if (latency20) {
  console.log(`  ${latency20.receipts} receipts of ${latency20.expectedReceipts}, missing ${latency20.missing}; p50 ${latency20.latencyMs.p50} ms, p99 ${latency20.latencyMs.p99} ms; ack → emit p99 ${latency20.ackToEmitMs.p99} ms, emit → receipt p99 ${latency20.emitToReceiptMs.p99} ms`);
}
for (const l of [latency, latency20]) {
  if (!l) continue;
  console.log(`  bytes per display per second: ${l.wireBytesPerDisplayPerSec} B on the wire (${l.encoding}), ${l.bytesPerDisplayPerSec} B as plain JSON batches; batch p50 ${l.batchBytes.p50} B plain${l.frameBytes ? `, ${l.frameBytes.p50} B as a deflate frame` : ''}`);
}
const subjects = await section('subjects', '6. Subject views: one recompute, a month and a year of history', () =>
  benchSubjects({ repeats: quick ? 200 : 300, months: 12 }));

const mixed = await section('mixed', '7. Mixed load: displays at 500 events/s, grid events alone and with every subject stream', () =>
  benchMixed({
    latencyMs: quick ? 5_000 : 10_000,
    latency200Ms: quick ? (mixed200 ? 8_000 : 0) : 20_000,
    ingestMs: quick ? 4_000 : 10_000,
    load: { speed: 600, stepMs: 150, simRate: 10, writesPerSec: 20, warmupMs: 2_000 },
  }));

const fanout = await section('fanout', '8. Fan-out: one batch per 100 ms vs one emit per event, 200 displays, 500 events/s', () =>
  benchFanout({ displays: 200, rate: 500, durationMs: quick ? 4_000 : 8_000, batchMs: 100 }));
if (fanout) {
  for (const [k, r] of [['batched, deflate', fanout.deflate], ['batched, plain', fanout.plain], ['naive', fanout.naive]] as const) {
    console.log(`  ${k}: ${r.delivered} of ${r.events * fanout.displays} delivered, server CPU ${r.serverCpuMs} ms (kernel ${r.serverSystemMs}) = ${r.cpuPerDeliveredUs} µs per delivered event, ${r.emits} emits, ${r.bytesPerDisplayPerSec} B per display per second`);
  }
  console.log(`  batching costs ${fanout.cpuRatio}× less server CPU per delivered event compressed, ${fanout.cpuRatioPlain}× plain`);
}

const flip = await section('flip', '9. Emergency flip: a declaration over HTTP to 200 walls, against a bare emit to the same walls', () =>
  benchFlip({ displays: 200, rounds: quick ? 5 : 20 }));
if (flip) {
  console.log(`  flip p50 ${flip.flipMs.p50} ms, p99 ${flip.flipMs.p99} ms, max ${flip.flipMs.max} ms; bare emit p50 ${flip.emitMs.p50} ms, p99 ${flip.emitMs.p99} ms; ${flip.rounds} rounds, ${flip.missing} missing`);
}

const snapshot = await section('snapshot', '3. Snapshot with 1,000,000 events in history', () =>
  benchSnapshot({ events: quick ? 200_000 : 1_000_000, days: 365, repeats: 50, journalDays: journalAll ? Infinity : 30 }));
if (snapshot) {
  const s = snapshot.serverSideMs;
  console.log(`  round trip p50 ${snapshot.snapshot.roundTripMs.p50} ms, p99 ${snapshot.snapshot.roundTripMs.p99} ms (${snapshot.snapshot.events} events, ${snapshot.snapshot.payloadBytes} B)`);
  console.log(`  server side p50: views ${s.views.p50} ms, currentEvents ${s.currentEvents.p50} ms, project events ${s.projectEvents.p50} ms, recent ${s.recentEntries.p50} ms = ${s.total.p50} ms; JSON encode ${s.jsonEncode.p50} ms`);
}

// ---- summary -------------------------------------------------------------------------------
type Row = [string, string, string, string];
const rows: Row[] = [];
const pct = (v: number) => `${round(v * 100, 1)} %`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const checks: Record<string, { value: number; target: number; pass: boolean }> = {};
const check = (key: string, label: string, value: number, unit: string, target: number, atLeast: boolean) => {
  const pass = atLeast ? value >= target : value <= target;
  checks[key] = { value, target, pass };
  rows.push([label, `${value} ${unit}`, `${atLeast ? '≥' : '≤'} ${target} ${unit}`, verdict(pass)]);
};
const info = (label: string, value: string) => rows.push([label, value, '', '']);

// The ratios first: what we steer by.
rows.push(['ratios against this run\'s baselines', '', '', '']);
if (ingest) {
  const share = ingest.single.medianEventsPerSec / ingest.httpFloor.honoRequestsPerSec;
  checks.ingestShareOfHono = { value: round(share, 3), target: RATIO_TARGETS.ingestShareOfHono, pass: share >= RATIO_TARGETS.ingestShareOfHono };
  rows.push(['single ingest / bare Hono handler', pct(share), `≥ ${pct(RATIO_TARGETS.ingestShareOfHono)}`, verdict(share >= RATIO_TARGETS.ingestShareOfHono)]);
  const bulkShare = ingest.bulk.eventsPerSec / ingest.raw.bulkGrouped.eventsPerSec;
  checks.bulkShareOfRaw = { value: round(bulkShare, 3), target: RATIO_TARGETS.bulkShareOfRaw, pass: bulkShare >= RATIO_TARGETS.bulkShareOfRaw };
  rows.push([`bulk ingest / raw SQLite, groups of ${ingest.bulk.perRequest}`, pct(bulkShare), `≥ ${pct(RATIO_TARGETS.bulkShareOfRaw)}`, verdict(bulkShare >= RATIO_TARGETS.bulkShareOfRaw)]);
}
// What the wall receives on the wire (compressed batches), from the 200-display run or else the 20-display one.
const bytesRun = latency ?? latency20;
if (bytesRun) {
  check('bytesPerDisplay', `bytes per display per second, 500 ev/s, on the wire (${bytesRun.encoding})`, round(bytesRun.wireBytesPerDisplayPerSec / 1000, 1), 'kB/s', RATIO_TARGETS.bytesPerDisplayPerSec / 1000, false);
  info('  the same as plain JSON batches', `${round(bytesRun.bytesPerDisplayPerSec / 1000, 1)} kB/s`);
}
if (fanout) {
  check('fanoutCpuRatio', 'naive emit / batched (deflate), server CPU per delivered event', fanout.cpuRatio, '×', RATIO_TARGETS.fanoutCpuRatio, true);
  info('  naive emit / batched, plain JSON', `${fanout.cpuRatioPlain} ×`);
}
if (flip) {
  check('flipOverEmit', 'emergency flip, 200 walls / bare emit to them, p99', flip.ratioP99, '×', RATIO_TARGETS.flipOverEmitP99, false);
}
if (bundle) {
  check('screenJsServed', '/screen JS as served (brotli), in all', round(bundle.js.served / 1000, 1), 'kB', RATIO_TARGETS.screenJsServedBytes / 1000, false);
  check('screenFirstJsServed', '/screen JS as served before the first scene shows', round(bundle.moments.page.served / 1000, 1), 'kB',
    RATIO_TARGETS.firstSceneJsServedBytes / 1000, false);
}
rows.push(['absolute figures (this machine, this run)', '', '', '']);
if (ingest) {
  check('ingest', 'ingest POST /events, median of 3 (events/s)', ingest.single.medianEventsPerSec, 'ev/s', TARGETS.ingestEventsPerSec, true);
  info('  runs', ingest.single.runs.map((r) => r.eventsPerSec).join(', ') + ' ev/s');
  info('  group commit per run: commits / avg group / largest', ingest.single.runs.map((r) => `${r.commits}/${r.avgGroup}/${r.largestGroup}`).join(', '));
  info('  server CPU (cores) / load generator CPU', ingest.single.runs.map((r) => `${r.serverCpu}/${r.loadgenCpu}`).join(', '));
  check('ingestBulk', `ingest bulk, ${ingest.bulk.perRequest}/request (events/s)`, ingest.bulk.eventsPerSec, 'ev/s', TARGETS.ingestEventsPerSec, true);
  info('  floor: node:http alone / Hono + secureHeaders', `${ingest.httpFloor.nodeHttpRequestsPerSec} / ${ingest.httpFloor.honoRequestsPerSec} req/s`);
  info('  baseline: raw SQLite, 1 transaction/event', `${ingest.raw.perRowTransaction.eventsPerSec} ev/s`);
  info(`  baseline: raw SQLite, groups of ${ingest.raw.grouped.group}`, `${ingest.raw.grouped.eventsPerSec} ev/s`);
}
if (latency) {
  check('latencyP99', 'latency ack → 200 displays, p99', latency.latencyMs.p99, 'ms', TARGETS.latencyP99Ms, false);
  info('  p50 / p95 / max', `${latency.latencyMs.p50} / ${latency.latencyMs.p95} / ${latency.latencyMs.max} ms`);
  check('latencyMissing', '  missing receipts', latency.missing, '', 0, false);
  info('  ack → server emit, p99 / emit → receipt, p99', `${latency.ackToEmitMs.p99} / ${latency.emitToReceiptMs.p99} ms`);
}
if (latency20) {
  info('latency with 20 displays, p50 / p99', `${latency20.latencyMs.p50} / ${latency20.latencyMs.p99} ms`);
}
if (flip) {
  check('flipP99', 'emergency flip: declaration → 200 walls, p99', flip.flipMs.p99, 'ms', TARGETS.flipP99Ms, false);
  info('  p50 / max; bare emit p50 / p99', `${flip.flipMs.p50} / ${flip.flipMs.max} ms; ${flip.emitMs.p50} / ${flip.emitMs.p99} ms`);
  check('flipMissing', '  walls that never heard it', flip.missing, '', 0, false);
}
if (subjects) {
  check('subjectRecompute', 'subject views recompute, a month, p99', subjects.month.recomputeMs.p99, 'ms', TARGETS.subjectRecomputeP99Ms, false);
  check('subjectRecomputeYear', `subject views recompute, ${subjects.year.months} months, p99`, subjects.year.recomputeMs.p99, 'ms', TARGETS.subjectRecomputeP99Ms, false);
  info('  p50, a month / a year', `${subjects.month.recomputeMs.p50} / ${subjects.year.recomputeMs.p50} ms`);
  info('  SubjectStats.apply, one feed line, p50 month / year', `${subjects.month.applyMs.p50} / ${subjects.year.applyMs.p50} ms`);
  info('  views.subjects JSON / whole views', `${subjects.month.subjectViewsBytes} / ${subjects.month.viewsBytes} B`);
}
if (mixed) {
  const row = (label: string, base: typeof mixed.baseline, all: typeof mixed.baseline, key: string) => {
    check(`${key}P99`, `${label}, all streams, p99`, all.latencyMs.p99, 'ms', TARGETS.latencyP99Ms, false);
    info('  baseline, grid events only, p50 / p99', `${base.latencyMs.p50} / ${base.latencyMs.p99} ms`);
    info('  all streams, p50', `${all.latencyMs.p50} ms`);
    check(`${key}Missing`, '  missing receipts, all streams', all.missing, '', 0, false);
    if (all.subjectChanges) {
      check(`${key}SubjectP99`, '  subject change → displays, p99', all.subjectChanges.p99, 'ms', TARGETS.subjectLatencyP99Ms, false);
      info('    p50 / missing', `${all.subjectChanges.p50} ms / ${all.subjectChanges.missing} of ${all.subjectChanges.pairs}`);
    }
    info('  server CPU, baseline / all streams', `${base.serverCpu} / ${all.serverCpu} cores`);
  };
  row('latency ack → 20 displays', mixed.baseline, mixed.mixed, 'mixed20');
  check('mixed20YearP99', 'the same, a year of subject history, p99', mixed.mixedYear.latencyMs.p99, 'ms', TARGETS.latencyP99Ms, false);
  if (mixed.mixedYear.subjectChanges) {
    check('mixed20YearSubjectP99', '  subject change → displays, p99', mixed.mixedYear.subjectChanges.p99, 'ms', TARGETS.subjectLatencyP99Ms, false);
  }
  if (mixed.baseline200 && mixed.mixed200) row('latency ack → 200 displays', mixed.baseline200, mixed.mixed200, 'mixed200');
  if (mixed.ingest) {
    info('ingest POST /events, demo installed: alone / all streams', `${mixed.ingest.baseline.eventsPerSec} / ${mixed.ingest.withSubjects.eventsPerSec} ev/s`);
  }
}
if (snapshot) {
  check('snapshotP50', 'snapshot round trip, 1M history, p50', snapshot.snapshot.roundTripMs.p50, 'ms', TARGETS.snapshotMs, false);
  check('snapshotP99', 'snapshot round trip, 1M history, p99', snapshot.snapshot.roundTripMs.p99, 'ms', TARGETS.snapshotMs, false);
  check('snapshotBuild', 'snapshot built after a change, server side, 1M history, p50', snapshot.serverSideMs.total.p50, 'ms', TARGETS.snapshotBuildMs, false);
  info('  server-side build, p50 / p99; the first after start', `${snapshot.serverSideMs.total.p50} / ${snapshot.serverSideMs.total.p99} ms; ${snapshot.serverSideColdMs} ms`);
  info('  start-up (createCerebellum, rebuild)', `${snapshot.createCerebellumMs} ms`);
}
if (bundle) {
  check('screenJs', '/screen JS, gzip -9', round(bundle.js.gzip / 1000, 1), 'kB', TARGETS.screenJsGzipBytes / 1000, false);
  info('/screen CSS, gzip -9', `${round(bundle.css.gzip / 1000, 1)} kB`);
}

const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), 6));
console.log(`\n== Summary (${m.nproc} cores, ${m.cpuModel}, Node ${m.node})`);
console.log(['figure', 'measured', 'target', ''].map((h, i) => h.padEnd(w[i]!)).join('  '));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join('  '));
console.log(`Other processes during each section (cores): ${Object.entries(env).map(([k, v]) => `${k} ${v.otherProcessesBusyCoresDuring}`).join(', ')}`);

const out = fileURLToPath(new URL('../artifacts/bench.json', import.meta.url));
fs.mkdirSync(fileURLToPath(new URL('../artifacts/', import.meta.url)), { recursive: true });
fs.writeFileSync(out, JSON.stringify({
  at: new Date().toISOString(), quick, commit, machine: m, targets: { ...RATIO_TARGETS, ...TARGETS }, checks, environment: env, results,
  seconds: round((clock() - started) / 1000, 1),
}, null, 2));
console.log(`\nFigures written to ${out} (${round((clock() - started) / 1000, 0)} s).`);
process.exit(0);
