/**
 * Emergency people and places (issue 15): volunteers called out by skill and grid, who answer
 * from their phone and go on duty; shelters with a capacity from their usable area (Sphere,
 * 3.5 m² a person) or set by hand, their occupancy from check-ins and check-outs by head count
 * (no names), their needs; and each shelter's supplies as a ledger of movements in and out,
 * whose sum is what is on hand (never an editable total).
 *
 * What a wall may see (`PublicPeople`, `people:counts`) is counts: volunteers mobilised and on
 * duty, each shelter's occupancy against its capacity, the supplies running low. No names.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';
import { multiLineText, singleLineText } from './text.ts';
import { CALLOUT_ANSWERS, DUTY_ACTIONS, SHELTER_NEEDS } from './emergency-people-rules.ts';

export * from './emergency-people-rules.ts';

const gridId = z.string().min(1, 'required').max(40);
const skill = z.string().min(1, 'required').max(20);
const distinct = <T>(xs: T[]) => new Set(xs).size === xs.length;

// ---- call-outs ---------------------------------------------------------------------------------

/**
 * `POST /incidents/:id/callouts`: call out the community's active volunteers who have any of
 * `skills` (none: any skill) and live in any of `grids` (none: any grid).
 */
export const calloutBody = z.strictObject({
  skills: z.array(skill).max(20, 'at most 20 skills').refine(distinct, 'names a skill twice').default([]),
  grids: z.array(gridId).max(200, 'at most 200 grids').refine(distinct, 'names a grid twice').default([]),
  message: multiLineText(500).min(1, 'required'),
});
export type CalloutBody = z.infer<typeof calloutBody>;

/** `POST /me/callouts/:id/answer`: the volunteer's answer, which they may change while the incident lasts. */
export const calloutAnswerBody = z.strictObject({
  answer: z.enum(CALLOUT_ANSWERS, { message: `must be one of ${CALLOUT_ANSWERS.join(', ')}` }),
});
export type CalloutAnswerBody = z.infer<typeof calloutAnswerBody>;

/** `POST /me/callouts/:id/duty`: 我已到岗 (start) or 结束值守 (end), on a call-out they accepted. */
export const dutyBody = z.strictObject({
  action: z.enum(DUTY_ACTIONS, { message: `must be one of ${DUTY_ACTIONS.join(', ')}` }),
});
export type DutyBody = z.infer<typeof dutyBody>;

/** One volunteer's part in a call-out, as staff read it. */
export const calloutAnswerView = z.strictObject({
  volunteerId: z.number().int(),
  name: z.string(),
  phone: z.string(),
  gridId: z.string().nullable(),
  answer: z.enum(CALLOUT_ANSWERS).nullable(),
  answeredAt: instant.nullable(),
  onDutyFrom: instant.nullable(),
  onDutyTo: instant.nullable(),
});
export type CalloutAnswerView = z.infer<typeof calloutAnswerView>;

export const calloutView = z.strictObject({
  id: z.number().int(),
  incidentId: z.number().int(),
  skills: z.array(z.string()),
  grids: z.array(z.string()),
  message: z.string(),
  createdBy: z.string(),
  createdByName: z.string(),
  createdAt: instant,
  answers: z.array(calloutAnswerView),
});
export type CalloutView = z.infer<typeof calloutView>;

/** `GET /incidents/:id/people`: the incident's call-outs, newest first, and who is on duty now. */
export const peopleAnswer = z.strictObject({
  incidentId: z.number().int(),
  active: z.boolean(),
  callouts: z.array(calloutView),
  onDuty: z.array(calloutAnswerView.extend({ calloutId: z.number().int() })),
  mobilised: z.number().int(),
});
export type PeopleAnswer = z.infer<typeof peopleAnswer>;
export const calloutAnswer = z.strictObject({ callout: calloutView });

/** A call-out as the volunteer's phone shows it: the message, the incident's headline, their own answer. */
export const meCalloutView = z.strictObject({
  id: z.number().int(),
  incidentId: z.number().int(),
  headline: z.string(),
  drill: z.boolean(),
  message: z.string(),
  createdAt: instant,
  answer: z.enum(CALLOUT_ANSWERS).nullable(),
  answeredAt: instant.nullable(),
  onDutyFrom: instant.nullable(),
  onDutyTo: instant.nullable(),
});
export type MeCalloutView = z.infer<typeof meCalloutView>;
export const meCalloutsAnswer = z.strictObject({ items: z.array(meCalloutView) });
export const meCalloutAnswer = z.strictObject({ callout: meCalloutView });

// ---- shelters ----------------------------------------------------------------------------------

const areaM2 = z.number({ message: 'must be a number of square metres' }).positive('must be more than 0').max(1_000_000);
const capacity = z.number().int('must be a whole number of people').min(0).max(100_000);
const needs = z.array(z.enum(SHELTER_NEEDS, { message: `must be one of ${SHELTER_NEEDS.join(', ')}` }))
  .refine(distinct, 'names a need twice');

