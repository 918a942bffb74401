/**
 * Photos on a case from the browser: a picked file made small enough to send (a phone's 12 MP
 * photo is 4–6 MB; drawn on a canvas at most 2048 px wide or high as JPEG 0.85 it is a few
 * hundred KB), then sent as the JSON the API takes, each with its own idempotency key so a
 * retried send is stored once (shared/photos.ts).
 */
import { MAX_PHOTO_BYTES, PHOTO_TYPES, type PhotoView } from '../../shared/photos.ts';
import type { Api } from '../lib/api.ts';

/** The longest side a photo is sent at. */
const MAX_SIDE = 2048;
/** A small photo of a type the server takes goes as it is. */
const SEND_AS_IS = 1024 * 1024;

/** A picked file and the key its upload is sent under (kept across retries). */
export interface PickedPhoto {
  file: File;
  key: string;
}

/** A fresh idempotency key (a UUID where the page is a secure context, else 128 random bits). */
export function photoKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export const pick = (files: FileList | null): PickedPhoto[] => Array.from(files ?? [], (file) => ({ file, key: photoKey() }));

function base64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(blob);
  });
}

/** `file` as the upload body: as it is when small and of an accepted type, else drawn smaller as JPEG. Null when it is no image. */
export async function photoBody(file: File): Promise<{ name: string; type: keyof typeof PHOTO_TYPES; data: string } | null> {
  const name = file.name || 'photo';
  if (file.type in PHOTO_TYPES && file.size <= SEND_AS_IS) return { name, type: file.type as keyof typeof PHOTO_TYPES, data: await base64(file) };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const jpeg = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  if (!jpeg || jpeg.size > MAX_PHOTO_BYTES) return null;
  return { name: name.replace(/\.[^.]*$/, '') + '.jpg', type: 'image/jpeg', data: await base64(jpeg) };
}

/**
 * Send each picked photo to case `eventId`, in turn; resolves with those stored, throws the
 * first refusal (the ones before it stay stored; sent again, their keys find them).
 */
export async function uploadPhotos(api: Api, eventId: number, picked: readonly PickedPhoto[], notImage: (name: string) => string): Promise<PhotoView[]> {
  const out: PhotoView[] = [];
  for (const p of picked) {
    const body = await photoBody(p.file);
    if (!body) throw new Error(notImage(p.file.name));
    const r = await api.post<{ photo: PhotoView }>(`/events/${eventId}/photos`, body, { idempotencyKey: p.key });
    out.push(r.photo);
  }
  return out;
}
