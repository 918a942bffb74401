/**
 * What the soak (wall.ts) and its short version in `npm test` (tests/e2e/soak-short.test.ts)
 * share: opening the wall in Chromium with a movable clock, and reading it through the DevTools
 * protocol (CDP) the way DevTools' Performance monitor does.
 *
 * One sample (`WallProbe.sample`) is:
 * - main-thread busy time since the previous sample (`Performance.getMetrics`: TaskDuration, less
 *   the probe's own DevToolsCommandDuration, over its Timestamp, read *before* the forced GC so the
 *   GC's own time is not counted), and the CPU time actually spent: the main thread's
 *   (ThreadTime) and the whole renderer's (ProcessTime: compositor and raster threads too). On a
 *   machine other processes load, a task's wall time stretches while its CPU time does not, so
 *   read the two together, with the machine's load (`/proc/stat`) in each sample,
 * - then `HeapProfiler.collectGarbage` and `Runtime.getHeapUsage` (the JS heap after GC),
 * - DOM nodes, documents, JS event listeners, layouts (`Performance.getMetrics`, after GC, so
 *   detached nodes that were only waiting for a collection are not counted),
 * - ECharts instances (`<html data-charts>`, kept by client/lib/echarts.ts, and the elements
 *   ECharts marks `_echarts_instance_`), canvases, live intervals and pending timeouts (counted
 *   by the init script below), the scene and the connection state on the wall,
 * - the wall's renderer's and the GPU process's resident memory (`SystemInfo.getProcessInfo` for
 *   the pids, `/proc/<pid>/status` for VmRSS; the wall's renderer is the largest: Chromium keeps
 *   a spare one or two that hold ~100 MB each and never change).
 * The live client's progress comes from the socket's frames (`Network.webSocketFrameReceived`):
 * batches, their entries and seq, and the subscribe answers (replay or snapshot).
 */
import fs from 'node:fs';
import os from 'node:os';
import { inflateRawSync } from 'node:zlib';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { DISPLAY_EVENT_LIMIT } from '../../shared/display-events.ts';

/**
 * Runs in the page before its scripts: `Date` (and `Date.now`) run `offsetMs` ahead of the
 * machine, movable later with `__soakClock.set(ms)`; timers, `performance.now()` and animation
 * frames stay native, so what is measured is the wall's own work. (Playwright's `page.clock`
 * replaces every timer and `performance` with fakes for the page's whole life: the soak would
 * measure the fakes.) Also counts live intervals and pending timeouts, for the leak check.
 */
export function wallInitScript(offsetMs: number): string {
  return `(() => {
    const NativeDate = Date;
    let offset = ${Number(offsetMs)};
    function ShiftedDate(...a) {
      if (!new.target) return new NativeDate(NativeDate.now() + offset).toString();
      return a.length ? new NativeDate(...a) : new NativeDate(NativeDate.now() + offset);
    }
    ShiftedDate.prototype = NativeDate.prototype;
    ShiftedDate.now = () => NativeDate.now() + offset;
    ShiftedDate.parse = NativeDate.parse;
    ShiftedDate.UTC = NativeDate.UTC;
    window.Date = ShiftedDate;
    const intervals = new Set();
    const timeouts = new Set();
    const setT = window.setTimeout.bind(window), clearT = window.clearTimeout.bind(window);
    const setI = window.setInterval.bind(window), clearI = window.clearInterval.bind(window);
    window.setTimeout = (fn, ms, ...args) => {
      if (typeof fn !== 'function') return setT(fn, ms, ...args);
      const id = setT((...a) => { timeouts.delete(id); fn(...a); }, ms, ...args);
      timeouts.add(id);
      return id;
    };
    window.setInterval = (fn, ms, ...args) => { const id = setI(fn, ms, ...args); intervals.add(id); return id; };
    // Either clear works on either kind of timer in a browser.
    window.clearTimeout = (id) => { timeouts.delete(id); intervals.delete(id); clearT(id); };
    window.clearInterval = (id) => { timeouts.delete(id); intervals.delete(id); clearI(id); };
    window.__soakClock = { set: (ms) => { offset = ms; }, get: () => offset };
    window.__soakTimers = () => ({ intervals: intervals.size, timeouts: timeouts.size });
  })();`;
}

