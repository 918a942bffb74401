/**
 * Organizations, projects, social workers, cases and services over real HTTP and a real SQLite
 * file: registration with a checked 统一社会信用代码, project numbers and status transitions,
 * budgets that never overspend, cases whose client never reaches a feed line, and services that
 * move the metrics and the wall's figures in the same write — and what must never happen: a
 * write on bad input, a 500, a half-written change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, send as sendAs, startServer, type TestServer } from '../support/server.ts';
import { creditCodeCheck } from '../../shared/orgs.ts';
import { systemPrincipal } from '../../server/principal.ts';
import { SMALL_COUNT_MIN } from '../../shared/disclosure.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

let ts: TestServer;
let api: string;
/** The server's clock, moved by the tests: a Tuesday morning in Hangzhou. */
let clock = Date.parse('2026-03-10T10:00:00+08:00');

beforeAll(async () => {
  ts = await startServer({ now: () => clock });
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const n = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

/** A valid credit code from 17 characters (the check character appended). */
const code = (first17: string) => first17 + creditCodeCheck(first17)!;
let orgSeq = 0;
const nextCode = () => code(`5233010${String(++orgSeq).padStart(2, '0')}MJ${String(orgSeq).padStart(6, '0')}`.slice(0, 17));

async function send(method: string, path: string, body?: unknown) {
  return sendAs(method, `${api}${path}`, body);
}

async function ok(path: string, body: unknown, status = 200) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

async function org(over: Record<string, unknown> = {}) {
  return (await ok('/orgs', {
    name: `桂花社工服务中心${++orgSeq}`, kind: 'social_org', registrationNo: nextCode(), contactName: '陈立群',
    contactPhone: '0571-88001234', categories: ['daily_care', 'emotional'], ...over,
  }, 201)).organization as { id: number; name: string; status: string };
}

let phoneSeq = 0;
async function worker(name = '王丽萍', over: Record<string, unknown> = {}) {
  return (await ok('/social-workers', {
    name, phone: `1380000${String(++phoneSeq).padStart(4, '0')}`, qualification: 'social_worker', grids: ['G03'], ...over,
  }, 201)).socialWorker as { id: number; name: string; status: string; grids: string[] };
}

async function project(over: Record<string, unknown> = {}) {
  return (await ok('/projects', {
    name: '居家养老助老服务', category: 'daily_care', funding: 'government', budgetCents: 10_000_000,
    startsOn: '2026-01-01', endsOn: '2026-12-31', targetServices: 100, targetBeneficiaries: 300, status: 'active', ...over,
  }, 201)).project as { id: number; code: string; status: string; spentCents: number; progress: { servicesDone: number; beneficiaries: number } };
}

/** A service that ended `minutesAgo` ago and lasted `minutes`. */
const serviceBody = (over: Record<string, unknown> = {}, minutesAgo = 10, minutes = 45) => ({
  kind: 'visit', category: 'daily_care', content: '入户探访独居老人，检查燃气和用电安全', beneficiaries: 2,
  startedAt: iso(clock - (minutesAgo + minutes) * MIN), endedAt: iso(clock - minutesAgo * MIN), ...over,
});

/** Every table a write of this domain could touch, and the metrics. */
function footprint() {
  const tables = ['organizations', 'social_workers', 'projects', 'project_expenses', 'cases', 'services', 'journal'];
  return {
    rows: Object.fromEntries(tables.map((t) => [t, n(`SELECT COUNT(*) AS n FROM ${t}`)])),
    statuses: ts.app.db.prepare(
      `SELECT 'o' || id AS k, status FROM organizations UNION ALL SELECT 'w' || id, status FROM social_workers
       UNION ALL SELECT 'p' || id, status FROM projects UNION ALL SELECT 'c' || id, status FROM cases ORDER BY k`).all(),
    spent: ts.app.db.prepare('SELECT id, spent_cents FROM projects ORDER BY id').all(),
    ratings: ts.app.db.prepare('SELECT id, satisfaction FROM services ORDER BY id').all(),
    metrics: ts.app.db.prepare('SELECT * FROM metrics_hourly ORDER BY hour, subject, grid_id').all(),
  };
}

/** The feed line the journal holds for a service's latest entry. */
function journalFeed(serviceId: number): { key: string; params: Record<string, unknown> } {
  const row = ts.app.db.prepare("SELECT data FROM journal WHERE entity = 'service' AND entity_id = ? ORDER BY seq DESC LIMIT 1").get(serviceId) as { data: string };
  return JSON.parse(row.data).feed;
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** The wall's views as the live read model computes them now. */
function wall() {
  ts.app.subjects.invalidate();
  const kpis = { reportedToday: 0, closedToday: 0, openNow: 0, satisfaction: null } as never;
  return ts.app.subjects.views('guihua', clock, kpis);
}

/**
 * The grid a service counts in on the wall: none for a case session or a service that could
 * single out a key population's resident (docs/SECURITY.md, small numbers).
 */
const PUBLIC_GRID = `CASE WHEN case_id IS NOT NULL OR (populations <> '[]' AND beneficiaries < ${SMALL_COUNT_MIN}) THEN '' ELSE COALESCE(grid_id, '') END`;

describe('organizations', () => {
  it('registers an organization with a valid 统一社会信用代码 and finds it again', async () => {
    const reg = code('91330106MA2KXXXX0'.replace(/X/g, '1'));
    const o = await org({ name: '杭州桂花物业服务有限公司', kind: 'enterprise', registrationNo: reg.toLowerCase(), categories: ['repair'] });
    expect(o).toMatchObject({ name: '杭州桂花物业服务有限公司', kind: 'enterprise', registrationNo: reg, status: 'active', categories: ['repair'] });
    expect((o as unknown as { registeredAt: string }).registeredAt).toBe('2026-03-10T10:00:00.000+08:00');
    const again = await get(`${api}/orgs/${o.id}`);
    expect(again.status).toBe(200);
    expect(again.body.organization).toEqual(o);
    expect(again.body.projects).toEqual([]);
  });

  it('refuses a credit code with a typo or a wrong check character, naming the field, and writes nothing', async () => {
    const good = nextCode();
    const typo = good.slice(0, 9) + (good[9] === 'M' ? 'N' : 'M') + good.slice(10);
    const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const before = footprint();
    for (const registrationNo of [typo, wrongCheck, good.slice(0, 17), `${good.slice(0, 16)}I${good[17]}`]) {
      const r = await post(`${api}/orgs`, { name: '阳光助残服务社', kind: 'social_org', registrationNo, contactName: '李敏', contactPhone: '13900001111' });
      expect(r.status, registrationNo).toBe(400);
      expect(r.body.error.code).toBe('error.validation');
      expect(r.body.error.issues.map((i: { field: string }) => i.field)).toEqual(['registrationNo']);
    }
    const none = await post(`${api}/orgs`, { name: '阳光助残服务社', kind: 'charity_org', contactName: '李敏', contactPhone: '13900001111' });
    expect(none.status).toBe(400);
    expect(none.body.error.issues[0].field).toBe('registrationNo');
    expect(footprint()).toEqual(before);
  });

  it('registers a resident group with no code or a filing number, but checks anything shaped like a credit code', async () => {
    const a = await org({ name: '桂花社区书画协会', kind: 'resident_group', registrationNo: undefined, categories: ['culture'] });
    expect(a).toMatchObject({ kind: 'resident_group', registrationNo: null });
    const b = await org({ name: '桂花社区银龄互助会', kind: 'resident_group', registrationNo: '文三社备字2025-017' });
    expect(b).toMatchObject({ registrationNo: '文三社备字2025-017' });
    const looksLikeCode = nextCode();
    const wrong = looksLikeCode.slice(0, 17) + (looksLikeCode[17] === '0' ? '1' : '0');
    const bad = await post(`${api}/orgs`, { name: '桂花社区合唱团', kind: 'resident_group', registrationNo: wrong, contactName: '周红', contactPhone: '13900002222' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('registrationNo');
  });

  it('refuses a second organization with the same name or the same code (409) and answers unknown fields and ids', async () => {
    const reg = nextCode();
    const first = await org({ registrationNo: reg });
    const byName = await post(`${api}/orgs`, { name: first.name, kind: 'social_org', registrationNo: nextCode(), contactName: '陈立群', contactPhone: '13900003333' });
    expect(byName.status).toBe(409);
    expect(byName.body.error).toMatchObject({ code: 'error.org_exists', orgId: first.id });
    const byCode = await post(`${api}/orgs`, { name: '另一个中心', kind: 'social_org', registrationNo: reg, contactName: '陈立群', contactPhone: '13900003333' });
    expect(byCode.status).toBe(409);
    const extra = await post(`${api}/orgs`, { name: 'x', kind: 'social_org', registrationNo: nextCode(), contactName: 'x', contactPhone: '13900003333', rank: 1 });
    expect(extra.status).toBe(400);
    expect(extra.body.error.issues).toContainEqual({ field: 'rank', problem: 'is not a known field' });
    expect((await get(`${api}/orgs/999999`)).status).toBe(404);
    expect((await post(`${api}/orgs/999999/status`, { status: 'suspended' })).status).toBe(404);
  });

  it('suspends, reactivates and deregisters; deregistered is final and a refusal names the status', async () => {
    const o = await org();
    expect((await ok(`/orgs/${o.id}/status`, { status: 'suspended', note: '年检未通过' })).organization.status).toBe('suspended');
    expect((await ok(`/orgs/${o.id}/status`, { status: 'active' })).organization.status).toBe('active');
    expect((await ok(`/orgs/${o.id}/status`, { status: 'deregistered' })).organization.status).toBe('deregistered');
    const back = await post(`${api}/orgs/${o.id}/status`, { status: 'active' });
    expect(back.status).toBe(409);
    expect(back.body.error).toMatchObject({ code: 'error.transition_not_allowed', status: 'deregistered' });
    const patch = await send('PATCH', `/orgs/${o.id}`, { contactPhone: '13900004444' });
    expect(patch.status).toBe(409);
    expect(patch.body.error.status).toBe('deregistered');
  });

  it('changes the contact and the categories served', async () => {
    const o = await org();
    const r = await send('PATCH', `/orgs/${o.id}`, { contactName: '沈佳', categories: ['legal', 'legal', 'emotional'] });
    expect(r.status).toBe(200);
    expect(r.body.organization).toMatchObject({ contactName: '沈佳', contactPhone: '0571-88001234', categories: ['legal', 'emotional'] });
    expect((await send('PATCH', `/orgs/${o.id}`, {})).status).toBe(400);
    expect((await send('PATCH', `/orgs/${o.id}`, { categories: ['gardening'] })).body.error.issues[0].field).toBe('categories[0]');
  });

  it('lists newest first, page by page, with filters', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const r = await get(`${api}/orgs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.items.map((o: { id: number }) => o.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(seen.length).toBe(n("SELECT COUNT(*) AS n FROM organizations WHERE community_id = 'guihua'"));
    const groups = await get(`${api}/orgs?kind=resident_group`);
    expect(groups.body.items.length).toBe(2);
    const culture = await get(`${api}/orgs?category=culture`);
    expect(culture.body.items.map((o: { name: string }) => o.name)).toEqual(['桂花社区书画协会']);
    expect((await get(`${api}/orgs?status=closed`)).status).toBe(400);
    expect((await get(`${api}/orgs?cursor=abc`)).body.error.issues[0].field).toBe('cursor');
  });
});

describe('projects and their budgets', () => {
  it('numbers projects XM-<year>-NNNN and needs an organization or a lead social worker', async () => {
    const o = await org();
    const a = await project({ orgId: o.id });
    const b = await project({ orgId: o.id, name: '四点半课堂', category: 'education', funding: 'community_fund' });
    expect(a.code).toMatch(/^XM-2026-\d{4}$/);
    expect(Number(b.code.slice(8))).toBe(Number(a.code.slice(8)) + 1);
    // What was stored is what was answered, field by field.
    expect((await get(`${api}/projects/${b.id}`)).body.project).toEqual(b);
    const before = footprint();
    const none = await post(`${api}/projects`, { name: '无主项目', category: 'meals', funding: 'donor', budgetCents: 100, startsOn: '2026-03-01', endsOn: '2026-03-31' });
    expect(none.status).toBe(400);
    expect(none.body.error.issues[0].field).toBe('orgId');
    const backwards = await post(`${api}/projects`, { orgId: o.id, name: 'x', category: 'meals', funding: 'donor', budgetCents: 100, startsOn: '2026-03-31', endsOn: '2026-03-01' });
    expect(backwards.body.error.issues.map((i: { field: string }) => i.field)).toEqual(['endsOn']);
    const feb30 = await post(`${api}/projects`, { orgId: o.id, name: 'x', category: 'meals', funding: 'donor', budgetCents: 100, startsOn: '2026-02-30', endsOn: '2026-03-01' });
    expect(feb30.body.error.issues[0].field).toBe('startsOn');
    const fractional = await post(`${api}/projects`, { orgId: o.id, name: 'x', category: 'meals', funding: 'donor', budgetCents: 99.5, startsOn: '2026-03-01', endsOn: '2026-03-01' });
    expect(fractional.body.error.issues[0].field).toBe('budgetCents');
    const ghost = await post(`${api}/projects`, { orgId: 999999, name: 'x', category: 'meals', funding: 'donor', budgetCents: 1, startsOn: '2026-03-01', endsOn: '2026-03-01' });
    expect(ghost.status).toBe(400);
    expect(ghost.body.error.issues[0].field).toBe('orgId');
    expect(footprint()).toEqual(before);
  });

  it('refuses a project for a suspended organization (409) and starting one while it is suspended', async () => {
    const o = await org();
    const planned = await project({ orgId: o.id, status: 'planned' });
    await ok(`/orgs/${o.id}/status`, { status: 'suspended' });
    const r = await post(`${api}/projects`, { orgId: o.id, name: '助餐', category: 'meals', funding: 'donor', budgetCents: 1, startsOn: '2026-03-01', endsOn: '2026-03-31' });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'error.org_inactive', status: 'suspended' });
    const start = await post(`${api}/projects/${planned.id}/status`, { status: 'active' });
    expect(start.status).toBe(409);
    expect(start.body.error.status).toBe('suspended');
    const dereg = await post(`${api}/orgs/${o.id}/status`, { status: 'deregistered' });
    expect(dereg.status).toBe(409);
    expect(dereg.body.error).toMatchObject({ code: 'error.org_has_projects', projects: 1 });
    await ok(`/projects/${planned.id}/status`, { status: 'cancelled' });
    expect((await ok(`/orgs/${o.id}/status`, { status: 'deregistered' })).organization.status).toBe('deregistered');
  });

  it('goes planned → active → suspended → active → completed, and completed is final', async () => {
    const o = await org();
    const p = await project({ orgId: o.id, status: 'planned' });
    expect(p.status).toBe('planned');
    for (const s of ['active', 'suspended', 'active', 'completed']) {
      expect((await ok(`/projects/${p.id}/status`, { status: s })).project.status).toBe(s);
    }
    const again = await post(`${api}/projects/${p.id}/status`, { status: 'active' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'error.transition_not_allowed', status: 'completed', allowed: [] });
    const skip = await project({ orgId: o.id, status: 'planned' });
    const r = await post(`${api}/projects/${skip.id}/status`, { status: 'completed' });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ status: 'planned', allowed: ['active', 'cancelled'] });
  });

  it('records expenses of a government-purchased project up to its budget, never past it', async () => {
    const o = await org();
    const p = await project({ orgId: o.id, budgetCents: 50_000 });
    const first = await ok(`/projects/${p.id}/expenses`, { amountCents: 30_000, purpose: '社工督导费', spentOn: '2026-03-02' }, 201);
    expect(first.expense).toMatchObject({ amountCents: 30_000, spentOn: '2026-03-02', purpose: '社工督导费' });
    expect(first.project).toMatchObject({ spentCents: 30_000, progress: { spentRatio: 0.6 } });

    const before = footprint();
    const over = await post(`${api}/projects/${p.id}/expenses`, { amountCents: 20_001, purpose: '活动物资' });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: 'error.over_budget', budgetCents: 50_000, spentCents: 30_000, remainingCents: 20_000 });
    const future = await post(`${api}/projects/${p.id}/expenses`, { amountCents: 1, purpose: '活动物资', spentOn: '2026-03-11' });
    expect(future.status).toBe(400);
    expect(future.body.error.issues[0].field).toBe('spentOn');
    expect((await post(`${api}/projects/${p.id}/expenses`, { amountCents: 0, purpose: 'x' })).status).toBe(400);
    expect(footprint()).toEqual(before);

    // Racing expenses: the budget holds however many arrive at once.
    const results = await Promise.all(Array.from({ length: 8 }, () => post(`${api}/projects/${p.id}/expenses`, { amountCents: 5_000, purpose: '活动物资' })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(4);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
    const after = (await get(`${api}/projects/${p.id}`)).body.project;
    expect(after.spentCents).toBe(50_000);
    expect(n('SELECT COALESCE(SUM(amount_cents), 0) AS n FROM project_expenses WHERE project_id = ?', p.id)).toBe(50_000);
    const list = await get(`${api}/projects/${p.id}/expenses?limit=3`);
    expect(list.body.items).toHaveLength(3);
    expect(list.body.nextCursor).not.toBeNull();
  });

  it('sends the spending of community-fund and donor projects to the charity books (409), and refuses a planned project', async () => {
    const o = await org();
    const fund = await project({ orgId: o.id, funding: 'community_fund' });
    const r = await post(`${api}/projects/${fund.id}/expenses`, { amountCents: 100, purpose: '托管点心' });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'error.expense_not_allowed', funding: 'community_fund' });
    const planned = await project({ orgId: o.id, status: 'planned' });
    const p = await post(`${api}/projects/${planned.id}/expenses`, { amountCents: 100, purpose: '前期调研' });
    expect(p.status).toBe(409);
    expect(p.body.error).toMatchObject({ code: 'error.project_not_active', status: 'planned' });
  });
});

describe('social workers and cases', () => {
  it('registers a social worker with the grids they cover, and refuses a grid of nowhere', async () => {
    const w = await worker('赵文静', { grids: ['G01', 'G02', 'G01'] });
    expect(w).toMatchObject({ name: '赵文静', grids: ['G01', 'G02'], status: 'active', qualification: 'social_worker' });
    const before = footprint();
    const r = await post(`${api}/social-workers`, { name: '孙浩', phone: '13800009999', grids: ['G01', 'G99'] });
    expect(r.status).toBe(400);
    expect(r.body.error.issues).toEqual([{ field: 'grids[1]', problem: 'no grid G99 in this community' }]);
    const q = await post(`${api}/social-workers`, { name: '孙浩', phone: '13800009999', qualification: 'master' });
    expect(q.body.error.issues[0].field).toBe('qualification');
    expect(footprint()).toEqual(before);
    const inGrid = await get(`${api}/social-workers?grid=G02`);
    expect(inGrid.body.items.map((x: { id: number }) => x.id)).toContain(w.id);
  });

  it('opens and closes a case; the client is in the case, never in the journal or a feed line', async () => {
    const w = await worker('钱美华');
    const opened = await ok('/cases', {
      socialWorkerId: w.id, category: 'emotional', clientName: '欧阳秀兰', clientPhone: '13912345678', populations: ['elderly_alone'], gridId: 'G03',
    }, 201);
    expect(opened.case).toMatchObject({ clientName: '欧阳秀兰', clientPhone: '13912345678', status: 'open', sessions: 0, gridId: 'G03' });
    expect(opened.case.code).toMatch(/^GA-2026-\d{4}$/);

    clock += HOUR;
    const session = await ok('/services', serviceBody({ socialWorkerId: w.id, caseId: opened.case.id, kind: 'case_session', category: undefined, beneficiaries: 1 }), 201);
    expect(session.service).toMatchObject({ caseId: opened.case.id, category: 'emotional', gridId: 'G03' });

    const early = await post(`${api}/cases/${opened.case.id}/close`, { closedAt: iso(clock - 2 * HOUR) });
    expect(early.status).toBe(400);
    expect(early.body.error.issues[0].field).toBe('closedAt');
    const closed = await ok(`/cases/${opened.case.id}/close`, { note: '欧阳秀兰情绪稳定，子女已定期探望' });
    expect(closed.case).toMatchObject({ status: 'closed', sessions: 1, closedAt: '2026-03-10T11:00:00.000+08:00' });

    const twice = await post(`${api}/cases/${opened.case.id}/close`, {});
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'error.transition_not_allowed', status: 'closed' });
    // Ends a minute after the close (within the clock's slack, so not refused as the future).
    const after = await post(`${api}/services`, serviceBody({ socialWorkerId: w.id, caseId: opened.case.id, kind: 'case_session' }, -1));
    expect(after.status).toBe(409);
    expect(after.body.error).toMatchObject({ code: 'error.case_closed', status: 'closed' });

    const journal = ts.app.db.prepare("SELECT data FROM journal WHERE entity IN ('case', 'service')").all() as { data: string }[];
    for (const j of journal) {
      expect(j.data).not.toContain('欧阳秀兰');
      expect(j.data).not.toContain('13912345678');
    }
    const lines = wall().feed.filter((f) => f.key.startsWith('feed.case.'));
    expect(lines.map((f) => f.key)).toEqual(['feed.case.closed', 'feed.case.opened']);
    expect(lines[0]!.params).toMatchObject({ name: '钱**', category: '心理慰藉', categoryCode: 'emotional' });
  });

  it('will not let a social worker leave with open cases, nor open a case for one on leave', async () => {
    const w = await worker('冯建国');
    const k = await ok('/cases', { socialWorkerId: w.id, category: 'legal', clientName: '冯德明' }, 201);
    const leave = await post(`${api}/social-workers/${w.id}/status`, { status: 'left' });
    expect(leave.status).toBe(409);
    expect(leave.body.error).toMatchObject({ code: 'error.worker_has_cases', status: 'active', openCases: 1 });
    await ok(`/cases/${k.case.id}/close`, {});
    await ok(`/social-workers/${w.id}/status`, { status: 'on_leave' });
    const open = await post(`${api}/cases`, { socialWorkerId: w.id, category: 'legal', clientName: '冯德明' });
    expect(open.status).toBe(409);
    expect(open.body.error).toMatchObject({ code: 'error.worker_inactive', status: 'on_leave' });
    expect((await ok(`/social-workers/${w.id}/status`, { status: 'left' })).socialWorker.status).toBe('left');
    const svc = await post(`${api}/services`, serviceBody({ socialWorkerId: w.id }));
    expect(svc.status).toBe(409);
    expect(svc.body.error.status).toBe('left');
    expect((await post(`${api}/social-workers/${w.id}/status`, { status: 'active' })).body.error.status).toBe('left');
  });
});

describe('services', () => {
  it('records a service: project progress, metrics of the hour it ended and a masked feed line, in one write', async () => {
    clock = Date.parse('2026-03-12T15:00:00+08:00');
    const o = await org({ name: '乐龄养老服务中心', contactName: '蒋桂英' });
    const w = await worker('王丽萍', { grids: ['G05'], orgId: o.id });
    const p = await project({ orgId: o.id, gridId: 'G05', targetServices: 4 });
    const metrics = () => ts.app.db.prepare(
      "SELECT subject, grid_id, services, beneficiaries, service_minutes, sat_sum, sat_n FROM metrics_hourly WHERE community_id = 'guihua' AND hour = ?",
    ).all(Date.parse('2026-03-12T14:00:00+08:00'));
    const before = wall();

    // 14:00–14:45, rated 5 on the spot: 3 people served.
    const s = (await ok('/services', {
      socialWorkerId: w.id, projectId: p.id, kind: 'visit', content: '为王丽萍负责的独居老人送餐并测血压', beneficiaries: 3,
      populations: ['elderly_alone', 'elderly_alone'], startedAt: '2026-03-12T14:00:00+08:00', endedAt: '2026-03-12T14:45:00+08:00', satisfaction: 5,
    }, 201)).service;
    expect(s).toMatchObject({
      providerKind: 'social_worker', socialWorkerId: w.id, orgId: o.id, projectId: p.id, category: 'daily_care', gridId: 'G05',
      minutes: 45, satisfaction: 5, populations: ['elderly_alone'], endedAt: '2026-03-12T14:45:00.000+08:00',
    });
    expect((await get(`${api}/services/${s.id}`)).body.service).toEqual(s);
    expect(metrics()).toEqual([{ subject: 'social_worker', grid_id: 'G05', services: 1, beneficiaries: 3, service_minutes: 45, sat_sum: 5, sat_n: 1 }]);

    const progress = (await get(`${api}/projects/${p.id}`)).body.project.progress;
    expect(progress).toMatchObject({ servicesDone: 1, beneficiaries: 3, servicesRatio: 0.25, beneficiariesRatio: 0.01 });

    const after = wall();
    expect(after.socialWork.servicesToday).toBe(before.socialWork.servicesToday + 1);
    expect(after.socialWork.visitsMonth).toBe(before.socialWork.visitsMonth + 1);
    expect(after.socialWork.beneficiariesMonth).toBe(before.socialWork.beneficiariesMonth + 3);
    // A social worker's service under an organization's project counts for the organization too.
    expect(after.orgs.servicesMonth).toBe(before.orgs.servicesMonth + 1);
    expect(after.orgs.beneficiariesMonth).toBe(before.orgs.beneficiariesMonth + 3);
    expect(after.orgs.projects.find((x) => x.code === p.code)).toMatchObject({ servicesDone: 1, beneficiaries: 3, targetServices: 4, org: '乐龄养老服务中心' });
    expect(after.feed[0]).toMatchObject({
      subject: 'social_worker', key: 'feed.service.social_worker.visit', gridId: 'G05',
      params: { name: '王**', category: '生活照料', count: 3 },
    });
    expect(JSON.stringify(after.feed)).not.toContain('王丽萍');
    // Masked where it is written, not only on the way to the wall: the journal keeps the line as sent.
    expect(journalFeed(s.id)).toMatchObject({ key: 'feed.service.social_worker.visit', params: { name: '王**', count: 3 } });
  });

  it('records an organization’s group activity and rates it later, once', async () => {
    const o = await org({ name: '桂花社区书画协会2', kind: 'resident_group', registrationNo: undefined, contactName: '周玉梅', categories: ['culture'] });
    const s = (await ok('/services', serviceBody({ orgId: o.id, kind: 'group', category: 'culture', gridId: 'G08', beneficiaries: 18, content: '周玉梅老师教授书法' }), 201)).service;
    expect(s).toMatchObject({ providerKind: 'org', orgId: o.id, socialWorkerId: null, satisfaction: null });
    const line = wall().feed[0]!;
    expect(line).toMatchObject({ subject: 'org', key: 'feed.service.org.group', params: { name: '桂花社区书画协会2', count: 18 } });
    expect(journalFeed(s.id).params.name).toBe('桂花社区书画协会2');

    const satBefore = n("SELECT COALESCE(SUM(sat_n), 0) AS n FROM metrics_hourly WHERE subject = 'org'");
    const rated = await ok(`/services/${s.id}/rating`, { satisfaction: 4 });
    expect(rated.service.satisfaction).toBe(4);
    expect(n("SELECT COALESCE(SUM(sat_n), 0) AS n FROM metrics_hourly WHERE subject = 'org'")).toBe(satBefore + 1);
    expect(wall().feed[0]).toMatchObject({ key: 'feed.service.rated.org', params: { satisfaction: 4 } });

    const before = footprint();
    const again = await post(`${api}/services/${s.id}/rating`, { satisfaction: 1 });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'error.service_already_rated', satisfaction: 4 });
    for (const satisfaction of [0, 6, 3.5, '5']) {
      const r = await post(`${api}/services/${s.id}/rating`, { satisfaction });
      expect(r.status).toBe(400);
      expect(r.body.error.issues[0].field).toBe('satisfaction');
    }
    expect((await post(`${api}/services/999999/rating`, { satisfaction: 3 })).status).toBe(404);
    expect(footprint()).toEqual(before);
  });

  it('refuses bad services naming each field, and writes nothing', async () => {
    const o = await org();
    const w = await worker('褚晓明');
    const planned = await project({ orgId: o.id, status: 'planned' });
    const march = await project({ orgId: o.id, startsOn: '2026-03-12', endsOn: '2026-03-31' });
    const other = await org();
    const before = footprint();
    const cases: [Record<string, unknown>, string, number][] = [
      [serviceBody({}), 'socialWorkerId', 400], // no provider
      [serviceBody({ socialWorkerId: w.id, orgId: o.id }), 'socialWorkerId', 400], // two
      [serviceBody({ socialWorkerId: w.id, kind: 'case_session' }), 'caseId', 400],
      [serviceBody({ socialWorkerId: w.id, startedAt: iso(clock), endedAt: iso(clock - MIN) }), 'endedAt', 400],
      [serviceBody({ socialWorkerId: w.id }, -60), 'endedAt', 400], // ends an hour from now
      [serviceBody({ socialWorkerId: w.id, startedAt: iso(clock - 30 * HOUR), endedAt: iso(clock) }), 'endedAt', 400],
      [serviceBody({ socialWorkerId: w.id, endedAt: '2026-03-12 14:00' }), 'endedAt', 400],
      [serviceBody({ socialWorkerId: w.id, category: undefined }), 'category', 400],
      [serviceBody({ socialWorkerId: w.id, beneficiaries: -1 }), 'beneficiaries', 400],
      [serviceBody({ socialWorkerId: w.id, populations: ['rich'] }), 'populations[0]', 400],
      [serviceBody({ socialWorkerId: w.id, gridId: 'G99' }), 'gridId', 400],
      [serviceBody({ socialWorkerId: 999999 }), 'socialWorkerId', 400],
      [serviceBody({ socialWorkerId: w.id, projectId: 999999 }), 'projectId', 400],
      [serviceBody({ socialWorkerId: w.id, caseId: 999999 }), 'caseId', 400],
      [serviceBody({ socialWorkerId: w.id, needId: 999999 }), 'needId', 400],
      [serviceBody({ orgId: other.id, projectId: march.id }), 'projectId', 400],
      [serviceBody({ socialWorkerId: w.id, projectId: march.id, startedAt: '2026-03-11T09:00:00+08:00', endedAt: '2026-03-11T10:00:00+08:00' }), 'endedAt', 400],
      [serviceBody({ socialWorkerId: w.id, projectId: planned.id }), 'project_not_active', 409],
    ];
    for (const [body, field, status] of cases) {
      const r = await post(`${api}/services`, body);
      expect(r.status, `${field}: ${JSON.stringify(r.body)}`).toBe(status);
      if (status === 400) expect(r.body.error.issues.map((i: { field: string }) => i.field), JSON.stringify(body)).toContain(field);
      else expect(r.body.error).toMatchObject({ code: `error.${field}`, status: 'planned' });
    }
    expect((await post(`${api}/services`, 'not json')).status).toBe(400);
    expect(footprint()).toEqual(before);
  });

  it('lists services with filters, page by page, and sums them by grid, category and kind', async () => {
    const w = await worker('卫思远', { grids: ['G07'] });
    for (let i = 0; i < 5; i++) {
      await ok('/services', serviceBody({ socialWorkerId: w.id, kind: i % 2 ? 'consultation' : 'visit', category: 'legal', beneficiaries: i + 1 }, 5 + i), 201);
    }
    const mine = await get(`${api}/services?worker=${w.id}&limit=2`);
    expect(mine.body.items).toHaveLength(2);
    expect(mine.body.items[0].gridId).toBe('G07'); // the worker's only grid
    const rest = await get(`${api}/services?worker=${w.id}&limit=10&cursor=${mine.body.nextCursor}`);
    expect(rest.body.items).toHaveLength(3);
    expect(rest.body.nextCursor).toBeNull();
    expect((await get(`${api}/services?worker=${w.id}&kind=consultation`)).body.items).toHaveLength(2);
    const window = `from=${encodeURIComponent(iso(clock - 7.5 * MIN))}&to=${encodeURIComponent(iso(clock))}`;
    expect((await get(`${api}/services?worker=${w.id}&${window}`)).body.items).toHaveLength(3);

    const sum = (await get(`${api}/services/summary`)).body;
    expect(sum.totals.services).toBe(n("SELECT COUNT(*) AS n FROM services WHERE ended_at >= ?", Date.parse('2026-03-01T00:00:00+08:00')));
    const g07 = sum.byGrid.find((g: { gridId: string | null }) => g.gridId === 'G07');
    expect(g07).toEqual({ gridId: 'G07', services: 5, beneficiaries: 15 });
    expect(sum.byCategory.find((c: { category: string }) => c.category === 'legal').services).toBeGreaterThanOrEqual(5);
    expect((await get(`${api}/services/summary?from=${encodeURIComponent(iso(clock))}&to=${encodeURIComponent(iso(clock - HOUR))}`)).status).toBe(400);
  });

  it('keeps the rollups equal to the services recorded, per subject and grid', () => {
    const fromRows = ts.app.db.prepare(
      `SELECT provider_kind AS subject, ${PUBLIC_GRID} AS grid, COUNT(*) AS services, SUM(beneficiaries) AS beneficiaries,
              SUM(CAST(ROUND((ended_at - started_at) / 60000.0) AS INTEGER)) AS minutes, COALESCE(SUM(satisfaction), 0) AS sat, COUNT(satisfaction) AS rated
         FROM services GROUP BY 1, 2 ORDER BY 1, 2`).all();
    const fromRollups = ts.app.db.prepare(
      `SELECT subject, grid_id AS grid, SUM(services) AS services, SUM(beneficiaries) AS beneficiaries, SUM(service_minutes) AS minutes,
              SUM(sat_sum) AS sat, SUM(sat_n) AS rated
         FROM metrics_hourly WHERE subject IN ('org', 'social_worker') GROUP BY 1, 2 ORDER BY 1, 2`).all();
    expect(fromRollups).toEqual(fromRows);
  });
});

describe('who may do what', () => {
  it('lets a display read nothing and write nothing, a grid worker rate but not open cases', async () => {
    const svc = ts.app.orgs;
    const display = { id: 'display:1', role: 'display' as const, communityId: 'guihua' };
    const gridWorker = { id: 'W01', role: 'grid_worker' as const, communityId: 'guihua' };
    await expect(svc.organizations.register(display, { name: 'x', kind: 'resident_group', contactName: 'x', contactPhone: '13900000000', categories: [] }))
      .rejects.toMatchObject({ status: 403 });
    expect(thrown(() => svc.organizations.list(display, { limit: 10 }))).toMatchObject({ status: 403, code: 'error.forbidden' });
    expect(thrown(() => svc.cases.list(gridWorker, { limit: 10 }))).toMatchObject({ status: 403 });
    expect(thrown(() => svc.cases.get(gridWorker, 1))).toMatchObject({ status: 403 });
    expect(svc.services.list(gridWorker, { limit: 1 }).items).toHaveLength(1);
    const system = systemPrincipal('guihua');
    expect(svc.cases.list(system, { limit: 1 }).items.length).toBe(1);
  });
});
