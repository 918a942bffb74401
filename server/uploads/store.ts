/**
 * Photos received in chunks (docs/OFFLINE.md §2), as files under `<DATA_DIR>/photos`:
 *
 *   uploads/<owner>-<sha256>.part   the bytes so far, appended chunk by chunk (its size is `received`)
 *   uploads/<owner>-<sha256>.json   what the first chunk said: the whole size and the type
 *   blobs/<sha256>                  a photo received whole, its hash checked, never changed again
 *
 * The `<owner>` part is a hash of the uploader's id: two people sending the same photo at once
 * each fill their own part file. A finished photo is fsynced and renamed into `blobs/`, so a
 * blob is always whole; a record that names it by hash (`PhotoRef`) attaches it in its own
 * write (server/events/photos.ts). A kill mid-chunk leaves a part file a little longer or
 * shorter than the tablet thinks: its next chunk is told where the server stands (409 with
 * `received`) and goes on from there.
 *
 * Written by hand rather than with a tus server library: the protocol is three headers on one
 * PUT, it must sit behind our own gate (sessions, CSRF, roles), and the finished photo has to
 * become a content-addressed blob a later record can name.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { PHOTO_TYPES, looksLike, type PhotoType } from '../../shared/photos.ts';
import { MAX_CHUNK_BYTES, MAX_UPLOAD_BYTES, type UploadStatus } from '../../shared/uploads.ts';
import { DomainError, invalid } from '../errors.ts';
import { StorageError } from '../db/storage.ts';

/**
 * Photos one person may have begun and not finished at once. A tablet sends one record at a
 * time, its photos one after the other: a handful is the most it ever has open. More is a client
 * gone wrong (or someone filling the disk): 429, tried later, and part files untouched for a
 * week are swept.
 */
export const MAX_OPEN_UPLOADS = 50;

/** A full disk (or quota) met while writing a photo: the same retryable 503 as a full database. */
function diskFault(err: unknown): never {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') throw new StorageError('full', err);
  throw err;
}


/** What the first chunk of an upload said. */
interface PartMeta {
  bytes: number;
  type: PhotoType;
}

/** A chunk as its PUT carries it. */
export interface Chunk {
  offset: number;
  length: number;
  type: PhotoType;
  bytes: Uint8Array;
}

/** A whole photo the server holds. */
export interface Blob {
  sha256: string;
  type: PhotoType;
  bytes: number;
}

const exists = (file: string) => fs.stat(file).then((s) => s, () => null);

/** The type a photo's first bytes say it is, or null. */
function sniff(head: Uint8Array): PhotoType | null {
  for (const type of Object.keys(PHOTO_TYPES) as PhotoType[]) if (looksLike(type, head)) return type;
  return null;
}

export class Uploads {
  readonly #blobs: string;
  readonly #parts: string;
  /** One chunk at a time per part file: a retried chunk waits for its first try. */
  readonly #locks = new Map<string, Promise<unknown>>();

  /** @param dir `<DATA_DIR>/photos` */
  constructor(dir: string) {
    this.#blobs = path.join(dir, 'blobs');
    this.#parts = path.join(dir, 'uploads');
  }

