/// <reference types="vitest/config" />
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Beside every text file of the build, its brotli (quality 11) and gzip (level 9) twins,
 * `x.js.br` and `x.js.gz`, for the server to send as the browser asks (server/http/static-file.ts):
 * compressed once here at the best settings rather than on every request. A twin that would
 * not be smaller is not written. node:zlib does it in a few lines, so no plugin is needed.
 */
function precompress(): Plugin {
  const TEXT = /\.(?:js|mjs|css|html|svg|json|txt|xml|webmanifest|map)$/;
  let outDir = '';
  return {
    name: 'cerebellum:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    // The files this build wrote (the other surface's build writes its own beside them).
    async writeBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((name) => TEXT.test(name)).map((name) => path.join(outDir, name));
      await Promise.all(files.map(async (file) => {
        const raw = await fs.promises.readFile(file);
        const twins: [string, Buffer][] = [
          ['.br', await brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })],
          ['.gz', await gzip(raw, { level: 9 })],
        ];
        for (const [suffix, packed] of twins) if (packed.length < raw.length) await fs.promises.writeFile(file + suffix, packed);
      }));
    },
  };
}

/**
 * The surfaces, each a page of its own under client/, served by the Hono server at /screen and
 * /console, /me and /tablet. No CDN: everything is bundled.
 *
 * Each surface is built on its own (`vite build --mode screen`, then `--mode console`, into the
 * same folder): a chunk shared by two pages holds what either uses of a module, so the wall
 * would carry the desk's share of Svelte's runtime and of the shared vocabulary, over its
 * budget (tests/integration/serving.test.ts); built apart, the wall's script is what the wall uses.
 */
const SURFACES: Record<string, Record<string, string>> = {
  screen: {
    screen: here('./client/screen/index.html'),
    // The wall's service worker: a fixed name at the root (its scope must cover /screen).
    'screen-sw': here('./client/screen/sw.ts'),
  },
  console: { console: here('./client/console/index.html') },
  // A volunteer's phone page: built alone so it carries nothing of the console's or the wall's.
  me: { me: here('./client/me/index.html') },
  // The grid worker's field app: built alone, with its service worker (a fixed name at the root;
  // its scope is /tablet). Its manifest and icons are in client/tablet/public.
  tablet: {
    tablet: here('./client/tablet/index.html'),
    'tablet-sw': here('./client/tablet/sw.ts'),
  },
};

export default defineConfig(({ mode }) => ({
  root: here('./client'),
  base: '/',
  // The field app's manifest and icons (fixed names at the root); the other surfaces have none.
  publicDir: mode === 'tablet' || !SURFACES[mode] ? here('./client/tablet/public') : false,
  plugins: [svelte({ configFile: here('./svelte.config.js') }), precompress()],
  build: {
    outDir: here('./dist/client'),
    // The first surface's build empties the folder; the next adds to it.
    emptyOutDir: mode !== 'console' && mode !== 'me' && mode !== 'tablet',
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    // Font slices stay files: inlined as data: URLs they would break the policy's `font-src 'self'`.
    assetsInlineLimit: (file) => (file.endsWith('.woff2') ? false : undefined),
    rollupOptions: {
      input: SURFACES[mode] ?? { ...SURFACES.screen, ...SURFACES.console, ...SURFACES.me, ...SURFACES.tablet },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'screen-sw' || chunk.name === 'tablet-sw' ? `${chunk.name}.js` : 'assets/[name]-[hash].js'),
        // Zod and the console's switch to its jitless mode in one chunk of their own, so the switch
        // runs before any module of another chunk builds a schema: a schema built first probes for
        // `new Function` (zod 4 does so in ZodObject's constructor), which the strict CSP reports.
        // Left to the bundler, the shared schemas once landed in zod's chunk ahead of the switch.
        manualChunks: (id: string) => (/[\\/]node_modules[\\/]zod[\\/]|[\\/]client[\\/]console[\\/]zod-config\.ts$/.test(id) ? 'zod' : undefined),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/socket.io': { target: 'ws://localhost:8080', ws: true },
    },
  },
  test: {
    root: here('.'),
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
}));
