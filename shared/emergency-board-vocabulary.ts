/**
 * The accounted-for board's vocabulary as plain data (no zod, so the tablet's bundle needs none):
 * statuses, sources, ranks, escalation stages and the board's order. shared/emergency-board.ts
 * re-exports it beside the schemas, as shared/register-vocabulary.ts does for the register.
 */
/**
 * unknown 未核查 · safe 平安 · needs_help 需要帮助 · no_answer 无人应答 · sheltered 已转移安置
 * · away 不在家（外出）.
 */
export const BOARD_STATUSES = ['unknown', 'safe', 'needs_help', 'no_answer', 'sheltered', 'away'] as const;
export type BoardStatus = (typeof BOARD_STATUSES)[number];

/** What a person may report (nobody reports "unknown"). */
export const REPORTED_STATUSES = ['safe', 'needs_help', 'no_answer', 'sheltered', 'away'] as const;
export type ReportedStatus = (typeof REPORTED_STATUSES)[number];

/** Statuses that leave a household still to be accounted for: the headline "status unknown". */
export const UNSETTLED: readonly BoardStatus[] = ['unknown', 'no_answer'];

/** knock 入户敲门 · call 电话核实 · self 居民自报 · sensor 传感器. */
export const BOARD_SOURCES = ['knock', 'call', 'self', 'sensor'] as const;
export type BoardSource = (typeof BOARD_SOURCES)[number];

/**
 * How a household is ranked: 1 someone who cannot get out alone or must not be left (独居老人,
 * 残疾人, 重病患者, or any evacuation need: wheelchair, bedridden …); 2 another key population;
 * 3 everyone else.
 */
export const PRIORITIES = [1, 2, 3] as const;
export type Priority = (typeof PRIORITIES)[number];
export const FIRST_PRIORITY_TAGS: readonly string[] = ['elderly_alone', 'disabled', 'seriously_ill'];
/** Key populations that put a household second (a veteran alone does not). */
export const SECOND_PRIORITY_TAGS: readonly string[] = [
  'empty_nest', 'left_behind_child', 'child_in_difficulty', 'low_income', 'extreme_poverty', 'pregnant',
];

/** A household's rank from its residents' tags and evacuation needs. */
export function priorityOf(residents: readonly { tags: readonly string[]; mobility: readonly string[] }[]): Priority {
  if (residents.some((r) => r.mobility.length > 0 || r.tags.some((t) => FIRST_PRIORITY_TAGS.includes(t)))) return 1;
  if (residents.some((r) => r.tags.some((t) => SECOND_PRIORITY_TAGS.includes(t)))) return 2;
  return 3;
}

/**
 * A "no answer" escalates while nobody settles it (立即复敲 → 联系紧急联系人 → 两人上门): each
 * stage comes this many minutes after the one before it (the first after the report), is
 * journalled, and is a task on the board for whoever it says.
 */
export const ESCALATION = [
  { stage: 'retry', afterMinutes: 15 },
  { stage: 'call_contact', afterMinutes: 15 },
  { stage: 'visit_two', afterMinutes: 30 },
] as const;
export type EscalationStage = (typeof ESCALATION)[number]['stage'];
/**
 * A claimed door with no knock for this long is let go by the timer (journalled as a release that
 * lapsed): someone who took ten doors and then went home, or whose tablet died, does not keep
 * anyone else away from them. Long enough for a stairwell of doors and a wait at each.
 */
export const CLAIM_LAPSE_MINUTES = 60;
export const ESCALATION_STAGES = ESCALATION.map((e) => e.stage) as unknown as readonly [EscalationStage, ...EscalationStage[]];

/** A board's order: needs help first, then the unsettled by rank, then the settled. */
export const statusRank = (s: BoardStatus): number => (s === 'needs_help' ? 0 : s === 'no_answer' || s === 'unknown' ? 1 : 2);
