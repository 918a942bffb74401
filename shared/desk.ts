/**
 * The dispatcher's desk (调度台): the queue's tabs, its query, the red/amber/green light of a
 * case's clock and the answers the desk reads. The server fills the queue (server/events/queue.ts);
 * the console draws it (client/console/pages/QueuePage.svelte). Both read the lights from here so
 * a case is amber on the desk exactly when the server counts it "due soon".
 */
import { z } from 'zod';
import { CATEGORY_CODES, SOURCES, URGENCIES } from './taxonomy.ts';
import type { EventView } from './protocol.ts';
import type { Action } from './lifecycle.ts';

/**
 * The queue's tabs, in the order a dispatcher works them: new reports to triage (受理), cases to
 * dispatch (派单: accepted or sent back), dispatched cases waiting to be signed for (签收), due
 * soon, overdue, extension and shelving requests to decide, resolved cases to verify (核查),
 * closed cases waiting for the call-back (回访); a grid worker's own tasks; everything open.
 */
export const QUEUE_TABS = ['triage', 'dispatch', 'sign', 'due_soon', 'overdue', 'requests', 'verify', 'callback', 'mine', 'open'] as const;
export type QueueTab = (typeof QUEUE_TABS)[number];

/** Closed cases stay in the call-back tab this long (回访 is due the day after closing). */
export const CALLBACK_WINDOW_MS = 7 * 24 * 3_600_000;

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(item).min(1, 'must not be empty'));

export const queueQuery = z
  .object({
    tab: z.enum(QUEUE_TABS, { message: `must be one of ${QUEUE_TABS.join(', ')}` }).default('open'),
    category: csv(z.enum(CATEGORY_CODES)).optional(),
    grid: csv(z.string().min(1)).optional(),
    source: csv(z.enum(SOURCES)).optional(),
    urgency: csv(z.enum(URGENCIES)).optional(),
    /** A case number, or words of its title, description or address. */
    q: z.string().trim().max(100, 'at most 100 characters').optional(),
    /** `deadline`: the soonest clock first (no clock last); `newest`: the latest report first. */
    sort: z.enum(['deadline', 'newest']).default('deadline'),
    limit: z.coerce.number().int().min(1).max(500).default(200),
  })
  .strict();
export type QueueQuery = z.infer<typeof queueQuery>;

/** A case as the desk lists it: the staff view without the reporter, what may be done now, and its clock's light. */
export type QueueItem = Omit<EventView, 'reporterName' | 'reporterPhone'> & { allowedActions: Action[]; light: Light | null };

export interface QueueAnswer {
  tab: QueueTab;
  items: QueueItem[];
  /** How many cases each tab holds under the same filters (the tab's badge). */
  counts: Record<QueueTab, number>;
  /** More cases match than `items` holds. */
  truncated: boolean;
}

/** A worker the dispatcher may send a case to, best first. */
export interface AssigneeSuggestion {
  id: string;
  name: string;
  gridId: string | null;
  /** The case's own grid's worker. */
  sameGrid: boolean;
  /** Cases dispatched to them and not yet resolved. */
  openCases: number;
  /** Whether a grid-worker account is theirs (who would see the case in "my tasks"). */
  hasAccount: boolean;
}

// The lights live in a module without zod, so the field app (/tablet) ticks them without the schema library.
export { caseLight, clockLight, nextDue, viewClocks, type Light } from './lights.ts';
import type { Light } from './lights.ts';

/** An open case a new report may duplicate, nearest first. */
export interface DuplicateCandidate {
  id: number;
  code: string;
  title: string;
  status: EventView['status'];
  address: string | null;
  reportedAt: string;
  /** Metres between the two places, or null when one has none (then they share a grid). */
  distanceM: number | null;
}
