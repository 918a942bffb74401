/**
 * The points ledger and the rule that turns service hours into points: every movement has two
 * sides that sum to zero, a balance is the SUM of its entries, a volunteer's balance never goes
 * below zero, and certificate numbers never repeat.
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
import { PointsLedger, UnbalancedTransactionError, assertBalanced, type Leg } from '../../server/volunteers/ledger.ts';
import { VolunteerService } from '../../server/volunteers/service.ts';
import type { Principal } from '../../server/principal.ts';
import {
  DEFAULT_POINTS_PER_HOUR, certificateNumber, creditedHours, hoursBetween, isValidIdNumber, maskIdNumber, monthOf,
  monthRange, pointsFor,
} from '../../shared/volunteers.ts';

const HOUR = 3_600_000;
const MIN = 60_000;
const C = 'guihua';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-ledger-'));
  db = openDatabase(path.join(dir, 'cerebellum.db'));
  installDemoCommunity(new Directory(db), Date.now());
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A volunteer row and its account, written directly: the ledger is under test, not registration. */
function volunteerAccount(ledger: PointsLedger, name: string): number {
  const id = Number(db.prepare(
    "INSERT INTO volunteers (community_id, name, phone, status, registered_at, updated_at) VALUES (?, ?, '13900000000', 'active', 0, 0)",
  ).run(C, name).lastInsertRowid);
  return db.transaction(() => ledger.volunteerAccount(C, id, 0))();
}

const post = (ledger: PointsLedger, kind: 'earn' | 'redeem', legs: Leg[]) =>
  db.transaction(() => ledger.post({ communityId: C, kind, at: Date.now(), actor: 'test', legs }))();

const counts = () => ({
  txns: (db.prepare('SELECT COUNT(*) AS n FROM points_txns').get() as { n: number }).n,
  entries: (db.prepare('SELECT COUNT(*) AS n FROM points_entries').get() as { n: number }).n,
});

describe('a points transaction', () => {
  it('is refused unless it has two sides of whole, non-zero points summing to zero', () => {
    const bad: Leg[][] = [
      [{ accountId: 1, amount: 10 }],
      [{ accountId: 1, amount: -10 }, { accountId: 2, amount: 9 }],
      [{ accountId: 1, amount: 0 }, { accountId: 2, amount: 0 }],
      [{ accountId: 1, amount: -1.5 }, { accountId: 2, amount: 1.5 }],
      [{ accountId: 1, amount: -10 }, { accountId: 1, amount: 10 }],
      [],
    ];
    for (const legs of bad) expect(() => assertBalanced(legs), JSON.stringify(legs)).toThrow(UnbalancedTransactionError);
    expect(() => assertBalanced([{ accountId: 1, amount: -10 }, { accountId: 2, amount: 4 }, { accountId: 3, amount: 6 }])).not.toThrow();
  });

  it('writes nothing when it does not balance', () => {
    const ledger = new PointsLedger(db);
    const a = volunteerAccount(ledger, '张三');
    const issuance = db.transaction(() => ledger.systemAccount(C, 'issuance', 0))();
    const before = counts();
    expect(() => post(ledger, 'earn', [{ accountId: issuance, amount: -10 }, { accountId: a, amount: 11 }])).toThrow(UnbalancedTransactionError);
    expect(counts()).toEqual(before);
    expect(ledger.balance(a)).toBe(0);
  });

  it('must run inside a write, so its entries and balances commit together', () => {
    const ledger = new PointsLedger(db);
    const a = volunteerAccount(ledger, '张三');
    const issuance = db.transaction(() => ledger.systemAccount(C, 'issuance', 0))();
    expect(() => ledger.post({ communityId: C, kind: 'earn', at: 0, actor: 't', legs: [{ accountId: issuance, amount: -5 }, { accountId: a, amount: 5 }] }))
      .toThrow(/inside a write/);
  });

  it('moves points from the issuance account to the volunteer, and the books stay at zero', () => {
    const ledger = new PointsLedger(db);
    const a = volunteerAccount(ledger, '张三');
    const issuance = db.transaction(() => ledger.systemAccount(C, 'issuance', 0))();
    post(ledger, 'earn', [{ accountId: issuance, amount: -25 }, { accountId: a, amount: 25 }]);
    expect(ledger.balance(a)).toBe(25);
    expect(ledger.balance(issuance)).toBe(-25);
    expect(ledger.derivedBalance(a)).toBe(25);
    expect(ledger.verify(C)).toMatchObject({ ok: true, total: 0 });
  });
});

