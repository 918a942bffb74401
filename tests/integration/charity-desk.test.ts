/**
 * The charity desk over real HTTP as the charity bookkeeper (慈善专管员) sees it: they record
 * gifts, disburse money and goods to a need picked from a list that never shows a resident's
 * name, read the fund and the books, and export the ledgers; and they read nothing else (grid
 * events, users, cases, the needs list with residents' names). Bad input names its field and
 * writes nothing; the books balance; an export is typed, inert and audited; an anonymous donor's
 * name never reaches a public view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { loginAs, openLive, request, startServer, until, type Credentials, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;
let keeper: Credentials;
let needId: number;
/** Made up for these tests: a resident's name in a need's title, an anonymous donor, a formula for a name. */
const RESIDENT = '赵桂兰';
const SECRET_DONOR = '钱秘密';
const FORMULA_DONOR = '=HYPERLINK("http://x.example","点我")';

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  keeper = await loginAs(ts.url, 'charity_keeper');
  needId = Number(ts.app.db.prepare(
    `INSERT INTO needs (community_id, code, title, category, urgency, grid_id, raised_by_kind, raised_by, resident_name, beneficiaries,
                        status, raised_at, updated_at)
     VALUES ('guihua', 'XQ-2026-770001', ?, 'material_aid', 'normal', 'G07', 'grid_worker', 'W07', ?, 3, 'raised', 0, 0)`,
  ).run(`${RESIDENT}家冬季缺少被褥`, RESIDENT).lastInsertRowid);
});
afterAll(async () => {
  await ts?.stop();
});

