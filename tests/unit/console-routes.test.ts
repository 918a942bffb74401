/**
 * The console's addresses: every page keeps its path, and a page about one thing names it in
 * the path (`/console/events/:id`), so a dispatcher can paste a link to one event to a colleague.
 */
import { describe, expect, it } from 'vitest';
import { BASE, ROUTES, href, pageOf } from '../../client/console/routes.ts';
import { fillPattern, matchPattern, routeTable } from '../../client/lib/routes.ts';

/** The console's table with the pages the desks will add. */
const desks = routeTable(BASE, { ...ROUTES, event: '/events/:id', step: '/events/:id/steps/:step' });

describe('console addresses', () => {
  it('opens the same page for every address it opened before', () => {
    expect(pageOf('/console')).toBe('home');
    expect(pageOf('/console/')).toBe('home');
    expect(pageOf('/console/users')).toBe('users');
    expect(pageOf('/console/users/')).toBe('users');
    expect(pageOf('/console/api-keys')).toBe('api-keys');
    expect(pageOf('/console/audit')).toBe('audit');
    expect(pageOf('/console/setup')).toBe('setup');
    expect(pageOf('/console/nothing')).toBe('not-found');
    expect(pageOf('/console/users/12')).toBe('not-found');
    expect(pageOf('/screen')).toBe('not-found');
  });

  it('writes the same links as before, leaving empty filters out', () => {
    expect(href('home')).toBe('/console');
    expect(href('users')).toBe('/console/users');
    expect(href('audit', { actor: 'li', action: '', from: undefined, to: '2026-03-10' })).toBe('/console/audit?actor=li&to=2026-03-10');
  });

  it('reads an event id from /console/events/:id, decoded', () => {
    expect(desks.match('/console/events/42')).toEqual({ page: 'event', params: { id: '42' } });
    expect(desks.match('/console/events/42/')).toEqual({ page: 'event', params: { id: '42' } });
    expect(desks.match('/console/events/%E4%BA%8B%2F1')).toEqual({ page: 'event', params: { id: '事/1' } });
    expect(desks.match('/console/events/42/steps/3')).toEqual({ page: 'step', params: { id: '42', step: '3' } });
    expect(desks.match('/console/users')).toEqual({ page: 'users', params: {} });
  });

  it('finds no page for an address with a missing or broken id', () => {
    expect(desks.match('/console/events/1/2/3').page).toBe('not-found');
    expect(desks.match('/console/events//steps/3').page).toBe('not-found');
    expect(desks.match('/console/events/%E0%A4%A').page).toBe('not-found');
    expect(desks.match('/console/events/1/2').page).toBe('not-found');
  });

  it('writes a link to one event with its id encoded, and its query after it', () => {
    expect(desks.href('event', { id: '42' })).toBe('/console/events/42');
    expect(desks.href('event', { id: '事/1' }, { tab: 'log' })).toBe('/console/events/%E4%BA%8B%2F1?tab=log');
    expect(desks.href('step', { id: '42', step: '3' })).toBe('/console/events/42/steps/3');
    // What it writes, it reads back.
    expect(desks.match(desks.href('event', { id: 'a b?c' })).params).toEqual({ id: 'a b?c' });
  });

  it('refuses to write a link whose id is missing rather than a link to the wrong page', () => {
    expect(() => fillPattern('/events/:id', {})).toThrow(/id/);
    expect(matchPattern('/events/:id', '/events/7')).toEqual({ id: '7' });
  });
});
