/**
 * Shared helpers for the benchmark: percentiles, the shared clock, forking helper processes,
 * report bodies drawn from the demo community, and a description of the machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { draftEvent, seededRandom } from '../../server/demo/seed.ts';

/**
 * The clock every process uses: epoch milliseconds with sub-millisecond resolution.
 * `performance.timeOrigin` is read from the system clock when each process starts, and all the
 * processes run on one machine, so two readings from two processes are comparable to well under
 * a millisecond (plus any NTP slew during the run, which is negligible over minutes).
 */
export const clock = () => performance.timeOrigin + performance.now();

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(values: number[] | Float64Array) {
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return {
    n: s.length,
    min: s[0] ?? NaN,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
    mean: s.length ? sum / s.length : NaN,
  };
}

export const round = (v: number, digits = 1) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/** A report body for POST /api/v1/events, as a tablet or integration would send it. */
export function reportBodies(n: number, seed = 7): Record<string, unknown>[] {
  const rand = seededRandom(seed);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const d = draftEvent(rand);
    out.push({
      category: d.category, subcategory: d.subcategory, urgency: d.urgency, source: d.source,
      title: d.title, description: d.description, gridId: d.gridId, lat: d.lat, lng: d.lng, address: d.address,
      ...(d.reporterName ? { reporterName: d.reporterName } : {}),
      ...(d.reporterPhone ? { reporterPhone: d.reporterPhone } : {}),
    });
  }
  return out;
}

/** Fork a TypeScript helper from this folder in its own Node process (structured-clone IPC). */
export function forkHelper(script: string, args: string[] = []): ChildProcess {
  const file = fileURLToPath(new URL(script, import.meta.url));
  return fork(file, args, {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Wait for the next message of `type` from a helper; rejects if it exits first. */
export function nextMessage<T = any>(child: ChildProcess, type: string, timeoutMs = 120_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`helper did not send ${type} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: any) => {
      if (m?.type === 'error') done(new Error(`helper failed: ${m.message}`));
      else if (m?.type === type) done(null, m);
    };
    const onExit = (code: number | null) => done(new Error(`helper exited (${code}) before sending ${type}`));
    function done(err: Error | null, m?: any) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m as T);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export function send(child: ChildProcess, msg: unknown): void {
  child.send(msg as any);
}

/** Inside a helper: report a failure to the parent and exit. */
export function helperMain(main: () => Promise<void>) {
  main().catch((err) => {
    process.send?.({ type: 'error', message: String(err?.stack ?? err) });
    setTimeout(() => process.exit(1), 100);
  });
}

export function waitExit(child: ChildProcess, ms = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** CPU time used by this process since `from`, as a share of one core over `wallMs`. */
export function cpuShare(from: NodeJS.CpuUsage, wallMs: number): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000 / wallMs;
}

export function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1]!.trim();
  } catch {
    // not Linux
  }
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Watch this process's event loop and the write queue's commits (each one a SQLite transaction
 * with its fsync, on the event loop's thread) until `stop()`; returns their percentiles in ms.
 */
export function watchServer(queue: { flush(): void; stats: { commits: number } }) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const commits: number[] = [];
  const original = queue.flush;
  queue.flush = function (this: unknown) {
    const before = queue.stats.commits;
    const t0 = performance.now();
    original.call(this);
    if (queue.stats.commits !== before) commits.push(performance.now() - t0);
  };
  return {
    stop() {
      loop.disable();
      queue.flush = original;
      const c = summarize(commits);
      return {
        eventLoopDelayMs: { p50: round(loop.percentile(50) / 1e6, 1), p99: round(loop.percentile(99) / 1e6, 1), max: round(loop.max / 1e6, 1) },
        commitMs: { n: c.n, p50: round(c.p50, 2), p99: round(c.p99, 2), max: round(c.max, 2) },
      };
    },
  };
}
