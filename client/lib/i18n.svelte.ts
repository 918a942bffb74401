/**
 * The screen's language: zh-CN by default, `?lang=en` for one load, or the on-screen switch
 * (remembered in localStorage). `t()` reads `locale`, so markup that calls it re-renders on a switch.
 */
import { LOCALES, translate, type Locale, type MessageKey } from '../../shared/i18n.ts';

export type Key = MessageKey;

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

  /** Look a key up in the shared catalogues. */
  t = (key: Key, params?: Record<string, string | number>): string => translate(this.locale, key, params);

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
