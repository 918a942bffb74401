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
import { MAX_PHOTOS, MAX_PHOTO_BYTES, PHOTO_TYPES, looksLike, type PhotoStage, type PhotoType, type UploadPhotoBody } from '../../shared/photos.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { HANDLER } from './access.ts';
import type { EventRecord } from './record.ts';
import type { PhotoRef } from '../../shared/uploads.ts';
import type { Uploads } from '../uploads/store.ts';
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
  stage: PhotoStage | null;
}

/** A photo a record names by hash (`PhotoRef`), found whole among the uploads. */
export interface HeldPhoto extends PhotoRef {
  type: PhotoType;
  bytes: number;
}

export interface EventPhotosDeps {
  db: Db;
  queue: WriteQueue<EventChange>;
  store: EventStore;
  /** Where the files go: `<DATA_DIR>/photos`. */
  dir: string;
  now: () => number;
  /** Photos received in chunks (server/uploads), which a record names by hash. */
  uploads?: Uploads;
}

export class EventPhotos {
  #queue: EventPhotosDeps['queue'];
  #store: EventStore;
  #dir: string;
  #now: () => number;
  #uploads: Uploads | null;
  #stmt;

  constructor(deps: EventPhotosDeps) {
    this.#queue = deps.queue;
    this.#store = deps.store;
    this.#dir = deps.dir;
    this.#now = deps.now;
    this.#uploads = deps.uploads ?? null;
    const cols = 'id, event_id AS eventId, sha256, type, bytes, name, by, at, stage';
    this.#stmt = {
      of: deps.db.prepare(`SELECT ${cols} FROM event_photos WHERE event_id = ? ORDER BY id`),
      one: deps.db.prepare(`SELECT ${cols} FROM event_photos WHERE event_id = ? AND id = ?`),
      byKey: deps.db.prepare(`SELECT ${cols} FROM event_photos WHERE event_id = ? AND idempotency_key = ?`),
      count: deps.db.prepare('SELECT COUNT(*) FROM event_photos WHERE event_id = ?').pluck(),
      insert: deps.db.prepare(
        'INSERT INTO event_photos (event_id, sha256, type, bytes, name, by, at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertHeld: deps.db.prepare(
        'INSERT INTO event_photos (event_id, sha256, type, bytes, name, by, at, stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
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
    // Uploaded through the console, a photo is a file of the case's; named by hash from the
    // tablet, it is the upload's blob.
    const files = [this.#file(e.id, photo.sha256, photo.type), ...(this.#uploads ? [this.#uploads.blobFile(photo.sha256)] : [])];
    for (const file of files) {
      try {
        return { photo, bytes: await fs.readFile(file) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    // A database restored without its photos' folder (backups copy the database only: README).
    throw notFound(`the file of photo ${photoId} of event ${e.code}`);
  }

  /**
   * The photos a record names by hash, each found whole among the uploads (before the write is
   * queued: a blob, once whole, never goes away). Any that is not: a 409 naming each, and the
   * record is not taken — it is received only with all its photos.
   */
  async held(refs: readonly PhotoRef[] | undefined): Promise<HeldPhoto[]> {
    if (!refs?.length) return [];
    const uploads = this.#uploads;
    if (!uploads) throw invalid([{ field: 'photos', problem: 'this server takes no photos by hash' }]);
    const found = await Promise.all(refs.map((r) => uploads.blob(r.sha256)));
    const missing = refs.flatMap((_, i) => (found[i] ? [] : [{ field: `photos[${i}].sha256`, problem: 'is not uploaded whole yet' }]));
    if (missing.length) {
      throw new DomainError(409, 'error.photos_incomplete', `${missing.length} of the ${refs.length} photos named are not uploaded whole yet`, missing);
    }
    return refs.map((r, i) => ({ ...r, type: found[i]!.type, bytes: found[i]!.bytes }));
  }

  /** Inside a write: `photos` on `e`, each with its history line; how many. Too many for a case: a 409. */
  attach(p: Principal, e: EventRecord, photos: readonly HeldPhoto[], at: number): number {
    if (!photos.length) return 0;
    if (this.count(e.id) + photos.length > MAX_PHOTOS) throw tooMany(e, 'photos');
    for (const ph of photos) {
      const id = Number(this.#stmt.insertHeld.run(e.id, ph.sha256, ph.type, ph.bytes, ph.name, p.id, at, ph.stage ?? null).lastInsertRowid);
      this.#store.addHistory(e.id, at, 'photo', e.status, e.status, p.id, p.role, null, JSON.stringify({ photoId: id, name: ph.name }));
    }
    return photos.length;
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
      return { photo: { id, eventId: e.id, sha256, type: body.type, bytes: bytes.length, name: body.name, by: p.id, at, stage: null }, created: true };
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

const tooMany = (e: EventRecord, field = 'data') => new DomainError(409, 'error.too_many_photos', `event ${e.code} would hold more than ${MAX_PHOTOS} photos, the most a case holds`,
  [{ field, problem: `a case holds at most ${MAX_PHOTOS} photos` }]);
