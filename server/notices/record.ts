/**
 * A notice's row and its view: instants as epoch ms in the row, ISO strings with the
 * community's offset in the view (shared/protocol.ts `Notice`).
 */
import type { Notice, NoticeKind } from '../../shared/protocol.ts';
import { isoInZone } from '../../shared/time.ts';

export interface NoticeRow {
  id: number;
  community_id: string;
  user_id: number;
  kind: NoticeKind;
  event_id: number;
  at: number;
  read_at: number | null;
  data: string;
}

/** What a notice says of its case, kept as it was when written (the `data` column). */
export interface NoticeData {
  code: string;
  title: string;
  byName: string | null;
  hours: number | null;
  /** Epoch ms. */
  dueAt: number | null;
  /** The note written with the step (absent in notices written before it was kept). */
  note?: string | null;
}

/** A notice written in a change's transaction, to be sent after commit. */
export interface WrittenNotice {
  userId: number;
  notice: Notice;
}

export function viewNotice(row: NoticeRow, timeZone: string): Notice {
  const d = JSON.parse(row.data) as NoticeData;
  return {
    id: row.id, kind: row.kind, eventId: row.event_id, code: d.code, title: d.title, byName: d.byName, hours: d.hours,
    dueAt: d.dueAt === null ? null : isoInZone(d.dueAt, timeZone), note: d.note ?? null,
    at: isoInZone(row.at, timeZone), readAt: row.read_at === null ? null : isoInZone(row.read_at, timeZone),
  };
}
