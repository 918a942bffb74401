/**
 * The charity books on a real SQLite database: money given = fund + restricted + paid out, goods
 * received = on hand + given out, whatever sequence of gifts and disbursements happens; the fund
 * and designated money never go below zero; donors are named in public only as they agreed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { type Db } from '../../server/db/index.ts';
import { openDatabase } from '../../server/database.ts';
import { WriteQueue } from '../../server/db/write-queue.ts';
import { Directory } from '../../server/kernel/community.ts';
import { installDemoCommunity } from '../../server/demo/seed.ts';
import { JournalWriter, type SubjectChange } from '../../server/kernel/journal.ts';
import { Metrics } from '../../server/kernel/metrics.ts';
import { DomainError } from '../../server/errors.ts';
import { CharityService } from '../../server/charity/service.ts';
import { FundLedger } from '../../server/charity/ledger.ts';
import { UnbalancedTransactionError } from '../../server/kernel/ledger.ts';
import type { Principal, Role } from '../../server/principal.ts';
import {
  ANONYMOUS_DONOR, disburseBody, publicDonor, receiptNumber, recordDonationBody, yuan, type DisburseBody, type RecordDonationBody,
} from '../../shared/charity.ts';
import { hourOf } from '../../shared/time.ts';

const C = 'guihua';
const admin: Principal = { id: 'admin', role: 'admin', communityId: C };

/** A fresh community on its own database, with one running project and one open need (rows of other domains, written directly). */
function world(file = ':memory:') {
  const db = openDatabase(file);
  installDemoCommunity(new Directory(db), Date.now());
  const effects: SubjectChange[] = [];
  let clock = Date.parse('2026-03-18T10:00:00+08:00');
  const queue = new WriteQueue<SubjectChange>(db, (e) => effects.push(...e));
  const svc = new CharityService({
    db, queue, directory: new Directory(db), metrics: new Metrics(db), journal: new JournalWriter(db), now: () => clock,
  });
  const org = Number(db.prepare(
    `INSERT INTO organizations (community_id, name, kind, contact_name, contact_phone, status, registered_at, updated_at)
     VALUES (?, '桂花社工服务中心', 'social_org', '陈晓燕', '13900001111', 'active', 0, 0)`,
  ).run(C).lastInsertRowid);
  const project = (status = 'active', budget = 1e12, grid: string | null = 'G03') => Number(db.prepare(
    `INSERT INTO projects (community_id, code, name, category, org_id, funding, budget_cents, starts_on, ends_on, grid_id, status,
                           created_by, created_at, updated_at)
     VALUES (?, ?, '助老食堂', 'meals', ?, 'donor', ?, '2026-01-01', '2026-12-31', ?, ?, 'admin', 0, 0)`,
  ).run(C, `XM-${Math.random().toString(36).slice(2, 10)}`, org, budget, grid, status).lastInsertRowid);
  const need = (status = 'raised', beneficiaries = 3) => Number(db.prepare(
    `INSERT INTO needs (community_id, code, title, category, urgency, grid_id, raised_by_kind, raised_by, resident_name,
                        beneficiaries, status, raised_at, updated_at)
     VALUES (?, ?, '王建国家冬季缺少被褥', 'material_aid', 'normal', 'G05', 'grid_worker', 'W05', '王建国', ?, ?, 0, 0)`,
  ).run(C, `XQ-${Math.random().toString(36).slice(2, 10)}`, beneficiaries, status).lastInsertRowid);
  const n = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
  return {
    db, svc, effects, project, need, n,
    setClock: (ms: number) => (clock = ms),
    get clock() { return clock; },
  };
}

const money = (amountCents: number, over: Partial<RecordDonationBody> = {}): RecordDonationBody =>
  recordDonationBody.parse({ kind: 'money', amountCents, donorKind: 'person', donorName: '李秀英', donorPhone: '13812345678', ...over });
const goods = (item: string, unit: string, quantity: number, valueCents: number, over: Record<string, unknown> = {}): RecordDonationBody =>
  recordDonationBody.parse({ kind: 'goods', item, unit, quantity, valueCents, donorKind: 'enterprise', donorName: '杭州桂香食品有限公司', ...over });
