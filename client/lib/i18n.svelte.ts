/**
 * A page's language, the same for every surface: zh-CN by default, `?lang=en` for one load, or
 * the page's switch (remembered in localStorage under the surface's own key, so the wall and the
 * console keep their own choices). `t()` reads `locale`, so markup that calls it re-renders on a
 * switch. Each surface makes its one instance (client/screen/i18n.svelte.ts,
 * client/console/i18n.svelte.ts) with its key and the catalogue part only it needs, so the wall
 * does not download the console's messages.
 *
 * @example
 *   import * as consoleMessages from '../../shared/i18n/console.ts';
 *   export const i18n = new I18n({ storageKey: 'cerebellum.console.lang', messages: consoleMessages });
 *   i18n.t('console.users.created', { username: 'li' });
 */
import { CATALOGUES, LOCALES, addMessages, translate, type Locale, type MessageKey } from '../../shared/i18n.ts';

export type Key = MessageKey;

/** `zh`, `zh-TW`, `EN-gb` … to a locale the catalogues have; null for anything else. */
export function normaliseLocale(v: string | null | undefined): Locale | null {
  if (!v) return null;
  if ((LOCALES as readonly string[]).includes(v)) return v as Locale;
  const lower = v.toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return null;
}

export interface I18nOptions {
  /** Where the switch's choice is kept (`cerebellum.screen.lang`). */
  storageKey: string;
  /** A catalogue part of this surface alone, merged into the shared catalogues at start. */
  messages?: { zhCN: Record<string, string>; en: Record<string, string> };
}

export class I18n {
  readonly #storageKey: string;
  locale = $state<Locale>('zh-CN');

  constructor(opts: I18nOptions) {
    this.#storageKey = opts.storageKey;
    if (opts.messages) addMessages(opts.messages);
    this.locale = this.#initialLocale();
  }

  /** Look a key up in the catalogues and fill its `{placeholders}`. */
  t = (key: Key, params?: Record<string, string | number>): string => translate(this.locale, key, params);

  /** Whether the catalogues have `key` (codes from the server may be newer than the client). */
  has = (key: string): key is Key => key in CATALOGUES['zh-CN'];

  /** The message for `key` when it exists, else `fallback` (a raw code is better than nothing). */
  tOr = (key: string, fallback: string, params?: Record<string, string | number>): string =>
    this.has(key) ? this.t(key, params) : fallback;

  /** A zh/en pair from data (categories, grids, the community). */
  pick = (label: { zh: string; en: string } | null | undefined): string => {
    if (!label) return '';
    return this.locale === 'en' ? label.en || label.zh : label.zh || label.en;
  };

  toggle() {
    this.set(this.locale === 'zh-CN' ? 'en' : 'zh-CN');
  }

  set(locale: Locale) {
    this.locale = locale;
    try {
      localStorage.setItem(this.#storageKey, locale);
    } catch {
      // not remembered; the switch still works for this load
    }
  }

  #initialLocale(): Locale {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(this.#storageKey);
    } catch {
      // storage disabled (kiosk profiles sometimes are): Chinese unless the URL says otherwise
    }
    return normaliseLocale(new URLSearchParams(location.search).get('lang')) ?? normaliseLocale(stored) ?? 'zh-CN';
  }
}
