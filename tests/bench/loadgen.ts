/**
 * The load generator, run in its own process (forked by the benchmark) so that it never shares
 * the server's thread. It speaks HTTP/1.1 over raw keep-alive sockets with pre-serialised
 * requests, which costs far less CPU per request than fetch or http.request, so the server,
 * not the client, is what gets measured.
 *
 * Two modes, chosen by the first IPC message:
 *  - closed: `concurrency` connections, each with one request in flight at all times, for
 *    `durationMs` after `warmupMs`; reports completions inside the measured window.
 *  - rate: one report every 1/rate seconds on a fixed schedule (no coordinated omission: a late
 *    send does not push the later ones back), each title tagged `[b:<i>]`; reports, per index,
 *    the instant its 201 was fully received (the API acknowledgement).
 */
import net from 'node:net';
import { clock, helperMain, reportBodies, summarize } from './lib.ts';
import { isProtectedEvent } from '../../shared/taxonomy.ts';

export interface ClosedJob {
  type: 'closed';
  port: number;
  path: string;
  /** Events per request: 1 for POST /events, n for the bulk endpoint. */
  perRequest: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  seed: number;
  /** An integration API key (`cbk_…`): the load generator reports events as the hotline would. */
  apiKey?: string;
}

export interface RateJob {
  type: 'rate';
  port: number;
  apiKey?: string;
  rate: number;
  durationMs: number;
  connections: number;
  seed: number;
}

export interface ClosedResult {
  type: 'done';
  requests: number;
  events: number;
  errors: number;
  statuses: Record<string, number>;
  windowMs: number;
  cpuShare: number;
  latencyMs: ReturnType<typeof summarize>;
}

export interface RateResult {
  type: 'done';
  sent: number;
  errors: number;
  statuses: Record<string, number>;
  /** Ack instant per index (NaN if it failed). */
  acks: Float64Array;
  /** How late, at worst, a scheduled send went out (ms). */
  maxSendLagMs: number;
  /** How long, at worst, a report waited for a free connection after its scheduled time (ms). */
  maxQueuedMs: number;
  /** Connections reopened after the server closed one. */
  connectionsOpened: number;
  cpuShare: number;
  latencyMs: ReturnType<typeof summarize>;
}

function request(port: number, path: string, body: string, apiKey?: string): Buffer {
  const b = Buffer.from(body);
  const auth = apiKey ? `Authorization: Bearer ${apiKey}\r\n` : '';
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${auth}Content-Type: application/json\r\nContent-Length: ${b.length}\r\nConnection: keep-alive\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), b]);
}

/** One keep-alive connection with at most one request in flight. */
class Conn {
  #sock: net.Socket;
  #buf: Buffer = Buffer.alloc(0);
  #pending: ((status: number) => void) | null = null;
  #ready: Promise<void>;

  constructor(port: number) {
    this.#sock = net.connect({ port, host: '127.0.0.1', noDelay: true });
    this.#ready = new Promise((resolve, reject) => {
      this.#sock.once('connect', () => resolve());
      this.#sock.once('error', reject);
    });
    this.#sock.on('data', (d) => this.#onData(d));
    this.#sock.on('error', () => this.#fail());
    this.#sock.on('close', () => this.#fail());
  }

  ready() {
    return this.#ready;
  }

  send(req: Buffer): Promise<number> {
    return new Promise((resolve) => {
      this.#pending = resolve;
      this.#sock.write(req);
    });
  }

  closed = false;

  #fail() {
    this.closed = true;
    const p = this.#pending;
    this.#pending = null;
    p?.(0);
  }

  #onData(d: Buffer) {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, d]) : d;
    const end = this.#buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.#buf.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let total: number;
    if (m) {
      total = end + 4 + Number(m[1]);
      if (this.#buf.length < total) return;
    } else {
      // Chunked: JSON never contains a raw CRLF, so the terminator is unambiguous.
      const term = this.#buf.indexOf('\r\n0\r\n\r\n', end);
      if (term < 0) return;
      total = term + 7;
    }
    this.#buf = this.#buf.subarray(total);
    const p = this.#pending;
    this.#pending = null;
    p?.(status);
  }

  close() {
    this.#sock.destroy();
  }
}