export interface WallOptions {
  /** The server's origin, e.g. http://127.0.0.1:8080. */
  url: string;
  displayToken: string;
  /** `?scenes=…&dwell=…`. */
  query: string;
  /** How far ahead of the machine the wall's clock runs (the server's offset). */
  offsetMs: number;
}

export interface Wall {
  page: Page;
  cdp: CDPSession;
  probe: WallProbe;
  /** Page errors and console errors, in order. */
  errors: string[];
}

/** Open /screen as a paired display at 1920×1080, wait until it has drawn, and start probing. */
export async function openWall(browser: Browser, o: WallOptions): Promise<Wall> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.addInitScript(wallInitScript(o.offsetMs));
  const cdp = await page.context().newCDPSession(page);
  const probe = new WallProbe(browser, page, cdp);
  await probe.enable();
  await page.goto(`${o.url}/screen${o.query}#display=${o.displayToken}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
  return { page, cdp, probe, errors };
}

/** The scene on the wall now (null between two). */
export const sceneOf = (page: Page) =>
  page.evaluate(() => document.querySelector('[data-scene]')?.getAttribute('data-scene') ?? null);

/** Wait until `scene` comes up anew (it must first be gone, then appear), up to `ms`. */
export async function nextAppearance(page: Page, scene: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  let away = (await sceneOf(page)) !== scene;
  while (Date.now() < end) {
    const now = await sceneOf(page);
    if (now !== scene) away = true;
    else if (away) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the scene "${scene}" did not come up again within ${ms} ms`);
}

export interface Sample {
  /** Seconds since the probe started (the soak's clock, not the wall's). */
  t: number;
  scene: string | null;
  connection: string | null;
  stale: boolean;
  heapUsedMB: number;
  heapTotalMB: number;
  nodes: number;
  documents: number;
  listeners: number;
  charts: number;
  chartElements: number;
  canvases: number;
  intervals: number;
  timeouts: number;
  /** Main-thread busy share (0–1, wall time in tasks) since the previous sample, the probe's GC and commands excluded. */
  busy: number | null;
  /** The main thread's CPU time as a share of one core since the previous sample. */
  mainThreadCpu: number | null;
  /** The renderer's CPU (all its threads) as a share of one core since the previous sample. */
  rendererCpu: number | null;
  /** Cores busy on the whole machine (every process, this soak included) since the previous sample. */
  machineBusyCores: number | null;
  /** Layouts per second since the previous sample. */
  layoutsPerSec: number | null;
  rendererRssMB: number | null;
  gpuRssMB: number | null;
  /** Batch entries per second received since the previous sample. */
  entriesPerSec: number | null;
  /** The last seq the wall was sent (batch, replay or snapshot). */
  seq: number;
  /** Events the wall holds (FrameCounts.eventsHeld). */
  eventsHeld: number;
}

/** What the socket's frames told the wall so far. */
export interface FrameCounts {
  batches: number;
  entries: number;
  heartbeats: number;
  replays: number;
  replayEntries: number;
  snapshots: number;
  seq: number;
  bytes: number;
  /** Time (Date.now of the soak) of the last batch or subscribe answer. */
  lastDataAt: number;
  /**
   * How many events the wall holds, as its LiveClient keeps them: every event of the last
   * snapshot and of every entry since, up to DISPLAY_EVENT_LIMIT. Until it reaches the limit the
   * wall's heap grows by design.
   */
  eventsHeld: number;
}

type Metrics = Record<string, number>;
type EntryLike = { event?: { id: number } };

export class WallProbe {
  readonly frames: FrameCounts = {
    batches: 0, entries: 0, heartbeats: 0, replays: 0, replayEntries: 0, snapshots: 0, seq: 0, bytes: 0, lastDataAt: 0, eventsHeld: 0,
  };
  readonly #eventIds = new Set<number>();
  /** Called with every frame's counts after it is counted. */
  onFrame: ((f: FrameCounts) => void) | null = null;
  readonly #browser: Browser;
  readonly #page: Page;
  readonly #cdp: CDPSession;
  readonly #t0 = Date.now();
  #prev: { metrics: Metrics; entries: number; cpu: CpuTicks | null; at: number } | null = null;

