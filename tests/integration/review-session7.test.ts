/**
 * What a review of the five-subject desks found, each as a user would meet it: a slow download
 * of the exchange's receipts no longer stops everyone else's writes; the charity bookkeeper never
 * reads a resident's name in the fund's designated accounts; an impossible date is a 400 naming
 * the field, not a 500; a volunteer's phone hears no staff desk notes; a check-in kept long on a
 * phone is paid from a time the server can vouch for; a save that changes nothing writes
 * nothing; a volunteer's certificates read by staff are in the audit log.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskChanged } from '../../shared/protocol.ts';
import {
  joinAsVolunteer, loginAs, openSocket, request, startServer, until, type Credentials, type TestServer,
} from '../support/server.ts';

let ts: TestServer;
let api: string;
const iso = (ms: number) => new Date(ms).toISOString();
const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

async function made(path: string, body: unknown, as?: Credentials) {
  const r = await request(`${api}${path}`, { method: 'POST', body, ...(as ? { as } : {}) });
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(201);
  return r.body;
}

describe('a slow download of the receipts', () => {
  it('leaves every other write working while the file is still being read', async () => {
    const v = (await made('/volunteers', { name: '周建国', phone: '13800001111' })).volunteer as { id: number };
    const item = (await made('/exchange/items', { name: '毛巾', pointsCost: 1, stock: 10 })).item as { id: number };
    // 99,000 receipt lines (the export's cap is 100,000), written straight into the tables: megabytes no socket buffers whole.
    const db = ts.app.db;
    const txn = (db.prepare('SELECT id FROM points_txns ORDER BY id LIMIT 1').get() as { id: number } | undefined)?.id
      ?? Number(db.prepare("INSERT INTO points_txns (community_id, kind, at, actor, memo) VALUES ('guihua', 'earn', 0, 'system', 'seed')").run().lastInsertRowid);
    db.transaction(() => {
      const receipt = db.prepare(`INSERT INTO exchange_receipts (community_id, receipt_no, volunteer_id, points, balance_after, txn_id, cashier, at)
                                  VALUES ('guihua', ?, ?, 1, 0, ?, 'system', ?)`);
      const line = db.prepare('INSERT INTO redemptions (community_id, volunteer_id, item_id, quantity, points, txn_id, at, actor, receipt_id) VALUES (\'guihua\', ?, ?, 1, 1, ?, ?, \'system\', ?)');
      for (let i = 0; i < 99_000; i++) {
        const id = Number(receipt.run(`DH-REVIEW-${i}`, v.id, txn, Date.now()).lastInsertRowid);
        line.run(v.id, item.id, txn, Date.now(), id);
      }
    })();
    // Ask for the file and read nothing of it.
    const url = new URL(`${api}/exchange/receipts/export?format=csv`);
    const req = http.get(url, { headers: { cookie: ts.admin!.cookie } });
    const res = await new Promise<http.IncomingMessage>((resolve) => req.once('response', resolve));
    expect(res.statusCode).toBe(200);
    res.pause();
    const r = await request(`${api}/volunteers`, { method: 'POST', body: { name: '吴晓梅', phone: '13800002222' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    req.destroy();
  });
});

describe('the charity bookkeeper', () => {
  it('reads a need designated a gift by its title with the resident masked, as everywhere else', async () => {
    const keeper = await loginAs(ts.url, 'charity_keeper');
    const needId = Number(ts.app.db.prepare(
      `INSERT INTO needs (community_id, code, title, category, urgency, grid_id, raised_by_kind, raised_by, resident_name, beneficiaries,
                          status, raised_at, updated_at)
       VALUES ('guihua', 'XQ-2026-880001', '王秀英老人需要助餐', 'daily_care', 'normal', 'G01', 'grid_worker', 'W01', '王秀英', 1, 'raised', 0, 0)`,
    ).run().lastInsertRowid);
    await made('/charity/donations', { kind: 'money', amountCents: 5_000, donorKind: 'person', donorName: '李建华', anonymous: true, needId }, keeper);
    const fund = await request(`${api}/charity/fund`, { as: keeper });
    expect(fund.status).toBe(200);
    const account = (fund.body.accounts as { needId: number | null; name: string | null }[]).find((a) => a.needId === needId)!;
    expect(account.name).toBeTruthy();
    expect(account.name).not.toContain('王秀英');
    expect(JSON.stringify(fund.body)).not.toContain('王秀英');
  });
});

describe('an impossible date', () => {
  it('is a 400 naming the field when issuing a certificate or listing receipts, and writes nothing', async () => {
    const v = (await made('/volunteers', { name: '郑小红', phone: '13800003333' })).volunteer as { id: number };
    const before = n('SELECT COUNT(*) AS n FROM service_certificates');
    for (const [from, to, field] of [['2026-00-01', '2026-12-01', 'from'], ['2026-01-01', '2026-12-32', 'to'], ['2026-02-30', '2026-03-01', 'from']]) {
      const r = await request(`${api}/volunteers/${v.id}/certificates`, { method: 'POST', body: { from, to } });
      expect(r.status, `${from}..${to}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(JSON.stringify(r.body.error.issues)).toContain(field);
    }
    expect(n('SELECT COUNT(*) AS n FROM service_certificates')).toBe(before);
    const list = await request(`${api}/exchange/receipts?from=2026-99-99`);
    expect(list.status).toBe(400);
  });
});

describe('a volunteer on their phone', () => {
  it('hears none of the staff desks\u2019 notes, while a coordinator\u2019s console does', async () => {
    const me = await joinAsVolunteer(ts.url, '冯雪');
    const coordinator = await loginAs(ts.url, 'coordinator');
    const phone = openSocket(ts.url, { as: me, reconnection: false });
    const desk = openSocket(ts.url, { as: coordinator, reconnection: false });
    const phoneHeard: DeskChanged[] = [];
    const deskHeard: DeskChanged[] = [];
    phone.on('desk:changed', (x) => phoneHeard.push(x));
    desk.on('desk:changed', (x) => deskHeard.push(x));
    await Promise.all([phone, desk].map((s) => new Promise<void>((resolve, reject) => (s.once('connect', () => resolve()), s.once('connect_error', reject)))));
    try {
      await made('/volunteers', { name: '蒋文', phone: '13800004444' });
      await until(() => deskHeard.length > 0, 'the coordinator\u2019s note');
      await new Promise((r) => setTimeout(r, 200));
      expect(phoneHeard).toEqual([]);
    } finally {
      phone.close();
      desk.close();
    }
  });

  it('is paid from at most 15 minutes before a kept check-in arrived, however early the phone says it scanned', async () => {
    const me = await joinAsVolunteer(ts.url, '韩梅');
    const now = Date.now();
    const a = (await made('/activities', {
      title: '楼道清扫', organiser: '社区居委会', place: '3 号楼', capacity: 5, startsAt: iso(now - 3 * 3600_000), endsAt: iso(now + 3600_000),
    })).activity as { id: number };
    const code = (await request(`${api}/activities/${a.id}/check-in-code`)).body.code as string;
    const r = await request(`${api}/me/check-in`, { method: 'POST', as: me, body: { code, at: iso(now - 3 * 3600_000) }, headers: { 'idempotency-key': 'review-backdate-1' } });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    const row = ts.app.db.prepare('SELECT checked_in_at AS at FROM activity_signups WHERE activity_id = ? AND volunteer_id = ?').get(a.id, me.volunteerId) as { at: number };
    expect(row.at).toBeGreaterThanOrEqual(now - 15 * 60_000 - 1_000);
  });
});

describe('a save that changes nothing', () => {
  it('keeps an exchange item\u2019s version and writes no journal line', async () => {
    const { id } = (await made('/exchange/items', { name: '香皂', pointsCost: 3, stock: 4 })).item as { id: number };
    const item = ((await request(`${api}/exchange/desk/items`)).body.items as { id: number; version: number }[]).find((i) => i.id === id)!;
    const lines = n('SELECT COUNT(*) AS n FROM journal');
    const r = await request(`${api}/exchange/items/${item.id}`, { method: 'PATCH', body: { version: item.version, name: '香皂' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.item.version).toBe(item.version);
    expect(n('SELECT COUNT(*) AS n FROM journal')).toBe(lines);
  });
});

describe('a volunteer\u2019s certificates', () => {
  it('are a read of someone\u2019s record in the audit log when staff list them', async () => {
    const v = (await made('/volunteers', { name: '杨帆', phone: '13800005555' })).volunteer as { id: number };
    ts.app.db.prepare(`INSERT INTO service_certificates (community_id, volunteer_id, certificate_no, period_from, period_to, hours, lines, issuer, issued_at, issued_by)
                       VALUES ('guihua', ?, 'ZYZM-2026-990001', '2026-01-01', '2026-12-01', 2, '[]', '桂花社区', 0, 'system')`).run(v.id);
    const r = await request(`${api}/volunteers/${v.id}/certificates`);
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    await until(() => n("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'records.read' AND target_type = 'volunteers' AND target_id = ?", String(v.id)) > 0, 'the audit line');
  });
});

describe('a checkout\u2019s Idempotency-Key', () => {
  it('sent again with another basket is refused with a 422 and redeems nothing more', async () => {
    const { id } = (await made('/volunteers', { name: '何丽', phone: '13800006666' })).volunteer as { id: number };
    const now = Date.now();
    const a = (await made('/activities', { title: '助老送餐', organiser: '社区', place: '食堂', capacity: 2, startsAt: iso(now - 3 * 3600_000), endsAt: iso(now + 3600_000) })).activity as { id: number };
    await made(`/activities/${a.id}/signups`, { volunteerId: id });
    await request(`${api}/activities/${a.id}/check-in`, { method: 'POST', body: { volunteerId: id, at: iso(now - 3 * 3600_000) } });
    await request(`${api}/activities/${a.id}/check-out`, { method: 'POST', body: { volunteerId: id, at: iso(now) } });
    const soap = (await made('/exchange/items', { name: '洗手液', pointsCost: 2, stock: 9 })).item as { id: number };
    const rice = (await made('/exchange/items', { name: '挂面', pointsCost: 3, stock: 9 })).item as { id: number };
    const checkout = (lines: unknown) => request(`${api}/exchange/receipts`, { method: 'POST', body: { volunteerId: id, lines }, headers: { 'idempotency-key': 'review-basket-1' } });
    expect((await checkout([{ itemId: soap.id, quantity: 1 }])).status).toBe(201);
    const receipts = n('SELECT COUNT(*) AS n FROM exchange_receipts');
    const again = await checkout([{ itemId: rice.id, quantity: 1 }]);
    expect(again.status, JSON.stringify(again.body)).toBe(422);
    expect(again.body.error.issues[0].field).toBe('Idempotency-Key');
    expect(n('SELECT COUNT(*) AS n FROM exchange_receipts')).toBe(receipts);
    expect((await checkout([{ itemId: soap.id, quantity: 1 }])).status).toBe(200);
  });
});

describe('a volunteer who has left', () => {
  it('cannot check in from their phone any more, even to an activity they signed up for (409)', async () => {
    const me = await joinAsVolunteer(ts.url, '孔丽');
    const now = Date.now();
    const a = (await made('/activities', { title: '义诊', organiser: '社区', place: '广场', capacity: 5, startsAt: iso(now - 600_000), endsAt: iso(now + 3600_000) })).activity as { id: number };
    const code = (await request(`${api}/activities/${a.id}/check-in-code`)).body.code as string;
    await made(`/activities/${a.id}/signups`, { volunteerId: me.volunteerId });
    const left = await request(`${api}/volunteers/${me.volunteerId}/status`, { method: 'POST', body: { status: 'left' } });
    expect(left.status, JSON.stringify(left.body)).toBe(200);
    const r = await request(`${api}/me/check-in`, { method: 'POST', as: me, body: { code }, headers: { 'idempotency-key': 'review-left-0001' } });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.error.code).toBe('error.volunteer_inactive');
    expect(n("SELECT COUNT(*) AS n FROM activity_signups WHERE activity_id = ? AND checked_in_at IS NOT NULL", a.id)).toBe(0);
  });
});

describe('a stock-in retried with its Idempotency-Key', () => {
  it('is booked once, and the key with another movement is refused with a 422', async () => {
    const item = (await made('/exchange/items', { name: '牙膏', pointsCost: 2, stock: 1 })).item as { id: number };
    const stockIn = (quantity: number) => request(`${api}/exchange/items/${item.id}/stock`, {
      method: 'POST', body: { quantity, reason: 'purchase', note: '采购' }, headers: { 'idempotency-key': 'review-stock-0001' },
    });
    const [a, b] = await Promise.all([stockIn(10), stockIn(10)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect((await stockIn(10)).status).toBe(200);
    expect(n('SELECT stock AS n FROM exchange_items WHERE id = ?', item.id)).toBe(11);
    expect(n('SELECT COUNT(*) AS n FROM exchange_stock_moves WHERE item_id = ?', item.id)).toBe(1);
    const other = await stockIn(5);
    expect(other.status, JSON.stringify(other.body)).toBe(422);
    expect(n('SELECT stock AS n FROM exchange_items WHERE id = ?', item.id)).toBe(11);
  });
});

describe('a check-in kept on the phone past the activity\u2019s end', () => {
  it('still counts when it was scanned during the activity, credited no later than its end', async () => {
    let clock = Date.now();
    const own = await startServer({ now: () => clock });
    try {
      const ownApi = `${own.url}/api/v1`;
      const me = await joinAsVolunteer(own.url, '祝芳');
      const scanned = clock;
      const a = await request(`${ownApi}/activities`, {
        method: 'POST', body: { title: '垃圾分类宣传', organiser: '社区', place: '广场', capacity: 5, startsAt: iso(clock - 3600_000), endsAt: iso(clock + 30 * 60_000) },
      });
      const id = a.body.activity.id as number;
      await request(`${ownApi}/activities/${id}/signups`, { method: 'POST', body: { volunteerId: me.volunteerId } });
      const code = (await request(`${ownApi}/activities/${id}/check-in-code`)).body.code as string;
      clock += 50 * 60_000; // the phone was offline; the activity ended 20 minutes ago
      const r = await request(`${ownApi}/me/check-in`, { method: 'POST', as: me, body: { code, at: iso(scanned) }, headers: { 'idempotency-key': 'review-late-0001' } });
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
      const row = own.app.db.prepare('SELECT checked_in_at AS at FROM activity_signups WHERE activity_id = ? AND volunteer_id = ?').get(id, me.volunteerId) as { at: number };
      expect(row.at).toBeLessThanOrEqual(scanned + 30 * 60_000);
    } finally {
      await own.stop();
    }
  });
});
