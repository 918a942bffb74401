/**
 * `npm run soak`: a wall display left running, sped up. The demo server (its own process,
 * server.ts) runs every simulator at a busy hour's rate; the wall (/screen, built client, Debian's
 * Chromium at 1920×1080) rotates its scenes every `--dwell` seconds; once per rotation, when the
 * "events" scene is up again, the soak samples the page through CDP (probe.ts: JS heap after GC,
 * DOM nodes, listeners, chart instances, timers, main-thread busy share, renderer memory) and
 * the server's resident memory. On the way it
 *
 * - kills the server (-9) at `--restart-at` minutes, keeps it down `--outage` seconds, starts it
 *   again on the same port and data, and times how long the wall takes to heal by itself;
 * - at `--day-at` minutes moves the clocks of both server and wall to 40 s before the next local
 *   midnight (Asia/Shanghai, the demo community's zone), watches "today" roll over on both, then
 *   moves them on to `--start-hour` of the new day (so the rest of the run is busy again); then
 *   sets the wall's clock alone back an hour for three dwells (the scenes must keep rotating).
 *
 * At the end it prints, per metric, the least-squares slope per hour with its standard error
 * (samples after `--warmup` minutes; and over the second half alone, to see a plateau), first and
 * last values, main-thread busy mean and p95, entries per second, the heal and roll-over times,
 * and writes everything to tests/artifacts/soak.json. Method and figures: docs/PERFORMANCE.md.
 *
 *   npm run soak                                   30 minutes, rate 600/h, dwell 10 s
 *   npm run soak -- --minutes=120 --rate=600 --dwell=10
 *   options: --minutes --rate (SIM_RATE: reports per busy hour) --speed (SIM_SPEED) --dwell
 *            --outage (s) --restart-at (min) --day-at (min) --warmup (min) --start-hour (0–23)
 *            --scenes=events,subjects,volunteers,needs --keep (keep the data folder)
 *            --max-heap-slope (MB/h, default 10: the second half's heap slope that fails the run)
 *
 * It exits 1 when the wall did not heal, "today" did not roll over, the "data late" banner showed
 * when only a clock moved, the page threw, a count that must stay flat (chart instances,
 * intervals) grew, the scenes stopped rotating with the wall's clock set back, or (on runs of 30
 * minutes or more) the heap still clearly climbs in the second half.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { DAY_MS, HOUR_MS, localDay, startOfLocalDay, wallTime } from '../../shared/time.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import {
  fitLine, mean, nextAppearance, openWall, percentile, round, rssMB, sceneOf, type Sample, type Wall,
} from './probe.ts';

const TZ = 'Asia/Shanghai';
const MIN = 60_000;

function option(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}=${raw}: must be a number of 0 or more`);
  return n;
}

const minutes = option('minutes', 30);
const rate = option('rate', 600);
const speed = option('speed', 60);
const dwell = option('dwell', 10);
const outage = option('outage', 60);
const restartAt = option('restart-at', minutes / 3);
const dayAt = option('day-at', (minutes * 2) / 3);
const warmup = option('warmup', Math.min(5, minutes / 6));
const startHour = option('start-hour', 9);
const maxHeapSlope = option('max-heap-slope', 10);
const scenes = process.argv.find((a) => a.startsWith('--scenes='))?.slice(9) ?? 'events,subjects,volunteers,needs';
const keep = process.argv.includes('--keep');
const sceneCount = scenes.split(',').length;
if (!scenes.split(',').includes('events')) throw new Error('--scenes must include events: the soak samples when it comes up');
if (dwell < 10) throw new Error('--dwell: the wall takes 10 to 3600 seconds');

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build first (npm run soak does).`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
const t0 = Date.now();
const at = () => round((Date.now() - t0) / MIN, 2);
const log = (line: string) => console.log(`[soak ${at().toFixed(1).padStart(6)} min] ${line}`);

// ---- the server, in its own process -------------------------------------------------------

interface RunningServer {
  child: ChildProcess;
  port: number;
  pid: number;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-soak-'));
/** The server's and the wall's clock: Date.now() + offset. Starts at `--start-hour` today (local). */
let offset = startOfLocalDay(Date.now(), TZ) + startHour * HOUR_MS - Date.now();
let displayToken = '';
let port = 0;

