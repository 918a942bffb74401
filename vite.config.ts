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
    async closeBundle() {
      const files = (fs.readdirSync(outDir, { recursive: true, withFileTypes: true }))
        .filter((d) => d.isFile() && TEXT.test(d.name))
        .map((d) => path.join(d.parentPath, d.name));
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
 * One build for every surface: each is a page of its own under client/, served by the Hono
 * server at /screen and /console (and later /tablet). No CDN: everything is bundled.
 */
export default defineConfig({
  root: here('./client'),
  base: '/',
  plugins: [svelte({ configFile: here('./svelte.config.js') }), precompress()],
  build: {
    outDir: here('./dist/client'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    // Font slices stay files: inlined as data: URLs they would break the policy's `font-src 'self'`.
    assetsInlineLimit: (file) => (file.endsWith('.woff2') ? false : undefined),
    rollupOptions: {
      input: {
        screen: here('./client/screen/index.html'),
        console: here('./client/console/index.html'),
        // The wall's service worker: a fixed name at the root (its scope must cover /screen).
        'screen-sw': here('./client/screen/sw.ts'),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'screen-sw' ? 'screen-sw.js' : 'assets/[name]-[hash].js'),
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
});
