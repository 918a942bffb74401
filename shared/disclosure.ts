/**
 * Small numbers (小数抑制): what a public view may say about residents of key populations.
 *
 * Masking hides who a person is; a count can still point at them. "Disabled residents with an
 * open need: 1" beside a feed line about a need in 丝绸厂宿舍 is enough for a neighbour. So the
 * views every wall receives follow three rules (docs/SECURITY.md, "Small numbers"):
 *
 * 1. A count of residents of a key population, or of their needs and services, that is above
 *    zero and below `SMALL_COUNT_MIN` is withheld: the view carries `{ lt: SMALL_COUNT_MIN }`
 *    and the wall shows "<3". Zero is shown (it points at nobody). No total is published beside
 *    such counts, so a withheld one cannot be worked out by subtraction.
 * 2. A feed line that could single such a resident out — a need or a service tagged with a key
 *    population and concerning fewer than `SMALL_COUNT_MIN` people, a social worker's case
 *    (always one client), money or goods given to such a need — carries no free text typed
 *    about them and no grid, only its category; its count of people shows as "<3". Grid events
 *    of the kinds that are about one vulnerable resident are treated alike
 *    (`isProtectedEvent` in shared/taxonomy.ts), except that they keep their grid: the grid is
 *    the unit grid management works in.
 * 3. The wall's figures by grid (services, people served, open needs) count such needs and
 *    services community-wide only, so nobody watching a grid's count tick as a gridless line
 *    appears can read the grid off it.
 *
 * The views are computed once for every audience, so staff see the same; their consoles read
 * the full records, logged (docs/SECURITY.md).
 */

/** Counts from 1 to SMALL_COUNT_MIN − 1 are withheld (the "threshold rule" of statistical offices; 3 is the floor most use). */
export const SMALL_COUNT_MIN = 3;

/** A count that was withheld: it lies between 1 and `lt` − 1. */
export interface Withheld {
  lt: number;
}

/** A published count: exact, or withheld because it is small. */
export type GuardedCount = number | Withheld;

/** `n` as a public view may carry it. */
export function guardCount(n: number): GuardedCount {
  return n > 0 && n < SMALL_COUNT_MIN ? { lt: SMALL_COUNT_MIN } : n;
}

export function isWithheld(c: GuardedCount): c is Withheld {
  return typeof c === 'object' && c !== null;
}

/** "<3" for a withheld count, the number otherwise (for lines of text, where a count is a parameter). */
export function countText(c: GuardedCount): string | number {
  return isWithheld(c) ? `<${c.lt}` : c;
}

/**
 * Could a record about `people` residents tagged with these key populations single one of them
 * out? Yes when it has a population and fewer people than `SMALL_COUNT_MIN`; a group need of
 * twelve elderly residents does not.
 */
export function singlesOut(populations: readonly string[] | null | undefined, people: number): boolean {
  return !!populations && populations.length > 0 && people < SMALL_COUNT_MIN;
}

/** `singlesOut` in SQL, over a row's JSON population tags and its count of people. */
export const singlesOutSql = (populations = 'populations', people = 'beneficiaries'): string =>
  `(${populations} <> '[]' AND ${people} < ${SMALL_COUNT_MIN})`;
