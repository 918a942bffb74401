/**
 * The phone page's language (client/lib/i18n.svelte.ts): zh-CN first, the switch in the top bar
 * kept apart from the console's and the wall's, and the page's own messages (shared/i18n/me.ts).
 */
import * as meMessages from '../../shared/i18n/me.ts';
import { I18n } from '../lib/i18n.svelte.ts';

export const i18n = new I18n({ storageKey: 'cerebellum.me.lang', messages: meMessages });
