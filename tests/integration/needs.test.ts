/**
 * The three lists over real HTTP and a real SQLite file: a need raised, matched with resources,
 * taken on as a task or a project, started, met and rated; the wall's figures and feed; and what
 * must never happen — a resource serving more needs than it has places (however many accepts
 * race), a refused change that writes, a write on bad input, a resident's name on a wall.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, openLive, post, startServer, until, type TestServer } from '../support/server.ts';
import { isoInZone } from '../../shared/time.ts';

const HOUR = 3_600_000;

let ts: TestServer;
let api: string;
/** The server's clock, moved by the tests. A Tuesday morning in Hangzhou. */
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
const row = (sql: string, ...args: unknown[]) => ts.app.db.prepare(sql).get(...args) as Record<string, unknown>;

async function ok(path: string, body: unknown, status = 200) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

async function refused(path: string, body: unknown, status: number, code: string) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  expect(r.body.error.code).toBe(code);
  return r.body.error;
}

const raise = async (over: Record<string, unknown> = {}) =>
  (await ok('/needs', { title: '老人家中水龙头漏水', category: 'repair', gridId: 'G03', raisedByKind: 'resident', ...over }, 201)).need;

const resource = async (over: Record<string, unknown> = {}) =>
  (await ok('/resources', { providerKind: 'community', providerName: '桂花社区党群服务中心', title: '便民维修', category: 'repair', ...over }, 201)).resource;

let phoneSeq = 0;
async function volunteer(name: string, skills: string[] = []) {
  return (await ok('/volunteers', { name, phone: `1370000${String(++phoneSeq).padStart(4, '0')}`, skills }, 201)).volunteer as { id: number };
}

/** An organization and a social worker, written as their registry would: another domain's rows. */
function organization(name: string): number {
  return Number(ts.app.db.prepare(
    `INSERT INTO organizations (community_id, name, kind, contact_name, contact_phone, categories, status, registered_at, updated_at)
     VALUES ('guihua', ?, 'social_org', '陈主任', '13900000001', '["daily_care","meals"]', 'active', ?, ?)`,
  ).run(name, clock, clock).lastInsertRowid);
}
function socialWorker(name: string): number {
  return Number(ts.app.db.prepare(
    `INSERT INTO social_workers (community_id, name, phone, qualification, grids, status, joined_at, updated_at)
     VALUES ('guihua', ?, '13900000002', 'social_worker', '["G03"]', 'active', ?, ?)`,
  ).run(name, clock, clock).lastInsertRowid);
}

/** Everything a write of the three lists could change. */
function footprint() {
  const tables = ['needs', 'resources', 'matches', 'tasks', 'projects', 'journal', 'metrics_hourly'];
  return {
    rows: Object.fromEntries(tables.map((t) => [t, n(`SELECT COUNT(*) AS n FROM ${t}`)])),
    needs: ts.app.db.prepare('SELECT id, status, version FROM needs ORDER BY id').all(),
    places: ts.app.db.prepare('SELECT id, in_use, status FROM resources ORDER BY id').all(),
    matches: ts.app.db.prepare('SELECT id, status FROM matches ORDER BY id').all(),
    metrics: ts.app.db.prepare('SELECT SUM(needs_raised) AS r, SUM(needs_met) AS m, SUM(sat_n) AS s FROM metrics_hourly').get(),
  };
}

const metric = (subject: string, col: string) =>
  n(`SELECT COALESCE(SUM(${col}), 0) AS n FROM metrics_hourly WHERE community_id = 'guihua' AND subject = ?`, subject);

/** Propose matches for a need and return the one for `resourceId`. */
async function matchFor(needId: number, resourceId: number) {
  const items = (await ok(`/needs/${needId}/matches`, {})).items as { id: number; resourceId: number }[];
  const m = items.find((x) => x.resourceId === resourceId);
  expect(m, `resource ${resourceId} proposed for need ${needId}`).toBeDefined();
  return m!;
}

