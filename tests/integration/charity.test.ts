/**
 * Charity resources over real HTTP, a real SQLite file and a real wall display: gifts with their
 * receipts, disbursements that cannot overspend however many race, the books that balance, and
 * a public screen that never learns a donor's name or phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, openLive, post, startServer, until, type TestServer } from '../support/server.ts';
import type { LiveClient } from '../../shared/live-client.ts';

let ts: TestServer;
let api: string;
/** The server's clock: a Wednesday morning in Hangzhou. */
const clock = Date.parse('2026-03-18T10:00:00+08:00');

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

/** A running project and an open need of the demo community (other domains' rows, written directly). */
function project(budgetCents = 1e12): number {
  const db = ts.app.db;
  let org = (db.prepare("SELECT id FROM organizations WHERE name = '桂花社工服务中心'").get() as { id: number } | undefined)?.id;
  org ??= Number(db.prepare(
    `INSERT INTO organizations (community_id, name, kind, contact_name, contact_phone, status, registered_at, updated_at)
     VALUES ('guihua', '桂花社工服务中心', 'social_org', '陈晓燕', '13900001111', 'active', 0, 0)`,
  ).run().lastInsertRowid);
  return Number(db.prepare(
    `INSERT INTO projects (community_id, code, name, category, org_id, funding, budget_cents, starts_on, ends_on, grid_id, status,
                           created_by, created_at, updated_at)
     VALUES ('guihua', ?, '桂花助老食堂', 'meals', ?, 'donor', ?, '2026-01-01', '2026-12-31', 'G02', 'active', 'admin', 0, 0)`,
  ).run(`XM-${Math.random().toString(36).slice(2, 10)}`, org, budgetCents).lastInsertRowid);
}
function need(): number {
  return Number(ts.app.db.prepare(
    `INSERT INTO needs (community_id, code, title, category, urgency, grid_id, raised_by_kind, raised_by, resident_name, beneficiaries,
                        status, raised_at, updated_at)
     VALUES ('guihua', ?, '独居老人冬季缺少被褥', 'material_aid', 'normal', 'G07', 'grid_worker', 'W07', '赵桂兰', 1, 'raised', 0, 0)`,
  ).run(`XQ-${Math.random().toString(36).slice(2, 10)}`).lastInsertRowid);
}

async function ok(path: string, body: unknown, status = 201) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

const person = { donorKind: 'person', donorName: '孙丽华', donorPhone: '13866667777' };

/** Everything a charity write could change. */
function footprint() {
  const tables = ['donations', 'disbursements', 'goods', 'goods_movements', 'fund_accounts', 'fund_txns', 'fund_entries', 'journal', 'metrics_hourly'];
  return {
    rows: Object.fromEntries(tables.map((t) => [t, n(`SELECT COUNT(*) AS n FROM ${t}`)])),
    balances: ts.app.db.prepare('SELECT id, balance FROM fund_accounts ORDER BY id').all(),
    stock: ts.app.db.prepare('SELECT id, on_hand FROM goods ORDER BY id').all(),
    spent: ts.app.db.prepare('SELECT id, spent_cents FROM projects ORDER BY id').all(),
  };
}

