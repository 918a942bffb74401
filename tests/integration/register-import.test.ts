/**
 * Importing the register from a sheet (CSV or XLSX): previewed, then saved in one write, so a
 * sheet with any problem imports nothing and every problem names its row, its column and what is
 * wrong; rows of one address make one building, rows of one room one household; the template
 * downloads in both formats and imports as it is.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startServer, type TestServer } from '../support/server.ts';
import { csvFile, idOf, xlsxFile } from '../support/register.ts';

let ts: TestServer;
let api: string;
const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;
const footprint = () => ['buildings', 'households', 'residents', 'journal', 'known_names'].map((t) => n(`SELECT COUNT(*) AS n FROM ${t}`));

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const row = (over: Partial<Record<'grid' | 'address' | 'unit' | 'room' | 'name' | 'gender' | 'birth' | 'id' | 'phone' | 'tags', string>> = {}) => [
  over.grid ?? 'G01', over.address ?? '丹桂路8号1栋', over.unit ?? '1', over.room ?? '101', '自住', over.name ?? '王建国', over.gender ?? '男',
  over.birth ?? '1950', over.id ?? '', over.phone ?? '', '户主', '常住', over.tags ?? '独居老人', '', '', '', '', '关爱服务',
];

const importing = (file: { name: string; data: string }, save: boolean) => request(`${api}/register/import`, { method: 'POST', body: { file, save } });

describe('importing the register', () => {
  it('previews a sheet, then saves it whole: one building per address, one household per room', async () => {
    const file = csvFile([
      row({ name: '王建国', room: '101', id: idOf('33010619500101001') }),
      row({ name: '李秀英', room: '101', gender: '女', tags: '空巢老人、残疾人' }),
      row({ name: '欧阳娜娜', room: '502', unit: '2', gender: '女', birth: '1990-02-28', phone: '13900001111', tags: '' }),
      row({ name: '古丽米拉·艾则孜', address: '丹桂路8号2栋', room: '301', gender: '女', tags: '孕产妇' }),
    ]);
    const before = footprint();
    const preview = await importing(file, false);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({ saved: false, buildings: 2, households: 3, residents: 4 });
    expect(preview.body.rows[1]).toMatchObject({ row: 3, name: '李秀英', tags: ['disabled', 'empty_nest'], newBuilding: true, newHousehold: true });
    expect(footprint()).toEqual(before);

    const saved = await importing(file, true);
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(n("SELECT COUNT(*) AS n FROM buildings WHERE address LIKE '丹桂路8号%'")).toBe(2);
    expect(n("SELECT COUNT(*) AS n FROM households WHERE address = '丹桂路8号1栋1单元101室'")).toBe(1);
    expect(n("SELECT COUNT(*) AS n FROM residents r JOIN households h ON h.id = r.household_id WHERE h.address = '丹桂路8号1栋1单元101室'")).toBe(2);
    const b = ts.app.db.prepare("SELECT units, floors FROM buildings WHERE address = '丹桂路8号1栋'").get() as { units: number; floors: number };
    expect(b).toEqual({ units: 2, floors: 5 });
    // The names joined the masker's list.
    expect(n("SELECT COUNT(*) AS n FROM known_names WHERE name IN ('王建国', '古丽米拉·艾则孜')")).toBe(2);
  });

  it('imports nothing from a sheet with a problem, naming each row, column and problem', async () => {
    const file = csvFile([
      row({ name: '赵一', room: '201', address: '丹桂路9号1栋' }),
      row({ name: '钱二', room: '202', address: '丹桂路9号1栋', id: '330106195001010010' }),
      row({ name: '孙三', room: '203', address: '丹桂路9号1栋', phone: '12345', gender: '未知' }),
      row({ name: '李四', room: '204', address: '丹桂路9号1栋', grid: 'G77' }),
      row({ name: '周五', room: '205', address: '丹桂路9号1栋', tags: '独居老人、VIP', birth: '1950-02-30' }),
      row({ name: '', room: '206', address: '丹桂路9号1栋' }),
    ]);
    const before = footprint();
    for (const save of [false, true]) {
      const r = await importing(file, save);
      expect(r.status).toBe(400);
      const fields = r.body.error.issues.map((i: { field: string }) => i.field);
      expect(fields).toEqual(expect.arrayContaining(['row 3.idNumber', 'row 4.phone', 'row 4.gender', 'row 5.grid', 'row 6.tags', 'row 6.birth', 'row 7.name']));
      expect(fields.some((f: string) => f.startsWith('row 2.'))).toBe(false);
      const problems = r.body.error.issues.map((i: { problem: string }) => i.problem).join('\n');
      expect(problems).toContain('row 3 (钱二) 身份证号: must be an 18-character resident ID number with a valid check digit');
      expect(problems).toContain('row 6 (周五) 重点人群: unknown: VIP');
      expect(problems).toContain('row 5 (李四): no grid G77 in this community');
    }
    expect(footprint()).toEqual(before);
  });

  it('rolls the whole sheet back when one row collides with the register (an ID number already there)', async () => {
    const id = idOf('33010619600101002');
    const first = await importing(csvFile([row({ name: '吴六', room: '101', address: '丹桂路10号1栋', id })]), true);
    expect(first.status).toBe(201);
    const before = footprint();
    const r = await importing(csvFile([
      row({ name: '郑七', room: '102', address: '丹桂路10号1栋' }),
      row({ name: '吴六', room: '103', address: '丹桂路10号1栋', id }),
    ]), true);
    expect(r.status).toBe(400);
    expect(r.body.error.issues).toEqual([{ field: 'row 3.idNumber', problem: expect.stringContaining('on the register already') }]);
    expect(footprint()).toEqual(before);
    // The building's grid is the register's: a row naming another grid for it is refused.
    const moved = await importing(csvFile([row({ name: '王八', room: '104', address: '丹桂路10号1栋', grid: 'G02' })]), false);
    expect(moved.status).toBe(400);
    expect(moved.body.error.issues[0]).toMatchObject({ field: 'row 2.grid', problem: expect.stringContaining('is in grid G01') });
  });

  it('reads XLSX, and a file that is neither is a 400 on the file', async () => {
    const r = await importing(await xlsxFile([row({ name: '冯九', room: '101', address: '丹桂路11号1栋' })]), false);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.rows[0]).toMatchObject({ name: '冯九', address: '丹桂路11号1栋' });
    const bad = await importing({ name: 'x.xlsx', data: Buffer.from('PK not a zip').toString('base64') }, false);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('file');
    const header = await importing({ name: 'x.csv', data: Buffer.from('a,b\n1,2').toString('base64') }, false);
    expect(header.status).toBe(400);
    expect(header.body.error.issues[0].problem).toContain('missing: 网格 (grid)');
  });

  it('downloads a template in both formats, which imports as it is', async () => {
    const csv = await fetch(`${api}/register/import/template?format=csv`, { headers: { cookie: ts.admin!.cookie } });
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text).toContain('"标准地址"');
    const xlsx = await fetch(`${api}/register/import/template?format=xlsx&lang=en`, { headers: { cookie: ts.admin!.cookie } });
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    const bytes = Buffer.from(await xlsx.arrayBuffer());
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as never);
    expect(book.worksheets[0]!.getRow(1).getCell(2).text).toBe('address');
    const r = await importing({ name: 'register-template.xlsx', data: bytes.toString('base64') }, false);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.rows.map((x: { name: string }) => x.name)).toEqual(['欧阳建国', '阿依古丽·买买提']);
  });
});
