/**
 * The compiled server (`npm run build` → dist/server) as production runs it: plain `node`, no
 * TypeScript loader. It finds the built client beside it, and a stop (SIGTERM, as systemd sends)
 * closes it in order with exit code 0, even in the middle of its start.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_DIR } from '../../server/app.ts';
import { tempDataDir, until } from '../support/server.ts';

const MAIN = path.resolve('dist/server/main.js');

if (!fs.existsSync(MAIN) || !fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error('Nothing built: run npm run build before this test.');
}

interface Running {
  log: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: (signal?: NodeJS.Signals) => void;
}

const running: Running[] = [];

function startCompiled(args: string[]): Running {
  const dataDir = tempDataDir();
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SCRYPT_COST: '1024', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })));
  const r = { log: () => out, exited, stop: (signal: NodeJS.Signals = 'SIGTERM') => void child.kill(signal) };
  running.push(r);
  return r;
}

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop('SIGKILL');
    await r.exited;
  }
});

describe('the compiled server on plain node', () => {
  it('serves the wall and the API, and stops on SIGTERM with exit code 0', async () => {
    const server = startCompiled([]);
    await until(() => /Cerebellum is running on port (\d+)/.test(server.log()), 'the server to listen', 20_000);
    const base = `http://127.0.0.1:${/Cerebellum is running on port (\d+)/.exec(server.log())![1]!}`;
    const health = await fetch(`${base}/api/v1/health`);
    expect(health.status).toBe(200);
    await expect(health.json()).resolves.toMatchObject({ ok: true });
    const page = await fetch(`${base}/screen`);
    expect(page.status).toBe(200);
    await expect(page.text()).resolves.toContain('/assets/screen-');
    server.stop();
    await expect(server.exited).resolves.toEqual({ code: 0, signal: null });
    expect(server.log()).toContain('shutting down');
  });

  it('stops in order when told to in the middle of installing the demo', async () => {
    const server = startCompiled(['--demo']);
    await until(() => server.log().includes('Cerebellum is running'), 'the server to listen', 30_000);
    server.stop();
    await expect(server.exited).resolves.toEqual({ code: 0, signal: null });
    expect(server.log()).toContain('shutting down');
  });
});
