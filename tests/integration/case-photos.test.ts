/**
 * Photos on a case (现场照片) over real HTTP: the worker adds them while handling, staff list and
 * open them, a retried upload is stored once, bad files are refused naming the field, and
 * closing a case whose category needs evidence is refused until it has a photo. No photo ever
 * reaches a wall.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUser, logIn, openSocket, request, sampleReport, startServer, until, TEST_PASSWORD, type Credentials, type TestServer,
} from '../support/server.ts';
import type { Batch, SubscribeResult } from '../../shared/protocol.ts';
import { MAX_PHOTOS, MAX_PHOTO_BYTES } from '../../shared/photos.ts';

const PNG = fs.readFileSync(path.join(import.meta.dirname, '../fixtures/site-photo.png'));
const png = (over: Record<string, unknown> = {}) => ({ name: '清运后.png', type: 'image/png', data: PNG.toString('base64'), ...over });

let ts: TestServer;
let api: string;
let worker: Credentials;
let otherGrid: Credentials;
let colleague: Credentials;
let g01Worker: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  const community = ts.app.directory.defaultCommunity()!.id;
  g01Worker = ts.app.directory.grids.get('G01')!.workerId!;
  await ts.app.auth.accounts.users.create(null, community, {
    username: 'wang-li', displayName: '王丽', role: 'grid_worker', grids: ['G01'], workerId: g01Worker, password: TEST_PASSWORD, mustChangePassword: false,
  });
  await createUser(ts.app, 'g02-worker', 'grid_worker', ['G02']);
  // Works G01 too, but as another grid-worker record: not the one the cases are dispatched to.
  await ts.app.auth.accounts.users.create(null, community, {
    username: 'zhao-qiang', displayName: '赵强', role: 'grid_worker', grids: ['G01'],
    workerId: [...ts.app.directory.workers.values()].find((w) => w.id !== g01Worker)!.id, password: TEST_PASSWORD, mustChangePassword: false,
  });
  colleague = await logIn(ts.url, 'zhao-qiang', TEST_PASSWORD);
  worker = await logIn(ts.url, 'wang-li', TEST_PASSWORD);
  otherGrid = await logIn(ts.url, 'g02-worker', TEST_PASSWORD);
});
afterAll(async () => {
  await ts?.stop();
});

const act = async (id: number, action: string, body: Record<string, unknown> = {}, as?: Credentials) =>
  request(`${api}/events/${id}/${action}`, { method: 'POST', body, ...(as ? { as } : {}) });
const upload = (id: number, body: unknown, o: { as?: Credentials | null; key?: string; headers?: Record<string, string> } = {}) =>
  request(`${api}/events/${id}/photos`, {
    method: 'POST', body: body as Record<string, unknown>, ...(o.as !== undefined ? { as: o.as } : {}),
    headers: { ...(o.key ? { 'idempotency-key': o.key } : {}), ...o.headers },
  });

/** A case of `category` in G01, dispatched to 王丽 and started by her. */
async function caseInHand(category = 'environment', subcategory = 'garbage'): Promise<number> {
  const r = await request(`${api}/events`, { method: 'POST', body: sampleReport({ category, subcategory }) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const id = r.body.event.id as number;
  expect((await act(id, 'accept')).status).toBe(200);
  expect((await act(id, 'dispatch', { assigneeId: g01Worker })).status).toBe(200);
  expect((await act(id, 'sign', {}, worker)).status).toBe(200);
  expect((await act(id, 'start', {}, worker)).status).toBe(200);
  return id;
}

describe('photos on a case', () => {
  it('lets the worker add a photo, lists it for the dispatcher and serves its bytes privately, inline and unsniffed', async () => {
    const id = await caseInHand();
    const up = await upload(id, png(), { as: worker });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.photo).toMatchObject({ eventId: id, name: '清运后.png', type: 'image/png', bytes: PNG.length, by: 'wang-li', byName: '王丽' });

    const list = await request(`${api}/events/${id}/photos`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: number }) => p.id)).toEqual([up.body.photo.id]);
    expect(list.body.evidenceRequired).toBe(true);

    const res = await fetch(`${ts.url}${up.body.photo.url}`, { headers: { cookie: ts.admin!.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^inline/);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    // The file sits under the data directory, named by its content.
    const sha = up.body.photo.sha256 as string;
    expect(fs.existsSync(path.join(ts.dataDir, 'photos', String(id), `${sha}.png`))).toBe(true);

    // The timeline says who added it.
    const c = await request(`${api}/events/${id}`);
    expect(c.body.history.at(-1)).toMatchObject({ action: 'photo', actor: 'wang-li', data: { photoId: up.body.photo.id } });
  });

  it('stores a retried upload with the same Idempotency-Key once', async () => {
    const id = await caseInHand();
    const first = await upload(id, png(), { as: worker, key: 'retry-0123456789' });
    const again = await upload(id, png(), { as: worker, key: 'retry-0123456789' });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toMatchObject({ created: false, photo: { id: first.body.photo.id } });
    expect((await request(`${api}/events/${id}/photos`)).body.items).toHaveLength(1);
    const lines = (await request(`${api}/events/${id}`)).body.history.filter((h: { action: string }) => h.action === 'photo');
    expect(lines).toHaveLength(1);
  });

  it('refuses a wrong type, bytes that are not the image they claim, a photo over 5 MB and a tenth photo, naming the field', async () => {
    const id = await caseInHand();
    const gif = await upload(id, png({ type: 'image/gif' }), { as: worker });
    expect(gif.status).toBe(400);
    expect(gif.body.error.issues[0].field).toBe('type');

    const jpegClaim = await upload(id, png({ type: 'image/jpeg' }), { as: worker });
    expect(jpegClaim.status).toBe(400);
    expect(jpegClaim.body.error.issues).toEqual([{ field: 'data', problem: expect.stringContaining('image/jpeg') }]);

    const html = await upload(id, png({ data: Buffer.from('<html><script>alert(1)</script></html>').toString('base64') }), { as: worker });
    expect(html.status).toBe(400);
    expect(html.body.error.issues[0].field).toBe('data');

    const big = Buffer.concat([PNG, Buffer.alloc(MAX_PHOTO_BYTES + 3 - PNG.length)]);
    const tooBig = await upload(id, png({ data: big.toString('base64') }), { as: worker });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.issues[0]).toMatchObject({ field: 'data', problem: expect.stringContaining('5 MB') });

    const noName = await upload(id, png({ name: ' ' }), { as: worker });
    expect(noName.status).toBe(400);
    expect(noName.body.error.issues[0].field).toBe('name');
    expect((await request(`${api}/events/${id}/photos`)).body.items).toHaveLength(0);

    for (let i = 0; i < MAX_PHOTOS; i++) expect((await upload(id, png({ name: `${i}.png` }), { as: worker })).status).toBe(201);
    const tenth = await upload(id, png(), { as: worker });
    expect(tenth.status).toBe(409);
    expect(tenth.body.error).toMatchObject({ code: 'error.too_many_photos', issues: [{ field: 'data' }] });
    expect((await request(`${api}/events/${id}/photos`)).body.items).toHaveLength(MAX_PHOTOS);
  });

  it('keeps a grid worker off another grid\'s case, a colleague off adding to it, and a wall display off every photo', async () => {
    const id = await caseInHand();
    const up = await upload(id, png(), { as: worker });
    expect(up.status).toBe(201);
    expect((await upload(id, png(), { as: otherGrid })).status).toBe(404);
    expect((await request(`${api}/events/${id}/photos`, { as: otherGrid })).status).toBe(404);
    expect((await request(`${ts.url}${up.body.photo.url}`, { as: otherGrid })).status).toBe(404);
    // A colleague on the same grid sees the photos but adds none to a case not dispatched to them.
    expect((await request(`${api}/events/${id}/photos`, { as: colleague })).body).toMatchObject({ canAdd: false, items: [{ id: up.body.photo.id }] });
    expect((await upload(id, png(), { as: colleague })).status).toBe(403);

    const display = { as: null, headers: { authorization: `Bearer ${ts.displayToken}` } };
    expect((await request(`${api}/events/${id}/photos`, display)).status).toBe(403);
    expect((await request(`${ts.url}${up.body.photo.url}`, display)).status).toBe(403);
    expect((await upload(id, png(), display)).status).toBe(403);
    expect((await request(`${ts.url}${up.body.photo.url}`, { as: null })).status).toBe(401);
  });
});

