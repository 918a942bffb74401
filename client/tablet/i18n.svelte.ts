/**
 * The field app's language (client/lib/i18n.svelte.ts): zh-CN first, its own remembered switch,
 * and its own messages (shared/i18n/tablet.ts), which no other surface downloads.
 */
import * as tabletMessages from '../../shared/i18n/tablet.ts';
import { I18n } from '../lib/i18n.svelte.ts';

export const i18n = new I18n({ storageKey: 'cerebellum.tablet.lang', messages: tabletMessages });
