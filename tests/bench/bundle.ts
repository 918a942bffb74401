/**
 * 4. What a wall display downloads for /screen: the JS and CSS files that
 * dist/client/screen/index.html references, plus every chunk they import (statically, or
 * dynamically through Vite's preload map), each gzipped at level 9.
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
  /** Loaded by the page itself or by a static import, as opposed to a dynamic import. */
  initial: boolean;
}

const gzipSize = (buf: Buffer) => zlib.gzipSync(buf, { level: 9 }).length;

export function benchBundle(page = 'screen') {
  const html = fs.readFileSync(path.join(DIST, page, 'index.html'), 'utf8');
  const files = new Map<string, FileSize>();
  const queue: { file: string; initial: boolean }[] = [];
  const add = (ref: string, from: string, initial: boolean) => {
    const abs = ref.startsWith('/') ? path.join(DIST, ref) : path.resolve(path.dirname(from), ref);
    const rel = path.relative(DIST, abs);
    const known = files.get(rel);
    if (known) {
      if (initial && !known.initial) known.initial = true;
      return;
    }
    const bytes = fs.readFileSync(abs);
    files.set(rel, { file: rel, bytes: bytes.length, gzip: gzipSize(bytes), initial });
    if (rel.endsWith('.js')) queue.push({ file: abs, initial });
  };
  const pageFile = path.join(DIST, page, 'index.html');
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)) add(m[1]!, pageFile, true);
  for (const m of html.matchAll(/<link[^>]*\bhref="([^"]+\.(?:css|js))"/g)) add(m[1]!, pageFile, true);
  while (queue.length) {
    const { file, initial } = queue.shift()!;
    const src = fs.readFileSync(file, 'utf8');
    // Static imports: `import … from "./x.js"`, `import "./x.js"`, `export … from "./x.js"`.
    for (const m of src.matchAll(/(?:\bfrom|\bimport)\s*["']([./][^"']+\.(?:js|css))["']/g)) add(m[1]!, file, initial);
    // Dynamic imports and Vite's preload map: "assets/x.js" strings relative to the root.
    for (const m of src.matchAll(/\bimport\(\s*["']([./][^"']+\.js)["']\s*\)/g)) add(m[1]!, file, false);
    for (const m of src.matchAll(/["'](assets\/[\w.-]+\.(?:js|css))["']/g)) add('/' + m[1]!, file, false);
  }
  const list = [...files.values()].sort((a, b) => b.gzip - a.gzip);
  const sum = (pred: (f: FileSize) => boolean, k: 'bytes' | 'gzip') => list.filter(pred).reduce((a, f) => a + f[k], 0);
  const isJs = (f: FileSize) => f.file.endsWith('.js');
  const isCss = (f: FileSize) => f.file.endsWith('.css');
  return {
    page: `/${page}`,
    files: list,
    js: { bytes: sum(isJs, 'bytes'), gzip: sum(isJs, 'gzip'), initialGzip: sum((f) => isJs(f) && f.initial, 'gzip') },
    css: { bytes: sum(isCss, 'bytes'), gzip: sum(isCss, 'gzip') },
  };
}
