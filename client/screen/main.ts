/**
 * The wall display (/screen). Adopts a device token handed over in the URL
 * (`#display=<token>`, from a demo ready link), starts the page-wide stores — the stage fit
 * and the clock — and mounts the app, which shows the live wall or a pairing code.
 */
import { mount } from 'svelte';
// The bundled Chinese font (client/lib/fonts.ts): slices load as the wall's text needs them.
import '@fontsource-variable/noto-sans-sc/wght.css';
import { adoptDisplayTokenFromUrl } from '../lib/display-token.ts';
import { clock } from '../lib/clock.svelte.ts';
import { stage } from '../lib/stage.svelte.ts';
import App from './App.svelte';

// First of all, so the token leaves the address bar before anything can copy or log it.
adoptDisplayTokenFromUrl();

const community = new URLSearchParams(location.search).get('community')?.trim() || undefined;

stage.start();
clock.start();

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from screen/index.html');

export default mount(App, { target, props: community ? { community } : {} });

// After the first load, the page and its assets are kept (client/screen/sw.ts): a wall that
// boots before the server shows itself connecting instead of the browser's error page.
if ('serviceWorker' in navigator) {
  addEventListener('load', () => {
    navigator.serviceWorker.register('/screen-sw.js', { scope: '/screen' }).catch((err: unknown) => {
      console.warn(`[screen] no offline copy of the wall: ${String(err)}`);
    });
  });
}