describe('a volunteer balance', () => {
  it('cannot be overdrawn: the redemption is refused with 409 and nothing is written', () => {
    const ledger = new PointsLedger(db);
    const a = volunteerAccount(ledger, '张三');
    const issuance = db.transaction(() => ledger.systemAccount(C, 'issuance', 0))();
    const sink = db.transaction(() => ledger.systemAccount(C, 'redemption', 0))();
    post(ledger, 'earn', [{ accountId: issuance, amount: -20 }, { accountId: a, amount: 20 }]);
    const before = counts();
    let error: unknown;
    try {
      post(ledger, 'redeem', [{ accountId: a, amount: -21 }, { accountId: sink, amount: 21 }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ status: 409, code: 'error.insufficient_points', extra: { balance: 20, needed: 21 } });
    expect(counts()).toEqual(before);
    expect(ledger.balance(a)).toBe(20);
    // Spending exactly the balance is fine.
    post(ledger, 'redeem', [{ accountId: a, amount: -20 }, { accountId: sink, amount: 20 }]);
    expect(ledger.balance(a)).toBe(0);
  });

  it('is kept from going negative by the database too, whatever the code does', () => {
    const ledger = new PointsLedger(db);
    const a = volunteerAccount(ledger, '张三');
    expect(() => db.prepare('UPDATE points_accounts SET balance = -1 WHERE id = ?').run(a)).toThrow(/CHECK constraint/);
  });

  it('equals the SUM of its entries, and every transaction sums to zero, after any run of earnings and spendings', () => {
    const op = fc.record({
      kind: fc.constantFrom('earn' as const, 'redeem' as const),
      who: fc.nat({ max: 3 }),
      points: fc.integer({ min: 1, max: 60 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        db.exec('DELETE FROM points_entries; DELETE FROM points_txns; DELETE FROM points_accounts; DELETE FROM volunteers;');
        const ledger = new PointsLedger(db);
        const accounts = ['甲', '乙', '丙', '丁'].map((n) => volunteerAccount(ledger, n));
        const issuance = db.transaction(() => ledger.systemAccount(C, 'issuance', 0))();
        const sink = db.transaction(() => ledger.systemAccount(C, 'redemption', 0))();
        const expected = accounts.map(() => 0);
        for (const o of ops) {
          const acct = accounts[o.who]!;
          if (o.kind === 'earn') {
            post(ledger, 'earn', [{ accountId: issuance, amount: -o.points }, { accountId: acct, amount: o.points }]);
            expected[o.who]! += o.points;
          } else if (expected[o.who]! >= o.points) {
            post(ledger, 'redeem', [{ accountId: acct, amount: -o.points }, { accountId: sink, amount: o.points }]);
            expected[o.who]! -= o.points;
          } else {
            expect(() => post(ledger, 'redeem', [{ accountId: acct, amount: -o.points }, { accountId: sink, amount: o.points }]))
              .toThrow(DomainError);
          }
        }
        const check = ledger.verify(C);
        expect(check).toEqual({ unbalancedTxns: [], driftedAccounts: [], overdrawnAccounts: [], total: 0, ok: true });
        accounts.forEach((acct, i) => {
          expect(ledger.balance(acct)).toBe(expected[i]);
          expect(ledger.derivedBalance(acct)).toBe(expected[i]);
        });
        const sums = db.prepare('SELECT txn_id, SUM(amount) AS s, COUNT(*) AS n FROM points_entries GROUP BY txn_id').all() as { s: number; n: number }[];
        for (const t of sums) expect(t).toMatchObject({ s: 0, n: 2 });
      }),
      { numRuns: 40 },
    );
  });

  it('lists its history newest first with the balance after each entry', () => {
    const ledger = new PointsLedger(db);
    const a = volunteerAccount(ledger, '张三');
    const issuance = db.transaction(() => ledger.systemAccount(C, 'issuance', 0))();
    const sink = db.transaction(() => ledger.systemAccount(C, 'redemption', 0))();
    post(ledger, 'earn', [{ accountId: issuance, amount: -30 }, { accountId: a, amount: 30 }]);
    post(ledger, 'redeem', [{ accountId: a, amount: -12 }, { accountId: sink, amount: 12 }]);
    post(ledger, 'earn', [{ accountId: issuance, amount: -5 }, { accountId: a, amount: 5 }]);
    const first = ledger.history(a, { limit: 2 });
    expect(first.items.map((l) => [l.kind, l.amount, l.balanceAfter])).toEqual([['earn', 5, 23], ['redeem', -12, 18]]);
    const rest = ledger.history(a, { limit: 2, cursor: first.nextCursor! });
    expect(rest.items.map((l) => [l.kind, l.amount, l.balanceAfter])).toEqual([['earn', 30, 30]]);
    expect(rest.nextCursor).toBeNull();
  });
});

describe('concurrent redemptions', () => {
  it('cannot overspend even when they share one group commit: each sees the ones before it', async () => {
    let clock = Date.parse('2026-03-10T08:00:00+08:00');
    const admin: Principal = { id: 'admin', role: 'admin', communityId: C };
    const queue = new WriteQueue<SubjectChange>(db, () => {});
    const svc = new VolunteerService({ db, queue, directory: new Directory(db), metrics: new Metrics(db), journal: new JournalWriter(db), now: () => clock });
    const v = await svc.registry.register(admin, { name: '朱大姐', phone: '13900000000', skills: [] });
    const a = await svc.activities.create(admin, {
      title: '助餐', description: '', organiser: '桂花社区', place: '食堂', capacity: 1, skillsWanted: [], pointsPerHour: 10,
      startsAt: '2026-03-10T09:00:00+08:00', endsAt: '2026-03-10T12:00:00+08:00', status: 'open',
    });
    await svc.signups.signUp(admin, a.id, { volunteerId: v.id });
    clock = Date.parse('2026-03-10T12:00:00+08:00');
    await svc.signups.checkIn(admin, a.id, { volunteerId: v.id, at: '2026-03-10T09:00:00+08:00' });
    expect((await svc.signups.checkOut(admin, a.id, { volunteerId: v.id })).balance).toBe(30);
    const item = await svc.exchange.addItem(admin, { name: '香皂', description: '', pointsCost: 10, stock: 10 });

    const commits = queue.stats.commits;
    // Twenty calls in the same tick: one transaction, one savepoint each.
    const results = await Promise.allSettled(Array.from({ length: 20 }, () =>
      svc.exchange.redeem(admin, { volunteerId: v.id, itemId: item.id, quantity: 1 })));
    expect(queue.stats.commits - commits).toBe(1);
    expect(queue.stats.largestGroup).toBe(20);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(3);
    for (const r of lost) expect(r.reason).toMatchObject({ status: 409, code: 'error.insufficient_points' });
    expect(svc.points.balance(admin, v.id)).toBe(0);
    expect(svc.exchange.item(admin, item.id).stock).toBe(7);
    expect(svc.points.verify(admin).ok).toBe(true);
  });
});

describe('who may move points', () => {
  it('refuses a wall display and a grid worker at the exchange with 403, writing nothing', async () => {
    const svc = new VolunteerService({ db, queue: new WriteQueue<SubjectChange>(db, () => {}), directory: new Directory(db), metrics: new Metrics(db), journal: new JournalWriter(db) });
    const admin: Principal = { id: 'admin', role: 'admin', communityId: C };
    const v = await svc.registry.register(admin, { name: '张三', phone: '13900000000', skills: [] });
    const before = counts();
    for (const role of ['display', 'grid_worker', 'integration'] as const) {
      await expect(svc.exchange.redeem({ id: role, role, communityId: C }, { volunteerId: v.id, itemId: 1, quantity: 1 }))
        .rejects.toMatchObject({ status: 403, code: 'error.forbidden' });
    }
    expect(() => svc.points.balance({ id: 'd', role: 'display', communityId: C }, v.id)).toThrow(/may not/);
    expect(counts()).toEqual(before);
  });

  it('keeps each community’s volunteers to itself', async () => {
    const svc = new VolunteerService({ db, queue: new WriteQueue<SubjectChange>(db, () => {}), directory: new Directory(db), metrics: new Metrics(db), journal: new JournalWriter(db) });
    const v = await svc.registry.register({ id: 'admin', role: 'admin', communityId: C }, { name: '张三', phone: '13900000000', skills: [] });
    expect(() => svc.registry.get({ id: 'admin', role: 'admin', communityId: 'elsewhere' }, v.id)).toThrow(/not found/);
  });
});

describe('the hours rule', () => {
  const t = Date.UTC(2026, 2, 10, 1, 0);

  it.each([
    [0, 0], [29 * MIN, 0], [30 * MIN, 0.5], [59 * MIN, 0.5], [HOUR, 1], [2 * HOUR + 29 * MIN, 2], [2 * HOUR + 30 * MIN, 2.5],
    [8 * HOUR + 59 * MIN, 8.5],
  ])('counts %i ms of service as %f hours (whole half hours, rounded down)', (ms, hours) => {
    expect(hoursBetween(t, t + ms)).toBe(hours);
  });

  it('counts nothing when check-out is not after check-in', () => {
    expect(hoursBetween(t, t)).toBe(0);
    expect(hoursBetween(t, t - HOUR)).toBe(0);
  });

  it('counts only the time inside the activity window', () => {
    const starts = t;
    const ends = t + 3 * HOUR;
    // in 20 min early, out 10 min before the end: 2 h 50 min → 2.5 h
    expect(creditedHours(starts - 20 * MIN, ends - 10 * MIN, starts, ends)).toBe(2.5);
    // staying an hour late earns nothing extra
    expect(creditedHours(starts, ends + HOUR, starts, ends)).toBe(3);
    // checked in after the end: nothing
    expect(creditedHours(ends + MIN, ends + HOUR, starts, ends)).toBe(0);
  });

  it('never credits more than the window, and always whole half hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5 * HOUR, max: 30 * HOUR }), fc.integer({ min: 0, max: 30 * HOUR }), fc.integer({ min: MIN, max: 24 * HOUR }),
        (inOffset, stay, length) => {
          const h = creditedHours(t + inOffset, t + inOffset + stay, t, t + length);
          expect(h).toBeGreaterThanOrEqual(0);
          expect(h * HOUR).toBeLessThanOrEqual(length);
          expect(Number.isInteger(h * 2)).toBe(true);
        }),
    );
  });
});