  /** The file of a whole photo (it may not exist). */
  blobFile(sha256: string): string {
    return path.join(this.#blobs, sha256);
  }

  /** How much of `sha256` the server holds for `owner`; null if nothing. */
  async status(owner: string, sha256: string): Promise<UploadStatus | null> {
    const whole = await this.blob(sha256);
    if (whole) return { sha256, bytes: whole.bytes, type: whole.type, received: whole.bytes, complete: true };
    const { part, meta } = this.#partFiles(owner, sha256);
    const m = await readMeta(meta);
    if (!m) return null;
    const s = await exists(part);
    // Every byte in but never finished (the server died between the last chunk and the hash
    // check): finish it now, or the tablet, with nothing left to send, would wait for ever.
    if (s?.size === m.bytes) return this.put(owner, sha256, m.bytes, { offset: m.bytes, length: 0, type: m.type, bytes: new Uint8Array(0) });
    return { sha256, bytes: m.bytes, type: m.type, received: s?.size ?? 0, complete: false };
  }

  /**
   * Forget what an upload left behind: part files not touched for `olderThanMs` (a photo whose
   * record was dropped), temporary files of a rename a crash interrupted, and — with `attached`
   * — whole photos no record names, `orphanMs` after they were finished (a record refused for
   * good after its photos went up). A tablet whose record comes later still is told
   * `error.photos_incomplete` and sends the photo again. How many went.
   */
  async sweep(olderThanMs: number, now = Date.now(), orphans?: { attached: (sha256: string) => boolean; orphanMs: number }): Promise<number> {
    let gone = 0;
    const blobGone = (f: string, mtimeMs: number) => f.endsWith('.tmp')
      || (!!orphans && /^[0-9a-f]{64}$/.test(f) && now - mtimeMs > orphans.orphanMs && !orphans.attached(f));
    for (const [dir, stale] of [[this.#parts, () => true], [this.#blobs, blobGone]] as const) {
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const file = path.join(dir, name);
        const s = await exists(file);
        if (s && now - s.mtimeMs > olderThanMs && stale(name, s.mtimeMs)) {
          await fs.rm(file, { force: true });
          gone++;
        }
      }
    }
    return gone;
  }

  /** A whole photo, or null when the server does not hold it. */
  async blob(sha256: string): Promise<Blob | null> {
    const file = this.blobFile(sha256);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch {
      return null;
    }
    try {
      const head = new Uint8Array(12);
      await handle.read(head, 0, 12, 0);
      const type = sniff(head);
      const { size } = await handle.stat();
      return type ? { sha256, type, bytes: size } : null;
    } finally {
      await handle.close();
    }
  }

  /** Take one chunk of `sha256` from `owner`; the status after it. */
  put(owner: string, sha256: string, total: number, chunk: Chunk): Promise<UploadStatus> {
    const key = `${owner}\u0000${sha256}`;
    const before = this.#locks.get(key) ?? Promise.resolve();
    const run = before.catch(() => {}).then(() => this.#put(owner, sha256, total, chunk)).catch(diskFault);
    const settled = run.catch(() => {});
    this.#locks.set(key, settled);
    void settled.then(() => {
      if (this.#locks.get(key) === settled) this.#locks.delete(key);
    });
    return run;
  }

  async #put(owner: string, sha256: string, total: number, chunk: Chunk): Promise<UploadStatus> {
    const whole = await this.blob(sha256);
    if (whole) return { sha256, bytes: whole.bytes, type: whole.type, received: whole.bytes, complete: true };
    if (total < 1 || total > MAX_UPLOAD_BYTES) throw invalid([{ field: 'Upload-Length', problem: `must be 1 to ${MAX_UPLOAD_BYTES} bytes` }]);
    if (chunk.length > MAX_CHUNK_BYTES) throw invalid([{ field: '(body)', problem: `a chunk must be at most ${MAX_CHUNK_BYTES} bytes` }]);
    if (chunk.offset + chunk.length > total) throw invalid([{ field: 'Upload-Offset', problem: 'the chunk would end past Upload-Length' }]);
    const { part, meta } = this.#partFiles(owner, sha256);
    await fs.mkdir(this.#parts, { recursive: true });
    let m = await readMeta(meta);
    if (m && (m.bytes !== total || m.type !== chunk.type)) {
      // Begun again with another size or type: only from the start, which drops what was there.
      if (chunk.offset !== 0) throw invalid([{ field: 'Upload-Length', problem: `this upload was begun as ${m.bytes} bytes of ${m.type}` }]);
      m = null;
    }
    if (!m && (await this.#openBy(owner)) >= MAX_OPEN_UPLOADS) {
      throw new DomainError(429, 'error.upload_quota', `${MAX_OPEN_UPLOADS} photos begun and not finished: finish one before beginning another`,
        undefined, { retryAfter: 60 });
    }
    if (!m || chunk.offset === 0) {
      await fs.writeFile(meta, JSON.stringify({ bytes: total, type: chunk.type } satisfies PartMeta));
      await fs.writeFile(part, new Uint8Array(0));
    }
    const received = (await exists(part))?.size ?? 0;
    if (chunk.offset !== received) {
      throw new DomainError(409, 'error.upload_offset', `the server holds ${received} bytes of this photo, not ${chunk.offset}`,
        [{ field: 'Upload-Offset', problem: `must be ${received}` }], { received });
    }
    await fs.appendFile(part, chunk.bytes);
    const now = received + chunk.length;
    if (now < total) return { sha256, bytes: total, type: chunk.type, received: now, complete: false };
    return this.#finish(part, meta, sha256, total, chunk.type);
  }

  /** The last chunk is in: check the hash and the type, then make it a blob. */
  async #finish(part: string, meta: string, sha256: string, total: number, type: PhotoType): Promise<UploadStatus> {
    const drop = () => Promise.all([fs.rm(part, { force: true }), fs.rm(meta, { force: true })]);
    const hash = createHash('sha256');
    const head = new Uint8Array(12);
    let seen = 0;
    for await (const piece of createReadStream(part)) {
      const bytes = piece as Buffer;
      if (seen < 12) head.set(bytes.subarray(0, 12 - seen), seen);
      seen += bytes.length;
      hash.update(bytes);
    }
    if (hash.digest('hex') !== sha256) {
      await drop();
      throw new DomainError(422, 'error.upload_hash', 'the bytes received do not hash to the SHA-256 in the path; send the photo again from the start',
        [{ field: 'sha256', problem: 'does not match the bytes sent' }]);
    }
    if (!looksLike(type, head)) {
      await drop();
      throw invalid([{ field: 'Upload-Type', problem: `the photo is not a ${type} image (its first bytes say otherwise)` }]);
    }
    await fs.mkdir(this.#blobs, { recursive: true });
    const handle = await fs.open(part, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const target = this.blobFile(sha256);
    // Renamed through a name of its own: two owners finishing the same photo at once both land it.
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.rename(part, tmp);
    await fs.rename(tmp, target);
    await fs.rm(meta, { force: true });
    return { sha256, bytes: total, type, received: total, complete: true };
  }

  #partFiles(owner: string, sha256: string) {
    const base = path.join(this.#parts, `${ownerTag(owner)}-${sha256}`);
    return { part: `${base}.part`, meta: `${base}.json` };
  }

  /** How many photos `owner` has begun and not finished. */
  async #openBy(owner: string): Promise<number> {
    const tag = `${ownerTag(owner)}-`;
    const names = await fs.readdir(this.#parts).catch(() => [] as string[]);
    return names.filter((n) => n.startsWith(tag) && n.endsWith('.json')).length;
  }
}

const ownerTag = (owner: string) => createHash('sha256').update(owner).digest('hex').slice(0, 16);

async function readMeta(file: string): Promise<PartMeta | null> {
  try {
    const m = JSON.parse(await fs.readFile(file, 'utf8')) as PartMeta;
    return Number.isInteger(m.bytes) && m.type in PHOTO_TYPES ? m : null;
  } catch {
    return null;
  }
}
