/**
 * 1. Ingest through HTTP with durable commit. A real server in this process; the load generator
 * forked into its own process. Then, in the same run, the storage ceiling: the same rows the
 * server wrote (each event's row, history line and journal entry; in groups, the one audit line
 * a group's reports share), inserted by a raw better-sqlite3 loop into a fresh file with the same
 * schema, triggers and pragmas (WAL, synchronous=FULL), one transaction per event and in groups.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { serve } from '@hono/node-server';
import type { Db } from '../../server/db/index.ts';
import { openDatabase } from '../../server/database.ts';
import type { WriteQueueStats } from '../../server/db/write-queue.ts';
import { Directory } from '../../server/kernel/community.ts';
import { installDemoCommunity } from '../../server/demo/seed.ts';
import { apiKey, startServer, tempDataDir, type TestServer } from '../support/server.ts';
import type { ClosedJob, ClosedResult } from './loadgen.ts';
import { clock, forkHelper, nextMessage, round, send, waitExit, watchServer } from './lib.ts';

export interface IngestOptions {
  repeats: number;
  durationMs: number;
  concurrency: number;
  bulkDurationMs: number;
  bulkSize: number;
  bulkConcurrency: number;
  rawPerRowMaxMs: number;
  floorDurationMs: number;
}

interface WindowFigures {
  eventsPerSec: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  commits: number;
  writes: number;
  avgGroup: number;
  largestGroup: number;
  serverCpu: number;
  loadgenCpu: number;
  requestLatencyMs: { p50: number; p99: number };
  eventLoopDelayMs?: { p50: number; p99: number; max: number };
  commitMs?: { n: number; p50: number; p99: number; max: number };
}

/**
 * Run one load-generator job against a server listening on `port` in this process, sampling
 * the write queue (if any) and this process's CPU at the edges of the measured window.
 */
async function drive(port: number, queue: Queue | null, job: Omit<ClosedJob, 'type' | 'port'>): Promise<WindowFigures> {
  let watch: ReturnType<typeof watchServer> | null = null;
  let watched: ReturnType<ReturnType<typeof watchServer>['stop']> | null = null;
  const child = forkHelper('./loadgen.ts');
  const q = queue?.stats ?? { commits: 0, writes: 0, largestGroup: 0 };
  // The load generator says when its measured window opens and closes; sample the server then.
  // largestGroup is a running maximum, so it is reset (on this benchmark's own server) at the
  // window's start to report the window's own.
  const sample = () => ({ commits: q.commits, writes: q.writes, t: clock(), cpu: process.cpuUsage() });
  let at0 = sample();
  let at1: ReturnType<typeof sample> | null = null;
  let largest = 0;
  child.on('message', (m: any) => {
    if (m?.type === 'window-open') {
      at0 = sample();
      if (queue) watch = watchServer(queue);
      q.largestGroup = 0;
    } else if (m?.type === 'window-close') {
      at1 = sample();
      watched = watch?.stop() ?? null;
      largest = q.largestGroup;
    }
  });
  const done = nextMessage<ClosedResult>(child, 'done', job.warmupMs + job.durationMs + 60_000);
  send(child, { type: 'closed', port, ...job } satisfies ClosedJob);
  const r = await done;
  await waitExit(child);
  const end = at1 ?? sample();
  const cpuEnd = { user: end.cpu.user - at0.cpu.user, system: end.cpu.system - at0.cpu.system };
  const commits = end.commits - at0.commits;
  const writes = end.writes - at0.writes;
  return {
    eventsPerSec: round(r.events / (r.windowMs / 1000), 0),
    requests: r.requests,
    errors: r.errors,
    statuses: r.statuses,
    commits,
    writes,
    avgGroup: round(writes / Math.max(1, commits), 1),
    largestGroup: largest,
    serverCpu: round((cpuEnd.user + cpuEnd.system) / 1000 / (end.t - at0.t), 2),
    loadgenCpu: round(r.cpuShare, 2),
    requestLatencyMs: { p50: round(r.latencyMs.p50, 2), p99: round(r.latencyMs.p99, 2) },
    ...(watched ?? {}),
  };
}

type Queue = { flush(): void; stats: WriteQueueStats };

interface RowSet {
  events: unknown[][];
  history: unknown[][][];
  journal: unknown[][][];
  /** One of the server's audit lines for these reports (one per actor and commit group), its id left to SQLite. */
  audit: unknown[] | null;
}