describe('a need, from raised to rated', () => {
  it('raises a need with a code, a due time from its urgency, and a masked line on the wall', async () => {
    const wall = openLive(ts.url, { display: true });
    try {
      await until(() => !!wall.client.state.views?.subjects, 'a snapshot');
      const before = wall.client.state.views!.subjects!.needs.raisedToday;
      const need = await raise({
        title: '王建国家水管漏水，电话13812345678', description: '独居老人王建国家中厨房水管漏水', urgency: 'high',
        residentName: '王建国', residentPhone: '13812345678', populations: ['elderly_alone'], skills: ['家电维修'],
      });
      expect(need).toMatchObject({
        status: 'raised', category: 'repair', urgency: 'high', gridId: 'G03', raisedByKind: 'resident', raisedBy: 'admin',
        residentName: '王建国', residentPhone: '13812345678', populations: ['elderly_alone'], skills: ['家电维修'], beneficiaries: 1,
        raisedAt: '2026-03-10T10:00:00.000+08:00', dueAt: '2026-03-13T10:00:00.000+08:00', overdue: false,
        allowed: ['propose', 'accept', 'decline', 'close'], metBy: null,
      });
      expect(need.code).toMatch(/^XQ-2026-\d{4}$/);
      expect((await get(`${api}/needs/${need.code}`)).body.need.id).toBe(need.id);

      // The community raised it this hour; one resident living alone is counted community-wide,
      // not in G03, so a grid's count on the wall does not tick with it (docs/SECURITY.md).
      expect(n("SELECT needs_raised AS n FROM metrics_hourly WHERE subject = 'community' AND grid_id = '' AND hour = ?", clock)).toBeGreaterThanOrEqual(1);
      expect(n("SELECT COUNT(*) AS n FROM metrics_hourly WHERE grid_id = 'G03' AND needs_raised > 0")).toBe(0);

      // The wall counts it; an elderly resident living alone is one person of a key population,
      // so the line names the category only: no title, no grid (docs/SECURITY.md, small numbers).
      await until(() => wall.client.state.views!.subjects!.needs.raisedToday === before + 1, 'the wall to count the need');
      const line = wall.client.state.views!.subjects!.feed.find((f) => f.key === 'feed.need.raised_protected');
      expect(line).toMatchObject({ subject: 'community', gridId: null, params: { category: '家政维修', categoryCode: 'repair' } });
      expect(line!.params).not.toHaveProperty('title');
      const payload = JSON.stringify(wall.client.state.views);
      expect(payload).not.toContain('王建国');
      expect(payload).not.toContain('13812345678');
      expect(payload).not.toContain('水管漏水');
    } finally {
      wall.close();
    }
  });

  it('counts the due time from when the need was raised, for a paper record entered later', async () => {
    const need = await raise({ urgency: 'urgent', raisedAt: '2026-03-09T20:00:00+08:00' });
    expect(need).toMatchObject({ raisedAt: '2026-03-09T20:00:00.000+08:00', dueAt: '2026-03-10T20:00:00.000+08:00' });
    const low = await raise({ urgency: 'low' });
    expect(Date.parse(low.dueAt) - Date.parse(low.raisedAt)).toBe(14 * 24 * HOUR);
  });

  it('proposes resources best first with their reasons, and never one of another category', async () => {
    const v = await volunteer('邵师傅', ['家电维修']);
    const near = await resource({ providerKind: 'volunteer', providerId: v.id, providerName: undefined, title: '上门家电维修', skills: ['家电维修'], gridId: 'G03' });
    const wide = await resource({ title: '便民维修点' });
    const related = await resource({ providerName: '社区助老服务', title: '助老服务', category: 'daily_care' });
    const unrelated = await resource({ providerName: '社区法律顾问', title: '法律咨询', category: 'legal' });
    const need = await raise({ skills: ['家电维修'] });

    const items = (await ok(`/needs/${need.id}/matches`, {})).items as { resourceId: number; score: number; reasons: { key: string; params?: unknown }[]; status: string }[];
    const ids = items.map((m) => m.resourceId);
    expect(ids.slice(0, 2)).toEqual([near.id, wide.id]);
    expect(ids).toContain(related.id);
    expect(ids).not.toContain(unrelated.id);
    expect(items[0]!.status).toBe('proposed');
    expect(items[0]!.reasons).toEqual(expect.arrayContaining([
      { key: 'match.reason.category' }, { key: 'match.reason.skills', params: { skills: '家电维修' } }, { key: 'match.reason.same_grid' },
    ]));
    for (let i = 1; i < items.length; i++) expect(items[i - 1]!.score).toBeGreaterThanOrEqual(items[i]!.score);
    expect(items.find((m) => m.resourceId === related.id)!.reasons).toContainEqual({ key: 'match.reason.related_category' });
  });

  it('accepts a volunteer’s match as a task, then starts, meets and rates the need, crediting the volunteers', async () => {
    const v = await volunteer('丁师傅', ['家电维修']);
    const r = await resource({ providerKind: 'volunteer', providerId: v.id, providerName: undefined, title: '家电维修', skills: ['家电维修'], gridId: 'G05', capacity: 2 });
    expect(r).toMatchObject({ providerName: '丁师傅', providerId: v.id, capacity: 2, inUse: 0, status: 'available' });
    const need = await raise({ gridId: 'G05', residentName: '李秀英', urgency: 'normal' });
    const m = await matchFor(need.id, r.id);
    const others = ((await get(`${api}/needs/${need.id}/matches`)).body.items as { id: number; status: string }[]).filter((x) => x.id !== m.id);
    expect(others.length).toBeGreaterThan(0);

    clock += HOUR;
    const out = await ok(`/needs/${need.id}/matches/${m.id}/accept`, { note: '丁师傅周三上午上门' });
    expect(out.need).toMatchObject({ status: 'matched', metBy: 'volunteer', resourceId: r.id, allowed: ['start', 'close'] });
    expect(out.match).toMatchObject({ status: 'accepted', decidedBy: 'admin', note: '丁师傅周三上午上门', resource: { providerKind: 'volunteer' } });
    expect(out.task).toMatchObject({ status: 'open', assigneeKind: 'volunteer', assigneeId: v.id, needId: need.id, resourceId: r.id, dueAt: need.dueAt });
    expect(out.project).toBeNull();
    expect((await get(`${api}/resources/${r.id}`)).body.resource.inUse).toBe(1);
    // The other proposals are settled: nobody accepts a second resource for the same need.
    const after = (await get(`${api}/needs/${need.id}`)).body;
    expect(after.matches.filter((x: { status: string }) => x.status === 'proposed')).toEqual([]);
    expect(after.task.id).toBe(out.task.id);
    await refused(`/needs/${need.id}/matches/${others[0]!.id}/accept`, {}, 409, 'error.transition_not_allowed');

    // Rating before the need is met is refused, naming the status and what it allows.
    const early = await refused(`/needs/${need.id}/rate`, { satisfaction: 5 }, 409, 'error.transition_not_allowed');
    expect(early).toMatchObject({ status: 'matched', allowed: ['start', 'close'] });

    const metBefore = metric('volunteer', 'needs_met');
    const servicesBefore = metric('volunteer', 'services');
    clock += HOUR;
    expect((await ok(`/needs/${need.id}/start`, {})).need).toMatchObject({ status: 'in_progress', startedAt: isoInZone(clock, 'Asia/Shanghai') });
    clock += 3 * HOUR;
    const met = (await ok(`/needs/${need.id}/meet`, { note: '已更换水龙头' })).need;
    expect(met).toMatchObject({ status: 'met', allowed: ['rate'] });
    expect(Date.parse(met.metAt) - Date.parse(need.raisedAt)).toBe(5 * HOUR);
    expect((await get(`${api}/resources/${r.id}`)).body.resource.inUse).toBe(0);
    expect((await get(`${api}/tasks/${out.task.id}`)).body.task).toMatchObject({ status: 'done', note: '已更换水龙头' });
    expect(metric('volunteer', 'needs_met')).toBe(metBefore + 1);
    expect(metric('volunteer', 'services')).toBe(servicesBefore + 1);
    expect(row("SELECT response_ms, response_n FROM metrics_hourly WHERE subject = 'volunteer' AND hour = ? AND grid_id = 'G05'", Math.floor(clock / HOUR) * HOUR))
      .toEqual({ response_ms: 5 * HOUR, response_n: 1 });
    const line = row("SELECT data FROM journal WHERE type = 'need.met' AND entity_id = ?", need.id);
    expect(JSON.parse(String(line.data)).feed).toMatchObject({ key: 'feed.need.met', subject: 'volunteer', params: { subject: '志愿者', hours: 5 } });

    const rated = (await ok(`/needs/${need.id}/rate`, { satisfaction: 4, note: '很及时' })).need;
    expect(rated).toMatchObject({ status: 'rated', satisfaction: 4, allowed: [] });
    expect(row("SELECT SUM(sat_sum) AS s, SUM(sat_n) AS k FROM metrics_hourly WHERE subject = 'volunteer' AND grid_id = 'G05'")).toEqual({ s: 4, k: 1 });
    await refused(`/needs/${need.id}/rate`, { satisfaction: 5 }, 409, 'error.transition_not_allowed');
    await refused(`/needs/${need.id}/close`, { reason: 'withdrawn', note: '重复' }, 409, 'error.transition_not_allowed');
  });

  it('refuses a meeting instant before the need was started, and any instant in the future', async () => {
    const r = await resource({ capacity: 5 });
    const need = await raise();
    const m = await matchFor(need.id, r.id);
    await ok(`/needs/${need.id}/matches/${m.id}/accept`, {});
    await ok(`/needs/${need.id}/start`, {});
    const before = footprint();
    const early = await refused(`/needs/${need.id}/meet`, { at: iso(clock - HOUR) }, 400, 'error.validation');
    expect(early.issues).toEqual([{ field: 'at', problem: 'is before the need was started' }]);
    const future = await refused(`/needs/${need.id}/meet`, { at: iso(clock + HOUR) }, 400, 'error.validation');
    expect(future.issues).toEqual([{ field: 'at', problem: 'is in the future' }]);
    expect(footprint()).toEqual(before);
  });
});

