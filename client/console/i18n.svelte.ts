/**
 * The console's language: zh-CN by default, `?lang=en` for one load, or the switch in the top
 * bar (remembered in localStorage, apart from the wall's own choice). `t()` reads `locale`, so
 * markup that calls it re-renders on a switch.
 */
import { CATALOGUES, LOCALES, addMessages, translate, type Locale, type MessageKey } from '../../shared/i18n.ts';
import * as consoleMessages from '../../shared/i18n/console.ts';

// The console's own messages: not in the shared catalogues, so the wall does not download them.
addMessages(consoleMessages);

export type Key = MessageKey;

const STORAGE_KEY = 'cerebellum.console.lang';

function normalise(v: string | null | undefined): Locale | null {
  if (!v) return null;
  if ((LOCALES as readonly string[]).includes(v)) return v as Locale;
  const lower = v.toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return null;
}

function initialLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage disabled: Chinese unless the URL says otherwise
  }
  return normalise(new URLSearchParams(location.search).get('lang')) ?? normalise(stored) ?? 'zh-CN';
}

class ConsoleI18n {
  locale = $state<Locale>(initialLocale());

  /** Look a key up in the shared catalogues and fill its `{placeholders}`. */
  t = (key: Key, params?: Record<string, string | number>): string => translate(this.locale, key, params);

  /** Whether the catalogues have `key` (codes from the server may be newer than the client). */
  has = (key: string): key is Key => key in CATALOGUES['zh-CN'];

  /** The message for `key` when it exists, else `fallback` (a raw code is better than nothing). */
  tOr = (key: string, fallback: string, params?: Record<string, string | number>): string =>
    this.has(key) ? this.t(key, params) : fallback;

  /** A zh/en pair from data (grid and community names). */
  pick = (label: { zh: string; en: string } | null | undefined): string => {
    if (!label) return '';
    return this.locale === 'en' ? label.en || label.zh : label.zh || label.en;
  };

  toggle() {
    this.locale = this.locale === 'zh-CN' ? 'en' : 'zh-CN';
    try {
      localStorage.setItem(STORAGE_KEY, this.locale);
    } catch {
      // not remembered; the switch still works for this visit
    }
  }
}

export const i18n = new ConsoleI18n();