const pay = (body: Record<string, unknown>): DisburseBody => disburseBody.parse({ kind: 'money', purpose: '临时救助', ...body });
const give = (body: Record<string, unknown>): DisburseBody => disburseBody.parse({ kind: 'goods', purpose: '冬季送温暖', ...body });

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('how a donor is shown in public', () => {
  it('shows 爱心人士 for an anonymous gift or without a consented public name, 王* for a person, an organization as it agreed', () => {
    expect(publicDonor('person', true, '王建国')).toBe(ANONYMOUS_DONOR);
    expect(publicDonor('enterprise', true, '杭州桂香食品有限公司')).toBe(ANONYMOUS_DONOR);
    expect(publicDonor('person', false, null)).toBe('爱心人士');
    expect(publicDonor('org', false, '  ')).toBe('爱心人士');
    expect(publicDonor('person', false, '王建国')).toBe('王**');
    expect(publicDonor('person', false, '欧阳娜娜')).toBe('欧阳**');
    expect(publicDonor('enterprise', false, '杭州桂香食品有限公司')).toBe('杭州桂香食品有限公司');
    expect(publicDonor('org', false, '桂语公益基金会 13812345678')).toBe('桂语公益基金会 138****5678');
  });

  it('numbers receipts by year and donation, and writes yuan as people read them', () => {
    expect(receiptNumber(2026, 123)).toBe('JZ-2026-000123');
    expect(yuan(2_000_000)).toBe('20,000');
    expect(yuan(5_000)).toBe('50');
    expect(yuan(1_250)).toBe('12.50');
    expect(yuan(5)).toBe('0.05');
  });
});

describe('the bodies', () => {
  it('name each bad field', () => {
    const r = recordDonationBody.safeParse({ kind: 'money', amountCents: 1.5, donorKind: 'alien', donorName: '', extra: 1 });
    expect(r.success).toBe(false);
    const fields = r.error!.issues.map((i) => i.path.join('.') || (i as { keys?: string[] }).keys?.join());
    expect(fields).toEqual(expect.arrayContaining(['amountCents', 'donorKind', 'donorName', 'extra']));
    expect(recordDonationBody.safeParse({ kind: 'cheque' }).error!.issues[0]!.path).toEqual(['kind']);
  });

  it('refuse a gift designated twice, a public name on an anonymous gift, a disbursement to nobody', () => {
    expect(recordDonationBody.safeParse({ kind: 'money', amountCents: 100, donorKind: 'person', donorName: '李', projectId: 1, needId: 2 })
      .error!.issues[0]!.path).toEqual(['needId']);
    expect(recordDonationBody.safeParse({ kind: 'money', amountCents: 100, donorKind: 'person', donorName: '李', anonymous: true, publicName: '李' })
      .error!.issues[0]!.path).toEqual(['publicName']);
    expect(disburseBody.safeParse({ kind: 'money', amountCents: 100, purpose: '救助' }).error!.issues[0]!.path).toEqual(['projectId']);
    expect(disburseBody.safeParse({ kind: 'goods', goodsId: 1, quantity: 0, needId: 1, purpose: '救助' }).error!.issues[0]!.path).toEqual(['quantity']);
  });
});