describe('evidence to close', () => {
  it('refuses to close a case whose category needs a photo until it has one, then closes it', async () => {
    const id = await caseInHand('environment', 'garbage');
    expect((await act(id, 'resolve', { note: '已清运' }, worker)).status).toBe(200);
    const refused = await act(id, 'close');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('error.evidence_required');
    expect(refused.body.error.message).toContain('environment');
    expect((await request(`${api}/events/${id}`)).body.event.status).toBe('resolved');

    expect((await upload(id, png())).status).toBe(201);
    const closed = await act(id, 'close');
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.event.status).toBe('closed');
  });

  it('closes a case of a category that needs no evidence without a photo', async () => {
    const id = await caseInHand('security', 'noise');
    expect((await request(`${api}/events/${id}/photos`)).body.evidenceRequired).toBe(false);
    expect((await act(id, 'resolve', { note: '已处理' }, worker)).status).toBe(200);
    expect((await act(id, 'close')).status).toBe(200);
  });

  it('sends no photo to a wall: not in its snapshot, not in its batches', async () => {
    const socket = openSocket(ts.url, { display: true, reconnection: false });
    const batches: Batch[] = [];
    socket.on('batch', (b) => batches.push(b));
    try {
      const r: SubscribeResult = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
      expect(r.ok).toBe(true);
      const id = await caseInHand();
      const up = await upload(id, png(), { as: worker });
      expect((await act(id, 'resolve', { note: '已清运' }, worker)).status).toBe(200);
      await until(() => batches.some((b) => b.entries.some((e) => e.event.id === id && e.event.status === 'resolved')), 'the resolve on the wall');
      const snapshot = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
      for (const payload of [JSON.stringify(batches), JSON.stringify(snapshot)]) {
        expect(payload).not.toContain(up.body.photo.sha256);
        expect(payload).not.toContain('/photos');
        expect(payload).not.toContain('清运后.png');
      }
    } finally {
      socket.close();
    }
  });
});
