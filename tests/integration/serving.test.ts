/**
 * The built client served like a web product (issue 10): precompressed brotli or gzip as the
 * browser asks, a year's cache only for hashed assets that exist, 304 on pages, 405 with Allow
 * for a wrong method, and /screen's JavaScript within its budget as served.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIR } from '../../server/app.ts';
import { clientPages } from '../../server/http/pages.ts';
import { benchBundle } from '../bench/bundle.ts';
import { request, startServer, type TestServer } from '../support/server.ts';

if (!fs.existsSync(path.join(CLIENT_DIR, 'screen', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build before this test.`);
}

/** The first scene's JS as served (brotli), and all of /screen's: issue 10's goals. */
const FIRST_SCENE_BUDGET = 150 * 1000;
const SCREEN_BUDGET = 250 * 1000;

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes on the wire, not decoded. */
  body: Buffer;
}

/** A request with exactly these headers, the answer's bytes as sent (fetch would decode them). */
function raw(url: string, o: { method?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The page's own script: `/assets/screen-<hash>.js`. */
function screenScript(): string {
  const html = fs.readFileSync(path.join(CLIENT_DIR, 'screen', 'index.html'), 'utf8');
  return /<script[^>]*\bsrc="([^"]+)"/.exec(html)![1]!;
}