/** The rows the server wrote for its first `limit` events, grouped per event. */
function readRows(db: Db, limit: number): RowSet {
  const events = db.prepare('SELECT * FROM events ORDER BY id LIMIT ?').raw().all(limit) as unknown[][];
  const maxId = (events[events.length - 1]?.[0] as number | undefined) ?? 0;
  const byEvent = (rows: unknown[][], col: number) => {
    const m = new Map<number, unknown[][]>();
    for (const r of rows) {
      const id = r[col] as number;
      let l = m.get(id);
      if (!l) m.set(id, (l = []));
      l.push(r);
    }
    return events.map((e) => m.get(e[0] as number) ?? []);
  };
  const history = db.prepare('SELECT * FROM event_history WHERE event_id <= ? ORDER BY id').raw().all(maxId) as unknown[][];
  const journal = db.prepare('SELECT * FROM journal WHERE event_id <= ? ORDER BY seq').raw().all(maxId) as unknown[][];
  const audit = db.prepare("SELECT * FROM audit_log WHERE action = 'events.create' ORDER BY id LIMIT 1").raw().get() as unknown[] | undefined;
  return { events, history: byEvent(history, 1), journal: byEvent(journal, 4), audit: audit ? [null, ...audit.slice(1)] : null };
}

/** A fresh database with the server's schema and pragmas, and the demo community it references. */
function freshDb(dir: string): { db: Db; file: string } {
  const file = path.join(dir, 'raw.db');
  const db = openDatabase(file);
  installDemoCommunity(new Directory(db), Date.now());
  return { db, file };
}

function rawInsert(db: Db) {
  const cols = (t: string) => (db.prepare(`SELECT * FROM ${t} LIMIT 0`).columns().length);
  const ins = (t: string) => db.prepare(`INSERT INTO ${t} VALUES (${Array(cols(t)).fill('?').join(', ')})`);
  const ev = ins('events');
  const hi = ins('event_history');
  const jo = ins('journal');
  const au = ins('audit_log');
  const insert = (rows: RowSet, i: number) => {
    ev.run(rows.events[i]!);
    for (const h of rows.history[i]!) hi.run(h);
    for (const j of rows.journal[i]!) jo.run(j);
  };
  /** The line the server writes once per actor and commit group, before COMMIT (server/auth/audit.ts). */
  const auditLine = (rows: RowSet) => rows.audit && au.run(rows.audit);
  return Object.assign(insert, { auditLine });
}

/** (a) one transaction (one fsync) per event, for at most `maxMs`. */
function rawPerRow(rows: RowSet, maxMs: number) {
  const dir = tempDataDir();
  const { db } = freshDb(dir);
  const insert = rawInsert(db);
  const one = db.transaction((i: number) => insert(rows, i));
  const t0 = clock();
  let n = 0;
  while (n < rows.events.length && clock() - t0 < maxMs) one(n++);
  const ms = clock() - t0;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { events: n, ms: round(ms, 0), eventsPerSec: round(n / (ms / 1000), 0) };
}

/** (b) transactions of `group` events each: the storage's ceiling at the server's grouping. */
function rawGrouped(rows: RowSet, group: number) {
  const dir = tempDataDir();
  const { db } = freshDb(dir);
  const insert = rawInsert(db);
  const many = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert(rows, i);
    insert.auditLine(rows);
  });
  const t0 = clock();
  const n = rows.events.length;
  let commits = 0;
  for (let i = 0; i < n; i += group) {
    many(i, Math.min(n, i + group));
    commits++;
  }
  const ms = clock() - t0;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { events: n, group, commits, ms: round(ms, 0), eventsPerSec: round(n / (ms / 1000), 0) };
}

const port = (s: TestServer) => Number(new URL(s.url).port);

/**
 * The floors under the API, same load generator and bodies: node:http alone (read the body,
 * JSON.parse it, answer 201 with a small JSON), then Hono on @hono/node-server with the same
 * security headers middleware and a JSON answer the size of the real one. No validation, no
 * SQLite, no projection.
 */
async function floors(o: IngestOptions) {
  const answer = JSON.stringify({ event: { id: 1, code: '20261122000001', title: 'x'.repeat(700) }, created: true });
  const bare = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const nodeHttp = await drive((bare.address() as AddressInfo).port, null, {
    path: '/api/v1/events', perRequest: 1, concurrency: o.concurrency, warmupMs: 1_000, durationMs: o.floorDurationMs, seed: 400,
  });
  await new Promise<void>((r) => bare.close(() => r()));

  const app = new Hono();
  app.use('*', secureHeaders());
  app.post('/api/v1/events', async (c) => {
    JSON.parse(await c.req.text());
    return c.json(JSON.parse(answer), 201);
  });
  const honoServer = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const hono = await drive((honoServer.address() as AddressInfo).port, null, {
    path: '/api/v1/events', perRequest: 1, concurrency: o.concurrency, warmupMs: 1_000, durationMs: o.floorDurationMs, seed: 401,
  });
  await new Promise<void>((r) => honoServer.close(() => r()));
  return { nodeHttp, hono };
}

