/**
 * The grid worker's field app (/tablet): an installable page that works through a shift with no
 * signal. Small on purpose — no chart library, no schema library, no bundled font (tablets have
 * Chinese fonts) — and everything it writes goes through the outbox (outbox/), kept in
 * IndexedDB and sent once when the network is back.
 */
import { mount } from 'svelte';
import './tablet.css';
import { tablet } from './state.svelte.ts';
import { outbox } from './outbox/outbox.svelte.ts';
import { updates } from './updates.svelte.ts';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from tablet/index.html');

void tablet.start().then(() => updates.register(() => outbox.unsentOf(tablet.user?.username ?? '') + outbox.others > 0));

export default mount(App, { target });
