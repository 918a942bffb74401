/**
 * One file of the built client, sent as a web product should send it: the brotli or gzip twin
 * the build leaves beside it (`x.js.br`, `x.js.gz`, see vite.config.ts) when the browser accepts
 * that coding, with `Vary: Accept-Encoding`, the right Content-Type and Content-Length, an
 * ETag and Last-Modified, and a 304 when the browser already holds it.
 *
 * Written here rather than taken from @hono/node-server's serveStatic because that one matches
 * Accept-Encoding tokens literally (`gzip;q=1.0` gets nothing, `br;q=0` would not exclude
 * brotli), sends `Vary` only when it compressed, and never answers 304.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'hono';
import { parseAccept } from 'hono/utils/accept';
import { getMimeType } from 'hono/utils/mime';

export type Coding = 'br' | 'gzip';

/** The twins the build writes, best first (brotli is ~15 % smaller than gzip on our JS). */
const CODINGS: readonly { coding: Coding; suffix: string }[] = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
];

/**
 * The coding to send for an `Accept-Encoding` header, of those `available`: the one with the
 * highest q-value above 0 (brotli on a tie), or null for the file as it is. A coding the
 * header does not name is refused unless `*` covers it; no header at all means none; a header
 * that rates `identity` above every coding gets the file as it is.
 *
 * @example negotiateEncoding('gzip, deflate, br, zstd', ['br', 'gzip']) // 'br'
 * @example negotiateEncoding('br;q=0, gzip', ['br', 'gzip'])            // 'gzip'
 */
export function negotiateEncoding(header: string | undefined, available: readonly Coding[]): Coding | null {
  if (!header || !available.length) return null;
  const q = new Map<string, number>();
  for (const a of parseAccept(header)) {
    const type = a.type.toLowerCase() === 'x-gzip' ? 'gzip' : a.type.toLowerCase();
    if (!q.has(type)) q.set(type, a.q);
  }
  const qOf = (name: string) => q.get(name) ?? q.get('*') ?? 0;
  let best: Coding | null = null;
  let bestQ = 0;
  for (const { coding } of CODINGS) {
    if (!available.includes(coding)) continue;
    const v = qOf(coding);
    if (v > bestQ) {
      best = coding;
      bestQ = v;
    }
  }
  // Only a browser that names `identity` above every coding it takes gets the plain file.
  const identity = q.get('identity');
  return best && (identity === undefined || identity <= bestQ) ? best : null;
}

/**
 * The file under `root` that a URL path names, or null: a path that leaves `root`, names a
 * hidden file or folder, holds a backslash or NUL, or is not a regular file. The compressed
 * twins are never named directly (they are sent in place of their original).
 */
export function fileInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (/[\\\0]/.test(decoded) || decoded.split('/').some((seg) => seg.startsWith('.'))) return null;
  if (CODINGS.some(({ suffix }) => decoded.endsWith(suffix))) return null;
  const base = path.resolve(root);
  const file = path.resolve(base, '.' + decoded);
  if (!file.startsWith(base + path.sep)) return null;
  return statOf(file)?.isFile() ? file : null;
}

/** How long a browser may keep the answer. */
export type CachePolicy =
  /** A file named by its content's hash: kept for a year, never asked about again. */
  | 'immutable'
  /** A page or other file whose name stays: kept, but checked with the server before each use. */
  | 'revalidate';

const CACHE_CONTROL: Record<CachePolicy, string> = {
  immutable: 'public, max-age=31536000, immutable',
  revalidate: 'no-cache',
};

/** Content ETags by file, kept while the file's size and mtime stay (a rebuild changes both). */
const etags = new Map<string, { mtimeMs: number; size: number; etag: string }>();

function etagOf(file: string, st: fs.Stats): string {
  const known = etags.get(file);
  if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return known.etag;
  // Weak: the brotli, gzip and plain answers are the same content, so they share one tag.
  const etag = `W/"${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('base64url').slice(0, 27)}"`;
  etags.set(file, { mtimeMs: st.mtimeMs, size: st.size, etag });
  return etag;
}

function statOf(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

/** Is the browser's copy (If-None-Match, else If-Modified-Since) still this file? */
function fresh(c: Context, etag: string, mtime: Date): boolean {
  const inm = c.req.header('if-none-match');
  if (inm !== undefined) {
    const bare = etag.replace(/^W\//, '');
    return inm.split(',').some((t) => {
      const tag = t.trim();
      return tag === '*' || tag.replace(/^W\//, '') === bare;
    });
  }
  const ims = Date.parse(c.req.header('if-modified-since') ?? '');
  return Number.isFinite(ims) && Math.floor(mtime.getTime() / 1000) * 1000 <= ims;
}

/**
 * Answer a GET or HEAD with `file` (a path `fileInside` gave): 200 with the best coding the
 * browser accepts, or 304 when its copy is current. Null when the file is gone.
 */
export async function sendFile(c: Context, file: string, cache: CachePolicy): Promise<Response | null> {
  const st = statOf(file);
  if (!st?.isFile()) return null;
  const type = getMimeType(file) ?? 'application/octet-stream';
  // A twin counts only if written after its original: a stale one from an older build is ignored.
  const twins = CODINGS.flatMap(({ coding, suffix }) => {
    const tst = statOf(file + suffix);
    return tst?.isFile() && tst.mtimeMs >= st.mtimeMs ? [{ coding, file: file + suffix, size: tst.size }] : [];
  });
  const etag = etagOf(file, st);
  c.header('Cache-Control', CACHE_CONTROL[cache]);
  c.header('ETag', etag);
  c.header('Last-Modified', st.mtime.toUTCString());
  if (twins.length) c.header('Vary', 'Accept-Encoding');
  if (fresh(c, etag, st.mtime)) return c.body(null, 304);
  const coding = negotiateEncoding(c.req.header('accept-encoding'), twins.map((t) => t.coding));
  const chosen = twins.find((t) => t.coding === coding);
  c.header('Content-Type', type);
  c.header('Content-Length', String(chosen ? chosen.size : st.size));
  if (chosen) c.header('Content-Encoding', chosen.coding);
  if (c.req.method === 'HEAD') return c.body(null, 200);
  return c.body(await fs.promises.readFile(chosen ? chosen.file : file), 200);
}
