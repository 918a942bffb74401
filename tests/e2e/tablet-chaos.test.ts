/**
 * The tablet's chaos run (issue 14): a grid worker reports case after case with a photo of
 * several MB while the network comes and goes, the page is reloaded mid-send and the server is
 * killed (-9) and started again in the middle of sending. At the end, with everything back,
 * every report is in the database exactly once with its photo whole — counted in the database
 * file itself, not through the API the tablet used.
 *
 * CHAOS_CYCLES sets the number of cycles (default 50, as `npm test` runs it); CHAOS_SEED the
 * random seed (printed, so a failing run can be repeated).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { tempDataDir } from '../support/server.ts';

const CYCLES = Number(process.env.CHAOS_CYCLES ?? 50);
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
const USERNAME = 'chaos.worker';
const PASSWORD = 'chaos-password-1234';

if (!fs.existsSync(path.join(CLIENT_DIR, 'tablet-sw.js'))) {
  throw new Error(`The tablet is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

/** mulberry32: a small seeded generator, so a run can be repeated from its seed. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = seeded(SEED);

/** A PNG of coloured noise (w×h, RGB): noise survives the tablet's JPEG compression, so the photo stays several MB. */
function noisePng(w: number, h: number): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let i = 0; i < raw.length; i++) raw[i] = (random() * 256) | 0;
  for (let y = 0; y < h; y++) raw[y * (w * 3 + 1)] = 0;
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A slow link between the tablet and the server: every piece of an answer is held back 0–600 ms
 * (in order). A server that has committed a write is then still answering it when the network
 * drops, the page reloads or the server is killed: the window where a retry without its key
 * would write twice (Enketo's ten copies of one submission came from a slow server).
 */
function slowLink(listenPort: number, targetPort: number): Promise<net.Server> {
  const proxy = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    let chain = Promise.resolve();
    client.pipe(upstream);
    upstream.on('data', (piece: Buffer) => {
      const delay = random() * 600;
      chain = chain.then(() => new Promise<void>((r) => setTimeout(() => {
        if (!client.destroyed) client.write(piece);
        r();
      }, delay)));
    });
    upstream.on('end', () => void chain.then(() => client.end()));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    client.on('error', close);
    client.on('close', () => upstream.destroy());
  });
  return new Promise((resolve) => proxy.listen(listenPort, '127.0.0.1', () => resolve(proxy)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('the tablet under chaos', () => {
  let dataDir: string;
  let port: number;
  let base: string;
  let server: ChildProcess | null = null;
  let serverPort: number;
  let link: net.Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const tally = { offline: 0, reloads: 0, kills: 0, killsWhileSending: 0, refilled: 0 };
  /** What the page said and did lately: printed when a report is not seen kept. */
  const logs: string[] = [];

  async function startServer(): Promise<void> {
    const child = fork(path.resolve('tests/support/forked-server.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env, DATA_DIR: dataDir, PORT: String(serverPort), HOST: '127.0.0.1', LOG_LEVEL: 'silent', SCRYPT_COST: '1024',
        FORKED_USERNAME: USERNAME, FORKED_PASSWORD: PASSWORD, NODE_ENV: 'production',
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the server exited with ${code} before it was ready`)));
    });
    child.removeAllListeners('exit');
    server = child;
  }

  async function killServer(): Promise<void> {
    const child = server;
    if (!child) return;
    server = null;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  const waiting = async () => Number(await page.locator('[data-waiting]').getAttribute('data-waiting'));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Fill the report form with `title`, a pin in G01 and a photo, and press 提交; the page's time origin as pressed. */
  async function fillAndSubmit(title: string, cycle: number): Promise<number> {
    if (!page.url().endsWith('/tablet/report')) await page.goto(`${base}/tablet/report`).catch(() => page.reload());
    const form = page.locator('[data-report]');
    await form.waitFor({ timeout: 20_000 });
    await form.locator('input[name=title]').fill(title);
    await form.locator('input[name=address]').fill(`幸福路${cycle + 1}号`);
    // The pin in the worker's grid (a tap on the map), which fills the grid.
    const g01 = await page.locator('[data-map] [data-grid="G01"]').boundingBox();
    await page.locator('[data-map]').click({ position: await (async () => {
      const map = (await page.locator('[data-map]').boundingBox())!;
      return { x: g01!.x - map.x + g01!.width / 2, y: g01!.y - map.y + g01!.height / 2 };
    })() });
    await page.locator('[data-map] [data-grid="G01"].here').waitFor({ timeout: 5_000 });
    const png = noisePng(1800 + ((random() * 240) | 0), 1400);
    await page.locator('[data-photos="report"] [data-gallery]').setInputFiles({ name: `现场-${cycle}.png`, mimeType: 'image/png', buffer: png });
    await form.locator('[data-photo]').first().waitFor({ timeout: 20_000 });
    const origin = await page.evaluate(() => performance.timeOrigin);
    await form.locator('[data-submit]').click();
    return origin;
  }

  /** How many records of the tablet's outbox (IndexedDB) carry `title`. */
  const keptOnTablet = (title: string) => page.evaluate(async (t) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('cerebellum-tablet');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const r = db.transaction('outbox').objectStore('outbox').getAll();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      return all.filter((e) => JSON.stringify(e).includes(t)).length;
    } finally {
      db.close();
    }
  }, title);

  beforeAll(async () => {
    dataDir = tempDataDir();
    port = await freePort();
    serverPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    await startServer();
    link = await slowLink(port, serverPort);
    browser = await chromium.launch({
      executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('console', (m) => void logs.push(`${new Date().toISOString()} console.${m.type()} ${m.text()}`));
    page.on('pageerror', (e) => void logs.push(`${new Date().toISOString()} pageerror ${e.message}`));
    page.on('framenavigated', (f) => void (f === page.mainFrame() && logs.push(`${new Date().toISOString()} navigated ${f.url()}`)));
    await page.goto(`${base}/tablet`);
    await page.locator('[data-login] input[name=username]').fill(USERNAME);
    await page.locator('[data-login] input[name=password]').fill(PASSWORD);
    await page.locator('[data-login] button[type=submit]').click();
    await page.locator('[data-whose]').waitFor();
    // The app shell is kept by the service worker before the first reload offline.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await killServer();
    link?.close();
    console.log(`tablet chaos: seed ${SEED}, ${CYCLES} cycles, ${tally.offline} offline spells, ${tally.reloads} reloads, ${tally.kills} kills (${tally.killsWhileSending} while sending), ${tally.refilled} forms filled again`);
  });

  it(`sends every report once with its photo whole through ${CYCLES} cycles of offline spells, reloads and kill -9`, async () => {
    const photos = new Map<string, number>();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const title = `混沌测试 ${SEED}-${cycle}`;
      // The worker fills the report and presses 提交; "已保存在本机" says it is kept. Should the
      // page have been replaced under their hands (a reload, a new version taking over), the
      // form is empty and nothing was kept: they fill it again, as anyone would. A report kept
      // twice would show in the count at the end.
      for (let attempt = 1; ; attempt++) {
        const pressedIn = await fillAndSubmit(title, cycle);
        // Kept: "已保存在本机" shows and the form is emptied of this report — the toast alone may
        // still be the last report's (it stays 3 s), and this press's save may not have finished.
        const title$ = page.locator('[data-report] input[name=title]');
        const saved = await expect.poll(async () => (await title$.inputValue().catch(() => title)) !== title
          && await page.locator('[role=status]').first().isVisible().catch(() => false), { timeout: 10_000, interval: 100 }).toBe(true).then(() => true, () => false);
        if (saved) break;
        const kept = await keptOnTablet(title).catch(() => -1);
        const replaced = await page.evaluate(() => performance.timeOrigin).then((o) => o !== pressedIn, () => true);
        console.log(`tablet chaos: cycle ${cycle}, attempt ${attempt}: no "saved" within 10 s; ${kept} kept on the tablet; page replaced: ${replaced}; at ${page.url()}\n` +
          `${(await page.locator('body').innerText().catch(() => '')).slice(0, 600)}\n${logs.slice(-30).join('\n')}`);
        if (kept > 0) break;
        // The same page, and the press kept nothing: that is the app failing the worker.
        if (!replaced) throw new Error(`cycle ${cycle}: 提交 on the report "${title}" kept nothing and said nothing (see the log above)`);
        if (attempt >= 2) throw new Error(`cycle ${cycle}: the report "${title}" was not kept after two tries (see the log above)`);
        tally.refilled++;
      }
      photos.set(title, 1);

      // Then one thing goes wrong, as it does in a stairwell.
      const roll = random();
      if (roll < 0.3) {
        tally.offline++;
        await context.setOffline(true);
        await sleep(200 + random() * 1200);
        if (random() < 0.5) {
          tally.reloads++;
          await page.reload().catch(() => {});
        }
        await context.setOffline(false);
      } else if (roll < 0.6) {
        tally.kills++;
        await sleep(random() * 400);
        if (await waiting() > 0) tally.killsWhileSending++;
        await killServer();
        await sleep(random() * 1500);
        if (random() < 0.4) {
          tally.reloads++;
          await page.reload().catch(() => {});
        }
        await startServer();
      } else if (roll < 0.8) {
        tally.reloads++;
        await sleep(random() * 300);
        await page.reload().catch(() => {});
      }
    }

    // Everything back: the tablet drains on its own (online, on show, on its timer); the worker may press 现在发送.
    await context.setOffline(false);
    if (!server) await startServer();
    await page.goto(`${base}/tablet/sync`);
    const deadline = Date.now() + 240_000;
    while (await waiting() > 0) {
      if (Date.now() > deadline) throw new Error(`${await waiting()} records still wait after 4 minutes`);
      await page.locator('[data-sync] button.primary').click({ timeout: 2_000 }).catch(() => {});
      await sleep(1_000);
    }
    // Every record the tablet holds says the server received it: none refused, none failed.
    const states = await page.locator('[data-record]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-state')}: ${e.textContent}`));
    expect(states.filter((s) => !s.startsWith('received'))).toEqual([]);

    // Counted in the database file itself.
    const db = new Database(path.join(dataDir, 'cerebellum.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT id, title FROM events WHERE title LIKE '混沌测试 %'").all() as { id: number; title: string }[];
      const byTitle = new Map<string, number>();
      for (const r of rows) byTitle.set(r.title, (byTitle.get(r.title) ?? 0) + 1);
      const lost = [...photos.keys()].filter((t) => !byTitle.has(t));
      const doubled = [...byTitle].filter(([, n]) => n > 1).map(([t]) => t);
      expect({ lost, doubled, reports: rows.length }).toEqual({ lost: [], doubled: [], reports: CYCLES });
      const photoRows = db.prepare(
        "SELECT p.event_id AS eventId, p.sha256, p.bytes FROM event_photos p JOIN events e ON e.id = p.event_id WHERE e.title LIKE '混沌测试 %'",
      ).all() as { eventId: number; sha256: string; bytes: number }[];
      expect(photoRows).toHaveLength(CYCLES);
      let smallest = Infinity;
      for (const p of photoRows) {
        const file = path.join(dataDir, 'photos', 'blobs', p.sha256);
        const bytes = fs.readFileSync(file);
        expect(bytes.length).toBe(p.bytes);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(p.sha256);
        smallest = Math.min(smallest, bytes.length);
      }
      // The photos were several MB each, as a phone's are.
      expect(smallest).toBeGreaterThan(1_000_000);
    } finally {
      db.close();
    }
  }, 30 * 60_000);
});