describe('a gift', () => {
  it('is recorded with a receipt staff can look up, the donor in full', async () => {
    const d = (await ok('/charity/donations', { kind: 'money', amountCents: 88_800, ...person, publicName: '孙丽华', note: '春节心意' })).donation;
    expect(d).toMatchObject({
      kind: 'money', amountCents: 88_800, valueCents: 88_800, donorName: '孙丽华', donorPhone: '13866667777', anonymous: false,
      publicName: '孙丽华', shownAs: '孙**', receivedAt: '2026-03-18T10:00:00.000+08:00', recordedBy: 'admin',
    });
    expect(d.receiptNo).toMatch(/^JZ-2026-\d{6}$/);
    expect(await get(`${api}/charity/receipts/${d.receiptNo}`)).toEqual({ status: 200, body: { donation: d } });
    expect(await get(`${api}/charity/donations/${d.id}`)).toEqual({ status: 200, body: { donation: d } });
  });

  it('is listed newest first, page by page', async () => {
    for (let i = 0; i < 3; i++) await ok('/charity/donations', { kind: 'money', amountCents: 1_000 + i, ...person, anonymous: true });
    const first = await get(`${api}/charity/donations?limit=2&kind=money`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((d: { amountCents: number }) => d.amountCents)).toEqual([1_002, 1_001]);
    const second = await get(`${api}/charity/donations?limit=2&kind=money&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].amountCents).toBe(1_000);
    const ids = [...first.body.items, ...second.body.items].map((d: { id: number }) => d.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('with bad input is a 400 naming each field, and nothing is written', async () => {
    const before = footprint();
    const bad: [unknown, string[]][] = [
      [{ kind: 'money', amountCents: -5, donorKind: 'person', donorName: '' }, ['amountCents', 'donorName']],
      [{ kind: 'goods', item: '大米', unit: '袋', quantity: 2.5, valueCents: 100, ...person, colour: 'red' }, ['quantity', 'colour']],
      [{ kind: 'money', amountCents: 100, ...person, receivedAt: '2026-03-18 10:00' }, ['receivedAt']],
      [{ kind: 'money', amountCents: 100, ...person, receivedAt: '2026-03-19T10:00:00+08:00' }, ['receivedAt']],
      [{ kind: 'money', amountCents: 100, ...person, projectId: 424242 }, ['projectId']],
      [{ kind: 'money', amountCents: 100, ...person, anonymous: 'yes' }, ['anonymous']],
      [{ kind: 'bitcoin' }, ['kind']],
    ];
    for (const [body, fields] of bad) {
      const r = await post(`${api}/charity/donations`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('error.validation');
      expect(r.body.error.issues.map((i: { field: string }) => i.field)).toEqual(expect.arrayContaining(fields));
    }
    expect((await post(`${api}/charity/donations`, '{"kind":')).status).toBe(400);
    expect((await post(`${api}/charity/disbursements`, { kind: 'money', amountCents: 100, purpose: '救助' })).body.error.issues)
      .toEqual([{ field: 'projectId', problem: expect.any(String) }]);
    expect((await get(`${api}/charity/donations?limit=0&kind=cash`)).status).toBe(400);
    expect(footprint()).toEqual(before);
  });

  it('or anything else that is not there is a 404', async () => {
    for (const path of ['/charity/donations/999999', '/charity/receipts/JZ-2026-999999', '/charity/disbursements/999999',
      '/charity/goods/999999', '/charity/goods/999999/movements', '/charity/fund/accounts/999999/entries', '/charity/donations/abc']) {
      const r = await get(`${api}${path}`);
      expect(r.status, path).toBe(404);
    }
  });
});

describe('disbursements', () => {
  it('cannot overspend the fund, however many race: of 20 payments of ¥100 from ¥950, nine are made', async () => {
    const target = need();
    const start = (await get(`${api}/charity/fund`)).body.fundCents as number;
    // Top the fund up to exactly ¥950.
    await ok('/charity/donations', { kind: 'money', amountCents: 95_000 - start, ...person });
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      post(`${api}/charity/disbursements`, { kind: 'money', amountCents: 10_000, needId: target, purpose: '临时困难救助' })));
    const made = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(made).toHaveLength(9);
    expect(refused).toHaveLength(11);
    // Each refusal names the balance it met: what was left after the nine.
    for (const r of refused) expect(r.body.error).toMatchObject({ code: 'error.insufficient_funds', balanceCents: 5_000, neededCents: 10_000, account: 'fund' });
    const fund = (await get(`${api}/charity/fund`)).body;
    expect(fund.fundCents).toBe(5_000);
    const books = (await get(`${api}/charity/books`)).body;
    expect(books.ok).toBe(true);
    expect(books.money.givenCents).toBe(books.money.fundCents + books.money.restrictedCents + books.money.paidOutCents);
  });

  it('cannot give out more goods than are on hand, however many race', async () => {
    const target = need();
    const gift = (await ok('/charity/donations', { kind: 'goods', item: '棉被', unit: '床', quantity: 25, valueCents: 375_000, ...person })).donation;
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      post(`${api}/charity/disbursements`, { kind: 'goods', goodsId: gift.goodsId, quantity: 2, needId: target, purpose: '冬季送温暖' })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(12);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'error.insufficient_goods')).toBe(true);
    expect((await get(`${api}/charity/goods/${gift.goodsId}`)).body.goods.onHand).toBe(1);
    const movements = (await get(`${api}/charity/goods/${gift.goodsId}/movements?limit=100`)).body.items;
    expect(movements).toHaveLength(13);
    expect(movements[0].onHandAfter).toBe(1);
    const item = (await get(`${api}/charity/books`)).body.goods.find((g: { goodsId: number }) => g.goodsId === gift.goodsId);
    expect(item).toEqual({ goodsId: gift.goodsId, name: '棉被', unit: '床', received: 25, givenOut: 24, onHand: 1, movements: 1, balanced: true });
  });

  it('pays designated money to its project and adds it to what the project has spent', async () => {
    const p = project();
    await ok('/charity/donations', { kind: 'money', amountCents: 500_000, donorKind: 'enterprise', donorName: '杭州桂香食品有限公司', publicName: '桂香食品', projectId: p });
    const fund = (await get(`${api}/charity/fund`)).body;
    const account = fund.accounts.find((a: { projectId: number | null }) => a.projectId === p);
    expect(account).toMatchObject({ kind: 'restricted', name: '桂花助老食堂', balanceCents: 500_000 });

    const b = (await ok('/charity/disbursements', { kind: 'money', from: 'restricted', amountCents: 320_000, projectId: p, purpose: '助老食堂食材采购' })).disbursement;
    expect(b).toMatchObject({ kind: 'money', from: 'restricted', amountCents: 320_000, projectId: p, approvedBy: 'admin', at: '2026-03-18T10:00:00.000+08:00' });
    expect(n('SELECT spent_cents AS n FROM projects WHERE id = ?', p)).toBe(320_000);
    const refused = await post(`${api}/charity/disbursements`, { kind: 'money', from: 'restricted', amountCents: 180_001, projectId: p, purpose: '追加' });
    expect(refused.status).toBe(409);
    expect(n('SELECT spent_cents AS n FROM projects WHERE id = ?', p)).toBe(320_000);

    const entries = (await get(`${api}/charity/fund/accounts/${account.id}/entries`)).body.items;
    expect(entries.map((e: { amountCents: number; balanceAfterCents: number }) => [e.amountCents, e.balanceAfterCents])).toEqual([[-320_000, 180_000], [500_000, 500_000]]);
    expect((await get(`${api}/charity/disbursements?project=${p}`)).body.items.map((x: { id: number }) => x.id)).toEqual([b.id]);
    expect((await get(`${api}/charity/books`)).body.ok).toBe(true);
  });
});

describe('a wall display', () => {
  const charity = (c: LiveClient) => c.state.views?.subjects?.charity;

  it('sees the gift and the fund move, donors only as they agreed, never a name or a phone', async () => {
    const wall = openLive(ts.url, { display: true });
    const payloads: string[] = [];
    wall.socket.onAny((_event, payload) => payloads.push(JSON.stringify(payload)));
    try {
      await until(() => !!charity(wall.client), 'a snapshot with the charity views');
      const before = charity(wall.client)!;
      await ok('/charity/donations', { kind: 'money', amountCents: 66_600, donorKind: 'person', donorName: '欧阳秋云', donorPhone: '13712345678', publicName: '欧阳秋云' });
      await ok('/charity/donations', { kind: 'goods', item: '书包', unit: '个', quantity: 30, valueCents: 240_000, donorKind: 'person', donorName: '钱多多', donorPhone: '13700001111', anonymous: true });
      await until(() => charity(wall.client)!.donationsToday === before.donationsToday + 2, 'two more gifts today on the wall');
      const v = charity(wall.client)!;
      expect(v.fundBalanceCents).toBe(before.fundBalanceCents + 66_600);
      expect(v.raisedMonthCents).toBe(before.raisedMonthCents + 66_600 + 240_000);
      expect(v.recent.slice(0, 2).map((d) => d.donor)).toEqual(['爱心人士', '欧阳**']);
      expect(v.goods.find((g) => g.name === '书包')).toEqual({ name: '书包', unit: '个', onHand: 30 });
      const feed = wall.client.state.views!.subjects!.feed.filter((f) => f.subject === 'charity').slice(0, 2);
      expect(feed.map((f) => f.params.donor)).toEqual(['爱心人士', '欧阳**']);
      const all = payloads.join('\n');
      for (const secret of ['欧阳秋云', '13712345678', '钱多多', '13700001111', '孙丽华', '13866667777']) expect(all).not.toContain(secret);
    } finally {
      wall.close();
    }
  });
});