describe('projects and tasks', () => {
  it('turns a need an organization takes on into a project of the project list', async () => {
    const org = organization('乐龄养老服务中心');
    const r = await resource({ providerKind: 'org', providerId: org, providerName: undefined, title: '助餐配送', category: 'meals', capacity: 3 });
    expect(r.providerName).toBe('乐龄养老服务中心');
    const need = await raise({ title: '桂花苑老人集体助餐', category: 'meals', beneficiaries: 12, populations: ['elderly_alone', 'empty_nest'] });
    const m = await matchFor(need.id, r.id);
    const out = await ok(`/needs/${need.id}/matches/${m.id}/accept`, { funding: 'government', budgetCents: 5_000_000 });
    expect(out.task).toBeNull();
    expect(out.project.code).toMatch(/^XM-2026-\d{4}$/);
    expect(out.need).toMatchObject({ status: 'matched', metBy: 'org' });
    expect(row('SELECT * FROM projects WHERE id = ?', out.project.id)).toMatchObject({
      code: out.project.code, name: '桂花苑老人集体助餐', category: 'meals', org_id: org, social_worker_id: null, funding: 'government',
      budget_cents: 5_000_000, need_id: need.id, grid_id: 'G03', status: 'active', target_beneficiaries: 12, starts_on: '2026-03-10',
    });
    expect((await get(`${api}/needs/${need.id}`)).body.project).toEqual(out.project);
    // The funding defaults to the organization's own, with no budget.
    const need2 = await raise({ category: 'meals' });
    const out2 = await ok(`/needs/${need2.id}/matches/${(await matchFor(need2.id, r.id)).id}/accept`, {});
    expect(row('SELECT funding, budget_cents FROM projects WHERE id = ?', out2.project.id)).toEqual({ funding: 'self', budget_cents: 0 });
    expect(out2.project.code).not.toBe(out.project.code);

    // The project ends with its need: completed when it is met, cancelled when it is closed.
    await ok(`/needs/${need.id}/start`, {});
    await ok(`/needs/${need.id}/meet`, {});
    await ok(`/needs/${need2.id}/close`, { reason: 'not_met', note: '组织人手不足，转街道协调' });
    expect(row('SELECT status FROM projects WHERE id = ?', out.project.id)).toEqual({ status: 'completed' });
    expect(row('SELECT status FROM projects WHERE id = ?', out2.project.id)).toEqual({ status: 'cancelled' });
    expect(row('SELECT in_use FROM resources WHERE id = ?', r.id)).toEqual({ in_use: 0 });
    expect(row("SELECT from_status, data FROM journal WHERE type = 'project.status_changed' AND entity_id = ?", out.project.id))
      .toEqual({ from_status: 'active', data: JSON.stringify({ status: 'completed', needId: need.id, by: 'admin' }) });
  });

  it('refuses to make a project for an organization that was suspended after it offered the resource, and changes nothing', async () => {
    const org = organization('暂停服务的机构');
    const r = await resource({ providerKind: 'org', providerId: org, providerName: undefined, title: '助餐配送', category: 'meals' });
    const need = await raise({ category: 'meals' });
    const m = await matchFor(need.id, r.id);
    ts.app.db.prepare("UPDATE organizations SET status = 'suspended' WHERE id = ?").run(org);
    const projects = row('SELECT COUNT(*) AS n FROM projects');
    await refused(`/needs/${need.id}/matches/${m.id}/accept`, {}, 409, 'error.org_inactive');
    expect(row('SELECT COUNT(*) AS n FROM projects')).toEqual(projects);
    expect(row('SELECT status FROM needs WHERE id = ?', need.id)).toEqual({ status: 'raised' });
    expect(row('SELECT in_use FROM resources WHERE id = ?', r.id)).toEqual({ in_use: 0 });
  });

  it('gives a social worker a task for one resident and a project for a group', async () => {
    const sw = socialWorker('周慧敏');
    const r = await resource({ providerKind: 'social_worker', providerId: sw, providerName: undefined, title: '个案心理支持', category: 'emotional', capacity: 4 });
    const one = await raise({ title: '独居老人心理疏导', category: 'emotional' });
    const group = await raise({ title: '困境儿童小组辅导', category: 'emotional', beneficiaries: 8 });
    const a = await ok(`/needs/${one.id}/matches/${(await matchFor(one.id, r.id)).id}/accept`, {});
    const b = await ok(`/needs/${group.id}/matches/${(await matchFor(group.id, r.id)).id}/accept`, {});
    expect(a).toMatchObject({ project: null, task: { assigneeKind: 'social_worker', assigneeId: sw }, need: { metBy: 'social_worker' } });
    expect(b.task).toBeNull();
    expect(row('SELECT org_id, social_worker_id FROM projects WHERE id = ?', b.project.id)).toEqual({ org_id: null, social_worker_id: sw });
    const tasks = (await get(`${api}/tasks?assignee=social_worker&status=open`)).body.items as { needId: number }[];
    expect(tasks.map((t) => t.needId)).toEqual([one.id]);
  });

  it('closing a matched need gives the resource its place back and cancels the task; closed is final', async () => {
    const r = await resource({ title: '便民维修（限一单）', capacity: 1 });
    const need = await raise();
    const out = await ok(`/needs/${need.id}/matches/${(await matchFor(need.id, r.id)).id}/accept`, {});
    expect((await get(`${api}/resources/${r.id}`)).body.resource.inUse).toBe(1);
    const closed = (await ok(`/needs/${need.id}/close`, { reason: 'withdrawn', note: '居民已自行请人修好' })).need;
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'withdrawn', allowed: [] });
    expect((await get(`${api}/resources/${r.id}`)).body.resource.inUse).toBe(0);
    expect((await get(`${api}/tasks/${out.task.id}`)).body.task).toMatchObject({ status: 'cancelled', note: '居民已自行请人修好' });
    const again = await refused(`/needs/${need.id}/start`, {}, 409, 'error.transition_not_allowed');
    expect(again).toMatchObject({ status: 'closed', allowed: [] });
  });

  it('declines a proposal for good: that resource is not proposed for the need again', async () => {
    const r = await resource({ title: '便民维修（周末）', gridId: 'G03', capacity: 9 });
    const need = await raise();
    const m = await matchFor(need.id, r.id);
    expect((await ok(`/needs/${need.id}/matches/${m.id}/decline`, { note: '居民不便周末' })).match).toMatchObject({ status: 'declined', note: '居民不便周末' });
    const again = (await ok(`/needs/${need.id}/matches`, {})).items as { resourceId: number }[];
    expect(again.map((x) => x.resourceId)).not.toContain(r.id);
    await refused(`/needs/${need.id}/matches/${m.id}/accept`, {}, 409, 'error.match_not_proposed');
  });
});

