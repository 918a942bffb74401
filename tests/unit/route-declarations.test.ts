/**
 * A route is declared once (server/http/routes.ts): the declaration registers the handler and
 * enters the route's rule into the table the gate checks, keyed as the gate finds it. Who may
 * call each real route, role by role, is tests/integration/auth-access.test.ts. The declaration
 * also carries the body's and the query's schemas, checked before the handler runs, and the
 * answer's, checked under tests; every real route says what body it takes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { apiRoutes, type HttpDeps } from '../../server/api.ts';
import { DomainError } from '../../server/errors.ts';
import { Routes, accessTable, rolesFor, routeKey } from '../../server/http/routes.ts';
import { limitedBody } from '../../server/http/validate.ts';

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

/** An app answering errors as the API does (server/http/errors.ts), over one subject's routes. */
function served(r: Routes) {
  const app = new Hono();
  app.onError((err, c) => err instanceof DomainError
    ? c.json({ error: { code: err.code, issues: err.issues } }, err.status)
    : c.json({ error: { code: 'error.internal' } }, 500));
  app.route('/', r.app);
  return app;
}
const post = (body: string, headers: Record<string, string> = {}) =>
  ({ method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('a route that declares its body, query and answer', () => {
  const r = new Routes();
  const note = z.strictObject({ note: z.string().min(1, 'required'), hours: z.number().default(1) });
  let handled = 0;
  r.post('/notes', { access: ['admin'], body: note }, limitedBody(64), (c) => {
    handled++;
    const body = c.req.valid('json');
    return c.json({ note: body.note, hours: body.hours }, 201);
  });
  r.post('/notes/:id{[0-9]+}/touch', { access: ['admin'], body: note.partial(), bodyOptional: true }, (c) => c.json(c.req.valid('json')));
  r.get('/notes', { access: ['admin'], query: z.object({ limit: z.coerce.number().int().max(10, 'at most 10') }) },
    (c) => c.json({ limit: c.req.valid('query').limit }));
  r.get('/drift', { access: 'public', response: z.strictObject({ ok: z.boolean() }) }, (c) => c.json({ ok: 'yes' }));
  r.get('/fine', { access: 'public', response: z.strictObject({ ok: z.boolean() }) }, (c) => c.json({ ok: true }));
  r.get('/refused', { access: 'public', response: z.strictObject({ ok: z.boolean() }) }, (c) => c.json({ nope: 1 }, 409));
  const app = served(r);

  it('hands the handler the body as its schema parsed it, defaults filled in', async () => {
    const res = await app.request('/notes', post('{"note":"call back"}'));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ note: 'call back', hours: 1 });
  });

  it('refuses a bad body with a 400 naming each field, and never runs the handler', async () => {
    const before = handled;
    const res = await app.request('/notes', post('{"note":"","colour":"red"}'));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'error.validation', issues: [
      { field: 'note', problem: 'required' }, { field: 'colour', problem: 'is not a known field' },
    ] } });
    expect(handled).toBe(before);
  });

  it('checks the size before reading the body, and an empty body is a 400 unless the route allows it', async () => {
    expect((await app.request('/notes', post(JSON.stringify({ note: 'x'.repeat(100) })))).status).toBe(413);
    expect((await app.request('/notes', post(''))).status).toBe(400);
    const empty = await app.request('/notes/1/touch', { method: 'POST' });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ hours: 1 });
  });

  it('checks the query and hands it over parsed', async () => {
    expect(await (await app.request('/notes?limit=3')).json()).toEqual({ limit: 3 });
    const bad = await app.request('/notes?limit=30');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.issues).toEqual([{ field: 'limit', problem: 'at most 10' }]);
  });

  it('fails loudly under tests when a success answer drifts from its declared shape, and lets a matching or refused one through', async () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await app.request('/drift');
      expect(res.status).toBe(500);
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/GET \/drift answered 200 .*ok: /));
    } finally {
      stderr.mockRestore();
    }
    expect((await app.request('/fine')).status).toBe(200);
    expect((await app.request('/refused')).status).toBe(409);
  });

  it('does not check answers outside tests', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    try {
      const r2 = new Routes().get('/drift', { access: 'public', response: z.strictObject({ ok: z.boolean() }) }, (c) => c.json({ ok: 'yes' }));
      expect((await served(r2).request('/drift')).status).toBe(200);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('every route the API declares', () => {
  // The declarations only: the services are never called.
  const stub = {} as never;
  const deps = {
    events: stub, volunteers: stub, orgs: stub, charity: stub, needs: stub, community: stub, directory: stub, model: stub,
    auth: { accounts: {} }, security: { cookieSecure: 'auto', trustProxy: false, sessionMaxMs: 1 },
  } as unknown as HttpDeps;
  const declared = apiRoutes(deps).flatMap((r) => r.declared);

  it('are the whole API, every subject present', () => {
    expect(declared.length).toBeGreaterThan(100);
  });

  it('say what body each POST, PATCH and PUT takes: a schema, or null for none', () => {
    const silent = declared.filter((d) => ['POST', 'PATCH', 'PUT'].includes(d.method) && d.body === undefined);
    expect(silent.map((d) => `${d.method} ${d.path}`)).toEqual([]);
  });

  it('leave reading bodies and queries to their declarations: no handler reads or parses either', () => {
    const files = [
      'server/api.ts',
      ...fs.readdirSync('server', { recursive: true, encoding: 'utf8' })
        .filter((f) => /(^|\/)routes[^/]*\.ts$/.test(f) && !f.startsWith('http/')).map((f) => path.join('server', f)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(7);
    const readers = files.filter((f) => /\bc\.req\.(query|queries|json|text|arrayBuffer|parseBody)\(|\breadJson\(|(?<![.\w])parse\(/.test(fs.readFileSync(f, 'utf8')));
    expect(readers).toEqual([]);
  });

  it('declare the answers of grid events: the list, a report, one event, an action', () => {
    const answered = declared.filter((d) => d.response).map((d) => `${d.method} ${d.path}`);
    expect(answered).toEqual(expect.arrayContaining(['GET /events', 'POST /events', 'GET /events/:id', 'POST /events/:id/:action']));
  });
});
