/**
 * Photos on a case (现场照片): the worker's evidence from the spot. The bytes are a file under
 * the data directory, `photos/<eventId>/<sha256>.<ext>`, written to a temporary name and renamed
 * before the row commits, so there is never a row without its file (a file whose row did not
 * commit is an orphan, harmless: the next upload of the same bytes takes it over). The row and
 * the case's history line (`photo`) are one write. A retried upload with the same
 * `Idempotency-Key` finds the row the first one stored.
 *
 * Staff read a case's photos as they read the case (a grid worker their grids'); a grid worker
 * adds to the cases dispatched to them, the centre to any open case. No photo ever goes to a
 * wall: the live payloads carry the event, never its photos.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/index.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import { isOpen } from '../../shared/lifecycle.ts';
import { MAX_PHOTOS, MAX_PHOTO_BYTES, PHOTO_TYPES, type PhotoType, type UploadPhotoBody } from '../../shared/photos.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { HANDLER } from './access.ts';
import type { EventRecord } from './record.ts';
import type { EventChange, EventStore } from './store.ts';

/** One stored photo, as its row holds it. */
export interface PhotoRecord {
  id: number;
  eventId: number;
  sha256: string;
  type: PhotoType;
  bytes: number;
  name: string;
  by: string;
  at: number;
}

/** Whether `bytes` begin as an image of `type` does (its magic bytes). */
export function looksLike(type: PhotoType, bytes: Uint8Array): boolean {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  switch (type) {
    case 'image/jpeg': return starts([0xff, 0xd8, 0xff]);
    case 'image/png': return starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/webp': return starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8);
  }
}

export interface EventPhotosDeps {
  db: Db;
  queue: WriteQueue<EventChange>;
  store: EventStore;
  /** Where the files go: `<DATA_DIR>/photos`. */
  dir: string;
  now: () => number;
}

export class EventPhotos {
  #queue: EventPhotosDeps['queue'];
  #store: EventStore;
  #dir: string;
  #now: () => number;
  #stmt;

  constructor(deps: EventPhotosDeps) {
    this.#queue = deps.queue;
    this.#store = deps.store;
    this.#dir = deps.dir;
    this.#now = deps.now;
    const cols = 'id, event_id AS eventId, sha256, type, bytes, name, by, at';
    this.#stmt = {
      of: deps.db.prepare(`SELECT ${cols} FROM event_photos WHERE event_id = ? ORDER BY id`),
      one: deps.db.prepare(`SELECT ${cols} FROM event_photos WHERE event_id = ? AND id = ?`),
      byKey: deps.db.prepare(`SELECT ${cols} FROM event_photos WHERE event_id = ? AND idempotency_key = ?`),
      count: deps.db.prepare('SELECT COUNT(*) FROM event_photos WHERE event_id = ?').pluck(),
      insert: deps.db.prepare(
        'INSERT INTO event_photos (event_id, sha256, type, bytes, name, by, at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  /** The case's photos, oldest first. */
  of(eventId: number): PhotoRecord[] {
    return this.#stmt.of.all(eventId) as PhotoRecord[];
  }

  count(eventId: number): number {
    return this.#stmt.count.get(eventId) as number;
  }

  /** Whether `p` may add a photo to `e`: the centre to an open case, a grid worker to their own. */
  mayAdd(p: Principal, e: EventRecord): boolean {
    if (!HANDLER.includes(p.role) || !isOpen(e.status)) return false;
    return !p.workerId || e.assigneeId === p.workerId;
  }

  /** A photo's row and its file's bytes. */
  async read(e: EventRecord, photoId: number): Promise<{ photo: PhotoRecord; bytes: Buffer }> {
    const photo = this.#stmt.one.get(e.id, photoId) as PhotoRecord | undefined;
    if (!photo) throw notFound(`photo ${photoId} of event ${e.code}`);
    try {
      return { photo, bytes: await fs.readFile(this.#file(e.id, photo.sha256, photo.type)) };
    } catch (err) {
      // A database restored without its photos' folder (backups copy the database only: README).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`the file of photo ${photoId} of event ${e.code}`);
      throw err;
    }
  }

  /**
   * Store a photo on `e` (the caller has read it as `p`). With `key`, a second upload under the
   * same key answers the first one's photo and stores nothing (`created` false).
   */
  async add(p: Principal, e: EventRecord, body: UploadPhotoBody, key: string | null): Promise<{ photo: PhotoRecord; created: boolean }> {
    authorise(p, HANDLER, 'add photos to events');
    if (key) {
      const first = this.#stmt.byKey.get(e.id, key) as PhotoRecord | undefined;
      if (first) return { photo: first, created: false };
    }
    this.#allowed(p, e);
    const bytes = Buffer.from(body.data, 'base64');
    if (body.data.length % 4 !== 0 || bytes.length === 0) throw invalid([{ field: 'data', problem: 'must be base64' }]);
    if (bytes.length > MAX_PHOTO_BYTES) throw invalid([{ field: 'data', problem: `must be at most ${MAX_PHOTO_BYTES / 1024 / 1024} MB` }]);
    if (!looksLike(body.type, bytes)) throw invalid([{ field: 'data', problem: `is not a ${body.type} image (its first bytes say otherwise)` }]);
    if (this.count(e.id) >= MAX_PHOTOS) throw tooMany(e);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // The file first, whole, under its final name: the row below may then name it.
    const file = this.#file(e.id, sha256, body.type);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
    return this.#queue.runAs(p, () => {
      // Checked again inside the write: a retry racing its first try, or a tenth photo racing a ninth.
      if (key) {
        const first = this.#stmt.byKey.get(e.id, key) as PhotoRecord | undefined;
        if (first) return { photo: first, created: false };
      }
      const now = this.#store.byId(e.id);
      if (!now) throw notFound(`event ${e.code}`);
      if (this.count(e.id) >= MAX_PHOTOS) throw tooMany(e);
      const at = this.#now();
      const id = Number(this.#stmt.insert.run(e.id, sha256, body.type, bytes.length, body.name, p.id, at, key).lastInsertRowid);
      this.#store.addHistory(e.id, at, 'photo', now.status, now.status, p.id, p.role, null, JSON.stringify({ photoId: id, name: body.name }));
      return { photo: { id, eventId: e.id, sha256, type: body.type, bytes: bytes.length, name: body.name, by: p.id, at }, created: true };
    });
  }

  #allowed(p: Principal, e: EventRecord): void {
    if (!isOpen(e.status)) throw new DomainError(409, 'error.transition_not_allowed', `event ${e.code} is ${e.status}: photos are added to open cases`);
    if (!this.mayAdd(p, e)) throw new DomainError(403, 'error.not_assignee', `event ${e.code} is dispatched to another grid worker`);
  }

  #file(eventId: number, sha256: string, type: PhotoType): string {
    return path.join(this.#dir, String(eventId), `${sha256}.${PHOTO_TYPES[type]}`);
  }
}

const tooMany = (e: EventRecord) => new DomainError(409, 'error.too_many_photos', `event ${e.code} has ${MAX_PHOTOS} photos, the most a case holds`,
  [{ field: 'data', problem: `a case holds at most ${MAX_PHOTOS} photos` }]);
