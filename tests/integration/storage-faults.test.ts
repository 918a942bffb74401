/**
 * When the database cannot take a write: another program holds its write lock (a real second
 * process), or it is full (a real SQLITE_FULL, by `max_page_count`). Writes wait for the lock on
 * timers and go through once it is released; past DB_BUSY_WAIT_MS, or on a full disk, they are
 * refused with a 503 of their own code and `Retry-After`, nothing of them written. Reads and
 * live subscribers keep working, /health and /ready say what is wrong, and the log says it once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  ADMIN_USERNAME, TEST_PASSWORD, get, openSocket, post, request, sampleReport, startServer, until, type TestServer,
} from '../support/server.ts';
import { rowCounts } from './db-state.ts';
import type { SubscribeResult } from '../../shared/protocol.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUSY_WAIT_MS = 3_000;

let ts: TestServer;
let api: string;
beforeAll(async () => {
  ts = await startServer({ env: { DB_BUSY_WAIT_MS: String(BUSY_WAIT_MS) } });
  api = `${ts.url}/api/v1`;
});
afterAll(() => ts.stop());

/** Everything a refused write could have touched. */
function counts() {
  const n = (sql: string) => (ts.app.db.prepare(sql).get() as { n: number }).n;
  return {
    ...rowCounts(ts.app),
    seq: ts.app.journal.head(),
    audit: n('select count(*) n from audit_log'),
    sessions: n('select count(*) n from sessions'),
  };
}

/**
 * Another program (a separate node process with its own better-sqlite3 connection, as a CLI
 * writer or `sqlite3` would be) takes the database's write lock with BEGIN IMMEDIATE and holds
 * it for `ms`, then commits. Resolves once the lock is held; `released` once the process ended.
 */
async function holdWriteLock(ms: number): Promise<{ released: Promise<void> }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));
  `;
  const child = spawn(process.execPath, ['-e', script, ts.app.config.dbFile, String(ms)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the lock holder exited with ${code}`))));
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('error', reject);
    released.catch(reject);
  });
  return { released };
}

const report = (title: string) => post(`${api}/events`, sampleReport({ title }));
const ingest = (prefix: string, n: number) => post(`${api}/events/ingest`, {
  events: Array.from({ length: n }, (_, i) => sampleReport({ title: `${prefix} ${i}`, source: 'hotline', externalId: `${prefix}-${i}` })),
});

/** Wait until /health says writes are taken again (an episode ends a few seconds after the last fault). */
const healthy = () => until(() => lastHealth?.storage === 'ok', 'storage ok in /health', 10_000);
/** /ready answers 200 again (asked afresh: on a busy machine the episode may end a poll later than /health saw). */
async function readyAgain() {
  const end = Date.now() + 10_000;
  let status = 0;
  while ((status = (await request(`${api}/ready`, { as: null })).status) !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  expect(status).toBe(200);
}
let lastHealth: { storage: string } | null = null;
let poll: NodeJS.Timeout;
beforeAll(() => {
  poll = setInterval(() => void get(`${api}/health`).then((r) => (lastHealth = r.body)).catch(() => {}), 100);
});
afterAll(() => clearInterval(poll));

describe('a write lock held by another program', () => {
  it('lets writes made during a lock of a second and a half through once it is released, none of them a 500, while reads answer', async () => {
    const before = counts();
    const { released } = await holdWriteLock(1_500);
    const started = Date.now();
    // The server runs in this process: a synchronous wait for the lock would stop this timer too.
    let lastTick = Date.now();
    let longestStall = 0;
    const ticker = setInterval(() => {
      longestStall = Math.max(longestStall, Date.now() - lastTick);
      lastTick = Date.now();
    }, 10);
    const writes = Promise.all(Array.from({ length: 8 }, (_, i) => report(`锁期间上报 ${i}`)));
    await new Promise((r) => setTimeout(r, 100));
    // A read and the health answer while the writes wait.
    const list = await get(`${api}/events?limit=5`);
    const health = await get(`${api}/health`);
    expect(list.status).toBe(200);
    expect(health.body).toMatchObject({ ok: false, storage: 'busy' });
    expect(counts().events).toBe(before.events);
    const answers = await writes;
    clearInterval(ticker);
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    // Waiting for the lock froze nothing for long (a synchronous wait would freeze ~1.5 s).
    expect(longestStall).toBeLessThan(800);
    await released;
    expect(counts().events).toBe(before.events + 8);
    await healthy();
  });

  it('refuses writes that waited DB_BUSY_WAIT_MS with 503 error.db_busy and Retry-After, writing nothing of them', async () => {
    const before = counts();
    const { released } = await holdWriteLock(BUSY_WAIT_MS + 1_500);
    const started = Date.now();
    const writes = Promise.all([
      request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '锁太久的上报' }) }),
      ingest('locked-out', 20),
    ]);
    // Accounts and sessions are written outside the queue: a login is refused the same way, at once.
    const login = await request(`${api}/auth/login`, { method: 'POST', as: null, body: { username: ADMIN_USERNAME, password: TEST_PASSWORD } });
    expect(login.status).toBe(503);
    expect(login.body.error.code).toBe('error.db_busy');
    expect(login.headers.get('retry-after')).toBe('2');
    const [one, many] = await writes;
    expect(Date.now() - started).toBeGreaterThanOrEqual(BUSY_WAIT_MS - 100);
    expect([one.status, many.status]).toEqual([503, 503]);
    expect(one.headers.get('retry-after')).toBe('2');
    for (const r of [one, many]) expect(r.body.error).toMatchObject({ code: 'error.db_busy', retryAfter: 2 });
    const ready = await request(`${api}/ready`, { as: null });
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, storage: 'busy' });
    expect(counts()).toEqual(before);
    await released;
    // Nothing refused is written later behind the client's back.
    await new Promise((r) => setTimeout(r, 300));
    expect(counts()).toEqual(before);
    expect((await report('锁释放后上报')).status).toBe(201);
    await healthy();
    await readyAgain();
  }, 20_000);
});

