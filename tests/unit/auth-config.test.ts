/**
 * The settings of accounts and the gate: scrypt's cost, the other origins allowed, the cookie's
 * Secure flag, session lengths, trusting a proxy. Bad values stop the start, naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

const problem = (env: Record<string, string>) => {
  try {
    loadConfig(env, []);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('the settings of accounts', () => {
  it('default to a strong scrypt cost, no other origins, Secure when https, 12 idle hours and 7 days', () => {
    const c = loadConfig({}, []);
    expect(c.SCRYPT_COST).toBe(32768);
    expect(c.ALLOWED_ORIGINS).toEqual([]);
    expect(c.COOKIE_SECURE).toBe('auto');
    expect(c.SESSION_IDLE_HOURS).toBe(12);
    expect(c.SESSION_MAX_DAYS).toBe(7);
    expect(c.TRUST_PROXY).toBe(false);
  });

  it('take a list of origins, and force the cookie flag either way', () => {
    const c = loadConfig({ ALLOWED_ORIGINS: 'http://localhost:5173, https://cockpit.example:8443', COOKIE_SECURE: '1', TRUST_PROXY: 'yes' }, []);
    expect(c.ALLOWED_ORIGINS).toEqual(['http://localhost:5173', 'https://cockpit.example:8443']);
    expect(c.COOKIE_SECURE).toBe(true);
    expect(c.TRUST_PROXY).toBe(true);
    expect(loadConfig({ COOKIE_SECURE: '0' }, []).COOKIE_SECURE).toBe(false);
  });

  it('refuse a cost that is not a power of two in range, and an origin that is not one', () => {
    expect(problem({ SCRYPT_COST: '1000' })).toContain('SCRYPT_COST');
    expect(problem({ SCRYPT_COST: '512' })).toContain('power of two');
    expect(problem({ ALLOWED_ORIGINS: 'cockpit.example' })).toContain('ALLOWED_ORIGINS');
    expect(problem({ ALLOWED_ORIGINS: 'https://cockpit.example/console' })).toContain('is not an origin');
    expect(problem({ COOKIE_SECURE: 'sometimes' })).toContain('COOKIE_SECURE');
  });
});