describe('the fund ledger', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-fund-'));
    db = openDatabase(path.join(dir, 'cerebellum.db'));
    installDemoCommunity(new Directory(db), Date.now());
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const counts = () => ({
    txns: (db.prepare('SELECT COUNT(*) AS n FROM fund_txns').get() as { n: number }).n,
    entries: (db.prepare('SELECT COUNT(*) AS n FROM fund_entries').get() as { n: number }).n,
  });
  /** A donation row for the transaction to belong to. */
  const donationRow = () => Number(db.prepare(
    `INSERT INTO donations (community_id, receipt_no, donor_kind, donor_name, anonymous, kind, amount_cents, value_cents, received_at,
                            recorded_at, recorded_by)
     VALUES (?, ?, 'person', '张三', 0, 'money', 100, 100, 0, 0, 't')`,
  ).run(C, `R-${Math.random()}`).lastInsertRowid);

  it('refuses a transaction that does not balance, and writes nothing', () => {
    const ledger = new FundLedger(db);
    const [donors, fund] = db.transaction((): [number, number] => [ledger.systemAccount(C, 'donors', 0), ledger.systemAccount(C, 'fund', 0)])();
    const donationId = donationRow();
    const before = counts();
    expect(() => db.transaction(() => ledger.post({
      communityId: C, kind: 'donation', donationId, at: 0, actor: 't', legs: [{ accountId: donors, amount: -100 }, { accountId: fund, amount: 99 }],
    }))()).toThrow(UnbalancedTransactionError);
    expect(counts()).toEqual(before);
    expect(() => ledger.post({ communityId: C, kind: 'donation', donationId, at: 0, actor: 't', legs: [{ accountId: donors, amount: -1 }, { accountId: fund, amount: 1 }] }))
      .toThrow(/inside a write/);
  });

  it('never lets the fund go below zero: 409 from the ledger, and the database refuses it too', () => {
    const ledger = new FundLedger(db);
    const [donors, fund, paid] = db.transaction((): [number, number, number] => [
      ledger.systemAccount(C, 'donors', 0), ledger.systemAccount(C, 'fund', 0), ledger.systemAccount(C, 'paid_out', 0),
    ])();
    const donationId = donationRow();
    db.transaction(() => ledger.post({
      communityId: C, kind: 'donation', donationId, at: 0, actor: 't', legs: [{ accountId: donors, amount: -100 }, { accountId: fund, amount: 100 }],
    }))();
    const needId = Number(db.prepare(
      `INSERT INTO needs (community_id, code, title, category, urgency, raised_by_kind, raised_by, status, raised_at, updated_at)
       VALUES (?, 'XQ-1', '临时救助', 'material_aid', 'normal', 'grid_worker', 'W01', 'raised', 0, 0)`,
    ).run(C).lastInsertRowid);
    const disbursementId = Number(db.prepare(
      `INSERT INTO disbursements (community_id, kind, source, amount_cents, value_cents, need_id, purpose, approved_by, at)
       VALUES (?, 'money', 'fund', 101, 101, ?, 'x', 't', 0)`,
    ).run(C, needId).lastInsertRowid);
    const before = counts();
    const e = (() => {
      try {
        db.transaction(() => ledger.post({
          communityId: C, kind: 'disbursement', disbursementId, at: 0, actor: 't',
          legs: [{ accountId: fund, amount: -101 }, { accountId: paid, amount: 101 }],
        }))();
      } catch (err) {
        return err;
      }
    })();
    expect(e).toMatchObject({ status: 409, code: 'error.insufficient_funds', extra: { balanceCents: 100, neededCents: 101 } });
    expect(counts()).toEqual(before);
    expect(() => db.prepare('UPDATE fund_accounts SET balance = -1 WHERE id = ?').run(fund)).toThrow(/CHECK constraint/);
    expect(ledger.verify(C)).toMatchObject({ ok: true, total: 0 });
  });
});

