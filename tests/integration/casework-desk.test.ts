/**
 * The social worker's desk and the organizations' desk over real HTTP and a real SQLite file
 * (issue 13): a social worker plans a visit, records it and opens a case as themselves (no id
 * typed beyond their own record, which their account names); a colleague cannot read it; the
 * reads are audited; a case's goals are guarded against a colleague's change meanwhile; bad
 * input is a 400 naming the field with nothing written; an expense past the remaining budget
 * is refused as the API defines; the ledgers come out with Chinese headers and a formula typed
 * into a field stays inert.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, createUser, logIn, request, startServer, until, type Credentials, type TestServer } from '../support/server.ts';
import { creditCodeCheck } from '../../shared/orgs.ts';

const MIN = 60_000;
let ts: TestServer;
let api: string;

const count = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;
const iso = (ms: number) => new Date(ms).toISOString();
/**
 * The server's clock and the test's: real time, but never in the first hour of the community's
 * day (Asia/Shanghai), where "half an hour ago" is yesterday and today's schedule would not hold
 * it — the run is moved an hour on instead.
 */
const SHANGHAI_MS = 8 * 3_600_000;
const intoDay = (Date.now() + SHANGHAI_MS) % 86_400_000;
const OFFSET = intoDay < 3_600_000 ? 3_600_000 : 0;
const now = () => Date.now() + OFFSET;
const footprint = () => ({
  cases: count('select count(*) n from cases'), services: count('select count(*) n from services'),
  visits: count('select count(*) n from planned_visits'), journal: count('select count(*) n from journal'),
  expenses: count('select count(*) n from project_expenses'), orgs: count('select count(*) n from organizations'),
  spent: ts.app.db.prepare('select id, spent_cents from projects order by id').all(),
});

