/**
 * The write path of integrations (issue 11): API keys looked up once and still revoked at once,
 * the audit line shared by one key's reports in one commit group, the short answer a key gets,
 * the fixed security headers, and a report stored as it always was.
 */
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHERS_CHECK_MS } from '../../server/auth/api-keys.ts';
import { routeAudit } from '../../server/auth/audit.ts';
import { fromRow, type EventRow } from '../../server/events/record.ts';
import type { Principal } from '../../server/principal.ts';
import { apiKey, request, sampleReport, startServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const report = (secret: string, over: Record<string, unknown> = {}) =>
  request(`${api}/events`, { method: 'POST', as: null, headers: bearer(secret), body: sampleReport({ source: 'hotline', ...over }) });

type AuditLine = { actorId: string | null; action: string; targetType: string | null; targetId: string | null; detail: any; ip: string | null };
async function linesOf(actor: string): Promise<AuditLine[]> {
  const r = await request(`${api}/audit?limit=500&actor=${encodeURIComponent(actor)}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
}

/** Every id an audit line names: its target, or the runs in its detail (`101-164`). */
function idsIn(lines: AuditLine[]): number[] {
  const ids: number[] = [];
  for (const l of lines) {
    if (l.targetId !== null) ids.push(Number(l.targetId));
    for (const run of (l.detail?.ids ?? []) as string[]) {
      const [from, to = from] = run.split('-').map(Number) as [number, number?];
      for (let id = from; id <= to!; id++) ids.push(id);
    }
  }
  return ids.sort((a, b) => a - b);
}

/** An integration key's principal as the gate makes it for `POST /api/v1/events` from `ip`. */
function keyPrincipal(secret: string, ip = '10.1.2.3'): Principal {
  const key = ts.app.auth.apiKeys.authenticate(secret);
  if (!key || key === 'revoked') throw new Error('no such key');
  return { ...ts.app.auth.apiKeys.principalOf(key), request: { ip, describe: () => routeAudit('POST', '/events', {}) } };
}

const auditCount = () => (ts.app.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;

describe('an integration key', () => {
  it('is told only the new event\'s id and case number, with 201', async () => {
    const { secret } = apiKey(ts.app, '短答');
    const r = await report(secret, { externalId: 'SHORT-1' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toEqual({ event: { id: expect.any(Number), code: expect.stringMatching(/^\d{14}$/), externalId: 'SHORT-1' }, created: true });
    const again = await report(secret, { externalId: 'SHORT-1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ event: r.body.event, created: false });
  });

  it('revoked in the console is refused on the very next request', async () => {
    const { key, secret } = apiKey(ts.app, '即撤');
    expect((await report(secret)).status).toBe(201);
    expect((await report(secret)).status).toBe(201);
    const revoked = await request(`${api}/api-keys/${key.id}/revoke`, { method: 'POST' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const next = await report(secret);
    expect(next.status).toBe(401);
    expect(next.body.error.code).toBe('error.revoked');
  });

  it('revoked by another program on the same database is refused a tenth of a second later', async () => {
    const { key, secret } = apiKey(ts.app, '别处撤');
    expect((await report(secret)).status).toBe(201);
    const other = new Database(ts.app.db.name);
    try {
      other.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(Date.now(), key.id);
    } finally {
      other.close();
    }
    await new Promise((r) => setTimeout(r, OTHERS_CHECK_MS + 20));
    const next = await report(secret);
    expect(next.status).toBe(401);
    expect(next.body.error.code).toBe('error.revoked');
  });
});

describe('the audit line of a key\'s reports', () => {
  it('names every event that one key\'s concurrent reports made, in one line per commit group', async () => {
    const { key, secret } = apiKey(ts.app, '并发');
    const p = keyPrincipal(secret);
    // Queued in one turn of the event loop: one commit group.
    const made = await Promise.all(Array.from({ length: 40 }, (_, i) => ts.app.events.report(p, sampleReport({ title: `并发上报 ${i}` }) as any)));
    const lines = await linesOf(`api_key:${key.id}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ action: 'events.create', targetType: 'events', targetId: null, ip: '10.1.2.3' });
    expect(lines[0]!.detail.count).toBe(40);
    expect(idsIn(lines)).toEqual(made.map((r) => r.event.id).sort((a, b) => a - b));
  });

  it('over HTTP, leaves every event a key reported attributable to it', async () => {
    const { key, secret } = apiKey(ts.app, '并发HTTP');
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => report(secret, { title: `并发 ${i}` })));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    const lines = await linesOf(`api_key:${key.id}`);
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(idsIn(lines)).toEqual(answers.map((a) => a.body.event.id as number).sort((a, b) => a - b));
  });

  it('keeps a lone report\'s line as before: the event as its target', async () => {
    const { key, secret } = apiKey(ts.app, '单条');
    const r = await report(secret);
    const lines = await linesOf(`api_key:${key.id}`);
    expect(lines).toEqual([expect.objectContaining({ action: 'events.create', targetId: String(r.body.event.id), detail: null })]);
  });

  it('names the events a bulk ingest made, and not the duplicates', async () => {
    const { key, secret } = apiKey(ts.app, '批量');
    const body = { events: [sampleReport({ externalId: 'B-1' }), sampleReport({ externalId: 'B-2' })] };
    const first = await request(`${api}/events/ingest`, { method: 'POST', as: null, headers: bearer(secret), body });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    body.events.push(sampleReport({ externalId: 'B-3' }));
    const second = await request(`${api}/events/ingest`, { method: 'POST', as: null, headers: bearer(secret), body });
    expect(second.body).toMatchObject({ created: 1, duplicates: 2 });
    const lines = await linesOf(`api_key:${key.id}`);
    expect(lines.map((l) => [l.action, l.detail?.count])).toEqual([['events.ingest.create', undefined], ['events.ingest.create', 2]]);
    expect(idsIn(lines)).toEqual([...first.body.items, ...second.body.items.slice(2)].map((i: { id: number }) => i.id));
  });

  it('is not written for a refused request, nor for a write that failed; a failed neighbour takes no one\'s line', async () => {
    const { key, secret } = apiKey(ts.app, '失败');
    const before = auditCount();
    expect((await report(secret, { title: '' })).status).toBe(400);
    expect(auditCount()).toBe(before);

    // Three writes in one group by the same key: the middle one fails after writing, in its savepoint.
    const p = keyPrincipal(secret, '10.9.9.9');
    const a = ts.app.events.report(p, sampleReport({ title: '前' }) as any);
    const failed = ts.app.queue.runAs(p, (ctx) => {
      ts.app.db.prepare("INSERT INTO journal (at, community_id, type, entity, entity_id) VALUES (?, 'guihua', 'test.half', 'test', 1)").run(Date.now());
      ctx.emit({} as any);
      throw new Error('refused half-way');
    });
    const b = ts.app.events.report(p, sampleReport({ title: '后' }) as any);
    await expect(failed).rejects.toThrow('refused half-way');
    const made = [(await a).event.id, (await b).event.id];
    const lines = await linesOf(`api_key:${key.id}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.detail).toEqual({ count: 2, ids: made[1] === made[0]! + 1 ? [`${made[0]}-${made[1]}`] : made.map(String) });
    expect(auditCount()).toBe(before + 1);
    expect(ts.app.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE type = 'test.half'").get()).toEqual({ n: 0 });
  });
});

describe('the security headers', () => {
  it('are those Hono\'s secureHeaders sets with our policy, on answers of every kind', async () => {
    const reference = new Hono();
    reference.use('*', secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"], fontSrc: ["'self'"], workerSrc: ["'self'"], objectSrc: ["'none'"], frameAncestors: ["'none'"],
        baseUri: ["'self'"],
      },
      crossOriginEmbedderPolicy: false,
    }));
    reference.get('/', (c) => c.json({}));
    const expected = [...(await reference.request('/')).headers].filter(([k]) => k !== 'content-type');
    expect(expected.length).toBeGreaterThan(10);
    const { secret } = apiKey(ts.app, '头');
    const answers = [
      await request(`${api}/health`),
      await report(secret),
      await report(secret, { title: '' }),
      await request(`${api}/events`, { as: null }),
      await request(`${api}/no-such-thing`),
      await request(`${ts.url}/no-such-page`, { as: null }),
    ];
    for (const a of answers) {
      for (const [name, value] of expected) expect(a.headers.get(name), `${a.status} ${name}`).toBe(value);
    }
  });
});

describe('a report', () => {
  it('is stored as the event the service answers with', async () => {
    const { secret } = apiKey(ts.app, '存储');
    const p = keyPrincipal(secret);
    const { event } = await ts.app.events.report(p, sampleReport({ externalId: 'ROW-1', lat: 30.2, lng: 120.1 }) as any);
    const row = ts.app.db.prepare('SELECT * FROM events WHERE id = ?').get(event.id) as EventRow;
    expect(fromRow(row)).toEqual(event);
  });
});
