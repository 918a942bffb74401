/**
 * The volunteer coordinator's desk over real HTTP (issue 13): the registry's search and
 * filters, corrections of service records (a new entry, never an edit; bad input named and
 * nothing written; two coordinators at once get a conflict), period certificates and their
 * public check (masked, rate-limited), and the registry and service records as sheets.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPrincipal, get, loginAs, post, request, requestFrom, startServer, until, type Credentials, type TestServer } from '../support/server.ts';

const HOUR = 3_600_000;
const MIN = 60_000;
const FORMULA = '=HYPERLINK("http://evil.example","点我")';

let ts: TestServer;
let api: string;
let clock = Date.parse('2026-03-10T08:00:00+08:00');
let coordinator: Credentials;
let teamId: number;
let grid: string;

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

let phoneSeq = 0;
async function register(name: string, over: Record<string, unknown> = {}) {
  const r = await post(`${api}/volunteers`, { name, phone: `1371111${String(++phoneSeq).padStart(4, '0')}`, ...over });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.volunteer as { id: number; name: string; version: number };
}

async function ok(path: string, body: unknown, status = 200) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

/** A 2-hour service record (20 points) for the volunteer, with `content`. */
async function serve(volunteerId: number, content = '为独居老人送餐') {
  const a = (await ok('/activities', {
    title: '桂花苑敬老助餐', organiser: '桂花社区志愿服务站', place: '桂花苑老年食堂',
    startsAt: iso(clock - HOUR), endsAt: iso(clock + HOUR), capacity: 5,
  }, 201)).activity;
  await ok(`/activities/${a.id}/signups`, { volunteerId }, 201);
  await ok(`/activities/${a.id}/check-in`, { volunteerId, at: iso(clock - HOUR) });
  clock += HOUR;
  const out = await ok(`/activities/${a.id}/check-out`, { volunteerId, content });
  return out.record as { id: number; hours: number; points: number; certificateNo: string };
}

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
  coordinator = await loginAs(ts.url, 'coordinator');
  teamId = (await ok('/volunteers/teams', { name: '桂花助老队' }, 201)).team.id;
  grid = (await get(`${api}/grids`)).body.features[0].properties.id;
});
afterAll(async () => {
  await ts?.stop();
});

