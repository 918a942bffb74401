/**
 * Ledgers out: the desk's case list as a CSV or Excel file over real HTTP — what Excel needs to
 * read it (BOM, Chinese headers, dates, numbers), a title typed as a formula shown and not run,
 * the rows the filters name and no others, a grid worker's file holding their grids only, walls
 * and integrations refused, a bad query named, and the export in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { apiKey, loginAs, pairDisplay, request, sampleReport, startServer, until, type Credentials, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;
let formula: any;
let g02Case: any;
let worker: Credentials;
const FORMULA_TITLE = '=HYPERLINK("http://evil.example","点我")';

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  const report = async (over: Record<string, unknown>) => {
    const r = await request(`${api}/events`, { method: 'POST', body: sampleReport(over) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.event;
  };
  formula = await report({ title: FORMULA_TITLE, gridId: 'G01', address: '桂花苑1幢', reporterName: '王建国', reporterPhone: '13812345678' });
  await report({ title: '桂花苑2幢路灯不亮', gridId: 'G01', category: 'facilities', subcategory: undefined, urgency: 'urgent' });
  g02Case = await report({ title: '丹枫新村井盖松动', gridId: 'G02', address: '丹枫新村3幢' });
  worker = await loginAs(ts.url, 'grid_worker', ['G02']);
});
afterAll(async () => {
  await ts?.stop();
});

const download = async (query: string, as?: Credentials | null, headers: Record<string, string> = {}) => {
  const res = await fetch(`${api}/events/export?${query}`, {
    headers: { ...(as === null ? {} : { cookie: (as ?? ts.admin!).cookie }), ...headers },
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
};

/** CSV text into rows of fields (RFC 4180: quoted fields, doubled quotes). */
function parseCsv(text: string): { fields: string[]; quoted: boolean[] }[] {
  const out: { fields: string[]; quoted: boolean[] }[] = [];
  for (const line of text.split('\r\n').filter(Boolean)) {
    const fields: string[] = [];
    const quoted: boolean[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let v = '';
        i++;
        for (;;) {
          const j = line.indexOf('"', i);
          if (line[j + 1] === '"') (v += line.slice(i, j + 1), (i = j + 2));
          else ((v += line.slice(i, j)), (i = j + 1));
          if (line[j + 1] !== '"') break;
        }
        fields.push(v);
        quoted.push(true);
        i++;
      } else {
        const j = line.indexOf(',', i);
        const end = j < 0 ? line.length : j;
        fields.push(line.slice(i, end));
        quoted.push(false);
        i = end + 1;
      }
    }
    out.push({ fields, quoted });
  }
  return out;
}