/** `POST /shelters`: a shelter for an incident (`incidentId`), or a standing one (none). */
export const shelterBody = z.strictObject({
  incidentId: z.number().int().positive().optional(),
  name: singleLineText(60).min(1, 'required'),
  address: singleLineText(120).min(1, 'required'),
  gridId: gridId.optional(),
  /** Usable covered area: capacity is floor(area / 3.5) unless set by hand. */
  areaM2: areaM2.optional(),
  /** Set by hand: wins over the area. */
  capacity: capacity.optional(),
  needs: needs.default([]),
}).refine((b) => b.areaM2 !== undefined || b.capacity !== undefined, { path: ['areaM2'], message: 'give the usable area or a capacity' });
export type ShelterBody = z.infer<typeof shelterBody>;

/** `PATCH /shelters/:id`: what changes; `capacity: null` goes back to the area's. */
export const shelterPatchBody = z.strictObject({
  name: singleLineText(60).min(1, 'required').optional(),
  address: singleLineText(120).min(1, 'required').optional(),
  areaM2: areaM2.nullable().optional(),
  capacity: capacity.nullable().optional(),
  needs: needs.optional(),
  open: z.boolean().optional(),
  /** The version the coordinator saw: a colleague's change since is a 409, not overwritten. */
  expectedVersion: z.number().int().min(1).optional(),
}).refine((b) => Object.keys(b).some((k) => k !== 'expectedVersion'), { path: ['name'], message: 'change at least one of name, address, areaM2, capacity, needs, open' });
export type ShelterPatchBody = z.infer<typeof shelterPatchBody>;

/** `POST /shelters/:id/check-ins`: people coming in or leaving, by head count (a household's, or a group's). */
export const shelterCheckInBody = z.strictObject({
  direction: z.enum(['in', 'out'], { message: "must be 'in' or 'out'" }),
  people: z.number().int('must be a whole number').min(1, 'at least 1').max(500, 'at most 500 at once'),
  /** How many households they are (optional; a head count alone is fine). */
  households: z.number().int().min(0).max(500).optional(),
}).refine((b) => b.households === undefined || b.households <= b.people, { path: ['households'], message: 'more households than people' });
export type ShelterCheckInBody = z.infer<typeof shelterCheckInBody>;

export const shelterView = z.strictObject({
  id: z.number().int(),
  incidentId: z.number().int().nullable(),
  name: z.string(),
  address: z.string(),
  gridId: z.string().nullable(),
  areaM2: z.number().nullable(),
  /** Set by hand, or null when it comes from the area. */
  capacitySet: z.number().int().nullable(),
  capacity: z.number().int().nullable(),
  occupancy: z.number().int(),
  households: z.number().int(),
  needs: z.array(z.enum(SHELTER_NEEDS)),
  open: z.boolean(),
  version: z.number().int(),
  updatedAt: instant,
});
export type ShelterView = z.infer<typeof shelterView>;
export const shelterAnswer = z.strictObject({ shelter: shelterView });
export const shelterListQuery = z.strictObject({ incident: z.coerce.number().int().positive().optional() });
export const shelterListAnswer = z.strictObject({ items: z.array(shelterView) });

// ---- supplies ----------------------------------------------------------------------------------

/** `POST /shelters/:id/supplies`: a movement in or out of one item; an out beyond what is on hand is a 409. */
export const supplyMoveBody = z.strictObject({
  item: singleLineText(40).min(1, 'required'),
  unit: singleLineText(10).min(1, 'required'),
  direction: z.enum(['in', 'out'], { message: "must be 'in' or 'out'" }),
  quantity: z.number().int('must be a whole number').min(1, 'at least 1').max(1_000_000),
  reason: singleLineText(120).default(''),
  /** Running low below this many (else below 20 % of the most ever on hand); kept for the item. */
  lowBelow: z.number().int().min(0).max(1_000_000).nullable().optional(),
});
export type SupplyMoveBody = z.infer<typeof supplyMoveBody>;

export const supplyItemView = z.strictObject({
  item: z.string(),
  unit: z.string(),
  onHand: z.number().int(),
  peak: z.number().int(),
  lowBelow: z.number().int().nullable(),
  low: z.boolean(),
});
export type SupplyItemView = z.infer<typeof supplyItemView>;

export const supplyMoveView = z.strictObject({
  id: z.number().int(),
  item: z.string(),
  unit: z.string(),
  delta: z.number().int(),
  onHandAfter: z.number().int(),
  reason: z.string(),
  by: z.string(),
  byName: z.string(),
  at: instant,
});
export type SupplyMoveView = z.infer<typeof supplyMoveView>;

export const suppliesAnswer = z.strictObject({
  shelterId: z.number().int(),
  items: z.array(supplyItemView),
  moves: z.array(supplyMoveView),
});
export type SuppliesAnswer = z.infer<typeof suppliesAnswer>;
export const supplyMoveAnswer = z.strictObject({ move: supplyMoveView, item: supplyItemView });

// ---- what a wall sees --------------------------------------------------------------------------

/** `people:counts` and `GET /incidents/:id/people/counts`: counts only, no names. */
export const publicPeople = z.strictObject({
  incidentId: z.number().int(),
  volunteers: z.strictObject({ mobilised: z.number().int(), onDuty: z.number().int() }),
  shelters: z.array(z.strictObject({
    id: z.number().int(), name: z.string(), occupancy: z.number().int(), capacity: z.number().int().nullable(),
  })),
  low: z.array(z.strictObject({ shelterId: z.number().int(), item: z.string(), unit: z.string(), onHand: z.number().int() })),
});
export type PublicPeople = z.infer<typeof publicPeople>;