async function ok(method: string, path: string, body: unknown, status = 200, as?: Credentials) {
  const r = await request(`${api}${path}`, { method, body, ...(as ? { as } : {}) });
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

/** A social-worker record and an account linked to it, logged in. */
async function socialWorkerAccount(name: string, phone: string): Promise<{ id: number; creds: Credentials }> {
  const w = (await ok('POST', '/social-workers', { name, phone, qualification: 'social_worker', grids: ['G03'] }, 201)).socialWorker;
  const username = `sw-${w.id}-${process.pid}`;
  await createUser(ts.app, username, 'social_worker');
  ts.app.db.prepare('UPDATE users SET social_worker_id = ? WHERE username = ?').run(w.id, username);
  return { id: w.id, creds: await logIn(ts.url, username, TEST_PASSWORD) };
}

async function download(path: string, as?: Credentials) {
  const res = await fetch(`${api}${path}`, { headers: { cookie: (as ?? ts.admin!).cookie } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

const auditLines = (action: string) =>
  ts.app.auth.audit.list(ts.app.directory.defaultCommunity()!.id, { action, limit: 200 } as any).items as any[];

let A: { id: number; creds: Credentials };
let B: { id: number; creds: Credentials };
let caseId: number;
const FORMULA = '=HYPERLINK("http://evil.example","点我")';

beforeAll(async () => {
  ts = await startServer({ now });
  api = `${ts.url}/api/v1`;
  A = await socialWorkerAccount('王丽萍', '13900000001');
  B = await socialWorkerAccount('钱美华', '13900000002');
});
afterAll(async () => {
  await ts?.stop();
});

describe('a social worker at their desk', () => {
  it('plans a visit, records it as a home visit with key populations, and the visit is done', async () => {
    const planned = (await ok('POST', '/planned-visits', {
      socialWorkerId: A.id, plannedAt: iso(now() - 30 * MIN), note: '桂花苑3幢 独居老人回访',
    }, 201, A.creds)).visit;
    let today = (await ok('GET', '/planned-visits', undefined, 200, A.creds)).items;
    expect(today.map((v: any) => v.id)).toContain(planned.id);
    expect(today.find((v: any) => v.id === planned.id).status).toBe('planned');

    const s = (await ok('POST', '/services', {
      socialWorkerId: A.id, kind: 'visit', category: 'daily_care', content: FORMULA, beneficiaries: 2,
      populations: ['elderly_alone', 'disabled'], startedAt: iso(now() - 25 * MIN), endedAt: iso(now() - 5 * MIN),
      plannedVisitId: planned.id,
    }, 201, A.creds)).service;
    expect(s).toMatchObject({ kind: 'visit', socialWorkerId: A.id, beneficiaries: 2, populations: ['elderly_alone', 'disabled'] });
    today = (await ok('GET', '/planned-visits', undefined, 200, A.creds)).items;
    expect(today.find((v: any) => v.id === planned.id)).toMatchObject({ status: 'done', serviceId: s.id });
    // Another social worker's schedule does not show it.
    expect((await ok('GET', '/planned-visits', undefined, 200, B.creds)).items).toEqual([]);
  });

  it('opens a case as themselves, sets its goals and closes it with an outcome; a colleague can neither read nor close it', async () => {
    const k = (await ok('POST', '/cases', {
      socialWorkerId: A.id, category: 'emotional', clientName: '赵桂兰', clientPhone: '13812345678', populations: ['elderly_alone'], gridId: 'G03',
    }, 201, A.creds)).case;
    caseId = k.id;
    expect(k).toMatchObject({ socialWorkerId: A.id, status: 'open', goals: [], outcome: null });
    // As someone else: refused, their record is named.
    const asB = await request(`${api}/cases`, { method: 'POST', as: A.creds, body: { socialWorkerId: B.id, category: 'emotional', clientName: '某某' } });
    expect(asB.status).toBe(403);

    expect((await request(`${api}/cases/${k.id}`, { as: B.creds })).status).toBe(404);
    expect((await ok('GET', '/cases', undefined, 200, B.creds)).items).toEqual([]);
    expect((await request(`${api}/cases/${k.id}/close`, { method: 'POST', as: B.creds, body: { outcome: 'achieved' } })).status).toBe(404);

    const goals = [{ text: '每周两次上门探访', done: true }, { text: '建立用药提醒', done: false }];
    const withGoals = (await ok('PATCH', `/cases/${k.id}`, { goals, expectedUpdatedAt: k.updatedAt }, 200, A.creds)).case;
    expect(withGoals.goals).toEqual(goals);

    const closed = (await ok('POST', `/cases/${k.id}/close`, { outcome: 'achieved', note: '情绪稳定，结案' }, 200, A.creds)).case;
    expect(closed).toMatchObject({ status: 'closed', outcome: 'achieved' });
  });

  it('shows a coordinator every social worker\'s cases (there is no team structure), a social worker their own', async () => {
    const coordinator = await logIn(ts.url, (await createUser(ts.app, `coord-all-${process.pid}`, 'coordinator'), `coord-all-${process.pid}`), TEST_PASSWORD);
    await ok('POST', '/cases', { socialWorkerId: B.id, category: 'emotional', clientName: '李奶奶' }, 201, B.creds);
    const all = (await ok('GET', '/cases', undefined, 200, coordinator)).items.map((c: any) => c.socialWorkerId);
    expect(new Set(all)).toEqual(new Set([A.id, B.id]));
    expect((await ok('GET', '/cases', undefined, 200, B.creds)).items.every((c: any) => c.socialWorkerId === B.id)).toBe(true);
  });

  it('logs the reads of a case and of the case list, naming who read them', async () => {
    await ok('GET', `/cases/${caseId}`, undefined, 200, A.creds);
    await ok('GET', '/cases', undefined, 200, A.creds);
    await until(() => auditLines('records.read').some((l) => l.targetType === 'cases' && l.targetId === String(caseId)), 'the read of the case');
    await until(() => auditLines('records.list').some((l) => l.targetType === 'cases' && l.detail?.ids?.includes(caseId)), 'the read of the list');
  });

  it('tells a colleague who changed the goals meanwhile, and keeps their change', async () => {
    const k = (await ok('POST', '/cases', { socialWorkerId: A.id, category: 'emotional', clientName: '孙大爷' }, 201)).case;
    const opened = k.updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    await ok('PATCH', `/cases/${k.id}`, { goals: [{ text: '联系子女' }], expectedUpdatedAt: opened }, 200, A.creds);
    const stale = await request(`${api}/cases/${k.id}`, { method: 'PATCH', body: { goals: [{ text: '别的目标' }], expectedUpdatedAt: opened } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.version_conflict', changedBy: expect.stringContaining('sw-') });
    expect(stale.body.error.changedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await ok('GET', `/cases/${k.id}`, undefined)).case.goals).toEqual([{ text: '联系子女', done: false }]);
  });

  it('answers bad input with a 400 naming the field and writes nothing', async () => {
    const before = footprint();
    const bad: [string, string, unknown, string][] = [
      ['POST', '/services', { socialWorkerId: A.id, kind: 'visit', category: 'daily_care', content: '走访', beneficiaries: -1, startedAt: iso(now() - 2 * MIN), endedAt: iso(now() - MIN) }, 'beneficiaries'],
      ['POST', '/services', { socialWorkerId: A.id, kind: 'visit', category: 'daily_care', content: '走访', populations: ['martians'], startedAt: iso(now() - 2 * MIN), endedAt: iso(now() - MIN) }, 'populations'],
      ['POST', '/services', { socialWorkerId: A.id, kind: 'visit', category: 'daily_care', content: '走访', startedAt: iso(now() - 2 * MIN), endedAt: iso(now() - MIN), plannedVisitId: 999999 }, 'plannedVisitId'],
      ['POST', '/cases', { socialWorkerId: A.id, category: 'emotional', clientName: '' }, 'clientName'],
      ['POST', '/planned-visits', { socialWorkerId: A.id, plannedAt: 'tomorrow' }, 'plannedAt'],
      ['PATCH', `/cases/${caseId}`, { goals: [{ text: '' }] }, 'goals'],
      ['POST', `/cases/${caseId}/close`, { outcome: 'solved' }, 'outcome'],
    ];
    for (const [method, path, body, field] of bad) {
      const r = await request(`${api}${path}`, { method, body, as: A.creds });
      expect(r.status, `${method} ${path} ${JSON.stringify(r.body)}`).toBe(400);
      const fields: string[] = r.body.error.issues.map((i: any) => i.field);
      expect(fields.some((f) => f === field || f.startsWith(`${field}[`) || f.startsWith(`${field}.`)), `${path}: ${fields}`).toBe(true);
    }
    expect(footprint()).toEqual(before);
  });
});

describe('organizations, projects and their money', () => {
  let projectId: number;
  it('registers an organization with a checked credit code and refuses a wrong one naming the field', async () => {
    const before = footprint();
    const wrong = await request(`${api}/orgs`, { method: 'POST', body: {
      name: '错误代码社工中心', kind: 'social_org', registrationNo: '52330100MJ00000019', contactName: '张三', contactPhone: '0571-88001234',
    } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.issues.map((i: any) => i.field)).toEqual(['registrationNo']);
    expect(footprint()).toEqual(before);
    const code = '52330100MJ0000002' + creditCodeCheck('52330100MJ0000002');
    const org = (await ok('POST', '/orgs', { name: FORMULA, kind: 'social_org', registrationNo: code, contactName: '陈立群', contactPhone: '0571-88001234' }, 201)).organization;
    const project = (await ok('POST', '/projects', {
      name: '独居老人关爱行动', category: 'daily_care', orgId: org.id, funding: 'government', budgetCents: 100_000,
      startsOn: '2026-01-01', endsOn: '2026-12-31', targetServices: 10, status: 'active',
    }, 201)).project;
    projectId = project.id;
  });

  it('tells whoever edits an organization after a colleague who changed it and when, and keeps the colleague\'s change', async () => {
    const org = (await ok('GET', '/orgs', undefined)).items[0];
    const coordinator = (await createUser(ts.app, `coord-${process.pid}`, 'coordinator'), await logIn(ts.url, `coord-${process.pid}`, TEST_PASSWORD));
    await new Promise((r) => setTimeout(r, 5));
    await ok('PATCH', `/orgs/${org.id}`, { contactName: '周敏', expectedUpdatedAt: org.updatedAt }, 200, coordinator);
    const stale = await request(`${api}/orgs/${org.id}`, { method: 'PATCH', body: { contactPhone: '0571-88005678', expectedUpdatedAt: org.updatedAt } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'error.version_conflict', changedBy: `coord-${process.pid}` });
    expect((await ok('GET', `/orgs/${org.id}`, undefined)).organization).toMatchObject({ contactName: '周敏', contactPhone: '0571-88001234' });
  });

  it('records an expense, shows what remains, and refuses one past the remaining budget with nothing written', async () => {
    const first = await ok('POST', `/projects/${projectId}/expenses`, { amountCents: 60_000, purpose: '助老物资采购' }, 201);
    expect(first.project.budgetCents - first.project.spentCents).toBe(40_000);
    const before = footprint();
    const over = await request(`${api}/projects/${projectId}/expenses`, { method: 'POST', body: { amountCents: 40_001, purpose: '超支' } });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: 'error.over_budget', remainingCents: 40_000 });
    expect(footprint()).toEqual(before);
    const summary = (await ok('GET', `/projects/${projectId}/summary`, undefined)).summary;
    expect(summary).toMatchObject({ budgetCents: 100_000, spentCents: 60_000, remainingCents: 40_000, expenses: 1, services: 0 });
  });

  it('counts services, people reached and ratings on the project page', async () => {
    const s = (await ok('POST', '/services', {
      socialWorkerId: A.id, projectId, kind: 'group', content: '防诈骗讲座', beneficiaries: 18, populations: ['elderly_alone'],
      startedAt: iso(now() - 90 * MIN), endedAt: iso(now() - 30 * MIN),
    }, 201, A.creds)).service;
    await ok('POST', `/services/${s.id}/rating`, { satisfaction: 5 }, 200);
    const summary = (await ok('GET', `/projects/${projectId}/summary`, undefined)).summary;
    expect(summary).toMatchObject({ services: 1, beneficiaries: 18, minutes: 60, rated: 1, satisfaction: 5 });
    expect(summary.byKind).toEqual([{ kind: 'group', services: 1, beneficiaries: 18 }]);
    expect(summary.byPopulation).toEqual([{ population: 'elderly_alone', services: 1 }]);
  });
});

describe('ledgers out', () => {
  it('exports the organizations as Excel with Chinese headers and the formula inert', async () => {
    const { res, bytes } = await download('/orgs/export?format=xlsx');
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('社会组织名录');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(expect.arrayContaining(['名称', '统一社会信用代码', '联系电话']));
    const names: unknown[] = [];
    sheet.eachRow((r, n) => n > 1 && names.push(r.getCell(header.indexOf('名称') + 1).value));
    expect(names).toContain(`'${FORMULA}`);
    expect(names.some((v) => typeof v === 'object' && v !== null)).toBe(false);
  });

  it('exports a social worker\'s own cases with the client (staff only), and only theirs; audited with the filters', async () => {
    await ok('POST', '/cases', { socialWorkerId: B.id, category: 'emotional', clientName: '钱家阿婆' }, 201);
    const { res, bytes } = await download('/cases/export?format=xlsx&status=closed', A.creds);
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(expect.arrayContaining(['编号', '社工', '服务对象', '服务对象电话', '结案结果']));
    const clients: unknown[] = [];
    sheet.eachRow((r, n) => n > 1 && clients.push(r.getCell(header.indexOf('服务对象') + 1).value));
    expect(clients).toEqual(['赵桂兰']);
    await until(() => auditLines('records.export').some((l) => l.targetType === 'cases' && l.detail?.status === 'closed' && l.actorRole === 'social_worker'), 'the export\'s audit line');
  });

  it('exports services, projects and expenses as CSV with a byte-order mark and Chinese headers, the formula quoted inert', async () => {
    const services = await download('/services/export?format=csv&kind=visit');
    expect(services.res.status).toBe(200);
    expect([...services.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = services.bytes.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toContain('"服务内容"');
    expect(text).toContain(`"'${FORMULA.replaceAll('"', '""')}"`);
    expect(text).not.toContain('防诈骗讲座'); // a group activity, filtered out by kind=visit
    for (const path of ['/projects/export?format=csv', `/projects/${1}/expenses/export?format=csv`]) {
      const { res, bytes } = await download(path);
      expect(res.status, path).toBe(200);
      expect(bytes.subarray(3).toString('utf8')).toMatch(/^"(编号|序号)"/);
    }
    const bad = await request(`${api}/services/export?format=pdf`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: any) => i.field)).toContain('format');
  });
});
