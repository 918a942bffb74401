/**
 * A grid worker's field logs (巡查 · 走访), kept on the tablet and sent as one record each
 * (docs/OFFLINE.md): a **patrol** is logged when it ends — where, from when to when, what was
 * seen — and a **visit** to a household when it is done, with a few structured answers about a
 * resident's wellbeing. No continuous tracking and no "online time": a patrol carries its start
 * and end, never a trace. Staff-only: a wall sees none of it.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';
import { multiLineText, singleLineText } from './text.ts';
import { MAX_PATROL_MS, MAX_PATROL_NOTES, VISIT_HEALTH, VISIT_KINDS, VISIT_LIVING, VISIT_SAFETY } from './fieldwork-vocabulary.ts';

export * from './fieldwork-vocabulary.ts';

const since2000 = instant.refine((v) => !(Date.parse(v) < Date.UTC(2000, 0, 1)), 'must be in 2000 or later');

/** One thing seen on a patrol, when it was noted. */
export const patrolNote = z.strictObject({
  at: since2000,
  text: multiLineText(500).min(1, 'required'),
});

/** `POST /patrols`: a patrol that has ended, logged whole. */
export const logPatrolBody = z.strictObject({
  gridId: z.string().min(1, 'required').max(40),
  startedAt: since2000,
  endedAt: since2000,
  /** The way walked, in words (幸福路—3栋—地下车库); no trace of positions. */
  route: singleLineText(200).default(''),
  notes: z.array(patrolNote).max(MAX_PATROL_NOTES, `at most ${MAX_PATROL_NOTES} notes`).default([]),
  summary: multiLineText(2000).default(''),
}).superRefine((v, ctx) => {
  const start = Date.parse(v.startedAt);
  const end = Date.parse(v.endedAt);
  if (end < start) ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'must not be before startedAt' });
  else if (end - start > MAX_PATROL_MS) ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'a patrol is at most 24 hours' });
  v.notes.forEach((n, i) => {
    const at = Date.parse(n.at);
    if (at < start || at > end) ctx.addIssue({ code: 'custom', path: ['notes', i, 'at'], message: 'must lie between startedAt and endedAt' });
  });
});
export type LogPatrolBody = z.infer<typeof logPatrolBody>;

/** `POST /visits`: a visit to a household, logged when done. */
export const logVisitBody = z.strictObject({
  gridId: z.string().min(1, 'required').max(40),
  /** The register's household and resident, when the tablet names them. */
  householdId: z.number().int().positive().optional(),
  residentId: z.number().int().positive().optional(),
  /** Where, in words, when no household is named (or beside it). */
  address: singleLineText(200).default(''),
  kind: z.enum(VISIT_KINDS, { message: `must be one of ${VISIT_KINDS.join(', ')}` }),
  visitedAt: since2000,
  /** Whether the resident was met in person (见到本人). */
  met: z.boolean(),
  safety: z.enum(VISIT_SAFETY, { message: `must be one of ${VISIT_SAFETY.join(', ')}` }),
  health: z.enum(VISIT_HEALTH, { message: `must be one of ${VISIT_HEALTH.join(', ')}` }),
  living: z.enum(VISIT_LIVING, { message: `must be one of ${VISIT_LIVING.join(', ')}` }),
  /** What was said and seen; staff-only. */
  note: multiLineText(2000).default(''),
  /** Someone should come back (a social worker, the grid worker again). */
  followUp: z.boolean().default(false),
}).superRefine((v, ctx) => {
  if (v.householdId === undefined && v.residentId === undefined && !v.address) {
    ctx.addIssue({ code: 'custom', path: ['address'], message: 'name a household, a resident or an address' });
  }
});
export type LogVisitBody = z.infer<typeof logVisitBody>;

/** A patrol as staff read it. */
export const patrolView = z.strictObject({
  id: z.number().int(),
  gridId: z.string(),
  by: z.string(),
  byName: z.string(),
  workerId: z.string().nullable(),
  startedAt: instant,
  endedAt: instant,
  minutes: z.number().int(),
  route: z.string(),
  notes: z.array(patrolNote),
  summary: z.string(),
  /** Cases this worker reported in the grid while on the patrol (found by time, not stored). */
  events: z.array(z.strictObject({ id: z.number().int(), code: z.string(), title: z.string(), status: z.string() })),
  loggedAt: instant,
});
export type PatrolView = z.infer<typeof patrolView>;

export const visitView = z.strictObject({
  id: z.number().int(),
  gridId: z.string(),
  by: z.string(),
  byName: z.string(),
  householdId: z.number().int().nullable(),
  residentId: z.number().int().nullable(),
  address: z.string(),
  kind: z.enum(VISIT_KINDS),
  visitedAt: instant,
  met: z.boolean(),
  safety: z.enum(VISIT_SAFETY),
  health: z.enum(VISIT_HEALTH),
  living: z.enum(VISIT_LIVING),
  note: z.string(),
  followUp: z.boolean(),
  loggedAt: instant,
});
export type VisitView = z.infer<typeof visitView>;

/** `GET /patrols`, `GET /visits`: newest first, mine or (the centre) anyone's, by grid and period. */
export const fieldLogQuery = z.strictObject({
  grid: z.string().min(1).max(40).optional(),
  by: z.string().min(1).max(64).optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type FieldLogQuery = z.infer<typeof fieldLogQuery>;

/**
 * `GET /visits` also takes `attention=true`: only the visits that need someone to act (需关注) —
 * a follow-up asked for, safety in danger or health poor. Filtered in the query, so `limit`
 * counts those visits, not the ones around them.
 */
export const visitLogQuery = fieldLogQuery.extend({
  attention: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type VisitLogQuery = z.infer<typeof visitLogQuery>;

/** Whether a visit needs someone to act: the same rule as `attention=true`. */
export const needsAttention = (v: Pick<VisitView, 'followUp' | 'safety' | 'health'>): boolean =>
  v.followUp || v.safety === 'danger' || v.health === 'poor';

export const patrolAnswer = z.strictObject({ patrol: patrolView });
export const patrolListAnswer = z.strictObject({ items: z.array(patrolView) });
export const visitAnswer = z.strictObject({ visit: visitView });
export const visitListAnswer = z.strictObject({ items: z.array(visitView) });
