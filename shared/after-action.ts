/**
 * An incident's timeline and its after-action report (复盘报告), after FEMA HSEEP: the timeline
 * is the incident's journal in one ordered list (its steps, the board's reports, claims and
 * escalations, the cases "needs help" opened); the report adds computed figures (how long until
 * every household's status was known, per grid; final statuses; the cases' handling times; the
 * escalations reached), objectives rated P/S/M/U by staff, and corrective actions, each with an
 * owner, a due date and a check, followed up on their owner's console until done and verified —
 * records, not a file that is forgotten.
 */
import { z } from 'zod';
import { calendarDate, instant } from './schemas.ts';
import { multiLineText, singleLineText } from './text.ts';

/** HSEEP's ratings: P performed without challenges, S with some, M with major ones, U unable to be performed. */
export const OBJECTIVE_RATINGS = ['P', 'S', 'M', 'U'] as const;
export type ObjectiveRating = (typeof OBJECTIVE_RATINGS)[number];

/** open 待整改 → done 已完成 (its owner) → verified 已核验 (the centre); verified may be reopened by the centre. */
export const ACTION_STATUSES = ['open', 'done', 'verified'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/**
 * What a timeline entry records. `step`: the incident declared, updated, ended; `report`: a
 * household's status reported; `claim` / `release`: a door taken or let go; `escalation`: a "no
 * answer" moved a stage; `case`: the urgent case "needs help" opened (and `case_closed`).
 * Other subjects add their own kinds through the service's sources: the people subject's are
 * PEOPLE_KINDS.
 */
export const TIMELINE_KINDS = ['step', 'report', 'claim', 'release', 'escalation', 'case', 'case_closed'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number] | (string & {});

/**
 * The people subject's timeline kinds (server/emergency/people-report.ts): a call-out sent, an
 * answer, a duty started or ended (and every duty ended with the incident), a shelter opened for
 * the incident, people checked in or out (head counts), supplies booked in or out.
 */
export const PEOPLE_KINDS = [
  'callout', 'callout_accepted', 'callout_declined', 'duty_on', 'duty_off', 'duties_ended', 'shelter_opened', 'shelter_in', 'shelter_out',
  'supply_in', 'supply_out',
] as const;

/** One entry: when, what kind, who (staff only: never shown publicly), what (machine words for the catalogues), which grid. */
export const timelineEntry = z.strictObject({
  at: instant,
  kind: z.string(),
  /** A username, 'self' for the resident's own link, 'system' for the timer; null when nobody. */
  who: z.string().nullable(),
  whoName: z.string().nullable(),
  /** What happened, as data: `{ step }`, `{ status, source }`, `{ stage }`, `{ eventId }` … */
  what: z.record(z.string(), z.unknown()),
  gridId: z.string().nullable(),
  householdId: z.number().int().nullable(),
  address: z.string().nullable(),
});
export type TimelineEntry = z.infer<typeof timelineEntry>;

/** `GET /incidents/:id/timeline?offset=&limit=`: oldest first, a page at a time. */
export const timelineQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});
export type TimelineQuery = z.infer<typeof timelineQuery>;

export const timelineAnswer = z.strictObject({
  incidentId: z.number().int(),
  total: z.number().int(),
  nextOffset: z.number().int().nullable(),
  items: z.array(timelineEntry),
});
export type TimelineAnswer = z.infer<typeof timelineAnswer>;

// ---- objectives and corrective actions ------------------------------------------------------

const rating = z.enum(OBJECTIVE_RATINGS, { message: 'must be P, S, M or U' });

/** `POST /incidents/:id/objectives`: an objective and how it was met. */
export const objectiveBody = z.strictObject({
  title: singleLineText(120).min(1, 'required'),
  rating,
  note: multiLineText(2000).default(''),
});
export type ObjectiveBody = z.infer<typeof objectiveBody>;

