/**
 * The start-up log's links: the paired wall first, then the console with its accounts, then the
 * bare /screen for pairing a new display, each under a line saying what it is.
 */
import { describe, expect, it } from 'vitest';
import { pairingPath, startupLinks } from '../../server/startup-links.ts';

const base = 'http://localhost:8080';
const fresh = {
  accounts: [
    { role: 'admin' as const, username: 'demo-admin', password: 'pw-admin-1234' },
    { role: 'dispatcher' as const, username: 'demo-dispatcher', password: 'pw-disp-1234' },
  ],
  displayToken: 'cbd_' + 'x'.repeat(43),
};

/** The URLs in the lines, in order. */
const links = (lines: string[]) => lines.flatMap((l) => l.match(/https?:\/\/\S+/g) ?? []);
/** The line just above the line holding `url`: what it is. */
const labelOf = (lines: string[], url: string) => lines[lines.findIndex((l) => l.trim() === url) - 1] ?? '';

describe('the start-up links of a first demo start', () => {
  const lines = startupLinks({ base, demo: fresh, setupToken: null });

  it('prints the paired wall first, then the console, then the bare /screen', () => {
    expect(links(lines)).toEqual([`${base}/screen#display=${fresh.displayToken}`, `${base}/console`, `${base}/tablet`, `${base}/screen`]);
  });

  it('says what each link is', () => {
    expect(labelOf(lines, `${base}/screen#display=${fresh.displayToken}`)).toMatch(/大屏 wall display, already paired/);
    expect(labelOf(lines, `${base}/console`)).toMatch(/控制台 console: log in with one of these accounts/);
    expect(labelOf(lines, `${base}/tablet`)).toMatch(/网格通 the grid worker's tablet: .* log in as demo-grid-worker/);
    expect(labelOf(lines, `${base}/screen`)).toMatch(/新大屏 a new wall display/);
  });

  it('lists every account with its password under the console link', () => {
    const consoleAt = lines.findIndex((l) => l.trim() === `${base}/console`);
    const newWallAt = lines.findIndex((l) => l.trim() === `${base}/screen`);
    for (const a of fresh.accounts) {
      const at = lines.findIndex((l) => l.includes(a.username) && l.includes(a.password));
      expect(at).toBeGreaterThan(consoleAt);
      expect(at).toBeLessThan(newWallAt);
    }
  });

  it("tells a new display's pairing in the console's own words", () => {
    expect(pairingPath('zh-CN')).toBe('大屏设备 → 配对新大屏');
    expect(labelOf(lines, `${base}/screen`)).toContain('大屏设备 → 配对新大屏');
    expect(labelOf(lines, `${base}/screen`)).toContain('Displays → Pair a display');
  });
});

describe('the demo volunteer', () => {
  it('is printed under the phone page /me, apart from the console\'s accounts', () => {
    const volunteer = { role: 'volunteer' as const, username: 'demo-volunteer', password: 'pw-vol-123456' };
    const lines = startupLinks({ base, demo: { ...fresh, accounts: [...fresh.accounts, volunteer] }, setupToken: null });
    expect(links(lines)).toEqual([`${base}/screen#display=${fresh.displayToken}`, `${base}/console`, `${base}/tablet`, `${base}/me`, `${base}/screen`]);
    expect(labelOf(lines, `${base}/me`)).toMatch(/志愿者手机页/);
    const meAt = lines.findIndex((l) => l.trim() === `${base}/me`);
    expect(lines.findIndex((l) => l.includes('demo-volunteer') && l.includes(volunteer.password))).toBe(meAt + 1);
  });
});

describe('the start-up links of a later start', () => {
  it('a demo restart prints no secret and still puts the console before the bare /screen', () => {
    const lines = startupLinks({ base, demo: { accounts: [], displayToken: null }, setupToken: null });
    expect(links(lines)).toEqual([`${base}/console`, `${base}/tablet`, `${base}/screen`]);
    expect(lines.join('\n')).not.toContain('#display=');
  });

  it('a server without accounts prints the one-time setup link before the bare /screen', () => {
    const lines = startupLinks({ base, demo: null, setupToken: 'setup-token-123' });
    expect(links(lines)).toEqual([`${base}/console/setup#setup-token-123`, `${base}/screen`]);
    expect(labelOf(lines, `${base}/console/setup#setup-token-123`)).toMatch(/create the first administrator/);
  });

  it('a server with accounts prints the console, then the bare /screen', () => {
    const lines = startupLinks({ base, demo: null, setupToken: null });
    expect(links(lines)).toEqual([`${base}/console`, `${base}/screen`]);
  });

  it('speaks in words in every case, never in message keys (the server has no console catalogue)', () => {
    for (const lines of [
      startupLinks({ base, demo: fresh, setupToken: null }),
      startupLinks({ base, demo: { accounts: [], displayToken: null }, setupToken: null }),
      startupLinks({ base, demo: null, setupToken: 'setup-token-123' }),
      startupLinks({ base, demo: null, setupToken: null }),
    ]) {
      expect(lines.join('\n')).not.toMatch(/\b(?:console|error|screen)\.[a-z]+\.[a-zA-Z.]+/);
    }
    expect(startupLinks({ base, demo: fresh, setupToken: null }).join('\n')).toContain('打开大屏 (Open the wall)');
  });
});