describe('capacity', () => {
  it('never lets concurrent accepts take more places than a resource has', async () => {
    const r = await resource({ providerName: '桂花社区文体中心', title: '文体活动场地（两场）', category: 'culture', capacity: 2 });
    const needs = [];
    for (let i = 0; i < 6; i++) needs.push(await raise({ title: `老年文体活动 ${i}`, category: 'culture' }));
    const matches: { id: number }[] = [];
    for (const need of needs) matches.push(await matchFor(need.id, r.id));
    const results = await Promise.all(needs.map((need, i) => post(`${api}/needs/${need.id}/matches/${matches[i]!.id}/accept`, {})));
    expect(results.filter((x) => x.status === 200)).toHaveLength(2);
    const refusedOnes = results.filter((x) => x.status !== 200);
    expect(refusedOnes).toHaveLength(4);
    for (const x of refusedOnes) expect(x.body.error).toMatchObject({ code: 'error.resource_full', capacity: 2 });
    expect(row('SELECT in_use, capacity FROM resources WHERE id = ?', r.id)).toEqual({ in_use: 2, capacity: 2 });
    expect(n("SELECT COUNT(*) AS n FROM needs WHERE resource_id = ? AND status = 'matched'", r.id)).toBe(2);
    expect(n("SELECT COUNT(*) AS n FROM tasks WHERE resource_id = ? AND status = 'open'", r.id)).toBe(2);
    // A full resource is not proposed again until a place is freed.
    const late = await raise({ category: 'culture' });
    expect(((await ok(`/needs/${late.id}/matches`, {})).items as { resourceId: number }[]).map((x) => x.resourceId)).not.toContain(r.id);
  });

  it('refuses a paused resource, and a provider that is not active', async () => {
    const r = await resource({ title: '暂停的维修点', capacity: 3 });
    const need = await raise();
    const m = await matchFor(need.id, r.id);
    await ok(`/resources/${r.id}/status`, { status: 'paused', note: '师傅休假' });
    await refused(`/needs/${need.id}/matches/${m.id}/accept`, {}, 409, 'error.resource_unavailable');
    const v = await volunteer('暂离的志愿者');
    await ok(`/volunteers/${v.id}/status`, { status: 'paused' });
    await refused('/resources', { providerKind: 'volunteer', providerId: v.id, title: '陪伴', category: 'emotional' }, 409, 'error.provider_inactive');
  });
});