/** `POST /incidents/:id/objectives/:oid/rating`: rate it again. */
export const rateObjectiveBody = z.strictObject({ rating, note: multiLineText(2000).optional() });
export type RateObjectiveBody = z.infer<typeof rateObjectiveBody>;

/** `POST /incidents/:id/actions`: a corrective action, with its owner (a username), its due date and how it will be checked. */
export const correctiveActionBody = z.strictObject({
  title: singleLineText(160).min(1, 'required'),
  owner: z.string({ message: 'required' }).min(1, 'required').max(64),
  dueDate: calendarDate,
  /** How anyone will know it is done (a drill passed, a list updated …). */
  check: multiLineText(1000).min(1, 'required'),
  objectiveId: z.number().int().positive().optional(),
});
export type CorrectiveActionBody = z.infer<typeof correctiveActionBody>;

/** `POST /corrective-actions/:aid/status`: done (its owner or the centre), verified or reopened (the centre), with a note on the check. */
export const actionStatusBody = z.strictObject({
  status: z.enum(ACTION_STATUSES, { message: 'must be open, done or verified' }),
  checkNote: multiLineText(1000).default(''),
});
export type ActionStatusBody = z.infer<typeof actionStatusBody>;

/** `GET /corrective-actions?owner=me&open=true`: across incidents, overdue first then by due date. */
export const actionListQuery = z.strictObject({
  owner: z.string().min(1).max(64).optional(),
  open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  incident: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type ActionListQuery = z.infer<typeof actionListQuery>;

export const objectiveView = z.strictObject({
  id: z.number().int(),
  incidentId: z.number().int(),
  title: z.string(),
  rating,
  note: z.string(),
  ratedBy: z.string(),
  ratedByName: z.string(),
  ratedAt: instant,
});
export type ObjectiveView = z.infer<typeof objectiveView>;

export const correctiveActionView = z.strictObject({
  id: z.number().int(),
  incidentId: z.number().int(),
  incidentHeadline: z.string(),
  objectiveId: z.number().int().nullable(),
  title: z.string(),
  owner: z.string(),
  ownerName: z.string(),
  dueDate: z.string(),
  check: z.string(),
  status: z.enum(ACTION_STATUSES),
  checkNote: z.string(),
  /** Still open after its due date (in the community's zone). */
  overdue: z.boolean(),
  createdBy: z.string(),
  createdAt: instant,
  closedBy: z.string().nullable(),
  closedByName: z.string().nullable(),
  closedAt: instant.nullable(),
  verifiedBy: z.string().nullable(),
  verifiedAt: instant.nullable(),
});
export type CorrectiveActionView = z.infer<typeof correctiveActionView>;

// ---- the computed figures -------------------------------------------------------------------

/** Per grid: when every household's status was known, or how many were still unknown at the end (or now). */
export const gridKnown = z.strictObject({
  gridId: z.string(),
  gridName: z.string(),
  households: z.number().int(),
  /** When the last unknown household of the grid became known (and none went back); null: not yet. */
  knownAt: instant.nullable(),
  /** Minutes from the declaration (or the grid joining the board) to `knownAt`; null: not yet. */
  minutes: z.number().nullable(),
  /** Households still unknown at the end (or now, while active). */
  unknownAtEnd: z.number().int(),
});
export type GridKnown = z.infer<typeof gridKnown>;

export const needsHelpCase = z.strictObject({
  eventId: z.number().int(),
  householdId: z.number().int(),
  gridId: z.string(),
  address: z.string(),
  openedAt: instant,
  closedAt: instant.nullable(),
  status: z.string(),
  /** Minutes from opening to resolving (or closing); null while open. */
  minutes: z.number().nullable(),
});

/** An incident's call-outs and duty: who was asked, who came, how soon and for how long. */
export const mobilisationFigures = z.strictObject({
  callouts: z.number().int(),
  /** Volunteers asked by any call-out, each once: accepted (any call-out), else declined (all they answered), else no answer. */
  asked: z.number().int(),
  accepted: z.number().int(),
  declined: z.number().int(),
  noAnswer: z.number().int(),
  /** Minutes from the first call-out to the first acceptance; null: nobody accepted. */
  firstAcceptedMinutes: z.number().nullable(),
  /** The most volunteers on duty at once, and when that was first reached. */
  onDutyPeak: z.number().int(),
  onDutyPeakAt: instant.nullable(),
  /** Every duty added up, to the end (or now), in hours to one decimal. */
  dutyHours: z.number(),
});
export type MobilisationFigures = z.infer<typeof mobilisationFigures>;

/** A shelter the incident used: its own, or a standing one people came to or supplies moved through during it. */
export const shelterFigures = z.strictObject({
  shelterId: z.number().int(),
  name: z.string(),
  gridId: z.string().nullable(),
  capacity: z.number().int().nullable(),
  /** The most people in at once during the incident, and when that was first reached. */
  peak: z.number().int(),
  peakAt: instant.nullable(),
  /** People (and households) checked in during the incident. */
  checkedIn: z.number().int(),
  households: z.number().int(),
  /** People still in at the end (or now). */
  presentAtEnd: z.number().int(),
});
export type ShelterFigures = z.infer<typeof shelterFigures>;

/** One item of one shelter: what came in and went out during the incident, and what was left. */
export const supplyFigures = z.strictObject({
  shelterId: z.number().int(),
  shelterName: z.string(),
  item: z.string(),
  unit: z.string(),
  received: z.number().int(),
  issued: z.number().int(),
  onHandAtEnd: z.number().int(),
  /** Running low at the end, by the shelter's rule (shared/emergency-people-rules.ts `runningLow`). */
  low: z.boolean(),
});
export type SupplyFigures = z.infer<typeof supplyFigures>;

/** The people and places of an incident (server/emergency/people-report.ts): for the whole incident, every grid. */
export const peopleFigures = z.strictObject({
  mobilisation: mobilisationFigures,
  shelters: z.array(shelterFigures),
  supplies: z.array(supplyFigures),
});
export type PeopleFigures = z.infer<typeof peopleFigures>;

export const afterActionAnswer = z.strictObject({
  incident: z.strictObject({
    id: z.number().int(), type: z.string(), level: z.number().int(), drill: z.boolean(), headline: z.string(), status: z.string(),
    declaredAt: instant, endedAt: instant.nullable(), declaredByName: z.string(), endedByName: z.string().nullable(), summary: z.string().nullable(),
  }),
  figures: z.strictObject({
    households: z.number().int(),
    /** Final status counts: unknown, safe, needs_help, no_answer, sheltered, away. */
    byStatus: z.record(z.string(), z.number().int()),
    grids: z.array(gridKnown),
    /** Minutes until every household of every grid was known; null: not yet. */
    allKnownMinutes: z.number().nullable(),
    reports: z.number().int(),
    cases: z.array(needsHelpCase),
    escalations: z.record(z.string(), z.number().int()),
    /** Call-outs, duty, shelters and supplies; null when the people subject is not part of the server. */
    people: peopleFigures.nullable(),
  }),
  objectives: z.array(objectiveView),
  actions: z.array(correctiveActionView),
});
export type AfterActionAnswer = z.infer<typeof afterActionAnswer>;

export const objectiveAnswer = z.strictObject({ objective: objectiveView });
export const actionAnswer = z.strictObject({ action: correctiveActionView });
export const actionListAnswer = z.strictObject({ items: z.array(correctiveActionView) });

/** `GET /incidents/:id/report/export?format=&what=`: the timeline, the actions or the people figures (one row a figure) as a spreadsheet. */
export const reportExportQuery = z.strictObject({
  format: z.enum(['csv', 'xlsx'], { message: 'must be csv or xlsx' }),
  what: z.enum(['timeline', 'actions', 'people'], { message: 'must be timeline, actions or people' }).default('timeline'),
  lang: z.enum(['zh-CN', 'en']).optional(),
});
export type ReportExportQuery = z.infer<typeof reportExportQuery>;
