/**
 * One language class for every surface (client/lib/i18n.svelte.ts): each surface keeps its own
 * choice (switching the console to English leaves the wall in Chinese), `?lang=` wins for one
 * load, and a surface's own catalogue part is there for that surface.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { I18n, normaliseLocale } from '../../client/lib/i18n.svelte.ts';

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  vi.stubGlobal('localStorage', storage);
  vi.stubGlobal('location', { search: '' });
});
afterEach(() => vi.unstubAllGlobals());

describe('a page\'s language', () => {
  it('is Chinese first, and each surface remembers its own switch', () => {
    const wall = new I18n({ storageKey: 'cerebellum.screen.lang' });
    const desk = new I18n({ storageKey: 'cerebellum.console.lang' });
    expect(wall.locale).toBe('zh-CN');
    desk.toggle();
    expect(desk.locale).toBe('en');
    expect(new I18n({ storageKey: 'cerebellum.console.lang' }).locale).toBe('en');
    expect(new I18n({ storageKey: 'cerebellum.screen.lang' }).locale).toBe('zh-CN');
    expect(wall.t('app.name')).toBe('智慧小脑');
  });

  it('takes ?lang= for one load over the remembered choice', () => {
    storage.setItem('cerebellum.screen.lang', 'zh-CN');
    vi.stubGlobal('location', { search: '?lang=en-GB' });
    expect(new I18n({ storageKey: 'cerebellum.screen.lang' }).locale).toBe('en');
    expect(normaliseLocale('zh-TW')).toBe('zh-CN');
    expect(normaliseLocale('fr')).toBeNull();
  });

  it('still works where storage is disabled (a locked-down kiosk)', () => {
    vi.stubGlobal('localStorage', { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } });
    const wall = new I18n({ storageKey: 'cerebellum.screen.lang' });
    wall.set('en');
    expect(wall.locale).toBe('en');
  });

  it('knows a surface\'s own messages once that surface has started, and falls back for unknown codes', () => {
    const desk = new I18n({ storageKey: 'k', messages: { zhCN: { 'test.surface.only': '仅此页' }, en: { 'test.surface.only': 'this page only' } } });
    expect(desk.has('test.surface.only')).toBe(true);
    expect(desk.tOr('test.surface.only', 'raw')).toBe('仅此页');
    expect(desk.tOr('error.from_a_newer_server', 'error.from_a_newer_server')).toBe('error.from_a_newer_server');
    expect(desk.pick({ zh: '第一网格', en: 'Grid 1' })).toBe('第一网格');
  });
});
