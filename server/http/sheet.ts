/**
 * A list as a spreadsheet file, streamed: columns as data, rows from an iterator, out comes a
 * `Response` whose body is written while the rows are read, so a 100,000-row ledger never sits
 * in memory whole. The grid events' ledger uses it (server/events/ledger.ts); the five subjects'
 * desks are meant to reuse it as is: declare the columns, hand over the rows.
 *
 * - XLSX through exceljs's streaming `WorkbookWriter`: numbers are numbers, instants are real
 *   dates (the wall-clock time in the community's zone, formatted `yyyy-mm-dd hh:mm:ss`: Excel
 *   knows no zones), text is text; a bold, frozen header row.
 * - CSV by hand: exceljs writes CSV only from a whole workbook held in memory, and RFC 4180 is
 *   a few lines. UTF-8 with a byte-order mark (Excel reads Chinese only then), CRLF lines, text
 *   always quoted and numbers bare (importers that honour quoting keep a phone or a case number
 *   as text), instants as `2026-12-07 10:03:00` in the community's zone.
 * - In both, text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` in
 *   front (`neutralise`), so a title typed as `=HYPERLINK(...)` is shown, never run, by Excel or
 *   LibreOffice (OWASP "CSV injection"). Numbers are not touched: -3 stays a number.
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { LOCALES, type Locale } from '../../shared/i18n.ts';
import { wallTime } from '../../shared/time.ts';

export type SheetFormat = 'csv' | 'xlsx';

/** One column: its header, what kind of value it holds, and how to read it from a row. */
export interface SheetColumn<T> {
  header: string;
  /** `text` is always text (a phone, a case number); `number` a number; `instant` epoch ms shown in the sheet's time zone. */
  kind: 'text' | 'number' | 'instant';
  /** Width in characters (XLSX). */
  width?: number;
  value: (row: T) => string | number | null;
}

export interface SheetOptions<T> {
  format: SheetFormat;
  /** The file's name with its extension; non-ASCII names are sent per RFC 5987 with an ASCII fallback. */
  filename: string;
  /** The file name used by clients that do not read RFC 5987 (ASCII). */
  asciiFilename: string;
  /** The worksheet's name (XLSX). */
  sheetName: string;
  columns: readonly SheetColumn<T>[];
  /** Read lazily, as the file is written. */
  rows: Iterable<T> | AsyncIterable<T>;
  /** The zone instants are shown in. */
  timeZone: string;
}

const MIME: Record<SheetFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Text that a spreadsheet would take for a formula, with a `'` in front; other text as it is. */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** `attachment` with the name as ASCII and, for the rest of the world, as RFC 5987 UTF-8. */
export function contentDisposition(filename: string, asciiFilename: string): string {
  const ascii = asciiFilename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The language asked for: `lang` when given, else the first of Accept-Language we speak, else zh-CN. */
export function sheetLocale(lang: Locale | undefined, acceptLanguage: string | undefined): Locale {
  if (lang) return lang;
  const tags = (acceptLanguage ?? '').split(',')
    .map((part) => { const [tag, ...params] = part.trim().split(';'); const q = params.find((p) => p.trim().startsWith('q=')); return { tag: tag!.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 }; })
    .filter((t) => t.tag && t.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of tags) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return LOCALES[0];
}

/** The file as a streamed `Response` (200, with its type, name and `no-store`). */
export function sheetResponse<T>(o: SheetOptions<T>): Response {
  const body = o.format === 'csv' ? csvStream(o) : xlsxStream(o);
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': MIME[o.format],
      'content-disposition': contentDisposition(o.filename, o.asciiFilename),
      'cache-control': 'no-store',
    },
  });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-07 10:03:00` in `timeZone`. */
function localText(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** A date whose UTC reading is the wall-clock time in `timeZone`: what Excel, which knows no zones, should show. */
function localDate(ms: number, timeZone: string): Date {
  const w = wallTime(ms, timeZone);
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
}

function csvField<T>(col: SheetColumn<T>, row: T, timeZone: string): string {
  const v = col.value(row);
  if (v === null || v === '') return '';
  if (col.kind === 'number' && typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (col.kind === 'instant' && typeof v === 'number') return localText(v, timeZone);
  return `"${neutralise(String(v)).replace(/"/g, '""')}"`;
}

/** Rows per chunk written to the CSV stream. */
const CSV_CHUNK = 200;

function csvStream<T>(o: SheetOptions<T>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const line = (fields: string[]) => `${fields.join(',')}\r\n`;
  async function* chunks(): AsyncGenerator<string> {
    yield `\uFEFF${line(o.columns.map((c) => `"${neutralise(c.header).replace(/"/g, '""')}"`))}`;
    let buffer = '';
    let inBuffer = 0;
    for await (const row of o.rows) {
      buffer += line(o.columns.map((c) => csvField(c, row, o.timeZone)));
      if (++inBuffer === CSV_CHUNK) {
        yield buffer;
        buffer = '';
        inBuffer = 0;
      }
    }
    if (buffer) yield buffer;
  }
  const it = chunks();
  // Pulled: the next rows are read only when the client has taken the last chunk.
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}

function xlsxCell<T>(col: SheetColumn<T>, row: T, timeZone: string): string | number | Date | null {
  const v = col.value(row);
  if (v === null || v === '') return null;
  if (col.kind === 'number' && typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (col.kind === 'instant' && typeof v === 'number') return localDate(v, timeZone);
  return neutralise(String(v));
}

/** Rows written between looks at the client's pace. */
const XLSX_CHUNK = 100;

function xlsxStream<T>(o: SheetOptions<T>): ReadableStream<Uint8Array> {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = book.addWorksheet(o.sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = o.columns.map((c, i) => ({
    key: String(i), width: c.width ?? 14,
    ...(c.kind === 'instant' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}),
  }));
  async function write() {
    const header = sheet.addRow(o.columns.map((c) => neutralise(c.header)));
    header.font = { bold: true };
    header.commit();
    let count = 0;
    for await (const row of o.rows) {
      if (out.destroyed) return; // the client went away
      sheet.addRow(o.columns.map((c) => xlsxCell(c, row, o.timeZone))).commit();
      // exceljs does not wait for the reader: wait here when the client is behind.
      if (++count % XLSX_CHUNK === 0 && out.writableNeedDrain) await drained(out);
    }
    sheet.commit();
    await book.commit();
  }
  write().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return Readable.toWeb(out) as ReadableStream<Uint8Array>;
}

/** Resolves when `out` can take more, or is gone. */
function drained(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