describe('a donation', () => {
  it('of money goes into the fund with a receipt; designated, into the project’s restricted money', async () => {
    const w = world();
    const project = w.project();
    const d = await w.svc.donations.record(admin, money(50_000, { publicName: '李秀英' }));
    expect(d).toMatchObject({ kind: 'money', amountCents: 50_000, valueCents: 50_000, donorName: '李秀英', donorPhone: '13812345678' });
    expect(d.receiptNo).toBe(`JZ-2026-${String(d.id).padStart(6, '0')}`);
    expect(w.svc.donations.receipt(admin, d.receiptNo)).toEqual(d);
    await w.svc.donations.record(admin, money(2_000_000, { donorKind: 'enterprise', donorName: '杭州桂香食品有限公司', projectId: project }));
    expect(w.svc.fund.summary(admin)).toMatchObject({ givenCents: 2_050_000, fundCents: 50_000, restrictedCents: 2_000_000, paidOutCents: 0 });
    expect(w.svc.fund.books(admin).ok).toBe(true);
  });

  it('may be back-dated, never dated in the future: the receipt, the metrics and the list use when it came in', async () => {
    const w = world();
    const before = w.n('SELECT COUNT(*) AS n FROM donations') + w.n('SELECT COUNT(*) AS n FROM journal');
    const future = new Date(w.clock + 3_600_000).toISOString();
    expect(await refusal(w.svc.donations.record(admin, money(100, { receivedAt: future }))))
      .toMatchObject({ status: 400, issues: [{ field: 'receivedAt', problem: 'is in the future' }] });
    expect(w.n('SELECT COUNT(*) AS n FROM donations') + w.n('SELECT COUNT(*) AS n FROM journal')).toBe(before);

    const received = Date.parse('2025-12-30T15:20:00+08:00');
    const d = await w.svc.donations.record(admin, money(30_000, { receivedAt: '2025-12-30T15:20:00+08:00' }));
    expect(d.receivedAt).toBe(received);
    expect(d.recordedAt).toBe(w.clock);
    expect(d.receiptNo).toMatch(/^JZ-2025-/);
    expect(w.n("SELECT raised_cents AS n FROM metrics_hourly WHERE subject = 'charity' AND hour = ?", hourOf(received))).toBe(30_000);
  });

  it('of goods adds to the stock of the same item and unit, and its estimated value counts as raised', async () => {
    const w = world();
    await w.svc.donations.record(admin, goods('大米', '袋', 20, 120_000));
    await w.svc.donations.record(admin, goods('大米', '袋', 5, 30_000, { donorKind: 'person', donorName: '赵六' }));
    await w.svc.donations.record(admin, goods('大米', 'kg', 50, 25_000));
    const items = w.svc.goods.list(admin, { limit: 50 }).items;
    expect(items.map((g) => [g.name, g.unit, g.onHand])).toEqual([['大米', '袋', 25], ['大米', 'kg', 50]]);
    expect(w.n("SELECT SUM(raised_cents) AS n FROM metrics_hourly WHERE subject = 'charity'")).toBe(175_000);
  });

  it('to a project or need of another community, or one that has ended, is refused and writes nothing', async () => {
    const w = world();
    const done = w.project('completed');
    const closed = w.need('closed');
    const before = w.n('SELECT COUNT(*) AS n FROM donations');
    expect(await refusal(w.svc.donations.record(admin, money(100, { projectId: 999 }))))
      .toMatchObject({ status: 400, issues: [{ field: 'projectId' }] });
    expect(await refusal(w.svc.donations.record({ ...admin, communityId: 'elsewhere' }, money(100, { needId: closed }))))
      .toMatchObject({ status: 400, issues: [{ field: 'needId' }] });
    expect(await refusal(w.svc.donations.record(admin, money(100, { projectId: done }))))
      .toMatchObject({ status: 409, code: 'error.charity_target_closed', extra: { status: 'completed' } });
    expect(await refusal(w.svc.donations.record(admin, money(100, { needId: closed }))))
      .toMatchObject({ status: 409, extra: { status: 'closed' } });
    expect(w.n('SELECT COUNT(*) AS n FROM donations')).toBe(before);
  });

  it('joins the feed with the donor as they agreed to be shown, and the journal keeps no donor details', async () => {
    const w = world();
    const project = w.project();
    await w.svc.donations.record(admin, money(50_000, { publicName: '王建国', donorName: '王建国', donorPhone: '13955556666', projectId: project }));
    await w.svc.donations.record(admin, money(10_000, { donorName: '刘小红', donorPhone: '13977778888' }));
    await w.svc.donations.record(admin, money(2_000_000, { donorKind: 'enterprise', donorName: '杭州桂香食品有限公司', publicName: '桂香食品' }));
    await w.svc.donations.record(admin, goods('口罩', '盒', 30, 75_000, { anonymous: true }));
    const feed = w.effects.filter((e): e is SubjectChange => (e as SubjectChange).kind === 'subject').map((e) => e.feed);
    expect(feed).toEqual([
      { subject: 'charity', key: 'feed.charity.donated_money', params: { donor: '王**', amount: '500' }, gridId: 'G03' },
      { subject: 'charity', key: 'feed.charity.donated_money', params: { donor: '爱心人士', amount: '100' }, gridId: null },
      { subject: 'charity', key: 'feed.charity.donated_money', params: { donor: '桂香食品', amount: '20,000' }, gridId: null },
      { subject: 'charity', key: 'feed.charity.donated_goods', params: { donor: '爱心人士', item: '口罩', quantity: 30, unit: '盒' }, gridId: null },
    ]);
    const journal = JSON.stringify(w.db.prepare('SELECT data FROM journal').all());
    for (const secret of ['王建国', '13955556666', '刘小红', '13977778888', '杭州桂香食品有限公司']) expect(journal).not.toContain(secret);
  });
});

