/**
 * What each caller may learn and do, at the edges: a duplicate report tells an outsider only that
 * the event exists; parallel password guesses meet the same limit as sequential ones; a login
 * replaces the session the browser held; a grid worker sees and touches only their grids' needs
 * and tasks, and cannot report into another grid by coordinates; prototype keys are no actions;
 * and a page of people's records read by staff is logged, naming the records that are someone's.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_PASSWORD, apiKey, createUser, loginAs, post, request, requestFrom, sampleReport, startServer, until,
  type Credentials, type TestServer,
} from '../support/server.ts';
import { DEMO_COMMUNITY, randomPointIn } from '../../server/demo/community.ts';

let ts: TestServer;
let api: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const count = (sql: string, ...args: unknown[]) => (ts.app.db.prepare(sql).get(...args) as { n: number }).n;

/** A point strictly inside the demo grid `id`, checked against the server's own directory. */
function pointIn(id: string): { lat: number; lng: number } {
  const grid = DEMO_COMMUNITY.grids.find((g) => g.id === id)!;
  const [lng, lat] = randomPointIn(grid, () => 0.5);
  expect(ts.app.directory.gridAt('guihua', lng, lat)?.id).toBe(id);
  return { lat, lng };
}

async function ok(path: string, body: unknown, status = 200) {
  const r = await post(`${api}${path}`, body);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

type AuditLine = { actorId: string | null; actorRole: string | null; action: string; targetType: string | null; targetId: string | null; detail: any };
async function audit(query: string): Promise<AuditLine[]> {
  const r = await request(`${api}/audit?limit=500&${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
}

describe('a report of an externalId already in', () => {
  const reporter = { reporterName: '欧阳娜娜', reporterPhone: '13700001234' };
  const first = {
    category: 'environment', subcategory: 'garbage', urgency: 'normal', source: 'hotline', externalId: 'T-1',
    title: '丹枫新村5幢楼下垃圾堆放', description: '垃圾两天未清运。', gridId: 'G02', address: '丹枫新村5幢1单元', ...reporter,
  };
  let event: { id: number; code: string };

  beforeAll(async () => {
    event = (await ok('/events', first, 201)).event;
    expect(event).toMatchObject({ gridId: 'G02', ...reporter }); // the full view carries no externalId
  });

  const noMore = (body: unknown) => {
    const text = JSON.stringify(body);
    for (const secret of [reporter.reporterName, reporter.reporterPhone, first.title, first.address]) expect(text).not.toContain(secret);
  };

  it('tells a grid worker of another grid that it exists, and nothing more', async () => {
    const worker = await loginAs(ts.url, 'grid_worker', ['G01']);
    const before = count('select count(*) n from events');
    const r = await request(`${api}/events`, {
      method: 'POST', as: worker, body: sampleReport({ gridId: 'G01', source: 'hotline', externalId: 'T-1', title: '桂花苑的另一件事' }),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ event: { id: event.id, code: event.code, externalId: 'T-1' }, created: false });
    noMore(r.body);
    expect(count('select count(*) n from events')).toBe(before);
  });

  it('tells an integration key, which only ingests, the same and nothing more', async () => {
    const { secret } = apiKey(ts.app, '数字城管');
    const r = await request(`${api}/events`, {
      method: 'POST', as: null, headers: bearer(secret), body: sampleReport({ gridId: 'G02', source: 'hotline', externalId: 'T-1' }),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ event: { id: event.id, code: event.code, externalId: 'T-1' }, created: false });
    noMore(r.body);
  });

  it('gives those who may read it the whole event: the admin, a grid worker of its grid', async () => {
    const again = await post(`${api}/events`, first);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(again.body.event).toMatchObject({ id: event.id, title: first.title, gridId: 'G02', ...reporter });
    const g02 = await loginAs(ts.url, 'grid_worker', ['G02']);
    const theirs = await request(`${api}/events`, { method: 'POST', as: g02, body: first });
    expect(theirs.status).toBe(200);
    expect(theirs.body.event).toMatchObject({ id: event.id, title: first.title, ...reporter });
  });

  it('leaves one events.create line in the audit log, for the report that made it', async () => {
    const lines = (await audit('action=events.create&targetType=events')).filter((l) => l.targetId === String(event.id));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ actorId: 'admin', actorRole: 'admin' });
    expect(count("select count(*) n from audit_log where action = 'events.create' and target_id = ?", String(event.id))).toBe(1);
    expect(count('select count(*) n from event_history where event_id = ?', event.id)).toBe(1);
  });
});

/**
 * POST the same JSON to `path` n times at once from `address`: every connection is opened and
 * sent all of its request but the body's last byte first, then the last bytes go out together,
 * so the server reads the n requests in one turn (as a guesser's burst would arrive).
 */
async function burst(address: string, path: string, bodies: unknown[]): Promise<{ status: number; body: any }[]> {
  const u = new URL(`${api}${path}`);
  const sockets = await Promise.all(bodies.map(() => new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port), localAddress: address }, () => resolve(s));
    s.once('error', reject);
  })));
  const answers = sockets.map((s) => new Promise<{ status: number; body: any }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.once('error', reject);
    s.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      let body: any = null;
      try {
        body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
      } catch { /* not JSON (or chunked): the status is what counts */ }
      resolve({ status, body });
    });
  }));
  const payloads = bodies.map((b) => Buffer.from(JSON.stringify(b)));
  sockets.forEach((s, i) => {
    const data = payloads[i]!;
    s.write(`POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${data.length}\r\nConnection: close\r\n\r\n`);
    s.write(data.subarray(0, -1));
  });
  await new Promise((r) => setTimeout(r, 50));
  sockets.forEach((s, i) => s.write(payloads[i]!.subarray(-1)));
  return Promise.all(answers);
}

describe('password guesses fired in parallel', () => {
  it('get at most 5 answers before the limit, and the owner still logs in from elsewhere', async () => {
    const username = 'guessed.in.parallel';
    await createUser(ts.app, username, 'dispatcher');
    const answers = await burst('127.0.0.21', '/auth/login', Array.from({ length: 30 }, (_, i) => ({ username, password: `wrong-guess-${i}` })));
    const statuses = answers.map((a) => a.status);
    const tried = statuses.filter((s) => s === 401).length;
    expect(tried, statuses.join(',')).toBeGreaterThan(0);
    expect(tried, statuses.join(',')).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s !== 401 && s !== 429), statuses.join(',')).toEqual([]);
    for (const a of answers) if (a.status === 429 && a.body) expect(a.body.error.code).toBe('error.rate_limited');
    const failed = (await audit('action=auth.login_failed')).filter((l) => l.detail?.username === username);
    expect(failed.length).toBe(tried);

    const login = (address: string, password: string) =>
      requestFrom(address, `${api}/auth/login`, { method: 'POST', body: { username, password } });
    const right = await login('127.0.0.21', TEST_PASSWORD);
    expect(right.status).toBe(429);
    expect(right.headers.get('set-cookie')).toBeNull();
    expect((await login('127.0.0.22', TEST_PASSWORD)).status).toBe(200);
  });
});

describe('logging in from a browser that holds a session', () => {
  it('ends the session the browser held, another user\'s', async () => {
    const a = await loginAs(ts.url, 'coordinator');
    const b = await createUser(ts.app, 'second.person', 'dispatcher');
    expect((await request(`${api}/auth/me`, { as: a })).status).toBe(200);
    const r = await request(`${api}/auth/login`, { method: 'POST', as: a, body: { username: b.username, password: TEST_PASSWORD } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const asB = { ...a, cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrfToken: r.body.csrfToken } as Credentials;
    expect(asB.cookie).not.toBe(a.cookie);
    const old = await request(`${api}/auth/me`, { as: a });
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('error.unauthenticated');
    const me = await request(`${api}/auth/me`, { as: asB });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('second.person');
  });

  it('ends the old session of the same user too', async () => {
    const a = await loginAs(ts.url, 'dispatcher');
    const r = await request(`${api}/auth/login`, { method: 'POST', as: a, body: { username: a.username, password: TEST_PASSWORD } });
    expect(r.status).toBe(200);
    expect((await request(`${api}/auth/me`, { as: a })).status).toBe(401);
    const renewed = { ...a, cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrfToken: r.body.csrfToken };
    expect((await request(`${api}/auth/me`, { as: renewed })).status).toBe(200);
  });
});

describe('a grid worker and the needs of other grids', () => {
  const resident = { residentName: '诸葛秀英', residentPhone: '13911112222' };
  let worker: Credentials;
  let mine: { id: number; code: string };
  let theirs: { id: number; code: string };
  let myTask: number;
  let theirTask: number;

  const raise = async (over: Record<string, unknown>) =>
    (await ok('/needs', { title: '老人家中水龙头漏水', category: 'repair', raisedByKind: 'resident', ...over }, 201)).need;

  beforeAll(async () => {
    theirs = await raise({ gridId: 'G02', title: '丹枫新村独居老人水管漏水', ...resident });
    mine = await raise({ gridId: 'G01', title: '桂花苑楼道灯不亮', raisedByKind: 'grid_worker' });
    // A task for each: the community's own repair service, with room for both.
    const resource = (await ok('/resources', {
      providerKind: 'community', providerName: '桂花社区便民维修队', title: '便民维修', category: 'repair', capacity: 2,
    }, 201)).resource;
    const tasks: number[] = [];
    for (const need of [mine, theirs]) {
      const items = (await ok(`/needs/${need.id}/matches`, { limit: 20 })).items as { id: number; resourceId: number }[];
      const match = items.find((m) => m.resourceId === resource.id)!;
      expect(match, `resource proposed for need ${need.id}`).toBeDefined();
      const out = await ok(`/needs/${need.id}/matches/${match.id}/accept`, {});
      expect(out.task).toMatchObject({ needId: need.id });
      tasks.push(out.task.id);
    }
    [myTask, theirTask] = tasks as [number, number];
    worker = await loginAs(ts.url, 'grid_worker', ['G01']);
  });

  const statusOf = async (id: number) => (await request(`${api}/needs/${id}`)).body.need.status;

  it('lists only their grids\' needs, and never another grid\'s resident', async () => {
    const list = await request(`${api}/needs?limit=500`, { as: worker });
    expect(list.status).toBe(200);
    const ids = list.body.items.map((n: { id: number }) => n.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    expect(new Set(list.body.items.map((n: { gridId: string }) => n.gridId))).toEqual(new Set(['G01']));
    const asked = await request(`${api}/needs?grid=G02`, { as: worker });
    expect(asked.status).toBe(200);
    expect(asked.body.items).toEqual([]);
    for (const body of [list.body, asked.body]) {
      expect(JSON.stringify(body)).not.toContain(resident.residentName);
      expect(JSON.stringify(body)).not.toContain(resident.residentPhone);
    }
  });

  it('cannot open another grid\'s need, by id or by code', async () => {
    expect((await request(`${api}/needs/${mine.id}`, { as: worker })).status).toBe(200);
    for (const path of [`/needs/${theirs.id}`, `/needs/${theirs.code}`]) {
      const r = await request(`${api}${path}`, { as: worker });
      expect(r.status, path).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain(resident.residentName);
    }
  });

  it('cannot start or meet another grid\'s need: 404, and nothing changes', async () => {
    const versionOf = () => count('select version n from needs where id = ?', theirs.id);
    expect(await statusOf(theirs.id)).toBe('matched');
    const v0 = versionOf();
    const start = await request(`${api}/needs/${theirs.id}/start`, { method: 'POST', as: worker, body: {} });
    expect(start.status, JSON.stringify(start.body)).toBe(404);
    expect(await statusOf(theirs.id)).toBe('matched');
    expect(versionOf()).toBe(v0);

    await ok(`/needs/${theirs.id}/start`, {}); // the admin starts it; the worker may still not meet it
    const v1 = versionOf();
    const meet = await request(`${api}/needs/${theirs.id}/meet`, { method: 'POST', as: worker, body: {} });
    expect(meet.status, JSON.stringify(meet.body)).toBe(404);
    expect(await statusOf(theirs.id)).toBe('in_progress');
    expect(versionOf()).toBe(v1);
    expect(count("select count(*) n from tasks where id = ? and status = 'open'", theirTask)).toBe(1);

    // Their own grid's need they do start.
    const own = await request(`${api}/needs/${mine.id}/start`, { method: 'POST', as: worker, body: {} });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body.need.status).toBe('in_progress');
  });

  it('sees only the tasks of their grids\' needs', async () => {
    const list = await request(`${api}/tasks?limit=500`, { as: worker });
    expect(list.status).toBe(200);
    const ids = list.body.items.map((t: { id: number }) => t.id);
    expect(ids).toContain(myTask);
    expect(ids).not.toContain(theirTask);
    expect((await request(`${api}/tasks?need=${theirs.id}`, { as: worker })).body.items).toEqual([]);
    expect((await request(`${api}/tasks/${myTask}`, { as: worker })).status).toBe(200);
    expect((await request(`${api}/tasks/${theirTask}`, { as: worker })).status).toBe(404);
    // The admin sees both.
    const all = (await request(`${api}/tasks?limit=500`)).body.items.map((t: { id: number }) => t.id);
    expect(all).toEqual(expect.arrayContaining([myTask, theirTask]));
  });

  it('must name one of their grids to raise a need, and is refused another\'s; nothing is written', async () => {
    const before = count('select count(*) n from needs');
    const body = { title: '楼道堆放杂物', category: 'repair', raisedByKind: 'grid_worker' };
    const none = await request(`${api}/needs`, { method: 'POST', as: worker, body });
    expect(none.status, JSON.stringify(none.body)).toBe(400);
    expect(none.body.error.issues.map((i: { field: string }) => i.field)).toContain('gridId');
    const other = await request(`${api}/needs`, { method: 'POST', as: worker, body: { ...body, gridId: 'G02' } });
    expect(other.status, JSON.stringify(other.body)).toBe(403);
    expect(other.body.error.code).toBe('error.forbidden');
    expect(count('select count(*) n from needs')).toBe(before);
    const own = await request(`${api}/needs`, { method: 'POST', as: worker, body: { ...body, gridId: 'G01' } });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
  });
});

describe('a grid worker reporting by coordinates', () => {
  it('is refused a point in another grid, or in none, and nothing is written', async () => {
    const worker = await loginAs(ts.url, 'grid_worker', ['G01']);
    const events = () => count('select count(*) n from events');
    const journal = () => count('select count(*) n from journal');
    const before = { events: events(), journal: journal() };
    const at = (p: { lat: number; lng: number }) => {
      const { gridId: _grid, address: _address, ...rest } = sampleReport({ title: '按坐标上报' });
      return { ...rest, ...p };
    };
    for (const point of [pointIn('G02'), { lat: 30.0, lng: 120.0 }]) {
      const r = await request(`${api}/events`, { method: 'POST', as: worker, body: at(point) });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error.issues.map((i: { field: string }) => i.field)).toContain('lat');
    }
    // Neither a grid nor a point (an address only): the event would be out of their sight at once.
    const { gridId: _g, ...addressOnly } = sampleReport({ title: '只有地址的上报', address: '丹枫新村5幢' });
    const bare = await request(`${api}/events`, { method: 'POST', as: worker, body: addressOnly });
    expect(bare.status, JSON.stringify(bare.body)).toBe(400);
    expect(bare.body.error.issues.map((i: { field: string }) => i.field)).toEqual(['gridId']);
    await new Promise((r) => setTimeout(r, 60)); // a group commit would have landed by now
    expect({ events: events(), journal: journal() }).toEqual(before);

    // A point in their own grid goes in, placed in that grid; the admin may report anywhere.
    const own = await request(`${api}/events`, { method: 'POST', as: worker, body: at(pointIn('G01')) });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body.event.gridId).toBe('G01');
    const admin = await post(`${api}/events`, at(pointIn('G02')));
    expect(admin.status).toBe(201);
    expect(admin.body.event.gridId).toBe('G02');
  });
});

describe('prototype keys as event actions', () => {
  const keys = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
  let id: number;
  beforeAll(async () => {
    id = (await ok('/events', sampleReport(), 201)).event.id;
  });

  it('are no action: 404 for an admin, refused to a display and a key; never a 500', async () => {
    const { secret } = apiKey(ts.app, '原型测试');
    const before = count('select count(*) n from event_history where event_id = ?', id);
    for (const key of keys) {
      const url = `${api}/events/${id}/${key}`;
      const admin = await request(url, { method: 'POST', body: {} });
      expect(admin.status, `admin ${key}: ${JSON.stringify(admin.body)}`).toBe(404);
      expect(admin.body.error.code).toBe('error.not_found');
      for (const [who, token] of [['display', ts.displayToken!], ['api key', secret]] as const) {
        const r = await request(url, { method: 'POST', as: null, headers: bearer(token), body: {} });
        expect(r.status, `${who} ${key}: ${JSON.stringify(r.body)}`).not.toBe(500);
        expect([403, 404], `${who} ${key}: ${r.status}`).toContain(r.status);
      }
    }
    expect(count('select count(*) n from event_history where event_id = ?', id)).toBe(before);
  });
});

describe('staff reading pages of people\'s records', () => {
  it('logs one records.list line per page naming the records that are someone\'s, and nothing for an empty page', async () => {
    // Needs in G07: two with a resident (a name, or only a phone), one without.
    const raise = async (over: Record<string, unknown>) =>
      (await ok('/needs', { title: '代购生活用品', category: 'daily_care', raisedByKind: 'resident', gridId: 'G07', ...over }, 201)).need;
    const named = await raise({ residentName: '上官明', residentPhone: '13500001111' });
    const phoneOnly = await raise({ residentPhone: '13500002222' });
    const nobody = await raise({ raisedByKind: 'grid_worker', title: '公共区域绿化修剪' });
    // Events in G08: one with a reporter, one without.
    const withReporter = (await ok('/events', sampleReport({ gridId: 'G08' }), 201)).event;
    const anonymous = (await ok('/events', sampleReport({
      gridId: 'G08', reporterName: undefined, reporterPhone: undefined, description: '巡查发现垃圾未清运。',
    }), 201)).event;
    // Donations designated to a need of G09.
    const target = await raise({ gridId: 'G09', raisedByKind: 'grid_worker', title: '困难家庭生活补助' });
    const person = { donorKind: 'person', donorName: '孙丽华', donorPhone: '13866667777', needId: target.id };
    const d1 = (await ok('/charity/donations', { kind: 'money', amountCents: 10_000, ...person }, 201)).donation;
    const d2 = (await ok('/charity/donations', { kind: 'money', amountCents: 20_000, ...person, anonymous: true }, 201)).donation;

    const reader = await loginAs(ts.url, 'social_worker');
    const read = async (path: string) => {
      const r = await request(`${api}${path}`, { as: reader });
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body;
    };
    // Empty pages first: if they logged anything, it would be there before the lines below.
    expect((await read('/needs?grid=G07&status=rated')).items).toEqual([]);
    expect((await read('/events?grid=G08&status=closed')).items).toEqual([]);
    expect((await read(`/charity/donations?need=${nobody.id}`)).items).toEqual([]);

    const needs = await read('/needs?grid=G07');
    expect(needs.items.map((n: { id: number }) => n.id).sort()).toEqual([named.id, phoneOnly.id, nobody.id].sort());
    const events = await read('/events?grid=G08');
    expect(events.items.map((e: { id: number }) => e.id).sort()).toEqual([withReporter.id, anonymous.id].sort());
    const donations = await read(`/charity/donations?need=${target.id}`);
    expect(donations.items.map((d: { id: number }) => d.id).sort()).toEqual([d1.id, d2.id].sort());
    expect((await read(`/charity/donations/${d1.id}`)).donation.donorName).toBe('孙丽华');

    // Reads are logged soon after, in order: the last one landed means every one did.
    const logged = (action: string) =>
      count('select count(*) n from audit_log where action = ? and actor_id = ?', action, reader.username);
    await until(() => logged('records.read') >= 1, 'the donation read to be logged');

    const lists = await audit(`action=records.list&actor=${reader.username}`);
    const byType = Object.fromEntries(lists.map((l) => [l.targetType, l]));
    expect(lists.map((l) => l.targetType).sort()).toEqual(['donations', 'events', 'needs']);
    for (const l of lists) expect(l).toMatchObject({ actorRole: 'social_worker', targetId: null });
    expect([...byType.needs!.detail.ids].sort()).toEqual([named.id, phoneOnly.id].sort());
    expect(byType.needs!.detail.query).toEqual({ grid: 'G07' });
    expect(byType.events!.detail.ids).toEqual([withReporter.id]);
    expect([...byType.donations!.detail.ids].sort()).toEqual([d1.id, d2.id].sort());

    const reads = await audit(`action=records.read&actor=${reader.username}`);
    expect(reads.map((l) => [l.targetType, l.targetId])).toEqual([['donations', String(d1.id)]]);
  });
});
