/**
 * The screen's language: zh-CN by default, `?lang=en` for one load, or the on-screen switch
 * (remembered in localStorage). `t()` reads `locale`, so markup that calls it re-renders on a switch.
 */
import { CATALOGUES, LOCALES, translate, type Locale, type MessageKey } from '../../shared/i18n.ts';
import { EXTRA, type ExtraKey } from './i18n-extra.ts';

export type Key = MessageKey | ExtraKey;

const STORAGE_KEY = 'cerebellum.screen.lang';

function isLocale(v: string | null | undefined): v is Locale {
  return !!v && (LOCALES as readonly string[]).includes(v);
}

function normalise(v: string | null): Locale | null {
  if (!v) return null;
  if (isLocale(v)) return v;
  const lower = v.toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return null;
}

function stored(): Locale | null {
  try {
    return normalise(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null; // storage disabled (kiosk profiles sometimes are)
  }
}

function initialLocale(): Locale {
  const fromQuery = normalise(new URLSearchParams(location.search).get('lang'));
  return fromQuery ?? stored() ?? 'zh-CN';
}

class I18n {
  locale = $state<Locale>(initialLocale());

  /** Look a key up in the shared catalogue, then in the screen's extra keys. */
  t = (key: Key, params?: Record<string, string | number>): string => {
    const locale = this.locale;
    if (key in CATALOGUES[locale]) return translate(locale, key as MessageKey, params);
    const template = EXTRA[locale][key as ExtraKey] ?? EXTRA['zh-CN'][key as ExtraKey] ?? key;
    return params ? template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`)) : template;
  };

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
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // not remembered; the switch still works for this load
    }
  }
}

export const i18n = new I18n();
