/**
 * Photos on a case (现场照片): what the worker took on site, the evidence a category may need
 * before the case is closed (shared/loop-settings.ts `evidenceRequired`). Sent as JSON with the
 * image base64-encoded, so the route keeps the API's one way of reading a body; staff only,
 * never on a wall's payload.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';

/** The image types a case takes, and the file extension each is stored under. */
export const PHOTO_TYPES = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' } as const;
export type PhotoType = keyof typeof PHOTO_TYPES;

/** Whether `bytes` begin as an image of `type` does (its magic bytes). */
export function looksLike(type: PhotoType, bytes: Uint8Array): boolean {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  switch (type) {
    case 'image/jpeg': return starts([0xff, 0xd8, 0xff]);
    case 'image/png': return starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/webp': return starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8);
  }
}

/** Where a photo was taken in a case's handling: before the work, after it (the evidence of 办结); null when unsaid. */
export const PHOTO_STAGES = ['before', 'after'] as const;
export type PhotoStage = (typeof PHOTO_STAGES)[number];

/** At most this many bytes a photo (decoded); the console shrinks a phone's photo well under it. */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
/** At most this many photos a case. */
export const MAX_PHOTOS = 9;
/** The longest base64 text of a photo of `MAX_PHOTO_BYTES`. */
export const MAX_PHOTO_BASE64 = Math.ceil(MAX_PHOTO_BYTES / 3) * 4;

/** `POST /events/:id/photos`: the file's name, its type and its bytes in base64. */
export const uploadPhotoBody = z.strictObject({
  name: z.string().trim().min(1, 'required').max(200, 'must be at most 200 characters'),
  type: z.enum(Object.keys(PHOTO_TYPES) as [PhotoType, ...PhotoType[]], { message: 'must be image/jpeg, image/png or image/webp' }),
  data: z.string()
    .min(1, 'required')
    .max(MAX_PHOTO_BASE64, `must be at most ${MAX_PHOTO_BYTES / 1024 / 1024} MB`)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
});
export type UploadPhotoBody = z.infer<typeof uploadPhotoBody>;

/** One photo as staff see it; `url` serves its bytes. */
export const photoView = z.strictObject({
  id: z.number().int(),
  eventId: z.number().int(),
  name: z.string(),
  type: z.enum(Object.keys(PHOTO_TYPES) as [PhotoType, ...PhotoType[]]),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  by: z.string(),
  byName: z.string(),
  at: instant,
  url: z.string(),
  stage: z.enum(PHOTO_STAGES).nullable(),
});
export type PhotoView = z.infer<typeof photoView>;

/**
 * `GET /events/:id/photos`: the case's photos, oldest first, whether closing it needs one
 * (its category's rule) and whether the asker may add one.
 */
export const photoListAnswer = z.strictObject({
  items: z.array(photoView),
  evidenceRequired: z.boolean(),
  canAdd: z.boolean(),
  max: z.number().int(),
});
export type PhotoList = z.infer<typeof photoListAnswer>;

/** `POST /events/:id/photos`: the photo, and whether this request stored it (false: a retry of one stored). */
export const uploadPhotoAnswer = z.strictObject({ photo: photoView, created: z.boolean() });
