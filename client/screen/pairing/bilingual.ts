/**
 * The pairing screen says everything in both languages at once, the wall's chosen one first:
 * whoever walks past can read it. Called from a component's markup or `$derived`, these follow
 * the language switch (they read `i18n.locale`).
 */
import { translate, type Locale } from '../../../shared/i18n.ts';
import { i18n, type Key } from '../i18n.svelte.ts';

/** A line written by `line` in the chosen language, then in the other one. */
export function bothWith(line: (locale: Locale) => string): [string, string] {
  const other: Locale = i18n.locale === 'en' ? 'zh-CN' : 'en';
  return [line(i18n.locale), line(other)];
}

/** `key` in the chosen language, then in the other one. */
export function both(key: Key, params?: Record<string, string | number>): [string, string] {
  return bothWith((locale) => translate(locale, key, params));
}
