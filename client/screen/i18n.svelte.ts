/**
 * The wall's language (client/lib/i18n.svelte.ts): its choice kept apart from the console's,
 * the shared catalogues only.
 */
import { I18n } from '../lib/i18n.svelte.ts';

export type { Key } from '../lib/i18n.svelte.ts';

export const i18n = new I18n({ storageKey: 'cerebellum.screen.lang' });
