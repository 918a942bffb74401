import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/config.ts';

function configError(env: Record<string, string | undefined>, argv: string[] = []): ConfigError {
  try {
    loadConfig(env, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('configuration', () => {
  it('starts on port 8080 in Shanghai time with its data in ./data when nothing is set', () => {
    const c = loadConfig({}, []);
    expect(c.PORT).toBe(8080);
    expect(c.TIME_ZONE).toBe('Asia/Shanghai');
    expect(c.DEMO).toBe(false);
    expect(path.isAbsolute(c.DATA_DIR)).toBe(true);
    expect(c.DATA_DIR).toBe(path.resolve('data'));
    expect(c.dbFile).toBe(path.join(path.resolve('data'), 'cerebellum.db'));
  });

  it('treats an empty variable as unset', () => {
    const c = loadConfig({ PORT: '', TIME_ZONE: '', DEMO: '' }, []);
    expect(c.PORT).toBe(8080);
    expect(c.TIME_ZONE).toBe('Asia/Shanghai');
    expect(c.DEMO).toBe(false);
  });

  it('takes the port, time zone and data directory from the environment', () => {
    const c = loadConfig({ PORT: '3000', TIME_ZONE: 'America/New_York', DATA_DIR: '/var/lib/cerebellum' }, []);
    expect(c.PORT).toBe(3000);
    expect(c.TIME_ZONE).toBe('America/New_York');
    expect(c.DATA_DIR).toBe('/var/lib/cerebellum');
    expect(c.dbFile).toBe('/var/lib/cerebellum/cerebellum.db');
  });

  it('accepts port 0 for a free port', () => {
    expect(loadConfig({ PORT: '0' }, []).PORT).toBe(0);
  });

  it('turns demo mode on with --demo', () => {
    expect(loadConfig({}, ['--demo']).DEMO).toBe(true);
  });

  it.each(['1', 'true', 'yes'])('turns demo mode on with DEMO=%s', (v) => {
    expect(loadConfig({ DEMO: v }, []).DEMO).toBe(true);
  });

  it.each(['0', 'false', 'no'])('keeps demo mode off with DEMO=%s', (v) => {
    expect(loadConfig({ DEMO: v }, []).DEMO).toBe(false);
  });

  it('lets --demo win over DEMO=0', () => {
    expect(loadConfig({ DEMO: '0' }, ['--demo']).DEMO).toBe(true);
  });

  it.each(['abc', '65536', '-1', '80.5'])('refuses PORT=%s and names PORT in the message', (port) => {
    const e = configError({ PORT: port });
    expect(e.message).toContain('PORT');
    expect(e.message).toContain(JSON.stringify(port));
  });

  it('refuses a time zone the runtime does not know and names TIME_ZONE in the message', () => {
    const e = configError({ TIME_ZONE: 'Mars/Olympus_Mons' });
    expect(e.message).toContain('TIME_ZONE');
    expect(e.message).toContain('Mars/Olympus_Mons');
  });

  it('refuses a DEMO value it cannot read as yes or no', () => {
    expect(configError({ DEMO: 'maybe' }).message).toContain('DEMO');
  });

  it('refuses an unknown command-line argument and names it', () => {
    const e = configError({}, ['--demo', '--prod']);
    expect(e.message).toContain('--prod');
    expect(e.message).toContain('--demo');
  });

  it('lists every bad value at once, not only the first', () => {
    const e = configError({ PORT: 'abc', TIME_ZONE: 'Nowhere/Else' }, ['--verbose']);
    expect(e.message).toContain('PORT');
    expect(e.message).toContain('TIME_ZONE');
    expect(e.message).toContain('--verbose');
  });

  it('ignores environment variables it does not know', () => {
    expect(() => loadConfig({ HOME: '/root', PATH: '/usr/bin' }, [])).not.toThrow();
  });
});