const asKeeper = (path: string, method = 'GET', body?: unknown) => request(`${api}${path}`, { method, body, as: keeper });
async function made(path: string, body: unknown) {
  const r = await asKeeper(path, 'POST', body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(201);
  return r.body;
}
const count = (table: string) => (ts.app.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const footprint = () => ['donations', 'disbursements', 'goods', 'goods_movements', 'fund_txns', 'fund_entries', 'journal'].map(count);

describe('the charity bookkeeper', () => {
  it('records gifts, disburses money and goods to a need, and reads the fund and the books', async () => {
    const money = (await made('/charity/donations', { kind: 'money', amountCents: 50_000, donorKind: 'person', donorName: '孙丽华', publicName: '孙丽华' })).donation;
    expect(money).toMatchObject({ receiptNo: expect.stringMatching(/^JZ-\d{4}-\d{6}$/), shownAs: '孙**', recordedBy: expect.any(String) });
    const goods = (await made('/charity/donations', { kind: 'goods', item: '棉被', unit: '床', quantity: 10, valueCents: 150_000, donorKind: 'person', donorName: SECRET_DONOR, anonymous: true })).donation;
    expect(goods.shownAs).toBe('爱心人士');
    expect((await asKeeper(`/charity/receipts/${money.receiptNo}`)).body.donation.id).toBe(money.id);

    const targets = (await asKeeper('/charity/targets')).body.items as { kind: string; id: number; name: string }[];
    const target = targets.find((t) => t.kind === 'need' && t.id === needId)!;
    expect(target.name).not.toContain(RESIDENT);
    expect(target.name).toContain('冬季缺少被褥');

    await made('/charity/disbursements', { kind: 'money', amountCents: 20_000, from: 'fund', needId, purpose: '冬季取暖补贴' });
    await made('/charity/disbursements', { kind: 'goods', goodsId: goods.goodsId, quantity: 4, needId, purpose: '冬季被褥' });
    const fund = (await asKeeper('/charity/fund')).body;
    expect(fund.fundCents).toBeGreaterThanOrEqual(30_000);
    const books = (await asKeeper('/charity/books')).body;
    expect(books.ok).toBe(true);
    const entries = await asKeeper(`/charity/fund/accounts/${fund.accounts.find((a: { kind: string }) => a.kind === 'fund').id}/entries`);
    expect(entries.body.items.map((e: { amountCents: number }) => e.amountCents)).toEqual(expect.arrayContaining([50_000, -20_000]));
    expect((await asKeeper(`/charity/goods/${goods.goodsId}/movements`)).body.items.map((m: { delta: number }) => m.delta)).toEqual([-4, 10]);
  });

  it('is refused grid events, users, cases and the needs list with residents\' names', async () => {
    for (const path of ['/events', '/events/queue', '/users', '/cases', '/needs', `/needs/${needId}`, '/volunteers', '/audit']) {
      const r = await asKeeper(path);
      expect(r.status, path).toBe(403);
      expect(JSON.stringify(r.body)).not.toContain(RESIDENT);
    }
    // Signed in all the same: who they are, and the community their receipts name.
    expect((await asKeeper('/auth/me')).body.user.role).toBe('charity_keeper');
    expect((await asKeeper('/community')).status).toBe(200);
  });
});

describe('bad input', () => {
  it('is a 400 naming the field, and nothing is written', async () => {
    const before = footprint();
    const cases: [string, unknown, string][] = [
      ['/charity/donations', { kind: 'money', amountCents: -5, donorKind: 'person', donorName: '孙丽华' }, 'amountCents'],
      ['/charity/donations', { kind: 'money', amountCents: 100, donorKind: 'person', donorName: '' }, 'donorName'],
      ['/charity/donations', { kind: 'goods', item: '米', unit: '袋', quantity: 0, valueCents: 0, donorKind: 'person', donorName: '孙丽华' }, 'quantity'],
      ['/charity/donations', { kind: 'money', amountCents: 100, donorKind: 'person', donorName: '孙丽华', anonymous: true, publicName: '孙丽华' }, 'publicName'],
      ['/charity/donations', { kind: 'money', amountCents: 100, donorKind: 'person', donorName: '孙丽华', needId: 999_999 }, 'needId'],
      ['/charity/disbursements', { kind: 'money', amountCents: 100, purpose: '救助' }, 'projectId'],
      ['/charity/disbursements', { kind: 'goods', goodsId: 999_999, quantity: 1, needId, purpose: '救助' }, 'goodsId'],
    ];
    for (const [path, body, field] of cases) {
      const r = await asKeeper(path, 'POST', body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
    for (const [query, field] of [['ledger=bogus&format=csv', 'ledger'], ['ledger=goods&format=csv&kind=money', 'kind'], ['ledger=fund&format=pdf', 'format']]) {
      const r = await asKeeper(`/charity/export?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
    expect(footprint()).toEqual(before);
  });
});

describe('the books', () => {
  it('balance after gifts and disbursements of money and goods: given = fund + designated + paid out, received = on hand + given out', async () => {
    await made('/charity/donations', { kind: 'money', amountCents: 12_345, donorKind: 'enterprise', donorName: '桂香食品有限公司', needId });
    await made('/charity/donations', { kind: 'goods', item: '大米', unit: '袋', quantity: 20, valueCents: 100_000, donorKind: 'org', donorName: '爱心社' });
    const rice = (await asKeeper('/charity/goods?limit=500')).body.items.find((g: { name: string }) => g.name === '大米');
    await made('/charity/disbursements', { kind: 'money', amountCents: 12_345, from: 'restricted', needId, purpose: '定向救助' });
    await made('/charity/disbursements', { kind: 'goods', goodsId: rice.id, quantity: 7, needId, purpose: '口粮' });
    const books = (await asKeeper('/charity/books')).body;
    const m = books.money;
    expect(m.balanced).toBe(true);
    expect(m.givenCents).toBe(m.fundCents + m.restrictedCents + m.paidOutCents);
    expect(m.paidOutCents).toBeGreaterThanOrEqual(20_000 + 12_345);
    const r = books.goods.find((g: { name: string }) => g.name === '大米');
    expect(r).toMatchObject({ received: 20, givenOut: 7, onHand: 13, balanced: true });
    expect(books.ledger.ok).toBe(true);
    expect(books.ok).toBe(true);
  });
});

describe('the ledgers out', () => {
  async function download(query: string) {
    const res = await fetch(`${api}/charity/export?${query}`, { headers: { cookie: keeper.cookie } });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  it('export donations to Excel with Chinese headers, numbers as numbers, a formula for a name shown and never run, and an audit line', async () => {
    await made('/charity/donations', { kind: 'money', amountCents: 1_050, donorKind: 'person', donorName: FORMULA_DONOR, donorPhone: '13800001234' });
    const { res, bytes } = await download('ledger=donations&format=xlsx&kind=money&lang=zh-CN');
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('捐赠台账');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 4)).toEqual(['收据编号', '收到时间', '捐赠方类型', '捐赠人']);
    const col = (name: string) => header.indexOf(name) + 1;
    const rows: ExcelJS.Row[] = [];
    sheet.eachRow((r, n) => n > 1 && rows.push(r));
    expect(rows.every((r) => r.getCell(col('类别')).value === '资金')).toBe(true);
    const row = rows.find((r) => String(r.getCell(col('捐赠人')).value).includes('HYPERLINK'))!;
    expect(row.getCell(col('捐赠人')).value).toBe(`'${FORMULA_DONOR}`);
    expect(row.getCell(col('捐赠人')).type).toBe(ExcelJS.ValueType.String);
    expect(row.getCell(col('金额（元）')).value).toBe(10.5);
    expect(row.getCell(col('金额（元）')).type).toBe(ExcelJS.ValueType.Number);
    expect(row.getCell(col('联系电话')).type).toBe(ExcelJS.ValueType.String);
    expect(row.getCell(col('收到时间')).type).toBe(ExcelJS.ValueType.Date);
    const community = ts.app.directory.defaultCommunity()!.id;
    let line: any;
    await until(() => {
      line = ts.app.auth.audit.list(community, { action: 'records.export', limit: 10 } as any).items.find((a) => a.targetType === 'charity.donations');
      return !!line;
    }, 'the export\'s audit line');
    expect(line).toMatchObject({ actorRole: 'charity_keeper', detail: { format: 'xlsx', ledger: 'donations', kind: 'money', rows: expect.any(Number) } });
  });

  it('export goods movements and fund entries as CSV, each line with the stock or balance after it', async () => {
    const goods = await download('ledger=goods&format=csv');
    expect(goods.res.status).toBe(200);
    const text = goods.bytes.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('"编号","时间","物品","单位","出入库","结存","收据编号","拨付编号"');
    expect(lines.some((l) => /"大米","袋",-7,13,/.test(l))).toBe(true);
    const fund = await download('ledger=fund&format=csv&lang=en');
    expect(fund.res.status).toBe(200);
    expect(fund.bytes.toString('utf8').slice(1).split('\r\n')[0]).toBe('"Entry","When","Account","Type","Amount (yuan)","Balance (yuan)","Memo"');
  });
});

describe('a public view', () => {
  it('never shows an anonymous donor\'s name, on the wall or in its figures', async () => {
    const wall = openLive(ts.url, { display: true });
    const payloads: string[] = [];
    wall.socket.onAny((_event, payload) => payloads.push(JSON.stringify(payload)));
    try {
      await until(() => !!wall.client.state.views?.subjects?.charity, 'the wall\'s charity views');
      await made('/charity/donations', { kind: 'money', amountCents: 77_700, donorKind: 'person', donorName: SECRET_DONOR, donorPhone: '13911112222', anonymous: true });
      await until(() => wall.client.state.views!.subjects!.charity.recent.some((d) => d.amountCents === 77_700), 'the gift on the wall');
      const kpis = await request(`${api}/kpis`, { as: null, headers: { authorization: `Bearer ${ts.displayToken}` } });
      expect(kpis.status).toBe(200);
      for (const text of [...payloads, JSON.stringify(kpis.body)]) {
        expect(text).not.toContain(SECRET_DONOR);
        expect(text).not.toContain('13911112222');
      }
      expect(wall.client.state.views!.subjects!.charity.recent.find((d) => d.amountCents === 77_700)!.donor).toBe('爱心人士');
      // Not even masked (钱**): an anonymous gift names no one.
      await until(() => wall.client.state.views!.subjects!.feed.some((f) => f.params.amount === '777'), 'the gift\'s feed line');
      expect(wall.client.state.views!.subjects!.feed.find((f) => f.params.amount === '777')!.params.donor).toBe('爱心人士');
    } finally {
      wall.close();
    }
  });
});
