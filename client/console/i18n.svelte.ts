/**
 * The console's language (client/lib/i18n.svelte.ts): the switch in the top bar, kept apart
 * from the wall's choice, and the console's own messages (shared/i18n/console.ts), which are not
 * in the shared catalogues so the wall does not download them.
 */
import * as consoleMessages from '../../shared/i18n/console.ts';
import { I18n } from '../lib/i18n.svelte.ts';

export type { Key } from '../lib/i18n.svelte.ts';

export const i18n = new I18n({ storageKey: 'cerebellum.console.lang', messages: consoleMessages });
