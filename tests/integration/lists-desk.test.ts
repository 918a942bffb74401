/**
 * The three lists board (三张清单) over real HTTP, a real SQLite file and a real wall socket: the
 * API the board uses takes a need from raised through matching to met and rated, with a history
 * naming who; bad input is a 400 naming the field and writes nothing; two coordinators acting on
 * one need — the second is told who moved it and when; the board's flow figures are the wall's
 * Sankey figures; and the ledgers out hold the filtered rows with Chinese headers and no live
 * formula.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { loginAs, openLive, request, startServer, until, type Credentials, type TestServer } from '../support/server.ts';
import { flowTotals, type NeedFlowView } from '../../shared/needs.ts';
import type { LiveClient } from '../../shared/live-client.ts';

let ts: TestServer;
let api: string;
let coordA: Credentials;
let coordB: Credentials;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  coordA = await loginAs(ts.url, 'coordinator');
  coordB = await loginAs(ts.url, 'coordinator');
});
afterAll(async () => {
  await ts?.stop();
});

const count = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

async function call(method: 'GET' | 'POST', path: string, body?: unknown, as?: Credentials) {
  const r = await request(`${api}${path}`, { method, body, ...(as ? { as } : {}) });
  return { status: r.status, body: r.body };
}
async function ok(path: string, body: unknown = {}, status = 200, as?: Credentials) {
  const r = await call('POST', path, body, as);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}
const fieldsOf = (body: any) => (body.error.issues as { field: string }[]).map((i) => i.field);

const raise = async (over: Record<string, unknown> = {}) =>
  (await ok('/needs', {
    title: '独居老人家中水管漏水', category: 'repair', gridId: 'G03', raisedByKind: 'resident',
    residentName: '欧阳明月', residentPhone: '13812345678', populations: ['elderly_alone'], urgency: 'high', ...over,
  }, 201)).need;
const resource = async (over: Record<string, unknown> = {}) =>
  (await ok('/resources', { providerKind: 'community', providerName: '桂花社区维修队', title: '上门维修', category: 'repair', gridId: 'G03', capacity: 3, ...over }, 201)).resource;

describe('raising a need through the board', () => {
  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const needs = count('SELECT COUNT(*) AS n FROM needs');
    const journal = count('SELECT COUNT(*) AS n FROM journal');
    const noCategory = await call('POST', '/needs', { title: '需要助餐', raisedByKind: 'resident', residentPhone: 'call me' });
    expect(noCategory.status).toBe(400);
    expect(fieldsOf(noCategory.body)).toEqual(expect.arrayContaining(['category', 'residentPhone']));
    const badBeneficiaries = await call('POST', '/needs', { title: '需要助餐', category: 'meals', raisedByKind: 'resident', beneficiaries: 0 });
    expect(fieldsOf(badBeneficiaries.body)).toEqual(['beneficiaries']);
    expect(count('SELECT COUNT(*) AS n FROM needs')).toBe(needs);

    const need = await raise();
    const badVersion = await call('POST', `/needs/${need.id}/close`, { reason: 'withdrawn', note: '居民撤回', expectedVersion: 'latest' });
    expect(badVersion.status).toBe(400);
    expect(fieldsOf(badVersion.body)).toEqual(['expectedVersion']);
    const badRating = await call('POST', `/needs/${need.id}/rate`, { satisfaction: 6 });
    expect(fieldsOf(badRating.body)).toEqual(['satisfaction']);
    const badFilter = await call('GET', '/needs?population=giants');
    expect(badFilter.status).toBe(400);
    expect(fieldsOf(badFilter.body)).toEqual(['population']);
    const badExport = await call('GET', '/needs/export?format=pdf');
    expect(fieldsOf(badExport.body)).toEqual(['format']);
    expect((await call('GET', `/needs/${need.id}`)).body.need).toMatchObject({ status: 'raised', version: 1 });
    expect(count('SELECT COUNT(*) AS n FROM journal')).toBe(journal + 1); // the one need raised
  });

  it('filters the list by key population and finds a need by the resident\'s name', async () => {
    const mine = await raise({ title: '残疾人出行陪同', category: 'daily_care', populations: ['disabled'], residentName: '司马长风' });
    const byPop = (await call('GET', '/needs?population=disabled')).body.items;
    expect(byPop.map((n: any) => n.id)).toContain(mine.id);
    expect(byPop.every((n: any) => n.populations.includes('disabled'))).toBe(true);
    expect((await call('GET', '/needs?population=low_income')).body.items.map((n: any) => n.id)).not.toContain(mine.id);
    expect((await call('GET', `/needs?q=${encodeURIComponent('司马长风')}`)).body.items.map((n: any) => n.id)).toEqual([mine.id]);
    expect((await call('GET', `/needs?q=${mine.code}`)).body.items.map((n: any) => n.id)).toEqual([mine.id]);
  });
});

describe('match → accept → start → meet → rate, as the board does it', () => {
  it('ranks suggestions with reasons, makes a task on accepting, and keeps a history naming who', async () => {
    const r = await resource();
    const need = await raise();
    const proposed = (await ok(`/needs/${need.id}/matches`, {}, 200, coordA)).items;
    expect(proposed.length).toBeGreaterThan(0);
    const ours = proposed.find((m: any) => m.resourceId === r.id);
    expect(ours.score).toBeGreaterThan(0);
    expect(ours.reasons.map((x: any) => x.key)).toEqual(expect.arrayContaining(['match.reason.category', 'match.reason.same_grid']));
    const scores = proposed.map((m: any) => m.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const accepted = await ok(`/needs/${need.id}/matches/${ours.id}/accept`, { expectedVersion: need.version }, 200, coordA);
    expect(accepted.need).toMatchObject({ status: 'matched', metBy: 'community', allowed: ['start', 'close'] });
    expect(accepted.task).toMatchObject({ needId: need.id, status: 'open' });
    let v = accepted.need.version;
    v = (await ok(`/needs/${need.id}/start`, { expectedVersion: v, note: '师傅已出发' }, 200, coordA)).need.version;
    v = (await ok(`/needs/${need.id}/meet`, { expectedVersion: v }, 200, coordA)).need.version;
    const rated = (await ok(`/needs/${need.id}/rate`, { expectedVersion: v, satisfaction: 5, note: '很满意' }, 200, coordA)).need;
    expect(rated).toMatchObject({ status: 'rated', satisfaction: 5, allowed: [] });

    const history = (await call('GET', `/needs/${need.id}/history`)).body.items;
    expect(history.map((h: any) => h.type)).toEqual(['need.raised', 'need.matches_proposed', 'need.matched', 'need.started', 'need.met', 'need.rated']);
    expect(history.slice(1).every((h: any) => h.by === coordA.username)).toBe(true);
    expect(history[0].by).toBe('admin');
    expect(history.find((h: any) => h.type === 'need.started').data.note).toBe('师傅已出发');
    expect(JSON.stringify(history)).not.toContain('"feed"');
  });

  it('tells the second of two coordinators who moved the need and when, and applies nothing', async () => {
    await resource({ title: '水电维修', providerName: '物业维修部' });
    const need = await raise();
    const [first] = (await ok(`/needs/${need.id}/matches`, {}, 200, coordA)).items;
    // Both opened the need at version 1; A accepts first.
    await ok(`/needs/${need.id}/matches/${first.id}/accept`, { expectedVersion: need.version }, 200, coordA);
    const refused = await call('POST', `/needs/${need.id}/close`, { reason: 'withdrawn', note: '居民说不需要了', expectedVersion: need.version }, coordB);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('error.version_conflict');
    expect(refused.body.error).toMatchObject({ changedBy: coordA.username, type: 'need.matched', status: 'matched' });
    expect(Date.parse(refused.body.error.changedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(refused.body.error.message).toContain(coordA.username);
    expect((await call('GET', `/needs/${need.id}`)).body.need).toMatchObject({ status: 'matched', version: need.version + 1, closedAt: null });
    // Reloaded, B acts on what is there now.
    const now = (await call('GET', `/needs/${need.id}`)).body.need;
    await ok(`/needs/${need.id}/start`, { expectedVersion: now.version }, 200, coordB);
  });
});

describe('the board\'s flow and the wall\'s Sankey', () => {
  const subjects = (c: LiveClient) => c.state.views?.subjects;

  it('are the same figures, before and after a need is raised and met', async () => {
    const wall = openLive(ts.url, { display: true });
    try {
      await until(() => !!subjects(wall.client)?.linkage, 'the wall\'s first snapshot with the linkage flow');
      const agree = async () => {
        const board = (await call('GET', '/needs/flow')).body as NeedFlowView;
        const seen = subjects(wall.client)!;
        expect(board.linkage).toEqual(seen.linkage);
        expect(board.needs).toEqual(seen.needs);
        expect(flowTotals(board.linkage)).toEqual(flowTotals(seen.linkage));
        return board;
      };
      const before = await agree();

      await resource({ title: '助餐送餐', providerName: '社区食堂', category: 'meals', gridId: undefined });
      const need = await raise({ title: '送餐上门', category: 'meals' });
      const [m] = (await ok(`/needs/${need.id}/matches`)).items;
      let v = (await ok(`/needs/${need.id}/matches/${m.id}/accept`, { expectedVersion: 1 })).need.version;
      v = (await ok(`/needs/${need.id}/start`, { expectedVersion: v })).need.version;
      await ok(`/needs/${need.id}/meet`, { expectedVersion: v });
      const totalBefore = flowTotals(before.linkage);
      await until(() => flowTotals(subjects(wall.client)!.linkage).byOutcome.met === totalBefore.byOutcome.met + 1, 'the wall to show one more need met');
      const after = await agree();
      expect(flowTotals(after.linkage).total).toBe(totalBefore.total + 1);
      expect(after.needs.metToday).toBe(before.needs.metToday + 1);
      expect(after.byStatus.met).toBe(before.byStatus.met + 1);
    } finally {
      wall.close();
    }
  });
});

describe('the ledgers out', () => {
  const FORMULA = '=HYPERLINK("http://evil.example","点我领补贴")';
  const download = async (path: string, as: Credentials = ts.admin!) => {
    const res = await fetch(`${api}${path}`, { headers: { cookie: as.cookie } });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it('exports the filtered needs to Excel with Chinese headers, the formula inert, the phone as text, and audits it', async () => {
    const evil = await raise({ title: FORMULA, category: 'legal', residentPhone: '13900001111' });
    const other = await raise({ title: '心理疏导', category: 'emotional' });
    const { res, bytes } = await download('/needs/export?format=xlsx&category=legal');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/filename\*=UTF-8''%E9%9C%80%E6%B1%82%E5%8F%B0%E8%B4%A6-\d{8}\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('需求台账');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 4)).toEqual(['序号', '编号', '标题', '服务类别']);
    const col = (name: string) => header.indexOf(name) + 1;
    const rows: ExcelJS.Row[] = [];
    sheet.eachRow((r, n) => n > 1 && rows.push(r));
    const codes = rows.map((r) => r.getCell(col('编号')).value);
    expect(codes).toContain(evil.code);
    expect(codes).not.toContain(other.code);
    const row = rows.find((r) => r.getCell(col('编号')).value === evil.code)!;
    expect(row.getCell(col('标题')).value).toBe(`'${FORMULA}`);
    expect(row.getCell(col('标题')).type).toBe(ExcelJS.ValueType.String);
    expect(row.getCell(col('联系电话')).value).toBe('13900001111');
    expect(row.getCell(col('服务类别')).value).toBe('法律援助');
    expect(row.getCell(col('状态')).value).toBe('待对接');
    await until(() => count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'records.export' AND target_type = 'needs'") === 1, 'the export in the audit log');
    const detail = JSON.parse((ts.app.db.prepare("SELECT detail FROM audit_log WHERE action = 'records.export' AND target_type = 'needs'").get() as { detail: string }).detail);
    expect(detail).toMatchObject({ format: 'xlsx', category: 'legal', rows: rows.length });
  });

  it('exports resources as CSV (BOM, Chinese headers) and tasks as Excel, and refuses a display', async () => {
    const csv = await download('/resources/export?format=csv&category=repair');
    expect(csv.res.status).toBe(200);
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.bytes.subarray(3).toString('utf8').trim().split(/\r?\n/);
    const unquote = (line: string) => line.split(',').map((f) => f.replace(/^"|"$/g, ''));
    expect(unquote(lines[0]!).slice(0, 3)).toEqual(['序号', '标题', '提供方类型']);
    expect(lines.slice(1).every((l) => l.includes('上门维修') || l.includes('水电维修'))).toBe(true);
    const tasks = await download('/tasks/export?format=xlsx&status=done');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(tasks.bytes as unknown as ArrayBuffer);
    expect(book.worksheets[0]!.name).toBe('任务台账');
    expect(book.worksheets[0]!.rowCount).toBeGreaterThan(1);
    const english = await download('/tasks/export?format=csv&lang=en');
    expect(unquote(english.bytes.subarray(3).toString('utf8').split(/\r?\n/)[0]!).slice(0, 3)).toEqual(['No.', 'Need no.', 'Title']);
    const display = await fetch(`${api}/needs/export?format=csv`, { headers: { authorization: `Bearer ${ts.displayToken}` } });
    expect(display.status).toBe(403);
  });
});