describe('the points rule', () => {
  it('gives 10 points an hour by default', () => {
    expect(DEFAULT_POINTS_PER_HOUR).toBe(10);
    expect(pointsFor(1)).toBe(10);
    expect(pointsFor(2.5)).toBe(25);
    expect(pointsFor(0.5)).toBe(5);
  });

  it('takes the activity rate, rounding half points down', () => {
    expect(pointsFor(2.5, 3)).toBe(7);
    expect(pointsFor(2, 15)).toBe(30);
  });

  it('gives nothing for no hours or a zero rate', () => {
    expect(pointsFor(0)).toBe(0);
    expect(pointsFor(3, 0)).toBe(0);
  });

  it('gives whole points that grow with the hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 0, max: 1000 }), (halves, rate) => {
        const p = pointsFor(halves / 2, rate);
        expect(Number.isInteger(p)).toBe(true);
        expect(p).toBeLessThanOrEqual((halves / 2) * rate);
        expect(pointsFor((halves + 1) / 2, rate)).toBeGreaterThanOrEqual(p);
      }),
    );
  });
});

describe('service certificates', () => {
  it('are numbered ZYFW-<year>-<six digits>', () => {
    expect(certificateNumber(2026, 123)).toBe('ZYFW-2026-000123');
  });

  it('never repeat, even when many volunteers check out at once', async () => {
    let clock = Date.parse('2026-12-31T15:30:00+08:00');
    const admin: Principal = { id: 'admin', role: 'admin', communityId: C };
    const svc = new VolunteerService({ db, queue: new WriteQueue<SubjectChange>(db, () => {}), directory: new Directory(db), metrics: new Metrics(db), journal: new JournalWriter(db), now: () => clock });
    const activity = await svc.activities.create(admin, {
      title: '跨年夜巡逻', description: '', organiser: '桂花社区志愿服务站', place: '桂花苑', capacity: 40, skillsWanted: [],
      startsAt: '2026-12-31T16:00:00+08:00', endsAt: '2027-01-01T01:00:00+08:00', status: 'open',
    });
    const volunteers = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      svc.registry.register(admin, { name: `志愿者${i}`, phone: '13900000000', skills: [] })));
    await Promise.all(volunteers.map((v) => svc.signups.signUp(admin, activity.id, { volunteerId: v.id })));
    clock = Date.parse('2026-12-31T16:00:00+08:00');
    await Promise.all(volunteers.map((v) => svc.signups.checkIn(admin, activity.id, { volunteerId: v.id })));
    // Half check out before midnight, half after: the year in the number turns over.
    clock = Date.parse('2026-12-31T23:59:00+08:00');
    const before = await Promise.all(volunteers.slice(0, 20).map((v) => svc.signups.checkOut(admin, activity.id, { volunteerId: v.id })));
    clock = Date.parse('2027-01-01T00:30:00+08:00');
    const after = await Promise.all(volunteers.slice(20).map((v) => svc.signups.checkOut(admin, activity.id, { volunteerId: v.id })));
    const numbers = [...before, ...after].map((r) => r.record!.certificateNo);
    expect(new Set(numbers).size).toBe(40);
    for (const n of numbers.slice(0, 20)) expect(n).toMatch(/^ZYFW-2026-\d{6}$/);
    for (const n of numbers.slice(20)) expect(n).toMatch(/^ZYFW-2027-\d{6}$/);
    expect(before[0]!.record).toMatchObject({ hours: 7.5, points: 75 });
    expect(after[0]!.record).toMatchObject({ hours: 8.5, points: 85 });
    expect(() => db.prepare('UPDATE service_records SET certificate_no = ? WHERE id = 2').run(numbers[0])).toThrow(/UNIQUE/);
    expect(svc.points.verify(admin).ok).toBe(true);
  });
});

describe('resident ID numbers and months', () => {
  it('accepts an ID number whose check character is right, and masks it', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('1101051949123100')).toBe(false);
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
    expect(maskIdNumber(null)).toBeNull();
  });

  it('finds a local month’s bounds, across the year’s end and a clock change', () => {
    expect(monthRange('2026-03', 'Asia/Shanghai')).toEqual({
      start: Date.parse('2026-03-01T00:00:00+08:00'), end: Date.parse('2026-04-01T00:00:00+08:00'),
    });
    expect(monthRange('2026-12', 'Asia/Shanghai').end).toBe(Date.parse('2027-01-01T00:00:00+08:00'));
    expect(monthRange('2026-03', 'America/New_York')).toEqual({
      start: Date.parse('2026-03-01T00:00:00-05:00'), end: Date.parse('2026-04-01T00:00:00-04:00'),
    });
    expect(monthOf(Date.parse('2026-02-28T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-03');
  });
});
