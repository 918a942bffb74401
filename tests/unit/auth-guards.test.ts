/**
 * The checks in front of every request: rate limits keyed so one client cannot lock out
 * everyone, the CSRF token on cookie-authenticated writes, the origin, and how routes are named
 * for the access table and the audit log.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter, loginKeys } from '../../server/auth/rate-limit.ts';
import { cookieValue, csrfOk, originAllowed } from '../../server/auth/guards.ts';
import { idOf, routeAudit } from '../../server/auth/audit.ts';
import { routeKey } from '../../server/http/routes.ts';

describe('the rate limiter', () => {
  it('allows `limit` attempts in a window, then says how long to wait', () => {
    let t = 1_000_000;
    const rl = new RateLimiter({ limit: 3, windowMs: 60_000, now: () => t });
    for (let i = 0; i < 3; i++) {
      expect(rl.retryAfter('k')).toBe(0);
      rl.hit('k');
      t += 1_000;
    }
    expect(rl.retryAfter('k')).toBe(60_000 - 3_000);
    t += 57_000; // the first attempt leaves the window
    expect(rl.retryAfter('k')).toBe(0);
  });

  it('counts each key on its own', () => {
    const rl = new RateLimiter({ limit: 1, windowMs: 60_000, now: () => 0 });
    rl.hit('a');
    expect(rl.retryAfter('a')).toBeGreaterThan(0);
    expect(rl.retryAfter('b')).toBe(0);
  });

  it('take() counts an attempt only when within the limit', () => {
    const rl = new RateLimiter({ limit: 2, windowMs: 60_000, now: () => 0 });
    expect([rl.take('x'), rl.take('x'), rl.take('x')]).toEqual([true, true, false]);
  });

  it('forgets a key on reset, and keeps its memory bounded', () => {
    let t = 0;
    const rl = new RateLimiter({ limit: 1, windowMs: 1_000, now: () => t, maxKeys: 100 });
    rl.hit('a');
    rl.reset('a');
    expect(rl.retryAfter('a')).toBe(0);
    for (let i = 0; i < 1_000; i++) rl.hit(`k${i}`);
    expect(rl.size).toBeLessThanOrEqual(100);
    t += 2_000;
    rl.prune();
    expect(rl.size).toBe(0);
  });

  it('keys logins per (account, address) and per address, so another address is not locked out', () => {
    const rl = new RateLimiter({ limit: 5, windowMs: 900_000, now: () => 0 });
    const attacker = loginKeys('Wang.Li ', '203.0.113.9');
    const owner = loginKeys('wang.li', '198.51.100.7');
    expect(attacker.account).toBe('wang.li|203.0.113.9');
    for (let i = 0; i < 5; i++) rl.hit(attacker.account);
    expect(rl.retryAfter(attacker.account)).toBeGreaterThan(0);
    expect(rl.retryAfter(owner.account)).toBe(0);
    expect(owner.address).toBe('198.51.100.7');
  });
});

describe('the CSRF check', () => {
  it('lets reads through without a token', () => {
    for (const m of ['GET', 'HEAD', 'OPTIONS', 'get']) expect(csrfOk(m, 'tok', undefined)).toBe(true);
  });

  it('asks every write for the session token, exactly', () => {
    for (const m of ['POST', 'PATCH', 'PUT', 'DELETE']) {
      expect(csrfOk(m, 'session-token', 'session-token')).toBe(true);
      expect(csrfOk(m, 'session-token', undefined)).toBe(false);
      expect(csrfOk(m, 'session-token', '')).toBe(false);
      expect(csrfOk(m, 'session-token', 'session-token2')).toBe(false);
    }
  });
});

describe('the origin check', () => {
  it('lets through no Origin, the server\'s own, and those allowed', () => {
    expect(originAllowed(undefined, 'cockpit.example', [])).toBe(true);
    expect(originAllowed('https://cockpit.example', 'cockpit.example', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1:8080', [])).toBe(true);
    expect(originAllowed('http://localhost:5173', 'localhost:8080', ['http://localhost:5173'])).toBe(true);
  });

  it('refuses other sites, other ports, null and garbage', () => {
    expect(originAllowed('https://evil.example', 'cockpit.example', [])).toBe(false);
    expect(originAllowed('http://127.0.0.1:9999', '127.0.0.1:8080', [])).toBe(false);
    expect(originAllowed('null', 'cockpit.example', [])).toBe(false);
    expect(originAllowed('not a url', 'cockpit.example', [])).toBe(false);
    expect(originAllowed('https://cockpit.example.evil.example', 'cockpit.example', [])).toBe(false);
  });
});

describe('names of routes', () => {
  it('key the access table by method and path, parameter patterns left out', () => {
    expect(routeKey('GET', '/api/v1/needs/:id{[0-9]{1,12}}')).toBe('GET /needs/:id');
    expect(routeKey('HEAD', '/api/v1/needs/:code{XQ-[0-9]{4}-[0-9]{1,9}}')).toBe('GET /needs/:code');
    expect(routeKey('POST', '/api/v1/events/:id/:action')).toBe('POST /events/:id/:action');
  });

  it('name a write in the audit log by its path, its action and its target', () => {
    expect(routeAudit('POST', '/events/:id/:action', { id: '12', action: 'dispatch' }))
      .toEqual({ action: 'events.dispatch', targetType: 'events', targetId: '12', detail: null });
    expect(routeAudit('POST', '/needs', {})).toEqual({ action: 'needs.create', targetType: 'needs', targetId: null, detail: null });
    expect(routeAudit('PATCH', '/volunteers/:id', { id: '3' }).action).toBe('volunteers.update');
    expect(routeAudit('POST', '/charity/donations', {})).toMatchObject({ action: 'charity.donations.create', targetType: 'charity.donations' });
    expect(routeAudit('POST', '/needs/:id/matches/:matchId/accept', { id: '4', matchId: '9' }))
      .toEqual({ action: 'needs.matches.accept', targetType: 'needs', targetId: '4', detail: { matchId: '9' } });
  });

  it('find the id of what a write made', () => {
    expect(idOf({ id: 5 })).toBe('5');
    expect(idOf({ event: { id: 7 }, created: true })).toBe('7');
    expect(idOf([{ id: 1 }])).toBeNull();
    expect(idOf(null)).toBeNull();
  });
});

describe('cookies', () => {
  it('are read by name from the Cookie header', () => {
    expect(cookieValue('a=1; cb_session=xyz; b=2', 'cb_session')).toBe('xyz');
    expect(cookieValue('cb_sessionx=1', 'cb_session')).toBeUndefined();
    expect(cookieValue(undefined, 'cb_session')).toBeUndefined();
  });
});