describe('bad input', () => {
  it('answers a 400 naming each bad field and writes nothing', async () => {
    const need = await raise();
    const before = footprint();
    const bad = async (path: string, body: unknown, fields: string[]) => {
      const e = await refused(path, body, 400, typeof body === 'string' ? 'error.bad_json' : 'error.validation');
      expect(e.issues.map((i: { field: string }) => i.field).sort(), JSON.stringify(e.issues)).toEqual([...fields].sort());
    };
    await bad('/needs', { title: '', category: 'cooking', urgency: 'asap', raisedByKind: 'neighbour', beneficiaries: 0, populations: ['elderly'], colour: 'red' },
      ['title', 'category', 'urgency', 'raisedByKind', 'beneficiaries', 'populations[0]', 'colour']);
    await bad('/needs', { title: '送餐', category: 'meals' }, ['raisedByKind']);
    await bad('/needs', { title: '送餐', category: 'meals', raisedByKind: 'resident', gridId: 'G99' }, ['gridId']);
    await bad('/needs', { title: '送餐', category: 'meals', raisedByKind: 'resident', raisedAt: iso(clock + 2 * HOUR) }, ['raisedAt']);
    await bad('/needs', { title: '送餐', category: 'meals', raisedByKind: 'resident', raisedAt: '2026-03-10 09:00' }, ['raisedAt']);
    await bad('/needs', '{"title": ', ['(body)']);
    await bad('/resources', { providerKind: 'volunteer', title: '陪伴', category: 'emotional' }, ['providerId']);
    await bad('/resources', { providerKind: 'donor', providerId: 3, title: '物资', category: 'material_aid' }, ['providerId', 'providerName']);
    await bad('/resources', { providerKind: 'volunteer', providerId: 999_999, title: '陪伴', category: 'emotional' }, ['providerId']);
    await bad('/resources', { providerKind: 'community', providerName: '社区', title: '助餐', category: 'meals', capacity: 0,
      availability: { days: [0, 8], from: '18:00', to: '9:00' } }, ['capacity', 'availability.days[0]', 'availability.days[1]', 'availability.to']);
    await bad('/resources', { providerKind: 'community', providerName: '社区', title: '助餐', category: 'meals',
      availability: { days: [1], from: '18:00', to: '09:00' } }, ['availability.to']);
    await bad(`/needs/${need.id}/matches`, { limit: 50 }, ['limit']);
    await bad(`/needs/${need.id}/close`, { reason: 'bored' }, ['reason', 'note']);
    await bad(`/needs/${need.id}/rate`, { satisfaction: 6 }, ['satisfaction']);
    await bad(`/needs/${need.id}/start`, { at: 'yesterday' }, ['at']);
    for (const q of ['status=done', 'limit=0', 'cursor=abc', 'overdue=maybe', 'colour=red']) {
      const r = await get(`${api}/needs?${q}`);
      expect(r.status, q).toBe(400);
    }
    expect(footprint()).toEqual(before);
  });

  it('answers 404 for what does not exist, and for another need’s match', async () => {
    const a = await raise();
    const b = await raise();
    const r = await resource({ title: '便民维修（404）', capacity: 5 });
    const mb = await matchFor(b.id, r.id);
    for (const path of ['/needs/999999', '/needs/XQ-2026-9999', '/resources/999999', '/tasks/999999', `/needs/999999/matches`]) {
      const res = await get(`${api}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('error.not_found');
    }
    await refused(`/needs/${a.id}/matches/${mb.id}/accept`, {}, 404, 'error.not_found');
    await refused('/needs/999999/start', {}, 404, 'error.not_found');
    expect((await post(`${api}/needs/${a.id}/finish`, {})).status).toBe(404);
  });
});

describe('lists', () => {
  it('pages through needs newest first with a cursor, and filters open and overdue ones', async () => {
    const all: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: number }[]; nextCursor: string | null } } = await get(`${api}/needs?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...res.body.items.map((x) => x.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(all).toEqual([...all].sort((x, y) => y - x));
    expect(new Set(all).size).toBe(n('SELECT COUNT(*) AS n FROM needs'));

    const urgent = await raise({ urgency: 'urgent', category: 'legal' });
    expect((await get(`${api}/needs?overdue=true&category=legal`)).body.items).toEqual([]);
    clock += 25 * HOUR;
    const overdue = (await get(`${api}/needs?overdue=true&category=legal`)).body.items;
    expect(overdue.map((x: { id: number }) => x.id)).toContain(urgent.id);
    expect(overdue[0]).toMatchObject({ overdue: true, status: 'raised' });
    const open = (await get(`${api}/needs?open=true&limit=500`)).body.items as { status: string }[];
    expect(open.every((x) => ['raised', 'matched', 'in_progress'].includes(x.status))).toBe(true);
    expect(open.length).toBe(n("SELECT COUNT(*) AS n FROM needs WHERE status IN ('raised', 'matched', 'in_progress')"));
  });

  it('lists resources by category and provider', async () => {
    const listed = (await get(`${api}/resources?category=repair&provider=volunteer`)).body.items as { category: string; providerKind: string }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((x) => x.category === 'repair' && x.providerKind === 'volunteer')).toBe(true);
  });
});

describe('the wall', () => {
  it('shows needs raised and met, open and overdue, and a linkage flow the database backs', async () => {
    ts.app.subjects.invalidate();
    const wall = openLive(ts.url, { display: true });
    try {
      await until(() => !!wall.client.state.views?.subjects, 'a snapshot');
      const { needs, linkage } = wall.client.state.views!.subjects!;
      const since = clock - 30 * 24 * HOUR;
      expect(needs.open).toBe(n("SELECT COUNT(*) AS n FROM needs WHERE status IN ('raised', 'matched', 'in_progress')"));
      expect(needs.overdue).toBe(n("SELECT COUNT(*) AS n FROM needs WHERE status IN ('raised', 'matched', 'in_progress') AND due_at < ?", clock));
      expect(needs.overdue).toBeGreaterThan(0);
      expect(needs.daily.reduce((s, d) => s + d.raised, 0)).toBe(n('SELECT COUNT(*) AS n FROM needs WHERE raised_at >= ?', Date.parse(`${needs.daily[0]!.day}T00:00:00+08:00`)));
      expect(needs.daily.reduce((s, d) => s + d.met, 0)).toBe(n('SELECT COUNT(*) AS n FROM needs WHERE met_at IS NOT NULL'));
      const response = row('SELECT AVG(met_at - raised_at) AS ms FROM needs WHERE met_at IS NOT NULL').ms as number;
      expect(needs.avgResponseHours).toBe(Math.round((response / HOUR) * 10) / 10);
      expect(needs.avgResponseHours).toBeGreaterThan(0);
      expect(needs.byCategory.find((c) => c.code === 'repair')!.met).toBe(1);

      // Every need raised in the window leaves its category once; what reaches a subject leaves it once.
      const total = n('SELECT COUNT(*) AS n FROM needs WHERE raised_at >= ?', since);
      const out = (prefix: string) => linkage.links.filter((l) => l.source.startsWith(prefix)).reduce((s, l) => s + l.value, 0);
      const into = (prefix: string) => linkage.links.filter((l) => l.target.startsWith(prefix)).reduce((s, l) => s + l.value, 0);
      expect(out('need:')).toBe(total);
      expect(into('subject:')).toBe(out('subject:'));
      expect(into('outcome:')).toBe(total);
      expect(linkage.links.find((l) => l.source === 'need:repair' && l.target === 'subject:volunteer')).toBeDefined();
      expect(linkage.links.find((l) => l.source === 'need:meals' && l.target === 'subject:org')?.value).toBe(2);
      expect(linkage.links.find((l) => l.source === 'subject:volunteer' && l.target === 'outcome:met')).toBeDefined();
      expect(linkage.links.some((l) => l.target === 'outcome:waiting')).toBe(true);
      // Layered, so acyclic: need → subject → outcome, never back.
      const layer = (id: string) => ['need', 'subject', 'outcome'].indexOf(id.split(':')[0]!);
      for (const l of linkage.links) {
        expect(layer(l.target)).toBeGreaterThan(layer(l.source));
        expect(l.value).toBeGreaterThan(0);
      }
      expect(new Set(linkage.nodes.map((x) => x.id))).toEqual(new Set(linkage.links.flatMap((l) => [l.source, l.target])));
    } finally {
      wall.close();
    }
  });
});
