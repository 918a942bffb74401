/**
 * The accounted-for board (核查台账) of an incident: every household of the affected grids that
 * has residents in the register, with its status, and the door-knock tasks that settle it.
 * "Status unknown" (not yet visited, or no answer) is the headline number, per grid, and it must
 * shrink. Key populations come first (独居老人, 残疾人, 重病 …, and anyone with an evacuation need);
 * a household that needs help jumps every queue.
 *
 * Where a status comes from: a door knock (a grid worker's or volunteer's tablet, offline,
 * exactly once), a phone call logged by staff, the resident's own answer through the
 * household's link (the digital yellow handkerchief, no account), later a sensor. Every report
 * is kept as a row of its own; the household's current status is the last one, with a version
 * that only status reports move (a claim or an escalation step does not, so a tablet's report
 * made offline across them is no conflict).
 *
 * What a wall may see: per grid, guarded counts (shared/disclosure.ts), never a name, a phone or
 * a house number.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';
import { multiLineText } from './text.ts';
import type { GuardedCount } from './disclosure.ts';
import { MOBILITY_CODES, RESIDENT_TAG_CODES } from './register.ts';

export {
  BOARD_STATUSES, REPORTED_STATUSES, UNSETTLED, BOARD_SOURCES, PRIORITIES, FIRST_PRIORITY_TAGS, SECOND_PRIORITY_TAGS, priorityOf,
  CLAIM_LAPSE_MINUTES, ESCALATION, ESCALATION_STAGES, statusRank,
  type BoardStatus, type ReportedStatus, type BoardSource, type Priority, type EscalationStage,
} from './emergency-board-vocabulary.ts';
import { BOARD_SOURCES, BOARD_STATUSES, ESCALATION_STAGES, PRIORITIES, REPORTED_STATUSES } from './emergency-board-vocabulary.ts';

// ---- bodies and queries ------------------------------------------------------------------------

const note = multiLineText(500);

/** `POST /incidents/:id/households/:hid/status`: a knock's or a call's result. */
export const reportStatusBody = z.strictObject({
  status: z.enum(REPORTED_STATUSES, { message: `must be one of ${REPORTED_STATUSES.join(', ')}` }),
  source: z.enum(['knock', 'call', 'sensor'], { message: 'must be knock, call or sensor' }),
  note: note.default(''),
  /** When it was found (a tablet's report sent later); now when absent. */
  at: instant.optional(),
  /** The status version the reporter saw: a report made meanwhile by someone else is a 409. */
  expectedVersion: z.number().int().positive().optional(),
});
export type ReportStatusBody = z.infer<typeof reportStatusBody>;

/** `POST /incidents/:id/households/:hid/done`: a claimed door knocked, with what was found; the claim ends. */
export const knockDoneBody = z.strictObject({
  status: reportStatusBody.shape.status,
  note: note.default(''),
  at: instant.optional(),
  expectedVersion: z.number().int().positive().optional(),
});
export type KnockDoneBody = z.infer<typeof knockDoneBody>;

/** `GET /incidents/:id/board`: one grid, one status, the unsettled only. */
export const boardQuery = z.strictObject({
  grid: z.string().min(1).max(40).optional(),
  status: z.enum(BOARD_STATUSES).optional(),
  open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});
export type BoardQuery = z.infer<typeof boardQuery>;

/** `POST /incidents/:id/links`: issue self-report links (tokens shown once) for households that have none, or anew. */
export const issueLinksBody = z.strictObject({
  grid: z.string().min(1).max(40).optional(),
  /** Replace links already issued (a printed card lost): the old ones stop working. */
  renew: z.boolean().default(false),
});
export type IssueLinksBody = z.infer<typeof issueLinksBody>;

/** `POST /api/v1/safe/<token>`: the resident's own answer. */
export const selfReportBody = z.strictObject({ status: z.enum(['safe', 'needs_help'], { message: 'must be safe or needs_help' }) });
export type SelfReportBody = z.infer<typeof selfReportBody>;

/** A self-report token: 32 base64url characters (24 random bytes). */
export const SAFE_TOKEN = /^[A-Za-z0-9_-]{32}$/;

// ---- answers -----------------------------------------------------------------------------------

/** A resident as the board shows them to staff allowed to see them. */
export const boardResident = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  phone: z.string().nullable(),
  birth: z.string(),
  tags: z.array(z.enum(RESIDENT_TAG_CODES)),
  mobility: z.array(z.enum(MOBILITY_CODES)),
  mobilityNote: z.string().nullable(),
  emergencyContact: z.strictObject({ name: z.string(), phone: z.string(), relation: z.string() }).nullable(),
  /** Shared only because the incident overrides the resident's consent (logged). */
  byOverride: z.boolean(),
});
export type BoardResident = z.infer<typeof boardResident>;

