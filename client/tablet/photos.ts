/**
 * A photo from the camera or the gallery, made ready to keep: decoded (turned upright by its
 * EXIF orientation), drawn at most 2,048 px on its long side as a JPEG of quality 0.8 unless it is
 * already a small JPEG (photo-plan.ts), and named by the SHA-256 of its bytes (crypto.subtle,
 * which needs a secure origin: https or localhost). Canvas and createImageBitmap only, which iPad
 * Safari has; an `<img>` decodes where createImageBitmap cannot.
 */
import type { KeptPhoto } from './outbox/machine.ts';
import { JPEG_QUALITY, MAX_PHOTO_BYTES, hex, photoPlan } from './photo-plan.ts';

export class PhotoProblem extends Error {
  constructor(readonly key: 'tablet.photo.tooBig' | 'tablet.photo.unreadable') {
    super(key);
  }
}

type Drawable = { source: CanvasImageSource; width: number; height: number; close?: () => void };

async function decode(file: Blob): Promise<Drawable> {
  try {
    const bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
    return { source: bmp, width: bmp.width, height: bmp.height, close: () => bmp.close() };
  } catch {
    const url = URL.createObjectURL(file);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      return { source: img, width: img.naturalWidth, height: img.naturalHeight };
    } catch {
      throw new PhotoProblem('tablet.photo.unreadable');
    } finally {
      URL.revokeObjectURL(url);
    }
  }
}

function draw(d: Drawable, width: number, height: number): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new PhotoProblem('tablet.photo.unreadable');
  ctx.fillStyle = '#fff'; // a transparent PNG becomes white, not black
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(d.source, 0, 0, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new PhotoProblem('tablet.photo.unreadable'))), 'image/jpeg', JPEG_QUALITY));
}

/** The photo as the outbox keeps it. */
export async function preparePhoto(file: File, name: string, role?: KeptPhoto['role']): Promise<KeptPhoto> {
  if (file.size > MAX_PHOTO_BYTES * 4) throw new PhotoProblem('tablet.photo.tooBig');
  const d = await decode(file);
  let blob: Blob;
  try {
    const plan = photoPlan({ width: d.width, height: d.height, type: file.type, bytes: file.size });
    blob = plan.keep ? file : await draw(d, plan.width, plan.height);
  } finally {
    d.close?.();
  }
  if (blob.size > MAX_PHOTO_BYTES) throw new PhotoProblem('tablet.photo.tooBig');
  const sha256 = hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return { sha256, bytes: blob.size, type: blob.type || 'image/jpeg', name, blob, ...(role ? { role } : {}) };
}
