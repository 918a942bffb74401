/**
 * A route is declared once (server/http/routes.ts): the declaration registers the handler and
 * enters the route's rule into the table the gate checks, keyed as the gate finds it. Who may
 * call each real route, role by role, is tests/integration/auth-access.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Routes, accessTable, rolesFor, routeKey } from '../../server/http/routes.ts';

describe('a route declared once', () => {
  it('answers through Hono and puts its rule in the gate table under the key the gate looks up', async () => {
    const r = new Routes();
    r.get('/needs/:id{[0-9]{1,12}}', { access: ['admin'], reads: { targetType: 'needs', at: 'need', personal: ['residentName'] } },
      (c) => c.json({ id: c.req.param('id') }));
    r.post('/needs', ['admin', 'coordinator'], (c) => c.json({ ok: true }, 201));
    const res = await r.app.request('/needs/42');
    expect(await res.json()).toEqual({ id: '42' });
    const table = accessTable(r.declared);
    const key = routeKey('GET', '/api/v1/needs/:id{[0-9]{1,12}}');
    expect(key).toBe('GET /needs/:id');
    expect(table.access[key]).toEqual(['admin']);
    expect(table.reads[key]?.targetType).toBe('needs');
    expect(table.access['POST /needs']).toEqual(['admin', 'coordinator']);
    expect(Object.keys(table.access)).toHaveLength(2);
  });

  it('never lets the system principal through a route, though the services name it', () => {
    const r = new Routes();
    r.post('/events/ingest', ['admin', 'dispatcher', 'integration', 'system'], (c) => c.json({}));
    r.post('/events/:id/:action', () => ['admin', 'system'], (c) => c.json({}));
    const table = accessTable(r.declared);
    expect(table.access['POST /events/ingest']).toEqual(['admin', 'dispatcher', 'integration']);
    expect(rolesFor(table.access['POST /events/:id/:action']!, { id: '1', action: 'accept' })).toEqual(['admin']);
  });

  it('refuses to start with one route declared twice under different rules', () => {
    const a = new Routes().get('/grids', ['admin'], (c) => c.json({}));
    const b = new Routes().get('/grids', 'public', (c) => c.json({}));
    expect(() => accessTable([...a.declared, ...b.declared])).toThrow(/GET \/grids is declared twice/);
  });

  it('registers middleware on paths without declaring a route', () => {
    const r = new Routes().use('/auth/*', async (_c, next) => next());
    expect(r.declared).toEqual([]);
  });
});
