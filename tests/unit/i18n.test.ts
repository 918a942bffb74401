import { describe, it, expect } from 'vitest';
import { CATALOGUES, LOCALES, addMessages, translate } from '../../shared/i18n.ts';
import * as consoleMessages from '../../shared/i18n/console.ts';
import * as meMessages from '../../shared/i18n/me.ts';
import * as tabletMessages from '../../shared/i18n/tablet.ts';
import type { MessageKey } from '../../shared/i18n.ts';
import { ACTIONS, STATUSES } from '../../shared/lifecycle.ts';
import { SOURCES, URGENCIES } from '../../shared/taxonomy.ts';
import * as capWords from '../../server/emergency/cap-words.ts';
import * as safeWords from '../../server/emergency/safe-words.ts';

/**
 * Values deliberately empty: English counts need no unit word ("12", not "12 件"), and the KPI
 * card shows the unit only when there is one.
 */
const DELIBERATELY_EMPTY: Partial<Record<(typeof LOCALES)[number], MessageKey[]>> = { en: ['unit.events'] };

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

const wallKeys = Object.keys(CATALOGUES['zh-CN']);
addMessages(consoleMessages);
addMessages(meMessages);
addMessages(tabletMessages);

describe('the message catalogues', () => {
  it('keeps the console\'s messages out of the wall\'s catalogue, and they are all console.*', () => {
    // But the console's names for where a display is paired and how staff open the wall: the
    // pairing screen and the start-up log say them.
    const shared = ['console.app.title', 'console.displays.pairTitle', 'console.nav.displays', 'console.nav.screen'];
    expect(wallKeys.filter((k) => k.startsWith('console.')).sort()).toEqual(shared);
    expect(Object.keys(consoleMessages.zhCN).filter((k) => !k.startsWith('console.'))).toEqual([]);
  });

  const zhKeys = Object.keys(CATALOGUES['zh-CN']).sort();

  it.each(LOCALES)('%s has exactly the keys of the Chinese catalogue', (locale) => {
    expect(Object.keys(CATALOGUES[locale]).sort()).toEqual(zhKeys);
  });

  it.each(LOCALES)('%s has no empty message', (locale) => {
    const allowed = DELIBERATELY_EMPTY[locale] ?? [];
    const empty = Object.entries(CATALOGUES[locale])
      .filter(([key, value]) => value.trim() === '' && !allowed.includes(key as MessageKey))
      .map(([key]) => key);
    expect(empty).toEqual([]);
  });

  it('keeps the deliberately empty English unit non-empty in Chinese', () => {
    for (const key of DELIBERATELY_EMPTY.en ?? []) expect(CATALOGUES['zh-CN'][key]).not.toBe('');
  });

  it('writes the Chinese catalogue in Chinese, apart from the language switch and plain numbers', () => {
    const notChinese = Object.entries(CATALOGUES['zh-CN'])
      .filter(([, v]) => !/[\u4e00-\u9fff]/.test(v))
      .map(([k]) => k);
    expect(notChinese).toEqual(['lang.switch']);
  });

  it.each(LOCALES)('%s names the language switch starting with the word it shows, so "click EN" finds it (WCAG 2.5.3)', (locale) => {
    expect(CATALOGUES[locale]['lang.aria'].startsWith(`${CATALOGUES[locale]['lang.switch']} `)).toBe(true);
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of zhKeys as MessageKey[]) {
      expect(placeholders(CATALOGUES.en[key]), key).toEqual(placeholders(CATALOGUES['zh-CN'][key]));
    }
  });

  it('names every status, action, urgency and source in both languages', () => {
    const keys = [
      ...STATUSES.map((s) => `status.${s}`),
      ...ACTIONS.map((a) => `action.${a}`),
      ...URGENCIES.map((u) => `urgency.${u}`),
      ...SOURCES.map((s) => `source.${s}`),
    ];
    for (const locale of LOCALES) {
      for (const key of keys) expect(CATALOGUES[locale][key as MessageKey], `${locale} ${key}`).toBeTruthy();
    }
  });
});

describe('translate', () => {
  it('gives the Chinese text first and the English one on request', () => {
    expect(translate('zh-CN', 'app.name')).toBe('智慧小脑');
    expect(translate('en', 'app.name')).toBe('Cerebellum');
  });

  it('fills placeholders with the values given', () => {
    expect(translate('zh-CN', 'conn.stale', { seconds: 12 })).toBe('数据延迟 12 秒');
    expect(translate('en', 'conn.stale', { seconds: '3' })).toBe('Data delayed 3 s');
  });

  it('leaves a placeholder visible when its value is missing, rather than printing "undefined"', () => {
    expect(translate('en', 'conn.stale', {})).toBe('Data delayed {seconds} s');
    expect(translate('en', 'conn.stale')).toBe('Data delayed {seconds} s');
  });

  it('fills a zero, which is a value and not a missing one', () => {
    expect(translate('en', 'conn.stale', { seconds: 0 })).toBe('Data delayed 0 s');
  });
});

// Words of what the server writes itself (the self-report page, CAP messages): kept beside it,
// out of the bundles, but held to the catalogues' rules.
describe.each([['CAP messages', capWords], ['the self-report page', safeWords]] as const)('the words of %s', (_what, words) => {
  it('has the same keys and placeholders in English, none empty, and is written in Chinese first', () => {
    expect(Object.keys(words.en).sort()).toEqual(Object.keys(words.zhCN).sort());
    for (const [key, zh] of Object.entries(words.zhCN)) {
      const en = (words.en as Record<string, string>)[key]!;
      expect(en.trim(), key).not.toBe('');
      expect(zh, key).toMatch(/[\u4e00-\u9fff]/);
      expect(placeholders(en), key).toEqual(placeholders(zh));
    }
  });
});