const claimView = z.strictObject({ by: z.string(), byName: z.string(), since: instant });

/** One household on the board. */
export const boardHousehold = z.strictObject({
  householdId: z.number().int(),
  gridId: z.string(),
  address: z.string(),
  priority: z.literal(PRIORITIES),
  status: z.enum(BOARD_STATUSES),
  version: z.number().int(),
  source: z.enum(BOARD_SOURCES).nullable(),
  reportedBy: z.string().nullable(),
  reportedByName: z.string().nullable(),
  reportedAt: instant.nullable(),
  note: z.string(),
  /** The urgent case a "needs help" opened (none in a drill). */
  eventId: z.number().int().nullable(),
  escalation: z.enum(ESCALATION_STAGES).nullable(),
  escalateAt: instant.nullable(),
  claim: claimView.nullable(),
  /** Key populations and evacuation needs of the household (staff only; [] for others). */
  tags: z.array(z.enum(RESIDENT_TAG_CODES)),
  mobility: z.array(z.enum(MOBILITY_CODES)),
  residentCount: z.number().int(),
  /** Staff only, and only those they may see: a resident withheld by consent is counted in `withheld`. */
  residents: z.array(boardResident),
  withheld: z.number().int(),
});
export type BoardHousehold = z.infer<typeof boardHousehold>;

/** One grid's counts on the board. */
export const boardGrid = z.strictObject({
  gridId: z.string(),
  gridName: z.string(),
  total: z.number().int(),
  /** Not yet visited + no answer: the headline. */
  unknown: z.number().int(),
  notVisited: z.number().int(),
  noAnswer: z.number().int(),
  safe: z.number().int(),
  needsHelp: z.number().int(),
  sheltered: z.number().int(),
  away: z.number().int(),
  /** Who works the grid's doors: its grid workers. */
  workers: z.array(z.strictObject({ id: z.string(), name: z.string() })),
});
export type BoardGrid = z.infer<typeof boardGrid>;

export const boardAnswer = z.strictObject({
  incidentId: z.number().int(),
  drill: z.boolean(),
  active: z.boolean(),
  grids: z.array(boardGrid),
  households: z.array(boardHousehold),
});
export type BoardAnswer = z.infer<typeof boardAnswer>;

export const boardHouseholdAnswer = z.strictObject({ household: boardHousehold });

/** One status report as kept. */
export const boardReportView = z.strictObject({
  status: z.enum(REPORTED_STATUSES),
  source: z.enum(BOARD_SOURCES),
  by: z.string(),
  byName: z.string(),
  note: z.string(),
  at: instant,
  version: z.number().int(),
});
export const boardReportsAnswer = z.strictObject({ household: boardHousehold, reports: z.array(boardReportView) });

/** A link issued: its token and path appear in this answer only (stored hashed). */
export const issuedLink = z.strictObject({
  householdId: z.number().int(),
  gridId: z.string(),
  /** The household's address, for whoever delivers the card. */
  address: z.string(),
  /** The building alone, as the link's page shows it: what the card itself says. */
  place: z.string(),
  token: z.string(),
  path: z.string(),
});
export type IssuedLink = z.infer<typeof issuedLink>;
export const issuedLinksAnswer = z.strictObject({ items: z.array(issuedLink) });
/** The links of an incident without their tokens: which households have one and whether it was used. */
export const linkStateAnswer = z.strictObject({
  items: z.array(z.strictObject({ householdId: z.number().int(), issuedAt: instant, usedAt: instant.nullable() })),
});

/**
 * What the household's link shows (`GET /api/v1/safe/<token>`), to anyone holding it: the
 * building and nothing finer (no room, no name), the incident's headline, and the status.
 */
export const selfReportView = z.strictObject({
  place: z.string(),
  headline: z.string(),
  drill: z.boolean(),
  active: z.boolean(),
  status: z.enum(BOARD_STATUSES),
});
export type SelfReportView = z.infer<typeof selfReportView>;

/** `board:changed`, to the community's staff consoles and tablets: a notice, not the data (they read the board again). */
export interface BoardChanged {
  incidentId: number;
  householdIds: number[];
}

/** What a wall may be given of the board: per grid, guarded counts only. */
export interface PublicBoardGrid {
  gridId: string;
  total: GuardedCount;
  unknown: GuardedCount;
  safe: GuardedCount;
  needsHelp: GuardedCount;
  sheltered: GuardedCount;
}
export interface PublicBoard {
  incidentId: number;
  drill: boolean;
  grids: PublicBoardGrid[];
}
