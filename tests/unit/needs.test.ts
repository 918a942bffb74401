/**
 * The needs domain below HTTP: the lifecycle table, the due times, the schemas, and the service
 * and stats over a real SQLite file — codes that never repeat, roles that are checked, the
 * linkage flow and the daily figures exactly as the rows say.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Db } from '../../server/db/index.ts';
import { openDatabase } from '../../server/database.ts';
import { WriteQueue } from '../../server/db/write-queue.ts';
import { Directory } from '../../server/kernel/community.ts';
import { installDemoCommunity } from '../../server/demo/seed.ts';
import { JournalWriter, type SubjectChange } from '../../server/kernel/journal.ts';
import { Metrics } from '../../server/kernel/metrics.ts';
import { DomainError } from '../../server/errors.ts';
import { NeedService } from '../../server/needs/service.ts';
import { linkageFlow, needStats } from '../../server/needs/stats.ts';
import { proposeMatches } from '../../server/needs/matching.ts';
import type { StatsContext } from '../../server/kernel/stats-context.ts';
import type { Principal, Role } from '../../server/principal.ts';
import { CATALOGUES, type MessageKey } from '../../shared/i18n.ts';
import {
  LINKAGE_OUTCOMES, NEED_ACTIONS, NEED_DUE_HOURS, NEED_STATUSES, NEED_TRANSITIONS, NEED_URGENCIES, OPEN_NEED_STATUSES, RESOURCE_STATUSES,
  PROVIDER_KINDS, createResourceBody, needCode, needDueAt, raiseNeedBody, type NeedAction, type NeedStatus,
} from '../../shared/needs.ts';
import { SUBJECTS } from '../../shared/subjects.ts';
import { DAY_MS, isoInZone, startOfLocalDay, wallTime } from '../../shared/time.ts';

const HOUR = 3_600_000;
const TZ = 'Asia/Shanghai';
const C = 'guihua';

describe('the need lifecycle', () => {
  const after: Record<NeedAction, NeedStatus | null> = {
    propose: null, accept: 'matched', decline: null, start: 'in_progress', meet: 'met', rate: 'rated', close: 'closed',
  };

  it('runs raised → matched → in_progress → met → rated, one action at a time', () => {
    let s: NeedStatus = 'raised';
    const path: NeedStatus[] = [s];
    for (const a of ['accept', 'start', 'meet', 'rate'] as const) {
      expect(NEED_TRANSITIONS[s]).toContain(a);
      s = after[a]!;
      path.push(s);
    }
    expect(path).toEqual(['raised', 'matched', 'in_progress', 'met', 'rated']);
  });

  it('closes from every open state and from no other; rated and closed are final', () => {
    for (const s of NEED_STATUSES) {
      expect(NEED_TRANSITIONS[s].includes('close'), s).toBe((OPEN_NEED_STATUSES as readonly string[]).includes(s));
    }
    expect(NEED_TRANSITIONS.rated).toEqual([]);
    expect(NEED_TRANSITIONS.closed).toEqual([]);
  });

  it('matches only while a need is raised, and rates only once it is met', () => {
    for (const s of NEED_STATUSES) {
      for (const a of ['propose', 'accept', 'decline'] as const) expect(NEED_TRANSITIONS[s].includes(a), `${s} ${a}`).toBe(s === 'raised');
      expect(NEED_TRANSITIONS[s].includes('rate'), s).toBe(s === 'met');
    }
  });

  it('gives less time to a more urgent need', () => {
    expect(NEED_DUE_HOURS).toEqual({ urgent: 24, high: 72, normal: 168, low: 336 });
    const at = Date.parse('2026-03-10T10:00:00+08:00');
    const dues = [...NEED_URGENCIES].reverse().map((u) => needDueAt(at, u));
    for (let i = 1; i < dues.length; i++) expect(dues[i]).toBeGreaterThan(dues[i - 1]!);
    expect(needDueAt(at, 'urgent') - at).toBe(24 * HOUR);
  });

  it('has a label in both languages for every status, action, urgency, provider, outcome, subject and matching reason', () => {
    const reasons = new Set<string>();
    const now = Date.parse('2026-03-10T10:00:00+08:00');
    for (const r of proposeMatches(
      { category: 'meals', skills: ['理发'], gridId: 'G03', dueAt: now + HOUR },
      [
        { id: 1, category: 'meals', skills: ['理发'], gridId: 'G03', availability: null, capacity: 2, inUse: 1, status: 'available' },
        { id: 2, category: 'daily_care', skills: [], gridId: null, availability: { days: [2], from: '18:00', to: '20:00' }, capacity: 1, inUse: 0, status: 'available' },
        { id: 3, category: 'meals', skills: [], gridId: 'G04', availability: { days: [7], from: '09:00', to: '10:00' }, capacity: 1, inUse: 0, status: 'available' },
        { id: 4, category: 'meals', skills: [], gridId: 'G10', availability: null, capacity: 1, inUse: 0, status: 'available' },
      ],
      { now, timeZone: TZ, neighbours: new Map([['G03', new Set(['G04'])]]) },
    )) for (const x of r.reasons) reasons.add(x.key);
    expect(reasons.size).toBeGreaterThanOrEqual(10);
    const keys = [
      ...NEED_STATUSES.map((s) => `need.status.${s}`), ...NEED_ACTIONS.map((a) => `need.action.${a}`),
      ...NEED_URGENCIES.map((u) => `need.urgency.${u}`), ...PROVIDER_KINDS.map((k) => `resource.provider.${k}`),
      ...RESOURCE_STATUSES.map((s) => `resource.status.${s}`), ...LINKAGE_OUTCOMES.map((o) => `linkage.outcome.${o}`),
      ...SUBJECTS.map((s) => `linkage.subject.${s}`), ...reasons,
    ];
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const k of keys) expect(CATALOGUES[locale][k as MessageKey], `${locale} ${k}`).toBeTruthy();
    }
  });
});

describe('the schemas', () => {
  it('fills a need’s defaults and drops repeated skills and populations', () => {
    const v = raiseNeedBody.parse({ title: ' 助餐 ', category: 'meals', raisedByKind: 'resident', skills: ['送餐', '送餐'], populations: ['disabled', 'disabled'] });
    expect(v).toMatchObject({ title: '助餐', urgency: 'normal', beneficiaries: 1, skills: ['送餐'], populations: ['disabled'], description: '' });
  });

  it('asks a provider with a record for its id and a donor or the community for its name', () => {
    const base = { title: '助餐', category: 'meals' };
    expect(createResourceBody.safeParse({ ...base, providerKind: 'org', providerId: 1 }).success).toBe(true);
    expect(createResourceBody.safeParse({ ...base, providerKind: 'community', providerName: '社区食堂' }).success).toBe(true);
    expect(createResourceBody.safeParse({ ...base, providerKind: 'team', providerName: '党员先锋队' }).success).toBe(false);
    expect(createResourceBody.safeParse({ ...base, providerKind: 'donor', providerId: 2, providerName: '王先生' }).success).toBe(false);
  });

  it('keeps an availability’s days sorted and once each, and its window the right way round', () => {
    const v = createResourceBody.parse({ providerKind: 'community', providerName: '社区', title: '助餐', category: 'meals', availability: { days: [5, 1, 5, 3], from: '08:30', to: '17:00' } });
    expect(v.availability).toEqual({ days: [1, 3, 5], from: '08:30', to: '17:00' });
    expect(createResourceBody.safeParse({ providerKind: 'community', providerName: '社区', title: '助餐', category: 'meals', availability: { days: [1], from: '17:00', to: '08:30' } }).success).toBe(false);
  });

  it('numbers a need XQ-<year>-<four digits or more>', () => {
    expect(needCode(2026, 1)).toBe('XQ-2026-0001');
    expect(needCode(2026, 12_345)).toBe('XQ-2026-12345');
  });
});

// ---- over a real SQLite file --------------------------------------------------------------------

let dir: string;
let db: Db;
let clock: number;
let svc: NeedService;
const as = (role: Role, extra: Partial<Principal> = {}): Principal => ({ id: `test:${role}`, role, communityId: C, ...extra });
const admin = as('admin');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-needs-'));
  db = openDatabase(path.join(dir, 'cerebellum.db'));
  installDemoCommunity(new Directory(db), Date.now());
  clock = Date.parse('2026-03-10T10:00:00+08:00');
  const queue = new WriteQueue<SubjectChange>(db, () => {});
  svc = new NeedService({ db, queue, directory: new Directory(db), metrics: new Metrics(db), journal: new JournalWriter(db), now: () => clock });
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const raise = (over: Partial<Parameters<NeedService['lifecycle']['raise']>[1]> = {}, p: Principal = admin) =>
  svc.lifecycle.raise(p, raiseNeedBody.parse({ title: '助餐', category: 'meals', raisedByKind: 'resident', gridId: 'G03', ...over }));

async function forbidden(f: () => unknown) {
  await expect((async () => f())()).rejects.toMatchObject({ status: 403, code: 'error.forbidden' });
}

describe('need codes', () => {
  it('numbers needs per year of raising, and keeps counting past 9999 without repeating', async () => {
    expect((await raise({ raisedAt: '2025-12-31T23:30:00+08:00' })).code).toBe('XQ-2025-0001');
    expect((await raise()).code).toBe('XQ-2026-0001');
    expect((await raise()).code).toBe('XQ-2026-0002');
    // An old record entered on 1 January is numbered in the year it was raised.
    expect((await raise({ raisedAt: '2026-01-01T00:10:00+08:00' })).code).toBe('XQ-2026-0003');
    db.prepare("UPDATE needs SET code = 'XQ-2026-9999' WHERE code = 'XQ-2026-0003'").run();
    expect((await raise()).code).toBe('XQ-2026-10000');
    expect((await raise()).code).toBe('XQ-2026-10001');
  });

  it('refuses a need raised more than 90 days ago', async () => {
    await expect(raise({ raisedAt: isoInZone(clock - 91 * DAY_MS, TZ) })).rejects.toMatchObject({
      status: 400, issues: [{ field: 'raisedAt', problem: 'is more than 90 days ago' }],
    });
    expect((db.prepare('SELECT COUNT(*) AS n FROM needs').get() as { n: number }).n).toBe(0);
  });
});

describe('what the lists keep', () => {
  it('reads a need and a resource back with every field they were raised and added with', async () => {
    const raisedAt = clock - 2 * HOUR;
    const n = await raise({
      title: '王奶奶助浴', description: '每周一次，需两人', category: 'daily_care', skills: ['助浴', '护理'], urgency: 'urgent',
      address: '桂花苑3幢2单元', raisedByKind: 'grid_worker', residentName: '王秀英', residentPhone: '13912345678',
      populations: ['elderly_alone', 'disabled'], beneficiaries: 2, raisedAt: isoInZone(raisedAt, TZ),
    });
    expect(svc.lifecycle.get(admin, n.id)).toMatchObject({
      title: '王奶奶助浴', description: '每周一次，需两人', category: 'daily_care', skills: ['助浴', '护理'], urgency: 'urgent',
      gridId: 'G03', address: '桂花苑3幢2单元', raisedByKind: 'grid_worker', raisedBy: admin.id, residentName: '王秀英',
      residentPhone: '13912345678', populations: ['elderly_alone', 'disabled'], beneficiaries: 2, status: 'raised',
      raisedAt, updatedAt: raisedAt, dueAt: n.dueAt,
    });
    expect(n.dueAt).toBeGreaterThan(raisedAt);
    const r = await svc.resources.create(admin, createResourceBody.parse({
      providerKind: 'donor', providerName: '杭州桂香餐饮有限公司', title: '爱心午餐', description: '工作日午餐十份', category: 'meals',
      skills: ['配送'], gridId: 'G04', availability: { days: [1, 2, 3, 4, 5], from: '11:00', to: '13:00' }, capacity: 10,
    }));
    expect(svc.resources.get(admin, r.id)).toMatchObject({
      providerKind: 'donor', providerId: null, providerName: '杭州桂香餐饮有限公司', title: '爱心午餐', description: '工作日午餐十份',
      category: 'meals', skills: ['配送'], gridId: 'G04', availability: { days: [1, 2, 3, 4, 5], from: '11:00', to: '13:00' },
      capacity: 10, inUse: 0, status: 'available', createdAt: clock, updatedAt: clock,
    });
  });
});

describe('roles', () => {
  it('lets no display or integration raise, read or match needs', async () => {
    for (const role of ['display', 'integration'] as const) {
      await forbidden(() => raise({}, as(role)));
      await forbidden(() => svc.lifecycle.list(as(role), { limit: 10 }));
      await forbidden(() => svc.resources.list(as(role), { limit: 10 }));
    }
  });

  it('lets a grid worker raise needs in their grids, start and meet them, but not match or close them', async () => {
    const gw = as('grid_worker', { id: 'W03', grids: ['G03'] });
    const need = await raise({}, gw);
    expect(need.raisedBy).toBe('W03');
    await forbidden(() => raise({ gridId: 'G04' }, gw));
    await forbidden(() => svc.matches.propose(gw, need.id, { limit: 5 }));
    await forbidden(() => svc.lifecycle.close(gw, need.id, { reason: 'withdrawn', note: '撤回' }));
    await forbidden(() => svc.resources.create(gw, createResourceBody.parse({ providerKind: 'community', providerName: '社区', title: '助餐', category: 'meals' })));
    const r = await svc.resources.create(admin, createResourceBody.parse({ providerKind: 'community', providerName: '社区食堂', title: '助餐', category: 'meals' }));
    const [m] = await svc.matches.propose(admin, need.id, { limit: 5 });
    await svc.matches.accept(admin, need.id, m!.id, { funding: 'self', budgetCents: 0 });
    await svc.lifecycle.start(gw, need.id, {});
    expect((await svc.lifecycle.meet(gw, need.id, {})).status).toBe('met');
    expect((await svc.lifecycle.rate(gw, need.id, { satisfaction: 5 })).status).toBe('rated');
    expect(svc.resources.get(admin, r.id).inUse).toBe(0);
  });

  it('refuses with the status and what it allows, and changes nothing', async () => {
    const need = await raise();
    const before = db.prepare('SELECT * FROM needs').all();
    const err = await svc.lifecycle.meet(admin, need.id, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ status: 409, code: 'error.transition_not_allowed', extra: { status: 'raised', allowed: ['propose', 'accept', 'decline', 'close'] } });
    expect(db.prepare('SELECT * FROM needs').all()).toEqual(before);
  });
});

describe('the wall’s figures', () => {
  function ctx(now: number): StatsContext {
    const today = startOfLocalDay(now, TZ);
    const days: number[] = [];
    for (let d = today, i = 0; i < 30; i++, d = startOfLocalDay(d - 12 * HOUR, TZ)) days.unshift(d);
    return {
      db, metrics: new Metrics(db), communityId: C, timeZone: TZ, now, today, monthStart: today, windowStart: now - 30 * DAY_MS, days,
      iso: (ms) => isoInZone(ms, TZ),
      day: (ms) => { const w = wallTime(ms, TZ); return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`; },
    };
  }

  /** A need row as it would stand after its life so far. */
  function need(category: string, status: NeedStatus, metBy: string | null, raisedAt: number, metAt: number | null = null) {
    const id = (db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM needs').get() as { n: number }).n;
    db.prepare(
      `INSERT INTO needs (community_id, code, title, category, urgency, raised_by_kind, raised_by, status, met_by, due_at, raised_at, met_at, updated_at)
       VALUES (?, ?, '需求', ?, 'urgent', 'resident', 'test', ?, ?, ?, ?, ?, ?)`,
    ).run(C, needCode(2026, id), category, status, metBy, raisedAt + 24 * HOUR, raisedAt, metAt, raisedAt);
  }

  it('draws the linkage flow exactly: categories to subjects to outcomes, unmatched needs straight to their outcome', () => {
    const now = clock;
    const t = now - 2 * DAY_MS;
    need('meals', 'rated', 'volunteer', t, t + 5 * HOUR);
    need('meals', 'met', 'volunteer', t, t + 3 * HOUR);
    need('meals', 'in_progress', 'org', t);
    need('meals', 'raised', null, t);
    need('repair', 'closed', null, t);
    need('repair', 'closed', 'volunteer', t);
    need('repair', 'matched', 'community', t);
    need('legal', 'rated', 'social_worker', now - 40 * DAY_MS, now - 39 * DAY_MS); // outside the window
    const flow = linkageFlow(ctx(now));
    expect(flow.links).toEqual([
      { source: 'need:meals', target: 'subject:org', value: 1 },
      { source: 'need:meals', target: 'subject:volunteer', value: 2 },
      { source: 'need:meals', target: 'outcome:waiting', value: 1 },
      { source: 'need:repair', target: 'subject:community', value: 1 },
      { source: 'need:repair', target: 'subject:volunteer', value: 1 },
      { source: 'need:repair', target: 'outcome:unmet', value: 1 },
      { source: 'subject:community', target: 'outcome:in_progress', value: 1 },
      { source: 'subject:org', target: 'outcome:in_progress', value: 1 },
      { source: 'subject:volunteer', target: 'outcome:met', value: 2 },
      { source: 'subject:volunteer', target: 'outcome:unmet', value: 1 },
    ]);
    expect(flow.nodes.map((n) => n.id)).toEqual([
      'need:meals', 'need:repair', 'subject:community', 'subject:org', 'subject:volunteer',
      'outcome:met', 'outcome:in_progress', 'outcome:unmet', 'outcome:waiting',
    ]);
  });

  it('counts a need on the local day it was raised, not the UTC one, and averages response in hours', () => {
    const now = clock; // 10:00 on 10 March in Hangzhou
    const lateLastNight = Date.parse('2026-03-09T23:30:00+08:00'); // 15:30 UTC on the 9th
    const earlyToday = Date.parse('2026-03-10T00:30:00+08:00'); // 16:30 UTC on the 9th
    need('meals', 'met', 'volunteer', lateLastNight, earlyToday + 6 * HOUR);
    need('meals', 'raised', null, earlyToday);
    need('health', 'in_progress', 'org', now - 2 * DAY_MS);
    const v = needStats(ctx(now));
    const day = (d: string) => v.daily.find((x) => x.day === d)!;
    expect(day('2026-03-09')).toEqual({ day: '2026-03-09', raised: 1, met: 0 });
    expect(day('2026-03-10')).toEqual({ day: '2026-03-10', raised: 1, met: 1 });
    expect(v).toMatchObject({ raisedToday: 1, metToday: 1, open: 2, avgResponseHours: 7 });
    // Due 24 h after raising (urgent): the one raised two days ago is overdue, today's is not.
    expect(v.overdue).toBe(1);
    expect(v.byCategory.find((c) => c.code === 'meals')).toEqual({ code: 'meals', open: 1, met: 1 });
    expect(v.byCategory.find((c) => c.code === 'health')).toEqual({ code: 'health', open: 1, met: 0 });
  });

  it('says nothing about response time when nothing was met', () => {
    need('meals', 'raised', null, clock - HOUR);
    expect(needStats(ctx(clock)).avgResponseHours).toBeNull();
    expect(linkageFlow(ctx(clock)).links).toEqual([{ source: 'need:meals', target: 'outcome:waiting', value: 1 }]);
  });
});
