/**
 * The photo store's housekeeping (server/uploads/store.ts) on real files: one person cannot hold
 * more than MAX_OPEN_UPLOADS photos begun and not finished (a client gone wrong would fill the
 * disk), and the daily sweep drops week-old part files and whole photos no case names a month
 * after they came — never one a case names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_OPEN_UPLOADS, Uploads } from '../../server/uploads/store.ts';
import { DomainError } from '../../server/errors.ts';
import { SITE_PHOTO } from '../support/server.ts';

const DAY = 86_400_000;
let dir: string;
let uploads: Uploads;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-uploads-'));
  uploads = new Uploads(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A distinct PNG of `size` bytes (the PNG signature, then noise): its hash and bytes. */
function photo(seed: number, size = 64) {
  const bytes = new Uint8Array(size);
  bytes.set(SITE_PHOTO.subarray(0, 12));
  for (let i = 12; i < size; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  return { sha: createHash('sha256').update(bytes).digest('hex'), bytes };
}

const begin = (owner: string, p: { sha: string; bytes: Uint8Array }) =>
  uploads.put(owner, p.sha, p.bytes.length, { offset: 0, length: 8, type: 'image/png', bytes: p.bytes.subarray(0, 8) });

describe('photos begun and not finished', () => {
  it(`are at most ${MAX_OPEN_UPLOADS} a person: the next is a 429 to try later, and others may still begin`, async () => {
    for (let i = 0; i < MAX_OPEN_UPLOADS; i++) await begin('wang', photo(i));
    const refused = await begin('wang', photo(999)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ status: 429, code: 'error.upload_quota', extra: { retryAfter: 60 } });
    // Going on with one already begun is no new upload; someone else is not counted against.
    const p = photo(0);
    await expect(uploads.put('wang', p.sha, p.bytes.length, { offset: 8, length: p.bytes.length - 8, type: 'image/png', bytes: p.bytes.subarray(8) }))
      .resolves.toMatchObject({ complete: true });
    await expect(begin('wang', photo(999))).resolves.toMatchObject({ complete: false, received: 8 });
    await expect(begin('li', photo(1000))).resolves.toMatchObject({ complete: false });
  });
});

describe('the daily sweep', () => {
  it('drops week-old parts and month-old photos no case names, and keeps what a case names', async () => {
    const named = photo(1), orphan = photo(2), fresh = photo(3), half = photo(4);
    for (const p of [named, orphan, fresh]) {
      await uploads.put('wang', p.sha, p.bytes.length, { offset: 0, length: p.bytes.length, type: 'image/png', bytes: p.bytes });
    }
    await begin('wang', half);
    const age = (file: string, days: number) => fs.utimesSync(file, new Date(Date.now() - days * DAY), new Date(Date.now() - days * DAY));
    age(uploads.blobFile(named.sha), 40);
    age(uploads.blobFile(orphan.sha), 40);
    age(uploads.blobFile(fresh.sha), 10);
    for (const f of fs.readdirSync(path.join(dir, 'uploads'))) age(path.join(dir, 'uploads', f), 8);
    const gone = await uploads.sweep(7 * DAY, Date.now(), { attached: (sha) => sha === named.sha, orphanMs: 30 * DAY });
    expect(gone).toBe(3); // the orphan, the part and its meta
    expect(fs.existsSync(uploads.blobFile(named.sha))).toBe(true);
    expect(fs.existsSync(uploads.blobFile(fresh.sha))).toBe(true);
    expect(fs.existsSync(uploads.blobFile(orphan.sha))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'uploads'))).toEqual([]);
    // Without `attached` no whole photo goes.
    age(uploads.blobFile(fresh.sha), 40);
    expect(await uploads.sweep(7 * DAY)).toBe(0);
  });
});