describe('a full database', () => {
  it('refuses writes with 503 error.storage_full and Retry-After, writes nothing of them, says so once, and recovers when there is room', async () => {
    const db = ts.app.db;
    const errors = vi.spyOn(ts.app.logger, 'error');
    const infos = vi.spyOn(ts.app.logger, 'info');
    const socket = openSocket(ts.url, { display: true });
    try {
      db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true })) + 8}`);
      // Fill it: reports with long descriptions until one is refused.
      const long = '需要上门处理。'.repeat(500);
      let refused: Awaited<ReturnType<typeof report>> | null = null;
      for (let i = 0; i < 200 && !refused; i++) {
        const r = await post(`${api}/events`, sampleReport({ title: `填满 ${i}`, description: long }));
        if (r.status !== 201) refused = r;
      }
      expect(refused?.status).toBe(503);
      expect(refused?.body.error).toMatchObject({ code: 'error.storage_full', retryAfter: 30 });

      const before = counts();
      const raw = await request(`${api}/events`, { method: 'POST', body: sampleReport({ title: '满了', description: long }) });
      expect(raw.status).toBe(503);
      expect(raw.headers.get('retry-after')).toBe('30');
      const bulk = await ingest('full', 50);
      expect(bulk.status).toBe(503);
      expect(bulk.body.error.code).toBe('error.storage_full');
      // Nothing half-written: no event, history line, journal entry or audit line of them.
      expect(counts()).toEqual(before);
      expect(db.prepare("select count(*) n from events where external_id like 'full-%'").get()).toEqual({ n: 0 });

      // Reads and live subscribers carry on.
      expect((await get(`${api}/events?limit=5`)).status).toBe(200);
      const sub = (await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' })) as SubscribeResult;
      expect(sub).toMatchObject({ ok: true, mode: 'snapshot', snapshot: { seq: ts.app.journal.head() } });

      const health = await get(`${api}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ ok: false, storage: 'full' });
      expect(health.body.storageSince).toMatch(/\+08:00$/);
      const ready = await request(`${api}/ready`, { as: null });
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('30');
      // One line for the episode, however many writes it refused.
      const fullLines = () => errors.mock.calls.filter(([o]) => (o as { storage?: string } | undefined)?.storage === 'full');
      expect(fullLines()).toHaveLength(1);
      expect(errors.mock.calls.filter(([, msg]) => msg === 'request failed')).toEqual([]);

      // Room again: writes go through and the episode ends, with one line.
      db.pragma('max_page_count = 1073741823');
      expect((await report('有空间了')).status).toBe(201);
      await healthy();
      expect(counts().events).toBe(before.events + 1);
      await readyAgain();
      expect(fullLines()).toHaveLength(1);
      expect(infos.mock.calls.filter(([o, msg]) => msg === 'writes succeed again' && (o as { storage: string }).storage === 'full')).toHaveLength(1);
    } finally {
      socket.close();
      errors.mockRestore();
      infos.mockRestore();
      db.pragma('max_page_count = 1073741823');
    }
  }, 30_000);
});