  constructor(browser: Browser, page: Page, cdp: CDPSession) {
    this.#browser = browser;
    this.#page = page;
    this.#cdp = cdp;
  }

  async enable() {
    await this.#cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    await this.#cdp.send('Network.enable', { maxTotalBufferSize: 1_000_000, maxResourceBufferSize: 100_000 });
    this.#cdp.on('Network.webSocketFrameReceived', (e) => this.#frame(e.response.payloadData));
  }

  #frame(payload: string) {
    const f = this.frames;
    f.bytes += payload.length;
    try {
      if (payload.startsWith('42["batch",') || payload.startsWith('42["batch:deflate",')) {
        const arg = JSON.parse(payload.slice(2))[1] as unknown;
        // The wall takes compressed batches (docs/PROTOCOL.md, "Encodings"): base64 of raw DEFLATE.
        const b = (typeof arg === 'string' ? JSON.parse(inflateRawSync(Buffer.from(arg, 'base64')).toString('utf8')) : arg) as
          { seq: number; entries: EntryLike[] };
        this.#held(b.entries);
        f.batches++;
        f.entries += b.entries.length;
        f.seq = Math.max(f.seq, b.seq);
        f.lastDataAt = Date.now();
      } else if (payload.startsWith('42["heartbeat",')) {
        f.heartbeats++;
      } else if (/^43\d+\[/.test(payload)) {
        // The answer to `subscribe`: a replay of what was missed, or a snapshot.
        const res = JSON.parse(payload.slice(payload.indexOf('[')))[0] as
          { ok: boolean; mode?: 'replay' | 'snapshot'; seq?: number; entries?: EntryLike[]; snapshot?: { seq: number; events: { id: number }[] } };
        if (res?.ok && res.mode === 'replay') {
          this.#held(res.entries ?? []);
          f.replays++;
          f.replayEntries += res.entries?.length ?? 0;
          f.seq = Math.max(f.seq, res.seq ?? 0);
          f.lastDataAt = Date.now();
        } else if (res?.ok && res.mode === 'snapshot') {
          this.#eventIds.clear();
          this.#held((res.snapshot?.events ?? []).map((event) => ({ event })));
          f.snapshots++;
          f.seq = Math.max(f.seq, res.snapshot?.seq ?? 0);
          f.lastDataAt = Date.now();
        }
      } else return;
    } catch {
      return; // not a frame of ours
    }
    this.onFrame?.(f);
  }

  #held(entries: EntryLike[]) {
    for (const e of entries) if (e.event?.id !== undefined) this.#eventIds.add(e.event.id);
    this.frames.eventsHeld = Math.min(DISPLAY_EVENT_LIMIT, this.#eventIds.size);
  }