describe('a CSV export of the queue', () => {
  it('opens in Excel as Chinese: a byte-order mark, Chinese headers, and the file named with the day', async () => {
    const { res, bytes } = await download('format=csv&tab=triage');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header] = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(header!.fields.slice(0, 3)).toEqual(['编号', '案卷号', '标题']);
    expect(header!.fields).toContain('上报人电话');
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="cases-\d{8}\.csv"; filename\*=UTF-8''%E6%A1%88%E4%BB%B6%E5%8F%B0%E8%B4%A6-\d{8}\.csv$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('shows a title typed as a formula as text, keeps the phone as quoted text and the id as a number', async () => {
    const { bytes } = await download('format=csv&tab=triage');
    const [header, ...rows] = parseCsv(bytes.subarray(3).toString('utf8'));
    const col = (name: string) => header!.fields.indexOf(name);
    const row = rows.find((r) => r.fields[col('案卷号')] === formula.code)!;
    expect(row.fields[col('标题')]).toBe(`'${FORMULA_TITLE}`);
    expect(row.fields[col('上报人电话')]).toBe('13812345678');
    expect(row.quoted[col('上报人电话')]).toBe(true);
    expect(row.fields[col('编号')]).toBe(String(formula.id));
    expect(row.quoted[col('编号')]).toBe(false);
    expect(row.fields[col('上报时间')]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(row.fields[col('状态')]).toBe('已上报');
    expect(row.fields[col('网格')]).toBe(ts.app.directory.grids.get('G01')!.name.zh);
  });

  it('holds exactly the cases the queue shows under the same tab and filters', async () => {
    const filters = 'tab=triage&grid=G01&urgency=normal';
    const shown = (await request(`${api}/events/queue?${filters}&limit=500`)).body.items.map((i: any) => i.code).sort();
    const { bytes } = await download(`format=csv&${filters}`);
    const [header, ...rows] = parseCsv(bytes.subarray(3).toString('utf8'));
    const codes = rows.map((r) => r.fields[header!.fields.indexOf('案卷号')]).sort();
    expect(codes).toEqual(shown);
    expect(codes).toContain(formula.code);
    expect(codes).not.toContain(g02Case.code);
  });

  it('speaks English when asked, by lang or by Accept-Language', async () => {
    for (const { query, headers } of [{ query: 'format=csv&lang=en', headers: {} }, { query: 'format=csv', headers: { 'accept-language': 'en-GB,en;q=0.9' } }]) {
      const { res, bytes } = await download(query, undefined, headers);
      expect(parseCsv(bytes.subarray(3).toString('utf8'))[0]!.fields.slice(0, 3)).toEqual(['ID', 'Case number', 'Title']);
      expect(res.headers.get('content-disposition')).toMatch(/filename\*=UTF-8''cases-\d{8}\.csv$/);
    }
  });
});

describe('an Excel export of the history', () => {
  it('has typed cells: text stays text, numbers are numbers, times are dates in the community\'s zone', async () => {
    const from = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString().replace('Z', '+00:00'));
    const to = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString().replace('Z', '+00:00'));
    const { res, bytes } = await download(`format=xlsx&scope=history&from=${from}&to=${to}&status=reported`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('案件台账');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['编号', '案卷号', '标题']);
    const col = (name: string) => header.indexOf(name) + 1;
    const rows: ExcelJS.Row[] = [];
    sheet.eachRow((r, n) => n > 1 && rows.push(r));
    const codes = rows.map((r) => r.getCell(col('案卷号')).value);
    expect(codes).toHaveLength(3);
    expect(codes).toEqual(expect.arrayContaining([formula.code, g02Case.code]));
    const row = rows.find((r) => r.getCell(col('案卷号')).value === formula.code)!;
    expect(row.getCell(col('标题')).value).toBe(`'${FORMULA_TITLE}`);
    expect(row.getCell(col('上报人电话')).type).toBe(ExcelJS.ValueType.String);
    expect(row.getCell(col('上报人电话')).value).toBe('13812345678');
    expect(row.getCell(col('编号')).value).toBe(formula.id);
    const reported = row.getCell(col('上报时间'));
    expect(reported.type).toBe(ExcelJS.ValueType.Date);
    // The wall-clock time in Asia/Shanghai, as Excel shows it: the view's local reading.
    expect((reported.value as Date).toISOString().slice(0, 19)).toBe(formula.reportedAt.slice(0, 19));
    expect(reported.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });
});

describe('who may export, and what', () => {
  it('gives a grid worker their grids\' cases only', async () => {
    const { res, bytes } = await download('format=csv&scope=history', worker);
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(bytes.subarray(3).toString('utf8'));
    const codes = rows.map((r) => r.fields[header!.fields.indexOf('案卷号')]);
    expect(codes).toContain(g02Case.code);
    expect(codes).not.toContain(formula.code);
    expect(rows.every((r) => r.fields[header!.fields.indexOf('网格')] === ts.app.directory.grids.get('G02')!.name.zh)).toBe(true);
  });

  it('refuses a wall display and an integration key', async () => {
    const display = pairDisplay(ts.app).token;
    for (const bearer of [display, apiKey(ts.app).secret]) {
      const { res } = await download('format=csv', null, { authorization: `Bearer ${bearer}` });
      expect(res.status).toBe(403);
    }
  });

  it('answers a bad query with a 400 naming the field, and a history filter in the queue\'s scope too', async () => {
    for (const [query, field] of [['format=pdf', 'format'], ['tab=triage', 'format'], ['format=csv&from=2026-01-01T00:00:00%2B08:00', 'from'], ['format=csv&scope=history&tab=triage', 'tab'], ['format=csv&scope=history&from=2026-02-01T00:00:00%2B08:00&to=2026-01-01T00:00:00%2B08:00', 'to']] as const) {
      const r = await request(`${api}/events/export?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.issues.map((i: any) => i.field), query).toContain(field);
    }
  });

  it('is written in the audit log with who, the format, the filters and the number of rows', async () => {
    const { res } = await download('format=xlsx&tab=triage&grid=G01');
    expect(res.status).toBe(200);
    let line: any;
    await until(() => {
      const page = ts.app.auth.audit.list(ts.app.directory.defaultCommunity()!.id, { action: 'records.export', limit: 10 } as any);
      line = page.items.find((l) => (l.detail as any)?.format === 'xlsx' && (l.detail as any)?.grid?.[0] === 'G01');
      return !!line;
    }, 'the export\'s audit line');
    expect(line).toMatchObject({ actorRole: 'admin', targetType: 'events', detail: { format: 'xlsx', scope: 'queue', tab: 'triage', rows: expect.any(Number) } });
    expect(line.detail.rows).toBeGreaterThan(0);
  });
});
