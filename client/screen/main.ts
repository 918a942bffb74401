/**
 * The wall display (/screen). Starts the page's stores — the stage fit, the clock, the grid map,
 * and the live connection as the public display audience — then mounts the app.
 */
import { mount } from 'svelte';
import { clock } from '../lib/clock.svelte.ts';
import { gridGeo } from '../lib/grid-geo.svelte.ts';
import { live } from '../lib/live.svelte.ts';
import { stage } from '../lib/stage.svelte.ts';
import App from './App.svelte';

const community = new URLSearchParams(location.search).get('community')?.trim() || undefined;

stage.start();
clock.start();
gridGeo.start();
live.start({ view: 'screen', audience: 'display', ...(community ? { community } : {}) });

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from screen/index.html');

export default mount(App, { target });