describe('a disbursement', () => {
  it('of money pays out of the fund, adds to the project’s spending and counts the need’s people as beneficiaries', async () => {
    const w = world();
    const project = w.project();
    const need = w.need('raised', 4);
    await w.svc.donations.record(admin, money(500_000));
    const toProject = await w.svc.disbursements.disburse(admin, pay({ amountCents: 200_000, projectId: project, purpose: '助老食堂食材采购' }));
    expect(toProject).toMatchObject({ kind: 'money', source: 'fund', amountCents: 200_000, valueCents: 200_000, projectId: project });
    expect(w.n('SELECT spent_cents AS n FROM projects WHERE id = ?', project)).toBe(200_000);
    await w.svc.disbursements.disburse(admin, pay({ amountCents: 100_000, needId: need, purpose: '为王建国购置被褥' }));
    expect(w.svc.fund.summary(admin)).toMatchObject({ givenCents: 500_000, fundCents: 200_000, paidOutCents: 300_000 });
    expect(w.n("SELECT SUM(beneficiaries) AS n FROM metrics_hourly WHERE subject = 'charity' AND grid_id = 'G05'")).toBe(4);
    expect(w.n("SELECT SUM(disbursed_cents) AS n FROM metrics_hourly WHERE subject = 'charity'")).toBe(300_000);
    // The need's resident is masked in the purpose on the wall.
    const last = w.effects.at(-1) as SubjectChange;
    expect(last.feed).toEqual({ subject: 'charity', key: 'feed.charity.disbursed_money', params: { amount: '1,000', purpose: '为王**购置被褥' }, gridId: 'G05' });
  });

  it('from designated money uses only what was given for that project, and is refused past it with nothing written', async () => {
    const w = world();
    const a = w.project();
    const b = w.project();
    await w.svc.donations.record(admin, money(300_000, { projectId: a }));
    await w.svc.donations.record(admin, money(900_000));
    const before = { rows: w.n('SELECT COUNT(*) AS n FROM disbursements'), fund: w.svc.fund.summary(admin) };
    expect(await refusal(w.svc.disbursements.disburse(admin, pay({ amountCents: 100, from: 'restricted', projectId: b }))))
      .toMatchObject({ status: 409, code: 'error.insufficient_funds', extra: { balanceCents: 0, account: 'restricted' } });
    expect(await refusal(w.svc.disbursements.disburse(admin, pay({ amountCents: 300_001, from: 'restricted', projectId: a }))))
      .toMatchObject({ status: 409, code: 'error.insufficient_funds', extra: { balanceCents: 300_000 } });
    expect({ rows: w.n('SELECT COUNT(*) AS n FROM disbursements'), fund: w.svc.fund.summary(admin) }).toEqual(before);
    await w.svc.disbursements.disburse(admin, pay({ amountCents: 300_000, from: 'restricted', projectId: a }));
    expect(w.svc.fund.summary(admin)).toMatchObject({ fundCents: 900_000, restrictedCents: 0, paidOutCents: 300_000 });
  });

  it('of money to a project is refused past its budget or before it runs, as the organizations’ rule says', async () => {
    const w = world();
    const small = w.project('active', 100_000);
    const planned = w.project('planned');
    await w.svc.donations.record(admin, money(900_000));
    expect(await refusal(w.svc.disbursements.disburse(admin, pay({ amountCents: 100_001, projectId: small })))).toMatchObject({ status: 409, code: 'error.over_budget' });
    expect(await refusal(w.svc.disbursements.disburse(admin, pay({ amountCents: 100, projectId: planned })))).toMatchObject({ status: 409, code: 'error.project_not_active' });
    expect(w.svc.fund.summary(admin).fundCents).toBe(900_000);
    expect(w.svc.fund.books(admin).ok).toBe(true);
  });

  it('of goods takes them off the stock, valued at their share of the stock’s estimate, and never more than is on hand', async () => {
    const w = world();
    const need = w.need();
    await w.svc.donations.record(admin, goods('棉被', '床', 10, 150_000));
    await w.svc.donations.record(admin, goods('棉被', '床', 5, 90_000));
    const quilt = w.svc.goods.list(admin, { limit: 10 }).items[0]!;
    const b = await w.svc.disbursements.disburse(admin, give({ goodsId: quilt.id, quantity: 3, needId: need }));
    expect(b).toMatchObject({ kind: 'goods', item: '棉被', unit: '床', quantity: 3, valueCents: 48_000, source: null });
    expect(await refusal(w.svc.disbursements.disburse(admin, give({ goodsId: quilt.id, quantity: 13, needId: need }))))
      .toMatchObject({ status: 409, code: 'error.insufficient_goods', extra: { onHand: 12, needed: 13 } });
    const rest = await w.svc.disbursements.disburse(admin, give({ goodsId: quilt.id, quantity: 12, needId: need }));
    expect(rest.valueCents).toBe(240_000 - 48_000);
    expect(w.svc.goods.get(admin, quilt.id).onHand).toBe(0);
    expect(w.svc.goods.movements(admin, quilt.id, { limit: 10 }).items.map((m) => [m.delta, m.onHandAfter])).toEqual([[-12, 0], [-3, 12], [5, 15], [10, 10]]);
    expect(await refusal(w.svc.disbursements.disburse(admin, give({ goodsId: 999, quantity: 1, needId: need })))).toMatchObject({ status: 400, issues: [{ field: 'goodsId' }] });
  });
});

