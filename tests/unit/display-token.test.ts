/**
 * The wall's device token: kept until the server refuses it, handed over once by a ready link
 * (`#display=<token>`) that then leaves the address bar.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  TOKEN_KEY, adoptDisplayTokenFromUrl, forgetDisplayToken, readDisplayToken, resetMemoryToken, storeDisplayToken,
  type UrlAccess,
} from '../../client/lib/display-token.ts';

const TOKEN = 'cbd_' + 'AbC-_9'.repeat(7) + 'x';

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

/** Storage as a locked-down kiosk profile gives it: every call throws. */
const refusing = {
  getItem(): string | null { throw new Error('SecurityError'); },
  setItem() { throw new Error('SecurityError'); },
  removeItem() { throw new Error('SecurityError'); },
};

function url(href: string): UrlAccess & { replaced: string[] } {
  const u = new URL(href, 'http://wall.local');
  const replaced: string[] = [];
  return { pathname: u.pathname, search: u.search, hash: u.hash, replace: (v) => replaced.push(v), replaced };
}

beforeEach(() => resetMemoryToken());

describe('the display token', () => {
  it('is kept in storage until forgotten', () => {
    const storage = new MemoryStorage();
    expect(readDisplayToken(storage)).toBeNull();
    storeDisplayToken(TOKEN, storage);
    expect(storage.getItem(TOKEN_KEY)).toBe(TOKEN);
    resetMemoryToken(); // a reload
    expect(readDisplayToken(storage)).toBe(TOKEN);
    forgetDisplayToken(storage);
    expect(readDisplayToken(storage)).toBeNull();
  });

  it('still works for this load when the browser refuses storage', () => {
    storeDisplayToken(TOKEN, refusing);
    expect(readDisplayToken(refusing)).toBe(TOKEN);
    forgetDisplayToken(refusing);
    expect(readDisplayToken(refusing)).toBeNull();
  });

  it('ignores a stored value that is not a token', () => {
    const storage = new MemoryStorage();
    storage.setItem(TOKEN_KEY, '<script>');
    expect(readDisplayToken(storage)).toBeNull();
  });
});

describe('a ready link', () => {
  it('stores the token and takes it out of the address bar, keeping the query', () => {
    const storage = new MemoryStorage();
    const u = url(`/screen?scene=events#display=${TOKEN}`);
    expect(adoptDisplayTokenFromUrl(u, storage)).toBe(TOKEN);
    expect(storage.getItem(TOKEN_KEY)).toBe(TOKEN);
    expect(u.replaced).toEqual(['/screen?scene=events']);
  });

  it('keeps other hash parameters', () => {
    const u = url(`/screen#display=${TOKEN}&panel=map`);
    adoptDisplayTokenFromUrl(u, new MemoryStorage());
    expect(u.replaced).toEqual(['/screen#panel=map']);
  });

  it('leaves a URL without a token alone', () => {
    for (const href of ['/screen', '/screen?scene=needs', '/screen#panel=map']) {
      const u = url(href);
      const storage = new MemoryStorage();
      expect(adoptDisplayTokenFromUrl(u, storage)).toBeNull();
      expect(u.replaced).toEqual([]);
      expect(storage.map.size).toBe(0);
    }
  });

  it('removes a malformed token from the URL without storing it', () => {
    const storage = new MemoryStorage();
    storeDisplayToken(TOKEN, storage);
    const u = url('/screen#display=%3Cimg%3E');
    expect(adoptDisplayTokenFromUrl(u, storage)).toBeNull();
    expect(u.replaced).toEqual(['/screen']);
    expect(storage.getItem(TOKEN_KEY)).toBe(TOKEN);
  });
});
