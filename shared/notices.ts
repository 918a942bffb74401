/**
 * The notice centre's wire (server/notices, client/console/notices.svelte.ts): the kinds, the
 * list's query and the answers, as zod schemas the routes declare and the tests check against.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';
import type { Notice, NoticeKind } from './protocol.ts';

export const NOTICE_KINDS = [
  'dispatched', 'returned', 'sent_back', 'reminded', 'overdue',
  'extension_approved', 'extension_denied', 'shelve_approved', 'shelve_denied', 'urged', 'supervised',
] as const satisfies readonly NoticeKind[];

export const listNoticesQuery = z
  .object({
    limit: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(100, 'at most 100').default(20),
    cursor: z.string().regex(/^\d{1,15}$/, 'is not a cursor from a previous page').optional(),
    /** Only the unread ones. */
    unread: z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true').optional(),
  })
  .strict();
export type ListNoticesQuery = z.infer<typeof listNoticesQuery>;

export const noticeView = z.strictObject({
  id: z.number().int(),
  kind: z.enum(NOTICE_KINDS),
  eventId: z.number().int(),
  code: z.string(),
  title: z.string(),
  byName: z.string().nullable(),
  hours: z.number().nullable(),
  dueAt: instant.nullable(),
  note: z.string().nullable(),
  at: instant,
  readAt: instant.nullable(),
});

/** `GET /notices`: a page, newest first, and how many of all the person's notices are unread. */
export const noticePageAnswer = z.strictObject({
  items: z.array(noticeView),
  nextCursor: z.string().nullable(),
  unread: z.number().int(),
});

/** `POST /notices/:id/read` and `/notices/read-all`: how many are left unread. */
export const noticesReadAnswer = z.strictObject({ unread: z.number().int() });

// The schema and the wire type describe the same object.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.infer<typeof noticeView>, Notice> = true;
void sameShape;