describe('serving the built client', () => {
  let server: TestServer;
  let script: string;
  let plain: Buffer;

  beforeAll(async () => {
    server = await startServer();
    script = screenScript();
    plain = fs.readFileSync(path.join(CLIENT_DIR, script));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('sends the wall\'s script as brotli to a browser that takes it, with its type, length and Vary', async () => {
    const r = await raw(server.url + script, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeLessThan(plain.length / 2);
    expect(zlib.brotliDecompressSync(r.body).equals(plain)).toBe(true);
  });

  it('honours the browser\'s q-values: gzip when brotli is refused or rated lower, plain when nothing is taken', async () => {
    const encodingFor = async (accept?: string) =>
      (await raw(server.url + script, accept === undefined ? {} : { headers: { 'accept-encoding': accept } })).headers['content-encoding'] ?? 'none';
    await expect(encodingFor('br;q=0, gzip')).resolves.toBe('gzip');
    await expect(encodingFor('gzip;q=1.0, br;q=0.5')).resolves.toBe('gzip');
    await expect(encodingFor('gzip')).resolves.toBe('gzip');
    await expect(encodingFor('*')).resolves.toBe('br');
    await expect(encodingFor('identity')).resolves.toBe('none');
    await expect(encodingFor('deflate')).resolves.toBe('none');
    await expect(encodingFor()).resolves.toBe('none');
    const gz = await raw(server.url + script, { headers: { 'accept-encoding': 'gzip' } });
    expect(zlib.gunzipSync(gz.body).equals(plain)).toBe(true);
    const none = await raw(server.url + script);
    expect(none.body.equals(plain)).toBe(true);
    expect(none.headers.vary).toBe('Accept-Encoding');
  });

  it('keeps a hashed asset for a year, and answers HEAD with its length and no body', async () => {
    const r = await raw(server.url + script, { method: 'HEAD', headers: { 'accept-encoding': 'br' } });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(r.headers['content-length'])).toBe(fs.statSync(path.join(CLIENT_DIR, script + '.br')).size);
    expect(r.body.length).toBe(0);
  });

  it('answers a missing asset with a 404 that nobody keeps', async () => {
    const r = await raw(`${server.url}/assets/screen-DOESNOTEXIST.js`, { headers: { 'accept-encoding': 'br' } });
    expect(r.status).toBe(404);
    expect(r.headers['cache-control']).toBe('no-store');
    // Nor does a path out of the folder, or a twin asked for by name, give anything away.
    for (const p of ['/assets/..%2f..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', `${script}.br`]) {
      expect((await raw(server.url + p)).status, p).toBe(404);
    }
  });

  it('sends a page compressed with an ETag, checked before each use, and 304 when the browser has it', async () => {
    const first = await raw(`${server.url}/screen`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(first.headers['content-encoding']).toBe('br');
    expect(first.headers['cache-control']).toBe('no-cache');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(zlib.brotliDecompressSync(first.body).toString()).toContain(script);
    // The security headers go with pages as with the API.
    expect(first.headers['content-security-policy']).toContain("script-src 'self'");

    const again = await raw(`${server.url}/screen`, { headers: { 'accept-encoding': 'br, gzip', 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    // The same content in another coding is the same page: a weak tag matches across codings.
    expect((await raw(`${server.url}/console/users`, { headers: { 'if-none-match': etag } })).status).toBe(200);
    expect((await raw(`${server.url}/screen/`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const since = await raw(`${server.url}/screen`, { headers: { 'if-modified-since': first.headers['last-modified']! } });
    expect(since.status).toBe(304);
  });

  it('refuses a wrong method on a page with 405 and the methods it takes', async () => {
    for (const [method, p] of [['POST', '/screen'], ['DELETE', '/console/users'], ['PUT', script]] as const) {
      const r = await raw(server.url + p, { method });
      expect(r.status, `${method} ${p}`).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
    expect((await raw(`${server.url}/nowhere`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses a wrong method on a known API path with 405 and Allow, and an unknown path with 404', async () => {
    const wrong = await request(`${server.url}/api/v1/events`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(wrong.body.error.code).toBe('error.method_not_allowed');
    const one = await request(`${server.url}/api/v1/events/123`, { method: 'PUT', body: {} });
    expect(one.status).toBe(405);
    expect(one.headers.get('allow')).toBe('GET, HEAD');
    const unknown = await request(`${server.url}/api/v1/no-such-thing`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('error.not_found');
  });

  it('tells a caller without credentials only to log in, whichever method or path it tries', async () => {
    for (const [method, p] of [['DELETE', '/api/v1/events'], ['DELETE', '/api/v1/no-such-thing'], ['GET', '/api/v1/events']] as const) {
      const r = await request(server.url + p, { method, as: null });
      expect(r.status, `${method} ${p}`).toBe(401);
      expect(r.headers.get('allow'), `${method} ${p}`).toBeNull();
    }
  });

  it('keeps /screen\'s JavaScript as served within budget: the first scene ≤ 150 kB, all of it ≤ 250 kB', async () => {
    const b = benchBundle('screen', CLIENT_DIR);
    // What the server really sends for each file, as a browser that takes brotli asks for it.
    const served = async (files: string[]) => {
      let sum = 0;
      for (const f of files) {
        const r = await raw(`${server.url}/${f}`, { method: 'HEAD', headers: { 'accept-encoding': 'gzip, deflate, br' } });
        expect(r.status, f).toBe(200);
        sum += Number(r.headers['content-length']);
      }
      return sum;
    };
    const first = await served(b.moments.page.files);
    const all = await served(b.files.filter((f) => f.file.endsWith('.js')).map((f) => f.file));
    expect(first).toBe(b.moments.page.served);
    expect(all).toBe(b.js.served);
    expect(first, `first scene ${first} B`).toBeLessThanOrEqual(FIRST_SCENE_BUDGET);
    expect(all, `all of /screen ${all} B`).toBeLessThanOrEqual(SCREEN_BUDGET);
    // The chart engine is not in the page's first script: the scene shows before it arrives.
    expect(b.moments.page.files.some((f) => /echarts/.test(f))).toBe(false);
  });
});

describe('pages from a client folder being built', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-client-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says the client is not built (503, not kept) when a page is missing', async () => {
    const app = clientPages({ clientDir: dir });
    const r = await app.request('/console');
    expect(r.status).toBe(503);
    expect(r.headers.get('cache-control')).toBe('no-store');
    await expect(r.text()).resolves.toContain('npm run build');
  });

  it('ignores a compressed twin older than its file (left by an earlier build) and serves any other built file by path', async () => {
    fs.mkdirSync(path.join(dir, 'screen'), { recursive: true });
    const page = path.join(dir, 'screen', 'index.html');
    fs.writeFileSync(page + '.br', zlib.brotliCompressSync('<p>old</p>'));
    fs.writeFileSync(page, '<p>new</p>');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(page + '.br', old, old);
    const app = clientPages({ clientDir: dir });
    const r = await app.request('/screen', { headers: { 'accept-encoding': 'br' } });
    expect(r.headers.get('content-encoding')).toBeNull();
    await expect(r.text()).resolves.toBe('<p>new</p>');

    fs.writeFileSync(path.join(dir, 'screen', 'sw.js'), 'self.addEventListener("fetch", () => {});');
    const sw = await app.request('/screen/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect((await app.request('/screen/.hidden')).status).toBe(404);
  });
});
