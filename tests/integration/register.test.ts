/**
 * The community register over real HTTP and a real SQLite file: buildings, households and
 * residents added and corrected, and what must never happen: a write on bad input, a silent
 * overwrite of a colleague's correction, a grid worker reaching another grid, a resident's record
 * read without a line in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, request, startServer, until, type Credentials, type TestServer } from '../support/server.ts';
import { idOf } from '../support/register.ts';

let ts: TestServer;
let api: string;
let worker: Credentials;
const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;
const footprint = () => ['buildings', 'households', 'residents', 'register_history', 'journal'].map((t) => n(`SELECT COUNT(*) AS n FROM ${t}`));

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  worker = await loginAs(ts.url, 'grid_worker', ['G01']);
});
afterAll(async () => {
  await ts?.stop();
});

async function call(method: string, path: string, body?: unknown, as?: Credentials) {
  return request(`${api}${path}`, { method, body, ...(as ? { as } : {}) });
}
async function ok(method: string, path: string, body: unknown, status: number, as?: Credentials) {
  const r = await call(method, path, body, as);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

let seq = 0;
async function household(gridId = 'G01', as?: Credentials) {
  const b = (await ok('POST', '/register/buildings', { gridId, address: `幸福路${++seq}号3栋`, units: 2, floors: 6 }, 201, as)).building;
  const h = (await ok('POST', '/register/households', { buildingId: b.id, unit: '2', room: '302', kind: 'owner' }, 201, as)).household;
  return { b, h };
}
const resident = (householdId: number, over: Record<string, unknown> = {}) => ({
  householdId, name: '欧阳建国', gender: 'male', birth: '1948', relation: 'head', residence: 'resident',
  tags: ['elderly_alone', 'disabled'], phone: '13800001234', emergencyContact: { name: '欧阳明', phone: '13900005678', relation: '儿子' },
  mobility: ['wheelchair'], consent: ['care', 'evacuation'], ...over,
});

describe('the register', () => {
  it('keeps a building, its household and a resident with tags, contact, evacuation needs and consent', async () => {
    const { b, h } = await household();
    expect(h.address).toBe(`${b.address}2单元302室`);
    const r = (await ok('POST', '/register/residents', resident(h.id, { idNumber: '11010519491231002X' }), 201)).resident;
    expect(r).toMatchObject({
      gridId: 'G01', address: h.address, tags: ['disabled', 'elderly_alone'], mobility: ['wheelchair'], consent: ['care', 'evacuation'],
      consentRecordedBy: 'admin', emergencyContact: { name: '欧阳明', phone: '13900005678', relation: '儿子' }, version: 1, createdBy: 'admin',
    });
    const page = (await ok('GET', `/register/residents?household=${h.id}`, undefined, 200)).items;
    expect(page.map((x: { id: number }) => x.id)).toEqual([r.id]);
    expect(page[0].idNumber).toBe('110105********002X');
    expect((await ok('GET', `/register/residents/${r.id}`, undefined, 200)).resident.idNumber).toBe('11010519491231002X');
    const building = (await ok('GET', `/register/buildings/${b.id}`, undefined, 200)).building;
    expect(building).toMatchObject({ households: 1, residents: 1 });
    const grid = (await ok('GET', '/register/grids', undefined, 200)).items.find((g: { gridId: string }) => g.gridId === 'G01');
    expect(grid.tags.elderly_alone).toBeGreaterThanOrEqual(1);
  });

  it('refuses bad input with a 400 naming each field, and writes nothing', async () => {
    const { h } = await household();
    const before = footprint();
    const bad: [Record<string, unknown>, string][] = [
      [{ idNumber: '110105194912310021' }, 'idNumber'],
      [{ phone: '12345' }, 'phone'],
      [{ birth: '2999' }, 'birth'],
      [{ tags: ['vip'] }, 'tags[0]'],
      [{ emergencyContact: { name: '欧阳明', phone: '139', relation: '儿子' } }, 'emergencyContact.phone'],
      [{ residence: 'gone' }, 'residence'],
      [{ name: '' }, 'name'],
      [{ householdId: 999999 }, 'householdId'],
    ];
    for (const [over, field] of bad) {
      const r = await call('POST', '/register/residents', resident(h.id, over));
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(r.body.error.issues.map((i: { field: string }) => i.field), JSON.stringify(r.body)).toContain(field);
    }
    const nb = await call('POST', '/register/buildings', { gridId: 'G99', address: '无名路1号' });
    expect(nb.status).toBe(400);
    expect(nb.body.error.issues[0].field).toBe('gridId');
    expect(footprint()).toEqual(before);
  });

  it('refuses a stale correction with a 409 naming who changed it and when, and keeps every version', async () => {
    const { h } = await household();
    const r = (await ok('POST', '/register/residents', resident(h.id, { name: '司马光' }), 201)).resident;
    const first = (await ok('PATCH', `/register/residents/${r.id}`, { phone: '13700007777', expectedVersion: 1 }, 200, worker)).resident;
    expect(first).toMatchObject({ version: 2, phone: '13700007777', updatedBy: worker.username });
    const before = footprint();
    const stale = await call('PATCH', `/register/residents/${r.id}`, { phone: '13600006666', expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('error.version_conflict');
    expect(stale.body.error.changedBy).toBe(worker.username);
    expect(stale.body.error.changedAt).toBe(first.updatedAt);
    expect(footprint()).toEqual(before);
    // The correction kept the row as it was.
    const history = ts.app.db.prepare("SELECT version, before, changed_by AS by FROM register_history WHERE entity = 'resident' AND entity_id = ?").all(r.id) as
      { version: number; before: string; by: string }[];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ version: 1, by: worker.username });
    expect(JSON.parse(history[0]!.before).phone).toBe('13800001234');
    // Consent changed: who took it and when.
    const c = (await ok('PATCH', `/register/residents/${r.id}`, { consent: ['notices'], expectedVersion: 2 }, 200)).resident;
    expect(c).toMatchObject({ consent: ['notices'], consentRecordedBy: 'admin', version: 3 });
    // A correction that changes nothing writes nothing.
    const same = footprint();
    expect((await ok('PATCH', `/register/residents/${r.id}`, { consent: ['notices'], expectedVersion: 3 }, 200)).resident.version).toBe(3);
    expect(footprint()).toEqual(same);
  });

  it('refuses a second resident with the same ID number, naming the one on the register', async () => {
    const { h } = await household();
    const a = (await ok('POST', '/register/residents', resident(h.id, { idNumber: idOf('11010519491231003') }), 201)).resident;
    const r = await call('POST', '/register/residents', resident(h.id, { name: '李四', idNumber: idOf('11010519491231003') }));
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'error.register_exists', residentId: a.id });
  });

  it('keeps a grid worker to their own grids', async () => {
    const own = await household('G01', worker);
    const other = await household('G02');
    const theirs = (await ok('POST', '/register/residents', resident(other.h.id, { name: '东方红' }), 201)).resident;
    // Another grid's records are not found; writing into another grid is forbidden.
    for (const path of [`/register/residents/${theirs.id}`, `/register/households/${other.h.id}`, `/register/buildings/${other.b.id}`]) {
      expect((await call('GET', path, undefined, worker)).status, path).toBe(404);
    }
    expect((await call('PATCH', `/register/residents/${theirs.id}`, { phone: '13700001111', expectedVersion: 1 }, worker)).status).toBe(404);
    expect((await call('POST', '/register/buildings', { gridId: 'G02', address: '越界路1号' }, worker)).status).toBe(403);
    const into = await call('POST', '/register/residents', resident(other.h.id), worker);
    expect(into.status).toBe(400);
    expect(into.body.error.issues[0].field).toBe('householdId');
    // Moving their resident into another grid's household is refused likewise.
    const mine = (await ok('POST', '/register/residents', resident(own.h.id, { name: '张三' }), 201, worker)).resident;
    const move = await call('PATCH', `/register/residents/${mine.id}`, { householdId: other.h.id, expectedVersion: 1 }, worker);
    expect(move.status).toBe(400);
    // Lists show their grids only.
    const list = (await ok('GET', '/register/residents?limit=500', undefined, 200, worker)).items as { gridId: string }[];
    expect(list.length).toBeGreaterThan(0);
    expect(new Set(list.map((x) => x.gridId))).toEqual(new Set(['G01']));
    expect((await ok('GET', '/register/grids', undefined, 200, worker)).items.map((g: { gridId: string }) => g.gridId)).toEqual(['G01']);
    // Import is for admins.
    expect((await call('POST', '/register/import', { file: { name: 'a.csv', data: '' } }, worker)).status).toBe(403);
  });

  it('logs every staff read of a resident, one or a page of them', async () => {
    const { h } = await household();
    const r = (await ok('POST', '/register/residents', resident(h.id, { name: '慕容复' }), 201)).resident;
    const reader = await loginAs(ts.url, 'social_worker');
    await ok('GET', `/register/residents/${r.id}`, undefined, 200, reader);
    await ok('GET', `/register/residents?q=${encodeURIComponent('慕容')}`, undefined, 200, reader);
    await until(() => n("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'records.read' AND target_type = 'residents' AND target_id = ? AND actor_id = ?",
      String(r.id), reader.username) === 1, 'the read to be logged');
    await until(() => n("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'records.list' AND target_type = 'residents' AND actor_id = ? AND detail LIKE ?",
      reader.username, `%"ids":[${r.id}]%`) === 1, 'the list to be logged');
    // A social worker reads, but does not correct.
    expect((await call('PATCH', `/register/residents/${r.id}`, { phone: '13700001111', expectedVersion: 1 }, reader)).status).toBe(403);
  });

  it('finds residents by name, phone, address and tag', async () => {
    const { b, h } = await household('G03');
    const r = (await ok('POST', '/register/residents', resident(h.id, { name: '阿依古丽·买买提', phone: '13511112222', tags: ['pregnant'] }), 201)).resident;
    for (const q of ['阿依古丽', '1351111', b.address, '50%']) {
      const items = (await ok('GET', `/register/residents?grid=G03&q=${encodeURIComponent(q)}`, undefined, 200)).items as { id: number }[];
      if (q === '50%') expect(items).toEqual([]);
      else expect(items.map((x) => x.id), q).toContain(r.id);
    }
    expect((await ok('GET', '/register/residents?tag=pregnant&grid=G03', undefined, 200)).items.map((x: { id: number }) => x.id)).toEqual([r.id]);
  });
});
