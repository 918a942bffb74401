/**
 * Photos sent in resumable chunks, keyed by their content (docs/OFFLINE.md §2): a tablet on a
 * weak signal sends a photo in pieces and, after a drop, goes on from where the server stopped.
 * A record then names its photos by SHA-256 (`PhotoRef`); the server takes the record only when
 * it holds every photo whole.
 */
import { z } from 'zod';
import { PHOTO_STAGES, PHOTO_TYPES, MAX_PHOTOS, type PhotoType } from './photos.ts';
import { reportEventFields, reportEventRules, transitionBody } from './schemas.ts';

/** The largest photo an upload takes (the tablet compresses first: most are a few hundred kB). */
export const MAX_UPLOAD_BYTES = 16 * 1024 * 1024;
/** The largest chunk a PUT carries. */
export const MAX_CHUNK_BYTES = 1024 * 1024;
/** A SHA-256 in lower-case hex. */
export const SHA256 = /^[0-9a-f]{64}$/;

/** `GET/PUT /uploads/<sha256>`: how much of the photo the server holds. */
export const uploadStatus = z.strictObject({
  sha256: z.string().regex(SHA256),
  bytes: z.number().int().nonnegative(),
  type: z.enum(Object.keys(PHOTO_TYPES) as [PhotoType, ...PhotoType[]]),
  received: z.number().int().nonnegative(),
  complete: z.boolean(),
});
export type UploadStatus = z.infer<typeof uploadStatus>;

/** A photo a record names: uploaded before, whole, under its SHA-256. */
export const photoRef = z.strictObject({
  sha256: z.string().regex(SHA256, 'must be a SHA-256 in lower-case hex'),
  name: z.string().trim().min(1, 'required').max(200, 'must be at most 200 characters'),
  stage: z.enum(PHOTO_STAGES, { message: 'must be before or after' }).optional(),
});
export type PhotoRef = z.infer<typeof photoRef>;

/** A record's photos: at most a case's worth, each named once. */
export const photoRefs = z.array(photoRef).max(MAX_PHOTOS, `must be at most ${MAX_PHOTOS}`)
  .refine((refs) => new Set(refs.map((r) => r.sha256)).size === refs.length, 'must not name a photo twice');

/** `POST /events` as the tablet sends it: a report that may name its photos. */
export const reportWithPhotosBody = reportEventFields.extend({ photos: photoRefs.optional() }).superRefine(reportEventRules);
export type ReportWithPhotosBody = z.infer<typeof reportWithPhotosBody>;

/** `POST /events/:id/:action` with the photos of the step (the after photos of 办结). */
export const transitionWithPhotosBody = transitionBody.extend({ photos: photoRefs.optional() });
export type TransitionWithPhotosBody = z.infer<typeof transitionWithPhotosBody>;