async function closed(job: ClosedJob): Promise<ClosedResult> {
  const pool = reportBodies(2000, job.seed).map((b) => JSON.stringify(b));
  const reqs: Buffer[] = [];
  if (job.perRequest === 1) for (const b of pool) reqs.push(request(job.port, job.path, b, job.apiKey));
  else {
    for (let i = 0; i < 16; i++) {
      const items = Array.from({ length: job.perRequest }, (_, k) => pool[(i * job.perRequest + k) % pool.length]);
      reqs.push(request(job.port, job.path, `{"events":[${items.join(',')}]}`, job.apiKey));
    }
  }
  const conns = Array.from({ length: job.concurrency }, () => new Conn(job.port));
  await Promise.all(conns.map((c) => c.ready()));

  const statuses: Record<string, number> = {};
  const lat: number[] = [];
  let requests = 0;
  let errors = 0;
  let next = 0;
  const start = clock();
  const t0 = start + job.warmupMs;
  const t1 = t0 + job.durationMs;
  let cpu0 = process.cpuUsage();
  let cpuAt = t0;
  setTimeout(() => {
    cpu0 = process.cpuUsage();
    cpuAt = clock();
    process.send!({ type: 'window-open' });
  }, t0 - clock());
  setTimeout(() => process.send!({ type: 'window-close' }), t1 - clock());

  await Promise.all(
    conns.map(async (c) => {
      for (;;) {
        const sentAt = clock();
        if (sentAt >= t1) return;
        const status = await c.send(reqs[next++ % reqs.length]!);
        const at = clock();
        if (status === 0) throw new Error('connection closed by the server');
        if (at >= t0 && at < t1) {
          requests++;
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status < 200 || status > 299) errors++;
          lat.push(at - sentAt);
        }
      }
    }),
  );
  const d = process.cpuUsage(cpu0);
  const cpuShare = (d.user + d.system) / 1000 / (clock() - cpuAt);
  for (const c of conns) c.close();
  const ok = requests - errors;
  return {
    type: 'done', requests, events: ok * job.perRequest, errors, statuses, windowMs: job.durationMs,
    cpuShare, latencyMs: summarize(lat),
  };
}

async function rate(job: RateJob): Promise<RateResult> {
  const total = Math.round((job.rate * job.durationMs) / 1000);
  // Displays know an event by the tag in its title; an event about one vulnerable resident reaches
  // them without its title (docs/SECURITY.md, small numbers), so the measured stream leaves those kinds out.
  const pool = reportBodies(2000, job.seed).filter((b) => !isProtectedEvent(String(b.category), (b.subcategory as string | undefined) ?? null));
  const reqs: Buffer[] = [];
  for (let i = 0; i < total; i++) {
    const b = { ...pool[i % pool.length]!, title: `${String(pool[i % pool.length]!.title).slice(0, 60)} [b:${i}]` };
    reqs.push(request(job.port, '/api/v1/events', JSON.stringify(b), job.apiKey));
  }
  // A fixed pool of keep-alive connections, used round robin (so none sits idle long enough for
  // the server's 5 s keep-alive timeout); when all are busy, a report waits for the next free
  // one rather than opening more connections (which, on a saturated machine, snowballs).
  const idle: Conn[] = Array.from({ length: job.connections }, () => new Conn(job.port));
  await Promise.all(idle.map((c) => c.ready()));
  let live = idle.length;
  const waiting: number[] = [];
  const acks = new Float64Array(total).fill(NaN);
  const statuses: Record<string, number> = {};
  const lat: number[] = [];
  let errors = 0;
  let sent = 0;
  let maxLag = 0;
  let opened = 0;
  let maxQueued = 0;
  const inflight = new Set<Promise<void>>();
  const cpu0 = process.cpuUsage();
  const start = clock() + 20;
  const interval = 1000 / job.rate;
  const due = (i: number) => start + i * interval;

  const run = (c: Conn, i: number) => {
    const sentAt = clock();
    maxQueued = Math.max(maxQueued, sentAt - due(i));
    const p = c
      .ready()
      .then(() => c.send(reqs[i]!))
      .then((status) => {
        const at = clock();
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 201) {
          acks[i] = at;
          lat.push(at - sentAt);
        } else errors++;
        inflight.delete(p);
        if (c.closed) {
          live--;
          const next = waiting.shift();
          if (next !== undefined) fire(next);
        } else {
          const next = waiting.shift();
          if (next !== undefined) run(c, next);
          else idle.push(c);
        }
      });
    inflight.add(p);
  };
  const fire = (i: number) => {
    let c = idle.shift();
    while (c && c.closed) {
      live--;
      c = idle.shift();
    }
    if (!c && live < job.connections) {
      c = new Conn(job.port);
      live++;
      opened++;
    }
    if (c) run(c, i);
    else waiting.push(i);
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = clock();
      while (sent < total && due(sent) <= now) {
        maxLag = Math.max(maxLag, now - due(sent));
        fire(sent++);
      }
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, Math.min(2, due(sent) - clock())));
    };
    tick();
  });
  while (inflight.size || waiting.length) {
    if (!inflight.size) fire(waiting.shift()!);
    await Promise.all(inflight);
  }
  const d = process.cpuUsage(cpu0);
  const cpuShare = (d.user + d.system) / 1000 / (clock() - start);
  for (const c of idle) c.close();
  return { type: 'done', sent, errors, statuses, acks, maxSendLagMs: maxLag, maxQueuedMs: maxQueued, cpuShare, latencyMs: summarize(lat), connectionsOpened: opened };
}

helperMain(async () => {
  const job = await new Promise<ClosedJob | RateJob>((resolve) => process.once('message', (m) => resolve(m as any)));
  const result = job.type === 'closed' ? await closed(job) : await rate(job);
  process.send!(result, () => process.disconnect());
});