function startServer(): Promise<RunningServer> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
      SIM_RATE: String(rate), SIM_SPEED: String(speed), SOAK_CLOCK_OFFSET_MS: String(offset), SCRYPT_COST: '1024',
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start within 180 s')), 180_000);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
    child.on('message', (m: { type?: string; port?: number; displayToken?: string | null; pid?: number }) => {
      if (m?.type !== 'ready') return;
      clearTimeout(timer);
      port = m.port!;
      if (m.displayToken) displayToken = m.displayToken;
      resolve({ child, port: m.port!, pid: m.pid! });
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Move the server's clock (it answers once its simulators run on the new time). */
function moveServerClock(s: RunningServer, offsetMs: number): Promise<void> {
  return new Promise((resolve) => {
    const on = (m: { type?: string }) => {
      if (m?.type !== 'clock') return;
      s.child.off('message', on);
      resolve();
    };
    s.child.on('message', on);
    s.child.send({ type: 'clock', offsetMs });
  });
}

async function serverKpis(): Promise<{ reportedToday: number; closedToday: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/kpis`, { headers: { authorization: `Bearer ${displayToken}` } });
  if (res.status !== 200) throw new Error(`GET /kpis: ${res.status}`);
  const body = (await res.json()) as { kpis: { reportedToday: number; closedToday: number } };
  return body.kpis;
}

// ---- what the wall shows ------------------------------------------------------------------

const wallState = (page: Page) => page.evaluate(() => ({
  connection: document.querySelector('[data-connection]')?.getAttribute('data-connection') ?? null,
  stale: document.querySelector('[data-testid="stale-banner"]') !== null,
  date: (document.querySelector('[data-panel="clock"] .date') as HTMLElement | null)?.innerText.replace(/\s+/g, ' ').trim() ?? null,
  reportedToday: document.querySelector('[data-kpi="reportedToday"]')?.getAttribute('data-value') ?? null,
  pairing: document.querySelector('[data-pairing-code]') !== null,
}));

/** Poll `check` every `every` ms until it returns a value (not undefined), or `ms` pass (undefined). */
async function pollFor<T>(check: () => Promise<T | undefined>, ms: number, every = 200): Promise<T | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(every);
  }
  return undefined;
}

/** Watch the wall for `ms`: whether the stale banner showed, and whether it reconnected. */
async function watchBanner(page: Page, ms: number) {
  const end = Date.now() + ms;
  let shown = 0;
  while (Date.now() < end) {
    if ((await wallState(page).catch(() => null))?.stale) shown++;
    await sleep(250);
  }
  return { staleBannerSeconds: shown / 4 };
}

// ---- the scenario -------------------------------------------------------------------------

interface Restart {
  atMin: number;
  seqAtKill: number;
  staleBannerAfterKillMs: number | null;
  serverStartMs: number;
  /** From the restarted server listening until the wall is live, has no banner and got data. */
  healMs: number | null;
  replays: number;
  snapshots: number;
  pairingShown: boolean;
}

interface DayChange {
  atMin: number;
  before: { day: string; serverReportedToday: number; wallDate: string | null; wallReportedToday: string | null };
  after: { day: string; serverReportedToday: number | null; wallDate: string | null; wallReportedToday: string | null };
  /** From local midnight (server's clock) until the server's "reported today" fell. */
  serverRolledMs: number | null;
  /** From midnight until the wall's header showed the new date. */
  wallDateMs: number | null;
  /** From midnight until the wall's "reported today" showed the new day's figure (it is on the events scene only). */
  wallKpiMs: number | null;
  /** How long after midnight the events scene was up still showing yesterday's figure. */
  yesterdayShownMs: number;
  /** The wall's banner and reconnections around each clock move. */
  jumps: { to: string; staleBannerSeconds: number; replays: number; snapshots: number }[];
  /** The wall's clock alone set back an hour for three dwells: did the scenes keep rotating? */
  wallClockBack?: { sceneChanges: number; staleBannerSeconds: number };
}

let server: RunningServer;
let browser: Browser | undefined;
let wall: Wall;
const samples: (Sample & { serverRssMB: number | null; minute: number })[] = [];
const restarts: Restart[] = [];
const days: DayChange[] = [];
const problems: string[] = [];

async function restartServer(): Promise<void> {
  const page = wall.page;
  const frames = wall.probe.frames;
  const seqAtKill = frames.seq;
  const counts = { replays: frames.replays, snapshots: frames.snapshots };
  const atMin = at();
  log(`restart: kill -9 the server (pid ${server.pid}) at seq ${seqAtKill}; down for ${outage} s`);
  const tKill = Date.now();
  server.child.kill('SIGKILL');
  await exited(server.child);
  const bannerAt = await pollFor(async () => ((await wallState(page)).stale ? Date.now() : undefined), outage * 1000, 250);
  await sleep(tKill + outage * 1000 - Date.now());
  const tStart = Date.now();
  server = await startServer();
  const tReady = Date.now();
  const healedAt = await pollFor(async () => {
    const s = await wallState(page);
    return s.connection === 'live' && !s.stale && frames.lastDataAt > tReady ? Date.now() : undefined;
  }, 120_000, 100);
  const r: Restart = {
    atMin, seqAtKill,
    staleBannerAfterKillMs: bannerAt === undefined ? null : bannerAt - tKill,
    serverStartMs: tReady - tStart,
    healMs: healedAt === undefined ? null : healedAt - tReady,
    replays: frames.replays - counts.replays,
    snapshots: frames.snapshots - counts.snapshots,
    pairingShown: (await wallState(page)).pairing,
  };
  restarts.push(r);
  log(`restart: banner ${r.staleBannerAfterKillMs} ms after the kill; server up in ${r.serverStartMs} ms; wall healed ${r.healMs} ms later `
    + `(replays ${r.replays}, snapshots ${r.snapshots})`);
  if (r.healMs === null) problems.push('the wall did not heal within 120 s of the server restart');
  if (r.staleBannerAfterKillMs === null) problems.push('the wall never showed the stale banner while the server was down');
  if (r.pairingShown) problems.push('the wall went back to a pairing code after the restart');
}

/** Move both clocks to `target` (epoch ms as the server and wall should read it now). */
async function moveClocks(target: number) {
  offset = target - Date.now();
  await moveServerClock(server, offset);
  await wall.page.evaluate((o) => (window as unknown as { __soakClock: { set(ms: number): void } }).__soakClock.set(o), offset);
}

async function changeDay(): Promise<void> {
  const page = wall.page;
  const frames = wall.probe.frames;
  const nowServer = Date.now() + offset;
  const midnight = startOfLocalDay(startOfLocalDay(nowServer, TZ) + 36 * HOUR_MS, TZ);
  const beforeWall = await wallState(page);
  const beforeKpis = await serverKpis();
  const atMin = at();
  const jumps: DayChange['jumps'] = [];
  log(`day: moving both clocks from ${localDay(nowServer, TZ)} ${hhmm(nowServer)} to 40 s before midnight; reported today ${beforeKpis.reportedToday}`);
  let c = { replays: frames.replays, snapshots: frames.snapshots };
  await moveClocks(midnight - 40_000);
  const w1 = await watchBanner(page, 10_000);
  jumps.push({ to: 'midnight − 40 s', ...w1, replays: frames.replays - c.replays, snapshots: frames.snapshots - c.snapshots });
  // Until midnight: what the wall's events scene shows for "reported today" (yesterday's, soon).
  let wallBefore = beforeWall.reportedToday;
  while (Date.now() + offset < midnight - 600) {
    const s = await wallState(page).catch(() => null);
    if (s?.reportedToday) wallBefore = s.reportedToday;
    await sleep(Math.min(500, midnight - 600 - (Date.now() + offset)));
  }
  await sleep(midnight - (Date.now() + offset));
  const tMidnight = Date.now();
  log('day: midnight (server and wall clocks)');
  let serverAfter: number | null = null;
  let serverRolledMs: number | null = null;
  let wallDateMs: number | null = null;
  let wallKpiMs: number | null = null;
  /** How long, after midnight, the wall's events scene was up showing yesterday's "reported today". */
  let yesterdayShownMs = 0;
  let wallAfter = beforeWall;
  // The wall shows "reported today" on its events scene only: wait at most two rotations.
  const end = tMidnight + Math.max(90_000, 2 * sceneCount * dwell * 1000 + 20_000);
  let last = Date.now();
  while (Date.now() < end && (serverRolledMs === null || wallDateMs === null || wallKpiMs === null)) {
    const k = await serverKpis().catch(() => null);
    if (k && serverRolledMs === null && k.reportedToday < beforeKpis.reportedToday) serverRolledMs = Date.now() - tMidnight;
    if (k) serverAfter = k.reportedToday;
    const s = await wallState(page);
    const t = Date.now();
    wallAfter = s;
    if (wallDateMs === null && s.date && s.date !== beforeWall.date) wallDateMs = t - tMidnight;
    if (s.reportedToday !== null) {
      const shown = Number(s.reportedToday);
      if (shown >= beforeKpis.reportedToday) yesterdayShownMs += t - last;
      else if (wallKpiMs === null && k && shown <= k.reportedToday) wallKpiMs = t - tMidnight;
    }
    last = t;
    await sleep(500);
  }
  const day: DayChange = {
    atMin,
    before: { day: localDay(midnight - 1, TZ), serverReportedToday: beforeKpis.reportedToday, wallDate: beforeWall.date, wallReportedToday: wallBefore },
    after: { day: localDay(midnight, TZ), serverReportedToday: serverAfter, wallDate: wallAfter.date, wallReportedToday: wallAfter.reportedToday },
    serverRolledMs, wallDateMs, wallKpiMs, yesterdayShownMs, jumps,
  };
  days.push(day);
  log(`day: server's "reported today" ${beforeKpis.reportedToday} → ${serverAfter} (${serverRolledMs} ms after midnight); wall date `
    + `"${beforeWall.date}" → "${wallAfter.date}" (${wallDateMs} ms); wall's figure ${wallBefore} → ${wallAfter.reportedToday} `
    + `(${wallKpiMs} ms: when its events scene came up; yesterday's figure on screen after midnight for ${yesterdayShownMs} ms)`);
  if (serverRolledMs === null) problems.push('the server\'s "reported today" did not roll over at midnight');
  if (wallDateMs === null) problems.push('the wall\'s date did not change at midnight');
  if (wallKpiMs === null) problems.push('the wall\'s "reported today" did not roll over at midnight');
  if (yesterdayShownMs > 3_000) problems.push(`the wall showed yesterday's "reported today" for ${yesterdayShownMs} ms after midnight`);
  // On to a busy hour of the new day, so the rest of the run is at the chosen rate again.
  c = { replays: frames.replays, snapshots: frames.snapshots };
  await moveClocks(midnight + startHour * HOUR_MS);
  const w2 = await watchBanner(page, 10_000);
  jumps.push({ to: `${startHour}:00 of the new day`, ...w2, replays: frames.replays - c.replays, snapshots: frames.snapshots - c.snapshots });
  log(`day: clocks moved on to ${startHour}:00 of ${localDay(midnight, TZ)}; banner around the moves: ${jumps.map((j) => `${j.staleBannerSeconds} s`).join(', ')}`);
  day.wallClockBack = await wallClockBack();
  // Ages are measured on the page's monotonic clock: a clock change is not a stalled stream.
  for (const j of jumps) if (j.staleBannerSeconds > 0) problems.push(`the "data late" banner showed ${j.staleBannerSeconds} s when the clocks moved to ${j.to}`);
  if (day.wallClockBack.staleBannerSeconds > 0) problems.push(`the "data late" banner showed ${day.wallClockBack.staleBannerSeconds} s with the wall's clock set back an hour`);
}

/**
 * The wall's clock alone set back an hour (NTP correcting a kiosk that booted with its clock
 * ahead) for three dwells: the scenes must keep rotating. Then the wall's clock is put right.
 */
async function wallClockBack(): Promise<{ sceneChanges: number; staleBannerSeconds: number }> {
  const page = wall.page;
  const setWall = (o: number) => page.evaluate((ms) => (window as unknown as { __soakClock: { set(ms: number): void } }).__soakClock.set(ms), o);
  await setWall(offset - HOUR_MS);
  let changes = 0;
  let banner = 0;
  let scene = await sceneOf(page);
  const end = Date.now() + 3 * dwell * 1000 + 2_000;
  while (Date.now() < end) {
    const s = await wallState(page).catch(() => null);
    const now = await sceneOf(page).catch(() => null);
    if (now && now !== scene) changes++;
    if (now) scene = now;
    if (s?.stale) banner += 0.25;
    await sleep(250);
  }
  await setWall(offset);
  log(`wall clock set back an hour for ${3 * dwell} s: ${changes} scene changes, banner ${banner} s`);
  if (changes < 2) problems.push(`with its clock set back an hour the wall changed scenes ${changes} times in ${3 * dwell} s`);
  return { sceneChanges: changes, staleBannerSeconds: banner };
}

const pct = (v: number | null) => (v === null ? '—' : (v * 100).toFixed(1));

const hhmm = (ms: number) => {
  const w = wallTime(ms, TZ);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};

async function sampleLoop(end: number) {
  const rotationMs = sceneCount * dwell * 1000;
  while (Date.now() < end) {
    try {
      if (sceneCount > 1) await nextAppearance(wall.page, 'events', 2 * rotationMs + 30_000);
      else await sleep(rotationMs);
    } catch (err) {
      problems.push(`at ${at()} min: ${String(err)} (scene on the wall: ${await sceneOf(wall.page)})`);
    }
    // Let the scene fade in and its charts draw their first frame.
    await sleep(Math.min(4_000, dwell * 400));
    if (Date.now() >= end) break;
    const rss = rssMB(server.pid);
    const s = { ...(await wall.probe.sample()), serverRssMB: rss === null ? null : round(rss, 1), minute: at() };
    samples.push(s);
    log(`heap ${s.heapUsedMB.toFixed(2)} MB · nodes ${s.nodes} · listeners ${s.listeners} · charts ${s.charts}/${s.chartElements} · `
      + `timers ${s.intervals}+${s.timeouts} · busy ${pct(s.busy)} % (cpu ${pct(s.mainThreadCpu)} %, machine ${s.machineBusyCores ?? '—'} cores) · `
      + `${s.entriesPerSec ?? '—'} entries/s · ${s.eventsHeld} events · renderer ${s.rendererRssMB} MB · server ${s.serverRssMB?.toFixed(0)} MB · ${s.connection}${s.stale ? ' (stale)' : ''}`);
  }
}

// ---- the summary --------------------------------------------------------------------------

const METRICS = [
  ['heapUsedMB', 'JS heap after GC (MB)'],
  ['nodes', 'DOM nodes'],
  ['listeners', 'JS event listeners'],
  ['charts', 'ECharts instances'],
  ['chartElements', 'ECharts elements in the DOM'],
  ['canvases', 'canvases'],
  ['intervals', 'live intervals'],
  ['timeouts', 'pending timeouts'],
  ['documents', 'documents'],
  ['eventsHeld', 'events the wall holds (≤ 500)'],
  ['rendererRssMB', 'renderer resident (MB)'],
  ['gpuRssMB', 'GPU process resident (MB)'],
  ['serverRssMB', 'server resident (MB, since its restart)'],
  ['busy', 'main thread busy (share)'],
  ['mainThreadCpu', 'main thread CPU (share of a core)'],
  ['rendererCpu', 'renderer CPU (share of a core)'],
  ['layoutsPerSec', 'layouts per second'],
] as const;

function summarise() {
  const fromMin = warmup;
  const lastRestart = restarts.length ? restarts[restarts.length - 1]!.atMin : -1;
  const rows: Record<string, unknown>[] = [];
  for (const [key, label] of METRICS) {
    // The server's memory starts afresh at its restart: fit it from then (plus the warm-up).
    const from = key === 'serverRssMB' && lastRestart >= 0 ? lastRestart + warmup : fromMin;
    const pts = samples.filter((s) => s.minute >= from && typeof s[key] === 'number');
    const xs = pts.map((s) => s.minute / 60);
    const ys = pts.map((s) => s[key] as number);
    const all = fitLine(xs, ys);
    const half = pts.filter((s) => s.minute >= (from + minutes) / 2);
    const late = fitLine(half.map((s) => s.minute / 60), half.map((s) => s[key] as number));
    const digits = key === 'busy' ? 4 : 3;
    rows.push({
      metric: key, label, n: all.n, first: ys[0] ?? null, last: ys[ys.length - 1] ?? null,
      perHour: round(all.slope, digits), perHourSe: round(all.se, digits),
      secondHalfPerHour: round(late.slope, digits), secondHalfPerHourSe: round(late.se, digits),
    });
  }
  const entries = samples.map((s) => s.entriesPerSec).filter((b): b is number => b !== null);
  // Between the restart and the change of day the wall lives one day each: the heap follows
  // what "today" holds, so each stretch gets its own slope (from a minute after its start).
  const cuts = [warmup, ...[restartAt, dayAt].filter((m) => m > warmup && m < minutes).sort((a, b) => a - b), minutes];
  const segments = cuts.slice(0, -1).map((from, i) => {
    const start = i === 0 ? from : from + 1.5;
    const pts = samples.filter((s) => s.minute >= start && s.minute < cuts[i + 1]!);
    const slopes: Record<string, string> = {};
    for (const key of ['heapUsedMB', 'nodes', 'listeners', 'rendererRssMB', 'eventsHeld'] as const) {
      const xs = pts.filter((s) => typeof s[key] === 'number');
      const f = fitLine(xs.map((s) => s.minute / 60), xs.map((s) => s[key] as number));
      slopes[key] = `${round(f.slope, 2)} ± ${round(f.se, 2)}`;
    }
    return { fromMin: round(start, 1), toMin: round(cuts[i + 1]!, 1), n: pts.length, perHour: slopes };
  });
  const share = (key: 'busy' | 'mainThreadCpu' | 'rendererCpu') => {
    const v = samples.map((s) => s[key]).filter((b): b is number => b !== null);
    return { mean: round(mean(v) * 100, 1), p95: round(percentile(v, 95) * 100, 1), max: round(Math.max(...v) * 100, 1) };
  };
  const machine = samples.map((s) => s.machineBusyCores).filter((b): b is number => b !== null);
  return {
    rows,
    segments,
    busy: share('busy'),
    mainThreadCpu: share('mainThreadCpu'),
    rendererCpu: share('rendererCpu'),
    machineBusyCores: { mean: round(mean(machine), 2), p95: round(percentile(machine, 95), 2) },
    entriesPerSec: { mean: round(mean(entries), 2), p95: round(percentile(entries, 95), 2) },
    frames: { ...wall.probe.frames },
  };
}

function printSummary(s: ReturnType<typeof summarise>) {
  const fmt = (v: unknown) => (typeof v === 'number' ? String(v) : v === null ? '—' : String(v));
  console.log(`\nSoak: ${minutes} min, rate ${rate}/h (SIM_SPEED ${speed}), dwell ${dwell} s, ${samples.length} samples (one per rotation); slopes from minute ${warmup}`);
  console.log('metric'.padEnd(40) + 'first'.padStart(10) + 'last'.padStart(10) + '   slope per hour (± s.e.)'.padEnd(30) + 'second half');
  for (const r of s.rows) {
    console.log(String(r.label).padEnd(40) + fmt(r.first).padStart(10) + fmt(r.last).padStart(10)
      + `   ${fmt(r.perHour)} ± ${fmt(r.perHourSe)}`.padEnd(30) + `${fmt(r.secondHalfPerHour)} ± ${fmt(r.secondHalfPerHourSe)}`);
  }
  for (const g of s.segments) {
    console.log(`  minutes ${g.fromMin}–${g.toMin} (${g.n} samples), per hour: heap ${g.perHour.heapUsedMB} MB, nodes ${g.perHour.nodes}, `
      + `listeners ${g.perHour.listeners}, renderer ${g.perHour.rendererRssMB} MB, events held ${g.perHour.eventsHeld}`);
  }
  console.log(`main thread busy (wall time in tasks): mean ${s.busy.mean} %, p95 ${s.busy.p95} %, max ${s.busy.max} %`);
  console.log(`main thread CPU: mean ${s.mainThreadCpu.mean} %, p95 ${s.mainThreadCpu.p95} %; renderer CPU (all its threads): mean ${s.rendererCpu.mean} %, p95 ${s.rendererCpu.p95} %`);
  console.log(`machine (every process, this soak's included): ${s.machineBusyCores.mean} cores busy on average, p95 ${s.machineBusyCores.p95}, of ${os.availableParallelism()}`);
  console.log(`entries: ${s.entriesPerSec.mean} per second (p95 ${s.entriesPerSec.p95}); batches ${s.frames.batches}, entries ${s.frames.entries}, `
    + `replays ${s.frames.replays} (${s.frames.replayEntries} entries), snapshots ${s.frames.snapshots}, ${round(s.frames.bytes / 2 ** 20, 1)} MB of frames`);
  for (const r of restarts) console.log(`restart at ${r.atMin} min: banner ${r.staleBannerAfterKillMs} ms after the kill, server up in ${r.serverStartMs} ms, wall healed in ${r.healMs} ms (replays ${r.replays}, snapshots ${r.snapshots})`);
  for (const d of days) {
    console.log(`day change at ${d.atMin} min: server rolled over ${d.serverRolledMs} ms after midnight (${d.before.serverReportedToday} → ${d.after.serverReportedToday}); `
      + `wall date ${d.wallDateMs} ms, wall's "reported today" ${d.wallKpiMs} ms (${d.before.wallReportedToday} → ${d.after.wallReportedToday}; `
      + `yesterday's on screen after midnight ${d.yesterdayShownMs} ms); `
      + `banner around the clock moves: ${d.jumps.map((j) => `${j.to} ${j.staleBannerSeconds} s`).join(', ')}`);
  }
  console.log(problems.length ? `PROBLEMS:\n  ${problems.join('\n  ')}` : 'No problems: the wall healed, the day rolled over, the counts that must stay flat stayed flat.');
}

async function main() {
  server = await startServer();
  log(`server up on port ${port} (pid ${server.pid}), data in ${dataDir}; clocks at ${localDay(Date.now() + offset, TZ)} ${hhmm(Date.now() + offset)} ${TZ}`);
  browser = await launchBrowser();
  wall = await openWall(browser, {
    url: `http://127.0.0.1:${port}`, displayToken, query: `?scenes=${scenes}&dwell=${dwell}`, offsetMs: offset,
  });
  log(`wall ready: ${scenes} every ${dwell} s`);
  const end = t0 + minutes * MIN;
  const scenario = (async () => {
    const steps = [
      { at: restartAt, run: restartServer },
      { at: dayAt, run: changeDay },
    ].filter((s) => s.at > 0 && s.at < minutes).sort((a, b) => a.at - b.at);
    for (const step of steps) {
      await sleep(t0 + step.at * MIN - Date.now());
      await step.run().catch((err) => problems.push(`${step.run.name}: ${String(err?.stack ?? err)}`));
    }
  })();
  await sampleLoop(end);
  await scenario;
  const summary = summarise();
  // Counts that must come back to the same number every rotation, whatever the data.
  for (const key of ['charts', 'chartElements', 'intervals'] as const) {
    const pts = samples.filter((s) => s.minute >= warmup).map((s) => s[key]);
    if (pts.length && Math.max(...pts) > pts[0]!) problems.push(`${key} grew: ${pts[0]} → ${Math.max(...pts)}`);
  }
  // A heap still climbing in the second half, clearly (3 standard errors), by more than --max-heap-slope MB/h.
  const heap = summary.rows.find((r) => r.metric === 'heapUsedMB')!;
  const late = heap.secondHalfPerHour as number;
  // (Only on runs of half an hour or more: a shorter second half is the wall still filling up.)
  if (minutes >= 30 && late > maxHeapSlope && late > 3 * (heap.secondHalfPerHourSe as number)) {
    problems.push(`the heap after GC still grows in the second half: ${late} ± ${heap.secondHalfPerHourSe} MB/h`);
  }
  // While the server is down the browser logs each refused connection: expected, not a fault.
  const errors = wall.errors.filter((e) => !/ERR_CONNECTION_REFUSED/.test(e));
  if (errors.length) problems.push(`the page reported ${errors.length} errors; first: ${errors[0]}`);
  printSummary(summary);
  const out = path.resolve('tests/artifacts/soak.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({
    when: new Date().toISOString(),
    options: { minutes, rate, speed, dwell, outage, restartAt, dayAt, warmup, startHour, scenes },
    machine: { nproc: os.availableParallelism(), node: process.version, loadavg: os.loadavg() },
    summary, restarts, days, problems, errors: wall.errors, samples,
  }, null, 1));
  console.log(`\nEverything measured: ${out}`);
}

let code = 0;
try {
  await main();
  code = problems.length ? 1 : 0;
} catch (err) {
  console.error(err);
  code = 1;
} finally {
  await browser?.close().catch(() => {});
  if (server!) {
    server.child.kill('SIGTERM');
    await Promise.race([exited(server.child), sleep(10_000)]);
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
  if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