describe('who may do what', () => {
  it('lets only the office record gifts and pay money; a display or an integration may not even look', async () => {
    const w = world();
    const need = w.need();
    await w.svc.donations.record(admin, money(100_000));
    await w.svc.donations.record(admin, goods('大米', '袋', 10, 60_000));
    const rice = w.svc.goods.list(admin, { limit: 1 }).items[0]!;
    const as = (role: Role): Principal => ({ id: role, role, communityId: C });
    for (const role of ['display', 'integration', 'grid_worker', 'dispatcher'] as const) {
      expect(await refusal(w.svc.donations.record(as(role), money(100)))).toMatchObject({ status: 403 });
    }
    for (const role of ['social_worker', 'grid_worker', 'display'] as const) {
      expect(await refusal(w.svc.disbursements.disburse(as(role), pay({ amountCents: 100, needId: need })))).toMatchObject({ status: 403 });
    }
    // A social worker hands out goods; a coordinator pays.
    await w.svc.disbursements.disburse(as('social_worker'), give({ goodsId: rice.id, quantity: 1, needId: need }));
    await w.svc.disbursements.disburse(as('coordinator'), pay({ amountCents: 100, needId: need }));
    for (const role of ['display', 'integration'] as const) {
      expect(() => w.svc.fund.books(as(role))).toThrow(/may not/);
      expect(() => w.svc.donations.list(as(role), { limit: 10 })).toThrow(/may not/);
    }
    // A grid worker sees the stock, not the donors.
    expect(w.svc.goods.list(as('grid_worker'), { limit: 10 }).items).toHaveLength(1);
    expect(() => w.svc.donations.list(as('grid_worker'), { limit: 10 })).toThrow(/may not/);
  });
});

// ---- the books, over random histories ---------------------------------------------------------

