/**
 * What the tablet does with a photo before keeping it, pure: the size it is drawn at (the long
 * side at most 2,048 px) and whether the camera's own file may be kept as is (a JPEG already that
 * small and light). docs/OFFLINE.md §2: most photos leave the tablet at a few hundred kB.
 */

export const LONG_SIDE = 2048;
export const JPEG_QUALITY = 0.8;
/** A file lighter than this, already a small JPEG, is kept as the camera wrote it. */
export const KEEP_AS_IS_BYTES = 700 * 1024;
/** The server's largest photo (docs/OFFLINE.md §2). */
export const MAX_PHOTO_BYTES = 16 * 1024 * 1024;

export type PhotoPlan = { keep: true } | { keep: false; width: number; height: number };

/** Keep the file, or redraw it at `width`×`height` as a JPEG of quality ~0.8. */
export function photoPlan(p: { width: number; height: number; type: string; bytes: number }): PhotoPlan {
  const long = Math.max(p.width, p.height);
  if (p.type === 'image/jpeg' && long <= LONG_SIDE && p.bytes <= KEEP_AS_IS_BYTES) return { keep: true };
  const scale = long > LONG_SIDE ? LONG_SIDE / long : 1;
  return { keep: false, width: Math.max(1, Math.round(p.width * scale)), height: Math.max(1, Math.round(p.height * scale)) };
}

/** Lower-case hex of a digest. */
export function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
