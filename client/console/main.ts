/**
 * The staff console (/console): asks the server who is signed in, follows the address, then
 * mounts the app. Styles come as a file (the policy allows no inline style).
 */
import './zod-config.ts';
import { mount } from 'svelte';
// The bundled Chinese font (client/lib/fonts.ts), before the console's own styles.
import '@fontsource-variable/noto-sans-sc/wght.css';
import './console.css';
import { router } from './router.svelte.ts';
import { session } from './session.svelte.ts';
import App from './App.svelte';

router.start();
// The setup page works without a session; everything else waits for the answer.
session.load().catch(() => {});

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from console/index.html');

export default mount(App, { target });