type Op =
  | { op: 'money'; cents: number; to: 'none' | 'project' | 'need' }
  | { op: 'goods'; item: 0 | 1; quantity: number; valueCents: number }
  | { op: 'pay'; cents: number; from: 'fund' | 'restricted'; to: 'project' | 'need' }
  | { op: 'give'; item: 0 | 1; quantity: number; to: 'project' | 'need' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('money' as const), cents: fc.integer({ min: 1, max: 200_000 }), to: fc.constantFrom('none', 'project', 'need') }),
  fc.record({ op: fc.constant('goods' as const), item: fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>, quantity: fc.integer({ min: 1, max: 50 }), valueCents: fc.integer({ min: 0, max: 100_000 }) }),
  fc.record({ op: fc.constant('pay' as const), cents: fc.integer({ min: 1, max: 200_000 }), from: fc.constantFrom('fund', 'restricted'), to: fc.constantFrom('project', 'need') }),
  fc.record({ op: fc.constant('give' as const), item: fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>, quantity: fc.integer({ min: 1, max: 60 }), to: fc.constantFrom('project', 'need') }),
);

const ITEMS = [['大米', '袋'], ['口罩', '盒']] as const;

describe('the books', () => {
  it('balance after any sequence of gifts and disbursements, refusing exactly the ones that would overdraw', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
      const w = world();
      try {
        const ids = { project: w.project(), need: w.need() };
        const model = { given: 0, fund: 0, restricted: { project: 0, need: 0 }, paid: 0, paidToProject: 0, goods: [0, 0], received: [0, 0], out: [0, 0] };
        const goodsIds: (number | null)[] = [null, null];
        for (const o of ops) {
          if (o.op === 'money') {
            await w.svc.donations.record(admin, money(o.cents, o.to === 'none' ? {} : { [`${o.to}Id`]: ids[o.to] }));
            model.given += o.cents;
            if (o.to === 'none') model.fund += o.cents;
            else model.restricted[o.to] += o.cents;
          } else if (o.op === 'goods') {
            const d = await w.svc.donations.record(admin, goods(ITEMS[o.item][0], ITEMS[o.item][1], o.quantity, o.valueCents));
            goodsIds[o.item] = d.goodsId;
            model.goods[o.item]! += o.quantity;
            model.received[o.item]! += o.quantity;
          } else if (o.op === 'pay') {
            const available = o.from === 'fund' ? model.fund : model.restricted[o.to];
            const p = w.svc.disbursements.disburse(admin, pay({ amountCents: o.cents, from: o.from, [`${o.to}Id`]: ids[o.to] }));
            if (available >= o.cents) {
              await p;
              if (o.from === 'fund') model.fund -= o.cents;
              else model.restricted[o.to] -= o.cents;
              model.paid += o.cents;
              if (o.to === 'project') model.paidToProject += o.cents;
            } else {
              expect(await refusal(p)).toMatchObject({ status: 409, code: 'error.insufficient_funds', extra: { balanceCents: available } });
            }
          } else {
            const goodsId = goodsIds[o.item];
            if (goodsId === null) continue;
            const p = w.svc.disbursements.disburse(admin, give({ goodsId, quantity: o.quantity, [`${o.to}Id`]: ids[o.to] }));
            if (model.goods[o.item]! >= o.quantity) {
              await p;
              model.goods[o.item]! -= o.quantity;
              model.out[o.item]! += o.quantity;
            } else {
              expect(await refusal(p)).toMatchObject({ status: 409, code: 'error.insufficient_goods' });
            }
          }
        }
        const books = w.svc.fund.books(admin);
        expect(books.ok).toBe(true);
        expect(books.money).toEqual({
          givenCents: model.given, fundCents: model.fund, restrictedCents: model.restricted.project + model.restricted.need,
          paidOutCents: model.paid, balanced: true,
        });
        expect(books.money.givenCents).toBe(books.money.fundCents + books.money.restrictedCents + books.money.paidOutCents);
        expect(books.ledger).toMatchObject({ unbalancedTxns: [], driftedAccounts: [], overdrawnAccounts: [], total: 0 });
        for (const i of [0, 1] as const) {
          const g = books.goods.find((x) => x.goodsId === goodsIds[i]);
          if (goodsIds[i] === null) continue;
          expect(g).toMatchObject({ received: model.received[i], onHand: model.goods[i], givenOut: model.out[i], balanced: true });
        }
        expect(w.n('SELECT spent_cents AS n FROM projects WHERE id = ?', ids.project)).toBe(model.paidToProject);
      } finally {
        w.db.close();
      }
    }), { numRuns: 60 });
  }, 60_000);

  it('notice a drifted balance or stock, so a treasurer would see it', async () => {
    const w = world();
    await w.svc.donations.record(admin, money(10_000));
    await w.svc.donations.record(admin, goods('牛奶', '箱', 10, 50_000));
    expect(w.svc.fund.books(admin).ok).toBe(true);
    w.db.prepare("UPDATE fund_accounts SET balance = balance + 1 WHERE kind = 'fund'").run();
    w.db.prepare('UPDATE goods SET on_hand = on_hand - 1').run();
    const books = w.svc.fund.books(admin);
    expect(books.ok).toBe(false);
    expect(books.money.balanced).toBe(false);
    expect(books.ledger.driftedAccounts).toHaveLength(1);
    expect(books.goods[0]).toMatchObject({ received: 10, onHand: 9, balanced: false });
  });
});

