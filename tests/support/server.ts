/**
 * Test support: a real Cerebellum on port 0 over a real SQLite file in a temporary folder,
 * with the demo community installed, and real socket.io clients.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { loadConfig } from '../../server/config.ts';
import { createCerebellum, type Cerebellum } from '../../server/app.ts';
import { installDemoCommunity, seedHistory } from '../../server/demo/seed.ts';
import { openDatabase } from '../../server/db/index.ts';
import { Directory } from '../../server/community.ts';
import { LiveClient } from '../../shared/live-client.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol.ts';

export interface TestServer {
  app: Cerebellum;
  url: string;
  dataDir: string;
  /** Stop the server, keeping its data folder (for restart tests). */
  stop(): Promise<void>;
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-test-'));
}

export interface StartOptions {
  dataDir?: string;
  /** Days of demo history to seed on first start (0 for none). */
  historyDays?: number;
  port?: number;
  env?: Record<string, string>;
  now?: () => number;
}

/** Start a server with the demo community on a (new or given) data folder. */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const config = loadConfig({ DATA_DIR: dataDir, PORT: String(opts.port ?? 0), HOST: '127.0.0.1', LOG_LEVEL: 'silent', BATCH_MS: '50', ...opts.env }, []);
  const db = openDatabase(config.dbFile);
  const now = opts.now ?? Date.now;
  if (installDemoCommunity(new Directory(db), now()) && (opts.historyDays ?? 0) > 0) {
    seedHistory(db, now(), { days: opts.historyDays, perDay: 30 });
  }
  db.close();
  const app = createCerebellum({ config, logger: pino({ level: 'silent' }), now });
  const port = await app.listen();
  return { app, url: `http://127.0.0.1:${port}`, dataDir, stop: () => app.close() };
}

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io client; `display` connects as a public wall display. */
export function openSocket(url: string, opts: { display?: boolean; reconnection?: boolean } = {}): TestSocket {
  return connect(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: opts.reconnection ?? true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 300,
    auth: { audience: opts.display ? 'display' : 'staff' },
  });
}

/** A LiveClient on a real socket, with a promise for its first snapshot. */
export function openLive(url: string, opts: { display?: boolean } = {}) {
  const socket = openSocket(url, opts);
  const client = new LiveClient(socket, { view: 'screen' });
  return { socket, client, close: () => socket.close() };
}

/** Wait until `check` holds, polling; fails with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** POST JSON and return status and parsed body. */
export async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

export async function get(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** A valid report for the demo community. */
export const sampleReport = (over: Record<string, unknown> = {}) => ({
  category: 'environment', subcategory: 'garbage', urgency: 'normal', source: 'resident',
  title: '桂花苑3幢楼下垃圾堆放', description: '住户王建国反映，电话13812345678，垃圾两天未清运。',
  gridId: 'G01', address: '桂花苑3幢2单元501室', reporterName: '王建国', reporterPhone: '13812345678',
  ...over,
});
