/**
 * Community setup without the command line, and grid workers kept in the console: a fresh
 * install names its community with the first administrator, imports its grids from GeoJSON
 * (GCJ-02 converted, MultiPolygon taken) and its grid workers from a sheet; admins add, edit and
 * retire grid workers. Bad files name the feature or row and write nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import gcoord from 'gcoord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, request, sampleReport, startServer, type Credentials, type TestServer } from '../support/server.ts';

const fixture = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', name);
const gridsFile = () => JSON.parse(fs.readFileSync(fixture('xinhua-grids-gcj02.geojson'), 'utf8'));
const csv = (text: string) => ({ name: 'workers.csv', data: Buffer.from(text, 'utf8').toString('base64') });
const MAPPING = { idProperty: '编号', nameProperty: '网格名称', nameEnProperty: 'name_en', crs: 'gcj02' } as const;

describe('a fresh install set up from the console', () => {
  let fresh: TestServer;
  let api: string;
  let admin: Credentials;
  beforeAll(async () => {
    fresh = await startServer({ community: false });
    api = `${fresh.url}/api/v1`;
  });
  afterAll(() => fresh?.stop());

  /** The admin's requests, with their cookie and CSRF token. */
  const asAdmin = (p: string, method = 'GET', body?: unknown) => request(`${api}${p}`, { method, body, as: admin });

  it('names its community with the first administrator, and not without it', async () => {
    const token = fresh.app.auth.beginSetup()!;
    const person = { token, username: 'li.admin', displayName: '李管理员', password: 'first-admin-password' };
    const bare = await request(`${api}/auth/setup`, { method: 'POST', as: null, body: person });
    expect(bare.status).toBe(400);
    expect(bare.body.error.issues).toEqual([expect.objectContaining({ field: 'community' })]);
    const badZone = await request(`${api}/auth/setup`, {
      method: 'POST', as: null,
      body: { ...person, community: { id: 'xinhua', name: { zh: '新华社区', en: 'Xinhua' }, timeZone: 'Mars/Olympus', center: [120.16, 30.27] } },
    });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error.issues[0].field).toBe('community.timeZone');
    expect(fresh.app.directory.defaultCommunity()).toBeUndefined();

    const ok = await request(`${api}/auth/setup`, {
      method: 'POST', as: null,
      body: { ...person, community: { id: 'xinhua', name: { zh: '新华社区', en: 'Xinhua Community' }, timeZone: 'Asia/Shanghai', center: [120.169, 30.275] } },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    admin = {
      username: 'li.admin', password: person.password, role: 'admin',
      cookie: (ok.headers.get('set-cookie') ?? '').split(';')[0]!, csrfToken: ok.body.csrfToken,
    };
    const community = await asAdmin('/community');
    expect(community.body).toMatchObject({ id: 'xinhua', name: { zh: '新华社区' }, timeZone: 'Asia/Shanghai', grids: [] });
  });

  it('previews a GeoJSON file in GCJ-02 converted to WGS-84, writing nothing', async () => {
    const r = await asAdmin('/community/grids/import', 'POST', { geojson: gridsFile(), ...MAPPING });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.saved).toBe(false);
    expect(r.body.grids.map((g: { id: string }) => g.id)).toEqual(['X01', 'X02', 'X03']);
    expect(r.body.grids[0].name).toEqual({ zh: '第一网格（新华苑）', en: 'Grid 1 (Xinhua Garden)' });
    const [lng, lat] = r.body.grids[0].geometry.coordinates[0][0];
    const [wLng, wLat] = gcoord.transform([120.16, 30.27], gcoord.GCJ02, gcoord.WGS84);
    // GCJ-02 is offset by some hundreds of metres in Hangzhou; stored to 6 decimals.
    expect(lng).toBeCloseTo(wLng, 6);
    expect(lat).toBeCloseTo(wLat, 6);
    expect(Math.abs(lng - 120.16)).toBeGreaterThan(0.003);
    expect(fresh.app.directory.gridsOf('xinhua')).toHaveLength(0);
  });

  it('refuses a file with a bad feature naming its index and id, and saves none of the good ones', async () => {
    const geo = gridsFile();
    geo.features[2].geometry.coordinates[0].pop(); // the ring no longer ends where it starts
    geo.features[1].properties['网格名称'] = '';
    const r = await asAdmin('/community/grids/import', 'POST', { geojson: geo, ...MAPPING, save: true });
    expect(r.status).toBe(400);
    expect(r.body.error.issues).toEqual([
      { field: 'geojson.features[1].properties.网格名称', problem: expect.stringMatching(/^grid X02: the name /) },
      { field: 'geojson.features[2].geometry.coordinates[0]', problem: 'grid X03: a ring must end where it starts' },
    ]);
    const point = gridsFile();
    point.features[0].geometry = { type: 'Point', coordinates: [120.16, 30.27] };
    const p = await asAdmin('/community/grids/import', 'POST', { geojson: point, ...MAPPING, save: true });
    expect(p.status).toBe(400);
    expect(p.body.error.issues[0]).toEqual({ field: 'geojson.features[0].geometry.type', problem: expect.stringMatching(/^grid X01: .*Polygon or a MultiPolygon/) });
    const noId = await asAdmin('/community/grids/import', 'POST', { geojson: gridsFile(), ...MAPPING, idProperty: 'code', save: true });
    expect(noId.body.error.issues[0]).toEqual({ field: 'geojson.features[0].properties.code', problem: 'feature 1: has no grid id' });
    expect(fresh.app.directory.gridsOf('xinhua')).toHaveLength(0);
  });

  it('saves the grids, a MultiPolygon among them, and finds a point in its second polygon', async () => {
    const r = await asAdmin('/community/grids/import', 'POST', { geojson: gridsFile(), ...MAPPING, save: true });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(fresh.app.directory.gridsOf('xinhua').map((g) => g.id)).toEqual(['X01', 'X02', 'X03']);
    expect(fresh.app.directory.grids.get('X02')!.geometry.type).toBe('MultiPolygon');
    // The middle of X02's second polygon, in WGS-84.
    const [lng, lat] = gcoord.transform([120.1755, 30.2725], gcoord.GCJ02, gcoord.WGS84);
    expect(fresh.app.directory.gridAt('xinhua', lng, lat)?.id).toBe('X02');
    // Between the two polygons of X02: no grid.
    const [gLng, gLat] = gcoord.transform([120.172, 30.2725], gcoord.GCJ02, gcoord.WGS84);
    expect(fresh.app.directory.gridAt('xinhua', gLng, gLat)).toBeUndefined();
    const geo = await asAdmin('/grids');
    expect(geo.body.features).toHaveLength(3);
  });

  it('refuses a sheet with an unknown grid naming the row, and saves none of its rows', async () => {
    const r = await asAdmin('/community/workers/import', 'POST', {
      file: csv('id,name,phone,grid\nXW01,李娜,13800000001,X01\nXW09,周敏,13800000009,X99\n'), save: true,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.issues).toEqual([{ field: 'row 3.grid', problem: 'row 3 (XW09): no grid X99 in this community' }]);
    const noColumn = await asAdmin('/community/workers/import', 'POST', { file: csv('工号,姓名\nXW01,李娜\n'), save: true });
    expect(noColumn.status).toBe(400);
    expect(noColumn.body.error.issues[0].problem).toMatch(/missing: grid/);
    expect((await asAdmin('/community/workers')).body.items).toEqual([]);
  });

  it('previews then saves grid workers from a CSV sheet with Chinese headers', async () => {
    const file = { name: 'xinhua-workers.csv', data: fs.readFileSync(fixture('xinhua-workers.csv')).toString('base64') };
    const preview = await asAdmin('/community/workers/import', 'POST', { file });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.workers).toEqual([
      { row: 2, id: 'XW01', name: '李娜', phone: '13800000001', gridId: 'X01', exists: false },
      { row: 3, id: 'XW02', name: '赵强', phone: '13800000002', gridId: 'X02', exists: false },
      { row: 4, id: 'XW03', name: '孙丽', phone: null, gridId: 'X03', exists: false },
    ]);
    expect((await asAdmin('/community/workers')).body.items).toEqual([]);
    const saved = await asAdmin('/community/workers/import', 'POST', { file, save: true });
    expect(saved.status).toBe(201);
    const list = (await asAdmin('/community/workers')).body.items;
    expect(list.map((w: { id: string }) => w.id)).toEqual(['XW01', 'XW02', 'XW03']);
    expect(list[0]).toEqual({ id: 'XW01', name: '李娜', phone: '13800000001', gridId: 'X01', status: 'active', openCases: 0, account: null });
    // Each grid's own worker, as the wall names it.
    expect((await asAdmin('/community')).body.grids.map((g: { workerName: string }) => g.workerName)).toEqual(['李娜', '赵强', '孙丽']);
  });

  it('reads an XLSX sheet too, updating workers by id', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('网格员');
    sheet.addRow(['id', 'name', 'phone', 'grid']);
    sheet.addRow(['XW03', '孙丽', 13800000003, 'X03']);
    sheet.addRow(['XW04', '钱程', '13800000004', 'X01']);
    const data = Buffer.from(await book.xlsx.writeBuffer()).toString('base64');
    const r = await asAdmin('/community/workers/import', 'POST', { file: { name: '网格员.xlsx', data }, save: true });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.workers.map((w: { id: string; exists: boolean; phone: string }) => [w.id, w.exists, w.phone]))
      .toEqual([['XW03', true, '13800000003'], ['XW04', false, '13800000004']]);
    expect(fresh.app.directory.workers.get('XW04')).toMatchObject({ name: '钱程', gridId: 'X01', status: 'active' });
  });

  it('is for admins only', async () => {
    const dispatcher = await (async () => {
      await fresh.app.auth.accounts.users.create(null, 'xinhua', {
        username: 'xinhua-dispatcher', displayName: '调度员', role: 'dispatcher', password: 'test-password-1234', mustChangePassword: false,
      });
      const res = await fetch(`${api}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'xinhua-dispatcher', password: 'test-password-1234' }),
      });
      const body = (await res.json()) as { csrfToken: string };
      return { username: 'xinhua-dispatcher', password: '', role: 'dispatcher' as const, cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrfToken: body.csrfToken };
    })();
    for (const [method, p, body] of [
      ['GET', '/community/workers', undefined],
      ['POST', '/community/workers', { id: 'XW99', name: '某人', gridId: 'X01' }],
      ['PATCH', '/community/workers/XW01', { status: 'retired' }],
      ['POST', '/community/grids/import', { geojson: gridsFile(), ...MAPPING, save: true }],
      ['POST', '/community/workers/import', { file: csv('id,name,grid\nXW98,某人,X01\n'), save: true }],
    ] as const) {
      const r = await request(`${api}${p}`, { method, body, as: dispatcher });
      expect(r.status, `${method} ${p}`).toBe(403);
    }
    expect(fresh.app.directory.workers.get('XW01')!.status).toBe('active');
    expect(fresh.app.directory.workers.has('XW99')).toBe(false);
  });
});

describe('grid workers kept by an admin', () => {
  let server: TestServer;
  let api: string;
  beforeAll(async () => {
    server = await startServer();
    api = `${server.url}/api/v1`;
  });
  afterAll(() => server?.stop());

  it('adds a worker to a grid, refusing a taken id or an unknown grid', async () => {
    const bad = await request(`${api}/community/workers`, { method: 'POST', body: { id: 'W11', name: '新人', gridId: 'G99' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual([{ field: 'gridId', problem: 'no grid G99 in this community' }]);
    const taken = await request(`${api}/community/workers`, { method: 'POST', body: { id: 'W01', name: '新人', gridId: 'G01' } });
    expect(taken.status).toBe(409);
    const ok = await request(`${api}/community/workers`, { method: 'POST', body: { id: 'W11', name: '吴新', phone: '13900000011', gridId: 'G01' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.worker).toMatchObject({ id: 'W11', name: '吴新', gridId: 'G01', status: 'active', account: null });
    expect(server.app.directory.workers.get('W11')?.name).toBe('吴新');
  });

  it('edits name, phone and grid, and the directory has them at once', async () => {
    const r = await request(`${api}/community/workers/W11`, { method: 'PATCH', body: { name: '吴欣', phone: null, gridId: 'G02' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(server.app.directory.workers.get('W11')).toMatchObject({ name: '吴欣', phone: null, gridId: 'G02' });
    const bad = await request(`${api}/community/workers/W11`, { method: 'PATCH', body: { status: 'gone' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('status');
    expect((await request(`${api}/community/workers/W99`, { method: 'PATCH', body: { name: 'x' } })).status).toBe(404);
  });

  it('retires a worker: not suggested for dispatch, not linked to a new account, their linked account kept', async () => {
    const linked = await request(`${api}/users`, {
      method: 'POST',
      body: { username: 'wu.xin', displayName: '吴欣', role: 'grid_worker', grids: ['G02'], workerId: 'W11', password: 'first-password-1234' },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect((await request(`${api}/community/workers`)).body.items.find((w: { id: string }) => w.id === 'W11').account)
      .toMatchObject({ username: 'wu.xin' });

    const report = await request(`${api}/events`, { method: 'POST', body: sampleReport({ gridId: 'G02' }) });
    expect(report.status).toBe(201);
    const before = await request(`${api}/events/${report.body.event.id}/assignees`);
    expect(before.body.items.map((w: { id: string }) => w.id)).toContain('W11');

    const retired = await request(`${api}/community/workers/W11`, { method: 'PATCH', body: { status: 'retired' } });
    expect(retired.status).toBe(200);
    expect(retired.body.worker.status).toBe('retired');
    const after = await request(`${api}/events/${report.body.event.id}/assignees`);
    expect(after.body.items.map((w: { id: string }) => w.id)).not.toContain('W11');

    const another = await request(`${api}/users`, {
      method: 'POST',
      body: { username: 'wu.xin2', displayName: '吴欣', role: 'grid_worker', grids: ['G02'], workerId: 'W11', password: 'first-password-1234' },
    });
    expect(another.status).toBe(400);
    expect(another.body.error.issues).toEqual([{ field: 'workerId', problem: 'grid worker W11 is retired' }]);
    // The account linked before keeps its link through an edit.
    const kept = await request(`${api}/users/${linked.body.user.id}`, { method: 'PATCH', body: { displayName: '吴欣（已退出）' } });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect(kept.body.user.workerId).toBe('W11');
    // G02's own worker is W02 again, never the retired one.
    expect(server.app.directory.grids.get('G02')!.workerId).toBe('W02');

    const back = await request(`${api}/community/workers/W11`, { method: 'PATCH', body: { status: 'active' } });
    expect(back.body.worker.status).toBe('active');
  });

  it('lists each worker with their grid, open cases and linked account', async () => {
    const gw = await loginAs(server.url, 'grid_worker', ['G01']);
    void gw;
    const items = (await request(`${api}/community/workers`)).body.items as { id: string; gridId: string; openCases: number }[];
    expect(items.find((w) => w.id === 'W01')).toMatchObject({ gridId: 'G01', status: 'active', openCases: expect.any(Number) });
    expect(items).toHaveLength(11);
  });
});
