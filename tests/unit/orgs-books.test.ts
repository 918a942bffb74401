/**
 * A project's money and the wall's figures on a real SQLite file: spending never passes the
 * budget and always equals what was recorded, and the organization and social-work figures
 * count exactly the services of their window (this month, today), the projects that are
 * active and the organizations not deregistered.
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
import type { StatsContext } from '../../server/kernel/stats-context.ts';
import { DomainError } from '../../server/errors.ts';
import { OrgService } from '../../server/orgs/service.ts';
import { chargeProject } from '../../server/orgs/spending.ts';
import { orgStats, socialWorkStats } from '../../server/orgs/stats.ts';
import { systemPrincipal } from '../../server/principal.ts';
import { isoInZone, startOfLocalDay } from '../../shared/time.ts';
import { monthOf, monthRange } from '../../shared/volunteers.ts';
import type { RecordServiceBody } from '../../shared/orgs.ts';

const C = 'guihua';
const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
const p = systemPrincipal(C);

let dir: string;
let db: Db;
let clock: number;
let svc: OrgService;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-orgs-'));
  db = openDatabase(path.join(dir, 'cerebellum.db'));
  const directory = new Directory(db);
  installDemoCommunity(directory, Date.now());
  clock = Date.parse('2026-03-01T09:00:00+08:00');
  svc = new OrgService({
    db, queue: new WriteQueue<SubjectChange>(db, () => {}), directory, now: () => clock, metrics: new Metrics(db), journal: new JournalWriter(db),
  });
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const code = '91350100M000100Y43';

async function orgAndProject(budgetCents: number, funding: 'government' | 'donor' = 'government') {
  const o = await svc.organizations.register(p, { name: '乐龄养老服务中心', kind: 'social_org', registrationNo: code, contactName: '蒋桂英', contactPhone: '13900000000', categories: [] });
  const pr = await svc.projects.create(p, {
    name: '居家养老', description: '', category: 'daily_care', orgId: o.id, funding, budgetCents, startsOn: '2026-01-01', endsOn: '2026-12-31', status: 'active',
  });
  return { o, pr };
}

function context(now: number): StatsContext {
  const today = startOfLocalDay(now, TZ);
  return {
    db, metrics: new Metrics(db), communityId: C, timeZone: TZ, now, today, monthStart: monthRange(monthOf(now, TZ), TZ).start,
    windowStart: now - 30 * 24 * HOUR, days: [today], iso: (ms) => isoInZone(ms, TZ), day: () => '',
  };
}

describe('a project’s spending', () => {
  it('never passes the budget, and equals the expenses accepted, whatever arrives', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: 100_000 }),
      fc.array(fc.integer({ min: 1, max: 30_000 }), { maxLength: 25 }),
      async (budget, amounts) => {
        db.exec('DELETE FROM journal; DELETE FROM project_expenses; DELETE FROM projects; DELETE FROM organizations;');
        const { pr } = await orgAndProject(budget);
        let accepted = 0;
        const results = await Promise.allSettled(amounts.map((amountCents) => svc.projects.recordExpense(p, pr.id, { amountCents, purpose: '物资' })));
        for (const [i, r] of results.entries()) {
          if (r.status === 'fulfilled') accepted += amounts[i]!;
          else expect(r.reason).toMatchObject({ status: 409, code: 'error.over_budget' });
        }
        const row = db.prepare('SELECT spent_cents, budget_cents FROM projects WHERE id = ?').get(pr.id) as { spent_cents: number; budget_cents: number };
        const sum = (db.prepare('SELECT COALESCE(SUM(amount_cents), 0) AS n FROM project_expenses WHERE project_id = ?').get(pr.id) as { n: number }).n;
        expect(row.spent_cents).toBe(accepted);
        expect(sum).toBe(accepted);
        expect(row.spent_cents).toBeLessThanOrEqual(row.budget_cents);
      },
    ), { numRuns: 30 });
  });

  it('is charged the same way by the charity books: refused for another community’s project or a planned one', async () => {
    const { pr } = await orgAndProject(1_000, 'donor');
    const spent = db.transaction(() => chargeProject(db, C, pr.id, 400, clock))();
    expect(spent).toBe(400);
    expect(() => db.transaction(() => chargeProject(db, 'elsewhere', pr.id, 1, clock))()).toThrow(DomainError);
    expect(() => db.transaction(() => chargeProject(db, C, pr.id, 601, clock))()).toThrow(expect.objectContaining({ code: 'error.over_budget' }));
    await svc.projects.setStatus(p, pr.id, { status: 'cancelled' });
    expect(() => db.transaction(() => chargeProject(db, C, pr.id, 1, clock))()).toThrow(expect.objectContaining({ code: 'error.project_not_active' }));
    expect((db.prepare('SELECT spent_cents FROM projects WHERE id = ?').get(pr.id) as { spent_cents: number }).spent_cents).toBe(400);
  });
});

describe('the wall’s figures', () => {
  const visit = (over: Partial<RecordServiceBody>, endedAt: number, minutes = 60): RecordServiceBody => ({
    kind: 'visit', category: 'daily_care', content: '探访', beneficiaries: 2, populations: [],
    startedAt: new Date(endedAt - minutes * 60_000).toISOString(), endedAt: new Date(endedAt).toISOString(), ...over,
  });

  it('counts this month’s and today’s services in the community’s time zone, and no earlier ones', async () => {
    const { o, pr } = await orgAndProject(50_000);
    const w = await svc.socialWorkers.register(p, { name: '王丽萍', phone: '13800000000', qualification: 'assistant', grids: ['G01'] });
    clock = Date.parse('2026-03-20T18:00:00+08:00');
    // 23:30 on 28 February in Hangzhou: last month.
    await svc.services.record(p, visit({ socialWorkerId: w.id }, Date.parse('2026-02-28T23:30:00+08:00')));
    // 00:30 on 1 March in Hangzhou, still 28 February in UTC: this month (it starts at local midnight).
    await svc.services.record(p, visit({ socialWorkerId: w.id, beneficiaries: 5 }, Date.parse('2026-03-01T00:30:00+08:00'), 30));
    // Yesterday 23:59 and today 00:01.
    await svc.services.record(p, visit({ socialWorkerId: w.id, kind: 'group', beneficiaries: 12 }, Date.parse('2026-03-19T23:59:00+08:00')));
    await svc.services.record(p, visit({ socialWorkerId: w.id, kind: 'consultation', beneficiaries: 1 }, Date.parse('2026-03-20T00:01:00+08:00'), 1));
    // The organization's own, and a social worker's under its project.
    await svc.services.record(p, visit({ orgId: o.id, beneficiaries: 7 }, Date.parse('2026-03-20T10:00:00+08:00')));
    await svc.services.record(p, visit({ socialWorkerId: w.id, projectId: pr.id, beneficiaries: 3 }, Date.parse('2026-03-20T11:00:00+08:00')));

    const sw = socialWorkStats(context(clock));
    expect(sw).toEqual({
      workers: 1, active: 1, casesOpen: 0,
      servicesMonth: 4, beneficiariesMonth: 5 + 12 + 1 + 3, visitsMonth: 2, servicesToday: 2,
    });
    const org = orgStats(context(clock));
    expect(org).toMatchObject({ registered: 1, active: 1, projectsActive: 1, budgetCents: 50_000, spentCents: 0, servicesMonth: 2, beneficiariesMonth: 10 });
    expect(org.projects).toEqual([{
      code: pr.code, name: '居家养老', org: '乐龄养老服务中心', funding: 'government', budgetCents: 50_000, spentCents: 0,
      servicesDone: 1, targetServices: null, beneficiaries: 3,
    }]);
  });

  it('leaves out deregistered organizations, inactive projects and workers who left, and counts open cases', async () => {
    const { o, pr } = await orgAndProject(10_000);
    const w = await svc.socialWorkers.register(p, { name: '赵文静', phone: '13800000001', qualification: 'none', grids: [] });
    const w2 = await svc.socialWorkers.register(p, { name: '钱美华', phone: '13800000002', qualification: 'none', grids: [] });
    await svc.cases.open(p, { socialWorkerId: w.id, category: 'emotional', clientName: '孙秀英', populations: [] });
    await svc.socialWorkers.setStatus(p, w2.id, { status: 'on_leave' });
    expect(socialWorkStats(context(clock))).toMatchObject({ workers: 2, active: 1, casesOpen: 1 });
    await svc.socialWorkers.setStatus(p, w2.id, { status: 'left' });
    expect(socialWorkStats(context(clock))).toMatchObject({ workers: 1, active: 1 });

    await svc.projects.recordExpense(p, pr.id, { amountCents: 2_500, purpose: '督导' });
    expect(orgStats(context(clock))).toMatchObject({ projectsActive: 1, budgetCents: 10_000, spentCents: 2_500 });
    await svc.projects.setStatus(p, pr.id, { status: 'completed' });
    await svc.organizations.setStatus(p, o.id, { status: 'suspended' });
    expect(orgStats(context(clock))).toMatchObject({ registered: 1, active: 0, projectsActive: 0, budgetCents: 0, spentCents: 0, projects: [] });
    await svc.organizations.setStatus(p, o.id, { status: 'deregistered' });
    expect(orgStats(context(clock))).toMatchObject({ registered: 0, active: 0 });
  });
});
