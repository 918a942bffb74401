/**
 * The exchange desk (积分超市工作台) over real HTTP and a real SQLite file: a checkout at the
 * till with its receipt, an overdraft refused naming the balance, stock that cannot go below
 * zero however many tills redeem at once, a retried checkout that redeems once, stock corrections
 * kept as movements with their reasons, two cashiers editing one item, bad input named and
 * nothing written, and the exports read back with exceljs.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, post, request, send, startServer, until, type Credentials, type TestServer } from '../support/server.ts';

const HOUR = 3_600_000;
const MIN = 60_000;
const FORMULA_NAME = '=HYPERLINK("http://evil.example","大米")';

let ts: TestServer;
let api: string;
let clock = Date.parse('2026-03-10T08:00:00+08:00');

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

async function ok(path: string, body: unknown, status = 200, method = 'POST') {
  const r = await send(method, `${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

let phoneSeq = 0;
async function volunteer(name: string, points: number) {
  const v = (await ok('/volunteers', { name, phone: `1370000${String(++phoneSeq).padStart(4, '0')}` }, 201)).volunteer as { id: number };
  if (points > 0) {
    const a = (await ok('/activities', {
      title: '桂花苑敬老助餐', organiser: '桂花社区志愿服务站', place: '桂花苑老年食堂', pointsPerHour: points * 2,
      startsAt: iso(clock - HOUR), endsAt: iso(clock + HOUR), capacity: 1,
    }, 201)).activity as { id: number };
    await ok(`/activities/${a.id}/signups`, { volunteerId: v.id }, 201);
    await ok(`/activities/${a.id}/check-in`, { volunteerId: v.id, at: iso(clock - HOUR) });
    await ok(`/activities/${a.id}/check-out`, { volunteerId: v.id, at: iso(clock - 30 * MIN) });
  }
  return v.id;
}

async function item(name: string, pointsCost: number, stock: number) {
  return (await ok('/exchange/items', { name, pointsCost, stock }, 201)).item as { id: number };
}

const checkout = (body: unknown, key?: string, as?: Credentials) => request(`${api}/exchange/receipts`, {
  method: 'POST', body, ...(as ? { as } : {}), headers: key ? { 'idempotency-key': key } : {},
});
const balanceOf = (id: number) => n("SELECT balance AS n FROM points_accounts WHERE kind = 'volunteer' AND owner_id = ?", id);
const stockOf = (id: number) => n('SELECT stock AS n FROM exchange_items WHERE id = ?', id);
const receipts = () => n('SELECT COUNT(*) AS n FROM exchange_receipts');

describe('the till', () => {
  it('redeems a basket in one checkout and answers a receipt with its number, lines, points, balance after, cashier and time', async () => {
    const v = await volunteer('王秀英', 100);
    const rice = await item('大米 5kg', 30, 10);
    const soap = await item('洗衣皂', 5, 10);
    const r = await checkout({ volunteerId: v, lines: [{ itemId: rice.id, quantity: 2 }, { itemId: soap.id, quantity: 3 }] }, 'till-1-basket-0001');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const receipt = r.body.receipt;
    expect(receipt.receiptNo).toMatch(/^DH20260310-\d{4}$/);
    expect(receipt.points).toBe(75);
    expect(receipt.balanceAfter).toBe(25);
    expect(receipt.volunteerName).toBe('王秀英');
    expect(receipt.cashier).toBe('admin');
    expect(receipt.at).toMatch(/^2026-03-10T08:00:00/);
    expect(receipt.lines).toEqual([
      { itemId: rice.id, itemName: '大米 5kg', quantity: 2, unitPoints: 30, points: 60 },
      { itemId: soap.id, itemName: '洗衣皂', quantity: 3, unitPoints: 5, points: 15 },
    ]);
    expect(balanceOf(v)).toBe(25);
    expect([stockOf(rice.id), stockOf(soap.id)]).toEqual([8, 7]);
    const read = await request(`${api}/exchange/receipts/${receipt.id}`);
    expect(read.body.receipt.receiptNo).toBe(receipt.receiptNo);
  });

  it('refuses an overdraft with the balance in the answer, and spends nothing', async () => {
    const v = await volunteer('李建国', 20);
    const rice = await item('大米 10kg', 50, 3);
    const before = receipts();
    const r = await checkout({ volunteerId: v, lines: [{ itemId: rice.id, quantity: 1 }] }, 'till-1-overdraft-01');
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'error.insufficient_points', balance: 20, needed: 50 });
    expect(balanceOf(v)).toBe(20);
    expect(stockOf(rice.id)).toBe(3);
    expect(receipts()).toBe(before);
  });

  it('lets exactly 5 of 20 tills redeeming at once take an item with 5 in stock, and stock ends at 0', async () => {
    const rice = await item('大米 2.5kg', 10, 5);
    const vs: number[] = [];
    for (let i = 0; i < 20; i++) vs.push(await volunteer(`并发志愿者${i}`, 10));
    const answers = await Promise.all(vs.map((v, i) => checkout({ volunteerId: v, lines: [{ itemId: rice.id, quantity: 1 }] }, `parallel-till-${i}-0001`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('error.out_of_stock');
    expect(stockOf(rice.id)).toBe(0);
    expect(vs.map(balanceOf).filter((b) => b === 0)).toHaveLength(5);
    expect(n('SELECT COALESCE(SUM(quantity), 0) AS n FROM redemptions WHERE item_id = ?', rice.id)).toBe(5);
  });

  it('redeems once when the same checkout is sent twice at once and again later with its Idempotency-Key', async () => {
    const v = await volunteer('张桂兰', 100);
    const oil = await item('食用油', 40, 5);
    const body = { volunteerId: v, lines: [{ itemId: oil.id, quantity: 1 }] };
    const key = crypto.randomUUID();
    const [a, b] = await Promise.all([checkout(body, key), checkout(body, key)]);
    const c = await checkout(body, key);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(c.status).toBe(200);
    expect(c.body.created).toBe(false);
    expect(new Set([a.body.receipt.receiptNo, b.body.receipt.receiptNo, c.body.receipt.receiptNo]).size).toBe(1);
    expect(balanceOf(v)).toBe(60);
    expect(stockOf(oil.id)).toBe(4);
    // The key is the client's: a new one is a new checkout.
    expect((await checkout(body, crypto.randomUUID())).status).toBe(201);
    expect(balanceOf(v)).toBe(20);
  });

  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const v = await volunteer('赵磊', 100);
    const soap = await item('香皂', 5, 5);
    const before = receipts();
    const cases: [unknown, string, string?][] = [
      [{ volunteerId: v, lines: [] }, 'lines'],
      [{ volunteerId: v, lines: [{ itemId: soap.id, quantity: 0 }] }, 'lines[0].quantity'],
      [{ volunteerId: 'x', lines: [{ itemId: soap.id, quantity: 1 }] }, 'volunteerId'],
      [{ volunteerId: v, lines: [{ itemId: soap.id, quantity: 1 }, { itemId: soap.id, quantity: 2 }] }, 'lines'],
      [{ volunteerId: v, lines: [{ itemId: soap.id, quantity: 1 }] }, 'Idempotency-Key', 'no'],
    ];
    for (const [body, field, key] of cases) {
      const r = await checkout(body, key);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
    expect(receipts()).toBe(before);
    expect(balanceOf(v)).toBe(100);
    const bad = await send('POST', `${api}/exchange/items/${soap.id}/stock`, { quantity: -9, reason: 'damaged' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('quantity');
    expect(stockOf(soap.id)).toBe(5);
    const noNote = await send('POST', `${api}/exchange/items/${soap.id}/stock`, { quantity: -1, reason: 'other' });
    expect(noNote.body.error.issues[0].field).toBe('note');
    const negativeIn = await send('POST', `${api}/exchange/items/${soap.id}/stock`, { quantity: -1, reason: 'purchase' });
    expect(negativeIn.body.error.issues[0].field).toBe('quantity');
    expect(n('SELECT COUNT(*) AS n FROM exchange_stock_moves WHERE item_id = ?', soap.id)).toBe(0);
    expect(stockOf(soap.id)).toBe(5);
  });
});

describe('the catalogue', () => {
  it('keeps stock-in and corrections as movements with their reason and note, never an edited number', async () => {
    const flour = await item('面粉', 15, 4);
    const moved = await ok(`/exchange/items/${flour.id}/stock`, { quantity: 10, reason: 'donation', note: '爱心企业捐赠' }, 201);
    expect(moved.item.stock).toBe(14);
    await ok(`/exchange/items/${flour.id}/stock`, { quantity: -2, reason: 'damaged', note: '包装破损' }, 201);
    await ok(`/exchange/items/${flour.id}/stock`, { quantity: -1, reason: 'count', note: '' }, 201);
    await ok(`/exchange/items/${flour.id}/restock`, { quantity: 3 });
    const moves = (await request(`${api}/exchange/items/${flour.id}/moves`)).body.items;
    expect(moves.map((m: { reason: string; quantity: number; stockAfter: number }) => [m.reason, m.quantity, m.stockAfter])).toEqual([
      ['purchase', 3, 14], ['count', -1, 11], ['damaged', -2, 12], ['donation', 10, 14],
    ]);
    expect(moves[2]).toMatchObject({ note: '包装破损', by: 'admin' });
    expect(stockOf(flour.id)).toBe(14);
    expect(n("SELECT COUNT(*) AS n FROM journal WHERE entity = 'exchange_item' AND entity_id = ? AND type = 'exchange.stock_moved'", flour.id)).toBe(3);
    // The number itself is never a field of an edit.
    const edit = await send('PATCH', `${api}/exchange/items/${flour.id}`, { stock: 99, version: 1 });
    expect(edit.status).toBe(400);
    expect(edit.body.error.issues[0].field).toBe('stock');
  });

  it('answers the second of two cashiers editing one item with a 409 naming who changed it and when', async () => {
    const noodles = await item('挂面', 8, 6);
    const other = await loginAs(ts.url, 'coordinator');
    const first = await request(`${api}/exchange/items/${noodles.id}`, { method: 'PATCH', as: other, body: { pointsCost: 9, version: 1 } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.item).toMatchObject({ pointsCost: 9, version: 2 });
    const second = await send('PATCH', `${api}/exchange/items/${noodles.id}`, { name: '龙须挂面', version: 1 });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'error.version_conflict', version: 2 });
    expect(second.body.error.changedBy).toBeTruthy();
    expect(second.body.error.changedBy).not.toBe('admin');
    expect(second.body.error.changedAt).toMatch(/^2026-03-10T08:00:00/);
    expect(n('SELECT COUNT(*) AS n FROM exchange_items WHERE id = ? AND name = ?', noodles.id, '挂面')).toBe(1);
  });
});

describe('the exports', () => {
  const download = async (path: string) => {
    const res = await fetch(`${api}${path}`, { headers: { cookie: ts.admin!.cookie } });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it('exports the redemptions as XLSX with Chinese headers, numbers as numbers and a formula-like item name inert, and logs it', async () => {
    const v = await volunteer('陈美华', 80);
    const evil = await item(FORMULA_NAME, 20, 5);
    expect((await checkout({ volunteerId: v, lines: [{ itemId: evil.id, quantity: 2 }] }, 'export-checkout-01')).status).toBe(201);
    const { res, bytes } = await download('/exchange/receipts/export?format=xlsx&from=2026-03-10&to=2026-03-10&lang=zh-CN');
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('积分兑换明细');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(['小票号', '兑换时间', '志愿者', '商品', '数量', '积分', '兑换后余额', '收银员']);
    const col = (name: string) => header.indexOf(name) + 1;
    const rows: ExcelJS.Row[] = [];
    sheet.eachRow((r, i) => i > 1 && rows.push(r));
    const row = rows.find((r) => r.getCell(col('志愿者')).value === '陈美华')!;
    expect(row.getCell(col('商品')).value).toBe(`'${FORMULA_NAME}`);
    expect(row.getCell(col('商品')).type).toBe(ExcelJS.ValueType.String);
    expect(row.getCell(col('积分')).value).toBe(40);
    expect(row.getCell(col('兑换后余额')).value).toBe(40);
    expect(row.getCell(col('数量')).type).toBe(ExcelJS.ValueType.Number);
    expect(row.getCell(col('兑换时间')).type).toBe(ExcelJS.ValueType.Date);
    await until(() => n("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'records.export' AND target_type = 'exchange_receipts'") === 1, 'the audit line');
    // Another day holds none of them.
    const other = await download('/exchange/receipts/export?format=csv&from=2026-03-11&to=2026-03-11');
    expect(other.bytes.subarray(3).toString('utf8').trim().split('\r\n')).toHaveLength(1);
  });

  it('exports the catalogue as CSV with its stock, and names a bad format', async () => {
    const { res, bytes } = await download('/exchange/items/export?format=csv&lang=zh-CN');
    expect(res.status).toBe(200);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toBe('"商品编号","商品","兑换积分","库存","说明","更新时间"');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""大米"")"`);
    const bad = await request(`${api}/exchange/items/export?format=pdf`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('format');
  });
});

describe('finding a volunteer', () => {
  it('finds a volunteer by part of the name or the phone, with the balance', async () => {
    const v = await volunteer('周晓梅', 30);
    const byName = await request(`${api}/exchange/volunteers?q=${encodeURIComponent('晓梅')}`);
    expect(byName.body.items).toEqual([expect.objectContaining({ id: v, name: '周晓梅', balance: 30 })]);
    const phone = (await request(`${api}/volunteers/${v}`)).body.volunteer.phone as string;
    const byPhone = await request(`${api}/exchange/volunteers?q=${phone.slice(-4)}`);
    expect(byPhone.body.items.map((x: { id: number }) => x.id)).toContain(v);
    expect((await request(`${api}/exchange/volunteers?q=`)).status).toBe(400);
  });
});
