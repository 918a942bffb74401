#!/usr/bin/env node
/**
 * `npm start` and the command-line tools (`npm run backup`, `restore`, `admin`,
 * `import-community`): run the compiled server, `dist/server/<tool>.js`, on plain Node.
 *
 *   node server/start.mjs main --demo        what `npm start -- --demo` runs
 *   node server/start.mjs backup /mnt/b.db   what `npm run backup -- /mnt/b.db` runs
 *
 * Where the build tools are installed (a clone after `npm install`), it first builds what is
 * missing or older than its sources: the server for every tool, the client too for `main`. On a
 * production install (`npm ci --omit=dev`) there are no build tools: it runs what was built, and
 * says how to build when nothing was. Plain JavaScript, so it needs nothing but Node.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TOOLS = ['main', 'backup', 'restore', 'admin', 'import-community'];
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const [tool = 'main', ...args] = process.argv.slice(2);
if (!TOOLS.includes(tool)) {
  console.error(`server/start.mjs: no tool ${tool}; the tools are ${TOOLS.join(', ')}`);
  process.exit(2);
}

/** The newest modification time under the given files and folders (0 when none exist). */
function newest(paths) {
  let t = 0;
  for (const p of paths) {
    const abs = path.join(root, p);
    let st;
    try {
      st = fs.statSync(abs);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      for (const d of fs.readdirSync(abs, { recursive: true, withFileTypes: true })) {
        if (d.isFile()) t = Math.max(t, fs.statSync(path.join(d.parentPath, d.name)).mtimeMs);
      }
    } else t = Math.max(t, st.mtimeMs);
  }
  return t;
}

const mtime = (p) => {
  try {
    return fs.statSync(path.join(root, p)).mtimeMs;
  } catch {
    return 0;
  }
};

const BUILDS = {
  server: { output: 'dist/server/main.js', inputs: ['server', 'shared', 'package.json'], tool: 'esbuild' },
  client: { output: 'dist/client/screen/index.html', inputs: ['client', 'shared', 'vite.config.ts', 'svelte.config.js', 'package.json'], tool: 'vite' },
};

for (const [name, b] of Object.entries(BUILDS)) {
  if (name === 'client' && tool !== 'main') continue;
  const built = mtime(b.output);
  const hasTools = fs.existsSync(path.join(root, 'node_modules', b.tool, 'package.json'));
  if (hasTools && (!built || newest(b.inputs) > built)) {
    console.error(`Building the ${name} (${built ? 'its sources changed' : 'not built yet'}): npm run build:${name}`);
    const r = spawnSync('npm', ['run', '--silent', `build:${name}`], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  } else if (!built) {
    console.error(`The ${name} is not built (${b.output} is missing) and the build tools are not installed here.\n` +
      'Build where they are (npm install && npm run build) and copy dist/ over, or run npm install here.');
    process.exit(1);
  }
}

// The tool runs in this process, as if started as `node dist/server/<tool>.js <args>` (its
// signals, exit code and argv are its own).
const entry = path.join(root, 'dist', 'server', `${tool}.js`);
process.argv = [process.argv[0], entry, ...args];
process.setSourceMapsEnabled(true); // stack traces name the TypeScript sources
await import(pathToFileURL(entry).href);
