/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * One build for every surface: each is a page of its own under client/, served by the Hono
 * server at /screen and /console (and later /tablet). No CDN: everything is bundled.
 */
export default defineConfig({
  root: here('./client'),
  base: '/',
  plugins: [svelte({ configFile: here('./svelte.config.js') })],
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