describe('the registry', () => {
  it('finds volunteers by name or phone, skill, team, grid, weekday and status', async () => {
    const a = await register('林晓燕', { skills: ['助老', '理发'], teamId, gridId: grid, availability: { days: [2, 6], from: '08:00', to: '11:00' } });
    const b = await register('郑国强', { skills: ['家电维修'] });
    const ids = async (q: string) => {
      const r = await get(`${api}/volunteers?${q}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.items as { id: number }[]).map((v) => v.id);
    };
    expect(await ids('q=晓燕')).toEqual([a.id]);
    expect(await ids(`q=${encodeURIComponent('1371111000')}`)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(await ids('skill=理发')).toEqual([a.id]);
    expect(await ids(`team=${teamId}`)).toEqual([a.id]);
    expect(await ids(`grid=${grid}`)).toEqual([a.id]);
    expect(await ids('day=6')).toEqual([a.id]);
    expect(await ids('day=3')).toEqual([]);
    expect(await ids('q=%25')).toEqual([]);
    await ok(`/volunteers/${b.id}/status`, { status: 'paused' });
    expect(await ids('status=paused')).toEqual([b.id]);
    const bad = await get(`${api}/volunteers?day=8`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('day');
    expect((await post(`${api}/volunteers`, { name: '坏', phone: '13700000000', gridId: 'NOPE' })).body.error.issues[0].field).toBe('gridId');
  });

  it('refuses an edit made on a stale form with a 409 naming who changed the volunteer and when', async () => {
    const v = await register('冯丽华');
    const mine = await request(`${api}/volunteers/${v.id}`, { method: 'PATCH', as: coordinator, body: { phone: '13722223333', expectedVersion: v.version } });
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    clock += MIN;
    const stale = await request(`${api}/volunteers/${v.id}`, { method: 'PATCH', body: { skills: ['书法'], expectedVersion: v.version } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.version_conflict' });
    expect(JSON.stringify(stale.body.error)).toContain(coordinator.username ?? '');
    expect(stale.body.error.details?.changedAt ?? stale.body.error.changedAt).toBeTruthy();
    expect((await get(`${api}/volunteers/${v.id}`)).body.volunteer.skills).toEqual([]);
  });
});

describe('corrections', () => {
  it('are new entries beside the record, which stays as issued; totals and the balance move by them', async () => {
    const v = await register('何春梅');
    const rec = await serve(v.id);
    expect(rec).toMatchObject({ hours: 2, points: 20 });
    const before = ts.app.db.prepare('SELECT * FROM service_records WHERE id = ?').get(rec.id);
    const minutes = () => n("SELECT COALESCE(SUM(service_minutes), 0) AS n FROM metrics_hourly WHERE subject = 'volunteer'");
    const minutesBefore = minutes();
    const r = await ok(`/volunteers/${v.id}/corrections`, { recordId: rec.id, hours: -0.5, points: -5, reason: 'early_leave', note: '10:30 提前离开' }, 201);
    expect(r.correction).toMatchObject({ recordId: rec.id, hours: -0.5, points: -5, reason: 'early_leave' });
    expect(r.totals).toMatchObject({ hours: 1.5, points: 15, records: 1 });
    expect(r.volunteer.balance).toBe(15);
    expect(ts.app.db.prepare('SELECT * FROM service_records WHERE id = ?').get(rec.id)).toEqual(before);
    expect(minutes()).toBe(minutesBefore - 30);
    const history = (await get(`${api}/volunteers/${v.id}/records`)).body.items;
    expect(history[0]).toMatchObject({ id: rec.id, hours: 2, netHours: 1.5, netPoints: 15, corrections: [{ hours: -0.5, reason: 'early_leave' }] });
    expect(ts.app.volunteers.points.verify(adminPrincipal(ts.app))).toMatchObject({ unbalancedTxns: [], driftedAccounts: [] });
  });

  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const v = await register('黄志明');
    const other = await register('邓雪梅');
    const rec = await serve(v.id);
    const otherRec = await serve(other.id);
    const footprint = () => [n('SELECT COUNT(*) AS n FROM service_corrections'), n('SELECT COUNT(*) AS n FROM points_txns'), n('SELECT COUNT(*) AS n FROM journal')];
    const was = footprint();
    const field = async (body: Record<string, unknown>) => {
      const r = await post(`${api}/volunteers/${v.id}/corrections`, { recordId: rec.id, hours: -1, reason: 'early_leave', ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      return r.body.error.issues.map((i: { field: string }) => i.field);
    };
    expect(await field({ hours: 0.3 })).toEqual(['hours']);
    expect(await field({ reason: 'because' })).toEqual(['reason']);
    expect(await field({ reason: 'other', note: '' })).toEqual(['note']);
    expect(await field({ hours: 0, points: 0 })).toEqual(['hours']);
    expect(await field({ recordId: otherRec.id })).toEqual(['recordId']);
    expect(await field({ hours: -2.5 })).toEqual(['hours']);
    expect(await field({ hours: 0, points: -21 })).toEqual(['points']);
    expect(await field({ extra: 1 })).toEqual(['extra']);
    expect(footprint()).toEqual(was);
  });

  it('from two coordinators at once: the second, on a stale profile, gets a 409 naming the first', async () => {
    const v = await register('曹文静');
    const rec = await serve(v.id);
    const version = (await get(`${api}/volunteers/${v.id}`)).body.volunteer.version;
    clock += MIN;
    const first = await request(`${api}/volunteers/${v.id}/corrections`, { method: 'POST', as: coordinator, body: { recordId: rec.id, hours: -0.5, reason: 'early_leave', expectedVersion: version } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const second = await request(`${api}/volunteers/${v.id}/corrections`, { method: 'POST', body: { recordId: rec.id, hours: -0.5, reason: 'early_leave', expectedVersion: version } });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('error.version_conflict');
    expect(n('SELECT COUNT(*) AS n FROM service_corrections WHERE record_id = ?', rec.id)).toBe(1);
  });
});

describe('certificates', () => {
  it('are issued over a period with the corrected hours, and verify without an account, the name masked', async () => {
    const v = await register('欧阳明珠', { idNumber: '11010519491231002X' });
    const rec = await serve(v.id, '陪同老人就医');
    await ok(`/volunteers/${v.id}/corrections`, { recordId: rec.id, hours: 0.5, points: 5, reason: 'late_check_out' }, 201);
    const issued = await ok(`/volunteers/${v.id}/certificates`, { from: '2026-03-01', to: '2026-03-31' }, 201);
    const cert = issued.certificate;
    expect(cert).toMatchObject({ volunteerName: '欧阳明珠', hours: 2.5, from: '2026-03-01', to: '2026-03-31', idNumber: '110105********002X' });
    expect(cert.certificateNo).toMatch(/^ZYZM-2026-\d{6}$/);
    expect(cert.lines).toEqual([{ date: '2026-03-10', activity: '桂花苑敬老助餐', content: '陪同老人就医', hours: 2.5 }]);
    expect(cert.issuer).toBeTruthy();
    expect((await get(`${api}/volunteers/${v.id}/certificates/${cert.certificateNo}`)).body.certificate.certificateNo).toBe(cert.certificateNo);

    const pub = await request(`${api}/verify/certificates/${cert.certificateNo}`, { as: null });
    expect(pub.status).toBe(200);
    expect(pub.body.certificate).toEqual({
      certificateNo: cert.certificateNo, name: expect.any(String), hours: 2.5, from: '2026-03-01', to: '2026-03-31', issuer: cert.issuer, issuedAt: expect.any(String),
    });
    expect(pub.body.certificate.name).not.toBe('欧阳明珠');
    expect(pub.body.certificate.name).toContain('*');
    expect(JSON.stringify(pub.body)).not.toMatch(/13711|110105|欧阳明珠/);
    const record = await request(`${api}/verify/certificates/${rec.certificateNo}`, { as: null });
    expect(record.body.certificate).toMatchObject({ certificateNo: rec.certificateNo, hours: 2.5 });
    expect((await request(`${api}/verify/certificates/ZYZM-2026-999999`, { as: null })).status).toBe(404);
    expect((await request(`${api}/verify/certificates/nonsense`, { as: null })).status).toBe(404);
  });

  it('refuses a period with no hours, naming from, and issues nothing', async () => {
    const v = await register('孙嘉怡');
    const r = await post(`${api}/volunteers/${v.id}/certificates`, { from: '2025-01-01', to: '2025-01-31' });
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].field).toBe('from');
    expect((await post(`${api}/volunteers/${v.id}/certificates`, { from: '2026-03-31', to: '2026-03-01' })).body.error.issues[0].field).toBe('to');
    expect(n('SELECT COUNT(*) AS n FROM service_certificates WHERE volunteer_id = ?', v.id)).toBe(0);
  });

  it('limits public checks per address', async () => {
    let last = 0;
    for (let i = 0; i < 31; i++) last = (await requestFrom('127.0.0.7', `${api}/verify/certificates/ZYZM-2026-999999`)).status;
    expect(last).toBe(429);
    expect((await requestFrom('127.0.0.8', `${api}/verify/certificates/ZYZM-2026-999999`)).status).toBe(404);
  });
});

describe('ledgers out', () => {
  const download = async (path: string) => {
    const res = await fetch(`${api}${path}`, { headers: { cookie: ts.admin!.cookie } });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it('exports the registry with the filters applied, headed in Chinese, numbers as numbers, and audits it', async () => {
    await register(FORMULA.slice(0, 30), { skills: ['摄影'] });
    await register('王摄影', { skills: ['摄影'] });
    const { res, bytes } = await download('/volunteers/export?format=xlsx&skill=%E6%91%84%E5%BD%B1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(expect.arrayContaining(['姓名', '手机号', '技能', '服务队', '网格', '状态', '服务时长（小时）', '积分余额']));
    expect(sheet.rowCount).toBe(3);
    const nameCol = header.indexOf('姓名') + 1;
    const names = [sheet.getRow(2).getCell(nameCol).value, sheet.getRow(3).getCell(nameCol).value];
    expect(names).toContain('王摄影');
    expect(names).toContain(`'${FORMULA.slice(0, 30)}`);
    expect(sheet.getRow(2).getCell(header.indexOf('积分余额') + 1).type).toBe(ExcelJS.ValueType.Number);
    await until(() => ts.app.auth.audit.list(ts.app.directory.defaultCommunity()!.id, { action: 'records.export', limit: 10 } as any)
      .items.some((l: any) => l.targetType === 'volunteers' && l.detail?.skill === '摄影' && l.detail?.rows === 2), 'the export\'s audit line');
  });

  it('exports a volunteer\'s service records with their corrections, a formula in the content inert', async () => {
    const v = await register('钱多多');
    const rec = await serve(v.id, FORMULA);
    await ok(`/volunteers/${v.id}/corrections`, { recordId: rec.id, hours: -1, points: -10, reason: 'other', note: '+1 小时是误录' }, 201);
    const csv = await download(`/volunteers/${v.id}/records/export?format=csv`);
    expect(csv.res.status).toBe(200);
    const text = csv.bytes.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.split('\r\n')[0]).toContain('"证明编号","类型","时间","活动","服务内容"');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")"`);
    expect(text).toContain('"更正"');
    const x = await download(`/volunteers/${v.id}/records/export?format=xlsx&lang=en`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(x.bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).getCell(5).value).toBe('Service');
    expect(sheet.getRow(2).getCell(5).value).toBe(`'${FORMULA}`);
    expect(sheet.getRow(3).getCell(6).value).toBe(-1);
    expect(sheet.getRow(3).getCell(9).value).toBe("'+1 小时是误录");
    expect((await download(`/volunteers/${v.id}/records/export?format=pdf`)).res.status).toBe(400);
  });
});
