/**
 * `GET /uploads/<sha256>` and `PUT /uploads/<sha256>`: a photo in resumable chunks
 * (docs/OFFLINE.md §2, server/uploads/store.ts). Staff who keep records with photos may send
 * them; a photo never reaches a wall. A chunk's headers name where it begins, the whole size and
 * the type; a bad one is a 400 naming the header.
 */
import type { Context } from 'hono';
import { PHOTO_TYPES, type PhotoType } from '../../shared/photos.ts';
import { MAX_CHUNK_BYTES, uploadStatus } from '../../shared/uploads.ts';
import { invalid, notFound } from '../errors.ts';
import { Routes } from '../http/routes.ts';
import { limitedBody, principal } from '../http/validate.ts';
import { PEOPLE } from '../principal.ts';
import type { Uploads } from './store.ts';

const SHA = '{[0-9a-f]{64}}';

/** A header holding a whole number of bytes, or a 400 naming it. */
function bytesHeader(c: Context, name: string): number {
  const v = c.req.header(name);
  if (v === undefined || !/^\d{1,12}$/.test(v)) throw invalid([{ field: name, problem: 'must be a whole number of bytes' }]);
  return Number(v);
}

export function uploadRoutes(uploads: Uploads): Routes {
  const r = new Routes();

  r.get(`/uploads/:sha${SHA}`, { access: PEOPLE, response: uploadStatus }, async (c) => {
    const status = await uploads.status(principal(c).id, c.req.param('sha'));
    if (!status) throw notFound(`upload ${c.req.param('sha')}`);
    return c.json(status);
  });

  r.put(`/uploads/:sha${SHA}`, { access: PEOPLE, body: 'bytes', response: uploadStatus }, limitedBody(MAX_CHUNK_BYTES), async (c) => {
    const offset = bytesHeader(c, 'Upload-Offset');
    const total = bytesHeader(c, 'Upload-Length');
    const type = c.req.header('Upload-Type') ?? '';
    if (!Object.hasOwn(PHOTO_TYPES, type)) throw invalid([{ field: 'Upload-Type', problem: 'must be image/jpeg, image/png or image/webp' }]);
    const bytes = c.get('bytes');
    const status = await uploads.put(principal(c).id, c.req.param('sha'), total, { offset, length: bytes.length, type: type as PhotoType, bytes });
    return c.json(status);
  });

  return r;
}
