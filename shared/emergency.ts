/**
 * Emergency mode (应急): an incident a dispatcher or admin declares, updates and ends, shaped
 * like CAP 1.2 (an Alert, its Updates, a Cancel) so a feed can be exported later. One incident
 * at a time is active in a community. Levels follow China's warning scale, IV blue (一般) to
 * I red (特别重大): `level` 4 is the mildest, 1 the gravest. A drill (演练) is the same thing
 * marked as a drill wherever it shows.
 *
 * What a wall may see (`PublicIncident`) is public information: type, level, drill, the
 * affected grids, the headline and instructions (masked like every free text on a wall), the
 * times. Who declared it, and the summary written at its end, are staff-only.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';
import { multiLineText, singleLineText } from './text.ts';

export {
  INCIDENT_TYPES, INCIDENT_LEVELS, LEVEL_COLOURS, levelNumeral, INCIDENT_STEPS, INCIDENT_STATUSES,
  type IncidentType, type IncidentLevel, type IncidentStep, type IncidentStatus,
} from './emergency-levels.ts';
import { INCIDENT_LEVELS, INCIDENT_STATUSES, INCIDENT_STEPS, INCIDENT_TYPES, type IncidentStep } from './emergency-levels.ts';

/** At most this many grids are named; more is the whole community. */
export const MAX_INCIDENT_GRIDS = 200;

/**
 * Where people must be told: `'all'` (the whole community) or some of its grids, by id.
 *
 * @example affected: 'all'   affected: ['G01', 'G02']
 */
export const incidentArea = z.union([
  z.literal('all'),
  z.array(z.string().min(1, 'required').max(40)).min(1, "name at least one grid, or 'all'")
    .max(MAX_INCIDENT_GRIDS, `at most ${MAX_INCIDENT_GRIDS} grids`)
    .refine((ids) => new Set(ids).size === ids.length, 'names a grid twice'),
], { message: "must be 'all' or a list of grid ids" });
export type IncidentArea = z.infer<typeof incidentArea>;

const incidentType = z.enum(INCIDENT_TYPES, { message: `must be one of ${INCIDENT_TYPES.join(', ')}` });
const incidentLevel = z.literal(INCIDENT_LEVELS, { message: 'must be 1 (Ⅰ red), 2 (Ⅱ orange), 3 (Ⅲ yellow) or 4 (Ⅳ blue)' });
const headline = singleLineText(80).min(1, 'required');
const instructions = multiLineText(1000);

/** `POST /incidents`: declare (CAP Alert). */
export const declareIncidentBody = z.strictObject({
  type: incidentType,
  level: incidentLevel,
  /** An exercise (演练): marked as one wherever it shows. */
  drill: z.boolean().default(false),
  grids: incidentArea,
  headline,
  /** What people must do (转移到…, 关好门窗…). */
  instructions: instructions.default(''),
});
export type DeclareIncidentBody = z.infer<typeof declareIncidentBody>;

/** `POST /incidents/:id/update` (CAP Update): what changes, against the version the form read. Whether it is a drill never changes. */
export const updateIncidentBody = z.strictObject({
  expectedVersion: z.number().int().positive(),
  type: incidentType.optional(),
  level: incidentLevel.optional(),
  grids: incidentArea.optional(),
  headline: headline.optional(),
  instructions: instructions.optional(),
}).superRefine((v, ctx) => {
  if (v.type === undefined && v.level === undefined && v.grids === undefined && v.headline === undefined && v.instructions === undefined) {
    ctx.addIssue({ code: 'custom', path: ['level'], message: 'change at least one of type, level, grids, headline, instructions' });
  }
});
export type UpdateIncidentBody = z.infer<typeof updateIncidentBody>;

/** `POST /incidents/:id/end` (CAP Cancel): a summary of what happened is required. */
export const endIncidentBody = z.strictObject({
  /** When given, a change meanwhile is a 409 (the summary may speak of what the form showed). */
  expectedVersion: z.number().int().positive().optional(),
  summary: multiLineText(4000).min(1, 'required'),
});
export type EndIncidentBody = z.infer<typeof endIncidentBody>;

