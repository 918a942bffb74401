/**
 * 4. What a wall display downloads for /screen: the JS and CSS files that
 * dist/client/screen/index.html references, plus every chunk they import (statically, or
 * dynamically through `import()`), each measured raw, gzipped at level 9, and as served: the
 * brotli twin the build writes beside it (`x.js.br`), which the server sends to every browser
 * that takes brotli (all current ones), or the file itself when there is no twin.
 *
 * `page` is the JS the page loads before it shows anything, following static imports: the
 * pairing code, or the wall's first scene with its KPIs, lists and figures. Its charts draw when
 * ECharts arrives, in the parts each chart imports on demand (`onDemand`: the engine, the map's
 * parts, the Sankey's). tests/bench/first-paint.ts measures the same in Chromium, by moment.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../dist/client', import.meta.url));

interface FileSize {
  file: string;
  bytes: number;
  gzip: number;
  /** As served to a browser that takes brotli: the `.br` twin's size, or the file's. */
  served: number;
  /** Loaded by the page itself or by a static import, as opposed to a dynamic import. */
  initial: boolean;
}

export interface Moment {
  files: string[];
  bytes: number;
  gzip: number;
  served: number;
}

const gzipSize = (buf: Buffer) => zlib.gzipSync(buf, { level: 9 }).length;

export function benchBundle(page = 'screen', dist = DIST) {
  const html = fs.readFileSync(path.join(dist, page, 'index.html'), 'utf8');
  const files = new Map<string, FileSize>();
  /** Per JS file: the files it imports statically, and those it imports with `import()`. */
  const edges = new Map<string, { static: Set<string>; dynamic: Set<string> }>();
  const queue: string[] = [];
  const rel = (ref: string, from: string) =>
    path.relative(dist, ref.startsWith('/') ? path.join(dist, ref) : path.resolve(path.dirname(path.join(dist, from)), ref));
  const add = (file: string, initial: boolean) => {
    const known = files.get(file);
    if (known) {
      if (initial) known.initial = true;
      return;
    }
    const bytes = fs.readFileSync(path.join(dist, file));
    const twin = path.join(dist, file + '.br');
    const served = fs.existsSync(twin) ? fs.statSync(twin).size : bytes.length;
    files.set(file, { file, bytes: bytes.length, gzip: gzipSize(bytes), served, initial });
    if (file.endsWith('.js')) queue.push(file);
  };
  const pageRefs: string[] = [];
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)) pageRefs.push(rel(m[1]!, `${page}/index.html`));
  for (const m of html.matchAll(/<link[^>]*\bhref="([^"]+\.(?:css|js))"/g)) pageRefs.push(rel(m[1]!, `${page}/index.html`));
  for (const f of pageRefs) add(f, true);
  while (queue.length) {
    const file = queue.shift()!;
    const src = fs.readFileSync(path.join(dist, file), 'utf8');
    const e = { static: new Set<string>(), dynamic: new Set<string>() };
    edges.set(file, e);
    // Static imports: `import … from "./x.js"`, `import "./x.js"`, `export … from "./x.js"`.
    for (const m of src.matchAll(/(?:\bfrom|\bimport)\s*["'`]([./][^"'`]+\.(?:js|css))["'`]/g)) e.static.add(rel(m[1]!, file));
    // Dynamic imports; the CSS a chunk needs comes in Vite's preload map ("assets/x.css").
    for (const m of src.matchAll(/\bimport\(\s*["'`]([./][^"'`]+\.js)["'`]\s*\)/g)) e.dynamic.add(rel(m[1]!, file));
    for (const m of src.matchAll(/["'`](assets\/[\w.-]+\.(?:js|css))["'`]/g)) e.dynamic.add(m[1]!);
    const initial = files.get(file)!.initial;
    for (const f of e.static) add(f, initial);
    for (const f of e.dynamic) add(f, false);
  }

  const js = (f: string) => f.endsWith('.js');
  /** Every JS file reachable from `from`, through static imports (and dynamic ones with `dynamic`). */
  const closure = (from: string[], dynamic: boolean) => {
    const seen = new Set<string>();
    const todo = from.filter(js);
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const e = edges.get(f);
      for (const g of [...(e?.static ?? []), ...(dynamic ? e?.dynamic ?? [] : [])]) if (js(g) && !seen.has(g)) todo.push(g);
    }
    return seen;
  };
  const moment = (set: Set<string>): Moment => {
    const list = [...set].map((f) => files.get(f)!).filter(Boolean);
    return {
      files: list.map((f) => f.file).sort(),
      bytes: list.reduce((a, f) => a + f.bytes, 0),
      gzip: list.reduce((a, f) => a + f.gzip, 0),
      served: list.reduce((a, f) => a + f.served, 0),
    };
  };
  const pageJs = closure(pageRefs, false);
  /** Each chunk imported on demand, with what it imports statically that the page does not hold. */
  const onDemand: Record<string, Moment> = {};
  for (const [file, f] of files) {
    if (!js(file) || f.initial) continue;
    onDemand[file] = moment(new Set([...closure([file], false)].filter((g) => !pageJs.has(g))));
  }

  const list = [...files.values()].sort((a, b) => b.served - a.served);
  const sum = (pred: (f: FileSize) => boolean, k: 'bytes' | 'gzip' | 'served') => list.filter(pred).reduce((a, f) => a + f[k], 0);
  const isJs = (f: FileSize) => js(f.file);
  const isCss = (f: FileSize) => f.file.endsWith('.css');
  return {
    page: `/${page}`,
    files: list,
    js: {
      bytes: sum(isJs, 'bytes'), gzip: sum(isJs, 'gzip'), served: sum(isJs, 'served'),
      initialGzip: sum((f) => isJs(f) && f.initial, 'gzip'),
    },
    css: { bytes: sum(isCss, 'bytes'), gzip: sum(isCss, 'gzip'), served: sum(isCss, 'served') },
    /** The JS the page loads before it shows anything, and what loads on demand. */
    moments: { page: moment(pageJs), onDemand },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const b = benchBundle(process.argv[2] ?? 'screen');
  const kB = (m: { bytes: number; gzip: number; served: number }) =>
    `${(m.bytes / 1000).toFixed(1)} kB raw, ${(m.gzip / 1000).toFixed(1)} kB gzip, ${(m.served / 1000).toFixed(1)} kB as served`;
  for (const f of b.files) console.log(`  ${f.file}: ${kB(f)}${f.initial ? '' : ' (on demand)'}`);
  console.log(`${b.page} JS in all: ${kB(b.js)}; CSS: ${kB(b.css)}`);
  console.log(`  the page, before it shows anything: ${kB(b.moments.page)}`);
  for (const [file, m] of Object.entries(b.moments.onDemand)) console.log(`  on demand, ${file} with its imports: ${kB(m)}`);
}
