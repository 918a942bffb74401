/**
 * What the grid-event API answers, as zod schemas: the staff view of an event with its allowed
 * actions, a page of them, an event with its history, and what a report or an action returns.
 * The routes declare them (server/events/routes.ts) and the tests check every answer against
 * them, so an answer cannot drift from `EventView` (shared/protocol.ts) unseen: the objects are
 * strict, and a field the view gains or loses fails a type check below and the tests.
 */
import { z } from 'zod';
import { ACTIONS, STATUSES } from './lifecycle.ts';
import type { EventView } from './protocol.ts';
import { instant } from './schemas.ts';
import { SOURCES, URGENCIES } from './taxonomy.ts';
import { QUEUE_TABS, type QueueTab } from './desk.ts';

const time = instant;
const timeOrNull = time.nullable();

/** `EventView` as staff see it: every field, the reporter's included. */
export const staffEventView = z.strictObject({
  id: z.number().int(),
  code: z.string(),
  communityId: z.string(),
  gridId: z.string().nullable(),
  category: z.string(),
  subcategory: z.string().nullable(),
  urgency: z.enum(URGENCIES),
  source: z.enum(SOURCES),
  status: z.enum(STATUSES),
  title: z.string(),
  description: z.string(),
  address: z.string().nullable(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  reporterName: z.string().nullable(),
  reporterPhone: z.string().nullable(),
  externalId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  pending: z.strictObject({
    kind: z.enum(['extension', 'shelve']), hours: z.number().optional(), at: time, by: z.string(), note: z.string(),
  }).nullable(),
  reportedAt: time,
  acceptedAt: timeOrNull,
  dispatchedAt: timeOrNull,
  resolvedAt: timeOrNull,
  closedAt: timeOrNull,
  dispatchDueAt: timeOrNull,
  handleDueAt: timeOrNull,
  dueAt: timeOrNull,
  assignedAt: timeOrNull,
  signedAt: timeOrNull,
  signDueAt: timeOrNull,
  duplicateOf: z.number().int().nullable(),
  overdue: z.boolean(),
  onTime: z.boolean().nullable(),
  satisfaction: z.number().nullable(),
  remindedAt: timeOrNull,
  escalatedAt: timeOrNull,
  version: z.number().int(),
  updatedAt: time,
});

// The schema and the interface name the same fields with the same types, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameFields: Same<z.output<typeof staffEventView>, Required<EventView>> = true;
void sameFields;

/** An event as the event routes answer it to staff: its view and the actions its status allows now. */
export const eventAnswer = staffEventView.extend({ allowedActions: z.array(z.enum(ACTIONS)) });

/** `GET /events`: a page, newest first. */
export const eventPageAnswer = z.strictObject({ items: z.array(eventAnswer), nextCursor: z.string().nullable() });

/** `GET /events/:id`: the event and its history, oldest first. */
export const eventWithHistoryAnswer = z.strictObject({
  event: eventAnswer,
  history: z.array(z.strictObject({
    id: z.number().int(), at: time, action: z.string(), fromStatus: z.string().nullable(), toStatus: z.string(),
    actor: z.string(), actorName: z.string(), actorRole: z.string(), note: z.string().nullable(), data: z.record(z.string(), z.unknown()).nullable(),
  })),
  /** The reports merged into it (并案), each with its reporter: staff only. */
  merged: z.array(z.strictObject({
    id: z.number().int(), code: z.string(), reporterName: z.string().nullable(), reporterPhone: z.string().nullable(),
    source: z.enum(SOURCES), reportedAt: time,
  })),
});

const idOnlyAnswer = z.strictObject({ id: z.number().int(), code: z.string(), externalId: z.string().nullable() });

/**
 * `POST /events`: the event and whether it is new. A caller who may not read the event (an
 * integration's key) is told its id, case number and external id only.
 */
export const reportAnswer = z.strictObject({
  event: z.unknown().check((ctx) => {
    // Not a union: zod would report a drifting staff view as the id-only answer's extra fields.
    const v = ctx.value;
    const issues = (typeof v === 'object' && v !== null && 'status' in v ? eventAnswer : idOnlyAnswer).safeParse(v).error?.issues ?? [];
    for (const { path, message } of issues) ctx.issues.push({ code: 'custom', path, message, input: v });
  }),
  created: z.boolean(),
  /** How many photos named by hash came with it (the tablet's receipt: 照片 4/4). */
  photos: z.number().int().nonnegative().optional(),
});

/** `POST /events/:id/:action`: the event after the action, and how many photos named by hash came with it. */
export const actionAnswer = z.strictObject({ event: eventAnswer, photos: z.number().int().nonnegative().optional() });

/** `GET /events/queue`: one tab of the desk's queue, with every tab counted (shared/desk.ts). */
export const queueAnswer = z.strictObject({
  tab: z.enum(QUEUE_TABS),
  // No reporter on a queue row (the case page has them).
  items: z.array(eventAnswer.omit({ reporterName: true, reporterPhone: true }).extend({ light: z.enum(['red', 'amber', 'green']).nullable() })),
  counts: z.strictObject(Object.fromEntries(QUEUE_TABS.map((t) => [t, z.number().int().nonnegative()])) as Record<QueueTab, z.ZodNumber>),
  truncated: z.boolean(),
});

/** `GET /events/:id/assignees`: whom to dispatch to, best first. */
export const assigneesAnswer = z.strictObject({
  items: z.array(z.strictObject({
    id: z.string(), name: z.string(), gridId: z.string().nullable(), sameGrid: z.boolean(), openCases: z.number().int().nonnegative(), hasAccount: z.boolean(),
  })),
});

/** `GET /events/:id/duplicates`: open cases the report may duplicate, nearest first. */
export const duplicatesAnswer = z.strictObject({
  items: z.array(z.strictObject({
    id: z.number().int(), code: z.string(), title: z.string(), status: z.enum(STATUSES), address: z.string().nullable(),
    reportedAt: time, distanceM: z.number().int().nonnegative().nullable(),
  })),
});
