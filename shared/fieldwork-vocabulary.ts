/**
 * The field logs' vocabulary (巡查 · 走访), with no schema library: the tablet draws its visit
 * form's buttons from it offline without downloading zod. The schemas are shared/fieldwork.ts,
 * which re-exports all of this.
 */

/** A patrol or visit is at most this long. */
export const MAX_PATROL_MS = 24 * 3_600_000;
/** What was seen on a patrol: at most this many notes. */
export const MAX_PATROL_NOTES = 50;

/** Why a household was visited. */
export const VISIT_KINDS = ['routine', 'key_population', 'follow_up', 'complaint'] as const;
export type VisitKind = (typeof VISIT_KINDS)[number];
/** The structured answers of a visit (走访记录), each a short scale. */
export const VISIT_SAFETY = ['ok', 'concern', 'danger'] as const;
export const VISIT_HEALTH = ['good', 'fair', 'poor'] as const;
export const VISIT_LIVING = ['ok', 'difficult'] as const;
