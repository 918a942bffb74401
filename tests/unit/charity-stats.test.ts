/**
 * The wall's charity figures (CharityViews) against what was recorded: this month's and today's
 * gifts, the fund, goods on hand, the latest gifts with donors shown only as they agreed, and
 * the 30-day series by local day.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/database.ts';
import { WriteQueue } from '../../server/db/write-queue.ts';
import { Directory } from '../../server/kernel/community.ts';
import { installDemoCommunity } from '../../server/demo/seed.ts';
import { JournalWriter, type SubjectChange } from '../../server/kernel/journal.ts';
import { Metrics } from '../../server/kernel/metrics.ts';
import type { StatsContext } from '../../server/kernel/stats-context.ts';
import { CharityService } from '../../server/charity/service.ts';
import { charityStats } from '../../server/charity/stats.ts';
import type { Principal } from '../../server/principal.ts';
import { recordDonationBody, disburseBody } from '../../shared/charity.ts';
import { isoInZone, startOfLocalDay, wallTime } from '../../shared/time.ts';
import { monthOf, monthRange } from '../../shared/volunteers.ts';

const C = 'guihua';
const TZ = 'Asia/Shanghai';
const admin: Principal = { id: 'admin', role: 'admin', communityId: C };

function statsAt(db: StatsContext['db'], metrics: Metrics, now: number): StatsContext {
  const today = startOfLocalDay(now, TZ);
  const days: number[] = [];
  for (let d = today, i = 0; i < 30; i++, d = startOfLocalDay(d - 12 * 3_600_000, TZ)) days.unshift(d);
  return {
    db, metrics, communityId: C, timeZone: TZ, now, today, monthStart: monthRange(monthOf(now, TZ), TZ).start,
    windowStart: now - 30 * 86_400_000, days, iso: (ms) => isoInZone(ms, TZ),
    day: (ms) => {
      const w = wallTime(ms, TZ);
      return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
    },
  };
}

describe('the wall’s charity figures', () => {
  it('add up what was given and paid this month, today and per day, and show donors only as they agreed', async () => {
    const db = openDatabase(':memory:');
    installDemoCommunity(new Directory(db), Date.now());
    const metrics = new Metrics(db);
    let clock = Date.parse('2026-03-18T10:00:00+08:00');
    const svc = new CharityService({
      db, queue: new WriteQueue<SubjectChange>(db, () => {}), directory: new Directory(db), metrics, journal: new JournalWriter(db), now: () => clock,
    });
    const need = Number(db.prepare(
      `INSERT INTO needs (community_id, code, title, category, urgency, raised_by_kind, raised_by, status, raised_at, updated_at)
       VALUES (?, 'XQ-1', '困难家庭生活物资', 'material_aid', 'normal', 'grid_worker', 'W01', 'raised', 0, 0)`,
    ).run(C).lastInsertRowid);
    const give = (body: Record<string, unknown>, receivedAt?: string) => svc.donations.record(admin, recordDonationBody.parse({
      donorKind: 'person', donorName: '王建国', donorPhone: '13812345678', ...body, ...(receivedAt ? { receivedAt } : {}),
    }));

    // Last month (in the 30 days, not in the month), earlier this month, today.
    await give({ kind: 'money', amountCents: 100_000 }, '2026-02-25T09:00:00+08:00');
    await give({ kind: 'money', amountCents: 50_000, publicName: '王建国' }, '2026-03-02T23:30:00+08:00');
    await give({ kind: 'goods', item: '大米', unit: '袋', quantity: 20, valueCents: 120_000, donorKind: 'enterprise', donorName: '杭州桂香食品有限公司', publicName: '桂香食品' }, '2026-03-18T08:00:00+08:00');
    await give({ kind: 'money', amountCents: 20_000, donorName: '李秀英', anonymous: true });
    for (let i = 0; i < 9; i++) await give({ kind: 'goods', item: `物资${i}`, unit: '件', quantity: i + 1, valueCents: 0, donorName: '李秀英' }, '2026-03-10T09:00:00+08:00');
    const rice = svc.goods.list(admin, { limit: 1 }).items[0]!;
    clock = Date.parse('2026-03-18T11:00:00+08:00');
    await svc.disbursements.disburse(admin, disburseBody.parse({ kind: 'money', amountCents: 30_000, needId: need, purpose: '临时救助' }));
    await svc.disbursements.disburse(admin, disburseBody.parse({ kind: 'goods', goodsId: rice.id, quantity: 5, needId: need, purpose: '送温暖' }));

    const v = charityStats(statsAt(db, metrics, clock));
    expect(v.raisedMonthCents).toBe(50_000 + 120_000 + 20_000);
    expect(v.disbursedMonthCents).toBe(30_000 + 30_000);
    expect(v.fundBalanceCents).toBe(100_000 + 50_000 + 20_000 - 30_000);
    expect(v.restrictedCents).toBe(0);
    expect(v.donationsToday).toBe(2);
    // 王建国, 桂香 and 李秀英 (anonymous or not, one donor).
    expect(v.donorsMonth).toBe(3);
    expect(v.goods).toHaveLength(8);
    expect(v.goods[0]).toEqual({ name: '大米', unit: '袋', onHand: 15 });
    expect(v.goods.map((g) => g.onHand)).toEqual([...v.goods.map((g) => g.onHand)].sort((a, b) => b - a));
    expect(v.recent).toHaveLength(10);
    expect(v.recent[0]).toEqual({ donor: '爱心人士', kind: 'money', amountCents: 20_000, item: null, quantity: null, unit: null, at: '2026-03-18T10:00:00.000+08:00' });
    expect(v.recent[1]).toMatchObject({ donor: '桂香食品', kind: 'goods', item: '大米', quantity: 20, unit: '袋', amountCents: null });
    const payload = JSON.stringify(v);
    for (const secret of ['王建国', '李秀英', '13812345678', '杭州桂香食品有限公司']) expect(payload).not.toContain(secret);

    expect(v.daily).toHaveLength(30);
    expect(v.daily.at(-1)).toEqual({ day: '2026-03-18', raisedCents: 140_000, disbursedCents: 60_000 });
    // 23:30 local on the 2nd is the 2nd, although it is the 2nd at 15:30 UTC.
    expect(v.daily.find((d) => d.day === '2026-03-02')!.raisedCents).toBe(50_000);
    expect(v.daily.find((d) => d.day === '2026-02-25')!.raisedCents).toBe(100_000);
    expect(v.daily.reduce((s, d) => s + d.raisedCents, 0)).toBe(100_000 + 50_000 + 120_000 + 20_000);
    db.close();
  });
});
