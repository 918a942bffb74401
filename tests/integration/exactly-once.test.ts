/**
 * Exactly once over real HTTP (docs/OFFLINE.md): every write the tablet makes, sent three times
 * at once with one Idempotency-Key, applies once and answers the same; a key reused for another
 * request is a 422; a server that died between the commit and keeping the answer still answers a
 * retry from what it committed; the register kept from the tablet (buildings, households,
 * residents added and corrected) applies once too. Photos arrive in resumable chunks under their hash, and a record
 * naming one that is not whole is refused with nothing written.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SITE_PHOTO, logIn, request, sampleReport, startServer, TEST_PASSWORD, type Credentials, type TestServer,
} from '../support/server.ts';

let ts: TestServer;
let api: string;
let worker: Credentials;
let g01Worker: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  const community = ts.app.directory.defaultCommunity()!.id;
  g01Worker = ts.app.directory.grids.get('G01')!.workerId!;
  await ts.app.auth.accounts.users.create(null, community, {
    username: 'wang-li', displayName: '王丽', role: 'grid_worker', grids: ['G01'], workerId: g01Worker, password: TEST_PASSWORD, mustChangePassword: false,
  });
  worker = await logIn(ts.url, 'wang-li', TEST_PASSWORD);
});
afterAll(async () => {
  await ts?.stop();
});

const count = (sql: string, ...args: unknown[]) => ts.app.db.prepare(sql).pluck().get(...args) as number;
const keyed = (key: string, as: Credentials, body: unknown, path = '/events') =>
  request(`${api}${path}`, { method: 'POST', body, as, headers: { 'idempotency-key': key } });
const thrice = <T>(send: () => Promise<T>) => Promise.all([send(), send(), send()]);

/** A case in G01 dispatched to 王丽, not yet signed for. */
async function dispatched(): Promise<{ id: number; version: number }> {
  const r = await request(`${api}/events`, { method: 'POST', body: sampleReport() });
  const id = r.body.event.id as number;
  await request(`${api}/events/${id}/accept`, { method: 'POST', body: {} });
  const d = await request(`${api}/events/${id}/dispatch`, { method: 'POST', body: { assigneeId: g01Worker } });
  return { id, version: d.body.event.version };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
function putChunk(hash: string, bytes: Uint8Array, offset: number, total: number, as: Credentials, type = 'image/png') {
  return fetch(`${api}/uploads/${hash}`, {
    method: 'PUT', body: Buffer.from(bytes),
    headers: {
      cookie: as.cookie, 'x-csrf-token': as.csrfToken, 'content-type': 'application/octet-stream',
      'upload-offset': String(offset), 'upload-length': String(total), 'upload-type': type,
    },
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
}
/** A distinct PNG: the fixture with some bytes after its end (still a PNG by its first bytes). */
const photo = (tag: string, size = 0) => new Uint8Array(Buffer.concat([SITE_PHOTO, Buffer.from(tag), Buffer.alloc(size, 7)]));

async function uploadWhole(bytes: Uint8Array, as: Credentials, chunk = 64 * 1024): Promise<string> {
  const hash = sha(bytes);
  for (let at = 0; at < bytes.length; at += chunk) {
    const r = await putChunk(hash, bytes.subarray(at, at + chunk), at, bytes.length, as);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  return hash;
}

describe('a retried report', () => {
  it('sent three times at once with one key makes one case, and every answer names it', async () => {
    const before = count('SELECT COUNT(*) FROM events');
    const key = randomUUID();
    const body = sampleReport({ title: '楼道堆放杂物 · 三次重发' });
    const answers = await thrice(() => keyed(key, worker, body));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.event.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotency-replayed') === 'true')).toHaveLength(2);
    expect(count('SELECT COUNT(*) FROM events')).toBe(before + 1);
    // The audit log tells of one report, not three.
    expect(count("SELECT COUNT(*) FROM audit_log WHERE target_type = 'events' AND target_id = ?", String(answers[0]!.body.event.id))).toBe(1);
  });

  it('sent again with the same key and another body is refused with 422 naming the key, and nothing is written', async () => {
    const key = randomUUID();
    expect((await keyed(key, worker, sampleReport({ title: '井盖缺失' }))).status).toBe(201);
    const before = count('SELECT COUNT(*) FROM events');
    const other = await keyed(key, worker, sampleReport({ title: '井盖缺失（改）' }));
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('error.idempotency_key_reused');
    expect(other.body.error.issues).toEqual([{ field: 'Idempotency-Key', problem: 'was used for another request' }]);
    expect(count('SELECT COUNT(*) FROM events')).toBe(before);
  });

  it('refuses a malformed key with 400 naming it', async () => {
    const r = await keyed('short', worker, sampleReport());
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].field).toBe('Idempotency-Key');
  });

  it('keeps keys per person: the same key from another person is their own report', async () => {
    const key = randomUUID();
    const a = await keyed(key, worker, sampleReport({ title: '路灯不亮' }));
    const b = await keyed(key, ts.admin!, sampleReport({ title: '路灯不亮' }));
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.event.id).not.toBe(a.body.event.id);
  });

  it('answers a retry from what committed when the server died before keeping the answer', async () => {
    const key = randomUUID();
    const first = await keyed(key, worker, sampleReport({ title: '消防通道被占' }));
    expect(first.status).toBe(201);
    // As after a kill between the commit and keeping the answer: the claim and the write's result stand, the answer is gone.
    ts.app.db.prepare('UPDATE idempotency_keys SET status = NULL, answer = NULL WHERE owner = ? AND key = ?').run('wang-li', key);
    const before = count('SELECT COUNT(*) FROM events');
    const again = await thrice(() => keyed(key, worker, sampleReport({ title: '消防通道被占' })));
    expect(again.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(again.map((a) => a.body.event.id)).toEqual([first.body.event.id, first.body.event.id, first.body.event.id]);
    expect(again.every((a) => a.headers.get('idempotency-replayed') === 'true')).toBe(true);
    expect(count('SELECT COUNT(*) FROM events')).toBe(before);
  });

  it('keeps no outcome for a refused request: corrected, the same key goes through', async () => {
    const key = randomUUID();
    const bad = await keyed(key, worker, { ...sampleReport(), category: 'nonsense' });
    expect(bad.status).toBe(400);
    expect(count('SELECT COUNT(*) FROM idempotency_keys WHERE key = ?', key)).toBe(0);
  });
});

describe('a retried step of a case', () => {
  it('signs for, starts and resolves once each when every step is sent three times at once', async () => {
    const { id, version } = await dispatched();
    const step = async (action: string, body: Record<string, unknown>) => {
      const key = randomUUID();
      const answers = await thrice(() => keyed(key, worker, body, `/events/${id}/${action}`));
      expect(answers.map((a) => a.status), JSON.stringify(answers[0]!.body)).toEqual([200, 200, 200]);
      expect(new Set(answers.map((a) => a.body.event.version)).size).toBe(1);
      return answers[0]!.body.event.version as number;
    };
    const v1 = await step('sign', { expectedVersion: version });
    const v2 = await step('start', { expectedVersion: v1 });
    const v3 = await step('resolve', { expectedVersion: v2, note: '已清运' });
    expect(v3).toBe(version + 3);
    const lines = ts.app.db.prepare('SELECT action FROM event_history WHERE event_id = ? ORDER BY id').pluck().all(id);
    expect(lines.filter((a) => a === 'sign' || a === 'start' || a === 'resolve')).toEqual(['sign', 'start', 'resolve']);
  });

  it('flags a step taken offline on a case the dispatcher changed meanwhile (409 naming who), and keeps no outcome for it', async () => {
    const { id, version } = await dispatched();
    await request(`${api}/events/${id}/urge`, { method: 'POST', body: { note: '请尽快' } });
    const key = randomUUID();
    const r = await keyed(key, worker, { expectedVersion: version }, `/events/${id}/sign`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('error.version_conflict');
    expect(count('SELECT COUNT(*) FROM idempotency_keys WHERE key = ?', key)).toBe(0);
  });
});

describe('photos in resumable chunks', () => {
  it('takes a photo in chunks, tells where it stands, resumes after a wrong offset and dedupes a whole one', async () => {
    const bytes = photo('chunks', 300_000);
    const hash = sha(bytes);
    expect((await request(`${api}/uploads/${hash}`, { as: worker })).status).toBe(404);
    const first = await putChunk(hash, bytes.subarray(0, 100_000), 0, bytes.length, worker);
    expect(first).toMatchObject({ status: 200, body: { received: 100_000, complete: false, bytes: bytes.length, type: 'image/png' } });
    // The first chunk sent twice (its answer was lost): offset 0 begins the upload again, nothing appended twice.
    const twice = await putChunk(hash, bytes.subarray(0, 100_000), 0, bytes.length, worker);
    expect(twice.body).toMatchObject({ received: 100_000, complete: false });
    // A later chunk sent twice is told where the server stands.
    expect((await putChunk(hash, bytes.subarray(50_000, 100_000), 50_000, bytes.length, worker)).body.error.received).toBe(100_000);
    const wrong = await putChunk(hash, bytes.subarray(200_000, 300_000), 200_000, bytes.length, worker);
    expect(wrong.status).toBe(409);
    expect(wrong.body.error).toMatchObject({ code: 'error.upload_offset', received: 100_000 });
    const status = await request(`${api}/uploads/${hash}`, { as: worker });
    expect(status.body).toMatchObject({ received: 100_000, complete: false });
    for (let at = 100_000; at < bytes.length; at += 100_000) {
      const r = await putChunk(hash, bytes.subarray(at, at + 100_000), at, bytes.length, worker);
      expect(r.status).toBe(200);
    }
    const done = await request(`${api}/uploads/${hash}`, { as: worker });
    expect(done.body).toMatchObject({ received: bytes.length, complete: true });
    // Someone else with the same photo has nothing to send.
    const other = await request(`${api}/uploads/${hash}`);
    expect(other.body.complete).toBe(true);
  });

  it('finishes a photo whose every byte came in before the server died, when it is next asked about', async () => {
    const bytes = photo('died-before-finish', 90_000);
    const hash = sha(bytes);
    expect((await putChunk(hash, bytes.subarray(0, 60_000), 0, bytes.length, worker)).status).toBe(200);
    // As a kill between writing the last chunk and checking the whole: the bytes are in, no blob yet.
    const owner = createHash('sha256').update('wang-li').digest('hex').slice(0, 16);
    fs.appendFileSync(path.join(ts.dataDir, 'photos', 'uploads', `${owner}-${hash}.part`), bytes.subarray(60_000));
    const status = await request(`${api}/uploads/${hash}`, { as: worker });
    expect(status.body).toMatchObject({ received: bytes.length, complete: true });
    expect(fs.existsSync(path.join(ts.dataDir, 'photos', 'blobs', hash))).toBe(true);
  });

  it('drops an upload whose bytes do not hash to its name, with 422', async () => {
    const bytes = photo('lies');
    const r = await putChunk(sha(photo('truth')), bytes, 0, bytes.length, worker);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('error.upload_hash');
  });

  it('refuses chunk headers that are missing or wrong, naming each', async () => {
    const bytes = photo('headers');
    const r = await putChunk(sha(bytes), bytes, 0, bytes.length, worker, 'image/gif');
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].field).toBe('Upload-Type');
    const res = await fetch(`${api}/uploads/${sha(bytes)}`, {
      method: 'PUT', body: Buffer.from(bytes), headers: { cookie: worker.cookie, 'x-csrf-token': worker.csrfToken, 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.issues[0].field).toBe('Upload-Offset');
  });

  it('takes a report only with all its photos whole, attaches them in the same write and says how many', async () => {
    const a = photo('report-a', 50_000);
    const b = photo('report-b', 70_000);
    const ha = await uploadWhole(a, worker);
    const half = sha(b);
    await putChunk(half, b.subarray(0, 30_000), 0, b.length, worker);
    const before = count('SELECT COUNT(*) FROM events');
    const body = sampleReport({ title: '墙面涂鸦', photos: [{ sha256: ha, name: '现场1.png' }, { sha256: half, name: '现场2.png' }] });
    const refused = await keyed(randomUUID(), worker, body);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('error.photos_incomplete');
    expect(refused.body.error.issues).toEqual([{ field: 'photos[1].sha256', problem: 'is not uploaded whole yet' }]);
    expect(count('SELECT COUNT(*) FROM events')).toBe(before);

    await putChunk(half, b.subarray(30_000), 30_000, b.length, worker);
    const key = randomUUID();
    const taken = await thrice(() => keyed(key, worker, body));
    expect(taken.map((t) => t.status)).toEqual([201, 201, 201]);
    expect(taken.map((t) => t.body.photos)).toEqual([2, 2, 2]);
    const id = taken[0]!.body.event.id;
    const list = await request(`${api}/events/${id}/photos`, { as: worker });
    expect(list.body.items.map((p: { name: string; sha256: string }) => [p.name, p.sha256])).toEqual([['现场1.png', ha], ['现场2.png', half]]);
    const served = await fetch(`${ts.url}${list.body.items[1].url}`, { headers: { cookie: worker.cookie } });
    expect(sha(new Uint8Array(await served.arrayBuffer()))).toBe(half);
  });

  it('resolves a case with its after photos in one write', async () => {
    const { id, version } = await dispatched();
    const signed = await keyed(randomUUID(), worker, { expectedVersion: version }, `/events/${id}/sign`);
    const started = await keyed(randomUUID(), worker, { expectedVersion: signed.body.event.version }, `/events/${id}/start`);
    const after = await uploadWhole(photo('after', 20_000), worker);
    const key = randomUUID();
    const body = { expectedVersion: started.body.event.version, note: '已修复', photos: [{ sha256: after, name: '修复后.png', stage: 'after' }] };
    const done = await thrice(() => keyed(key, worker, body, `/events/${id}/resolve`));
    expect(done.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(done[0]!.body).toMatchObject({ event: { status: 'resolved' }, photos: 1 });
    const list = await request(`${api}/events/${id}/photos`);
    expect(list.body.items.map((p: { stage: string | null }) => p.stage)).toEqual(['after']);
  });
});

describe('keys kept across a restart', () => {
  it('answers a retry after the server restarted on the same data, applying nothing again', async () => {
    const server = await startServer();
    const community = server.app.directory.defaultCommunity()!.id;
    await server.app.auth.accounts.users.create(null, community, {
      username: 'li-na', displayName: '李娜', role: 'grid_worker', grids: ['G01'], password: TEST_PASSWORD, mustChangePassword: false,
    });
    const who = await logIn(server.url, 'li-na', TEST_PASSWORD);
    const key = randomUUID();
    const body = sampleReport({ title: '电动车楼道充电' });
    const send = (url: string, as: Credentials) => request(`${url}/api/v1/events`, { method: 'POST', body, as, headers: { 'idempotency-key': key } });
    const first = await send(server.url, who);
    await server.stop();
    const again = await startServer({ dataDir: server.dataDir, admin: false });
    try {
      const who2 = await logIn(again.url, 'li-na', TEST_PASSWORD);
      const before = again.app.db.prepare('SELECT COUNT(*) FROM events').pluck().get();
      const retry = await send(again.url, who2);
      expect(retry.status).toBe(201);
      expect(retry.body.event.id).toBe(first.body.event.id);
      expect(retry.headers.get('idempotency-replayed')).toBe('true');
      expect(again.app.db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(before);
    } finally {
      await again.stop();
    }
  });
});

describe('a need raised from a visit', () => {
  it('sent three times at once with one key is raised once', async () => {
    const before = count('SELECT COUNT(*) FROM needs');
    const key = randomUUID();
    const body = { title: '独居老人需要助餐', category: 'meals', raisedByKind: 'grid_worker', gridId: 'G01', populations: ['elderly_alone'] };
    const answers = await thrice(() => keyed(key, worker, body, '/needs'));
    expect(answers.map((a) => a.status), JSON.stringify(answers[0]!.body)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.need.id)).size).toBe(1);
    expect(count('SELECT COUNT(*) FROM needs')).toBe(before + 1);
  });
});

describe('the register kept from the tablet', () => {
  it('adds a building, a household and a resident once each, and corrects a resident once, each sent three times at once with one key', async () => {
    const send = (method: 'POST' | 'PATCH', path: string, body: unknown) => {
      const key = randomUUID();
      return thrice(() => request(`${api}${path}`, { method, body, as: worker, headers: { 'idempotency-key': key } }));
    };
    const one = (answers: { status: number; body: any }[], status: number, what: string) => {
      expect(answers.map((a) => a.status), JSON.stringify(answers[0]!.body)).toEqual([status, status, status]);
      expect(new Set(answers.map((a) => a.body[what].id)).size).toBe(1);
      return answers[0]!.body[what];
    };
    const counts = () => ['buildings', 'households', 'residents'].map((t) => count(`SELECT COUNT(*) FROM ${t}`));
    const [b0, h0, r0] = counts();
    const building = one(await send('POST', '/register/buildings', { gridId: 'G01', address: '桂花路9号1栋', units: 1, floors: 6 }), 201, 'building');
    const household = one(await send('POST', '/register/households', { buildingId: building.id, unit: '1', room: '301', kind: 'owner' }), 201, 'household');
    const resident = one(await send('POST', '/register/residents', {
      householdId: household.id, name: '欧阳秀兰', gender: 'female', birth: '1941', relation: 'head', residence: 'resident', tags: ['elderly_alone'],
    }), 201, 'resident');
    expect(counts()).toEqual([b0! + 1, h0! + 1, r0! + 1]);

    const corrected = await send('PATCH', `/register/residents/${resident.id}`, { phone: '13800002222', expectedVersion: resident.version });
    expect(corrected.map((a) => a.status), JSON.stringify(corrected[0]!.body)).toEqual([200, 200, 200]);
    expect(corrected.map((a) => a.body.resident.version)).toEqual([resident.version + 1, resident.version + 1, resident.version + 1]);
    expect(count('SELECT version FROM residents WHERE id = ?', resident.id)).toBe(resident.version + 1);
    // One correction kept in the resident's history, not three.
    expect(count("SELECT COUNT(*) FROM register_history WHERE entity = 'resident' AND entity_id = ?", resident.id)).toBe(1);
  });
});
