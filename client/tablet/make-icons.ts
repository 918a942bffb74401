/**
 * Draws the field app's icons (client/tablet/public/tablet-*.png): a blue tile with a white
 * 3×3 grid (网格) and an orange pin, the pin and grid inside the middle 80 % so a maskable crop
 * keeps them. PNG written by hand with node:zlib: no image library for three small files.
 *
 *   npx tsx client/tablet/make-icons.ts
 */
import fs from 'node:fs';
import zlib from 'node:zlib';

const BLUE = [11, 79, 138], WHITE = [255, 255, 255], ORANGE = [245, 158, 11];

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function icon(size: number): Buffer {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  const lo = size * 0.2, hi = size * 0.8, line = Math.max(2, size * 0.035);
  const cell = (hi - lo) / 3;
  const pin = { x: lo + cell * 1.5, y: lo + cell * 1.5, r: size * 0.11 };
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      let c = BLUE;
      const inside = x >= lo - line / 2 && x <= hi + line / 2 && y >= lo - line / 2 && y <= hi + line / 2;
      const onLine = (v: number) => [0, 1, 2, 3].some((i) => Math.abs(v - (lo + i * cell)) <= line / 2);
      if (inside && (onLine(x) || onLine(y))) c = WHITE;
      const d = Math.hypot(x - pin.x, y - pin.y);
      if (d <= pin.r + line) c = WHITE;
      if (d <= pin.r) c = ORANGE;
      raw.set(c, y * (size * 3 + 1) + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('./public/', import.meta.url);
for (const [name, size] of [['tablet-icon-192.png', 192], ['tablet-icon-512.png', 512], ['tablet-apple-touch-icon.png', 180]] as const) {
  fs.writeFileSync(new URL(name, out), icon(size));
}