/** `GET /incidents`: newest first. */
export const incidentListQuery = z.strictObject({
  status: z.enum(INCIDENT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type IncidentListQuery = z.infer<typeof incidentListQuery>;

/** `GET /incidents/:id/cap`: one step's CAP 1.2 message, by its version; the latest when left out. */
export const incidentCapQuery = z.strictObject({
  version: z.coerce.number().int().positive().optional(),
});
export type IncidentCapQuery = z.infer<typeof incidentCapQuery>;

/** What a wall, a tablet and a console are pushed (`incident:changed`): public, no names. */
export const publicIncident = z.strictObject({
  id: z.number().int(),
  type: z.enum(INCIDENT_TYPES),
  level: incidentLevel,
  drill: z.boolean(),
  grids: incidentArea,
  headline: z.string(),
  instructions: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  declaredAt: instant,
  endedAt: instant.nullable(),
  version: z.number().int(),
  updatedAt: instant,
});
export type PublicIncident = z.infer<typeof publicIncident>;

/** An incident as staff read it. */
export const incidentView = publicIncident.extend({
  declaredBy: z.string(),
  declaredByName: z.string(),
  endedBy: z.string().nullable(),
  endedByName: z.string().nullable(),
  summary: z.string().nullable(),
});
export type IncidentView = z.infer<typeof incidentView>;

/** One CAP step: what it changed (`field: [before, after]`; a declaration lists what it set), who, when. */
export const incidentStepView = z.strictObject({
  step: z.enum(INCIDENT_STEPS),
  version: z.number().int(),
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
  by: z.string(),
  byName: z.string(),
  at: instant,
});
export type IncidentStepView = z.infer<typeof incidentStepView>;

/** A display of the community and whether it shows the incident's current version (`GET /incidents/:id/screens`). */
export const incidentScreen = z.strictObject({
  displayId: z.number().int(),
  name: z.string(),
  online: z.boolean(),
  /** It acknowledged the incident's current version (for an ended incident: its end). */
  flipped: z.boolean(),
  /** The version it last acknowledged, and when; null when it never did. */
  ackedVersion: z.number().int().nullable(),
  ackedAt: instant.nullable(),
});
export type IncidentScreen = z.infer<typeof incidentScreen>;

export const incidentAnswer = z.strictObject({ incident: incidentView });
export const incidentDetailAnswer = z.strictObject({ incident: incidentView, steps: z.array(incidentStepView) });
export const activeIncidentAnswer = z.strictObject({ incident: incidentView.nullable() });
export const incidentListAnswer = z.strictObject({ items: z.array(incidentView) });
export const incidentScreensAnswer = z.strictObject({ version: z.number().int(), screens: z.array(incidentScreen) });

/**
 * `incident:changed`, pushed to every socket of the community (walls, tablets, consoles) when
 * an incident is declared, updated or ended, and to each socket as it connects: the
 * community's active incident, or the one that just ended, or null when none is active.
 * A surface shows emergency mode while `incident?.status === 'active'`.
 */
export interface IncidentNews {
  /** The CAP step that caused it; absent on the message a socket gets as it connects. */
  step?: IncidentStep;
  incident: PublicIncident | null;
}

/**
 * `incident:ack`, from a wall (or a tablet) once it shows a version: the incident's id and that
 * version. The server keeps each display's last acknowledgement (`GET /incidents/:id/screens`).
 */
export const incidentAck = z.strictObject({ id: z.number().int().positive(), version: z.number().int().positive() });
export type IncidentAck = z.infer<typeof incidentAck>;

/** `incident:acked`, to the community's consoles: a display or a person's device acknowledged. */
export interface IncidentAcked {
  id: number;
  version: number;
  displayId: number | null;
  at: string;
}

/** Whether a grid is in the incident's area. */
export const affects = (incident: Pick<PublicIncident, 'grids'>, gridId: string | null): boolean =>
  incident.grids === 'all' || (gridId !== null && incident.grids.includes(gridId));
