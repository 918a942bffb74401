/**
 * A volunteer's own page on their phone (/me): small and fast on a poor network — no chart
 * library, no bundled font (phones have Chinese fonts), one script and one style file. Asks who
 * is signed in, then mounts the app; check-ins kept while offline are sent as soon as it can.
 */
import { mount } from 'svelte';
import './me.css';
import { me } from './state.svelte.ts';
import App from './App.svelte';

me.start();

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from me/index.html');

export default mount(App, { target });