  async #metrics(): Promise<Metrics> {
    const { metrics } = await this.#cdp.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
  }

  /** Resident MB of the wall's renderer (the largest) and of the GPU process, where the OS tells. */
  async #memory(): Promise<{ rendererRssMB: number | null; gpuRssMB: number | null }> {
    try {
      const session = await this.#browser.newBrowserCDPSession();
      const { processInfo } = await session.send('SystemInfo.getProcessInfo') as { processInfo: { type: string; id: number }[] };
      await session.detach();
      let renderer: number | null = null;
      let gpu: number | null = null;
      for (const p of processInfo) {
        const rss = rssMB(p.id);
        if (rss === null) continue;
        if (p.type === 'renderer') renderer = Math.max(renderer ?? 0, rss);
        else if (p.type === 'GPU') gpu = (gpu ?? 0) + rss;
      }
      return { rendererRssMB: renderer, gpuRssMB: gpu };
    } catch {
      return { rendererRssMB: null, gpuRssMB: null };
    }
  }

  /** The JS heap after a forced GC, in MB: the least of `n` readings `gapMs` apart (a batch in flight is not a leak). */
  async heapAfterGc(n = 3, gapMs = 1_000): Promise<number> {
    let least = Infinity;
    for (let i = 0; i < n; i++) {
      if (i) await new Promise((r) => setTimeout(r, gapMs));
      await this.#cdp.send('HeapProfiler.collectGarbage');
      least = Math.min(least, (await this.#cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20);
    }
    return round(least, 3);
  }

  /** One sample (see the top of this file). Takes a few hundred ms, most of it the GC. */
  async sample(): Promise<Sample> {
    const at = Date.now();
    const cpu = cpuTicks();
    const before = await this.#metrics();
    const mem = await this.#memory();
    await this.#cdp.send('HeapProfiler.collectGarbage');
    const heap = await this.#cdp.send('Runtime.getHeapUsage');
    const after = await this.#metrics();
    const dom = await this.#page.evaluate(() => {
      const timers = (window as unknown as { __soakTimers?: () => { intervals: number; timeouts: number } }).__soakTimers?.();
      return {
        scene: document.querySelector('[data-scene]')?.getAttribute('data-scene') ?? null,
        connection: document.querySelector('[data-connection]')?.getAttribute('data-connection') ?? null,
        stale: document.querySelector('[data-testid="stale-banner"]') !== null,
        charts: Number(document.documentElement.dataset.charts ?? 0),
        chartElements: document.querySelectorAll('[_echarts_instance_]').length,
        canvases: document.querySelectorAll('canvas').length,
        intervals: timers?.intervals ?? -1,
        timeouts: timers?.timeouts ?? -1,
      };
    });
    const prev = this.#prev;
    const span = prev ? before.Timestamp! - prev.metrics.Timestamp! : 0;
    const wallSpan = prev ? (at - prev.at) / 1000 : 0;
    const d = (name: string) => before[name]! - prev!.metrics[name]!;
    const share = (v: number, digits = 4) => (prev && span > 0 ? round(v / span, digits) : null);
    const sample: Sample = {
      t: round((at - this.#t0) / 1000, 1),
      ...dom,
      heapUsedMB: round(heap.usedSize / 2 ** 20, 3),
      heapTotalMB: round(heap.totalSize / 2 ** 20, 3),
      nodes: after.Nodes!,
      documents: after.Documents!,
      listeners: after.JSEventListeners!,
      busy: prev ? share(d('TaskDuration') - d('DevToolsCommandDuration')) : null,
      mainThreadCpu: prev ? share(d('ThreadTime')) : null,
      rendererCpu: prev ? share(d('ProcessTime')) : null,
      machineBusyCores: prev?.cpu && cpu ? round(((cpu.total - prev.cpu.total) - (cpu.idle - prev.cpu.idle)) / (cpu.total - prev.cpu.total) * cpu.cores, 2) : null,
      layoutsPerSec: prev ? share(d('LayoutCount'), 3) : null,
      rendererRssMB: mem.rendererRssMB === null ? null : round(mem.rendererRssMB, 1),
      gpuRssMB: mem.gpuRssMB === null ? null : round(mem.gpuRssMB, 1),
      entriesPerSec: prev && wallSpan > 0 ? round((this.frames.entries - prev.entries) / wallSpan, 3) : null,
      seq: this.frames.seq,
      eventsHeld: this.frames.eventsHeld,
    };
    // The next interval starts after this sample's GC, so the GC is never counted as busy.
    this.#prev = { metrics: await this.#metrics(), entries: this.frames.entries, cpu: cpuTicks(), at: Date.now() };
    return sample;
  }
}

interface CpuTicks {
  idle: number;
  total: number;
  cores: number;
}

/** The machine's CPU ticks so far (`/proc/stat`), or null off Linux. */
function cpuTicks(): CpuTicks | null {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3]! + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0), cores: os.availableParallelism() };
  } catch {
    return null;
  }
}

/** Resident memory of a process in MB, from /proc (null where there is none). */
export function rssMB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export const round = (v: number, digits = 1) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/**
 * The least-squares line through (x, y): its slope and the slope's standard error
 * (√(Σ residual² / (n − 2) / Σ (x − x̄)²)). Samples taken a rotation apart are not independent
 * (a chart's buffers, the GC's timing), so read the ± as a floor on the uncertainty.
 */
export function fitLine(xs: number[], ys: number[]): { slope: number; se: number; n: number } {
  const n = xs.length;
  if (n < 3) return { slope: NaN, se: NaN, n };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (sxx === 0) return { slope: NaN, se: NaN, n };
  const slope = sxy / sxx;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (ys[i]! - (my + slope * (xs[i]! - mx))) ** 2;
  return { slope, se: Math.sqrt(ss / (n - 2) / sxx), n };
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
