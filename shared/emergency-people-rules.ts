/**
 * Emergency people and places, the plain rules: no zod, so the volunteer's phone page and the
 * wall may import them without the validator (shared/emergency-people.ts holds the schemas).
 */

/** Sphere: 3.5 m² of covered space per person in a shelter. */
export const SPHERE_M2_PER_PERSON = 3.5;

/** An item is running low below this share of the most the shelter ever had of it, unless a threshold is set. */
export const LOW_SHARE = 0.2;

/** How a volunteer answers a call-out. */
export const CALLOUT_ANSWERS = ['accepted', 'declined'] as const;
export type CalloutAnswer = (typeof CALLOUT_ANSWERS)[number];

/** Starting and ending a duty on an accepted call-out: 我已到岗 / 结束值守. */
export const DUTY_ACTIONS = ['start', 'end'] as const;
export type DutyAction = (typeof DUTY_ACTIONS)[number];

/** What a shelter may need (a list, any of). */
export const SHELTER_NEEDS = ['water', 'food', 'medicine', 'bedding', 'power', 'toilets', 'baby', 'medical_staff'] as const;
export type ShelterNeed = (typeof SHELTER_NEEDS)[number];

/**
 * A shelter's capacity: what was set by hand, or its usable area at 3.5 m² per person, rounded
 * down; null when neither is known.
 *
 * @example capacityOf(100, null) === 28; capacityOf(100, 40) === 40; capacityOf(null, null) === null
 */
export function capacityOf(areaM2: number | null, setByHand: number | null): number | null {
  if (setByHand !== null) return setByHand;
  if (areaM2 === null) return null;
  // 3.5 = 7/2: floor(area × 2 / 7) avoids 0.1-style error (70 m² is 20 people, not 19).
  return Math.floor((Math.round(areaM2 * 100) * 2) / 700);
}

/**
 * Whether an item is running low: below its threshold when one is set, else below 20 % of the
 * most the shelter ever had on hand of it. Nothing on hand of an item once stocked is low.
 */
export function runningLow(onHand: number, peak: number, lowBelow: number | null): boolean {
  if (lowBelow !== null) return onHand < lowBelow;
  return peak > 0 && onHand < peak * LOW_SHARE;
}