export async function benchIngest(o: IngestOptions) {
  // Production batching (BATCH_MS 100, the default) rather than the tests' 50 ms.
  const env = { BATCH_MS: '100' };

  // --- POST /api/v1/events, one event per request ----------------------------------------
  const server = await startServer({ env });
  const single: WindowFigures[] = [];
  for (let r = 0; r < o.repeats; r++) {
    const f = await drive(port(server), server.app.queue, {
      path: '/api/v1/events', perRequest: 1, concurrency: o.concurrency,
      warmupMs: r === 0 ? 2_000 : 500, durationMs: o.durationMs, seed: 100 + r, apiKey: apiKey(server.app).secret,
    });
    single.push(f);
    console.log(`  ingest POST /events run ${r + 1}: ${f.eventsPerSec} events/s, ${f.commits} commits, avg group ${f.avgGroup}, largest ${f.largestGroup}, server CPU ${f.serverCpu}, loadgen CPU ${f.loadgenCpu}`);
  }
  const totalEvents = (server.app.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  const openInModel = server.app.model.openCount(server.app.directory.defaultCommunity()!.id);
  // The same rows, for the raw loops (a bounded number keeps the run short).
  const rows = readRows(server.app.db, 60_000);
  await server.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });

  // --- POST /api/v1/events/ingest, `bulkSize` events per request -------------------------
  const bulkServer = await startServer({ env });
  const bulk = await drive(port(bulkServer), bulkServer.app.queue, {
    path: '/api/v1/events/ingest', perRequest: o.bulkSize, concurrency: o.bulkConcurrency,
    warmupMs: 1_000, durationMs: o.bulkDurationMs, seed: 200, apiKey: apiKey(bulkServer.app).secret,
  });
  console.log(`  ingest bulk (${o.bulkSize}/request): ${bulk.eventsPerSec} events/s, server CPU ${bulk.serverCpu}`);
  await bulkServer.stop();
  fs.rmSync(bulkServer.dataDir, { recursive: true, force: true });

  // --- the raw better-sqlite3 loops, same rows, same schema and pragmas -------------------
  const avgGroup = Math.max(1, Math.round(single.reduce((a, f) => a + f.writes, 0) / single.reduce((a, f) => a + f.commits, 0)));
  const perRow = rawPerRow(rows, o.rawPerRowMaxMs);
  console.log(`  raw, one transaction per event: ${perRow.eventsPerSec} events/s (${perRow.events} events)`);
  const grouped = rawGrouped(rows, avgGroup);
  console.log(`  raw, groups of ${avgGroup}: ${grouped.eventsPerSec} events/s (${grouped.events} events)`);
  // The bulk intake's ceiling: the same rows in transactions of one request's size.
  const bulkGrouped = rawGrouped(rows, o.bulkSize);
  console.log(`  raw, groups of ${o.bulkSize}: ${bulkGrouped.eventsPerSec} events/s`);

  // --- the HTTP floors ---------------------------------------------------------------------
  const floor = await floors(o);
  console.log(`  floor, node:http alone: ${floor.nodeHttp.eventsPerSec} requests/s; Hono + secureHeaders: ${floor.hono.eventsPerSec} requests/s`);

  const rates = single.map((f) => f.eventsPerSec).sort((a, b) => a - b);
  return {
    single: {
      runs: single,
      medianEventsPerSec: rates[Math.floor(rates.length / 2)]!,
      minEventsPerSec: rates[0]!,
      maxEventsPerSec: rates[rates.length - 1]!,
      eventsInDbAfter: totalEvents,
      openEventsInReadModelAfter: openInModel,
    },
    bulk: { ...bulk, perRequest: o.bulkSize, concurrency: o.bulkConcurrency },
    httpFloor: {
      nodeHttpRequestsPerSec: floor.nodeHttp.eventsPerSec,
      honoRequestsPerSec: floor.hono.eventsPerSec,
      nodeHttp: floor.nodeHttp,
      hono: floor.hono,
    },
    raw: {
      rowsPerEvent: round((rows.events.length + rows.history.flat().length + rows.journal.flat().length) / rows.events.length, 2),
      perRowTransaction: perRow,
      grouped,
      bulkGrouped,
    },
  };
}