describe('what is written down', () => {
  it('reads a gift and a disbursement back with every field they were recorded with', async () => {
    const w = world();
    const project = w.project();
    const need = w.need();
    const received = Date.parse('2026-03-02T09:30:00+08:00');
    const gift = await w.svc.donations.record(admin, money(66_600, {
      donorKind: 'org', donorName: '桂语公益基金会', donorPhone: '13955550000', publicName: '桂语基金', needId: need, note: '冬衣专项',
      receivedAt: '2026-03-02T09:30:00+08:00',
    }));
    expect(w.svc.donations.get(admin, gift.id)).toEqual({
      id: gift.id, communityId: C, receiptNo: receiptNumber(2026, gift.id), donorKind: 'org', donorName: '桂语公益基金会',
      donorPhone: '13955550000', anonymous: false, publicName: '桂语基金', kind: 'money', amountCents: 66_600, goodsId: null, item: null,
      unit: null, quantity: null, valueCents: 66_600, projectId: null, needId: need, note: '冬衣专项', receivedAt: received,
      recordedAt: w.clock, recordedBy: 'admin',
    });
    const rice = await w.svc.donations.record(admin, goods('大米', '袋', 7, 35_000, { anonymous: true, projectId: project, note: '门口放下就走' }));
    expect(w.svc.donations.get(admin, rice.id)).toMatchObject({
      donorKind: 'enterprise', anonymous: true, publicName: null, kind: 'goods', amountCents: null, goodsId: rice.goodsId, item: '大米',
      unit: '袋', quantity: 7, valueCents: 35_000, projectId: project, needId: null, note: '门口放下就走', receivedAt: w.clock,
    });

    await w.svc.donations.record(admin, money(900_000));
    const paid = await w.svc.disbursements.disburse(admin, pay({ amountCents: 12_300, projectId: project, purpose: '助老食堂食材采购' }));
    expect(w.svc.disbursements.get(admin, paid.id)).toEqual({
      id: paid.id, communityId: C, kind: 'money', source: 'fund', amountCents: 12_300, goodsId: null, item: null, unit: null, quantity: null,
      valueCents: 12_300, projectId: project, needId: null, purpose: '助老食堂食材采购', approvedBy: 'admin', at: w.clock,
    });
    const given = await w.svc.disbursements.disburse(admin, give({ goodsId: rice.goodsId, quantity: 2, needId: need, purpose: '送米上门' }));
    expect(w.svc.disbursements.get(admin, given.id)).toEqual({
      id: given.id, communityId: C, kind: 'goods', source: null, amountCents: null, goodsId: rice.goodsId, item: '大米', unit: '袋',
      quantity: 2, valueCents: 10_000, projectId: null, needId: need, purpose: '送米上门', approvedBy: 'admin', at: w.clock,
    });
  });
});
